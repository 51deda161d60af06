/* The hypervisor's own page tables (SDM Vol. 3, 5.5): the identity map boot/entry.S builds. */
#include "arch/x86/paging.h"

#include "arch/x86/cpu.h"
#include "arch/x86/cpu_regs.h"
#include "lib/string.h"

#define PAGE_SIZE_1G            0x40000000ULL
#define PDPT_ENTRIES            512
#define TABLE_ENTRIES           512
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
static uint64_t *device_table(void *ctx)
{
    (void)ctx;
    return device_tables_used < DEVICE_TABLES ? device_tables[device_tables_used++] : NULL;
}

bool paging_map_device(uint64_t phys, uint64_t size, enum paging_cache cache)
{
    bool ok = paging_map_range(boot_pml4, phys, size, cache, device_table, 0);
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
