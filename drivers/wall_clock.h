/* The machine's wall-clock time: the host's CMOS real-time clock read once at boot (MC146818A
 * registers 0x00-0x09, status A/B, the century byte 0x32), then advanced by the TSC. */
#ifndef DRIVERS_WALL_CLOCK_H
#define DRIVERS_WALL_CLOCK_H

#include <stdbool.h>
#include <stdint.h>

struct cmos_clock_regs {
    uint8_t second, minute, hour, day, month, year, century, status_b;
};

/* Pure: the registers as read (BCD or binary, 12- or 24-hour per status B) to Unix seconds;
 * false when they do not form a date (a machine without a clock reads all ones). A century of
 * 0 or garbage means 20xx. */
bool wall_clock_from_cmos(const struct cmos_clock_regs *r, uint64_t *unix_seconds);

/* Reads the CMOS clock (after the timer is calibrated) and prints it: "clock: 2026-12-01
 * 11:30:05 UTC (CMOS)" or why there is none. */
void wall_clock_init(void);
/* Unix seconds now; 0 when the machine gave no clock. */
uint64_t wall_clock_now(void);

#endif
