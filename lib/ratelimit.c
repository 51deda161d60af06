/* At-most-once reporting per key and a token-bucket rate limit. Pure. */
#include "lib/ratelimit.h"

bool report_once_first(struct report_once *r, uint64_t key)
{
    for (uint32_t i = 0; i < r->count; i++) {
        if (r->keys[i] == key)
            return false;
    }
    if (r->count >= REPORT_ONCE_KEYS) {
        r->suppressed++;
        return false;
    }
    r->keys[r->count++] = key;
    return true;
}

static uint64_t mul_saturate(uint64_t a, uint64_t b)
{
    uint64_t product;

    if (__builtin_mul_overflow(a, b, &product))
        return UINT64_MAX;
    return product;
}

static uint64_t capacity(const struct rate_limit *rl)
{
    return mul_saturate(rl->per_period, rl->period);
}

void rate_limit_init(struct rate_limit *rl, uint32_t per_period, uint64_t period, uint64_t now)
{
    *rl = (struct rate_limit){ .period = period, .per_period = per_period, .last = now };
    rl->tokens = capacity(rl);
}

/* Every elapsed time unit adds per_period units of tokens; one event costs period units.
 * After a whole period the bucket is full whatever it held, which also keeps the
 * multiplication in range. */
static void refill(struct rate_limit *rl, uint64_t now)
{
    uint64_t full = capacity(rl);

    if (now <= rl->last) {
        rl->last = now;
        return;
    }
    uint64_t elapsed = now - rl->last;
    rl->last = now;
    if (elapsed >= rl->period) {
        rl->tokens = full;
        return;
    }
    uint64_t add = mul_saturate(elapsed, rl->per_period);
    rl->tokens = add > full - rl->tokens ? full : rl->tokens + add;
}

bool rate_limit_allow(struct rate_limit *rl, uint64_t now)
{
    if (rl->period == 0)
        return true;
    refill(rl, now);
    if (rl->tokens >= rl->period) {
        rl->tokens -= rl->period;
        return true;
    }
    if (rl->suppressed < UINT32_MAX)
        rl->suppressed++;
    return false;
}

uint32_t rate_limit_take_suppressed(struct rate_limit *rl)
{
    uint32_t n = rl->suppressed;

    rl->suppressed = 0;
    return n;
}
