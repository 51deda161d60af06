/* The VMX MSR bitmap (Intel SDM Vol. 3C, 25.6.9): one 4 KiB page of four 1 KiB bitmaps, a set
 * bit makes RDMSR/WRMSR of that MSR exit. Built from a partition's MSR allow list. Pure. */
#ifndef GUEST_MSR_BITMAP_H
#define GUEST_MSR_BITMAP_H

#include <stdbool.h>
#include <stdint.h>

#include "guest/partition.h"

#define MSR_BITMAP_SIZE         4096u
/* Byte offsets of the four bitmaps inside the page. */
#define MSR_BITMAP_READ_LOW     0x000u  /* RDMSR of 0x00000000-0x00001fff */
#define MSR_BITMAP_READ_HIGH    0x400u  /* RDMSR of 0xc0000000-0xc0001fff */
#define MSR_BITMAP_WRITE_LOW    0x800u  /* WRMSR of 0x00000000-0x00001fff */
#define MSR_BITMAP_WRITE_HIGH   0xc00u  /* WRMSR of 0xc0000000-0xc0001fff */
/* The two MSR ranges the bitmaps cover; any other MSR always exits. */
#define MSR_BITMAP_LOW_FIRST    0x00000000u
#define MSR_BITMAP_LOW_LAST     0x00001fffu
#define MSR_BITMAP_HIGH_FIRST   0xc0000000u
#define MSR_BITMAP_HIGH_LAST    0xc0001fffu

/* True when first..last lies wholly inside one of the two covered ranges. */
static inline bool msr_bitmap_covers_range(uint32_t first, uint32_t last)
{
    if (first > last)
        return false;
    return last <= MSR_BITMAP_LOW_LAST ||
           (first >= MSR_BITMAP_HIGH_FIRST && last <= MSR_BITMAP_HIGH_LAST);
}

/* Sets every bit (all MSRs exit), then clears the read bits of MSRs granted MSR_READ and the
 * write bits of MSRs granted MSR_WRITE. Parts of a range outside the covered ranges are
 * ignored (the validator rejects such ranges). */
void msr_bitmap_build(uint8_t bitmap[MSR_BITMAP_SIZE], const struct msr_range *allowed,
                      uint32_t count);

/* True when RDMSR (write = false) or WRMSR (write = true) of msr exits with this bitmap. */
bool msr_bitmap_traps(const uint8_t *bitmap, uint32_t msr, bool write);

/* True when the partition's allow list lets the guest access the real msr in that direction:
 * some range holds it with that access bit, and it lies in a covered range. For every MSR,
 * msr_bitmap_traps() of the built bitmap is exactly !msr_policy_allows(), so an exiting access
 * is one the guest was not granted: the exit handler emulates it or refuses it. */
bool msr_policy_allows(const struct partition_config *p, uint32_t msr, bool write);

#endif
