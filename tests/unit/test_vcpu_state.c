/* Entry states by CPU mode (vcpu/entry_state.c) pass the software VM-entry checks with
 * Bochs corei7_skylake_x's controls (unrestricted guest on), and the per-vCPU range
 * registry (vcpu/range_registry.c) keeps device claims sorted and disjoint. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "arch/x86/cpu_regs.h"
#include "arch/x86/msr.h"
#include "vcpu/cr_rules.h"
#include "vcpu/entry_state.h"
#include "vcpu/range_registry.h"
#include "vcpu/xcr0.h"
#include "vmx/guest_state_check.h"

/* Bochs corei7_skylake_x, negotiated (the figures of test_guest_state_check.c). */
#define BOCHS_PIN       0x0000007fu
#define BOCHS_PRIMARY   0xb6186df2u
#define BOCHS_SECONDARY 0x001010aau
#define BOCHS_ENTRY     0x0000d1ffu
#define CR0_FIXED0      0x80000021u
#define CR4_FIXED0      0x2000u

/* What vmcs_setup() writes for an entry state: VMX's fixed bits on top (PE and PG relaxed by
 * unrestricted guest), DR7 and PAT at reset values, no VMCS link. */
static bool passes_entry_checks(const struct vcpu_entry *e, char *why, size_t why_size)
{
    const struct vmx_entry_state *s = &e->cpu;
    uint64_t fixed0 = CR0_FIXED0 & ~(uint64_t)(CR0_PE | CR0_PG);
    struct vmx_guest_state g = {
        .cr0 = s->cr0 | fixed0, .cr3 = s->cr3, .cr4 = s->cr4 | CR4_FIXED0, .dr7 = 0x400,
        .rsp = s->rsp, .rip = s->rip, .rflags = s->rflags,
        .es = s->es, .cs = s->cs, .ss = s->ss, .ds = s->ds, .fs = s->fs, .gs = s->gs,
        .ldtr = s->ldtr, .tr = s->tr,
        .gdtr_base = s->gdtr_base, .gdtr_limit = s->gdtr_limit,
        .idtr_base = s->idtr_base, .idtr_limit = s->idtr_limit,
        .pat = PAT_POWER_ON_DEFAULT, .efer = s->efer,
        .vmcs_link_pointer = VMX_VMCS_LINK_POINTER_NONE,
    };
    struct vmx_guest_check_context c = {
        .pin = BOCHS_PIN, .primary = BOCHS_PRIMARY, .secondary = BOCHS_SECONDARY,
        .entry = BOCHS_ENTRY | ((s->efer & EFER_LMA) ? VMX_ENTRY_IA32E_MODE_GUEST : 0),
        .cr0_fixed0 = CR0_FIXED0, .cr0_fixed1 = 0xffffffff,
        .cr4_fixed0 = CR4_FIXED0, .cr4_fixed1 = 0x3727ff,
        .physical_address_width = 40, .linear_address_width = 48,
        .activity_hlt_supported = true,
    };
    struct vmx_guest_check_result r;
    bool ok = vmx_guest_state_check(&g, &c, &r);
    snprintf(why, why_size, "%s: %s", r.check, r.detail);
    return ok;
}

static void assert_enters(const struct vcpu_entry *e)
{
    char why[256];
    if (!passes_entry_checks(e, why, sizeof(why)))
        fail_msg("entry state refused: %s", why);
}

static void test_long_mode_entry(void **state)
{
    (void)state;
    struct vcpu_entry e;
    const struct entry_long_mode m = { .rip = 0x100000, .rsp = 0x80000, .cr3 = 0x3000,
                                       .gdtr_base = 0x1000, .gdtr_limit = 0x2f,
                                       .tr_base = 0x1800, .tr_limit = 0x67,
                                       .cs = 0x08, .ds = 0x10, .tr = 0x18 };
    entry_state_long_mode(&e, &m);
    assert_enters(&e);
    assert_true(e.cpu.efer & EFER_LMA);
    assert_int_equal(e.cpu.cs.access_rights, ENTRY_AR_CODE64);
    assert_int_equal(e.cpu.rip, 0x100000);
}

static void test_protected_flat_entry(void **state)
{
    (void)state;
    struct vcpu_entry e;
    entry_state_protected_flat(&e, 0x101000, 0x08, 0x10);
    assert_enters(&e);
    assert_int_equal(e.cpu.cr0 & (CR0_PE | CR0_PG), CR0_PE);
    assert_int_equal(e.cpu.efer, 0);
    assert_int_equal(e.cpu.cs.limit, 0xFFFFFFFFu);
}

static void test_real_mode_entry(void **state)
{
    (void)state;
    struct vcpu_entry e;
    entry_state_real_mode(&e, 0x1000, 0x0, 0x2000);
    assert_enters(&e);
    assert_int_equal(e.cpu.cs.base, 0x10000);
    assert_int_equal(e.cpu.ds.base, 0x20000);
    assert_int_equal(e.cpu.cr0 & CR0_PE, 0);
}

/* The checker is not a rubber stamp: a long-mode state with CS.D/B set is refused. */
static void test_checker_refuses_a_broken_state(void **state)
{
    (void)state;
    struct vcpu_entry e;
    const struct entry_long_mode m = { .rip = 0x100000, .cr3 = 0x3000, .tr_limit = 0x67,
                                       .cs = 0x08, .ds = 0x10, .tr = 0x18 };
    entry_state_long_mode(&e, &m);
    e.cpu.cs.access_rights |= VMX_SEG_AR_DB;
    char why[256];
    assert_false(passes_entry_checks(&e, why, sizeof(why)));
    assert_non_null(strstr(why, "cs-l-db"));
}

/* ---- XCR0 rules (vcpu/xcr0.c) ------------------------------------------------------------ */

/* A CPU with every component these rules name (x87 SSE AVX, MPX, AVX-512, AMX). */
#define ALL_COMPONENTS  (XCR0_X87 | XCR0_SSE | XCR0_AVX | XCR0_MPX | XCR0_AVX512 | XCR0_AMX)

static void test_xcr0_rules(void **state)
{
    (void)state;
    static const struct { uint64_t value; bool ok; } cases[] = {
        { XCR0_X87, true },
        { XCR0_X87 | XCR0_SSE, true },
        { XCR0_X87 | XCR0_SSE | XCR0_AVX, true },
        { XCR0_X87 | XCR0_SSE | XCR0_AVX | XCR0_AVX512, true },
        { XCR0_X87 | XCR0_MPX, true },
        { XCR0_X87 | XCR0_SSE | XCR0_AMX, true },
        { ALL_COMPONENTS, true },
        { 0, false },                                               /* x87 off */
        { XCR0_SSE, false },
        { XCR0_X87 | XCR0_AVX, false },                             /* AVX without SSE */
        { XCR0_X87 | XCR0_SSE | XCR0_AVX | XCR0_OPMASK, false },    /* AVX-512 in part */
        { XCR0_X87 | XCR0_SSE | XCR0_AVX | XCR0_OPMASK | XCR0_ZMM_HI256, false },
        { XCR0_X87 | XCR0_SSE | XCR0_AVX512, false },               /* AVX-512 without AVX */
        { XCR0_X87 | XCR0_BNDREGS, false },                         /* MPX in part */
        { XCR0_X87 | XCR0_BNDCSR, false },
        { XCR0_X87 | XCR0_XTILECFG, false },                        /* AMX in part */
        { XCR0_X87 | XCR0_XTILEDATA, false },
        { XCR0_X87 | (1ull << 9), false },                          /* PKRU: not supported here */
        { XCR0_X87 | (1ull << 63), false },
    };
    for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const char *why = xcr0_refusal(cases[i].value, ALL_COMPONENTS);
        if ((why == NULL) != cases[i].ok)
            fail_msg("XCR0 0x%llx: %s", (unsigned long long)cases[i].value,
                     why ? why : "accepted");
    }
    /* Bochs corei7_skylake_x reports 0xe7: no MPX, no AMX. */
    assert_non_null(xcr0_refusal(XCR0_X87 | XCR0_MPX, 0xe7));
    assert_null(xcr0_refusal(0xe7, 0xe7));
    assert_string_equal(xcr0_refusal(XCR0_X87 | XCR0_AVX, ALL_COMPONENTS), "AVX without SSE");
}

/* Leaf 0DH's areas (standard format) as the fixtures report them: AVX, the three AVX-512
 * components, PKRU (nested KVM: 8 bytes at 0xa80; Bochs Ice Lake and Tiger Lake report 0/0),
 * and an AMX host's TILECFG and TILEDATA. */
static void reset_areas(struct xsave_area *a, bool bochs_pkru)
{
    memset(a, 0, XCR0_COMPONENTS * sizeof(*a));
    a[2] = (struct xsave_area){ 0x240, 0x100 };
    a[5] = (struct xsave_area){ 0x440, 0x40 };
    a[6] = (struct xsave_area){ 0x480, 0x200 };
    a[7] = (struct xsave_area){ 0x680, 0x400 };
    a[9] = bochs_pkru ? (struct xsave_area){ 0, 0 } : (struct xsave_area){ 0xa80, 8 };
    a[17] = (struct xsave_area){ 0xac0, 0x40 };
    a[18] = (struct xsave_area){ 0xb00, 0x2000 };
}

/* What a reset's XRSTOR of a 4 KiB init image initialises: PKRU too (it was left out, and a
 * guest's PKRU outlived its restart on Bochs Tiger Lake), never half a group. */
static void test_xcr0_reset_components(void **state)
{
    (void)state;
    struct xsave_area areas[XCR0_COMPONENTS];
    reset_areas(areas, false);
    assert_int_equal(xcr0_reset_components(0xe7, areas, 4096), 0xe7);      /* Bochs Skylake-X */
    assert_int_equal(xcr0_reset_components(0x2e7, areas, 4096), 0x2e7);    /* nested KVM */
    reset_areas(areas, true);
    assert_int_equal(xcr0_reset_components(0x2e7, areas, 4096), 0x2e7);    /* Bochs Tiger Lake */
    /* TILEDATA does not fit in 4 KiB, so TILECFG, which does, goes too. */
    assert_int_equal(xcr0_reset_components(0x602e7, areas, 4096), 0x2e7);
    assert_int_equal(xcr0_reset_components(0x602e7, areas, 0x2b00), 0x602e7);
    /* A smaller image: AVX-512 whole or not at all; AVX only with its area inside. */
    assert_int_equal(xcr0_reset_components(0xe7, areas, 1024), 0x7);
    assert_int_equal(xcr0_reset_components(0xe7, areas, 576), 0x3);
    /* An area whose end wraps 32 bits is not inside. */
    areas[9] = (struct xsave_area){ 0xFFFFFFF0u, 0x20 };
    assert_int_equal(xcr0_reset_components(0x2e7, areas, 4096), 0xe7);
}

/* ---- MOV to CR0/CR4 #GP rules (vcpu/cr_rules.c) ------------------------------------------ */

#define CR4_PCIDE   (1u << 17)

static void test_cr0_rules(void **state)
{
    (void)state;
    const struct cr_write_context real = { .cr4_allowed = 0x3727FF };
    const struct cr_write_context lme = { .cr0 = CR0_PE, .efer = EFER_LME, .cr4_allowed = 0x3727FF };
    const struct cr_write_context lme_pae = { .cr0 = CR0_PE, .cr4 = CR4_PAE, .efer = EFER_LME,
                                              .cr4_allowed = 0x3727FF };
    const struct cr_write_context long64 = { .cr0 = CR0_PE | CR0_PG, .cr4 = CR4_PAE,
                                             .efer = EFER_LME | EFER_LMA, .code64 = true,
                                             .cr4_allowed = 0x3727FF };
    const struct cr_write_context compat = { .cr0 = CR0_PE | CR0_PG, .cr4 = CR4_PAE,
                                             .efer = EFER_LME | EFER_LMA, .code64 = false,
                                             .cr4_allowed = 0x3727FF };
    assert_null(cr0_write_refusal(CR0_PE, &real));
    assert_null(cr0_write_refusal(CR0_PE | CR0_PG, &real));
    assert_non_null(cr0_write_refusal(1ull << 32, &real));
    assert_non_null(cr0_write_refusal(CR0_PG, &real));
    assert_non_null(cr0_write_refusal(CR0_PE | CR0_NW, &real));
    assert_null(cr0_write_refusal(CR0_PE | CR0_NW | CR0_CD, &real));
    assert_string_equal(cr0_write_refusal(CR0_PE | CR0_PG, &lme), "long mode without PAE");
    assert_null(cr0_write_refusal(CR0_PE | CR0_PG, &lme_pae));
    assert_string_equal(cr0_write_refusal(CR0_PE, &long64), "paging off in 64-bit mode");
    assert_null(cr0_write_refusal(CR0_PE, &compat));    /* leaving long mode from compat */
    assert_null(cr0_write_refusal(CR0_PE | CR0_PG | CR0_WP, &long64));
}

static void test_cr4_rules(void **state)
{
    (void)state;
    const struct cr_write_context legacy = { .cr4_allowed = 0x3727FF };
    const struct cr_write_context ia32e = { .cr4 = CR4_PAE, .efer = EFER_LME | EFER_LMA,
                                            .cr4_allowed = 0x3727FF | CR4_LA57 };
    struct cr_write_context ia32e_pcid = ia32e;
    ia32e_pcid.cr3 = 0x1005;
    assert_null(cr4_write_refusal(CR4_PAE | CR4_PGE, &legacy));
    assert_non_null(cr4_write_refusal(1ull << 40, &legacy));
    assert_non_null(cr4_write_refusal(CR4_VMXE, &(struct cr_write_context){
                                                    .cr4_allowed = 0x3727FF & ~CR4_VMXE }));
    assert_string_equal(cr4_write_refusal(CR4_PGE, &ia32e), "PAE off in IA-32e mode");
    assert_string_equal(cr4_write_refusal(CR4_PAE | CR4_LA57, &ia32e),
                        "LA57 changed in IA-32e mode");
    assert_non_null(cr4_write_refusal(CR4_PCIDE, &legacy));
    assert_null(cr4_write_refusal(CR4_PAE | CR4_PCIDE, &ia32e));
    assert_non_null(cr4_write_refusal(CR4_PAE | CR4_PCIDE, &ia32e_pcid));
}

/* ---- range registry ----------------------------------------------------------------------- */

static void test_registry_sorted_lookup(void **state)
{
    (void)state;
    struct range_registry r = { 0 };
    static const int a = 1, b = 2, c = 3;
    assert_int_equal(range_registry_add(&r, 0x3F8, 0x3FF, &a, 0), RANGE_ADDED);
    assert_int_equal(range_registry_add(&r, 0x20, 0x21, &b, 0), RANGE_ADDED);
    assert_int_equal(range_registry_add(&r, 0x2F8, 0x2FF, &c, 0), RANGE_ADDED);
    assert_int_equal(r.entries[0].first, 0x20);
    assert_int_equal(r.entries[1].first, 0x2F8);
    assert_int_equal(r.entries[2].first, 0x3F8);
    assert_ptr_equal(range_registry_find(&r, 0x3FD)->ops, &a);
    assert_ptr_equal(range_registry_find(&r, 0x21)->ops, &b);
    assert_ptr_equal(range_registry_find(&r, 0x2F8)->ops, &c);
    assert_null(range_registry_find(&r, 0x22));
    assert_null(range_registry_find(&r, 0x400));
    assert_null(range_registry_find(&r, 0));
}

static void test_registry_refuses_overlap_empty_and_full(void **state)
{
    (void)state;
    struct range_registry r = { 0 };
    static const int a = 1;
    assert_int_equal(range_registry_add(&r, 0x100, 0x1FF, &a, 0), RANGE_ADDED);
    assert_int_equal(range_registry_add(&r, 0x1FF, 0x200, &a, 0), RANGE_OVERLAPS);
    assert_int_equal(range_registry_add(&r, 0x0, 0x100, &a, 0), RANGE_OVERLAPS);
    assert_int_equal(range_registry_add(&r, 0x150, 0x160, &a, 0), RANGE_OVERLAPS);
    assert_int_equal(range_registry_add(&r, 0x0, 0xFFFF, &a, 0), RANGE_OVERLAPS);
    assert_int_equal(range_registry_add(&r, 0x300, 0x2FF, &a, 0), RANGE_EMPTY);
    for (uint64_t i = 1; i < RANGE_REGISTRY_MAX; i++)
        assert_int_equal(range_registry_add(&r, 0x1000 * i, 0x1000 * i, &a, 0), RANGE_ADDED);
    assert_int_equal(range_registry_add(&r, 0xFFFFF, 0xFFFFF, &a, 0), RANGE_FULL);
    assert_int_equal(r.count, RANGE_REGISTRY_MAX);
    for (uint32_t i = 1; i < r.count; i++)
        assert_true(r.entries[i - 1].last < r.entries[i].first);
    range_registry_clear(&r);
    assert_null(range_registry_find(&r, 0x100));
}

static void test_registry_full_64_bit_keys(void **state)
{
    (void)state;
    struct range_registry r = { 0 };
    static const int a = 1;
    assert_int_equal(range_registry_add(&r, 0xFEE00000, 0xFEE00FFF, &a, 0), RANGE_ADDED);
    assert_int_equal(range_registry_add(&r, UINT64_MAX - 1, UINT64_MAX, &a, 0), RANGE_ADDED);
    assert_non_null(range_registry_find(&r, UINT64_MAX));
    assert_non_null(range_registry_find(&r, 0xFEE00FFF));
    assert_null(range_registry_find(&r, 0xFEE01000));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_long_mode_entry),
        cmocka_unit_test(test_protected_flat_entry),
        cmocka_unit_test(test_real_mode_entry),
        cmocka_unit_test(test_checker_refuses_a_broken_state),
        cmocka_unit_test(test_xcr0_rules),
        cmocka_unit_test(test_xcr0_reset_components),
        cmocka_unit_test(test_cr0_rules),
        cmocka_unit_test(test_cr4_rules),
        cmocka_unit_test(test_registry_sorted_lookup),
        cmocka_unit_test(test_registry_refuses_overlap_empty_and_full),
        cmocka_unit_test(test_registry_full_64_bit_keys),
    };
    return cmocka_run_group_tests(tests, 0, 0);
}
