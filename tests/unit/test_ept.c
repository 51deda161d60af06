/* Host unit tests for vmx/ept.c: tables built in a malloc'ed arena with fake physical
 * addresses, checked by walking them (Intel SDM Vol. 3C, 29.3). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "vmx/ept.h"

/* ---- the arena: table pages handed out lowest first from a fake physical base ------------- */
#define ARENA_PAGES 1024
#define ARENA_BASE  0x100000000ull

struct arena {
    uint64_t (*pages)[512];
    bool used[ARENA_PAGES];
    unsigned in_use, allocs;
    unsigned fail_after;        /* 0: never; else allocations after this many fail */
    unsigned long lookups;      /* table_ptr calls */
};

static uint64_t arena_alloc(void *ctx)
{
    struct arena *a = ctx;

    if (a->fail_after && a->allocs >= a->fail_after)
        return 0;
    for (unsigned i = 0; i < ARENA_PAGES; i++) {
        if (!a->used[i]) {
            a->used[i] = true;
            memset(a->pages[i], 0, sizeof(a->pages[i]));
            a->in_use++;
            a->allocs++;
            return ARENA_BASE + (uint64_t)i * 4096;
        }
    }
    return 0;
}

static long arena_index(const struct arena *a, uint64_t phys)
{
    if (phys < ARENA_BASE || phys >= ARENA_BASE + ARENA_PAGES * 4096ull || (phys & 0xfff))
        return -1;
    long i = (long)((phys - ARENA_BASE) / 4096);
    return a->used[i] ? i : -1;
}

static void *arena_ptr(void *ctx, uint64_t phys)
{
    struct arena *a = ctx;
    long i = arena_index(a, phys);

    a->lookups++;
    return i < 0 ? NULL : a->pages[i];
}

static void arena_free(void *ctx, uint64_t phys)
{
    struct arena *a = ctx;
    long i = arena_index(a, phys);

    assert_true(i >= 0);        /* double or wild free */
    a->used[i] = false;
    a->in_use--;
}

/* ---- diagnostics capture ------------------------------------------------------------------- */
#include "tests/unit/diag_sink.h"

/* ---- fixture ------------------------------------------------------------------------------- */
struct fixture {
    struct arena arena;
    struct ept_memory mem;
    struct sink err;
    struct ept ept;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));

    if (!f)
        return -1;
    f->arena.pages = calloc(ARENA_PAGES, sizeof(*f->arena.pages));
    if (!f->arena.pages) {
        free(f);
        return -1;
    }
    f->mem = (struct ept_memory){ arena_alloc, arena_ptr, arena_free, &f->arena };
    f->err.diag = (struct diag){ capture_line, &f->err };
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;

    free(f->arena.pages);
    free(f);
    return 0;
}

#define MiB(n) ((uint64_t)(n) << 20)
#define GiB(n) ((uint64_t)(n) << 30)
#define RWX    (EPT_READ | EPT_WRITE | EPT_EXECUTE)
#define RAM(g, h, s)  { .gpa = (g), .hpa = (h), .size = (s), .access = RWX, .memory_type = EPT_MT_WB }
#define MMIO(g, h, s) { .gpa = (g), .hpa = (h), .size = (s), .access = EPT_READ | EPT_WRITE, \
                        .memory_type = EPT_MT_UC, .ignore_pat = true }

static const struct ept_options only_4k = { false, false, false };
static const struct ept_options with_2m = { true, false, false };
static const struct ept_options with_1g = { true, true, true };

static void build_ok(struct fixture *f, const struct ept_mapping *maps, uint32_t count,
                     const struct ept_options *opt)
{
    unsigned before = f->arena.in_use;

    assert_true(ept_build(&f->ept, &f->mem, maps, count, opt, &f->err.diag));
    assert_int_equal(f->err.count, 0);
    assert_int_equal(f->ept.tables, f->arena.in_use - before);
    assert_true(ept_compare(&f->mem, f->ept.pml4_phys, maps, count, &f->err.diag));
    assert_int_equal(f->err.count, 0);
}

static struct ept_walk_result walk(struct fixture *f, uint64_t gpa)
{
    struct ept_walk_result w;
    bool mapped = ept_walk(&f->mem, f->ept.pml4_phys, gpa, &w);

    assert_int_equal(mapped, w.mapped);
    return w;
}

static void assert_maps_to(struct fixture *f, uint64_t gpa, uint64_t hpa, uint64_t page_size)
{
    struct ept_walk_result w = walk(f, gpa);

    assert_true(w.mapped);
    assert_int_equal(w.hpa, hpa);
    assert_int_equal(w.page_size, page_size);
}

static void assert_unmapped(struct fixture *f, uint64_t gpa)
{
    assert_false(walk(f, gpa).mapped);
}

/* The live entry that maps gpa (walk's last step). */
static uint64_t *live_entry(struct fixture *f, uint64_t gpa)
{
    struct ept_walk_result w = walk(f, gpa);
    const struct ept_walk_step *s = &w.step[w.steps - 1];

    return &((uint64_t *)arena_ptr(&f->arena, s->table_phys))[s->index];
}

/* ---- building ------------------------------------------------------------------------------ */

static const struct ept_mapping ram_32m[] = { RAM(0, 0x4000000, MiB(32)) };

static void test_32m_with_2m_pages(void **state)
{
    struct fixture *f = *state;

    build_ok(f, ram_32m, 1, &with_2m);
    assert_int_equal(f->ept.tables, 3);                 /* PML4, PDPT, PD */
    assert_int_equal(f->ept.pml4_phys, ARENA_BASE);
    assert_maps_to(f, 0, 0x4000000, EPT_PAGE_2M);
    assert_maps_to(f, 0x1234567, 0x5234567, EPT_PAGE_2M);
    assert_maps_to(f, MiB(32) - 1, 0x4000000 + MiB(32) - 1, EPT_PAGE_2M);

    struct ept_walk_result w = walk(f, 0x1234567);
    assert_int_equal(w.steps, 3);
    assert_int_equal(w.access, RWX);
    assert_int_equal(w.memory_type, EPT_MT_WB);
    assert_false(w.ignore_pat);
    assert_int_equal(w.step[2].entry, 0x5200000 | RWX | (EPT_MT_WB << EPT_MEMORY_TYPE_SHIFT) |
                                      EPT_LARGE_PAGE);
}

static void test_32m_with_4k_pages(void **state)
{
    struct fixture *f = *state;

    build_ok(f, ram_32m, 1, &only_4k);
    assert_int_equal(f->ept.tables, 3 + 16);            /* 16 page tables */
    assert_maps_to(f, 0x1234567, 0x5234567, EPT_PAGE_4K);
    assert_int_equal(walk(f, 0x1234567).steps, 4);
    ept_destroy(&f->ept, &f->mem);
    build_ok(f, ram_32m, 1, NULL);                       /* NULL options: 4 KiB only */
    assert_int_equal(f->arena.in_use, 19);
}

static const struct ept_mapping ram_1g[] = { RAM(GiB(1), GiB(2), GiB(1)) };

static void test_1g_page_when_allowed(void **state)
{
    struct fixture *f = *state;

    build_ok(f, ram_1g, 1, &with_1g);
    assert_int_equal(f->ept.tables, 2);                 /* PML4, PDPT */
    assert_maps_to(f, GiB(1) + 0x12345, GiB(2) + 0x12345, EPT_PAGE_1G);
    assert_int_equal(walk(f, GiB(1)).step[1].index, 1);
    assert_unmapped(f, 0);
    assert_unmapped(f, GiB(2));
}

static void test_1g_mapping_without_1g_pages(void **state)
{
    struct fixture *f = *state;

    build_ok(f, ram_1g, 1, &with_2m);
    assert_int_equal(f->ept.tables, 3);                 /* one full PD of 2 MiB pages */
    assert_maps_to(f, GiB(1) + MiB(1022), GiB(2) + MiB(1022), EPT_PAGE_2M);

    /* 1 GiB pages offered, but hpa only 2 MiB aligned. */
    static const struct ept_mapping shifted[] = { RAM(GiB(1), GiB(2) + MiB(2), GiB(1)) };
    ept_destroy(&f->ept, &f->mem);
    build_ok(f, shifted, 1, &with_1g);
    assert_int_equal(f->ept.tables, 3);
    assert_maps_to(f, GiB(1), GiB(2) + MiB(2), EPT_PAGE_2M);
}

static void test_misaligned_hpa_forces_4k(void **state)
{
    struct fixture *f = *state;
    static const struct ept_mapping maps[] = { RAM(MiB(2), 0x4001000, MiB(4)) };

    build_ok(f, maps, 1, &with_1g);
    assert_int_equal(f->ept.tables, 3 + 2);
    assert_maps_to(f, MiB(2), 0x4001000, EPT_PAGE_4K);
    assert_maps_to(f, MiB(6) - 1, 0x4001000 + MiB(4) - 1, EPT_PAGE_4K);
    assert_unmapped(f, MiB(6));
    assert_unmapped(f, MiB(2) - 1);
}

static void test_2m_and_4k_mix(void **state)
{
    struct fixture *f = *state;
    static const struct ept_mapping maps[] = {
        RAM(0, 0x4000000, MiB(5) + 0x4000),             /* 2 MiB, 2 MiB, then 260 x 4 KiB */
        RAM(0x7ff000, 0x87ff000, 0x201000),             /* 4 KiB, then one 2 MiB */
    };

    build_ok(f, maps, 2, &with_2m);
    assert_int_equal(f->ept.tables, 3 + 2);             /* PTs under PD[2] and PD[3] */
    assert_maps_to(f, 0x100000, 0x4100000, EPT_PAGE_2M);
    assert_maps_to(f, 0x3fffff, 0x43fffff, EPT_PAGE_2M);
    assert_maps_to(f, 0x400000, 0x4400000, EPT_PAGE_4K);
    assert_maps_to(f, 0x503fff, 0x4503fff, EPT_PAGE_4K);
    assert_unmapped(f, 0x504000);
    assert_unmapped(f, 0x7fe000);
    assert_maps_to(f, 0x7ff000, 0x87ff000, EPT_PAGE_4K);
    assert_maps_to(f, 0x800000, 0x8800000, EPT_PAGE_2M);
    assert_maps_to(f, 0x9fffff, 0x89fffff, EPT_PAGE_2M);
    assert_unmapped(f, 0xa00000);

    struct ept_walk_result w = walk(f, 0x504000);
    assert_int_equal(w.steps, 4);
    assert_int_equal(w.step[3].level, 1);
    assert_int_equal(w.step[3].index, 260);
}

static void test_regions_above_4g_and_512g(void **state)
{
    struct fixture *f = *state;
    static const struct ept_mapping maps[] = {
        RAM(GiB(4), 0x10000000, MiB(4)),
        RAM(GiB(512), 0x20000000, MiB(2)),
    };

    build_ok(f, maps, 2, &with_2m);
    assert_int_equal(f->ept.tables, 5);                 /* PML4, 2 x (PDPT, PD) */
    assert_maps_to(f, GiB(4) + MiB(3), 0x10300000, EPT_PAGE_2M);
    assert_maps_to(f, GiB(512) + 5, 0x20000005, EPT_PAGE_2M);

    struct ept_walk_result w = walk(f, GiB(4));
    assert_int_equal(w.step[0].index, 0);
    assert_int_equal(w.step[1].index, 4);
    w = walk(f, GiB(512));
    assert_int_equal(w.step[0].index, 1);
    assert_int_equal(w.step[1].index, 0);
    assert_unmapped(f, 0);
    assert_unmapped(f, GiB(4) + MiB(4));
    assert_unmapped(f, GiB(513));
}

static void test_mmio_grant(void **state)
{
    struct fixture *f = *state;
    static const struct ept_mapping maps[] = {
        RAM(0, 0x4000000, MiB(32)),
        MMIO(0xfeb00000, 0xfeb00000, 0x1000),
    };
    char line[DIAG_LINE_MAX];

    build_ok(f, maps, 2, &with_1g);
    struct ept_walk_result w = walk(f, 0xfeb00010);
    assert_true(w.mapped);
    assert_int_equal(w.hpa, 0xfeb00010);
    assert_int_equal(w.access, EPT_READ | EPT_WRITE);
    assert_int_equal(w.memory_type, EPT_MT_UC);
    assert_true(w.ignore_pat);
    assert_int_equal(w.step[3].entry, 0xfeb00000 | EPT_READ | EPT_WRITE | EPT_IGNORE_PAT);
    ept_walk_format(line, sizeof(line), &w, 3);
    assert_string_equal(line, "ept: PT[256] 0x00000000feb00043 4 KiB page hpa 0xfeb00000 rw- uc ipat");
    assert_unmapped(f, 0xfeb01000);
    assert_unmapped(f, 0xfeaff000);
}

/* A page mapped into a built EPT later (a device page on first use); a range that is
 * partly mapped already is refused without changing anything. */
static void test_map_more(void **state)
{
    struct fixture *f = *state;
    static const struct ept_mapping maps[] = { RAM(0, 0x4000000, MiB(32)) };
    const struct ept_mapping later = RAM(0x40001000, 0x9000000, 0x1000);
    const struct ept_mapping overlapping = RAM(MiB(32) - 0x1000, 0x9001000, 0x2000);

    build_ok(f, maps, 1, &with_1g);
    assert_unmapped(f, 0x40001000);
    uint32_t tables = f->ept.tables;
    assert_true(ept_map_more(&f->ept, &f->mem, &later, &with_1g, &f->err.diag));
    struct ept_walk_result w = walk(f, 0x40001234);
    assert_true(w.mapped);
    assert_int_equal(w.hpa, 0x9000234);
    assert_int_equal(w.page_size, 0x1000);
    assert_true(f->ept.tables > tables);
    assert_unmapped(f, 0x40000000);
    assert_unmapped(f, 0x40002000);
    assert_false(ept_map_more(&f->ept, &f->mem, &later, &with_1g, &f->err.diag));
    assert_false(ept_map_more(&f->ept, &f->mem, &overlapping, &with_1g, &f->err.diag));
    assert_unmapped(f, MiB(32));
    ept_destroy(&f->ept, &f->mem);
    assert_int_equal(f->arena.in_use, 0);
}

static void test_unmapped_addresses(void **state)
{
    struct fixture *f = *state;
    static const struct ept_mapping other[] = { RAM(0, 0x6000000, MiB(32)) };
    struct ept a, b;

    build_ok(f, ram_32m, 1, &with_2m);
    a = f->ept;
    build_ok(f, other, 1, &with_2m);
    b = f->ept;
    f->ept = a;
    assert_unmapped(f, MiB(32));                        /* just above the end */
    assert_unmapped(f, 0x6000000);                      /* the other partition's hpa as gpa */
    assert_unmapped(f, GiB(1));
    assert_unmapped(f, EPT_GPA_LIMIT - 1);
    /* No page of either partition reaches the other's memory. */
    for (uint64_t gpa = 0; gpa < MiB(32); gpa += MiB(2)) {
        f->ept = a;
        assert_true(walk(f, gpa).hpa < 0x6000000);
        f->ept = b;
        assert_true(walk(f, gpa).hpa >= 0x6000000);
    }
    struct ept_walk_result w = walk(f, EPT_GPA_LIMIT);
    assert_int_equal(w.steps, 0);
    ept_destroy(&a, &f->mem);
    ept_destroy(&b, &f->mem);
    assert_int_equal(f->arena.in_use, 0);
}

/* ---- rejected input ------------------------------------------------------------------------ */

static void test_overlap_rejected(void **state)
{
    struct fixture *f = *state;
    static const struct ept_mapping maps[] = {
        RAM(0, 0x4000000, MiB(4)),
        RAM(MiB(8), 0x5000000, MiB(2)),
        RAM(MiB(2), 0x6000000, MiB(4)),
    };

    assert_false(ept_build(&f->ept, &f->mem, maps, 3, &with_2m, &f->err.diag));
    ASSERT_LINES(&f->err,
                 "ept: mapping 0 (gpa 0x0 - 0x400000) overlaps mapping 2 (gpa 0x200000 - 0x600000)");
    assert_int_equal(f->arena.allocs, 0);
    assert_int_equal(f->ept.pml4_phys, 0);
    assert_int_equal(f->ept.tables, 0);
}

static void test_invalid_mappings_rejected(void **state)
{
    struct fixture *f = *state;
    static const struct ept_mapping maps[] = {
        RAM(0x1000, 0x4000800, 0x2000),
        RAM(0x10000, 0x5000000, 0x1800),
        RAM(0x20000, 0x5000000, 0),
        RAM(0xfffffffff000, 0x5000000, 0x2000),
        RAM(0x30000, 0xffffffffff000, 0x2000),
        { .gpa = 0x40000, .hpa = 0x40000, .size = 0x1000, .access = EPT_WRITE },
        { .gpa = 0x50000, .hpa = 0x50000, .size = 0x1000, .access = 0 },
        { .gpa = 0x60000, .hpa = 0x60000, .size = 0x1000, .access = EPT_READ, .memory_type = 2 },
        { .gpa = 0x70000, .hpa = 0x70000, .size = 0x1000, .access = EPT_EXECUTE },
    };

    assert_false(ept_build(&f->ept, &f->mem, maps, 9, &with_2m, &f->err.diag));
    ASSERT_LINES(&f->err,
                 "ept: mapping 0 (gpa 0x1000 hpa 0x4000800 size 0x2000) not 4 KiB aligned",
                 "ept: mapping 1 (gpa 0x10000 hpa 0x5000000 size 0x1800) not 4 KiB aligned",
                 "ept: mapping 2 at gpa 0x20000 is empty",
                 "ept: mapping 3 (gpa 0xfffffffff000 size 0x2000) passes the 48-bit "
                 "guest-physical limit",
                 "ept: mapping 4 (hpa 0xffffffffff000 size 0x2000) passes the 52-bit "
                 "physical limit",
                 "ept: mapping 5 at gpa 0x40000: access 0x2 not allowed",
                 "ept: mapping 6 at gpa 0x50000: access 0x0 not allowed",
                 "ept: mapping 7 at gpa 0x60000: memory type 2 reserved");
    assert_int_equal(f->arena.allocs, 0);
}

static void test_out_of_memory_frees_everything(void **state)
{
    struct fixture *f = *state;

    f->arena.fail_after = 10;
    assert_false(ept_build(&f->ept, &f->mem, ram_32m, 1, &only_4k, &f->err.diag));
    /* PML4, PDPT, PD, then a PT per 2 MiB: the 11th table is for gpa 0xe00000. */
    ASSERT_LINES(&f->err, "ept: out of memory after 10 tables (mapping 0 at gpa 0xe00000)");
    assert_int_equal(f->arena.in_use, 0);
    assert_int_equal(f->ept.pml4_phys, 0);
    assert_int_equal(f->ept.tables, 0);

    for (unsigned n = 1; n < 19; n++) {                 /* every point of failure */
        f->arena.fail_after = f->arena.allocs + n;
        assert_false(ept_build(&f->ept, &f->mem, ram_32m, 1, &only_4k, NULL));
        assert_int_equal(f->arena.in_use, 0);
    }
    f->arena.fail_after = f->arena.allocs;
    assert_false(ept_build(&f->ept, &f->mem, ram_32m, 1, &only_4k, &f->err.diag));
    assert_string_equal(f->err.lines[1],
                        "ept: out of memory after 0 tables (mapping 0 at gpa 0x0)");
    f->arena.fail_after = f->arena.allocs + 19;
    assert_true(ept_build(&f->ept, &f->mem, ram_32m, 1, &only_4k, NULL));
}

/* ---- EPTP, format, destroy ----------------------------------------------------------------- */

static void test_ept_pointer(void **state)
{
    struct fixture *f = *state;
    struct ept e = { .pml4_phys = 0x123456000 };

    assert_int_equal(ept_pointer(&e, false), 0x12345601e);      /* WB, walk length 3 */
    assert_int_equal(ept_pointer(&e, true), 0x12345605e);       /* + A/D enable */
    assert_int_equal(EPTP_MEMORY_TYPE_WB | (3 << EPTP_WALK_LENGTH_SHIFT), 0x1e);

    build_ok(f, ram_32m, 1, &with_1g);
    assert_true(f->ept.accessed_dirty);
    assert_int_equal(ept_pointer(&f->ept, f->ept.accessed_dirty), ARENA_BASE | 0x5e);
}

static void assert_walk_lines(struct fixture *f, uint64_t gpa, unsigned count,
                              const char *const *expected)
{
    struct ept_walk_result w = walk(f, gpa);
    char line[DIAG_LINE_MAX];

    assert_int_equal(w.steps + 1, count);
    for (unsigned i = 0; i < count; i++) {
        int n = ept_walk_format(line, sizeof(line), &w, i);
        assert_int_equal(n, (int)strlen(expected[i]));
        assert_string_equal(line, expected[i]);
    }
    assert_int_equal(ept_walk_format(line, sizeof(line), &w, count), -1);
}

#define ASSERT_WALK(f, gpa, ...)                                                        \
    do {                                                                                \
        static const char *const expected_[] = { __VA_ARGS__ };                         \
        assert_walk_lines((f), (gpa), sizeof(expected_) / sizeof(expected_[0]), expected_); \
    } while (0)

static void test_walk_format(void **state)
{
    struct fixture *f = *state;

    build_ok(f, ram_32m, 1, &with_2m);
    ASSERT_WALK(f, 0x600000,
                "ept: PML4[0] 0x0000000100001007 -> PDPT 0x100001000",
                "ept: PDPT[0] 0x0000000100002007 -> PD 0x100002000",
                "ept: PD[3] 0x00000000046000b7 2 MiB page hpa 0x4600000 rwx wb",
                "ept: gpa 0x600000 -> hpa 0x4600000");
    ASSERT_WALK(f, 0x2000000,
                "ept: PML4[0] 0x0000000100001007 -> PDPT 0x100001000",
                "ept: PDPT[0] 0x0000000100002007 -> PD 0x100002000",
                "ept: PD[16] 0x0000000000000000 not present",
                "ept: gpa 0x2000000 not mapped");
    ASSERT_WALK(f, GiB(512),
                "ept: PML4[1] 0x0000000000000000 not present",
                "ept: gpa 0x8000000000 not mapped");
    ASSERT_WALK(f, EPT_GPA_LIMIT,
                "ept: gpa 0x1000000000000 beyond the 48-bit guest-physical space");

    /* A PT leaf with an unusual type, and a table that is not reachable. */
    *live_entry(f, 0) = 0x4000000 | EPT_EXECUTE | (3ull << EPT_MEMORY_TYPE_SHIFT) |
                        EPT_LARGE_PAGE | EPT_ACCESSED | EPT_DIRTY;
    ASSERT_WALK(f, 0x1000,
                "ept: PML4[0] 0x0000000100001007 -> PDPT 0x100001000",
                "ept: PDPT[0] 0x0000000100002007 -> PD 0x100002000",
                "ept: PD[0] 0x000000000400039c 2 MiB page hpa 0x4000000 --x mt3",
                "ept: gpa 0x1000 -> hpa 0x4001000");
    *live_entry(f, 0) = 0x7000000 | RWX;
    ASSERT_WALK(f, 0x1000,
                "ept: PML4[0] 0x0000000100001007 -> PDPT 0x100001000",
                "ept: PDPT[0] 0x0000000100002007 -> PD 0x100002000",
                "ept: PD[0] 0x0000000007000007 -> PT 0x7000000",
                "ept: gpa 0x1000 not mapped (table not reachable)");
}

static void test_destroy_frees_everything(void **state)
{
    struct fixture *f = *state;
    static const struct ept_mapping maps[] = {
        RAM(0, 0x4000000, MiB(5) + 0x4000),
        RAM(GiB(4), GiB(8), GiB(2)),
        RAM(GiB(600), 0x10000000, MiB(1)),
        MMIO(0xfee00000, 0xfee00000, 0x1000),
    };

    build_ok(f, maps, 4, &with_1g);
    assert_true(f->arena.in_use > 5);
    ept_destroy(&f->ept, &f->mem);
    assert_int_equal(f->arena.in_use, 0);
    assert_int_equal(f->ept.pml4_phys, 0);
    assert_int_equal(f->ept.tables, 0);
    ept_destroy(&f->ept, &f->mem);                      /* twice is harmless */
    assert_int_equal(f->arena.in_use, 0);
}

/* ---- compare --------------------------------------------------------------------------------- */

static const struct ept_mapping compare_maps[] = {
    RAM(0, 0x4000000, MiB(32)),
    RAM(MiB(64), 0x8000000, MiB(2) + 0x3000),
    MMIO(0xfeb00000, 0xfeb00000, 0x1000),
};

static bool compare(struct fixture *f)
{
    return ept_compare(&f->mem, f->ept.pml4_phys, compare_maps, 3, &f->err.diag);
}

static void test_compare_permission_flip(void **state)
{
    struct fixture *f = *state;

    build_ok(f, compare_maps, 3, &with_2m);
    *live_entry(f, 0x600000) &= ~(uint64_t)EPT_WRITE;
    *live_entry(f, 0xfeb00000) |= EPT_EXECUTE;
    assert_false(compare(f));
    ASSERT_LINES(&f->err,
                 "ept: gpa 0x600000: access r-x, expected rwx",
                 "ept: gpa 0xfeb00000: access rwx, expected rw-");
}

static void test_compare_extra_entry(void **state)
{
    struct fixture *f = *state;

    build_ok(f, compare_maps, 3, &with_2m);
    *live_entry(f, 0x2800000) = 0x6000000 | RWX | (EPT_MT_WB << EPT_MEMORY_TYPE_SHIFT) |
                                EPT_LARGE_PAGE;
    *live_entry(f, MiB(66) + 0x3000) = 0x8203000 | RWX | (EPT_MT_WB << EPT_MEMORY_TYPE_SHIFT);
    assert_false(compare(f));
    ASSERT_LINES(&f->err,
                 "ept: gpa 0x2800000: 2 MiB page not in any mapping",
                 "ept: gpa 0x4203000: 4 KiB page not in any mapping");
}

static void test_compare_missing_entry(void **state)
{
    struct fixture *f = *state;

    build_ok(f, compare_maps, 3, &with_2m);
    *live_entry(f, 0xa00000) = 0;
    *live_entry(f, 0xc00000) = 0;
    *live_entry(f, MiB(66) + 0x1000) = 0;
    *live_entry(f, 0xfeb00000) = 0;
    assert_false(compare(f));
    ASSERT_LINES(&f->err,
                 "ept: gpa 0xa00000 - 0xe00000 of mapping 0 not mapped",
                 "ept: gpa 0x4201000 - 0x4202000 of mapping 1 not mapped",
                 "ept: gpa 0xfeb00000 - 0xfeb01000 of mapping 2 not mapped");
}

static void test_compare_other_fields(void **state)
{
    struct fixture *f = *state;

    build_ok(f, compare_maps, 3, &with_2m);
    /* Accessed and dirty flags are the CPU's, not differences. */
    *live_entry(f, 0) |= EPT_ACCESSED | EPT_DIRTY;
    *live_entry(f, MiB(66)) |= EPT_ACCESSED | EPT_DIRTY;
    assert_true(compare(f));

    *live_entry(f, MiB(2)) += MiB(2);                                   /* hpa */
    *live_entry(f, MiB(4)) ^= (EPT_MT_WB ^ EPT_MT_UC) << EPT_MEMORY_TYPE_SHIFT;
    *live_entry(f, MiB(6)) |= EPT_IGNORE_PAT | (1ull << 63);
    *live_entry(f, MiB(66) + 0x2000) |= EPT_LARGE_PAGE;                 /* ignored in a PTE */
    assert_false(compare(f));
    ASSERT_LINES(&f->err,
                 "ept: gpa 0x200000: hpa 0x4400000, expected 0x4200000",
                 "ept: gpa 0x400000: memory type uc, expected wb",
                 "ept: gpa 0x600000: ignore PAT 1, expected 0",
                 "ept: gpa 0x600000: entry 0x80000000046000f7 has unexpected bits 0x8000000000000000",
                 "ept: gpa 0x4202000: entry 0x00000000082020b7 has unexpected bits 0x80");
}

static void test_compare_structure(void **state)
{
    struct fixture *f = *state;
    struct ept_walk_result w;

    build_ok(f, compare_maps, 3, &with_2m);
    w = walk(f, MiB(66));
    uint64_t pd = w.step[2].table_phys;

    /* The PT under PD[33] replaced by a 2 MiB leaf that reaches past mapping 1. */
    ((uint64_t *)arena_ptr(&f->arena, pd))[33] = 0x8200000 | RWX |
        (EPT_MT_WB << EPT_MEMORY_TYPE_SHIFT) | EPT_LARGE_PAGE;
    /* The PDPT entry loses its write permission; the PD of PML4[0] -> PDPT[3] is lost. */
    w = walk(f, 0xfeb00000);
    ((uint64_t *)arena_ptr(&f->arena, w.step[0].table_phys))[0] &= ~(uint64_t)EPT_WRITE;
    ((uint64_t *)arena_ptr(&f->arena, w.step[1].table_phys))[3] = 0x7000000 | RWX;
    assert_false(compare(f));
    ASSERT_LINES(&f->err,
                 "ept: PML4[0] of table 0x100000000: entry 0x0000000100001005 is not a plain "
                 "rwx table pointer",
                 "ept: gpa 0x4200000: 2 MiB page crosses the bounds of mapping 1 "
                 "(gpa 0x4000000 - 0x4203000)",
                 "ept: PDPT[3] of table 0x100001000: table 0x7000000 not reachable");
    assert_false(ept_compare(&f->mem, 0x7000000, compare_maps, 3, &f->err.diag));
    assert_string_equal(f->err.lines[3], "ept: PML4 table 0x7000000 not reachable");
}

/* A few GiB in large pages are checked by walking the tables, not every 4 KiB page. */
static void test_compare_large_is_cheap(void **state)
{
    struct fixture *f = *state;
    static const struct ept_mapping maps[] = {
        RAM(0, GiB(64), GiB(60)),
        RAM(GiB(64), GiB(200) + MiB(2), GiB(4)),
    };

    build_ok(f, maps, 2, &with_1g);
    assert_int_equal(f->ept.tables, 2 + 4);             /* PML4, PDPT, 4 PDs */
    f->arena.lookups = 0;
    assert_true(ept_compare(&f->mem, f->ept.pml4_phys, maps, 2, &f->err.diag));
    print_message("  compare: %lu table lookups\n", f->arena.lookups);
    assert_true(f->arena.lookups < 10000);
    assert_maps_to(f, GiB(65) + 7, GiB(201) + MiB(2) + 7, EPT_PAGE_2M);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_32m_with_2m_pages),
        T(test_32m_with_4k_pages),
        T(test_1g_page_when_allowed),
        T(test_1g_mapping_without_1g_pages),
        T(test_misaligned_hpa_forces_4k),
        T(test_2m_and_4k_mix),
        T(test_regions_above_4g_and_512g),
        T(test_mmio_grant),
        T(test_map_more),
        T(test_unmapped_addresses),
        T(test_overlap_rejected),
        T(test_invalid_mappings_rejected),
        T(test_out_of_memory_frees_everything),
        T(test_ept_pointer),
        T(test_walk_format),
        T(test_destroy_frees_everything),
        T(test_compare_permission_flip),
        T(test_compare_extra_entry),
        T(test_compare_missing_entry),
        T(test_compare_other_fields),
        T(test_compare_structure),
        T(test_compare_large_is_cheap),
    };

    return cmocka_run_group_tests_name("ept", tests, NULL, NULL);
}
