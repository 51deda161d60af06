/* The virtual local APIC's timer: one-shot, periodic and TSC-deadline modes, the divide
 * configuration and the current count (Intel SDM Vol. 3A 11.5.4 "APIC Timer", 11.5.4.1
 * "TSC-Deadline Mode"), driven by the TSC values the caller passes. Pure, integer only: the
 * 128-bit products are divided by hand, because gcc turns a 128-bit division into a libgcc
 * call (__udivti3) that the hypervisor does not link; multiplications stay inline. */
#include "guest/vlapic_internal.h"

typedef unsigned __int128 u128;

static unsigned u128_width(u128 v)
{
    uint64_t high = (uint64_t)(v >> 64), low = (uint64_t)v;

    if (high)
        return 128u - (unsigned)__builtin_clzll(high);
    return low ? 64u - (unsigned)__builtin_clzll(low) : 0u;
}

/* n / d by shift and subtract; *rem gets n % d. d is non-zero and below 2^127 (every
 * divisor here is under 2^80), so the partial remainder never overflows. */
static u128 u128_divmod(u128 n, u128 d, u128 *rem)
{
    u128 q = 0, r = 0;

    for (int bit = (int)u128_width(n) - 1; bit >= 0; bit--) {
        r = r << 1 | ((n >> bit) & 1);
        if (r >= d) {
            r -= d;
            q |= (u128)1 << bit;
        }
    }
    *rem = r;
    return q;
}

static u128 u128_div_ceil(u128 n, u128 d)
{
    u128 rem;
    u128 q = u128_divmod(n, d, &rem);

    return q + (rem != 0);
}

/* Divide configuration bits 3 and 1:0 (Figure 11-10): 000 = 2 ... 110 = 128, 111 = 1. */
static unsigned timer_divisor(uint32_t divide_config)
{
    unsigned code = (divide_config & 3u) | ((divide_config >> 1) & 4u);

    return code == 7u ? 1u : 2u << code;
}

static uint32_t timer_mode(const struct vlapic *apic)
{
    return apic->lvt[VLAPIC_LVT_TIMER] & VLAPIC_TIMER_MODE_MASK;
}

/* One count of the current-count register, in expiry units (TSC ticks times timer_hz):
 * divisor input-clock ticks of tsc_hz units each. At most 2^47. */
static uint64_t units_per_count(const struct vlapic *apic)
{
    return (uint64_t)timer_divisor(apic->timer.divide_config) * apic->cfg.tsc_hz;
}

static u128 units_at(const struct vlapic *apic, uint64_t tsc)
{
    return (u128)tsc * apic->cfg.timer_hz;
}

static void set_expiry(struct vlapic *apic, u128 expiry)
{
    u128 tsc = u128_div_ceil(expiry, apic->cfg.timer_hz);

    apic->timer.expiry = expiry;
    apic->timer.deadline_tsc = tsc > UINT64_MAX ? UINT64_MAX : (uint64_t)tsc;
    apic->timer.armed = true;
}

/* Counting `count` down from `now` (a count of 0 stops the timer). */
static void start_count(struct vlapic *apic, uint32_t count, uint64_t now)
{
    if (count == 0) {
        apic->timer.armed = false;
        return;
    }
    set_expiry(apic, units_at(apic, now) + (u128)count * units_per_count(apic));
}

void vlapic_timer_reset(struct vlapic *apic)
{
    apic->timer = (struct vlapic_timer){ 0 };
}

/* The count is the remaining time in counts, rounded up: it reads initial right after the
 * write and reaches 0 at the expiry (11.5.4). */
uint32_t vlapic_timer_current(const struct vlapic *apic, uint64_t now)
{
    u128 now_units = units_at(apic, now);
    u128 count;

    if (!apic->timer.armed || timer_mode(apic) == VLAPIC_TIMER_DEADLINE ||
        now_units >= apic->timer.expiry)
        return 0;
    count = u128_div_ceil(apic->timer.expiry - now_units, units_per_count(apic));
    /* Only a clock that went backwards gives more than the initial count. */
    return count > apic->timer.initial_count ? apic->timer.initial_count : (uint32_t)count;
}

/* In TSC-deadline mode the initial-count register ignores writes (11.5.4.1). */
void vlapic_timer_write_initial(struct vlapic *apic, uint32_t count, uint64_t now)
{
    if (timer_mode(apic) == VLAPIC_TIMER_DEADLINE)
        return;
    apic->timer.initial_count = count;
    start_count(apic, count, now);
}

/* A new divisor applies from now on: the count left keeps counting at the new rate. */
void vlapic_timer_write_divide(struct vlapic *apic, uint32_t value, uint64_t now)
{
    uint32_t left = vlapic_timer_current(apic, now);
    bool counting = apic->timer.armed && timer_mode(apic) != VLAPIC_TIMER_DEADLINE;

    apic->timer.divide_config = value & 0xBu;
    if (counting)
        start_count(apic, left, now);
}

/* A switch into or out of TSC-deadline mode disarms the timer (11.5.4.1); one-shot and
 * periodic switch into each other as the count runs. Mode 11b is reserved: one-shot. */
void vlapic_timer_write_lvt(struct vlapic *apic, uint32_t lvt, uint64_t now)
{
    bool was_deadline = timer_mode(apic) == VLAPIC_TIMER_DEADLINE;

    (void)now;
    if ((lvt & VLAPIC_TIMER_MODE_MASK) == VLAPIC_TIMER_MODE_MASK) {
        if (vlapic_first_note(apic, VLAPIC_NOTE_TIMER_MODE))
            diag_report(apic->cfg.diag, "vlapic: LVT timer 0x%08x: reserved timer mode 3 "
                                        "taken as one-shot", lvt);
        lvt &= ~VLAPIC_TIMER_MODE_MASK;
    }
    apic->lvt[VLAPIC_LVT_TIMER] = lvt;
    if (was_deadline != (timer_mode(apic) == VLAPIC_TIMER_DEADLINE)) {
        apic->timer.armed = false;
        apic->timer.tsc_deadline = 0;
    }
}

/* IA32_TSC_DEADLINE: ignored outside TSC-deadline mode, 0 disarms, a deadline already
 * passed fires at once. */
void vlapic_timer_write_deadline(struct vlapic *apic, uint64_t tsc, uint64_t now)
{
    if (timer_mode(apic) != VLAPIC_TIMER_DEADLINE)
        return;
    apic->timer.tsc_deadline = tsc;
    if (tsc == 0) {
        apic->timer.armed = false;
        return;
    }
    set_expiry(apic, units_at(apic, tsc));
    vlapic_timer_update(apic, now);
}

/* Outside TSC-deadline mode IA32_TSC_DEADLINE reads 0; after it fired, 0 as well. */
uint64_t vlapic_timer_read_deadline(const struct vlapic *apic)
{
    return timer_mode(apic) == VLAPIC_TIMER_DEADLINE ? apic->timer.tsc_deadline : 0;
}

static bool timer_interrupt(struct vlapic *apic)
{
    uint32_t lvt = apic->lvt[VLAPIC_LVT_TIMER];

    if (lvt & VLAPIC_LVT_MASKED)
        return false;
    return vlapic_accept(apic, (uint8_t)(lvt & VLAPIC_LVT_VECTOR), false);
}

/* A periodic timer's next expiry is the previous one plus whole periods, never "now plus a
 * period": late updates do not shift the phase. */
bool vlapic_timer_update(struct vlapic *apic, uint64_t now)
{
    struct vlapic_timer *t = &apic->timer;
    u128 now_units = units_at(apic, now);

    if (!t->armed || now < t->deadline_tsc || now_units < t->expiry)
        return false;
    if (timer_mode(apic) == VLAPIC_TIMER_PERIODIC) {
        u128 period = (u128)t->initial_count * units_per_count(apic);
        u128 rem;
        if (period == 0) {
            t->armed = false;   /* not reached: a periodic count of 0 never arms */
            return false;
        }
        set_expiry(apic, t->expiry + (u128_divmod(now_units - t->expiry, period, &rem) + 1) *
                                         period);
    } else {
        t->armed = false;
        if (timer_mode(apic) == VLAPIC_TIMER_DEADLINE)
            t->tsc_deadline = 0;
    }
    return timer_interrupt(apic);
}

uint64_t vlapic_next_deadline(const struct vlapic *apic)
{
    if (!apic->timer.armed || (apic->lvt[VLAPIC_LVT_TIMER] & VLAPIC_LVT_MASKED) ||
        !vlapic_hw_enabled(apic))
        return UINT64_MAX;
    return apic->timer.deadline_tsc;
}
