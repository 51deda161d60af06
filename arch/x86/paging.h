/* The hypervisor's own page tables: the boot identity map of 0..4 GiB (2 MiB pages). */
#ifndef ARCH_X86_PAGING_H
#define ARCH_X86_PAGING_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/x86/paging_map.h"

#define PAGE_SIZE_2M        0x200000ULL
#define BOOT_IDENTITY_LIMIT 0x100000000ULL

#define PTE_PWT (1u << 3)
#define PTE_PCD (1u << 4)

/* Makes the 2 MiB page holding phys uncached (PCD|PWT = UC with the default
 * PAT), for device registers such as the local APIC. False above the map. */
bool paging_map_uncached(uint64_t phys);

/* Maps [phys, phys + size) identity with the given memory type in the hypervisor's tables,
 * anywhere below 256 TiB (a framebuffer or device registers, perhaps above 4 GiB or above
 * RAM), as paging_map_range does. Page tables come from a small static pool: this works
 * before the frame allocator exists. False when the pool runs out. */
bool paging_map_device(uint64_t phys, uint64_t size, enum paging_cache cache);

/* Extends the identity map from 4 GiB up to `end` (RAM above 4 GiB, up to 512 GiB) with
 * 1 GiB pages where the CPU has them, else 2 MiB pages whose page directories come from
 * alloc_page (a zeroed, identity-mapped 4 KiB page, or 0). GiBs paging_map_device mapped
 * already are kept. Returns the end actually mapped. */
uint64_t paging_extend_identity_map(uint64_t end, uint64_t (*alloc_page)(void));

#endif
