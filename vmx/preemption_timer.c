/* The VMX-preemption timer's reload value (Intel SDM Vol. 3C, 26.5.1; Vol. 3D A.6). */
#include "vmx/preemption_timer.h"

#define MS_PER_SECOND   1000u

/* tsc_hz * period_ms / 1000, rounded down, or UINT64_MAX when that does not fit 64 bits. */
static uint64_t tsc_ticks_in(uint64_t tsc_hz, uint32_t period_ms)
{
    uint64_t whole = tsc_hz / MS_PER_SECOND;            /* TSC ticks per millisecond */
    uint64_t part = tsc_hz % MS_PER_SECOND;             /* < 1000: part * period_ms fits */
    uint64_t ticks, rest = part * period_ms / MS_PER_SECOND;

    if (period_ms != 0 && whole > UINT64_MAX / period_ms)
        return UINT64_MAX;
    ticks = whole * period_ms;
    return ticks > UINT64_MAX - rest ? UINT64_MAX : ticks + rest;
}

uint32_t vmx_preemption_timer_value(uint64_t tsc_hz, uint32_t period_ms, unsigned rate)
{
    uint64_t ticks = tsc_ticks_in(tsc_hz ? tsc_hz : VMX_PREEMPTION_TSC_HZ_UNKNOWN, period_ms);
    uint64_t value = rate < 64 ? ticks >> rate : 0;

    if (value == 0)
        return 1;
    return value > VMX_PREEMPTION_TIMER_MAX ? VMX_PREEMPTION_TIMER_MAX : (uint32_t)value;
}
