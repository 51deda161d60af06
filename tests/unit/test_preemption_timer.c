/* Host unit tests for vmx/preemption_timer.c: the timer's reload value from the TSC rate, the
 * period and IA32_VMX_MISC's rate (SDM Vol. 3C 26.5.1, Vol. 3D A.6), overflow and the bounds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "vmx/preemption_timer.h"

/* Bochs: rate 0, its TSC calibrated at 49995 kHz (a make run boot): 10 ms is the same
 * 499950 the inline tsc_hz / 100 gave. */
static void test_rate_zero(void **state)
{
    (void)state;
    assert_int_equal(vmx_preemption_timer_value(49995000, 10, 0), 499950);
    assert_int_equal(vmx_preemption_timer_value(3000000000ull, 10, 0), 30000000);
}

/* Nested KVM and real CPUs: the timer counts once every 2^rate TSC ticks. */
static void test_rate_divides(void **state)
{
    (void)state;
    assert_int_equal(vmx_preemption_timer_value(2900000000ull, 10, 5), 906250);   /* 29 M / 32 */
    assert_int_equal(vmx_preemption_timer_value(2900000000ull, 10, 7), 226562);   /* 29 M / 128 */
    assert_int_equal(vmx_preemption_timer_value(1000000000ull, 1, 31), 1);         /* 1 M >> 31 */
}

/* tsc_hz * period_ms would overflow; the result must not. */
static void test_no_overflow(void **state)
{
    (void)state;
    assert_int_equal(vmx_preemption_timer_value(1ull << 63, 1000, 32), 0x80000000u);
    assert_int_equal(vmx_preemption_timer_value(UINT64_MAX, 1, 31), 8589934);
    assert_int_equal(vmx_preemption_timer_value(UINT64_MAX, UINT32_MAX, 0), 0xFFFFFFFFu);
    assert_int_equal(vmx_preemption_timer_value(UINT64_MAX, UINT32_MAX, 31), 0xFFFFFFFFu);
    /* Saturates at 32 bits: 10 s at 5 GHz with rate 0 is 5e10 ticks. */
    assert_int_equal(vmx_preemption_timer_value(5000000000ull, 10000, 0), 0xFFFFFFFFu);
}

/* Rounded down, never 0: a 0 would exit before the guest's first instruction, forever. */
static void test_bounds(void **state)
{
    (void)state;
    assert_int_equal(vmx_preemption_timer_value(1999, 1, 0), 1);
    assert_int_equal(vmx_preemption_timer_value(999, 1000, 0), 999);
    assert_int_equal(vmx_preemption_timer_value(1000, 10, 5), 1);
    assert_int_equal(vmx_preemption_timer_value(3000000000ull, 0, 0), 1);
    assert_int_equal(vmx_preemption_timer_value(3000000000ull, 10, 64), 1);
    assert_int_equal(vmx_preemption_timer_value(3000000000ull, 10, 1000), 1);
}

/* An unknown TSC rate (0 Hz) is taken as VMX_PREEMPTION_TSC_HZ_UNKNOWN. */
static void test_unknown_tsc_rate(void **state)
{
    (void)state;
    assert_int_equal(vmx_preemption_timer_value(0, 10, 0), 10000000);
    assert_int_equal(vmx_preemption_timer_value(0, 10, 5), 312500);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rate_zero),
        cmocka_unit_test(test_rate_divides),
        cmocka_unit_test(test_no_overflow),
        cmocka_unit_test(test_bounds),
        cmocka_unit_test(test_unknown_tsc_rate),
    };

    return cmocka_run_group_tests_name("preemption_timer", tests, NULL, NULL);
}
