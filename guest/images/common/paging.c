/* The guest images' page-table edits (SDM Vol. 3A, 4.5 4-level paging): the loader
 * identity-maps guest RAM with 2 MiB pages; a guest adds 2 MiB mappings beyond it (a device,
 * or an address EPT does not map) through the same tables CR3 points at. */
#include "guest/images/common/guest_lib.h"

#define PTE_P           (1ull << 0)
#define PTE_RW          (1ull << 1)
#define PTE_PWT         (1ull << 3)
#define PTE_PCD         (1ull << 4)
#define PTE_PS          (1ull << 7)
#define PTE_ADDR        0x000FFFFFFFFFF000ull
#define PAGE_2M         0x200000ull
#define TABLE_POOL      4       /* enough for a PDPT and a few page directories */

/* New tables come from the image's .bss: zero, identity-mapped, gpa = address. */
static uint64_t table_pool[TABLE_POOL][512] __attribute__((aligned(4096)));
static uint32_t tables_used;

/* The table entry `index` of `table` points at, made present if it was not. */
static volatile uint64_t *next_table(volatile uint64_t *table, unsigned index)
{
    uint64_t e = table[index];

    if (!(e & PTE_P)) {
        if (tables_used == TABLE_POOL)
            return NULL;
        e = guest_gpa(table_pool[tables_used++]) | PTE_P | PTE_RW;
        table[index] = e;
    }
    if (e & PTE_PS)
        return NULL;    /* a large page maps this range already */
    return (volatile uint64_t *)(uintptr_t)(e & PTE_ADDR);
}

bool paging_map_2m(uint64_t linear, uint64_t phys, bool uncached)
{
    volatile uint64_t *pml4 = (volatile uint64_t *)(uintptr_t)(read_cr3() & PTE_ADDR);
    volatile uint64_t *pdpt = next_table(pml4, (unsigned)(linear >> 39) & 511);
    volatile uint64_t *pd = pdpt ? next_table(pdpt, (unsigned)(linear >> 30) & 511) : NULL;

    if (!pd)
        return false;
    pd[(linear >> 21) & 511] = (phys & ~(PAGE_2M - 1) & PTE_ADDR) | PTE_P | PTE_RW | PTE_PS |
                               (uncached ? PTE_PCD | PTE_PWT : 0);
    __asm__ volatile("invlpg (%0)" : : "r"(linear & ~(PAGE_2M - 1)) : "memory");
    return true;
}
