/* Choosing a free page below 1 MiB from the memory map, for code a CPU must start in real mode. */
#include "mm/lowmem.h"

#include <stdbool.h>

static bool overlaps(uint64_t base, uint64_t end, uint64_t other_base, uint64_t other_end)
{
    return base < other_end && other_base < end;
}

static bool page_is_available(const struct mb2_mmap_entry *map, uint32_t map_count,
                              uint64_t page)
{
    bool inside_available = false;
    for (uint32_t i = 0; i < map_count; i++) {
        uint64_t base = map[i].base;
        uint64_t end = map[i].base + map[i].length;
        if (map[i].type == MB2_MEMORY_AVAILABLE) {
            if (base <= page && page + FRAME_SIZE <= end)
                inside_available = true;
        } else if (overlaps(page, page + FRAME_SIZE, base, end)) {
            return false;   /* overlapping maps: any non-RAM claim wins */
        }
    }
    return inside_available;
}

uint64_t lowmem_pick_page(const struct mb2_mmap_entry *map, uint32_t map_count,
                          const struct frame_range *busy, uint32_t busy_count)
{
    for (uint64_t page = LOWMEM_SEARCH_END - FRAME_SIZE; page >= LOWMEM_SEARCH_START;
         page -= FRAME_SIZE) {
        if (!page_is_available(map, map_count, page))
            continue;
        bool in_use = false;
        for (uint32_t i = 0; i < busy_count && !in_use; i++)
            in_use = overlaps(page, page + FRAME_SIZE, busy[i].base, busy[i].end);
        if (!in_use)
            return page;
    }
    return 0;
}
