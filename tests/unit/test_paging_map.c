/* Host unit tests for arch/x86/paging_map.c: device mappings in an identity map like the one
 * boot/entry.S builds, checked by walking the tables as the MMU would (SDM Vol. 3, 5.5.4). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "arch/x86/paging_map.h"

#define MAX_TABLES 64
#define GIB PAGING_1G
#define MIB (1ull << 20)

/* Tables are page-aligned heap blocks: their address is what an entry holds. */
struct pool {
    uint64_t *tables[MAX_TABLES];
    unsigned used, limit;
};

static struct pool pool;
static uint64_t *pml4;

static uint64_t *new_table(void *ctx)
{
    struct pool *p = ctx;
    if (p->used == p->limit)
        return NULL;
    uint64_t *t = aligned_alloc(PAGING_4K, PAGING_4K);
    assert_non_null(t);
    memset(t, 0, PAGING_4K);
    assert_true((uintptr_t)t < PAGING_PHYS_LIMIT);
    p->tables[p->used++] = t;
    return t;
}

/* The boot map: PML4[0] -> PDPT[0..3] -> four page directories of 2 MiB write-back pages. */
static int setup(void **state)
{
    (void)state;
    memset(&pool, 0, sizeof(pool));
    pool.limit = MAX_TABLES;
    pml4 = new_table(&pool);
    uint64_t *pdpt = new_table(&pool);
    pml4[0] = (uintptr_t)pdpt | PAGING_PRESENT | PAGING_WRITE;
    for (unsigned g = 0; g < 4; g++) {
        uint64_t *pd = new_table(&pool);
        for (unsigned i = 0; i < PAGING_ENTRIES; i++)
            pd[i] = (g * GIB + i * PAGING_2M) | PAGING_PRESENT | PAGING_WRITE | PAGING_LARGE;
        pdpt[g] = (uintptr_t)pd | PAGING_PRESENT | PAGING_WRITE;
    }
    pool.limit = pool.used + 8;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    for (unsigned i = 0; i < pool.used; i++)
        free(pool.tables[i]);
    return 0;
}

enum type { WB, UC, WC, UNMAPPED };

/* What the MMU would do with a linear address: the physical address and the PAT entry. */
static enum type walk(uint64_t va, uint64_t *pa)
{
    uint64_t e = pml4[(va >> 39) & 511];
    if (!(e & PAGING_PRESENT))
        return UNMAPPED;
    e = ((uint64_t *)(uintptr_t)(e & PAGING_ADDRESS))[(va >> 30) & 511];
    if (!(e & PAGING_PRESENT))
        return UNMAPPED;
    uint64_t pat = PAGING_PAT_LARGE, offset_mask = GIB - 1;
    if (!(e & PAGING_LARGE)) {
        e = ((uint64_t *)(uintptr_t)(e & PAGING_ADDRESS))[(va >> 21) & 511];
        assert_true(e & PAGING_PRESENT);
        offset_mask = PAGING_2M - 1;
        if (!(e & PAGING_LARGE)) {
            e = ((uint64_t *)(uintptr_t)(e & PAGING_ADDRESS))[(va >> 12) & 511];
            assert_true(e & PAGING_PRESENT);
            offset_mask = PAGING_4K - 1;
            pat = PAGING_PAT_4K;
        }
    }
    assert_true(e & PAGING_WRITE);
    *pa = (e & PAGING_ADDRESS & ~offset_mask) | (va & offset_mask);
    unsigned index = (unsigned)!!(e & PAGING_PWT) | (unsigned)!!(e & PAGING_PCD) << 1 |
                     (unsigned)!!(e & pat) << 2;
    switch (index) {
    case 0: return WB;
    case 3: return UC;
    case 7: return WC;
    default: fail_msg("PAT entry %u at 0x%llx", index, (unsigned long long)va); return WB;
    }
}

/* Every 4 KiB page in [from, to) is identity-mapped with type t. */
static void assert_type(uint64_t from, uint64_t to, enum type t)
{
    for (uint64_t va = from; va < to; va += PAGING_4K) {
        uint64_t pa = 0;
        enum type got = walk(va, &pa);
        if (got != t)
            fail_msg("0x%llx: type %d, want %d", (unsigned long long)va, got, t);
        assert_int_equal(pa, va);
    }
}

static bool map(uint64_t phys, uint64_t size, enum paging_cache cache)
{
    return paging_map_range(pml4, phys, size, cache, new_table, &pool);
}

static void test_aligned_framebuffer_below_4g(void **state)
{
    (void)state;
    unsigned before = pool.used;
    assert_true(map(0x80000000, 8 * MIB, PAGING_WRITE_COMBINING));
    assert_int_equal(pool.used, before);                /* 2 MiB pages: no new table */
    assert_type(0x80000000 - 4 * MIB, 0x80000000, WB);
    assert_type(0x80000000, 0x80000000 + 8 * MIB, WC);
    assert_type(0x80000000 + 8 * MIB, 0x80000000 + 12 * MIB, WB);
}

/* A 1024x768x32 framebuffer at an odd address: 4 KiB pages at both ends, the rest as is. */
static void test_unaligned_ends_split(void **state)
{
    (void)state;
    uint64_t base = 0xC0123000, size = 1024 * 768 * 4;
    unsigned before = pool.used;
    assert_true(map(base, size, PAGING_WRITE_COMBINING));
    assert_int_equal(pool.used, before + 2);            /* one page table per end */
    assert_type(0xC0000000, base, WB);
    assert_type(base, base + size, WC);
    assert_type(base + size, 0xC0800000, WB);
}

static void test_uncached_registers_keep_their_neighbours(void **state)
{
    (void)state;
    assert_true(map(0xFED00001, 0x1000, PAGING_UNCACHED));  /* an MMIO UART, 2 pages */
    assert_type(0xFED00000, 0xFED02000, UC);
    assert_type(0xFEC00000, 0xFED00000, WB);
    assert_type(0xFED02000, 0xFEE00000, WB);
    /* A second range in the same 2 MiB page reuses its page table. */
    unsigned before = pool.used;
    assert_true(map(0xFED10000, 0x1000, PAGING_WRITE_COMBINING));
    assert_int_equal(pool.used, before);
    assert_type(0xFED10000, 0xFED11000, WC);
    assert_type(0xFED00000, 0xFED02000, UC);
}

/* A framebuffer above 4 GiB, in a GiB nothing mapped yet: the GiB becomes identity
 * write-back around it. */
static void test_above_4g(void **state)
{
    (void)state;
    uint64_t base = 0x380000000ull + 6 * MIB;           /* 14 GiB + 6 MiB */
    assert_true(map(base, 3 * MIB, PAGING_WRITE_COMBINING));
    assert_type(0x380000000ull, base, WB);
    assert_type(base, base + 3 * MIB, WC);
    assert_type(base + 3 * MIB, 0x380000000ull + 16 * MIB, WB);
    uint64_t pa;
    assert_int_equal(walk(0x380000000ull + GIB - PAGING_4K, &pa), WB);
    assert_int_equal(walk(0x340000000ull, &pa), UNMAPPED);  /* the GiB below: untouched */
}

/* Beyond 512 GiB: a new PDPT under another PML4 entry. */
static void test_above_512g(void **state)
{
    (void)state;
    uint64_t base = 0x10000000000ull;                   /* 1 TiB */
    assert_true(map(base, 4 * MIB, PAGING_UNCACHED));
    assert_true(pml4[2] & PAGING_PRESENT);
    assert_type(base, base + 4 * MIB, UC);
    assert_type(base + 4 * MIB, base + 8 * MIB, WB);
}

/* A GiB mapped with a 1 GiB page (RAM above 4 GiB) is split, keeping the rest mapped. */
static void test_splits_a_1g_page(void **state)
{
    (void)state;
    uint64_t *pdpt = (uint64_t *)(uintptr_t)(pml4[0] & PAGING_ADDRESS);
    pdpt[5] = 5 * GIB | PAGING_PRESENT | PAGING_WRITE | PAGING_LARGE;
    assert_true(map(5 * GIB + 512 * MIB, 2 * MIB, PAGING_WRITE_COMBINING));
    assert_false(pdpt[5] & PAGING_LARGE);
    assert_type(5 * GIB + 510 * MIB, 5 * GIB + 512 * MIB, WB);
    assert_type(5 * GIB + 512 * MIB, 5 * GIB + 514 * MIB, WC);
    assert_type(6 * GIB - 2 * MIB, 6 * GIB, WB);
}

/* Splitting a 2 MiB page that has a type already keeps that type on its other pages. */
static void test_split_keeps_the_large_page_type(void **state)
{
    (void)state;
    assert_true(map(0xE0000000, 2 * MIB, PAGING_WRITE_COMBINING));
    assert_true(map(0xE0100000, 0x1000, PAGING_UNCACHED));
    assert_type(0xE0000000, 0xE0100000, WC);
    assert_type(0xE0100000, 0xE0101000, UC);
    assert_type(0xE0101000, 0xE0200000, WC);
}

static void test_refused_ranges(void **state)
{
    (void)state;
    unsigned before = pool.used;
    assert_false(map(0x80000000, 0, PAGING_UNCACHED));
    assert_false(map(0xFFFFFFFFFFFFF000ull, 0x2000, PAGING_UNCACHED));
    assert_false(map(PAGING_PHYS_LIMIT - 0x1000, 0x2000, PAGING_UNCACHED));
    assert_int_equal(pool.used, before);
    assert_true(map(PAGING_PHYS_LIMIT - 0x1000, 0x1000, PAGING_UNCACHED));
    assert_type(PAGING_PHYS_LIMIT - 0x1000, PAGING_PHYS_LIMIT, UC);
}

static void test_pool_exhausted(void **state)
{
    (void)state;
    pool.limit = pool.used + 1;                         /* a PDPT, but no page directory */
    assert_false(map(0x20000000000ull, 0x1000, PAGING_UNCACHED));
    pool.limit = pool.used;
    assert_false(map(0xC0001000, 0x1000, PAGING_UNCACHED));
    uint64_t pa;
    assert_int_equal(walk(0xC0001000, &pa), WB);        /* nothing half-done below 4 GiB */
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_aligned_framebuffer_below_4g),
        T(test_unaligned_ends_split),
        T(test_uncached_registers_keep_their_neighbours),
        T(test_above_4g),
        T(test_above_512g),
        T(test_splits_a_1g_page),
        T(test_split_keeps_the_large_page_type),
        T(test_refused_ranges),
        T(test_pool_exhausted),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
