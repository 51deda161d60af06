/* Identity device mappings with a memory type in 4-level page tables (SDM Vol. 3, 5.5.4 paging structures, 13.12.3 selecting a PAT entry). */
#include "arch/x86/paging_map.h"

#include <stddef.h>

struct mapper {
    uint64_t *pml4;
    paging_table_fn new_table;
    void *ctx;
};

static uint64_t *table_at(uint64_t entry)
{
    return (uint64_t *)(uintptr_t)(entry & PAGING_ADDRESS);
}

static uint64_t table_entry(const uint64_t *table)
{
    return (uint64_t)(uintptr_t)table | PAGING_PRESENT | PAGING_WRITE;
}

/* Fills a table with identity write-back pages of `step` bytes from base, plus flags. */
static void fill_identity(uint64_t *table, uint64_t base, uint64_t step, uint64_t flags)
{
    for (unsigned i = 0; i < PAGING_ENTRIES; i++)
        table[i] = (base + i * step) | PAGING_PRESENT | PAGING_WRITE | flags;
}

/* The page directory covering phys: present already, or created identity write-back from
 * nothing or from a 1 GiB page. NULL when no table can be had. */
static uint64_t *page_directory(const struct mapper *m, uint64_t phys)
{
    uint64_t *pml4e = &m->pml4[(phys / PAGING_512G) % PAGING_ENTRIES];
    if (!(*pml4e & PAGING_PRESENT)) {
        uint64_t *pdpt = m->new_table(m->ctx);
        if (!pdpt)
            return NULL;
        *pml4e = table_entry(pdpt);
    }
    uint64_t *pdpte = &table_at(*pml4e)[(phys / PAGING_1G) % PAGING_ENTRIES];
    if ((*pdpte & PAGING_PRESENT) && !(*pdpte & PAGING_LARGE))
        return table_at(*pdpte);
    uint64_t *pd = m->new_table(m->ctx);
    if (!pd)
        return NULL;
    fill_identity(pd, phys & ~(PAGING_1G - 1), PAGING_2M, PAGING_LARGE);
    *pdpte = table_entry(pd);
    return pd;
}

/* The 4 KiB-page table under *pde, split from its 2 MiB page (same type) if needed. */
static uint64_t *page_table(const struct mapper *m, uint64_t *pde, uint64_t phys)
{
    if (!(*pde & PAGING_LARGE))
        return table_at(*pde);
    uint64_t *pt = m->new_table(m->ctx);
    if (!pt)
        return NULL;
    /* The PAT bit moves from bit 12 to bit 7 between the two entry formats. */
    uint64_t type = *pde & (PAGING_PCD | PAGING_PWT);
    if (*pde & PAGING_PAT_LARGE)
        type |= PAGING_PAT_4K;
    fill_identity(pt, phys & ~(PAGING_2M - 1), PAGING_4K, type);
    *pde = table_entry(pt);
    return pt;
}

bool paging_map_range(uint64_t *pml4, uint64_t phys, uint64_t size, enum paging_cache cache,
                      paging_table_fn new_table, void *ctx)
{
    const struct mapper m = { pml4, new_table, ctx };
    bool wc = cache == PAGING_WRITE_COMBINING;
    uint64_t type = PAGING_PCD | PAGING_PWT;       /* PAT entry 3 (UC), or 7 (WC) with PAT */
    uint64_t end = phys + size;

    if (size == 0 || end < phys || end > PAGING_PHYS_LIMIT)
        return false;
    for (phys &= ~(PAGING_4K - 1); phys < end;) {
        uint64_t *pd = page_directory(&m, phys);
        if (!pd)
            return false;
        uint64_t *pde = &pd[(phys / PAGING_2M) % PAGING_ENTRIES];
        if (phys % PAGING_2M == 0 && end - phys >= PAGING_2M) {
            *pde = phys | PAGING_PRESENT | PAGING_WRITE | PAGING_LARGE | type |
                   (wc ? PAGING_PAT_LARGE : 0);
            phys += PAGING_2M;
            continue;
        }
        uint64_t *pt = page_table(&m, pde, phys);
        if (!pt)
            return false;
        pt[(phys / PAGING_4K) % PAGING_ENTRIES] =
            phys | PAGING_PRESENT | PAGING_WRITE | type | (wc ? PAGING_PAT_4K : 0);
        phys += PAGING_4K;
    }
    return true;
}
