/* The VMX MSR bitmap built from a partition's MSR allow list (Intel SDM Vol. 3C, 25.6.9). */
#include "guest/msr_bitmap.h"

#include <stddef.h>

#include "lib/string.h"

/* Clears the bits of MSRs first..last (clipped to base..base+0x1fff) in the 1 KiB bitmap at
 * offset, where bit n stands for MSR base + n. */
static void clear_span(uint8_t *bitmap, uint32_t offset, uint32_t base, uint32_t first,
                       uint32_t last)
{
    uint32_t top = base + MSR_BITMAP_LOW_LAST;

    if (last < base || first > top)
        return;
    if (first < base)
        first = base;
    if (last > top)
        last = top;
    for (uint32_t msr = first; msr <= last; msr++) {
        uint32_t bit = msr - base;

        bitmap[offset + bit / 8] &= (uint8_t)~(1u << (bit % 8));
    }
}

void msr_bitmap_build(uint8_t bitmap[MSR_BITMAP_SIZE], const struct msr_range *allowed,
                      uint32_t count)
{
    memset(bitmap, 0xff, MSR_BITMAP_SIZE);
    for (uint32_t i = 0; allowed && i < count; i++) {
        const struct msr_range *r = &allowed[i];

        if (r->first > r->last)
            continue;
        if (r->access & MSR_READ) {
            clear_span(bitmap, MSR_BITMAP_READ_LOW, MSR_BITMAP_LOW_FIRST, r->first, r->last);
            clear_span(bitmap, MSR_BITMAP_READ_HIGH, MSR_BITMAP_HIGH_FIRST, r->first, r->last);
        }
        if (r->access & MSR_WRITE) {
            clear_span(bitmap, MSR_BITMAP_WRITE_LOW, MSR_BITMAP_LOW_FIRST, r->first, r->last);
            clear_span(bitmap, MSR_BITMAP_WRITE_HIGH, MSR_BITMAP_HIGH_FIRST, r->first, r->last);
        }
    }
}

bool msr_bitmap_traps(const uint8_t *bitmap, uint32_t msr, bool write)
{
    uint32_t offset, bit;

    if (msr <= MSR_BITMAP_LOW_LAST) {
        offset = write ? MSR_BITMAP_WRITE_LOW : MSR_BITMAP_READ_LOW;
        bit = msr - MSR_BITMAP_LOW_FIRST;
    } else if (msr >= MSR_BITMAP_HIGH_FIRST && msr <= MSR_BITMAP_HIGH_LAST) {
        offset = write ? MSR_BITMAP_WRITE_HIGH : MSR_BITMAP_READ_HIGH;
        bit = msr - MSR_BITMAP_HIGH_FIRST;
    } else {
        return true;    /* outside both ranges RDMSR/WRMSR always exit */
    }
    return (bitmap[offset + bit / 8] >> (bit % 8)) & 1u;
}

bool msr_policy_allows(const struct partition_config *p, uint32_t msr, bool write)
{
    unsigned need = write ? MSR_WRITE : MSR_READ;

    if (!msr_bitmap_covers_range(msr, msr))
        return false;
    for (uint32_t i = 0; p->msrs && i < p->msr_count; i++)
        if (p->msrs[i].first <= msr && msr <= p->msrs[i].last && (p->msrs[i].access & need))
            return true;
    return false;
}
