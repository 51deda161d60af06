/* Host unit tests for guest/line_queue.c: line assembly (splitting, CR, control
 * characters), the full ring dropping new lines and reporting them in place, independence
 * of two queues, and one producer thread against one consumer thread. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <sched.h>
#include <cmocka.h>

#include "guest/line_queue.h"

static struct line_queue q1, q2;

static void put(struct line_queue *q, const char *s)
{
    while (*s)
        line_queue_putc(q, *s++);
}

static void put_repeated(struct line_queue *q, char c, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        line_queue_putc(q, c);
}

/* Pops one line, which must exist and follow no drops. */
static void expect_line(struct line_queue *q, const char *want)
{
    char out[LINE_QUEUE_OUT_MAX];
    uint32_t dropped = 99;
    assert_true(line_queue_pop(q, out, sizeof(out), &dropped));
    assert_int_equal(dropped, 0);
    assert_string_equal(out, want);
}

static void expect_empty(struct line_queue *q)
{
    char out[LINE_QUEUE_OUT_MAX];
    uint32_t dropped = 99;
    assert_false(line_queue_pop(q, out, sizeof(out), &dropped));
    assert_int_equal(dropped, 0);
    assert_string_equal(out, "");
}

static void test_lines_cr_and_controls(void **state)
{
    (void)state;
    line_queue_init(&q1);
    expect_empty(&q1);
    put(&q1, "hello\r\n");
    put(&q1, "\n");                                 /* an empty line is a line */
    put(&q1, "a\tb\x1b[2Jc\x7f\x01" "d\n");
    put(&q1, "caf\xc3\xa9\n");                      /* non-ASCII bytes are shown as '?' */
    put(&q1, "x\x9b" "2Jy\xc2\x9b" "31mz\n");         /* C1 CSI, raw and in UTF-8 */
    put(&q1, "unfinished");
    line_queue_putc(&q1, '\0');
    expect_line(&q1, "hello");
    expect_line(&q1, "");
    expect_line(&q1, "a\tb?[2Jc??d");
    expect_line(&q1, "caf??");
    expect_line(&q1, "x?2Jy??31mz");
    expect_empty(&q1);
    line_queue_flush_partial(&q1);
    expect_line(&q1, "unfinished?");
    line_queue_flush_partial(&q1);                  /* nothing pending: nothing queued */
    expect_empty(&q1);
}

static void test_split_at_line_max(void **state)
{
    (void)state;
    char want[LINE_QUEUE_OUT_MAX];
    line_queue_init(&q1);

    /* Exactly LINE_QUEUE_LINE_MAX characters: one line, no empty continuation. */
    put_repeated(&q1, 'a', LINE_QUEUE_LINE_MAX);
    line_queue_putc(&q1, '\n');
    memset(want, 'a', LINE_QUEUE_LINE_MAX);
    want[LINE_QUEUE_LINE_MAX] = '\0';
    expect_line(&q1, want);
    expect_empty(&q1);

    /* 2.5 lines' worth: two continuations, marked; then a fresh line is not marked. */
    put_repeated(&q1, 'b', LINE_QUEUE_LINE_MAX);
    put_repeated(&q1, 'c', LINE_QUEUE_LINE_MAX);
    put_repeated(&q1, 'd', 80);
    put(&q1, "\r\nnext\n");
    memset(want, 'b', LINE_QUEUE_LINE_MAX);
    expect_line(&q1, want);
    strcpy(want, LINE_QUEUE_CONTINUATION);
    memset(want + strlen(LINE_QUEUE_CONTINUATION), 'c', LINE_QUEUE_LINE_MAX);
    want[strlen(LINE_QUEUE_CONTINUATION) + LINE_QUEUE_LINE_MAX] = '\0';
    expect_line(&q1, want);
    assert_int_equal(strlen(want), LINE_QUEUE_OUT_MAX - 1);
    strcpy(want, LINE_QUEUE_CONTINUATION);
    memset(want + strlen(LINE_QUEUE_CONTINUATION), 'd', 80);
    want[strlen(LINE_QUEUE_CONTINUATION) + 80] = '\0';
    expect_line(&q1, want);
    expect_line(&q1, "next");

    /* A split line's tail flushed when the partition stops is still a continuation. */
    put_repeated(&q1, 'e', LINE_QUEUE_LINE_MAX + 1);
    line_queue_flush_partial(&q1);
    memset(want, 'e', LINE_QUEUE_LINE_MAX);
    want[LINE_QUEUE_LINE_MAX] = '\0';
    expect_line(&q1, want);
    expect_line(&q1, LINE_QUEUE_CONTINUATION "e");
    put(&q1, "after\n");
    expect_line(&q1, "after");
}

static void test_small_out_buffer_truncates(void **state)
{
    (void)state;
    char out[6];
    uint32_t dropped;
    line_queue_init(&q1);
    put(&q1, "0123456789\n");
    put_repeated(&q1, 'x', LINE_QUEUE_LINE_MAX + 4);
    line_queue_putc(&q1, '\n');
    assert_true(line_queue_pop(&q1, out, sizeof(out), &dropped));
    assert_string_equal(out, "01234");
    assert_true(line_queue_pop(&q1, out, sizeof(out), &dropped));
    assert_string_equal(out, "xxxxx");
    assert_true(line_queue_pop(&q1, out, 3, &dropped));
    assert_string_equal(out, LINE_QUEUE_CONTINUATION);
    out[0] = 'u';
    put(&q1, "z\n");
    assert_true(line_queue_pop(&q1, out, 0, &dropped));     /* size 0: out untouched */
    assert_int_equal(out[0], 'u');
    expect_empty(&q1);
}

static void test_has_room_tracks_the_ring(void **state)
{
    (void)state;
    char line[32];
    line_queue_init(&q1);
    assert_true(line_queue_has_room(&q1));
    assert_int_equal(line_queue_free_lines(&q1), LINE_QUEUE_DEPTH);
    for (unsigned i = 0; i < LINE_QUEUE_DEPTH - 1; i++) {
        snprintf(line, sizeof(line), "line %u\n", i);
        put(&q1, line);
    }
    assert_true(line_queue_has_room(&q1));
    assert_int_equal(line_queue_free_lines(&q1), 1);
    put(&q1, "the last one that fits\n");
    assert_false(line_queue_has_room(&q1));
    assert_int_equal(line_queue_free_lines(&q1), 0);
    expect_line(&q1, "line 0");
    assert_true(line_queue_has_room(&q1));
    assert_int_equal(line_queue_free_lines(&q1), 1);
}

static void test_ring_full_drops_new_lines(void **state)
{
    (void)state;
    char out[LINE_QUEUE_OUT_MAX];
    char want[32];
    uint32_t dropped;
    line_queue_init(&q1);

    for (unsigned i = 0; i < LINE_QUEUE_DEPTH + 10; i++) {
        snprintf(want, sizeof(want), "line %u\n", i);
        put(&q1, want);
    }
    assert_int_equal(line_queue_dropped_total(&q1), 10);

    /* The oldest lines survive; the ten newest were dropped. */
    for (unsigned i = 0; i < 5; i++) {
        snprintf(want, sizeof(want), "line %u", i);
        expect_line(&q1, want);
    }
    /* Room again: the next line is queued and carries the drops before it. */
    put(&q1, "after the flood\n");
    for (unsigned i = 5; i < LINE_QUEUE_DEPTH; i++) {
        snprintf(want, sizeof(want), "line %u", i);
        expect_line(&q1, want);
    }
    assert_true(line_queue_pop(&q1, out, sizeof(out), &dropped));
    assert_int_equal(dropped, 10);
    assert_string_equal(out, "after the flood");
    expect_empty(&q1);

    /* A flood that simply ends: the drops come out with the empty pop, once. */
    for (unsigned i = 0; i < LINE_QUEUE_DEPTH + 3; i++)
        put(&q1, "spam\n");
    for (unsigned i = 0; i < LINE_QUEUE_DEPTH; i++)
        expect_line(&q1, "spam");
    assert_false(line_queue_pop(&q1, out, sizeof(out), &dropped));
    assert_int_equal(dropped, 3);
    expect_empty(&q1);
    put(&q1, "quiet\n");
    expect_line(&q1, "quiet");
    assert_int_equal(line_queue_dropped_total(&q1), 13);

    /* NULL dropped_before is allowed. */
    put(&q1, "x\n");
    assert_true(line_queue_pop(&q1, out, sizeof(out), NULL));
}

static void test_two_queues_are_independent(void **state)
{
    (void)state;
    line_queue_init(&q1);
    line_queue_init(&q2);
    /* Interleaved bytes from two partitions never mix within a line. */
    const char *a = "alpha says hi\n", *b = "beta floods\n";
    size_t alen = strlen(a), blen = strlen(b);
    for (size_t i = 0; i < alen || i < blen; i++) {
        if (i < alen)
            line_queue_putc(&q1, a[i]);
        if (i < blen)
            line_queue_putc(&q2, b[i]);
    }
    for (unsigned i = 0; i < 2 * LINE_QUEUE_DEPTH; i++)
        put(&q2, "beta floods\n");
    put(&q1, "alpha again\n");
    expect_line(&q1, "alpha says hi");
    expect_line(&q1, "alpha again");
    expect_empty(&q1);
    assert_int_equal(line_queue_dropped_total(&q1), 0);
    assert_int_equal(line_queue_dropped_total(&q2), LINE_QUEUE_DEPTH + 1);
    for (unsigned i = 0; i < LINE_QUEUE_DEPTH; i++)
        expect_line(&q2, "beta floods");
}

/* ---- one producer thread, one consumer (this thread) ----------------------------------- */

#define THREADED_LINES  100000u
#define THREADED_SPLIT  97u         /* every 97th line is long enough to be split */
#define THREADED_ITEMS  (THREADED_LINES + (THREADED_LINES + THREADED_SPLIT - 1) / THREADED_SPLIT)

/* The stream of queued lines, in order: number i, then its continuation if it was split. */
struct item {
    uint32_t number;
    bool continuation;
};
static struct item items[THREADED_ITEMS];
static int producer_done;

static void *producer(void *arg)
{
    struct line_queue *q = arg;
    char digits[16];

    for (unsigned i = 0; i < THREADED_LINES; i++) {
        int n = snprintf(digits, sizeof(digits), "%u", i);
        for (int k = 0; k < n; k++)
            line_queue_putc(q, digits[k]);
        if (i % THREADED_SPLIT == 0)
            put_repeated(q, '.', LINE_QUEUE_LINE_MAX);
        line_queue_putc(q, '\n');
    }
    __atomic_store_n(&producer_done, 1, __ATOMIC_RELEASE);
    return NULL;
}

/* What the consumer must see for one item. */
static void expected_text(const struct item *it, char *want, size_t size)
{
    char digits[16];
    size_t n = (size_t)snprintf(digits, sizeof(digits), "%u", it->number);
    bool split = it->number % THREADED_SPLIT == 0;

    if (it->continuation) {
        snprintf(want, size, "%s", LINE_QUEUE_CONTINUATION);
        memset(want + strlen(LINE_QUEUE_CONTINUATION), '.', n);
        want[strlen(LINE_QUEUE_CONTINUATION) + n] = '\0';
    } else {
        snprintf(want, size, "%s", digits);
        if (split) {
            memset(want + n, '.', LINE_QUEUE_LINE_MAX - n);
            want[LINE_QUEUE_LINE_MAX] = '\0';
        }
    }
}

static void test_threaded_order_and_counts(void **state)
{
    (void)state;
    pthread_t thread;
    char out[LINE_QUEUE_OUT_MAX], want[LINE_QUEUE_OUT_MAX];
    uint32_t dropped;
    uint64_t next = 0, popped = 0, reported = 0, polls = 0;

    size_t k = 0;
    for (uint32_t i = 0; i < THREADED_LINES; i++) {
        items[k++] = (struct item){ i, false };
        if (i % THREADED_SPLIT == 0)
            items[k++] = (struct item){ i, true };
    }
    assert_int_equal(k, THREADED_ITEMS);

    line_queue_init(&q1);
    producer_done = 0;
    assert_int_equal(pthread_create(&thread, NULL, producer, &q1), 0);
    for (;;) {
        bool done = __atomic_load_n(&producer_done, __ATOMIC_ACQUIRE);
        bool got = line_queue_pop(&q1, out, sizeof(out), &dropped);
        /* Dropped lines are exactly the ones skipped, reported where they were lost. */
        reported += dropped;
        next += dropped;
        if (got) {
            assert_true(next < THREADED_ITEMS);
            expected_text(&items[next], want, sizeof(want));
            assert_string_equal(out, want);
            next++;
            popped++;
        } else if (done) {
            break;          /* empty after the producer finished: everything is out */
        }
        if (++polls % 4096 == 0)
            sched_yield();  /* let the ring fill now and then */
    }
    assert_int_equal(pthread_join(thread, NULL), 0);
    assert_int_equal(next, THREADED_ITEMS);
    assert_int_equal(popped + reported, THREADED_ITEMS);
    assert_int_equal(reported, line_queue_dropped_total(&q1));
    assert_true(popped >= LINE_QUEUE_DEPTH);
    print_message("threaded: %llu lines popped, %llu dropped\n",
                  (unsigned long long)popped, (unsigned long long)reported);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lines_cr_and_controls),
        cmocka_unit_test(test_has_room_tracks_the_ring),
        cmocka_unit_test(test_split_at_line_max),
        cmocka_unit_test(test_small_out_buffer_truncates),
        cmocka_unit_test(test_ring_full_drops_new_lines),
        cmocka_unit_test(test_two_queues_are_independent),
        cmocka_unit_test(test_threaded_order_and_counts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
