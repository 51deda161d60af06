/* Choosing a page below 1 MiB (for the AP trampoline) from the memory map. Pure C, host-tested. */
#ifndef MM_LOWMEM_H
#define MM_LOWMEM_H

#include <stdint.h>

#include "boot/multiboot2.h"
#include "mm/frame.h"

#define LOWMEM_SEARCH_START 0x1000ULL    /* page 0 holds the real-mode IVT and BIOS data */
#define LOWMEM_SEARCH_END   0x9F000ULL   /* SIPI vectors 0xA0-0xBF are not allowed; stay below the EBDA too */

/* The highest 4 KiB page in [LOWMEM_SEARCH_START, LOWMEM_SEARCH_END) that lies
 * wholly inside an available memory-map entry, inside no non-available entry,
 * and overlaps none of the `busy` ranges (modules, boot information, ...).
 * 0 when there is none. */
uint64_t lowmem_pick_page(const struct mb2_mmap_entry *map, uint32_t map_count,
                          const struct frame_range *busy, uint32_t busy_count);

#endif
