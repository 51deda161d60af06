/* The hypervisor's own page tables (SDM Vol. 3, 5.5): the identity map boot/entry.S builds. */
#include "arch/x86/paging.h"

extern uint64_t boot_pd[];   /* boot/entry.S: 4 page directories, 2048 entries of 2 MiB */

bool paging_map_uncached(uint64_t phys)
{
    if (phys >= BOOT_IDENTITY_LIMIT)
        return false;
    uint64_t index = phys / PAGE_SIZE_2M;
    boot_pd[index] |= PTE_PCD | PTE_PWT;
    __asm__ volatile("invlpg (%0)" : : "r"(index * PAGE_SIZE_2M) : "memory");
    return true;
}
