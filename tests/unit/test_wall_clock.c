/* The host CMOS clock's registers to Unix time (drivers/wall_clock.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "drivers/wall_clock.h"

static uint64_t decode(struct cmos_clock_regs r)
{
    uint64_t t = 0;
    assert_true(wall_clock_from_cmos(&r, &t));
    return t;
}

static void test_bcd_24_hour(void **state)
{
    (void)state;
    /* 2026-12-01 11:30:05 UTC, BCD, 24-hour (status B 0x02), century 0x20. */
    struct cmos_clock_regs r = { 0x05, 0x30, 0x11, 0x01, 0x12, 0x26, 0x20, 0x02 };
    assert_true(decode(r) == 1796124605ull);
}

static void test_binary_12_hour(void **state)
{
    (void)state;
    /* 2000-02-29 23:59:59 in binary 12-hour mode: 11 PM. */
    struct cmos_clock_regs r = { 59, 59, 0x80 | 11, 29, 2, 0, 20, 0x04 };
    assert_true(decode(r) == 951868799ull);
    r.hour = 12;                                        /* 12 AM is midnight */
    assert_true(decode(r) == 951868799ull - 23 * 3600);
}

/* No century byte (0 or garbage): 20xx. */
static void test_century_fallback(void **state)
{
    (void)state;
    struct cmos_clock_regs r = { 0x00, 0x00, 0x00, 0x01, 0x01, 0x30, 0x00, 0x02 };
    assert_true(decode(r) == 1893456000ull);            /* 2030-01-01 */
    r.century = 0xFF;
    assert_true(decode(r) == 1893456000ull);
}

static void test_garbage_refused(void **state)
{
    (void)state;
    uint64_t t;
    struct cmos_clock_regs ones = { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF };
    assert_false(wall_clock_from_cmos(&ones, &t));
    struct cmos_clock_regs bad_month = { 0x00, 0x00, 0x00, 0x01, 0x13, 0x26, 0x20, 0x02 };
    assert_false(wall_clock_from_cmos(&bad_month, &t));
    struct cmos_clock_regs bad_bcd = { 0x0A, 0x00, 0x00, 0x01, 0x01, 0x26, 0x20, 0x02 };
    assert_false(wall_clock_from_cmos(&bad_bcd, &t));
    struct cmos_clock_regs hour_zero_12h = { 0x00, 0x00, 0x00, 0x01, 0x01, 0x26, 0x20, 0x00 };
    assert_false(wall_clock_from_cmos(&hour_zero_12h, &t));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bcd_24_hour),
        cmocka_unit_test(test_binary_12_hour),
        cmocka_unit_test(test_century_fallback),
        cmocka_unit_test(test_garbage_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
