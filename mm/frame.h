/* Physical frame allocator over usable RAM (pure C; host-tested).
 * Keeps a sorted array of free ranges, so it never touches the memory it
 * manages and works the same for RAM above 4 GiB. */
#ifndef MM_FRAME_H
#define MM_FRAME_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/diag.h"

#define FRAME_SIZE          4096ULL
#define FRAME_MAX_RANGES    256

struct frame_range {
    uint64_t base;          /* page-aligned */
    uint64_t end;           /* exclusive, page-aligned */
};

struct frame_allocator {
    struct frame_range free[FRAME_MAX_RANGES];   /* sorted by base, disjoint, non-adjacent */
    uint32_t count;
    uint64_t free_bytes;
};

void frame_init(struct frame_allocator *fa);

/* Adds [base, base+length) as usable; the range is shrunk inward to page
 * boundaries and merged with neighbours. Returns false (and reports) when the
 * range table is full. */
bool frame_add_usable(struct frame_allocator *fa, uint64_t base, uint64_t length,
                      const struct diag *d);

/* Removes [base, base+length) from the free set (widened outward to page
 * boundaries): the first MiB, the hypervisor image, the boot information,
 * modules. Splitting may need a new range; returns false (and reports) when
 * the table is full. */
bool frame_reserve(struct frame_allocator *fa, uint64_t base, uint64_t length,
                   const struct diag *d);

/* One 4 KiB frame, lowest address first; 0 when exhausted (frame 0 is
 * never handed out because the first MiB is always reserved). */
uint64_t frame_alloc(struct frame_allocator *fa);

/* A contiguous run of `bytes` (multiple of 4 KiB) aligned to `align` (power of
 * two, at least 4 KiB), e.g. 2 MiB-aligned guest memory. 0 when no run fits. */
uint64_t frame_alloc_run(struct frame_allocator *fa, uint64_t bytes, uint64_t align);

/* Returns a run to the free set (merging). False when it overlaps free memory
 * (double free) or the table is full; reported through d. */
bool frame_free_run(struct frame_allocator *fa, uint64_t base, uint64_t bytes,
                    const struct diag *d);

#endif
