/* The wall clock (drivers/wall_clock.h): the host CMOS RTC decoded once, then the TSC. */
#include "drivers/wall_clock.h"

#include "lib/civil_time.h"

#define CMOS_B_24_HOUR  0x02u
#define CMOS_B_BINARY   0x04u
#define CMOS_HOUR_PM    0x80u

static bool from_bcd(uint8_t v, bool binary, uint8_t *out)
{
    if (binary) {
        *out = v;
        return true;
    }
    if ((v & 0x0F) > 9 || (v >> 4) > 9)
        return false;
    *out = (uint8_t)((v >> 4) * 10 + (v & 0x0F));
    return true;
}

bool wall_clock_from_cmos(const struct cmos_clock_regs *r, uint64_t *unix_seconds)
{
    bool binary = r->status_b & CMOS_B_BINARY;
    uint8_t hour_raw = r->hour, pm = 0;
    if (!(r->status_b & CMOS_B_24_HOUR)) {
        pm = hour_raw & CMOS_HOUR_PM;
        hour_raw &= (uint8_t)~CMOS_HOUR_PM;
    }
    uint8_t second, minute, hour, day, month, year, century;
    if (!from_bcd(r->second, binary, &second) || !from_bcd(r->minute, binary, &minute) ||
        !from_bcd(hour_raw, binary, &hour) || !from_bcd(r->day, binary, &day) ||
        !from_bcd(r->month, binary, &month) || !from_bcd(r->year, binary, &year))
        return false;
    if (!(r->status_b & CMOS_B_24_HOUR)) {
        if (hour < 1 || hour > 12)
            return false;
        hour = (uint8_t)(hour % 12 + (pm ? 12 : 0));
    }
    if (!from_bcd(r->century, binary, &century) || century < 19 || century > 99)
        century = 20;
    struct civil_time t = { (uint64_t)century * 100 + year, month, day, hour, minute, second, 0 };
    return civil_to_unix(&t, unix_seconds);
}

#ifndef HOST_TEST

#include "arch/x86/cpu.h"
#include "arch/x86/io.h"
#include "drivers/console.h"
#include "drivers/timer.h"

static uint64_t boot_unix, boot_tsc;

static uint8_t cmos_read(uint8_t index)
{
    outb(0x70, index);      /* NMI stays enabled: bit 7 clear */
    return inb(0x71);
}

static void read_regs(struct cmos_clock_regs *r)
{
    r->second = cmos_read(0x00);
    r->minute = cmos_read(0x02);
    r->hour = cmos_read(0x04);
    r->day = cmos_read(0x07);
    r->month = cmos_read(0x08);
    r->year = cmos_read(0x09);
    r->century = cmos_read(0x32);
    r->status_b = cmos_read(0x0B);
}

static bool same(const struct cmos_clock_regs *a, const struct cmos_clock_regs *b)
{
    return a->second == b->second && a->minute == b->minute && a->hour == b->hour &&
           a->day == b->day && a->month == b->month && a->year == b->year &&
           a->century == b->century;
}

void wall_clock_init(void)
{
    /* Two equal readings with no update in progress between them: not torn by a tick. */
    struct cmos_clock_regs a, b;
    bool stable = false;
    for (int tries = 0; tries < 1000 && !stable; tries++) {
        while (cmos_read(0x0A) & 0x80)
            cpu_relax();
        read_regs(&a);
        read_regs(&b);
        stable = same(&a, &b);
    }
    boot_tsc = rdtsc();
    if (!stable || !wall_clock_from_cmos(&a, &boot_unix)) {
        boot_unix = 0;
        console_printf("clock: no usable CMOS clock; partitions read 1970-01-01\n");
        return;
    }
    struct civil_time t = civil_from_unix(boot_unix);
    console_printf("clock: %04llu-%02u-%02u %02u:%02u:%02u UTC (CMOS, read as UTC)\n",
                   (unsigned long long)t.year, t.month, t.day, t.hour, t.minute, t.second);
}

uint64_t wall_clock_now(void)
{
    uint64_t hz = timer_calibration()->tsc_hz;
    if (!boot_unix || !hz)
        return boot_unix;
    return boot_unix + (rdtsc() - boot_tsc) / hz;
}

#endif
