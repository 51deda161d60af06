/* The hypervisor's own page tables (SDM Vol. 3, 5.5): the identity map boot/entry.S builds. */
#include "arch/x86/paging.h"

#include "arch/x86/cpu.h"
#include "arch/x86/cpu_regs.h"
#include "lib/string.h"

#define PAGE_SIZE_4K            0x1000ULL
#define PAGE_SIZE_1G            0x40000000ULL
#define PAGE_SIZE_512G          0x8000000000ULL
#define PDPT_ENTRIES            512
#define TABLE_ENTRIES           512
#define PHYS_LIMIT              (1ULL << 48)
#define PTE_ADDRESS             0x000FFFFFFFFFF000ULL
#define CPUID_80000001_EDX_1G   (1u << 26)
/* Page tables for device mappings: a PDPT, page directories and two 4 KiB-page tables per
 * mapping; a framebuffer and two device register ranges fit. */
#define DEVICE_TABLES           12

extern uint64_t boot_pd[];   /* boot/entry.S: 4 page directories, 2048 entries of 2 MiB */
extern uint64_t boot_pdpt[]; /* boot/entry.S: one PDPT, entries 0-3 used for 0..4 GiB */
extern uint64_t boot_pml4[]; /* boot/entry.S: entry 0 used */

static uint64_t device_tables[DEVICE_TABLES][TABLE_ENTRIES] __attribute__((aligned(4096)));
static unsigned device_tables_used;

bool paging_map_uncached(uint64_t phys)
{
    if (phys >= BOOT_IDENTITY_LIMIT)
        return false;
    uint64_t index = phys / PAGE_SIZE_2M;
    boot_pd[index] |= PTE_PCD | PTE_PWT;
    __asm__ volatile("invlpg (%0)" : : "r"(index * PAGE_SIZE_2M) : "memory");
    return true;
}

/* A zeroed table from the pool (identity-mapped .bss), or NULL. */
static uint64_t *device_table(void)
{
    return device_tables_used < DEVICE_TABLES ? device_tables[device_tables_used++] : NULL;
}

static uint64_t *table_at(uint64_t entry)
{
    return (uint64_t *)(uintptr_t)(entry & PTE_ADDRESS);
}

/* Fills a table with identity write-back pages of `step` bytes from base (large: PS set). */
static void fill_identity(uint64_t *table, uint64_t base, uint64_t step, bool large)
{
    for (unsigned i = 0; i < TABLE_ENTRIES; i++)
        table[i] = (base + i * step) | PTE_PRESENT | PTE_WRITE | (large ? PTE_LARGE : 0);
}

/* The page directory covering phys, created (identity, write-back) or split from a 1 GiB
 * page as needed; NULL when the pool is empty. */
static uint64_t *device_pd(uint64_t phys)
{
    uint64_t *pdpt = boot_pdpt;
    unsigned pml4_index = (unsigned)(phys / PAGE_SIZE_512G);
    if (pml4_index) {
        if (!(boot_pml4[pml4_index] & PTE_PRESENT)) {
            uint64_t *t = device_table();
            if (!t)
                return NULL;
            boot_pml4[pml4_index] = (uintptr_t)t | PTE_PRESENT | PTE_WRITE;
        }
        pdpt = table_at(boot_pml4[pml4_index]);
    }
    uint64_t *entry = &pdpt[(phys / PAGE_SIZE_1G) % PDPT_ENTRIES];
    if ((*entry & PTE_PRESENT) && !(*entry & PTE_LARGE))
        return table_at(*entry);
    uint64_t *pd = device_table();
    if (!pd)
        return NULL;
    /* Absent, or a 1 GiB page: either way the GiB stays identity-mapped, now in 2 MiB pages. */
    fill_identity(pd, phys & ~(PAGE_SIZE_1G - 1), PAGE_SIZE_2M, true);
    *entry = (uintptr_t)pd | PTE_PRESENT | PTE_WRITE;
    return pd;
}

/* The 4 KiB-page table covering phys, split from its 2 MiB page if needed. */
static uint64_t *device_pt(uint64_t *pd, uint64_t phys)
{
    uint64_t *entry = &pd[(phys / PAGE_SIZE_2M) % TABLE_ENTRIES];
    if (!(*entry & PTE_LARGE))
        return table_at(*entry);
    uint64_t *pt = device_table();
    if (!pt)
        return NULL;
    /* The 2 MiB page's own type (PCD, PWT, PAT moved from bit 12 to bit 7) carries over. */
    uint64_t flags = *entry & (PTE_PCD | PTE_PWT);
    if (*entry & PTE_PAT_LARGE)
        flags |= PTE_PAT_4K;
    fill_identity(pt, phys & ~(PAGE_SIZE_2M - 1), PAGE_SIZE_4K, false);
    for (unsigned i = 0; i < TABLE_ENTRIES; i++)
        pt[i] |= flags;
    *entry = (uintptr_t)pt | PTE_PRESENT | PTE_WRITE;
    return pt;
}

bool paging_map_device(uint64_t phys, uint64_t size, enum paging_cache cache)
{
    uint64_t type = PTE_PCD | PTE_PWT;
    bool wc = cache == PAGING_WRITE_COMBINING;
    uint64_t end = phys + size;

    if (size == 0 || end < phys || end > PHYS_LIMIT)
        return false;
    phys &= ~(PAGE_SIZE_4K - 1);
    bool ok = true;
    while (ok && phys < end) {
        uint64_t *pd = device_pd(phys);
        ok = pd != NULL;
        if (ok && phys % PAGE_SIZE_2M == 0 && end - phys >= PAGE_SIZE_2M) {
            pd[(phys / PAGE_SIZE_2M) % TABLE_ENTRIES] =
                phys | PTE_PRESENT | PTE_WRITE | PTE_LARGE | type | (wc ? PTE_PAT_LARGE : 0);
            phys += PAGE_SIZE_2M;
        } else if (ok) {
            uint64_t *pt = device_pt(pd, phys);
            ok = pt != NULL;
            if (ok)
                pt[(phys / PAGE_SIZE_4K) % TABLE_ENTRIES] =
                    phys | PTE_PRESENT | PTE_WRITE | type | (wc ? PTE_PAT_4K : 0);
            phys += PAGE_SIZE_4K;
        }
    }
    write_cr3(read_cr3());      /* boot time, one CPU: flush everything */
    return ok;
}

static bool cpu_has_1g_pages(void)
{
    return cpuid(0x80000000, 0).eax >= 0x80000001 &&
           (cpuid(0x80000001, 0).edx & CPUID_80000001_EDX_1G);
}

uint64_t paging_extend_identity_map(uint64_t end, uint64_t (*alloc_page)(void))
{
    bool huge = cpu_has_1g_pages();
    uint64_t gib = BOOT_IDENTITY_LIMIT / PAGE_SIZE_1G;

    for (; gib < PDPT_ENTRIES && gib * PAGE_SIZE_1G < end; gib++) {
        uint64_t base = gib * PAGE_SIZE_1G;
        if (boot_pdpt[gib] & PTE_PRESENT)
            continue;           /* mapped for a device already, with the RAM around it */
        if (huge) {
            boot_pdpt[gib] = base | PTE_PRESENT | PTE_WRITE | PTE_LARGE;
            continue;
        }
        uint64_t pd_phys = alloc_page();
        if (!pd_phys)
            break;
        uint64_t *pd = (uint64_t *)(uintptr_t)pd_phys;
        for (unsigned i = 0; i < 512; i++)
            pd[i] = (base + i * PAGE_SIZE_2M) | PTE_PRESENT | PTE_WRITE | PTE_LARGE;
        boot_pdpt[gib] = pd_phys | PTE_PRESENT | PTE_WRITE;
    }
    write_cr3(read_cr3());   /* new entries only, but be plain about it */
    return gib * PAGE_SIZE_1G;
}
