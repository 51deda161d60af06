/* Host unit tests for the physical frame allocator (mm/frame.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "mm/frame.h"

#define KIB 0x400ULL
#define MIB 0x100000ULL
#define GIB 0x40000000ULL
#define PAGE FRAME_SIZE
#define TOP_END 0xFFFFFFFFFFFFF000ULL

/* Collects reported lines so tests can assert the exact text. */
struct capture {
    int lines;
    char last[DIAG_LINE_MAX];
};

static void capture_line(void *ctx, const char *line)
{
    struct capture *cap = ctx;

    cap->lines++;
    snprintf(cap->last, sizeof(cap->last), "%s", line);
}

/* Every test shares this fixture shape: an allocator plus a capturing sink. */
struct fixture {
    struct frame_allocator fa;
    struct capture cap;
    struct diag diag;
};

static int setup(void **state)
{
    static struct fixture fx;   /* one fixture, cleared before every test */

    memset(&fx, 0, sizeof(fx));
    frame_init(&fx.fa);
    fx.diag.fn = capture_line;
    fx.diag.ctx = &fx.cap;
    *state = &fx;
    return 0;
}

/* The table must always be sorted, disjoint, non-adjacent, page-aligned and
 * non-empty per range, with free_bytes equal to the sum of the ranges. */
static void check_invariants(const struct frame_allocator *fa)
{
    uint64_t sum = 0;
    uint32_t i;

    assert_true(fa->count <= FRAME_MAX_RANGES);
    for (i = 0; i < fa->count; i++) {
        const struct frame_range *r = &fa->free[i];

        assert_int_equal(r->base % PAGE, 0);
        assert_int_equal(r->end % PAGE, 0);
        assert_true(r->base < r->end);
        assert_true(r->end <= TOP_END);
        if (i > 0)
            assert_true(fa->free[i - 1].end < r->base);
        sum += r->end - r->base;
    }
    assert_int_equal(sum, fa->free_bytes);
}

/* Wrappers: run one operation, then check the invariants. */
static bool add(struct fixture *fx, uint64_t base, uint64_t length)
{
    bool ok = frame_add_usable(&fx->fa, base, length, &fx->diag);

    check_invariants(&fx->fa);
    return ok;
}

static bool reserve(struct fixture *fx, uint64_t base, uint64_t length)
{
    bool ok = frame_reserve(&fx->fa, base, length, &fx->diag);

    check_invariants(&fx->fa);
    return ok;
}

static uint64_t alloc(struct fixture *fx)
{
    uint64_t frame = frame_alloc(&fx->fa);

    check_invariants(&fx->fa);
    return frame;
}

static uint64_t alloc_run(struct fixture *fx, uint64_t bytes, uint64_t align)
{
    uint64_t base = frame_alloc_run(&fx->fa, bytes, align);

    check_invariants(&fx->fa);
    return base;
}

static bool free_run(struct fixture *fx, uint64_t base, uint64_t bytes)
{
    bool ok = frame_free_run(&fx->fa, base, bytes, &fx->diag);

    check_invariants(&fx->fa);
    return ok;
}

static void assert_range(const struct fixture *fx, uint32_t index, uint64_t base, uint64_t end)
{
    assert_true(index < fx->fa.count);
    assert_int_equal(fx->fa.free[index].base, base);
    assert_int_equal(fx->fa.free[index].end, end);
}

static void test_empty_allocator(void **state)
{
    struct fixture *fx = *state;

    check_invariants(&fx->fa);
    assert_int_equal(fx->fa.free_bytes, 0);
    assert_int_equal(alloc(fx), 0);
    assert_int_equal(alloc_run(fx, 2 * MIB, 2 * MIB), 0);
    assert_true(reserve(fx, 0, MIB));
    assert_int_equal(fx->cap.lines, 0);
}

static void test_single_range(void **state)
{
    struct fixture *fx = *state;

    assert_true(add(fx, MIB, MIB));
    assert_int_equal(fx->fa.count, 1);
    assert_range(fx, 0, MIB, 2 * MIB);
    assert_int_equal(fx->fa.free_bytes, MIB);
    assert_int_equal(alloc(fx), MIB);
    assert_int_equal(alloc(fx), MIB + PAGE);
    assert_int_equal(fx->fa.free_bytes, MIB - 2 * PAGE);
    assert_int_equal(fx->cap.lines, 0);
}

static void test_overlapping_usable_merged(void **state)
{
    struct fixture *fx = *state;

    assert_true(add(fx, MIB, 2 * MIB));
    assert_true(add(fx, 2 * MIB, 2 * MIB));
    assert_int_equal(fx->fa.count, 1);
    assert_range(fx, 0, MIB, 4 * MIB);
    /* The same range again, and one inside it, must not be counted twice. */
    assert_true(add(fx, MIB, 2 * MIB));
    assert_true(add(fx, 2 * MIB, PAGE));
    assert_int_equal(fx->fa.free_bytes, 3 * MIB);
    /* One range swallowing two others and the gap between them. */
    assert_true(add(fx, 8 * MIB, MIB));
    assert_true(add(fx, 0, 16 * MIB));
    assert_int_equal(fx->fa.count, 1);
    assert_range(fx, 0, 0, 16 * MIB);
}

static void test_adjacent_merged(void **state)
{
    struct fixture *fx = *state;

    assert_true(add(fx, 3 * MIB, MIB));
    assert_true(add(fx, MIB, MIB));
    assert_int_equal(fx->fa.count, 2);
    /* Filling the gap exactly joins all three into one range. */
    assert_true(add(fx, 2 * MIB, MIB));
    assert_int_equal(fx->fa.count, 1);
    assert_range(fx, 0, MIB, 4 * MIB);
    /* Touching at either end. */
    assert_true(add(fx, 4 * MIB, PAGE));
    assert_true(add(fx, MIB - PAGE, PAGE));
    assert_range(fx, 0, MIB - PAGE, 4 * MIB + PAGE);
    assert_int_equal(fx->fa.count, 1);
}

static void test_unaligned_add_shrinks_inward(void **state)
{
    struct fixture *fx = *state;

    assert_true(add(fx, 0x1234, 0x3000));           /* 0x1234 - 0x4234 */
    assert_range(fx, 0, 0x2000, 0x4000);
    assert_int_equal(fx->fa.free_bytes, 2 * PAGE);
    /* Less than a page after shrinking: nothing added, no complaint. */
    assert_true(add(fx, 0x10001, 0x1ffe));
    assert_true(add(fx, 0x20000, 0xfff));
    assert_true(add(fx, 0x30000, 0));
    assert_int_equal(fx->fa.count, 1);
    assert_int_equal(fx->fa.free_bytes, 2 * PAGE);
    assert_int_equal(fx->cap.lines, 0);
}

static void test_unaligned_reserve_widens_outward(void **state)
{
    struct fixture *fx = *state;

    assert_true(add(fx, 0, 16 * PAGE));
    assert_true(reserve(fx, 0x2001, 0x10));          /* inside one page */
    assert_range(fx, 0, 0, 0x2000);
    assert_range(fx, 1, 0x3000, 0x10000);
    assert_true(reserve(fx, 0x4fff, 0x2));           /* straddles two pages */
    assert_range(fx, 1, 0x3000, 0x4000);
    assert_range(fx, 2, 0x6000, 0x10000);
    assert_int_equal(fx->fa.free_bytes, 13 * PAGE);
    assert_true(reserve(fx, 0x8000, 0));             /* empty: no effect */
    assert_int_equal(fx->fa.free_bytes, 13 * PAGE);
}

static void test_reserve_splits_range(void **state)
{
    struct fixture *fx = *state;

    assert_true(add(fx, MIB, 15 * MIB));
    assert_true(reserve(fx, 4 * MIB, MIB));
    assert_int_equal(fx->fa.count, 2);
    assert_range(fx, 0, MIB, 4 * MIB);
    assert_range(fx, 1, 5 * MIB, 16 * MIB);
    assert_int_equal(fx->fa.free_bytes, 14 * MIB);
    /* Trimming either edge keeps the count. */
    assert_true(reserve(fx, 0, 2 * MIB));
    assert_true(reserve(fx, 15 * MIB, 4 * MIB));
    assert_range(fx, 0, 2 * MIB, 4 * MIB);
    assert_range(fx, 1, 5 * MIB, 15 * MIB);
    assert_int_equal(fx->fa.free_bytes, 12 * MIB);
}

static void test_reserve_spans_several_ranges(void **state)
{
    struct fixture *fx = *state;
    uint64_t i;

    for (i = 1; i <= 7; i += 2)
        assert_true(add(fx, i * MIB, MIB));          /* 1-2, 3-4, 5-6, 7-8 MiB */
    assert_true(reserve(fx, MIB + MIB / 2, 6 * MIB)); /* 1.5 - 7.5 MiB */
    assert_int_equal(fx->fa.count, 2);
    assert_range(fx, 0, MIB, MIB + MIB / 2);
    assert_range(fx, 1, 7 * MIB + MIB / 2, 8 * MIB);
    assert_int_equal(fx->fa.free_bytes, MIB);
    /* Reserving everything empties the table. */
    assert_true(reserve(fx, 0, 64 * MIB));
    assert_int_equal(fx->fa.count, 0);
    assert_int_equal(alloc(fx), 0);
}

static void test_reserve_of_non_free_memory_is_noop(void **state)
{
    struct fixture *fx = *state;

    assert_true(add(fx, MIB, MIB));
    assert_true(add(fx, 4 * MIB, MIB));
    assert_true(reserve(fx, 2 * MIB, 2 * MIB));      /* exactly the hole */
    assert_true(reserve(fx, 64 * MIB, MIB));         /* beyond all RAM */
    assert_true(reserve(fx, 0, PAGE));
    assert_int_equal(fx->fa.count, 2);
    assert_int_equal(fx->fa.free_bytes, 2 * MIB);
    /* Reserving twice is the same as once. */
    assert_true(reserve(fx, MIB, PAGE));
    assert_true(reserve(fx, MIB, PAGE));
    assert_int_equal(fx->fa.free_bytes, 2 * MIB - PAGE);
    assert_int_equal(fx->cap.lines, 0);
}

/* The QEMU default map for 128 MiB of RAM plus a block above 4 GiB. */
static void add_qemu_map(struct fixture *fx)
{
    assert_true(add(fx, 0, 0x9fc00));
    assert_true(add(fx, 0x100000, 0x7fe0000 - 0x100000));
    assert_true(add(fx, 4 * GIB, GIB));
}

static void test_map_with_holes(void **state)
{
    struct fixture *fx = *state;

    add_qemu_map(fx);
    assert_int_equal(fx->fa.count, 3);
    assert_range(fx, 0, 0, 0x9f000);                 /* the partial page is dropped */
    assert_range(fx, 1, 0x100000, 0x7fe0000);
    assert_range(fx, 2, 4 * GIB, 5 * GIB);
    assert_int_equal(fx->fa.free_bytes, 0x9f000 + 0x7ee0000 + GIB);
    /* Frame 0 is never handed out since 0 means "none"; it stays free. */
    assert_int_equal(alloc(fx), PAGE);
    assert_range(fx, 0, 0, PAGE);
    assert_range(fx, 1, 2 * PAGE, 0x9f000);
    /* 256 MiB fits only above 4 GiB. */
    assert_int_equal(alloc_run(fx, 256 * MIB, 2 * MIB), 4 * GIB);
    assert_range(fx, 3, 4 * GIB + 256 * MIB, 5 * GIB);
    /* A run that fits in the low hole goes there first. */
    assert_int_equal(alloc_run(fx, 64 * KIB, 64 * KIB), 0x10000);
}

static void test_boot_reservations(void **state)
{
    struct fixture *fx = *state;
    const uint64_t image_base = 0x100000, image_size = 0x23456;
    const uint64_t module_base = 0x200000, module_size = 0x1801;
    const uint64_t boot_info = 0x9500, boot_info_size = 0x380;

    add_qemu_map(fx);
    assert_true(reserve(fx, 0, MIB));
    assert_true(reserve(fx, image_base, image_size));
    assert_true(reserve(fx, boot_info, boot_info_size));
    assert_true(reserve(fx, module_base, module_size));
    /* Image widened to 0x124000, module to 0x202000. */
    assert_int_equal(fx->fa.free_bytes, 0x7ee0000 - 0x24000 - 0x2000 + GIB);
    assert_int_equal(fx->fa.count, 3);
    assert_range(fx, 0, 0x124000, 0x200000);
    assert_range(fx, 1, 0x202000, 0x7fe0000);
    assert_int_equal(alloc(fx), 0x124000);
    assert_int_equal(fx->cap.lines, 0);
}

static void test_exhaustion_and_reuse(void **state)
{
    struct fixture *fx = *state;
    uint64_t frames[4];
    size_t i;

    assert_true(add(fx, 0x10000, 4 * PAGE));
    for (i = 0; i < 4; i++)
        frames[i] = alloc(fx);
    for (i = 0; i < 4; i++)
        assert_int_equal(frames[i], 0x10000 + i * PAGE);
    assert_int_equal(alloc(fx), 0);
    assert_int_equal(alloc_run(fx, PAGE, PAGE), 0);
    assert_int_equal(fx->fa.count, 0);
    assert_int_equal(fx->fa.free_bytes, 0);

    assert_true(free_run(fx, frames[2], PAGE));
    assert_int_equal(alloc(fx), frames[2]);
    assert_int_equal(alloc(fx), 0);

    /* Freeing out of order merges back into one range. */
    assert_true(free_run(fx, frames[1], PAGE));
    assert_true(free_run(fx, frames[3], PAGE));
    assert_true(free_run(fx, frames[0], PAGE));
    assert_int_equal(fx->fa.count, 2);
    assert_true(free_run(fx, frames[2], PAGE));
    assert_int_equal(fx->fa.count, 1);
    assert_range(fx, 0, 0x10000, 0x14000);
    assert_int_equal(fx->cap.lines, 0);
}

static void test_run_aligned_2mib(void **state)
{
    struct fixture *fx = *state;

    assert_true(add(fx, 0x101000, 16 * MIB - 0x101000));
    assert_int_equal(alloc_run(fx, 2 * MIB, 2 * MIB), 2 * MIB);
    /* The unaligned head stays free, the tail follows the run. */
    assert_int_equal(fx->fa.count, 2);
    assert_range(fx, 0, 0x101000, 2 * MIB);
    assert_range(fx, 1, 4 * MIB, 16 * MIB);
    assert_int_equal(alloc_run(fx, 4 * MIB, 2 * MIB), 4 * MIB);
    assert_range(fx, 1, 8 * MIB, 16 * MIB);
    assert_int_equal(alloc(fx), 0x101000);
    assert_int_equal(fx->fa.free_bytes, 16 * MIB - 0x101000 - 6 * MIB - PAGE);
}

static void test_run_aligned_1gib(void **state)
{
    struct fixture *fx = *state;
    uint64_t base;

    assert_true(add(fx, 0x70000000, 8 * GIB - 0x70000000));
    base = alloc_run(fx, GIB, GIB);
    assert_int_equal(base, 2 * GIB);
    assert_int_equal(base % GIB, 0);
    assert_range(fx, 0, 0x70000000, 2 * GIB);
    assert_range(fx, 1, 3 * GIB, 8 * GIB);
    /* Returning the run restores the single range. */
    assert_true(free_run(fx, base, GIB));
    assert_int_equal(fx->fa.count, 1);
    assert_int_equal(fx->fa.free_bytes, 8 * GIB - 0x70000000);
}

static void test_run_larger_than_any_range_fails(void **state)
{
    struct fixture *fx = *state;

    assert_true(add(fx, MIB, MIB));
    assert_true(add(fx, 3 * MIB, MIB));
    assert_int_equal(alloc_run(fx, 2 * MIB, PAGE), 0);
    /* Big enough, but not once aligned. */
    assert_true(add(fx, 8 * MIB + PAGE, 2 * MIB));
    assert_int_equal(alloc_run(fx, 2 * MIB, 2 * MIB), 0);
    assert_int_equal(fx->fa.count, 3);
    assert_int_equal(fx->fa.free_bytes, 4 * MIB);
    assert_int_equal(alloc_run(fx, 2 * MIB, PAGE), 8 * MIB + PAGE);
}

static void test_run_rejects_bad_arguments(void **state)
{
    struct fixture *fx = *state;

    assert_true(add(fx, 0, 64 * MIB));
    assert_int_equal(alloc_run(fx, 0, PAGE), 0);
    assert_int_equal(alloc_run(fx, PAGE + 1, PAGE), 0);
    assert_int_equal(alloc_run(fx, PAGE, 0), 0);
    assert_int_equal(alloc_run(fx, PAGE, 2 * KIB), 0);
    assert_int_equal(alloc_run(fx, PAGE, 3 * PAGE), 0);
    assert_int_equal(alloc_run(fx, PAGE, 1ULL << 63), 0);   /* valid, nothing aligned */
    assert_int_equal(fx->fa.free_bytes, 64 * MIB);
}

static void test_ram_above_4gib_only(void **state)
{
    struct fixture *fx = *state;
    uint64_t frame;

    assert_true(add(fx, 4 * GIB, 4 * GIB));
    assert_true(reserve(fx, 0, MIB));
    frame = alloc(fx);
    assert_int_equal(frame, 4 * GIB);
    /* The page at 4 GiB is taken, so the next 1 GiB boundary is 5 GiB. */
    assert_int_equal(alloc_run(fx, GIB, GIB), 5 * GIB);
    assert_range(fx, 0, 4 * GIB + PAGE, 5 * GIB);
    assert_range(fx, 1, 6 * GIB, 8 * GIB);
    assert_true(free_run(fx, frame, PAGE));
    assert_true(free_run(fx, 5 * GIB, GIB));
    assert_int_equal(fx->fa.count, 1);
    assert_int_equal(fx->fa.free_bytes, 4 * GIB);
}

static void test_top_of_address_space(void **state)
{
    struct fixture *fx = *state;

    /* Ends exactly at 2^64: the last page cannot be described and is dropped. */
    assert_true(add(fx, 0xFFFFFFFF00000000ULL, 0x100000000ULL));
    assert_range(fx, 0, 0xFFFFFFFF00000000ULL, TOP_END);
    assert_int_equal(fx->fa.free_bytes, 0x100000000ULL - PAGE);
    assert_true(add(fx, TOP_END, PAGE));
    assert_true(add(fx, UINT64_MAX, UINT64_MAX));
    assert_int_equal(fx->fa.free_bytes, 0x100000000ULL - PAGE);

    /* A reservation whose end overflows takes everything to the top. */
    assert_true(reserve(fx, TOP_END - PAGE - 1, UINT64_MAX));
    assert_range(fx, 0, 0xFFFFFFFF00000000ULL, TOP_END - 2 * PAGE);
    assert_int_equal(alloc_run(fx, PAGE, 1ULL << 63), 0);
    assert_int_equal(alloc_run(fx, 2 * MIB, 2 * MIB), 0xFFFFFFFF00000000ULL);

    /* A run that would end at 2^64 cannot have been handed out. */
    assert_false(free_run(fx, TOP_END, PAGE));
    assert_int_equal(fx->cap.lines, 1);
    assert_true(free_run(fx, TOP_END - PAGE, PAGE));
    assert_range(fx, 1, TOP_END - PAGE, TOP_END);
}

static void test_double_free_rejected(void **state)
{
    struct fixture *fx = *state;
    uint64_t frame;

    assert_true(add(fx, MIB, MIB));
    frame = alloc(fx);
    assert_true(free_run(fx, frame, PAGE));
    assert_false(free_run(fx, frame, PAGE));
    assert_int_equal(fx->cap.lines, 1);
    assert_string_equal(fx->cap.last,
                        "frame: double free 0x100000 - 0x101000 overlaps free 0x100000 - 0x200000");
    /* Partial overlap with free memory is just as wrong. */
    assert_true(reserve(fx, MIB, MIB / 2));
    assert_false(free_run(fx, MIB + MIB / 2 - PAGE, 2 * PAGE));
    assert_int_equal(fx->cap.lines, 2);
    assert_string_equal(fx->cap.last,
                        "frame: double free 0x17f000 - 0x181000 overlaps free 0x180000 - 0x200000");
    assert_int_equal(fx->fa.free_bytes, MIB / 2);
}

static void test_bad_free_rejected(void **state)
{
    struct fixture *fx = *state;

    assert_false(free_run(fx, 0x100800, PAGE));
    assert_string_equal(fx->cap.last,
                        "frame: bad free of 0x100800 size 0x1000 (unaligned, empty or past the top)");
    assert_false(free_run(fx, 0x100000, 0x1800));
    assert_false(free_run(fx, 0x100000, 0));
    assert_false(free_run(fx, 0xFFFFFFFFFFFFE000ULL, 4 * PAGE));
    assert_int_equal(fx->cap.lines, 4);
    assert_int_equal(fx->fa.count, 0);
}

/* Fills the table with 256 one-page ranges at 0x0, 0x2000, 0x4000, ... */
static void fill_table(struct fixture *fx)
{
    uint64_t i;

    for (i = 0; i < FRAME_MAX_RANGES; i++)
        assert_true(add(fx, i * 2 * PAGE, PAGE));
    assert_int_equal(fx->fa.count, FRAME_MAX_RANGES);
    assert_int_equal(fx->cap.lines, 0);
}

static void test_range_table_full_reported(void **state)
{
    struct fixture *fx = *state;
    const uint64_t past_table = 2 * PAGE * FRAME_MAX_RANGES;

    fill_table(fx);
    assert_false(add(fx, past_table + MIB, MIB));
    assert_int_equal(fx->cap.lines, 1);
    assert_string_equal(fx->cap.last,
                        "frame: range table full (256 ranges), 0x300000 - 0x400000 lost");
    assert_int_equal(fx->fa.free_bytes, FRAME_MAX_RANGES * PAGE);

    /* Merging needs no new slot, so it still works, and frees a slot. */
    assert_true(add(fx, PAGE, PAGE));
    assert_int_equal(fx->fa.count, FRAME_MAX_RANGES - 1);
    assert_true(add(fx, past_table + MIB, MIB));
    assert_int_equal(fx->fa.count, FRAME_MAX_RANGES);
    assert_int_equal(fx->cap.lines, 1);
}

static void test_table_full_split_and_free(void **state)
{
    struct fixture *fx = *state;
    const uint64_t big = 0x1000000;

    fill_table(fx);
    assert_true(reserve(fx, 0, PAGE));              /* frees a slot */
    assert_true(add(fx, big - PAGE, 17 * PAGE));
    assert_int_equal(fx->fa.count, FRAME_MAX_RANGES);

    /* A reserve that splits with no slot keeps the lower part, loses the upper. */
    assert_false(reserve(fx, big + 4 * PAGE, PAGE));
    assert_string_equal(fx->cap.last,
                        "frame: range table full (256 ranges), 0x1005000 - 0x1010000 lost");
    assert_range(fx, FRAME_MAX_RANGES - 1, big - PAGE, big + 4 * PAGE);

    /* A run that would split a range is skipped; one ending flush is not. */
    assert_int_equal(alloc_run(fx, PAGE, big), 0);
    assert_int_equal(alloc_run(fx, 4 * PAGE, big), big);
    assert_range(fx, FRAME_MAX_RANGES - 1, big - PAGE, big);
    assert_int_equal(fx->fa.count, FRAME_MAX_RANGES);

    /* Freeing a lone page with no slot leaks it, but says so. */
    assert_false(free_run(fx, 2 * MIB, PAGE));
    assert_string_equal(fx->cap.last,
                        "frame: range table full (256 ranges), 0x200000 - 0x201000 lost");
    assert_int_equal(fx->cap.lines, 2);
}

/* Random operations on a small address space, checked against a page bitmap. */
static void test_random_against_bitmap(void **state)
{
    struct fixture *fx = *state;
    enum { PAGES = 512 };
    bool is_free[PAGES] = { false };
    uint32_t seed = 12345;
    int step;

    for (step = 0; step < 20000; step++) {
        uint64_t first, count, p, got, free_pages = 0;

        seed = seed * 1103515245u + 12345u;
        first = (seed >> 8) % PAGES;
        count = 1 + (seed >> 20) % 16;
        if (first + count > PAGES)
            count = PAGES - first;

        switch ((seed >> 4) % 4) {
        case 0:
            assert_true(add(fx, first * PAGE, count * PAGE));
            for (p = first; p < first + count; p++)
                is_free[p] = true;
            break;
        case 1:
            assert_true(reserve(fx, first * PAGE, count * PAGE));
            for (p = first; p < first + count; p++)
                is_free[p] = false;
            break;
        case 2:
            got = alloc_run(fx, count * PAGE, PAGE << ((seed >> 24) % 3));
            if (got != 0) {
                for (p = got / PAGE; p < got / PAGE + count; p++) {
                    assert_true(is_free[p]);
                    is_free[p] = false;
                }
            }
            break;
        default: {
            bool any_free = false;
            int lines = fx->cap.lines;

            for (p = first; p < first + count; p++)
                any_free |= is_free[p];
            assert_int_equal(free_run(fx, first * PAGE, count * PAGE), !any_free);
            assert_int_equal(fx->cap.lines, lines + (any_free ? 1 : 0));
            if (!any_free)
                for (p = first; p < first + count; p++)
                    is_free[p] = true;
            break;
        }
        }
        for (p = 0; p < PAGES; p++)
            free_pages += is_free[p];
        assert_int_equal(fx->fa.free_bytes, free_pages * PAGE);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_empty_allocator, setup),
        cmocka_unit_test_setup(test_single_range, setup),
        cmocka_unit_test_setup(test_overlapping_usable_merged, setup),
        cmocka_unit_test_setup(test_adjacent_merged, setup),
        cmocka_unit_test_setup(test_unaligned_add_shrinks_inward, setup),
        cmocka_unit_test_setup(test_unaligned_reserve_widens_outward, setup),
        cmocka_unit_test_setup(test_reserve_splits_range, setup),
        cmocka_unit_test_setup(test_reserve_spans_several_ranges, setup),
        cmocka_unit_test_setup(test_reserve_of_non_free_memory_is_noop, setup),
        cmocka_unit_test_setup(test_map_with_holes, setup),
        cmocka_unit_test_setup(test_boot_reservations, setup),
        cmocka_unit_test_setup(test_exhaustion_and_reuse, setup),
        cmocka_unit_test_setup(test_run_aligned_2mib, setup),
        cmocka_unit_test_setup(test_run_aligned_1gib, setup),
        cmocka_unit_test_setup(test_run_larger_than_any_range_fails, setup),
        cmocka_unit_test_setup(test_run_rejects_bad_arguments, setup),
        cmocka_unit_test_setup(test_ram_above_4gib_only, setup),
        cmocka_unit_test_setup(test_top_of_address_space, setup),
        cmocka_unit_test_setup(test_double_free_rejected, setup),
        cmocka_unit_test_setup(test_bad_free_rejected, setup),
        cmocka_unit_test_setup(test_range_table_full_reported, setup),
        cmocka_unit_test_setup(test_table_full_split_and_free, setup),
        cmocka_unit_test_setup(test_random_against_bitmap, setup),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
