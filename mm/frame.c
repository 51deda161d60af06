/* Physical frame allocator: a sorted table of free page ranges, carved and merged in place. */
#include "mm/frame.h"

#include "lib/string.h"

#define FRAME_MASK (FRAME_SIZE - 1)

/* Highest exclusive end a range can have: the last page of the 64-bit space
 * would need end == 2^64, which wraps to 0, so that page is never free. */
#define FRAME_TOP (0ULL - FRAME_SIZE)

/* base + length, clamped instead of wrapping past 2^64. */
static uint64_t saturating_end(uint64_t base, uint64_t length)
{
    return length > UINT64_MAX - base ? UINT64_MAX : base + length;
}

static uint64_t range_bytes(const struct frame_range *range)
{
    return range->end - range->base;
}

static void remove_ranges(struct frame_allocator *fa, uint32_t at, uint32_t how_many)
{
    memmove(&fa->free[at], &fa->free[at + how_many],
            (fa->count - at - how_many) * sizeof(fa->free[0]));
    fa->count -= how_many;
}

/* The caller has checked that the table has room. */
static void insert_range(struct frame_allocator *fa, uint32_t at, uint64_t base, uint64_t end)
{
    memmove(&fa->free[at + 1], &fa->free[at], (fa->count - at) * sizeof(fa->free[0]));
    fa->free[at].base = base;
    fa->free[at].end = end;
    fa->count++;
}

static void report_table_full(const struct diag *d, uint64_t base, uint64_t end)
{
    diag_report(d, "frame: range table full (%d ranges), 0x%llx - 0x%llx lost",
                FRAME_MAX_RANGES, (unsigned long long)base, (unsigned long long)end);
}

/* Adds the page-aligned [base, end) to the free set, folding in every range it
 * overlaps or touches so the table stays disjoint and non-adjacent. */
static bool merge_free(struct frame_allocator *fa, uint64_t base, uint64_t end,
                       const struct diag *d)
{
    uint32_t first = 0;
    uint32_t past_last;
    uint32_t i;

    while (first < fa->count && fa->free[first].end < base)
        first++;
    past_last = first;
    while (past_last < fa->count && fa->free[past_last].base <= end)
        past_last++;

    if (first == past_last) {
        if (fa->count == FRAME_MAX_RANGES) {
            report_table_full(d, base, end);
            return false;
        }
        insert_range(fa, first, base, end);
        fa->free_bytes += end - base;
        return true;
    }

    /* Subtract what is already counted so overlaps are not counted twice. */
    for (i = first; i < past_last; i++)
        fa->free_bytes -= range_bytes(&fa->free[i]);
    if (fa->free[first].base < base)
        base = fa->free[first].base;
    if (fa->free[past_last - 1].end > end)
        end = fa->free[past_last - 1].end;
    fa->free[first].base = base;
    fa->free[first].end = end;
    fa->free_bytes += end - base;
    remove_ranges(fa, first + 1, past_last - first - 1);
    return true;
}

void frame_init(struct frame_allocator *fa)
{
    memset(fa, 0, sizeof(*fa));
}

bool frame_add_usable(struct frame_allocator *fa, uint64_t base, uint64_t length,
                      const struct diag *d)
{
    uint64_t end = saturating_end(base, length) & ~FRAME_MASK;

    /* Shrink inward: a partial page at either edge is not usable. */
    if (base > FRAME_TOP)
        return true;
    base = (base + FRAME_MASK) & ~FRAME_MASK;
    if (end > FRAME_TOP)
        end = FRAME_TOP;
    if (base >= end)
        return true;
    return merge_free(fa, base, end, d);
}

bool frame_reserve(struct frame_allocator *fa, uint64_t base, uint64_t length,
                   const struct diag *d)
{
    uint64_t end = saturating_end(base, length);
    uint32_t i = 0;

    if (length == 0)
        return true;
    /* Widen outward; nothing is ever free above FRAME_TOP, so clamping there
     * also covers reservations that run to the very top. */
    base &= ~FRAME_MASK;
    end = end > FRAME_TOP ? FRAME_TOP : (end + FRAME_MASK) & ~FRAME_MASK;

    while (i < fa->count && fa->free[i].base < end) {
        struct frame_range *range = &fa->free[i];

        if (range->end <= base) {
            i++;
        } else if (range->base >= base && range->end <= end) {
            fa->free_bytes -= range_bytes(range);
            remove_ranges(fa, i, 1);
        } else if (range->base < base && range->end > end) {
            if (fa->count == FRAME_MAX_RANGES) {
                /* Dropping the upper part leaks memory but never hands out
                 * reserved memory. */
                report_table_full(d, end, range->end);
                fa->free_bytes -= range->end - base;
                range->end = base;
                return false;
            }
            fa->free_bytes -= end - base;
            insert_range(fa, i + 1, end, range->end);
            fa->free[i].end = base;
            return true;
        } else if (range->base < base) {
            fa->free_bytes -= range->end - base;
            range->end = base;
            i++;
        } else {
            fa->free_bytes -= end - range->base;
            range->base = end;
            i++;
        }
    }
    return true;
}

uint64_t frame_alloc(struct frame_allocator *fa)
{
    return frame_alloc_run(fa, FRAME_SIZE, FRAME_SIZE);
}

uint64_t frame_alloc_run(struct frame_allocator *fa, uint64_t bytes, uint64_t align)
{
    uint32_t i;

    if (bytes == 0 || (bytes & FRAME_MASK) != 0 || align < FRAME_SIZE ||
        (align & (align - 1)) != 0)
        return 0;

    for (i = 0; i < fa->count; i++) {
        struct frame_range *range = &fa->free[i];
        /* Address 0 means failure to the caller, so it is never handed out. */
        uint64_t lowest = range->base == 0 ? 1 : range->base;
        uint64_t run_base;

        if (lowest > UINT64_MAX - (align - 1))
            break;              /* no aligned address left in this or later ranges */
        run_base = (lowest + align - 1) & ~(align - 1);
        if (run_base >= range->end || range->end - run_base < bytes)
            continue;

        if (run_base == range->base && run_base + bytes == range->end) {
            remove_ranges(fa, i, 1);
        } else if (run_base == range->base) {
            range->base += bytes;
        } else if (run_base + bytes == range->end) {
            range->end = run_base;
        } else {
            /* Carving from the middle needs a second slot; without one, keep
             * looking for a run that does not split a range. */
            if (fa->count == FRAME_MAX_RANGES)
                continue;
            insert_range(fa, i + 1, run_base + bytes, range->end);
            fa->free[i].end = run_base;
        }
        fa->free_bytes -= bytes;
        return run_base;
    }
    return 0;
}

bool frame_free_run(struct frame_allocator *fa, uint64_t base, uint64_t bytes,
                    const struct diag *d)
{
    uint64_t end;
    uint32_t i;

    if ((base & FRAME_MASK) != 0 || (bytes & FRAME_MASK) != 0 || bytes == 0 ||
        base > FRAME_TOP || bytes > FRAME_TOP - base) {
        diag_report(d, "frame: bad free of 0x%llx size 0x%llx (unaligned, empty or past the top)",
                    (unsigned long long)base, (unsigned long long)bytes);
        return false;
    }
    end = base + bytes;

    for (i = 0; i < fa->count && fa->free[i].base < end; i++) {
        if (fa->free[i].end > base) {
            diag_report(d, "frame: double free 0x%llx - 0x%llx overlaps free 0x%llx - 0x%llx",
                        (unsigned long long)base, (unsigned long long)end,
                        (unsigned long long)fa->free[i].base,
                        (unsigned long long)fa->free[i].end);
            return false;
        }
    }
    return merge_free(fa, base, end, d);
}
