/* Host unit tests for lib/ratelimit.c: at most one report per key, and the token bucket. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "lib/ratelimit.h"

static void test_report_once_per_key(void **state)
{
    (void)state;
    struct report_once r = { 0 };
    uint64_t out_3f8 = report_key_port(0x3f8, 2), in_3f8 = report_key_port(0x3f8, 1);

    assert_true(report_once_first(&r, out_3f8));
    assert_false(report_once_first(&r, out_3f8));
    assert_true(report_once_first(&r, in_3f8));          /* other direction: other key */
    assert_true(report_once_first(&r, report_key_port(0x3f9, 2)));
    assert_false(report_once_first(&r, in_3f8));
    assert_true(report_once_first(&r, 0));               /* key 0 is a key like any other */
    assert_false(report_once_first(&r, 0));
    assert_int_equal(r.count, 4);
    assert_int_equal(r.suppressed, 0);
}

static void test_report_keys_do_not_collide(void **state)
{
    (void)state;
    assert_true(report_key_port(0xffff, 1) != report_key_port(0xffff, 2));
    assert_true(report_key_port(0x10, 1) == (0x10u | 1u << 16));
    assert_true(report_key_msr(0xC0000080, 1) != report_key_msr(0xC0000080, 2));
    assert_true(report_key_msr(0xC0000080, 2) == (0xC0000080ull | 2ull << 32));
}

static void test_report_once_full_set(void **state)
{
    (void)state;
    struct report_once r = { 0 };

    for (uint64_t k = 0; k < REPORT_ONCE_KEYS; k++)
        assert_true(report_once_first(&r, report_key_msr((uint32_t)(0x100 + k), 1)));
    assert_int_equal(r.count, REPORT_ONCE_KEYS);
    /* Full: a new key is refused and counted, every time; known keys stay quiet. */
    assert_false(report_once_first(&r, 0xdead));
    assert_false(report_once_first(&r, 0xdead));
    assert_false(report_once_first(&r, 0xbeef));
    assert_false(report_once_first(&r, report_key_msr(0x100, 1)));
    assert_int_equal(r.suppressed, 3);
    assert_int_equal(r.count, REPORT_ONCE_KEYS);
}

static void test_rate_limit_burst_and_refill(void **state)
{
    (void)state;
    struct rate_limit rl;
    rate_limit_init(&rl, 3, 100, 1000);

    /* A full bucket: three at once, then nothing. */
    assert_true(rate_limit_allow(&rl, 1000));
    assert_true(rate_limit_allow(&rl, 1000));
    assert_true(rate_limit_allow(&rl, 1000));
    assert_false(rate_limit_allow(&rl, 1000));
    /* One event per 100/3 units: not at 33, yes at 34 (exact, no rounding drift). */
    assert_false(rate_limit_allow(&rl, 1033));
    assert_true(rate_limit_allow(&rl, 1034));
    assert_false(rate_limit_allow(&rl, 1034));
    assert_false(rate_limit_allow(&rl, 1066));
    assert_true(rate_limit_allow(&rl, 1067));
    assert_true(rate_limit_allow(&rl, 1100));
    assert_false(rate_limit_allow(&rl, 1100));
    assert_int_equal(rate_limit_take_suppressed(&rl), 5);
    assert_int_equal(rate_limit_take_suppressed(&rl), 0);

    /* A long quiet time refills to the burst size, no more. */
    assert_true(rate_limit_allow(&rl, 1000000));
    assert_true(rate_limit_allow(&rl, 1000000));
    assert_true(rate_limit_allow(&rl, 1000000));
    assert_false(rate_limit_allow(&rl, 1000000));
}

static void test_rate_limit_sustained_rate(void **state)
{
    (void)state;
    struct rate_limit rl;
    unsigned allowed = 0;
    rate_limit_init(&rl, 10, 1000, 0);

    /* Asking every unit for 100 periods: the burst plus exactly 10 per period. */
    for (uint64_t t = 0; t < 100 * 1000; t++)
        allowed += rate_limit_allow(&rl, t);
    assert_true(allowed >= 10 + 99 * 10 && allowed <= 10 + 100 * 10);
    assert_int_equal(rate_limit_take_suppressed(&rl), 100 * 1000 - allowed);
}

static void test_rate_limit_clock_and_edges(void **state)
{
    (void)state;
    struct rate_limit rl;

    /* A clock that goes backwards refills nothing, then counts from the new time. */
    rate_limit_init(&rl, 1, 100, 500);
    assert_true(rate_limit_allow(&rl, 500));
    assert_false(rate_limit_allow(&rl, 400));
    assert_false(rate_limit_allow(&rl, 499));
    assert_true(rate_limit_allow(&rl, 500));

    /* TSC-sized periods: 3 GHz ticks, 20 lines per second. */
    uint64_t second = 3000000000ull;
    rate_limit_init(&rl, 20, second, 0);
    for (unsigned i = 0; i < 20; i++)
        assert_true(rate_limit_allow(&rl, 7));
    assert_false(rate_limit_allow(&rl, 8));
    /* Emptied at tick 7 with a full bucket: the next token is one interval later. */
    assert_false(rate_limit_allow(&rl, 7 + second / 20 - 1));
    assert_true(rate_limit_allow(&rl, 7 + second / 20));
    assert_true(rate_limit_allow(&rl, UINT64_MAX));     /* no overflow at the far end */

    /* period 0: no limit; per_period 0: nothing ever. */
    rate_limit_init(&rl, 0, 0, 0);
    for (unsigned i = 0; i < 1000; i++)
        assert_true(rate_limit_allow(&rl, 0));
    rate_limit_init(&rl, 0, 100, 0);
    assert_false(rate_limit_allow(&rl, 0));
    assert_false(rate_limit_allow(&rl, 1000000));

    /* per_period * period beyond 64 bits saturates instead of wrapping to a tiny bucket. */
    rate_limit_init(&rl, UINT32_MAX, UINT64_MAX / 2, 0);
    assert_true(rate_limit_allow(&rl, 0));
    assert_true(rate_limit_allow(&rl, 0));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_report_once_per_key),
        cmocka_unit_test(test_report_keys_do_not_collide),
        cmocka_unit_test(test_report_once_full_set),
        cmocka_unit_test(test_rate_limit_burst_and_refill),
        cmocka_unit_test(test_rate_limit_sustained_rate),
        cmocka_unit_test(test_rate_limit_clock_and_edges),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
