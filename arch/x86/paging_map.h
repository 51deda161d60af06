/* Identity mappings of device memory with a chosen memory type in 4-level page tables
 * (SDM Vol. 3, 5.5.4 and 13.12.3). Pure: tables are reached at their physical address, which
 * holds in the hypervisor's identity map and, with page-aligned heap tables, in host tests. */
#ifndef ARCH_X86_PAGING_MAP_H
#define ARCH_X86_PAGING_MAP_H

#include <stdbool.h>
#include <stdint.h>

#define PAGING_4K               0x1000ULL
#define PAGING_2M               0x200000ULL
#define PAGING_1G               0x40000000ULL
#define PAGING_512G             0x8000000000ULL
#define PAGING_ENTRIES          512
#define PAGING_PHYS_LIMIT       (1ULL << 48)        /* 4-level paging: 256 TiB */
#define PAGING_ADDRESS          0x000FFFFFFFFFF000ULL

#define PAGING_PRESENT          (1ull << 0)
#define PAGING_WRITE            (1ull << 1)
#define PAGING_PWT              (1ull << 3)
#define PAGING_PCD              (1ull << 4)
#define PAGING_LARGE            (1ull << 7)         /* PS in a PDE or PDPTE */
#define PAGING_PAT_4K           (1ull << 7)         /* PAT bit of a 4 KiB page */
#define PAGING_PAT_LARGE        (1ull << 12)        /* PAT bit of a 2 MiB or 1 GiB page */

/* Memory types, through IA32_PAT as arch/x86/cpu.c programs it (entry 7 = WC). */
enum paging_cache { PAGING_UNCACHED, PAGING_WRITE_COMBINING };

/* A zeroed, page-aligned table whose address is also its physical address, or NULL. */
typedef uint64_t *(*paging_table_fn)(void *ctx);

/* Maps [phys, phys + size) identity in the tables under pml4 with the given type: 2 MiB pages
 * where the range covers them whole, 4 KiB pages at unaligned ends. Tables are created as
 * needed (a missing GiB becomes identity write-back 2 MiB pages, a 1 GiB page is split the
 * same way, a 2 MiB page is split into 4 KiB pages keeping its type), so nothing outside
 * the range changes. False when the range is empty, wraps or passes 256 TiB, or a table
 * cannot be had (pages mapped so far keep their new type). */
bool paging_map_range(uint64_t *pml4, uint64_t phys, uint64_t size, enum paging_cache cache,
                      paging_table_fn new_table, void *ctx);

#endif
