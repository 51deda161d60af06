/* Host unit tests for guest/vlapic_timer.c, the virtual local APIC's timer (SDM Vol. 3A
 * 11.5.4): one-shot expiry at the computed TSC with the current count falling, periodic
 * expiries without drift (also at a TSC/timer ratio that is not an integer), the divide
 * values, TSC-deadline mode, masking, and 2^40 Hz clocks against a 128-bit reference. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "tests/unit/vlapic_fixture.h"

#define TIMER_VECTOR    0x30u

/* Software-enabled, the timer's LVT unmasked in `mode`, the divider at 1. */
static void timer_setup(struct fixture *f, uint32_t mode)
{
    software_enable(f);
    wr(f, VLAPIC_REG_TIMER_DIVIDE, 0xB);
    wr(f, VLAPIC_REG_LVT_TIMER, mode | TIMER_VECTOR);
}

/* Moves the clock, runs the update as the integrator will, and says whether the timer's
 * vector became pending (then takes it out again). */
static bool fires_at(struct fixture *f, uint64_t now)
{
    bool raised;

    f->now = now;
    raised = vlapic_timer_update(&f->apic, now);
    assert_int_equal(raised, irr_has(f, TIMER_VECTOR));
    drain(f);
    return raised;
}

static void test_one_shot(void **state)
{
    (void)state;
    struct fixture f;
    fixture_setup(&f);
    timer_setup(&f, VLAPIC_TIMER_ONE_SHOT);

    f.now = 1000;
    wr(&f, VLAPIC_REG_TIMER_INITIAL, 100);           /* 100 ticks of 10 TSC: at 2000 */
    assert_int_equal(vlapic_next_deadline(&f.apic), 2000);
    assert_int_equal(rd(&f, VLAPIC_REG_TIMER_CURRENT), 100);
    f.now = 1001;
    assert_int_equal(rd(&f, VLAPIC_REG_TIMER_CURRENT), 100);  /* a tick not yet over */
    f.now = 1010;
    assert_int_equal(rd(&f, VLAPIC_REG_TIMER_CURRENT), 99);
    f.now = 1500;
    assert_int_equal(rd(&f, VLAPIC_REG_TIMER_CURRENT), 50);
    f.now = 1999;
    assert_int_equal(rd(&f, VLAPIC_REG_TIMER_CURRENT), 1);
    assert_false(fires_at(&f, 1999));
    assert_true(fires_at(&f, 2000));
    assert_int_equal(rd(&f, VLAPIC_REG_TIMER_CURRENT), 0);
    assert_int_equal(rd(&f, VLAPIC_REG_TIMER_INITIAL), 100);
    assert_int_equal(vlapic_next_deadline(&f.apic), UINT64_MAX);
    assert_false(fires_at(&f, 4000));
    assert_false(fires_at(&f, 1000000));

    /* Rewriting the initial count restarts; writing 0 stops. */
    f.now = 5000;
    wr(&f, VLAPIC_REG_TIMER_INITIAL, 7);
    assert_int_equal(vlapic_next_deadline(&f.apic), 5070);
    wr(&f, VLAPIC_REG_TIMER_INITIAL, 0);
    assert_int_equal(vlapic_next_deadline(&f.apic), UINT64_MAX);
    assert_false(fires_at(&f, 6000));

    /* An expiry found late by an MMIO access still fires, once. */
    f.now = 7000;
    wr(&f, VLAPIC_REG_TIMER_INITIAL, 1);
    f.now = 9000;
    assert_int_equal(rd(&f, VLAPIC_REG_TIMER_CURRENT), 0);
    assert_true(irr_has(&f, TIMER_VECTOR));
}

static void test_periodic_without_drift(void **state)
{
    (void)state;
    struct fixture f;
    fixture_setup(&f);
    timer_setup(&f, VLAPIC_TIMER_PERIODIC);
    wr(&f, VLAPIC_REG_TIMER_DIVIDE, 0x0);           /* by 2: a period is 100 * 2 * 10 */

    f.now = 500;
    wr(&f, VLAPIC_REG_TIMER_INITIAL, 100);
    for (uint64_t k = 1; k <= 5; k++) {
        assert_int_equal(vlapic_next_deadline(&f.apic), 500 + 2000 * k);
        assert_false(fires_at(&f, 500 + 2000 * k - 1));
        assert_true(fires_at(&f, 500 + 2000 * k));
    }
    f.now = 11000;                                   /* 500 into the sixth period */
    assert_int_equal(rd(&f, VLAPIC_REG_TIMER_CURRENT), 75);
    /* Updates arriving late keep the phase: four expiries missed fire once. */
    assert_true(fires_at(&f, 18700));
    assert_int_equal(vlapic_next_deadline(&f.apic), 20500);

    /* A new initial count starts a new period from the write. */
    f.now = 19000;
    wr(&f, VLAPIC_REG_TIMER_INITIAL, 50);
    assert_int_equal(vlapic_next_deadline(&f.apic), 20000);
    assert_true(fires_at(&f, 20000));
    assert_int_equal(vlapic_next_deadline(&f.apic), 21000);

    /* Periodic to one-shot as it runs: the next expiry is the last. */
    wr(&f, VLAPIC_REG_LVT_TIMER, VLAPIC_TIMER_ONE_SHOT | TIMER_VECTOR);
    assert_true(fires_at(&f, 21000));
    assert_int_equal(vlapic_next_deadline(&f.apic), UINT64_MAX);
}

/* TSC 3 GHz, timer 70 MHz: one tick is 42 6/7 TSC ticks. Expiry k is at ceil(300 k / 7)
 * after the start for every k: rounding never accumulates. */
static void test_periodic_fractional_ratio(void **state)
{
    (void)state;
    struct fixture f;
    fixture_setup_with(&f, 3000000000ull, 70000000ull, true, true);
    timer_setup(&f, VLAPIC_TIMER_PERIODIC);

    f.now = 0;
    wr(&f, VLAPIC_REG_TIMER_INITIAL, 1);
    for (uint64_t k = 1; k <= 2000; k++) {
        uint64_t expect = (300 * k + 6) / 7;
        assert_int_equal(vlapic_next_deadline(&f.apic), expect);
        assert_true(fires_at(&f, expect));
    }
    assert_int_equal(vlapic_next_deadline(&f.apic), (300 * 2001 + 6) / 7);
    /* Late by many periods: the next expiry is the first one after now. */
    assert_true(fires_at(&f, 1000000));
    assert_int_equal(vlapic_next_deadline(&f.apic), (300 * 23334 + 6) / 7);
}

static void test_divide_values(void **state)
{
    (void)state;
    static const struct { uint32_t config; uint64_t divisor; } cases[] = {
        { 0x0, 2 }, { 0x1, 4 }, { 0x2, 8 }, { 0x3, 16 },
        { 0x8, 32 }, { 0x9, 64 }, { 0xA, 128 }, { 0xB, 1 },
    };
    struct fixture f;
    fixture_setup(&f);
    timer_setup(&f, VLAPIC_TIMER_ONE_SHOT);

    for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        f.now = 1000;
        wr(&f, VLAPIC_REG_TIMER_DIVIDE, cases[i].config | 0xFFFFFFF4u);
        assert_int_equal(rd(&f, VLAPIC_REG_TIMER_DIVIDE), cases[i].config);
        wr(&f, VLAPIC_REG_TIMER_INITIAL, 3);
        assert_int_equal(vlapic_next_deadline(&f.apic), 1000 + 3 * 10 * cases[i].divisor);
    }

    /* A divide change mid-count: the 50 counts left run at the new rate. */
    wr(&f, VLAPIC_REG_TIMER_DIVIDE, 0xB);
    wr(&f, VLAPIC_REG_TIMER_INITIAL, 100);
    f.now = 1500;
    wr(&f, VLAPIC_REG_TIMER_DIVIDE, 0x1);
    assert_int_equal(rd(&f, VLAPIC_REG_TIMER_CURRENT), 50);
    assert_int_equal(vlapic_next_deadline(&f.apic), 1500 + 50 * 40);
}

static void test_tsc_deadline(void **state)
{
    (void)state;
    struct fixture f;
    fixture_setup(&f);
    timer_setup(&f, VLAPIC_TIMER_DEADLINE);
    assert_int_equal(rd(&f, VLAPIC_REG_LVT_TIMER), VLAPIC_TIMER_DEADLINE | TIMER_VECTOR);

    f.now = 1000;
    msr_wr(&f, VLAPIC_MSR_TSC_DEADLINE, 5000);
    assert_int_equal(msr_rd(&f, VLAPIC_MSR_TSC_DEADLINE), 5000);
    assert_int_equal(vlapic_next_deadline(&f.apic), 5000);
    wr(&f, VLAPIC_REG_TIMER_INITIAL, 10);           /* ignored in this mode */
    assert_int_equal(rd(&f, VLAPIC_REG_TIMER_INITIAL), 0);
    assert_int_equal(rd(&f, VLAPIC_REG_TIMER_CURRENT), 0);
    assert_false(fires_at(&f, 4999));
    assert_true(fires_at(&f, 5000));
    assert_int_equal(msr_rd(&f, VLAPIC_MSR_TSC_DEADLINE), 0);
    assert_int_equal(vlapic_next_deadline(&f.apic), UINT64_MAX);
    assert_false(fires_at(&f, 9000));

    /* 0 disarms. */
    msr_wr(&f, VLAPIC_MSR_TSC_DEADLINE, 12000);
    msr_wr(&f, VLAPIC_MSR_TSC_DEADLINE, 0);
    assert_int_equal(vlapic_next_deadline(&f.apic), UINT64_MAX);
    assert_false(fires_at(&f, 13000));

    /* A deadline already passed fires during the write. */
    f.now = 20000;
    msr_wr(&f, VLAPIC_MSR_TSC_DEADLINE, 100);
    assert_true(irr_has(&f, TIMER_VECTOR));
    assert_int_equal(msr_rd(&f, VLAPIC_MSR_TSC_DEADLINE), 0);
    drain(&f);

    /* Leaving the mode disarms; outside it the MSR reads 0 and ignores writes. */
    msr_wr(&f, VLAPIC_MSR_TSC_DEADLINE, 30000);
    wr(&f, VLAPIC_REG_LVT_TIMER, VLAPIC_TIMER_ONE_SHOT | TIMER_VECTOR);
    assert_int_equal(msr_rd(&f, VLAPIC_MSR_TSC_DEADLINE), 0);
    assert_int_equal(vlapic_next_deadline(&f.apic), UINT64_MAX);
    msr_wr(&f, VLAPIC_MSR_TSC_DEADLINE, 40000);
    assert_int_equal(msr_rd(&f, VLAPIC_MSR_TSC_DEADLINE), 0);
    assert_false(fires_at(&f, 50000));
    /* A running one-shot count stops when the mode becomes TSC-deadline. */
    wr(&f, VLAPIC_REG_TIMER_INITIAL, 100);
    wr(&f, VLAPIC_REG_LVT_TIMER, VLAPIC_TIMER_DEADLINE | TIMER_VECTOR);
    assert_int_equal(vlapic_next_deadline(&f.apic), UINT64_MAX);
    assert_false(fires_at(&f, 60000));

    /* Mode 11b is reserved: taken as one-shot and reported. */
    wr(&f, VLAPIC_REG_LVT_TIMER, VLAPIC_TIMER_MODE_MASK | TIMER_VECTOR);
    assert_int_equal(rd(&f, VLAPIC_REG_LVT_TIMER), TIMER_VECTOR);
    ASSERT_LINES(&f.sink, "vlapic: LVT timer 0x00060030: reserved timer mode 3 taken as "
                          "one-shot");
}

static void test_no_tsc_deadline(void **state)
{
    (void)state;
    struct fixture f;
    uint64_t v;
    fixture_setup_with(&f, FIXTURE_TSC_HZ, FIXTURE_TIMER_HZ, true, false);
    timer_setup(&f, VLAPIC_TIMER_DEADLINE);

    assert_int_equal(rd(&f, VLAPIC_REG_LVT_TIMER), TIMER_VECTOR);   /* bit 18 not writable */
    assert_false(vlapic_msr_read(&f.apic, VLAPIC_MSR_TSC_DEADLINE, &v));
    assert_false(vlapic_msr_write(&f.apic, VLAPIC_MSR_TSC_DEADLINE, 100));
}

/* A masked timer keeps counting and re-arming but raises nothing, and asks for no
 * preemption-timer exit; unmasked again, it fires on its old phase. */
static void test_masked_timer(void **state)
{
    (void)state;
    struct fixture f;
    fixture_setup(&f);
    timer_setup(&f, VLAPIC_TIMER_PERIODIC);

    f.now = 0;
    wr(&f, VLAPIC_REG_LVT_TIMER, VLAPIC_LVT_MASKED | VLAPIC_TIMER_PERIODIC | TIMER_VECTOR);
    wr(&f, VLAPIC_REG_TIMER_INITIAL, 100);          /* period 1000 */
    assert_int_equal(vlapic_next_deadline(&f.apic), UINT64_MAX);
    assert_false(fires_at(&f, 1000));
    f.now = 2500;
    assert_int_equal(rd(&f, VLAPIC_REG_TIMER_CURRENT), 50);
    wr(&f, VLAPIC_REG_LVT_TIMER, VLAPIC_TIMER_PERIODIC | TIMER_VECTOR);
    assert_int_equal(vlapic_next_deadline(&f.apic), 3000);
    assert_true(fires_at(&f, 3000));

    /* Software disable masks the timer's LVT too. */
    wr(&f, VLAPIC_REG_SVR, 0xFF);
    assert_int_equal(vlapic_next_deadline(&f.apic), UINT64_MAX);
    assert_false(fires_at(&f, 4000));
}

/* 2^40 Hz clocks, the longest count and the largest divisor: deadlines match a 128-bit
 * reference computed here (the model divides without libgcc). */
static void test_extreme_frequencies(void **state)
{
    (void)state;
    static const uint64_t pairs[][2] = {
        { VLAPIC_HZ_MAX, 1 }, { 1, VLAPIC_HZ_MAX }, { 5000000001ull, 1099511627689ull },
        { VLAPIC_HZ_MAX, VLAPIC_HZ_MAX - 1 },
    };

    for (unsigned i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
        struct fixture f;
        uint64_t tsc_hz = pairs[i][0], timer_hz = pairs[i][1];
        uint64_t start = 0xFFFFFFull * (i + 1);
        fixture_setup_with(&f, tsc_hz, timer_hz, true, true);
        timer_setup(&f, VLAPIC_TIMER_ONE_SHOT);
        wr(&f, VLAPIC_REG_TIMER_DIVIDE, 0xA);        /* by 128 */
        f.now = start;
        wr(&f, VLAPIC_REG_TIMER_INITIAL, 0xFFFFFFFF);

        unsigned __int128 units = (unsigned __int128)0xFFFFFFFFu * 128u * tsc_hz;
        unsigned __int128 ticks = (units + timer_hz - 1) / timer_hz;
        unsigned __int128 want = start + ticks;
        uint64_t expect = want > UINT64_MAX ? UINT64_MAX : (uint64_t)want;
        assert_int_equal(vlapic_next_deadline(&f.apic), expect);
        assert_int_equal(rd(&f, VLAPIC_REG_TIMER_CURRENT), 0xFFFFFFFF);
        if (expect != UINT64_MAX) {
            assert_false(fires_at(&f, expect - 1));
            assert_true(fires_at(&f, expect));
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_shot),
        cmocka_unit_test(test_periodic_without_drift),
        cmocka_unit_test(test_periodic_fractional_ratio),
        cmocka_unit_test(test_divide_values),
        cmocka_unit_test(test_tsc_deadline),
        cmocka_unit_test(test_no_tsc_deadline),
        cmocka_unit_test(test_masked_timer),
        cmocka_unit_test(test_extreme_frequencies),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
