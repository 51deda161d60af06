/* The VMX-preemption timer's reload value for a period in milliseconds (Intel SDM Vol. 3C,
 * 26.5.1 "VMX-Preemption Timer"; its rate is IA32_VMX_MISC bits 4:0, Vol. 3D A.6). Pure. */
#ifndef VMX_PREEMPTION_TIMER_H
#define VMX_PREEMPTION_TIMER_H

#include <stdint.h>

/* Taken when the TSC rate is unknown (0 Hz): within a few times any VT-x CPU's TSC rate. */
#define VMX_PREEMPTION_TSC_HZ_UNKNOWN   1000000000ull
#define VMX_PREEMPTION_TIMER_MAX        0xFFFFFFFFu

/* The value that makes the timer expire every period_ms of TSC time on a CPU whose timer
 * counts down once each time TSC bit `rate` changes (every 2^rate TSC ticks). Never overflows:
 * saturates at VMX_PREEMPTION_TIMER_MAX. Never 0, so the guest gets to run between exits. */
uint32_t vmx_preemption_timer_value(uint64_t tsc_hz, uint32_t period_ms, unsigned rate);

#endif
