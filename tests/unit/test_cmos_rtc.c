/* Host unit tests for lib/civil_time.c (Unix seconds to the Gregorian calendar and back: leap
 * days, century years, the far future) and guest/cmos_rtc.c, the MC146818A clock and CMOS RAM
 * (BCD and binary, 12- and 24-hour, the read-only clock, register A-D, the RAM per instance,
 * the index port and its NMI bit, the snapshot the clock registers are read from). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "guest/cmos_rtc.h"
#include "lib/civil_time.h"
#include "tests/unit/diag_sink.h"

struct instant {
    uint64_t unix_seconds;
    uint64_t year;
    unsigned month, day, hour, minute, second, weekday;
};

/* Expected values from an independent calendar (Python's datetime and calendar.timegm). */
static const struct instant instants[] = {
    { 0, 1970, 1, 1, 0, 0, 0, 4 },
    { 68212800, 1972, 2, 29, 12, 0, 0, 2 },
    { 68256000, 1972, 3, 1, 0, 0, 0, 3 },
    { 946684799, 1999, 12, 31, 23, 59, 59, 5 },
    { 946684800, 2000, 1, 1, 0, 0, 0, 6 },
    { 951782400, 2000, 2, 29, 0, 0, 0, 2 },
    { 951868800, 2000, 3, 1, 0, 0, 0, 3 },
    { 1709251199, 2024, 2, 29, 23, 59, 59, 4 },
    { 1796122669, 2026, 12, 1, 10, 57, 49, 2 },
    { 2147483647, 2038, 1, 19, 3, 14, 7, 2 },
    { 4102444799, 2099, 12, 31, 23, 59, 59, 4 },
    { 4102444800, 2100, 1, 1, 0, 0, 0, 5 },
    { 4107542399, 2100, 2, 28, 23, 59, 59, 0 },
    { 4107542400, 2100, 3, 1, 0, 0, 0, 1 },
    { 4294967295, 2106, 2, 7, 6, 28, 15, 0 },
    { 13574612730, 2400, 2, 29, 13, 45, 30, 2 },
    { 253402300799, 9999, 12, 31, 23, 59, 59, 5 },
    { 18446744073709, 586524, 1, 19, 8, 1, 49, 3 },
    { 9223372036854775808ull, 292277026596, 12, 4, 15, 30, 8, 0 },
    { UINT64_MAX, 584554051223, 11, 9, 7, 0, 15, 4 },
};

static void assert_instant(const struct civil_time *t, const struct instant *want)
{
    assert_int_equal(t->year, want->year);
    assert_int_equal(t->month, want->month);
    assert_int_equal(t->day, want->day);
    assert_int_equal(t->hour, want->hour);
    assert_int_equal(t->minute, want->minute);
    assert_int_equal(t->second, want->second);
    assert_int_equal(t->weekday, want->weekday);
}

static void test_civil_from_unix_known_instants(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(instants) / sizeof(instants[0]); i++) {
        struct civil_time t = civil_from_unix(instants[i].unix_seconds);
        print_message("  %llu\n", (unsigned long long)instants[i].unix_seconds);
        assert_instant(&t, &instants[i]);
    }
}

static void test_civil_to_unix_known_instants(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(instants) / sizeof(instants[0]); i++) {
        const struct instant *in = &instants[i];
        struct civil_time t = { in->year, (uint8_t)in->month, (uint8_t)in->day,
                                (uint8_t)in->hour, (uint8_t)in->minute, (uint8_t)in->second, 0 };
        uint64_t back = 0;
        if (in->year > UINT32_MAX) {
            assert_false(civil_to_unix(&t, &back));
            continue;
        }
        assert_true(civil_to_unix(&t, &back));
        assert_int_equal(back, in->unix_seconds);
    }
}

/* Every day from 1970 to 2802-04: the next day follows the calendar's rules, the weekday cycles,
 * and the inverse gives the instant back. */
static void test_civil_days_walk(void **state)
{
    (void)state;
    struct civil_time prev = civil_from_unix(0);
    unsigned leap_days = 0, days_2100 = 0;
    for (uint64_t day = 1; day < 304000; day++) {
        uint64_t secs = day * 86400 + 43210;
        struct civil_time t = civil_from_unix(secs);
        bool month_end = prev.day == civil_days_in_month(prev.year, prev.month);
        if (!month_end) {
            assert_int_equal(t.year, prev.year);
            assert_int_equal(t.month, prev.month);
            assert_int_equal(t.day, prev.day + 1);
        } else if (prev.month == 12) {
            assert_int_equal(t.year, prev.year + 1);
            assert_int_equal(t.month, 1);
            assert_int_equal(t.day, 1);
        } else {
            assert_int_equal(t.year, prev.year);
            assert_int_equal(t.month, prev.month + 1);
            assert_int_equal(t.day, 1);
        }
        assert_int_equal(t.weekday, (prev.weekday + 1) % 7);
        assert_int_equal(t.hour, 12);
        assert_int_equal(t.minute, 0);
        assert_int_equal(t.second, 10);
        uint64_t back = 0;
        assert_true(civil_to_unix(&t, &back));
        assert_int_equal(back, secs);
        if (t.month == 2 && t.day == 29)
            leap_days++;
        if (t.year == 2100)
            days_2100++;
        prev = t;
    }
    /* every fourth year from 1972 to 2800, but 2100, 2200, 2300, 2500, 2600 and 2700 */
    assert_int_equal(leap_days, (2800 - 1972) / 4 + 1 - 6);
    assert_int_equal(days_2100, 365);
}

static void test_civil_rules(void **state)
{
    (void)state;
    assert_true(civil_is_leap_year(2000));
    assert_true(civil_is_leap_year(2024));
    assert_false(civil_is_leap_year(2100));
    assert_false(civil_is_leap_year(2023));
    assert_int_equal(civil_days_in_month(2100, 2), 28);
    assert_int_equal(civil_days_in_month(2400, 2), 29);
    assert_int_equal(civil_days_in_month(2023, 4), 30);
    assert_int_equal(civil_days_in_month(2023, 0), 0);
    assert_int_equal(civil_days_in_month(2023, 13), 0);

    uint64_t out = 77;
    struct civil_time bad[] = {
        { 1969, 12, 31, 23, 59, 59, 0 }, { 2100, 2, 29, 0, 0, 0, 0 }, { 2000, 1, 0, 0, 0, 0, 0 },
        { 2000, 13, 1, 0, 0, 0, 0 },     { 2000, 4, 31, 0, 0, 0, 0 }, { 2000, 1, 1, 24, 0, 0, 0 },
        { 2000, 1, 1, 0, 60, 0, 0 },     { 2000, 1, 1, 0, 0, 60, 0 },
        { 1ull << 32, 1, 1, 0, 0, 0, 0 },
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_false(civil_to_unix(&bad[i], &out));
    assert_int_equal(out, 77);
}

/* ---- the CMOS clock ----------------------------------------------------------------- */

struct fake_clock {
    uint64_t now;
    unsigned reads;
};

static uint64_t fake_clock_read(void *ctx)
{
    struct fake_clock *c = ctx;
    c->reads++;
    return c->now;
}

static uint8_t reg_read(struct cmos_rtc *rtc, unsigned reg)
{
    cmos_rtc_write(rtc, CMOS_RTC_PORT_INDEX, (uint8_t)reg);
    return cmos_rtc_read(rtc, CMOS_RTC_PORT_DATA);
}

static void reg_write(struct cmos_rtc *rtc, unsigned reg, uint8_t value)
{
    cmos_rtc_write(rtc, CMOS_RTC_PORT_INDEX, (uint8_t)reg);
    cmos_rtc_write(rtc, CMOS_RTC_PORT_DATA, value);
}

struct clock_bytes {
    uint8_t seconds, minutes, hours, weekday, day, month, year, century;
};

/* Read as Linux's mc146818_get_time does: A first (UIP), then the clock, then the century. */
static struct clock_bytes read_clock(struct cmos_rtc *rtc)
{
    struct clock_bytes b;
    assert_int_equal(reg_read(rtc, CMOS_REG_A) & CMOS_A_UIP, 0);
    b.seconds = reg_read(rtc, CMOS_REG_SECONDS);
    b.minutes = reg_read(rtc, CMOS_REG_MINUTES);
    b.hours = reg_read(rtc, CMOS_REG_HOURS);
    b.weekday = reg_read(rtc, CMOS_REG_WEEKDAY);
    b.day = reg_read(rtc, CMOS_REG_DAY);
    b.month = reg_read(rtc, CMOS_REG_MONTH);
    b.year = reg_read(rtc, CMOS_REG_YEAR);
    b.century = reg_read(rtc, CMOS_REG_CENTURY);
    return b;
}

static void assert_clock(const struct clock_bytes *b, const uint8_t want[8])
{
    const uint8_t got[8] = { b->seconds, b->minutes, b->hours, b->weekday,
                             b->day,     b->month,   b->year,  b->century };
    assert_memory_equal(got, want, 8);
}

static void test_power_on_registers(void **state)
{
    (void)state;
    struct fake_clock clock = { 0, 0 };
    struct cmos_rtc rtc;
    cmos_rtc_init(&rtc, fake_clock_read, &clock, NULL);
    assert_int_equal(reg_read(&rtc, CMOS_REG_A), 0x26);
    assert_int_equal(reg_read(&rtc, CMOS_REG_B), 0x02);
    assert_int_equal(reg_read(&rtc, CMOS_REG_C), 0);
    assert_int_equal(reg_read(&rtc, CMOS_REG_D), 0x80);
    assert_int_equal(reg_read(&rtc, CMOS_REG_FLOPPY), 0);
    assert_int_equal(reg_read(&rtc, CMOS_REG_SHUTDOWN), 0);
    assert_int_equal(reg_read(&rtc, 0x7F), 0);
    struct clock_bytes b = read_clock(&rtc);
    assert_clock(&b, (const uint8_t[]){ 0x00, 0x00, 0x00, 0x05, 0x01, 0x01, 0x70, 0x19 });
    assert_false(cmos_rtc_nmi_disabled(&rtc));
}

static void test_bcd_and_binary(void **state)
{
    (void)state;
    struct fake_clock clock = { 946684799, 0 };        /* 1999-12-31 23:59:59, a Friday */
    struct cmos_rtc rtc;
    cmos_rtc_init(&rtc, fake_clock_read, &clock, NULL);
    struct clock_bytes b = read_clock(&rtc);
    assert_clock(&b, (const uint8_t[]){ 0x59, 0x59, 0x23, 0x06, 0x31, 0x12, 0x99, 0x19 });

    reg_write(&rtc, CMOS_REG_B, CMOS_B_24_HOUR | CMOS_B_BINARY);
    assert_int_equal(reg_read(&rtc, CMOS_REG_B), 0x06);
    b = read_clock(&rtc);
    assert_clock(&b, (const uint8_t[]){ 59, 59, 23, 6, 31, 12, 99, 19 });

    clock.now = 946684800;                              /* one second later: 2000 */
    b = read_clock(&rtc);
    assert_clock(&b, (const uint8_t[]){ 0, 0, 0, 7, 1, 1, 0, 20 });
    reg_write(&rtc, CMOS_REG_B, CMOS_B_24_HOUR);
    b = read_clock(&rtc);
    assert_clock(&b, (const uint8_t[]){ 0x00, 0x00, 0x00, 0x07, 0x01, 0x01, 0x00, 0x20 });

    clock.now = 4107542400;                             /* 2100-03-01, a Monday */
    b = read_clock(&rtc);
    assert_clock(&b, (const uint8_t[]){ 0x00, 0x00, 0x00, 0x02, 0x01, 0x03, 0x00, 0x21 });
    clock.now = 951782400 + 3600 * 17 + 60 * 42 + 7;    /* 2000-02-29 17:42:07, a Tuesday */
    b = read_clock(&rtc);
    assert_clock(&b, (const uint8_t[]){ 0x07, 0x42, 0x17, 0x03, 0x29, 0x02, 0x00, 0x20 });
}

/* 12-hour mode: 12 AM is midnight, PM sets bit 7, in BCD and in binary. */
static void test_twelve_hour_mode(void **state)
{
    (void)state;
    static const struct {
        unsigned hour;
        uint8_t bcd, binary;
    } cases[] = {
        { 0, 0x12, 12 },   { 1, 0x01, 1 },    { 9, 0x09, 9 },   { 11, 0x11, 11 },
        { 12, 0x92, 0x8C }, { 13, 0x81, 0x81 }, { 19, 0x87, 0x87 }, { 22, 0x90, 0x8A },
        { 23, 0x91, 0x8B },
    };
    struct fake_clock clock = { 0, 0 };
    struct cmos_rtc rtc;
    cmos_rtc_init(&rtc, fake_clock_read, &clock, NULL);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        clock.now = 1796083200 + cases[i].hour * 3600u + 59 * 60;     /* 2026-12-01 */
        reg_write(&rtc, CMOS_REG_B, 0);
        assert_int_equal(reg_read(&rtc, CMOS_REG_HOURS), cases[i].bcd);
        assert_int_equal(reg_read(&rtc, CMOS_REG_MINUTES), 0x59);
        reg_write(&rtc, CMOS_REG_B, CMOS_B_BINARY);
        assert_int_equal(reg_read(&rtc, CMOS_REG_HOURS), cases[i].binary);
        reg_write(&rtc, CMOS_REG_B, CMOS_B_24_HOUR);
        uint8_t h24 = (uint8_t)((cases[i].hour / 10) << 4 | cases[i].hour % 10);
        assert_int_equal(reg_read(&rtc, CMOS_REG_HOURS), h24);
    }
}

static void test_clock_is_read_only(void **state)
{
    (void)state;
    struct sink sink;
    sink_reset(&sink);
    struct fake_clock clock = { 1796122669, 0 };       /* 2026-12-01 10:57:49 */
    struct cmos_rtc rtc;
    cmos_rtc_init(&rtc, fake_clock_read, &clock, &sink.diag);

    /* Linux's mc146818_set_time: SET, the clock bytes, SET cleared. */
    reg_write(&rtc, CMOS_REG_B, CMOS_B_SET | CMOS_B_24_HOUR);
    static const uint8_t clock_regs[] = { CMOS_REG_SECONDS, CMOS_REG_MINUTES, CMOS_REG_HOURS,
                                          CMOS_REG_WEEKDAY, CMOS_REG_DAY, CMOS_REG_MONTH,
                                          CMOS_REG_YEAR, CMOS_REG_CENTURY };
    for (size_t i = 0; i < sizeof(clock_regs); i++)
        reg_write(&rtc, clock_regs[i], 0x01);
    reg_write(&rtc, CMOS_REG_B, CMOS_B_24_HOUR);
    struct clock_bytes b = read_clock(&rtc);
    assert_clock(&b, (const uint8_t[]){ 0x49, 0x57, 0x10, 0x03, 0x01, 0x12, 0x26, 0x20 });
    ASSERT_LINES(&sink, "cmos: the clock is read-only: write of 0x01 to register 0x00 ignored "
                        "(reported once)");

    /* C and D are read-only too. */
    reg_write(&rtc, CMOS_REG_C, 0xFF);
    reg_write(&rtc, CMOS_REG_D, 0x00);
    assert_int_equal(reg_read(&rtc, CMOS_REG_C), 0);
    assert_int_equal(reg_read(&rtc, CMOS_REG_D), CMOS_D_VRT);
    assert_int_equal(sink.count, 1);
}

static void test_status_registers(void **state)
{
    (void)state;
    struct fake_clock clock = { 0, 0 };
    struct cmos_rtc rtc;
    cmos_rtc_init(&rtc, fake_clock_read, &clock, NULL);
    reg_write(&rtc, CMOS_REG_A, 0xFF);                  /* UIP cannot be written */
    assert_int_equal(reg_read(&rtc, CMOS_REG_A), 0x7F);
    reg_write(&rtc, CMOS_REG_A, 0x2F);
    assert_int_equal(reg_read(&rtc, CMOS_REG_A), 0x2F);
    /* Interrupt enables are kept (and never raise anything): C stays 0. */
    reg_write(&rtc, CMOS_REG_B, CMOS_B_PIE | CMOS_B_AIE | CMOS_B_UIE | CMOS_B_24_HOUR);
    assert_int_equal(reg_read(&rtc, CMOS_REG_B), 0x72);
    assert_int_equal(reg_read(&rtc, CMOS_REG_C), 0);
    reg_write(&rtc, CMOS_REG_B, CMOS_B_SQWE | CMOS_B_DSE);
    assert_int_equal(reg_read(&rtc, CMOS_REG_B), 0x09);
}

static void test_alarms_and_ram(void **state)
{
    (void)state;
    struct fake_clock clock = { 0, 0 };
    struct cmos_rtc a, b;
    cmos_rtc_init(&a, fake_clock_read, &clock, NULL);
    cmos_rtc_init(&b, fake_clock_read, &clock, NULL);
    reg_write(&a, CMOS_REG_SECONDS_ALARM, 0x30);
    reg_write(&a, CMOS_REG_MINUTES_ALARM, 0xC0);
    reg_write(&a, CMOS_REG_HOURS_ALARM, 0x23);
    assert_int_equal(reg_read(&a, CMOS_REG_SECONDS_ALARM), 0x30);
    assert_int_equal(reg_read(&a, CMOS_REG_MINUTES_ALARM), 0xC0);
    assert_int_equal(reg_read(&a, CMOS_REG_HOURS_ALARM), 0x23);
    for (unsigned reg = 0x0E; reg < CMOS_RTC_SIZE; reg++)
        if (reg != CMOS_REG_CENTURY)
            reg_write(&a, reg, (uint8_t)(reg ^ 0xA5));
    for (unsigned reg = 0x0E; reg < CMOS_RTC_SIZE; reg++) {
        if (reg == CMOS_REG_CENTURY)
            continue;
        assert_int_equal(reg_read(&a, reg), reg ^ 0xA5);
        assert_int_equal(reg_read(&b, reg), 0);         /* the other partition's RAM */
    }
    assert_int_equal(reg_read(&b, CMOS_REG_SECONDS_ALARM), 0);
    assert_int_equal(reg_read(&a, CMOS_REG_CENTURY), 0x19);
}

static void test_index_port(void **state)
{
    (void)state;
    struct fake_clock clock = { 0, 0 };
    struct cmos_rtc rtc;
    cmos_rtc_init(&rtc, fake_clock_read, &clock, NULL);
    reg_write(&rtc, 0x40, 0x5C);
    cmos_rtc_write(&rtc, CMOS_RTC_PORT_INDEX, CMOS_RTC_INDEX_NMI_OFF | 0x40);
    assert_true(cmos_rtc_nmi_disabled(&rtc));
    assert_int_equal(cmos_rtc_read(&rtc, CMOS_RTC_PORT_INDEX), 0xC0);
    assert_int_equal(cmos_rtc_read(&rtc, CMOS_RTC_PORT_DATA), 0x5C);   /* bit 7 is not index */
    cmos_rtc_write(&rtc, CMOS_RTC_PORT_INDEX, CMOS_REG_D);
    assert_false(cmos_rtc_nmi_disabled(&rtc));
    assert_int_equal(cmos_rtc_read(&rtc, CMOS_RTC_PORT_DATA), 0x80);
    assert_int_equal(cmos_rtc_read(&rtc, 2), 0xFF);
    cmos_rtc_write(&rtc, 2, 0x00);                     /* nowhere: no change */
    assert_int_equal(cmos_rtc_read(&rtc, CMOS_RTC_PORT_INDEX), CMOS_REG_D);
}

/* A reader starting at A or the seconds sees one instant, even across a second boundary; a
 * snapshot over a second old, or a clock that went back, is renewed. */
static void test_snapshot(void **state)
{
    (void)state;
    struct fake_clock clock = { 946684799, 0 };        /* 23:59:59 */
    struct cmos_rtc rtc;
    cmos_rtc_init(&rtc, fake_clock_read, &clock, NULL);
    assert_int_equal(reg_read(&rtc, CMOS_REG_SECONDS), 0x59);
    clock.now++;                                        /* the next year begins */
    assert_int_equal(reg_read(&rtc, CMOS_REG_MINUTES), 0x59);
    assert_int_equal(reg_read(&rtc, CMOS_REG_YEAR), 0x99);
    assert_int_equal(reg_read(&rtc, CMOS_REG_CENTURY), 0x19);
    assert_int_equal(reg_read(&rtc, CMOS_REG_A), 0x26);        /* renews */
    assert_int_equal(reg_read(&rtc, CMOS_REG_YEAR), 0x00);
    clock.now += 1;
    assert_int_equal(reg_read(&rtc, CMOS_REG_MINUTES), 0x00);  /* one second old: kept */
    assert_int_equal(reg_read(&rtc, CMOS_REG_SECONDS), 0x01);  /* renews */
    clock.now += 62;
    assert_int_equal(reg_read(&rtc, CMOS_REG_MINUTES), 0x01);  /* 62 s old: renewed */
    clock.now -= 3600;
    assert_int_equal(reg_read(&rtc, CMOS_REG_YEAR), 0x99);     /* went back: renewed */
    assert_true(clock.reads > 0);

    struct cmos_rtc epoch;
    cmos_rtc_init(&epoch, NULL, NULL, NULL);            /* no clock: 1970-01-01 */
    assert_int_equal(reg_read(&epoch, CMOS_REG_YEAR), 0x70);
    assert_int_equal(reg_read(&epoch, CMOS_REG_DAY), 0x01);
}

static void test_set_freezes_the_view(void **state)
{
    (void)state;
    struct fake_clock clock = { 1796122669, 0 };       /* 10:57:49 */
    struct cmos_rtc rtc;
    cmos_rtc_init(&rtc, fake_clock_read, &clock, NULL);
    reg_write(&rtc, CMOS_REG_B, CMOS_B_SET | CMOS_B_24_HOUR);
    clock.now += 100;
    assert_int_equal(reg_read(&rtc, CMOS_REG_A), 0x26);
    assert_int_equal(reg_read(&rtc, CMOS_REG_SECONDS), 0x49);
    assert_int_equal(reg_read(&rtc, CMOS_REG_MINUTES), 0x57);
    assert_int_equal(reg_read(&rtc, CMOS_REG_B), 0x82);
    reg_write(&rtc, CMOS_REG_B, CMOS_B_24_HOUR);
    assert_int_equal(reg_read(&rtc, CMOS_REG_MINUTES), 0x59);  /* 10:59:29 */
    assert_int_equal(reg_read(&rtc, CMOS_REG_SECONDS), 0x29);
}

static void test_memory_size_bytes(void **state)
{
    (void)state;
    struct cmos_rtc rtc;
    cmos_rtc_init(&rtc, NULL, NULL, NULL);
    cmos_rtc_set_memory_size(&rtc, 64ull << 20);
    static const uint8_t want_64m[][2] = {
        { 0x15, 0x80 }, { 0x16, 0x02 }, { 0x17, 0x00 }, { 0x18, 0xFC }, { 0x30, 0x00 },
        { 0x31, 0xFC }, { 0x34, 0x00 }, { 0x35, 0x03 }, { 0x2E, 0x01 }, { 0x2F, 0x7E },
    };
    for (size_t i = 0; i < sizeof(want_64m) / sizeof(want_64m[0]); i++)
        assert_int_equal(reg_read(&rtc, want_64m[i][0]), want_64m[i][1]);

    cmos_rtc_set_memory_size(&rtc, 8ull << 30);        /* clamped */
    static const uint8_t want_8g[][2] = {
        { 0x15, 0x80 }, { 0x16, 0x02 }, { 0x17, 0xFF }, { 0x18, 0xFF }, { 0x30, 0xFF },
        { 0x31, 0xFF }, { 0x34, 0xFF }, { 0x35, 0xFF }, { 0x2E, 0x02 }, { 0x2F, 0x80 },
    };
    for (size_t i = 0; i < sizeof(want_8g) / sizeof(want_8g[0]); i++)
        assert_int_equal(reg_read(&rtc, want_8g[i][0]), want_8g[i][1]);

    cmos_rtc_set_memory_size(&rtc, 512 * 1024);         /* below 1 MiB */
    assert_int_equal(reg_read(&rtc, 0x15), 0x00);
    assert_int_equal(reg_read(&rtc, 0x16), 0x02);
    assert_int_equal(reg_read(&rtc, 0x18), 0x00);
    assert_int_equal(reg_read(&rtc, 0x35), 0x00);
}

/* The vCPU's view: a wide access covers the next port; past the two ports nothing answers. */
static void test_port_ops_lanes(void **state)
{
    (void)state;
    struct fake_clock clock = { 0, 0 };
    struct cmos_rtc rtc;
    cmos_rtc_init(&rtc, fake_clock_read, &clock, NULL);
    cmos_rtc_port_ops.write(&rtc, 0, 2, 0x7720);       /* index 0x20, data 0x77 */
    assert_int_equal(reg_read(&rtc, 0x20), 0x77);
    cmos_rtc_port_ops.write(&rtc, 0, 1, 0x21);
    cmos_rtc_port_ops.write(&rtc, 1, 1, 0x66);
    assert_int_equal(cmos_rtc_port_ops.read(&rtc, 0, 2), 0x6621);
    assert_int_equal(cmos_rtc_port_ops.read(&rtc, 1, 4), 0xFFFFFF66);
    assert_int_equal(cmos_rtc_port_ops.read(&rtc, 0, 4), 0xFFFF6621);
    assert_int_equal(cmos_rtc_port_ops.read(&rtc, 2, 1), 0xFF);
    cmos_rtc_port_ops.write(&rtc, 1, 4, 0x11223355);   /* only the data byte lands */
    assert_int_equal(reg_read(&rtc, 0x21), 0x55);
    assert_int_equal(cmos_rtc_port_ops.read(&rtc, 0, 1), 0x21);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_civil_from_unix_known_instants),
        cmocka_unit_test(test_civil_to_unix_known_instants),
        cmocka_unit_test(test_civil_days_walk),
        cmocka_unit_test(test_civil_rules),
        cmocka_unit_test(test_power_on_registers),
        cmocka_unit_test(test_bcd_and_binary),
        cmocka_unit_test(test_twelve_hour_mode),
        cmocka_unit_test(test_clock_is_read_only),
        cmocka_unit_test(test_status_registers),
        cmocka_unit_test(test_alarms_and_ram),
        cmocka_unit_test(test_index_port),
        cmocka_unit_test(test_snapshot),
        cmocka_unit_test(test_set_freezes_the_view),
        cmocka_unit_test(test_memory_size_bytes),
        cmocka_unit_test(test_port_ops_lanes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
