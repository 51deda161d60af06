/* Fixture for tests/unit/test_guest_walk.c: a fake guest RAM behind struct guest_memory, page
 * tables built in it for 4- and 5-level paging, and walk expectations (Intel SDM Vol. 3A,
 * chapter 4). Included once, after <cmocka.h>. */
#ifndef TESTS_UNIT_GUEST_WALK_FIXTURE_H
#define TESTS_UNIT_GUEST_WALK_FIXTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "vcpu/guest_walk.h"

/* Register and entry bits spelled out from the SDM here, so a wrong constant in the module
 * shows up as a failure. */
#define CR0_PE      (1ull << 0)
#define CR0_WP      (1ull << 16)
#define CR0_PG      (1ull << 31)
#define CR4_PSE     (1ull << 4)
#define CR4_PAE     (1ull << 5)
#define CR4_LA57    (1ull << 12)
#define CR4_SMEP    (1ull << 20)
#define EFER_LME    (1ull << 8)
#define EFER_LMA    (1ull << 10)
#define EFER_NXE    (1ull << 11)

#define P   (1ull << 0)
#define RW  (1ull << 1)
#define US  (1ull << 2)
#define PS  (1ull << 7)
#define XD  (1ull << 63)

#define PF_P    0x1u
#define PF_W    0x2u
#define PF_U    0x4u
#define PF_RSVD 0x8u
#define PF_ID   0x10u

#define SUPERVISOR_READ GUEST_ACCESS_READ
#define RAM_SIZE        (64 * 4096)
#define TABLES          0x1000ull   /* page tables at consecutive pages from here, top first */
#define DATA            0x20000ull  /* a data page */

struct fake_ram {
    uint8_t bytes[RAM_SIZE];
    unsigned reads;
};

static struct fake_ram ram;

static bool ram_read(void *ctx, uint64_t gpa, void *buf, size_t len)
{
    struct fake_ram *r = ctx;

    /* The walker promises never to cross a 4 KiB boundary in one read. */
    assert_true(len > 0 && len <= 4096 && (gpa & 0xFFF) + len <= 4096);
    r->reads++;
    if (gpa >= RAM_SIZE || len > RAM_SIZE - gpa)
        return false;
    memcpy(buf, r->bytes + gpa, len);
    return true;
}

static const struct guest_memory mem = { .read = ram_read, .ctx = &ram };

static void put64(uint64_t gpa, uint64_t value)
{
    for (unsigned i = 0; i < 8; i++)
        ram.bytes[gpa + i] = (uint8_t)(value >> (8 * i));
}

static void put32(uint64_t gpa, uint32_t value)
{
    for (unsigned i = 0; i < 4; i++)
        ram.bytes[gpa + i] = (uint8_t)(value >> (8 * i));
}

static uint64_t get64(uint64_t gpa)
{
    uint64_t value = 0;
    for (unsigned i = 0; i < 8; i++)
        value |= (uint64_t)ram.bytes[gpa + i] << (8 * i);
    return value;
}

static int reset_ram(void **state)
{
    (void)state;
    memset(&ram, 0, sizeof(ram));
    return 0;
}

/* ---- 4-level and 5-level tables: one table page per level, top level at TABLES ---------- */

/* The address of the entry that the level mapping 2^shift bytes uses for `linear`. */
static uint64_t slot(unsigned top_shift, uint64_t linear, unsigned shift)
{
    return TABLES + (top_shift - shift) / 9 * 0x1000 + ((linear >> shift) & 511) * 8;
}

/* Maps `linear` to `target` with a page of 2^leaf_shift bytes; the leaf gets leaf_flags (and
 * PS above 4 KiB), every table entry above it table_flags. */
static void map_long(unsigned top_shift, uint64_t linear, unsigned leaf_shift, uint64_t target,
                     uint64_t leaf_flags, uint64_t table_flags)
{
    for (unsigned shift = top_shift; shift > leaf_shift; shift -= 9) {
        uint64_t next_table = TABLES + ((top_shift - shift) / 9 + 1) * 0x1000;
        put64(slot(top_shift, linear, shift), next_table | table_flags);
    }
    put64(slot(top_shift, linear, leaf_shift), target | leaf_flags | (leaf_shift > 12 ? PS : 0));
}

static struct guest_paging_state four_level(void)
{
    return (struct guest_paging_state){ .cr0 = CR0_PE | CR0_PG | CR0_WP, .cr3 = TABLES,
                                        .cr4 = CR4_PAE, .efer = EFER_LME | EFER_LMA | EFER_NXE,
                                        .maxphyaddr = 40 };
}

static struct guest_paging_state five_level(void)
{
    struct guest_paging_state s = four_level();
    s.cr4 |= CR4_LA57;
    return s;
}

/* Walks and expects a translation. */
static void expect_gpa(const struct guest_paging_state *s, uint64_t linear, unsigned access,
                       uint64_t gpa, uint64_t page_size)
{
    struct guest_translation t;

    assert_int_equal(guest_walk(s, &mem, linear, access, &t), GUEST_WALK_OK);
    assert_int_equal(t.gpa, gpa);
    assert_int_equal(t.page_size, page_size);
}

/* Walks and expects a #PF with this error code. */
static void expect_pf(const struct guest_paging_state *s, uint64_t linear, unsigned access,
                      uint32_t error_code)
{
    struct guest_translation t;

    assert_int_equal(guest_walk(s, &mem, linear, access, &t), GUEST_WALK_PAGE_FAULT);
    assert_int_equal(t.error_code, error_code);
    assert_int_equal(t.linear, linear);
}

#endif
