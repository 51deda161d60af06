/* Time: TSC and local-APIC-timer frequencies calibrated against the 8254 PIT, and delays. */
#ifndef DRIVERS_TIMER_H
#define DRIVERS_TIMER_H

#include <stdbool.h>
#include <stdint.h>

struct timer_calibration {
    uint64_t tsc_hz;
    uint64_t lapic_hz;          /* local APIC timer input clock, divide by 1 */
    bool from_pit;              /* false: the PIT did not count, figures are estimates */
};

/* Measures over a 10 ms PIT channel 2 window (boot CPU, once) and logs the result. */
void timer_calibrate(void);
const struct timer_calibration *timer_calibration(void);

uint64_t timer_tsc_to_us(uint64_t tsc_ticks);
/* Busy-waits; usable on any CPU after timer_calibrate(). */
void udelay(uint64_t microseconds);

#endif
