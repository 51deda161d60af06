/* The hypervisor's own page tables: the boot identity map of 0..4 GiB (2 MiB pages). */
#ifndef ARCH_X86_PAGING_H
#define ARCH_X86_PAGING_H

#include <stdbool.h>
#include <stdint.h>

#define PAGE_SIZE_2M        0x200000ULL
#define BOOT_IDENTITY_LIMIT 0x100000000ULL

#define PTE_PWT (1u << 3)
#define PTE_PCD (1u << 4)
#define PTE_PAT_4K      (1u << 7)       /* PAT bit of a 4 KiB page (PS in larger entries) */
#define PTE_PAT_LARGE   (1u << 12)      /* PAT bit of a 2 MiB or 1 GiB page */

/* Memory types device mappings ask for, through IA32_PAT as cpu.c programs it. */
enum paging_cache { PAGING_UNCACHED, PAGING_WRITE_COMBINING };

/* Makes the 2 MiB page holding phys uncached (PCD|PWT = UC with the default
 * PAT), for device registers such as the local APIC. False above the map. */
bool paging_map_uncached(uint64_t phys);

/* Maps [phys, phys + size) identity with the given memory type, anywhere below 256 TiB
 * (a framebuffer or device registers, perhaps above 4 GiB or above RAM): 2 MiB pages where
 * the range covers them whole, 4 KiB pages at unaligned ends, so nothing outside the range
 * changes type. Page tables come from a small static pool: this works before the frame
 * allocator exists. False (nothing half-changed that matters) when the pool runs out. */
bool paging_map_device(uint64_t phys, uint64_t size, enum paging_cache cache);

/* Extends the identity map from 4 GiB up to `end` (RAM above 4 GiB, up to
 * 512 GiB; GiBs paging_map_device already mapped are kept) with 1 GiB pages where the CPU has them, else 2 MiB pages whose page
 * directories come from alloc_page (a zeroed, identity-mapped 4 KiB page, or 0).
 * Returns the end actually mapped. */
uint64_t paging_extend_identity_map(uint64_t end, uint64_t (*alloc_page)(void));

#endif
