/* Host tests for lib/interval_stats.c: periods, pauses, round lengths, windows. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "lib/interval_stats.h"

/* One round from start to end. */
static void round_at(struct interval_stats *s, uint64_t start, uint64_t end)
{
    interval_stats_begin(s, start);
    interval_stats_end(s, start, end);
}

static void test_first_round_has_no_period_or_pause(void **state)
{
    (void)state;
    struct interval_stats s = { 0 };
    round_at(&s, 1000, 1004);
    assert_int_equal(s.rounds, 1);
    assert_int_equal(s.periods, 0);
    assert_int_equal(s.pause_max, 0);
    assert_int_equal(s.busy_max, 4);
    assert_int_equal(interval_stats_mean_period(&s), 0);
}

static void test_pause_runs_from_end_to_next_start(void **state)
{
    (void)state;
    struct interval_stats s = { 0 };
    round_at(&s, 100, 105);     /* pause 5 to 110 */
    round_at(&s, 110, 150);     /* a long round: busy 40, then pause 10 to 160 */
    round_at(&s, 160, 161);     /* pause 29 to 190 */
    round_at(&s, 190, 191);
    assert_int_equal(s.rounds, 4);
    assert_int_equal(s.periods, 3);
    assert_int_equal(interval_stats_mean_period(&s), (10 + 50 + 30) / 3);
    assert_int_equal(s.pause_max, 29);
    assert_int_equal(s.busy_max, 40);
}

static void test_clock_backwards_counts_zero(void **state)
{
    (void)state;
    struct interval_stats s = { 0 };
    round_at(&s, 500, 510);
    round_at(&s, 400, 300);
    assert_int_equal(s.periods, 1);
    assert_int_equal(s.period_sum, 0);
    assert_int_equal(s.pause_max, 0);
    assert_int_equal(s.busy_max, 10);
}

static void test_take_resets_window_keeps_last_round(void **state)
{
    (void)state;
    struct interval_stats s = { 0 }, out;
    round_at(&s, 100, 110);
    round_at(&s, 300, 320);
    interval_stats_take(&s, &out);
    assert_int_equal(out.pause_max, 190);
    assert_int_equal(out.busy_max, 20);
    assert_int_equal(out.rounds, 2);
    assert_int_equal(s.rounds, 0);
    assert_int_equal(s.pause_max, 0);
    assert_int_equal(s.busy_max, 0);
    assert_int_equal(s.last_start, 300);
    assert_int_equal(s.last_end, 320);
    /* The pause across the take is measured from the round before it. */
    round_at(&s, 350, 351);
    assert_int_equal(s.pause_max, 30);
    assert_int_equal(s.periods, 1);
    assert_int_equal(interval_stats_mean_period(&s), 50);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_first_round_has_no_period_or_pause),
        cmocka_unit_test(test_pause_runs_from_end_to_next_start),
        cmocka_unit_test(test_clock_backwards_counts_zero),
        cmocka_unit_test(test_take_resets_window_keeps_last_round),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
