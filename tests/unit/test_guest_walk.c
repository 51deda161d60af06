/* Host unit tests for vcpu/guest_walk.c: page tables built in a fake guest RAM and walked in
 * each paging mode (Intel SDM Vol. 3A, 4.3-4.7). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "vcpu/guest_walk.h"
#include "tests/unit/guest_walk_fixture.h"

static void test_paging_off(void **state)
{
    struct guest_paging_state s = { .cr0 = CR0_PE, .maxphyaddr = 40 };

    (void)state;
    expect_gpa(&s, 0x12345678, GUEST_ACCESS_WRITE | GUEST_ACCESS_USER, 0x12345678, GUEST_PAGE_4K);
    expect_gpa(&s, 0x100001234ull, SUPERVISOR_READ, 0x1234, GUEST_PAGE_4K);   /* 32-bit wrap */
    assert_int_equal(ram.reads, 0);
}

/* ---- 32-bit paging ---------------------------------------------------------------------- */
static struct guest_paging_state legacy32(void)
{
    return (struct guest_paging_state){ .cr0 = CR0_PE | CR0_PG | CR0_WP, .cr3 = TABLES,
                                        .maxphyaddr = 40 };
}

static void test_32bit_4k(void **state)
{
    struct guest_paging_state s = legacy32();

    (void)state;
    put32(TABLES + 1 * 4, 0x2000 | P | RW | US);            /* PDE 1 -> table at 0x2000 */
    put32(0x2000 + 0x3FF * 4, DATA | P | RW | US);          /* PTE 1023 */
    expect_gpa(&s, 0x007FF123, GUEST_ACCESS_WRITE | GUEST_ACCESS_USER, DATA | 0x123, GUEST_PAGE_4K);
    expect_gpa(&s, 0xF007FF123ull, SUPERVISOR_READ, DATA | 0x123, GUEST_PAGE_4K);  /* 32-bit */
    s.cr3 |= 0x18;                                          /* PWT, PCD: not address bits */
    expect_gpa(&s, 0x007FF123, SUPERVISOR_READ, DATA | 0x123, GUEST_PAGE_4K);
    /* Without CR4.PSE the PS flag is ignored: the PDE still points at a page table. */
    put32(TABLES + 1 * 4, 0x2000 | P | RW | US | PS);
    expect_gpa(&s, 0x007FF123, SUPERVISOR_READ, DATA | 0x123, GUEST_PAGE_4K);
}

static void test_32bit_4m_pse36(void **state)
{
    struct guest_paging_state s = legacy32();

    (void)state;
    s.cr4 = CR4_PSE;
    /* PDE 3: physical bits 31:22 from PDE bits 31:22, bits 39:32 from PDE bits 20:13. */
    put32(TABLES + 3 * 4, 0x01C00000u | (0xABu << 13) | P | RW | PS);
    expect_gpa(&s, 0x00D23456, SUPERVISOR_READ, 0xAB01D23456ull, GUEST_PAGE_4M);
    /* The PAT bit (12) is not an address bit. */
    put32(TABLES + 3 * 4, 0x01C00000u | (1u << 12) | P | RW | PS);
    expect_gpa(&s, 0x00D23456, SUPERVISOR_READ, 0x01D23456, GUEST_PAGE_4M);
}

static void test_32bit_4m_reserved_bits(void **state)
{
    struct guest_paging_state s = legacy32();

    (void)state;
    s.cr4 = CR4_PSE;
    put32(TABLES + 3 * 4, 0x01C00000u | (1u << 21) | P | PS);   /* bit 21 always reserved */
    expect_pf(&s, 0x00D23456, SUPERVISOR_READ, PF_P | PF_RSVD);
    /* Bit 17 is physical bit 36: an address bit with MAXPHYADDR 40, reserved with 36. */
    put32(TABLES + 3 * 4, 0x01C00000u | (1u << 17) | P | PS);
    expect_gpa(&s, 0x00D23456, SUPERVISOR_READ, 0x1001D23456ull, GUEST_PAGE_4M);
    s.maxphyaddr = 36;
    expect_pf(&s, 0x00D23456, GUEST_ACCESS_WRITE, PF_P | PF_W | PF_RSVD);
    /* Bits 16:13 stay address bits with MAXPHYADDR 36. */
    put32(TABLES + 3 * 4, 0x01C00000u | (1u << 16) | P | PS);
    expect_gpa(&s, 0x00D23456, SUPERVISOR_READ, 0x801D23456ull, GUEST_PAGE_4M);
}

static void test_32bit_not_present_and_rights(void **state)
{
    struct guest_paging_state s = legacy32();

    (void)state;
    expect_pf(&s, 0x00400000, SUPERVISOR_READ, 0);
    expect_pf(&s, 0x00400000, GUEST_ACCESS_WRITE | GUEST_ACCESS_USER, PF_W | PF_U);
    /* 32-bit paging: no I/D bit for a fetch, unless SMEP is on. */
    expect_pf(&s, 0x00400000, GUEST_ACCESS_FETCH | GUEST_ACCESS_USER, PF_U);
    s.cr4 = CR4_SMEP;
    expect_pf(&s, 0x00400000, GUEST_ACCESS_FETCH | GUEST_ACCESS_USER, PF_U | PF_ID);
    s.cr4 = 0;
    put32(TABLES + 1 * 4, 0x2000 | P | RW);                 /* supervisor table */
    expect_pf(&s, 0x00400000, SUPERVISOR_READ, 0);          /* PTE still absent */
    put32(0x2000, DATA | P | US);                           /* user, read-only page */
    expect_pf(&s, 0x00400000, GUEST_ACCESS_USER, PF_P | PF_U);
    put32(TABLES + 1 * 4, 0x2000 | P | RW | US);
    expect_gpa(&s, 0x00400000, GUEST_ACCESS_USER, DATA, GUEST_PAGE_4K);
    expect_pf(&s, 0x00400000, GUEST_ACCESS_USER | GUEST_ACCESS_WRITE, PF_P | PF_W | PF_U);
    expect_pf(&s, 0x00400000, GUEST_ACCESS_WRITE, PF_P | PF_W);         /* CR0.WP = 1 */
    s.cr0 &= ~CR0_WP;
    expect_gpa(&s, 0x00400000, GUEST_ACCESS_WRITE, DATA, GUEST_PAGE_4K);
    /* Bits 62:M do not exist in 4-byte entries: bit 31 of a PTE is an address bit. */
    put32(0x2000, 0x80000000u | P);
    expect_gpa(&s, 0x00400abc, SUPERVISOR_READ, 0x80000abc, GUEST_PAGE_4K);
}

/* ---- PAE paging -------------------------------------------------------------------------- */
#define PAE_PDPT    (TABLES + 0x20)     /* CR3 bits 31:5: the PDPT is 32-byte aligned */
#define PAE_PD      0x2000ull
#define PAE_PT      0x3000ull

static struct guest_paging_state pae(void)
{
    return (struct guest_paging_state){ .cr0 = CR0_PE | CR0_PG | CR0_WP, .cr3 = PAE_PDPT,
                                        .cr4 = CR4_PAE, .efer = EFER_NXE, .maxphyaddr = 36 };
}

/* 0xC0201abc: PDPTE 3, PDE 1, PTE 1. */
#define PAE_LINEAR  0xC0201abcull

static void pae_map_4k(uint64_t pte_flags)
{
    put64(PAE_PDPT + 3 * 8, PAE_PD | P);
    put64(PAE_PD + 1 * 8, PAE_PT | P | RW | US);
    put64(PAE_PT + 1 * 8, DATA | pte_flags);
}

static void test_pae_4k_and_2m(void **state)
{
    struct guest_paging_state s = pae();

    (void)state;
    pae_map_4k(P | RW | US);
    expect_gpa(&s, PAE_LINEAR, GUEST_ACCESS_USER | GUEST_ACCESS_WRITE, DATA | 0xabc, GUEST_PAGE_4K);
    expect_gpa(&s, 0x1C0201abcull, SUPERVISOR_READ, DATA | 0xabc, GUEST_PAGE_4K);  /* 32-bit */
    /* A 2 MiB page above 4 GiB; bit 12 is PAT. */
    put64(PAE_PD + 1 * 8, 0x812400000ull | (1ull << 12) | P | RW | PS);
    expect_gpa(&s, PAE_LINEAR, SUPERVISOR_READ, 0x812401abcull, GUEST_PAGE_2M);
    expect_gpa(&s, 0xC0200abcull, SUPERVISOR_READ, 0x812400abcull, GUEST_PAGE_2M);
    put64(PAE_PD + 1 * 8, 0x812400000ull | (1ull << 13) | P | RW | PS);   /* bits 20:13 */
    expect_pf(&s, PAE_LINEAR, SUPERVISOR_READ, PF_P | PF_RSVD);
}

static void test_pae_pdpte(void **state)
{
    struct guest_paging_state s = pae();

    (void)state;
    pae_map_4k(P | RW);
    put64(PAE_PDPT + 3 * 8, 0);
    expect_pf(&s, PAE_LINEAR, GUEST_ACCESS_WRITE, PF_W);
    /* PDPTE bits 2:1 (no R/W, U/S here), 8:5 and 63:M are reserved. */
    put64(PAE_PDPT + 3 * 8, PAE_PD | P | RW);
    expect_pf(&s, PAE_LINEAR, SUPERVISOR_READ, PF_P | PF_RSVD);
    put64(PAE_PDPT + 3 * 8, PAE_PD | P | (1ull << 5));
    expect_pf(&s, PAE_LINEAR, SUPERVISOR_READ, PF_P | PF_RSVD);
    put64(PAE_PDPT + 3 * 8, PAE_PD | P | XD);
    expect_pf(&s, PAE_LINEAR, SUPERVISOR_READ, PF_P | PF_RSVD);
    put64(PAE_PDPT + 3 * 8, PAE_PD | P | (1ull << 36));
    expect_pf(&s, PAE_LINEAR, SUPERVISOR_READ, PF_P | PF_RSVD);
    /* The PDPTE registers (the VMCS fields under EPT) win over a table changed since. */
    s.pdptes_loaded = true;
    s.pdpte[3] = PAE_PD | P;
    expect_gpa(&s, PAE_LINEAR, SUPERVISOR_READ, DATA | 0xabc, GUEST_PAGE_4K);
    s.pdpte[3] = 0;
    put64(PAE_PDPT + 3 * 8, PAE_PD | P);
    expect_pf(&s, PAE_LINEAR, SUPERVISOR_READ, 0);
}

static void test_pae_reserved_and_xd(void **state)
{
    struct guest_paging_state s = pae();

    (void)state;
    pae_map_4k(P | RW | XD);
    expect_gpa(&s, PAE_LINEAR, SUPERVISOR_READ, DATA | 0xabc, GUEST_PAGE_4K);
    expect_pf(&s, PAE_LINEAR, GUEST_ACCESS_FETCH, PF_P | PF_ID);
    s.efer = 0;             /* without NXE, XD is a reserved bit and I/D is not reported */
    expect_pf(&s, PAE_LINEAR, SUPERVISOR_READ, PF_P | PF_RSVD);
    expect_pf(&s, PAE_LINEAR, GUEST_ACCESS_FETCH, PF_P | PF_RSVD);
    s.efer = EFER_NXE;
    /* PAE reserves bits 62:M, 4-level paging only 51:M (the rest is ignored there). */
    pae_map_4k(P | (1ull << 55));
    expect_pf(&s, PAE_LINEAR, SUPERVISOR_READ, PF_P | PF_RSVD);
    pae_map_4k(P | (1ull << 36));
    expect_pf(&s, PAE_LINEAR, SUPERVISOR_READ, PF_P | PF_RSVD);
    s.maxphyaddr = 40;
    expect_gpa(&s, PAE_LINEAR, SUPERVISOR_READ, (1ull << 36) | DATA | 0xabc, GUEST_PAGE_4K);
}

/* ---- 4-level paging ---------------------------------------------------------------------- */
#define LINEAR_4L   0x00007F1234567abcull

static void test_4level_page_sizes(void **state)
{
    struct guest_paging_state s = four_level();
    const unsigned top = 39;

    (void)state;
    map_long(top, LINEAR_4L, 12, DATA, P | RW | US, P | RW | US);
    expect_gpa(&s, LINEAR_4L, GUEST_ACCESS_USER | GUEST_ACCESS_WRITE, DATA | 0xabc, GUEST_PAGE_4K);
    map_long(top, LINEAR_4L, 21, 0x40000000ull, P | RW, P | RW);
    expect_gpa(&s, LINEAR_4L, SUPERVISOR_READ, 0x40167abcull, GUEST_PAGE_2M);
    map_long(top, LINEAR_4L, 30, 0x8000000000ull, P | RW, P | RW);
    expect_gpa(&s, LINEAR_4L, SUPERVISOR_READ, 0x8034567abcull, GUEST_PAGE_1G);
    map_long(top, LINEAR_4L, 30, 0x8000000000ull | (1ull << 12), P | RW, P | RW);  /* PAT */
    expect_gpa(&s, LINEAR_4L & ~0x1FFFFFull, SUPERVISOR_READ, 0x8034400000ull, GUEST_PAGE_1G);
    /* CR3 bits 11:0 (PCID, or PWT and PCD) are not address bits. */
    s.cr3 = TABLES | 0x123;
    expect_gpa(&s, LINEAR_4L, SUPERVISOR_READ, 0x8034567abcull, GUEST_PAGE_1G);
    s.cr3 = TABLES;
    /* A 4 KiB PTE's bit 7 is PAT, not PS. */
    map_long(top, LINEAR_4L, 12, DATA, P | PS, P | RW);
    expect_gpa(&s, LINEAR_4L, SUPERVISOR_READ, DATA | 0xabc, GUEST_PAGE_4K);
    /* Bits 62:52 are ignored with 4-level paging. */
    map_long(top, LINEAR_4L, 12, DATA, P | (0x7FFull << 52), P | RW);
    expect_gpa(&s, LINEAR_4L, SUPERVISOR_READ, DATA | 0xabc, GUEST_PAGE_4K);
}

static void test_4level_reserved_bits(void **state)
{
    struct guest_paging_state s = four_level();
    const unsigned top = 39;

    (void)state;
    map_long(top, LINEAR_4L, 12, DATA, P | RW, P | RW);
    put64(slot(top, LINEAR_4L, 39), get64(slot(top, LINEAR_4L, 39)) | PS);    /* PML4E.PS */
    expect_pf(&s, LINEAR_4L, SUPERVISOR_READ, PF_P | PF_RSVD);
    put64(slot(top, LINEAR_4L, 39), P | RW | PS);      /* PS alone, no other bit to trip on */
    expect_pf(&s, LINEAR_4L, SUPERVISOR_READ, PF_P | PF_RSVD);
    map_long(top, LINEAR_4L, 30, 0x40000000ull | (1ull << 13), P | RW, P | RW);   /* 29:13 */
    expect_pf(&s, LINEAR_4L, GUEST_ACCESS_WRITE, PF_P | PF_W | PF_RSVD);
    map_long(top, LINEAR_4L, 30, 0x40000000ull | (1ull << 29), P | RW, P | RW);
    expect_pf(&s, LINEAR_4L, SUPERVISOR_READ, PF_P | PF_RSVD);
    map_long(top, LINEAR_4L, 21, 0x200000ull | (1ull << 20), P | RW, P | RW);     /* 20:13 */
    expect_pf(&s, LINEAR_4L, SUPERVISOR_READ, PF_P | PF_RSVD);
    /* Above MAXPHYADDR: bit 40 reserved with 40, an address bit with 41. */
    map_long(top, LINEAR_4L, 12, DATA | (1ull << 40), P | RW, P | RW);
    expect_pf(&s, LINEAR_4L, GUEST_ACCESS_USER, PF_P | PF_U | PF_RSVD);
    s.maxphyaddr = 41;
    expect_gpa(&s, LINEAR_4L, SUPERVISOR_READ, (1ull << 40) | DATA | 0xabc, GUEST_PAGE_4K);
    /* In a table entry too, at any level. */
    s.maxphyaddr = 40;
    map_long(top, LINEAR_4L, 12, DATA, P | RW, P | RW);
    put64(slot(top, LINEAR_4L, 30), get64(slot(top, LINEAR_4L, 30)) | (1ull << 51));
    expect_pf(&s, LINEAR_4L, SUPERVISOR_READ, PF_P | PF_RSVD);
    /* XD without NXE is reserved, even in a table entry and for a read. */
    map_long(top, LINEAR_4L, 12, DATA, P | RW, P | RW | XD);
    s.efer &= ~EFER_NXE;
    expect_pf(&s, LINEAR_4L, SUPERVISOR_READ, PF_P | PF_RSVD);
    s.efer |= EFER_NXE;
    expect_gpa(&s, LINEAR_4L, SUPERVISOR_READ, DATA | 0xabc, GUEST_PAGE_4K);
    /* A not-present entry's other bits are not looked at. */
    map_long(top, LINEAR_4L, 12, DATA | (1ull << 45), RW | PS, P | RW);
    expect_pf(&s, LINEAR_4L, SUPERVISOR_READ, 0);
}

static void test_4level_not_present_each_level(void **state)
{
    struct guest_paging_state s = four_level();
    const unsigned top = 39;

    (void)state;
    for (unsigned shift = 39; shift >= 12; shift -= 9) {
        map_long(top, LINEAR_4L, 12, DATA, P | RW | US, P | RW | US);
        put64(slot(top, LINEAR_4L, shift), get64(slot(top, LINEAR_4L, shift)) & ~P);
        expect_pf(&s, LINEAR_4L, GUEST_ACCESS_USER | GUEST_ACCESS_WRITE, PF_W | PF_U);
        expect_pf(&s, LINEAR_4L, GUEST_ACCESS_FETCH, PF_ID);
        expect_pf(&s, LINEAR_4L, GUEST_ACCESS_FETCH | GUEST_ACCESS_USER, PF_U | PF_ID);
    }
}

static void test_4level_rights(void **state)
{
    struct guest_paging_state s = four_level();
    const unsigned top = 39;

    (void)state;
    /* U/S clear at one level only (the PDE) makes the page supervisor. */
    map_long(top, LINEAR_4L, 12, DATA, P | RW | US, P | RW | US);
    put64(slot(top, LINEAR_4L, 21), get64(slot(top, LINEAR_4L, 21)) & ~US);
    expect_pf(&s, LINEAR_4L, GUEST_ACCESS_USER, PF_P | PF_U);
    expect_gpa(&s, LINEAR_4L, GUEST_ACCESS_WRITE, DATA | 0xabc, GUEST_PAGE_4K);
    /* R/W clear at the PML4E only: user writes fault; supervisor ones only with CR0.WP. */
    map_long(top, LINEAR_4L, 12, DATA, P | RW | US, P | RW | US);
    put64(slot(top, LINEAR_4L, 39), get64(slot(top, LINEAR_4L, 39)) & ~RW);
    expect_gpa(&s, LINEAR_4L, GUEST_ACCESS_USER, DATA | 0xabc, GUEST_PAGE_4K);
    expect_pf(&s, LINEAR_4L, GUEST_ACCESS_USER | GUEST_ACCESS_WRITE, PF_P | PF_W | PF_U);
    expect_pf(&s, LINEAR_4L, GUEST_ACCESS_WRITE, PF_P | PF_W);
    s.cr0 &= ~CR0_WP;
    expect_gpa(&s, LINEAR_4L, GUEST_ACCESS_WRITE, DATA | 0xabc, GUEST_PAGE_4K);
    expect_pf(&s, LINEAR_4L, GUEST_ACCESS_USER | GUEST_ACCESS_WRITE, PF_P | PF_W | PF_U);
    s.cr0 |= CR0_WP;
    /* XD at the PDPTE only: fetches fault, reads do not. */
    map_long(top, LINEAR_4L, 12, DATA, P | RW | US, P | RW | US);
    put64(slot(top, LINEAR_4L, 30), get64(slot(top, LINEAR_4L, 30)) | XD);
    expect_gpa(&s, LINEAR_4L, GUEST_ACCESS_USER, DATA | 0xabc, GUEST_PAGE_4K);
    expect_pf(&s, LINEAR_4L, GUEST_ACCESS_FETCH, PF_P | PF_ID);
    expect_pf(&s, LINEAR_4L, GUEST_ACCESS_FETCH | GUEST_ACCESS_USER, PF_P | PF_U | PF_ID);
    /* SMEP: a supervisor fetch from a user page faults; a supervisor page is fine. */
    map_long(top, LINEAR_4L, 12, DATA, P | RW | US, P | RW | US);
    expect_gpa(&s, LINEAR_4L, GUEST_ACCESS_FETCH, DATA | 0xabc, GUEST_PAGE_4K);
    s.cr4 |= CR4_SMEP;
    expect_pf(&s, LINEAR_4L, GUEST_ACCESS_FETCH, PF_P | PF_ID);
    expect_gpa(&s, LINEAR_4L, GUEST_ACCESS_FETCH | GUEST_ACCESS_USER, DATA | 0xabc, GUEST_PAGE_4K);
    map_long(top, LINEAR_4L, 12, DATA, P | RW, P | RW | US);
    expect_gpa(&s, LINEAR_4L, GUEST_ACCESS_FETCH, DATA | 0xabc, GUEST_PAGE_4K);
    /* SMEP alone (no NXE) still reports I/D. */
    s.efer &= ~EFER_NXE;
    map_long(top, LINEAR_4L, 12, DATA, P | RW | US, P | RW | US);
    expect_pf(&s, LINEAR_4L, GUEST_ACCESS_FETCH, PF_P | PF_ID);
}

static void test_4level_canonical(void **state)
{
    struct guest_paging_state s = four_level();
    struct guest_translation t;
    const uint64_t kernel = 0xFFFF800000201000ull;     /* PML4 entry 256 */

    (void)state;
    assert_int_equal(guest_walk(&s, &mem, 0x0000800000000000ull, SUPERVISOR_READ, &t),
                     GUEST_WALK_NON_CANONICAL);
    assert_int_equal(guest_walk(&s, &mem, 0xFFFF7FFFFFFFF000ull, SUPERVISOR_READ, &t),
                     GUEST_WALK_NON_CANONICAL);
    assert_int_equal(guest_walk(&s, &mem, 0x8000000000000000ull, SUPERVISOR_READ, &t),
                     GUEST_WALK_NON_CANONICAL);
    assert_int_equal(ram.reads, 0);
    map_long(39, kernel, 12, DATA, P | RW, P | RW);
    assert_int_equal(slot(39, kernel, 39), TABLES + 256 * 8);
    expect_gpa(&s, kernel + 0x10, SUPERVISOR_READ, DATA | 0x10, GUEST_PAGE_4K);
}

/* ---- 5-level paging ---------------------------------------------------------------------- */
static void test_5level(void **state)
{
    struct guest_paging_state s = five_level();
    struct guest_translation t;
    const uint64_t linear = 0x00ABCDEF12345678ull;     /* above 2^47: only 5-level reaches it */

    (void)state;
    map_long(48, linear, 12, DATA, P | RW | US, P | RW | US);
    expect_gpa(&s, linear, GUEST_ACCESS_USER, DATA | 0x678, GUEST_PAGE_4K);
    map_long(48, linear, 30, 0x80000000ull, P | RW, P | RW);
    expect_gpa(&s, linear, SUPERVISOR_READ, 0x80000000ull | (linear & 0x3FFFFFFF), GUEST_PAGE_1G);
    map_long(48, linear, 21, 0x80000000ull, P | RW, P | RW);
    expect_gpa(&s, linear, SUPERVISOR_READ, 0x80000000ull | (linear & 0x1FFFFF), GUEST_PAGE_2M);
    put64(slot(48, linear, 48), get64(slot(48, linear, 48)) | PS);     /* PML5E.PS reserved */
    expect_pf(&s, linear, SUPERVISOR_READ, PF_P | PF_RSVD);
    put64(slot(48, linear, 48), P | RW | PS);
    expect_pf(&s, linear, SUPERVISOR_READ, PF_P | PF_RSVD);
    put64(slot(48, linear, 48), 0);
    expect_pf(&s, linear, GUEST_ACCESS_WRITE, PF_W);
    assert_int_equal(guest_walk(&s, &mem, 0x0100000000000000ull, SUPERVISOR_READ, &t),
                     GUEST_WALK_NON_CANONICAL);
    assert_int_equal(guest_walk(&s, &mem, 0xFF00000000000000ull, SUPERVISOR_READ, &t),
                     GUEST_WALK_PAGE_FAULT);            /* canonical: PML5 entry 256 is empty */
    s = four_level();
    assert_int_equal(guest_walk(&s, &mem, linear, SUPERVISOR_READ, &t), GUEST_WALK_NON_CANONICAL);
}

/* ---- tables outside guest RAM ------------------------------------------------------------ */
static void test_tables_outside_ram(void **state)
{
    struct guest_paging_state s = four_level();
    struct guest_translation t;

    (void)state;
    s.cr3 = 0x100000000ull;
    assert_int_equal(guest_walk(&s, &mem, LINEAR_4L, SUPERVISOR_READ, &t),
                     GUEST_WALK_TABLE_OUTSIDE_RAM);
    assert_int_equal(t.entry_gpa, 0x100000000ull + ((LINEAR_4L >> 39) & 511) * 8);
    s = four_level();
    map_long(39, LINEAR_4L, 12, DATA, P | RW, P | RW);
    put64(slot(39, LINEAR_4L, 21), 0x7FFFF000ull | P | RW);    /* page table beyond RAM */
    assert_int_equal(guest_walk(&s, &mem, LINEAR_4L, SUPERVISOR_READ, &t),
                     GUEST_WALK_TABLE_OUTSIDE_RAM);
    assert_int_equal(t.entry_gpa, 0x7FFFF000ull + ((LINEAR_4L >> 12) & 511) * 8);
    /* A data page outside RAM is fine for a walk: it may be the MMIO page itself. */
    map_long(39, LINEAR_4L, 12, 0xFEE00000ull, P | RW, P | RW);
    expect_gpa(&s, LINEAR_4L, SUPERVISOR_READ, 0xFEE00abcull, GUEST_PAGE_4K);

    struct guest_paging_state p = pae();
    p.cr3 = 0xFFFFFFE0u;
    assert_int_equal(guest_walk(&p, &mem, 0, SUPERVISOR_READ, &t), GUEST_WALK_TABLE_OUTSIDE_RAM);
    assert_int_equal(t.entry_gpa, 0xFFFFFFE0u);
    struct guest_paging_state l = legacy32();
    l.cr3 = 0x80000000u;
    assert_int_equal(guest_walk(&l, &mem, 0xFFFFFFFF, SUPERVISOR_READ, &t),
                     GUEST_WALK_TABLE_OUTSIDE_RAM);
    assert_int_equal(t.entry_gpa, 0x80000000u + 0x3FF * 4);
}

/* ---- reading across pages ---------------------------------------------------------------- */
#define CODE_LINEAR 0x400FF8ull      /* 8 bytes before a page boundary */
#define CODE_PAGE0  0x21000ull
#define CODE_PAGE1  0x23000ull      /* not adjacent to the first: each page is walked */

static void map_code(bool second_present)
{
    map_long(39, CODE_LINEAR, 12, CODE_PAGE0, P | RW | US, P | RW | US);
    map_long(39, CODE_LINEAR + 0x1000, 12, CODE_PAGE1, second_present ? P | US : 0, P | RW | US);
    for (unsigned i = 0; i < 8; i++)
        ram.bytes[CODE_PAGE0 + 0xFF8 + i] = (uint8_t)(0xA0 + i);
    for (unsigned i = 0; i < 8; i++)
        ram.bytes[CODE_PAGE1 + i] = (uint8_t)(0xB0 + i);
}

static void test_read_across_pages(void **state)
{
    struct guest_paging_state s = four_level();
    static const uint8_t expected[15] = { 0xA0, 0xA1, 0xA2, 0xA3, 0xA4, 0xA5, 0xA6, 0xA7,
                                          0xB0, 0xB1, 0xB2, 0xB3, 0xB4, 0xB5, 0xB6 };
    struct guest_translation last;
    uint8_t buf[15];
    size_t copied;

    (void)state;
    map_code(true);
    assert_int_equal(guest_read_linear(&s, &mem, CODE_LINEAR, GUEST_ACCESS_FETCH, buf, 15,
                                       &copied, &last), GUEST_WALK_OK);
    assert_int_equal(copied, 15);
    assert_memory_equal(buf, expected, 15);
    assert_int_equal(last.gpa, CODE_PAGE1);
    /* Within one page: one walk. */
    assert_int_equal(guest_read_linear(&s, &mem, CODE_LINEAR, GUEST_ACCESS_FETCH, buf, 8,
                                       &copied, &last), GUEST_WALK_OK);
    assert_int_equal(copied, 8);
    assert_int_equal(guest_read_linear(&s, &mem, CODE_LINEAR, GUEST_ACCESS_READ, buf, 0,
                                       &copied, &last), GUEST_WALK_OK);
    assert_int_equal(copied, 0);
}

static void test_read_second_page_not_present(void **state)
{
    struct guest_paging_state s = four_level();
    struct guest_translation last;
    uint8_t buf[15];
    size_t copied;

    (void)state;
    map_code(false);
    memset(buf, 0, sizeof(buf));
    assert_int_equal(guest_read_linear(&s, &mem, CODE_LINEAR, GUEST_ACCESS_FETCH | GUEST_ACCESS_USER,
                                       buf, 15, &copied, &last), GUEST_WALK_PAGE_FAULT);
    assert_int_equal(copied, 8);                           /* the first page's bytes arrived */
    assert_int_equal(buf[7], 0xA7);
    assert_int_equal(last.linear, CODE_LINEAR + 8);        /* CR2: the second page's start */
    assert_int_equal(last.error_code, PF_U | PF_ID);
}

static void test_read_page_outside_ram(void **state)
{
    struct guest_paging_state s = four_level();
    struct guest_translation last;
    uint8_t buf[4];
    size_t copied;

    (void)state;
    map_long(39, LINEAR_4L, 12, 0xFEE00000ull, P | RW, P | RW);
    assert_int_equal(guest_read_linear(&s, &mem, LINEAR_4L, GUEST_ACCESS_READ, buf, 4, &copied,
                                       &last), GUEST_WALK_PAGE_OUTSIDE_RAM);
    assert_int_equal(copied, 0);
    assert_int_equal(last.entry_gpa, 0xFEE00abcull);
}

static void test_bad_arguments(void **state)
{
    struct guest_paging_state s = four_level();
    struct guest_memory no_reader = { 0 };
    struct guest_translation t;
    size_t copied;
    uint8_t buf[1];

    (void)state;
    assert_int_equal(guest_walk(&s, &mem, 0, GUEST_ACCESS_WRITE | GUEST_ACCESS_FETCH, &t),
                     GUEST_WALK_BAD_ARGUMENT);
    assert_int_equal(guest_walk(&s, &mem, 0, 1u << 7, &t), GUEST_WALK_BAD_ARGUMENT);
    assert_int_equal(guest_walk(&s, &no_reader, 0, 0, &t), GUEST_WALK_BAD_ARGUMENT);
    assert_int_equal(guest_walk(NULL, &mem, 0, 0, &t), GUEST_WALK_BAD_ARGUMENT);
    assert_int_equal(guest_walk(&s, &mem, 0, 0, NULL), GUEST_WALK_BAD_ARGUMENT);
    s.maxphyaddr = 31;
    assert_int_equal(guest_walk(&s, &mem, 0, 0, &t), GUEST_WALK_BAD_ARGUMENT);
    s.maxphyaddr = 53;
    assert_int_equal(guest_walk(&s, &mem, 0, 0, &t), GUEST_WALK_BAD_ARGUMENT);
    s.maxphyaddr = 52;
    assert_int_equal(guest_walk(&s, &mem, 0, 0, &t), GUEST_WALK_PAGE_FAULT);
    assert_int_equal(guest_read_linear(&s, &mem, 0, 0, buf, 1, NULL, &t), GUEST_WALK_BAD_ARGUMENT);
    assert_int_equal(guest_read_linear(&s, &mem, 0, 0, NULL, 1, &copied, &t),
                     GUEST_WALK_BAD_ARGUMENT);
}

static void test_result_names(void **state)
{
    (void)state;
    for (int i = 0; i < GUEST_WALK_RESULT_COUNT; i++) {
        const char *name = guest_walk_result_name((enum guest_walk_result)i);
        assert_non_null(name);
        assert_string_not_equal(name, "unknown result");
        for (int j = 0; j < i; j++)
            assert_string_not_equal(name, guest_walk_result_name((enum guest_walk_result)j));
    }
    assert_string_equal(guest_walk_result_name(GUEST_WALK_PAGE_FAULT), "page fault");
    assert_string_equal(guest_walk_result_name(GUEST_WALK_RESULT_COUNT), "unknown result");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_paging_off, reset_ram),
        cmocka_unit_test_setup(test_32bit_4k, reset_ram),
        cmocka_unit_test_setup(test_32bit_4m_pse36, reset_ram),
        cmocka_unit_test_setup(test_32bit_4m_reserved_bits, reset_ram),
        cmocka_unit_test_setup(test_32bit_not_present_and_rights, reset_ram),
        cmocka_unit_test_setup(test_pae_4k_and_2m, reset_ram),
        cmocka_unit_test_setup(test_pae_pdpte, reset_ram),
        cmocka_unit_test_setup(test_pae_reserved_and_xd, reset_ram),
        cmocka_unit_test_setup(test_4level_page_sizes, reset_ram),
        cmocka_unit_test_setup(test_4level_reserved_bits, reset_ram),
        cmocka_unit_test_setup(test_4level_not_present_each_level, reset_ram),
        cmocka_unit_test_setup(test_4level_rights, reset_ram),
        cmocka_unit_test_setup(test_4level_canonical, reset_ram),
        cmocka_unit_test_setup(test_5level, reset_ram),
        cmocka_unit_test_setup(test_tables_outside_ram, reset_ram),
        cmocka_unit_test_setup(test_read_across_pages, reset_ram),
        cmocka_unit_test_setup(test_read_second_page_not_present, reset_ram),
        cmocka_unit_test_setup(test_read_page_outside_ram, reset_ram),
        cmocka_unit_test_setup(test_bad_arguments, reset_ram),
        cmocka_unit_test_setup(test_result_names, reset_ram),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
