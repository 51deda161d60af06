/* Keeping reports from flooding the console: "at most one report per key" (a small set of
 * keys already reported) and a token bucket for "at most N lines per period". Pure, no
 * locking: each instance belongs to one CPU (e.g. one per partition). */
#ifndef LIB_RATELIMIT_H
#define LIB_RATELIMIT_H

#include <stdbool.h>
#include <stdint.h>

/* ---- at most one report per key -------------------------------------------------------- */

#define REPORT_ONCE_KEYS 32u

/* Zero-initialised it is empty. */
struct report_once {
    uint64_t keys[REPORT_ONCE_KEYS];    /* keys[0..count-1] have been reported */
    uint32_t count;
    uint32_t suppressed;                /* reports refused because the set was full */
};

/* Key for a port and an access direction (e.g. PORT_READ or PORT_WRITE). */
static inline uint64_t report_key_port(uint16_t port, unsigned direction)
{
    return (uint64_t)port | (uint64_t)direction << 16;
}

/* Key for an MSR and an access direction (e.g. MSR_READ or MSR_WRITE). */
static inline uint64_t report_key_msr(uint32_t msr, unsigned direction)
{
    return (uint64_t)msr | (uint64_t)direction << 32;
}

/* True the first time key is seen: the caller reports, and the key is remembered. False
 * for a key already reported, and for a new key once the set is full (then counted in
 * suppressed): a key is never reported twice, at the price of never reporting keys that
 * arrive after the first REPORT_ONCE_KEYS. */
bool report_once_first(struct report_once *r, uint64_t key);

/* ---- token bucket ----------------------------------------------------------------------- */

/* Up to per_period events in a burst, refilled at per_period per period (any monotonic
 * unit: TSC ticks, microseconds). tokens is kept in units of 1/period of an event so the
 * refill is exact; per_period * period must fit in 64 bits (else the burst is smaller).
 * Set it up with rate_limit_init. */
struct rate_limit {
    uint64_t tokens;            /* events available, times period */
    uint64_t last;              /* time of the last refill */
    uint64_t period;            /* 0 = no limit */
    uint32_t per_period;
    uint32_t suppressed;        /* events refused since rate_limit_take_suppressed */
};

/* A full bucket at time now. */
void rate_limit_init(struct rate_limit *rl, uint32_t per_period, uint64_t period, uint64_t now);

/* True when one more event may happen at time now (and takes its token); false counts it
 * suppressed. A clock that went backwards refills nothing and restarts from now. */
bool rate_limit_allow(struct rate_limit *rl, uint64_t now);

/* Events refused since the last call, so the caller can say "N lines suppressed". */
uint32_t rate_limit_take_suppressed(struct rate_limit *rl);

#endif
