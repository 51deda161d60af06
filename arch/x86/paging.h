/* The hypervisor's own page tables: the boot identity map of 0..4 GiB (2 MiB pages). */
#ifndef ARCH_X86_PAGING_H
#define ARCH_X86_PAGING_H

#include <stdbool.h>
#include <stdint.h>

#define PAGE_SIZE_2M        0x200000ULL
#define BOOT_IDENTITY_LIMIT 0x100000000ULL

#define PTE_PWT (1u << 3)
#define PTE_PCD (1u << 4)

/* Makes the 2 MiB page holding phys uncached (PCD|PWT = UC with the default
 * PAT), for device registers such as the local APIC. False above the map. */
bool paging_map_uncached(uint64_t phys);

/* Extends the identity map from 4 GiB up to `end` (RAM above 4 GiB, up to
 * 512 GiB) with 1 GiB pages where the CPU has them, else 2 MiB pages whose page
 * directories come from alloc_page (a zeroed, identity-mapped 4 KiB page, or 0).
 * Returns the end actually mapped. */
uint64_t paging_extend_identity_map(uint64_t end, uint64_t (*alloc_page)(void));

#endif
