/* The partition's PC memory map (guest/guest_memmap.h). */
#include "guest/guest_memmap.h"

uint32_t guest_memmap(uint64_t memory_size, struct guest_mem_range out[GUEST_MEMMAP_MAX])
{
    uint32_t n = 0;
    out[n++] = (struct guest_mem_range){ 0, GUEST_EBDA_BASE, GUEST_MEM_RAM };
    out[n++] = (struct guest_mem_range){ GUEST_EBDA_BASE, GUEST_HIGH_RAM_BASE - GUEST_EBDA_BASE,
                                         GUEST_MEM_RESERVED };
    if (memory_size > GUEST_HIGH_RAM_BASE)
        out[n++] = (struct guest_mem_range){ GUEST_HIGH_RAM_BASE,
                                             memory_size - GUEST_HIGH_RAM_BASE, GUEST_MEM_RAM };
    return n;
}

bool guest_memmap_is_ram(uint64_t memory_size, uint64_t gpa, uint64_t size)
{
    struct guest_mem_range map[GUEST_MEMMAP_MAX];
    uint32_t n = guest_memmap(memory_size, map);
    if (size == 0 || gpa + size < gpa)
        return false;
    for (uint32_t i = 0; i < n; i++)
        if (map[i].type == GUEST_MEM_RAM && gpa >= map[i].base &&
            gpa + size <= map[i].base + map[i].size)
            return true;
    return false;
}
