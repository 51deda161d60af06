/* Host unit tests for the guest-state checker (vmx/guest_state_check*.c, Intel SDM Vol. 3C,
 * 28.3.1): valid 64-bit, 32-bit, real-mode and virtual-8086 states pass; one broken field
 * per case fails with the expected check id and detail. Controls and fixed bits are Bochs's
 * corei7_skylake_x (see test_vmx_caps.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "vmx/guest_state_check.h"

/* ---- the base states ----------------------------------------------------------------- */

#define BOCHS_PIN       0x0000007fu     /* includes virtual NMIs */
#define BOCHS_PRIMARY   0xb6186df2u
#define BOCHS_SECONDARY 0x001010aau     /* EPT, RDTSCP, VPID, unrestricted guest, ... */
#define BOCHS_ENTRY     0x0000d1ffu     /* load debug controls, PAT, EFER */

enum base { LONG64, PROT32, REAL, V8086 };

#define SEG(sel, base_, lim, ar) \
    { .selector = (sel), .base = (base_), .limit = (lim), .access_rights = (ar) }

static void context_for(enum base base, struct vmx_guest_check_context *c)
{
    *c = (struct vmx_guest_check_context){
        .pin = BOCHS_PIN, .primary = BOCHS_PRIMARY, .secondary = BOCHS_SECONDARY,
        .entry = BOCHS_ENTRY,
        .cr0_fixed0 = 0x80000021, .cr0_fixed1 = 0xffffffff,
        .cr4_fixed0 = 0x2000, .cr4_fixed1 = 0x3727ff,
        .physical_address_width = 40, .linear_address_width = 48,
        .activity_hlt_supported = true, .activity_shutdown_supported = true,
        .activity_wait_for_sipi_supported = true,
    };
    if (base == LONG64)
        c->entry |= VMX_ENTRY_IA32E_MODE_GUEST;
    if (base == PROT32 || base == V8086)
        c->secondary &= ~VMX_PROC2_UNRESTRICTED_GUEST;
}

/* What a hypervisor builds for a 64-bit guest: paging on, flat segments, a busy 64-bit TSS,
 * EFER.LME|LMA. CR4.VMXE is forced by IA32_VMX_CR4_FIXED0; the read shadow hides it. */
static const struct vmx_guest_state long64 = {
    .cr0 = 0x80010033, .cr3 = 0x1000, .cr4 = 0x2020, .dr7 = 0x400, .rsp = 0x8000,
    .rip = 0xffffffff80100000ull, .rflags = 0x2,
    .es = SEG(0x10, 0, 0xffffffff, 0xc093), .cs = SEG(0x08, 0, 0xffffffff, 0xa09b),
    .ss = SEG(0x10, 0, 0xffffffff, 0xc093), .ds = SEG(0x10, 0, 0xffffffff, 0xc093),
    .fs = SEG(0x10, 0xffff888000000000ull, 0xffffffff, 0xc093), .gs = SEG(0, 0, 0, 0x10000),
    .ldtr = SEG(0, 0, 0, 0x10000), .tr = SEG(0x18, 0xffffffff80010000ull, 0x67, 0x8b),
    .gdtr_base = 0x2000, .gdtr_limit = 0x27, .idtr_base = 0x3000, .idtr_limit = 0xfff,
    .pat = 0x0007040600070406ull, .efer = 0xd01,
    .vmcs_link_pointer = 0xffffffffffffffffull,
};

/* A flat 32-bit protected-mode guest with paging and without unrestricted guest. */
static const struct vmx_guest_state prot32 = {
    .cr0 = 0x80000033, .cr3 = 0x1000, .cr4 = 0x2010, .dr7 = 0x400, .rsp = 0x8000,
    .rip = 0x100000, .rflags = 0x202,
    .es = SEG(0x10, 0, 0xffffffff, 0xc093), .cs = SEG(0x08, 0, 0xffffffff, 0xc09b),
    .ss = SEG(0x10, 0, 0xffffffff, 0xc093), .ds = SEG(0x10, 0, 0xffffffff, 0xc093),
    .fs = SEG(0x10, 0, 0xffffffff, 0xc093), .gs = SEG(0x10, 0, 0xffffffff, 0xc093),
    .ldtr = SEG(0, 0, 0, 0x10000), .tr = SEG(0x18, 0x5000, 0x67, 0x8b),
    .gdtr_base = 0x2000, .gdtr_limit = 0x27, .idtr_base = 0x3000, .idtr_limit = 0x7ff,
    .pat = 0x0007040600070406ull, .vmcs_link_pointer = 0xffffffffffffffffull,
};

/* The reset state an unrestricted guest starts from: real mode, CS:IP F000:FFF0. */
static const struct vmx_guest_state real_mode = {
    .cr0 = 0x30, .cr4 = 0x2000, .dr7 = 0x400, .rip = 0xfff0, .rflags = 0x2,
    .es = SEG(0, 0, 0xffff, 0x93), .cs = SEG(0xf000, 0xf0000, 0xffff, 0x9b),
    .ss = SEG(0, 0, 0xffff, 0x93), .ds = SEG(0, 0, 0xffff, 0x93),
    .fs = SEG(0, 0, 0xffff, 0x93), .gs = SEG(0, 0, 0xffff, 0x93),
    .ldtr = SEG(0, 0, 0xffff, 0x82), .tr = SEG(0, 0, 0xffff, 0x8b),
    .gdtr_limit = 0xffff, .idtr_limit = 0xffff,
    .pat = 0x0007040600070406ull, .vmcs_link_pointer = 0xffffffffffffffffull,
};

/* prot32 running a virtual-8086 task: base = selector * 16, limit 0xffff, rights 0xf3. */
static void make_v8086(struct vmx_guest_state *g)
{
    struct vmx_segment *six[] = { &g->es, &g->cs, &g->ss, &g->ds, &g->fs, &g->gs };

    *g = prot32;
    g->rflags = 0x20202;
    for (unsigned i = 0; i < 6; i++)
        *six[i] = (struct vmx_segment)SEG(0x1000 + 0x100 * i, (0x1000 + 0x100 * i) << 4,
                                          0xffff, 0xf3);
}

static void build(enum base base, struct vmx_guest_state *g, struct vmx_guest_check_context *c)
{
    context_for(base, c);
    if (base == LONG64)
        *g = long64;
    else if (base == PROT32)
        *g = prot32;
    else if (base == REAL)
        *g = real_mode;
    else
        make_v8086(g);
}

/* ---- one case per rule: a base, one change, the expected verdict ---------------------- */

#define MUT(fn) static void fn(struct vmx_guest_state *g __attribute__((unused)), \
                               struct vmx_guest_check_context *c __attribute__((unused)))

MUT(cr0_ne_clear)        { g->cr0 &= ~0x20ull; }
MUT(cr0_bit32)           { g->cr0 |= 1ull << 32; }
MUT(cr0_pe_clear)        { g->cr0 &= ~1ull; }
MUT(secondary_off)       { c->primary &= ~VMX_PROC_SECONDARY_CONTROLS; }
MUT(cr0_pg_only)         { g->cr0 = 0x80000030; }
MUT(cr4_vmxe_clear)      { g->cr4 = 0x20; }
MUT(cr4_la57)            { g->cr4 |= 1ull << 12; }
MUT(cet_without_wp)      { c->cr4_fixed1 |= 1ull << 23; g->cr4 |= 1ull << 23;
                           g->cr0 &= ~(1ull << 16); }
MUT(debugctl_bit16)      { g->debugctl = 0x10001; }
MUT(ia32e_no_pg)         { g->cr0 &= ~(1ull << 31); }
MUT(ia32e_no_pae)        { g->cr4 = 0x2000; }
MUT(pcide_32bit)         { g->cr4 |= 1ull << 17; }
MUT(cr3_bit40)           { g->cr3 = 0x10000001000ull; }
MUT(dr7_high)            { g->dr7 = 0x100000400ull; }
MUT(sysenter_eip)        { g->sysenter_eip = 0x800000000000ull; }
MUT(perf_global)         { c->entry |= VMX_ENTRY_LOAD_PERF_GLOBAL_CTRL;
                           c->perf_global_ctrl_reserved = ~0x70000000full;
                           g->perf_global_ctrl = 0x10; }
MUT(pat_pa1_2)           { g->pat = 0x0007040600070206ull; }
MUT(efer_svme)           { g->efer |= 1ull << 12; }
MUT(efer_lma_32bit)      { g->efer = 0x500; }
MUT(efer_lma_no_lme)     { g->efer = 0x401; }
MUT(bndcfgs_reserved)    { c->entry |= VMX_ENTRY_LOAD_BNDCFGS; g->bndcfgs = 0x1004; }
MUT(bndcfgs_base)        { c->entry |= VMX_ENTRY_LOAD_BNDCFGS; g->bndcfgs = 0x800000000001ull; }
MUT(tr_ti)               { g->tr.selector = 0x1c; }
MUT(ldtr_ti)             { g->ldtr = (struct vmx_segment)SEG(0x24, 0x4000, 0xffff, 0x82); }
MUT(ss_rpl3)             { g->ss.selector = 0x13; }
MUT(v86_ds_base)         { g->ds.base += 0x10; }
MUT(fs_base)             { g->fs.base = 0x800000000000ull; }
MUT(ds_base_high)        { g->ds.base = 0x100000000ull; }
MUT(v86_es_limit)        { g->es.limit = 0xfffff; }
MUT(v86_cs_rights)       { g->cs.access_rights = 0xfb; }
MUT(cs_data)             { g->cs.access_rights = 0xc093; }
MUT(cs_not_accessed)     { g->cs.access_rights = 0xa09a; }
MUT(ss_read_only)        { g->ss.access_rights = 0xc091; }
MUT(es_not_accessed)     { g->es.access_rights = 0xc092; }
MUT(ds_execute_only)     { g->ds.access_rights = 0xc099; }
MUT(cs_s_clear)          { g->cs.access_rights = 0xa08b; }
MUT(tr_s_set)            { g->tr.access_rights = 0x9b; }
MUT(real_cs_dpl3)        { g->cs.access_rights = 0xf3; }
MUT(cs_dpl3)             { g->cs.access_rights = 0xa0fb; }
MUT(cs_conforming_dpl3)  { g->cs.access_rights = 0xa0ff; }
MUT(ss_dpl3_rpl0)        { g->cs.access_rights = 0xc0fb; g->ss.access_rights = 0xc0f3; }
MUT(real_ss_dpl3)        { g->cs.access_rights = 0xfb; g->ss.access_rights = 0xf3; }
MUT(ds_rpl3)             { g->ds.selector = 0x13; }
MUT(fs_not_present)      { g->fs.access_rights = 0xc013; }
MUT(ldtr_not_present)    { g->ldtr = (struct vmx_segment)SEG(0x20, 0x4000, 0xffff, 0x02); }
MUT(ds_bit8)             { g->ds.access_rights = 0xc193; }
MUT(cs_l_and_db)         { g->cs.access_rights = 0xe09b; }
MUT(ss_g_small_limit)    { g->ss.limit = 0xffff0000; }
MUT(tr_big_limit)        { g->tr.limit = 0x100067; }
MUT(tr_16bit_ia32e)      { g->tr.access_rights = 0x83; }
MUT(tr_available)        { g->tr.access_rights = 0x89; }
MUT(tr_unusable)         { g->tr.access_rights = 0x1008b; }
MUT(ldtr_tss)            { g->ldtr = (struct vmx_segment)SEG(0x20, 0x4000, 0xffff, 0x8b); }
MUT(idtr_base)           { g->idtr_base = 0xffff7fff00000000ull; }
MUT(gdtr_limit)          { g->gdtr_limit = 0x10000; }
MUT(rip_high)            { g->rip = 0x100000000ull; }
MUT(compat_rip)          { g->cs.access_rights = 0xc09b; }
MUT(rip_bit48)           { g->rip = 0x1000000000000ull; }
MUT(rflags_bit15)        { g->rflags = 0x8002; }
MUT(rflags_zero)         { g->rflags = 0; }
MUT(v86_ia32e)           { c->entry |= VMX_ENTRY_IA32E_MODE_GUEST; g->cr4 |= 0x20;
                           g->efer = 0x500; }
MUT(inject_ext_if0)      { c->entry_interruption_info = 0x80000020; }
MUT(activity_4)          { g->activity_state = 4; }
MUT(sipi_unsupported)    { c->activity_wait_for_sipi_supported = false; g->activity_state = 3; }
MUT(hlt_cpl3)            { g->cs = (struct vmx_segment)SEG(0x1b, 0, 0xffffffff, 0xc0fb);
                           g->ss = (struct vmx_segment)SEG(0x23, 0, 0xffffffff, 0xc0f3);
                           g->activity_state = 1; }
MUT(hlt_sti)             { g->rflags = 0x202; g->interruptibility = 1; g->activity_state = 1; }
MUT(shutdown_pf)         { g->activity_state = 2; c->entry_interruption_info = 0x8000030e; }
MUT(sipi_smm)            { g->activity_state = 3; c->entry |= VMX_ENTRY_TO_SMM; }
MUT(intr_bit5)           { g->interruptibility = 0x20; }
MUT(intr_sti_mov_ss)     { g->rflags = 0x202; g->interruptibility = 3; }
MUT(intr_sti_if0)        { g->interruptibility = 1; }
MUT(intr_ext_mov_ss)     { g->rflags = 0x202; g->interruptibility = 2;
                           c->entry_interruption_info = 0x80000020; }
MUT(intr_nmi_mov_ss)     { g->interruptibility = 2; c->entry_interruption_info = 0x80000202; }
MUT(intr_smi)            { g->interruptibility = 4; }
MUT(intr_vnmi)           { g->interruptibility = 8; c->entry_interruption_info = 0x80000202; }
MUT(intr_enclave)        { g->interruptibility = 0x12; }
MUT(pending_bit4)        { g->pending_debug_exceptions = 0x10; }
MUT(pending_no_bs)       { g->rflags = 0x302; g->interruptibility = 1; }
MUT(pending_bs_hlt)      { g->activity_state = 1; g->pending_debug_exceptions = 0x4000; }
MUT(pending_rtm)         { g->pending_debug_exceptions = 0x10000; }
MUT(link_unaligned)      { g->vmcs_link_pointer = 0x1234; }
MUT(link_wide)           { g->vmcs_link_pointer = 0x10000000000ull; }
MUT(link_set)            { g->vmcs_link_pointer = 0x5000; }
MUT(pdpte_ept)           { g->cr4 |= 0x20; g->pdpte[1] = 0x4000; g->pdpte[2] = 0x5003; }
MUT(pdpte_no_ept)        { c->secondary &= ~VMX_PROC2_EPT; g->cr4 |= 0x20;
                           g->pdpte[0] = 0x8000000000001001ull; }

struct fail_case {
    const char *name;
    enum base base;
    void (*mutate)(struct vmx_guest_state *g, struct vmx_guest_check_context *c);
    const char *check;
    const char *detail;
};

#define EX "\"IA-32e mode guest\""
#define INTR "GUEST_INTERRUPTIBILITY_STATE "
#define PDE "GUEST_PENDING_DEBUG_EXCEPTIONS "

static const struct fail_case fail_cases[] = {
    /* 28.3.1.1 */
    { "CR0.NE clear", LONG64, cr0_ne_clear, "cr0-fixed",
      "GUEST_CR0 0x80010013: NE (bit 5) must be 1 (IA32_VMX_CR0_FIXED0 0x80000021)" },
    { "CR0 bit 32 set", LONG64, cr0_bit32, "cr0-fixed",
      "GUEST_CR0 0x180010033: bit 32 must be 0 (IA32_VMX_CR0_FIXED1 0xffffffff)" },
    { "CR0.PE clear without unrestricted guest", PROT32, cr0_pe_clear, "cr0-fixed",
      "GUEST_CR0 0x80000032: PE (bit 0) must be 1 (IA32_VMX_CR0_FIXED0 0x80000021)" },
    { "unrestricted guest with secondary controls off", REAL, secondary_off, "cr0-fixed",
      "GUEST_CR0 0x30: PE (bit 0) must be 1 (IA32_VMX_CR0_FIXED0 0x80000021)" },
    { "CR0.PG without PE", REAL, cr0_pg_only, "cr0-pg-without-pe",
      "GUEST_CR0 0x80000030: PG (bit 31) set but PE (bit 0) clear" },
    { "CR4.VMXE clear", LONG64, cr4_vmxe_clear, "cr4-fixed",
      "GUEST_CR4 0x20: VMXE (bit 13) must be 1 (IA32_VMX_CR4_FIXED0 0x2000)" },
    { "CR4.LA57 unsupported", LONG64, cr4_la57, "cr4-fixed",
      "GUEST_CR4 0x3020: LA57 (bit 12) must be 0 (IA32_VMX_CR4_FIXED1 0x3727ff)" },
    { "CR4.CET without CR0.WP", LONG64, cet_without_wp, "cr4-cet-without-wp",
      "GUEST_CR4 0x802020: CET (bit 23) set but GUEST_CR0 0x80000033 has WP (bit 16) clear" },
    { "DEBUGCTL bit 16", LONG64, debugctl_bit16, "debugctl-reserved",
      "GUEST_IA32_DEBUGCTL 0x10001: reserved bits 0x10000 set with \"load debug controls\"" },
    { "IA-32e without CR0.PG", LONG64, ia32e_no_pg, "ia32e-cr0-pg",
      "GUEST_CR0 0x10033: PG (bit 31) clear with " EX },
    { "IA-32e without CR4.PAE", LONG64, ia32e_no_pae, "ia32e-cr4-pae",
      "GUEST_CR4 0x2000: PAE (bit 5) clear with " EX },
    { "CR4.PCIDE outside IA-32e", PROT32, pcide_32bit, "cr4-pcide",
      "GUEST_CR4 0x22010: PCIDE (bit 17) set without " EX },
    { "CR3 beyond 40 bits", LONG64, cr3_bit40, "cr3-width",
      "GUEST_CR3 0x10000001000: bits beyond the 40-bit physical-address width set" },
    { "DR7 bit 32", LONG64, dr7_high, "dr7-high",
      "GUEST_DR7 0x100000400: bits 63:32 not 0 with \"load debug controls\"" },
    { "SYSENTER_EIP not canonical", LONG64, sysenter_eip, "sysenter-canonical",
      "GUEST_IA32_SYSENTER_EIP 0x800000000000: not canonical (48-bit linear addresses)" },
    { "PERF_GLOBAL_CTRL counter 4 of 4", LONG64, perf_global, "perf-global-reserved",
      "GUEST_IA32_PERF_GLOBAL_CTRL 0x10: reserved bits 0x10 set" },
    { "PAT entry 2", LONG64, pat_pa1_2, "pat-entry",
      "GUEST_IA32_PAT 0x0007040600070206: PA1 is 2, not a memory type (0, 1, 4, 5, 6, 7)" },
    { "EFER.SVME", LONG64, efer_svme, "efer-reserved",
      "GUEST_IA32_EFER 0x1d01: reserved bits 0x1000 set" },
    { "EFER.LMA in a 32-bit guest", PROT32, efer_lma_32bit, "efer-lma",
      "GUEST_IA32_EFER 0x500: LMA (bit 10) is 1 but " EX " is 0" },
    { "EFER.LMA without LME", LONG64, efer_lma_no_lme, "efer-lme",
      "GUEST_IA32_EFER 0x401: LMA (bit 10) is 1 but LME (bit 8) is 0 with CR0.PG 1" },
    { "BNDCFGS reserved", LONG64, bndcfgs_reserved, "bndcfgs-reserved",
      "GUEST_IA32_BNDCFGS 0x1004: reserved bits 11:2 not 0" },
    { "BNDCFGS base", LONG64, bndcfgs_base, "bndcfgs-canonical",
      "GUEST_IA32_BNDCFGS 0x800000000001: base (bits 63:12) not canonical" },
    /* 28.3.1.2 */
    { "TR.TI", LONG64, tr_ti, "tr-ti", "GUEST_TR_SELECTOR 0x001c: TI (bit 2) set" },
    { "LDTR.TI", LONG64, ldtr_ti, "ldtr-ti",
      "GUEST_LDTR_SELECTOR 0x0024: TI (bit 2) set in a usable LDTR" },
    { "SS.RPL 3 with CS.RPL 0", PROT32, ss_rpl3, "ss-rpl",
      "GUEST_SS_SELECTOR 0x0013: RPL 3 differs from GUEST_CS_SELECTOR 0x0008 RPL 0" },
    { "v8086 DS base", V8086, v86_ds_base, "v8086-base",
      "GUEST_DS_BASE 0x13010: not GUEST_DS_SELECTOR 0x1300 times 16 in a virtual-8086 guest" },
    { "FS base not canonical", LONG64, fs_base, "seg-base-canonical",
      "GUEST_FS_BASE 0x800000000000: not canonical (48-bit linear addresses)" },
    { "DS base above 4 GiB", PROT32, ds_base_high, "seg-base-high",
      "GUEST_DS_BASE 0x100000000: bits 63:32 not 0" },
    { "v8086 ES limit", V8086, v86_es_limit, "v8086-limit",
      "GUEST_ES_LIMIT 0x000fffff: must be 0x0000ffff in a virtual-8086 guest" },
    { "v8086 CS rights", V8086, v86_cs_rights, "v8086-access-rights",
      "GUEST_CS_ACCESS_RIGHTS 0x000000fb: must be 0x000000f3 in a virtual-8086 guest" },
    { "CS data without unrestricted guest", PROT32, cs_data, "cs-type",
      "GUEST_CS_ACCESS_RIGHTS 0x0000c093: type 3 is not an accessed code segment "
      "(9, 11, 13, 15)" },
    { "CS not accessed", LONG64, cs_not_accessed, "cs-type",
      "GUEST_CS_ACCESS_RIGHTS 0x0000a09a: type 10 is not an accessed code segment "
      "(9, 11, 13, 15; 3 with unrestricted guest)" },
    { "SS read-only", LONG64, ss_read_only, "ss-type",
      "GUEST_SS_ACCESS_RIGHTS 0x0000c091: type 1 is not a read/write accessed data segment "
      "(3, 7)" },
    { "ES not accessed", LONG64, es_not_accessed, "seg-accessed",
      "GUEST_ES_ACCESS_RIGHTS 0x0000c092: type 2 lacks the accessed bit (bit 0)" },
    { "DS execute-only code", LONG64, ds_execute_only, "seg-code-readable",
      "GUEST_DS_ACCESS_RIGHTS 0x0000c099: type 9 is an execute-only code segment "
      "(bit 1 clear)" },
    { "CS.S clear", LONG64, cs_s_clear, "seg-s",
      "GUEST_CS_ACCESS_RIGHTS 0x0000a08b: S (bit 4) clear, must be 1 (code or data)" },
    { "TR.S set", LONG64, tr_s_set, "seg-s",
      "GUEST_TR_ACCESS_RIGHTS 0x0000009b: S (bit 4) set, must be 0 (system segment)" },
    { "real-mode CS type 3 DPL 3", REAL, real_cs_dpl3, "cs-dpl",
      "GUEST_CS_ACCESS_RIGHTS 0x000000f3: DPL 3 of a type-3 (real-mode) CS must be 0" },
    { "CS.DPL 3 with SS.DPL 0", LONG64, cs_dpl3, "cs-dpl",
      "GUEST_CS_ACCESS_RIGHTS 0x0000a0fb: DPL 3 of a non-conforming code segment differs "
      "from SS.DPL 0" },
    { "conforming CS.DPL above SS.DPL", LONG64, cs_conforming_dpl3, "cs-dpl",
      "GUEST_CS_ACCESS_RIGHTS 0x0000a0ff: DPL 3 of a conforming code segment exceeds "
      "SS.DPL 0" },
    { "SS.DPL 3 with RPL 0", PROT32, ss_dpl3_rpl0, "ss-dpl-rpl",
      "GUEST_SS_ACCESS_RIGHTS 0x0000c0f3: DPL 3 differs from GUEST_SS_SELECTOR 0x0010 RPL 0" },
    { "real-mode SS.DPL 3", REAL, real_ss_dpl3, "ss-dpl-zero",
      "GUEST_SS_ACCESS_RIGHTS 0x000000f3: DPL 3 must be 0 with CR0.PE 0 or CS type 3" },
    { "DS.DPL below RPL", PROT32, ds_rpl3, "seg-dpl-rpl",
      "GUEST_DS_ACCESS_RIGHTS 0x0000c093: DPL 0 below GUEST_DS_SELECTOR 0x0013 RPL 3" },
    { "FS not present", LONG64, fs_not_present, "seg-present",
      "GUEST_FS_ACCESS_RIGHTS 0x0000c013: P (bit 7) clear" },
    { "LDTR not present", LONG64, ldtr_not_present, "seg-present",
      "GUEST_LDTR_ACCESS_RIGHTS 0x00000002: P (bit 7) clear" },
    { "DS rights bit 8", LONG64, ds_bit8, "seg-ar-reserved",
      "GUEST_DS_ACCESS_RIGHTS 0x0000c193: reserved bits 0x00000100 set (11:8, 31:17)" },
    { "CS.L with D/B", LONG64, cs_l_and_db, "cs-l-db",
      "GUEST_CS_ACCESS_RIGHTS 0x0000e09b: CS.L set with D/B set in IA-32e mode" },
    { "SS page-granular limit", LONG64, ss_g_small_limit, "seg-limit-g",
      "GUEST_SS_LIMIT 0xffff0000: G (bit 15) set but limit bits 11:0 not all 1 "
      "(access rights 0x0000c093)" },
    { "TR limit above 1 MiB", LONG64, tr_big_limit, "seg-limit-g",
      "GUEST_TR_LIMIT 0x00100067: limit bits 31:20 set but G (bit 15) clear "
      "(access rights 0x0000008b)" },
    { "16-bit TSS in IA-32e", LONG64, tr_16bit_ia32e, "tr-type",
      "GUEST_TR_ACCESS_RIGHTS 0x00000083: type 3 is not a busy 64-bit TSS (11) in IA-32e "
      "mode" },
    { "available TSS", PROT32, tr_available, "tr-type",
      "GUEST_TR_ACCESS_RIGHTS 0x00000089: type 9 is not a busy TSS (3, 11)" },
    { "TR unusable", LONG64, tr_unusable, "tr-unusable",
      "GUEST_TR_ACCESS_RIGHTS 0x0001008b: unusable (bit 16) set" },
    { "LDTR of TSS type", LONG64, ldtr_tss, "ldtr-type",
      "GUEST_LDTR_ACCESS_RIGHTS 0x0000008b: type 11 is not an LDT (2)" },
    /* 28.3.1.3, 28.3.1.4 */
    { "IDTR base", LONG64, idtr_base, "dtr-base-canonical",
      "GUEST_IDTR_BASE 0xffff7fff00000000: not canonical (48-bit linear addresses)" },
    { "GDTR limit", LONG64, gdtr_limit, "dtr-limit",
      "GUEST_GDTR_LIMIT 0x00010000: bits 31:16 not 0" },
    { "RIP above 4 GiB in 32-bit mode", PROT32, rip_high, "rip-high",
      "GUEST_RIP 0x100000000: bits 63:32 not 0 outside 64-bit mode" },
    { "high RIP in compatibility mode", LONG64, compat_rip, "rip-high",
      "GUEST_RIP 0xffffffff80100000: bits 63:32 not 0 outside 64-bit mode" },
    { "RIP bit 48", LONG64, rip_bit48, "rip-canonical",
      "GUEST_RIP 0x1000000000000: bits 63:48 not all equal in 64-bit mode" },
    { "RFLAGS bit 15", LONG64, rflags_bit15, "rflags-reserved",
      "GUEST_RFLAGS 0x8002: reserved bits 0x8000 set (63:22, 15, 5, 3)" },
    { "RFLAGS bit 1 clear", LONG64, rflags_zero, "rflags-reserved",
      "GUEST_RFLAGS 0x0: reserved bit 1 clear, must be 1" },
    { "RFLAGS.VM in IA-32e", V8086, v86_ia32e, "rflags-vm-ia32e",
      "GUEST_RFLAGS 0x20202: VM (bit 17) set with " EX },
    { "external interrupt with IF 0", LONG64, inject_ext_if0, "rflags-if-injection",
      "GUEST_RFLAGS 0x2: IF (bit 9) clear while injecting an external interrupt "
      "(CTRL_ENTRY_INTERRUPTION_INFO 0x80000020)" },
    /* 28.3.1.5 */
    { "activity state 4", LONG64, activity_4, "activity-state",
      "GUEST_ACTIVITY_STATE 4: not an activity state (0 active, 1 HLT, 2 shutdown, "
      "3 wait-for-SIPI)" },
    { "wait-for-SIPI unsupported", LONG64, sipi_unsupported, "activity-state",
      "GUEST_ACTIVITY_STATE 3: wait-for-SIPI not supported (IA32_VMX_MISC)" },
    { "HLT at CPL 3", PROT32, hlt_cpl3, "activity-hlt-dpl",
      "GUEST_ACTIVITY_STATE 1 (HLT) with SS.DPL 3 (GUEST_SS_ACCESS_RIGHTS 0x0000c0f3), "
      "must be 0" },
    { "HLT in an STI shadow", LONG64, hlt_sti, "activity-blocking",
      "GUEST_ACTIVITY_STATE 1 (HLT) with blocking by STI or MOV SS "
      "(GUEST_INTERRUPTIBILITY_STATE 0x00000001)" },
    { "#PF into shutdown", LONG64, shutdown_pf, "activity-injection",
      "GUEST_ACTIVITY_STATE 2 (shutdown) blocks the injected event "
      "(CTRL_ENTRY_INTERRUPTION_INFO 0x8000030e: type 3, vector 14)" },
    { "wait-for-SIPI entering SMM", LONG64, sipi_smm, "activity-sipi-smm",
      "GUEST_ACTIVITY_STATE 3 (wait-for-SIPI) with \"entry to SMM\"" },
    { "interruptibility bit 5", LONG64, intr_bit5, "intr-reserved",
      INTR "0x00000020: reserved bits 31:5 not 0" },
    { "STI and MOV SS blocking", LONG64, intr_sti_mov_ss, "intr-sti-mov-ss",
      INTR "0x00000003: blocking by STI (bit 0) and by MOV SS (bit 1) both set" },
    { "STI blocking with IF 0", LONG64, intr_sti_if0, "intr-sti-if",
      INTR "0x00000001: blocking by STI (bit 0) with RFLAGS.IF 0 (GUEST_RFLAGS 0x2)" },
    { "external interrupt in a MOV SS shadow", LONG64, intr_ext_mov_ss, "intr-ext-blocking",
      INTR "0x00000002: blocking by STI or MOV SS while injecting an external interrupt" },
    { "NMI in a MOV SS shadow", LONG64, intr_nmi_mov_ss, "intr-nmi-mov-ss",
      INTR "0x00000002: blocking by MOV SS (bit 1) while injecting an NMI" },
    { "SMI blocking outside SMM", LONG64, intr_smi, "intr-smi",
      INTR "0x00000004: blocking by SMI (bit 2) set outside SMM" },
    { "virtual NMI while NMI-blocked", LONG64, intr_vnmi, "intr-virtual-nmi",
      INTR "0x00000008: blocking by NMI (bit 3) with \"virtual NMIs\" while injecting an NMI" },
    { "enclave interruption in a MOV SS shadow", LONG64, intr_enclave, "intr-enclave-mov-ss",
      INTR "0x00000012: enclave interruption (bit 4) with blocking by MOV SS (bit 1)" },
    { "pending debug bit 4", LONG64, pending_bit4, "pending-dbg-reserved",
      PDE "0x10: reserved bits 0x10 set (11:4, 13, 15, 63:17)" },
    { "TF in an STI shadow without BS", LONG64, pending_no_bs, "pending-dbg-bs",
      PDE "0x0: BS (bit 14) clear but RFLAGS.TF 1 and DEBUGCTL.BTF 0 "
      "(blocking by STI/MOV SS or HLT)" },
    { "BS in HLT without TF", LONG64, pending_bs_hlt, "pending-dbg-bs",
      PDE "0x4000: BS (bit 14) set but RFLAGS.TF 0 and DEBUGCTL.BTF 0 "
      "(blocking by STI/MOV SS or HLT)" },
    { "RTM without enabled breakpoint", LONG64, pending_rtm, "pending-dbg-rtm",
      PDE "0x10000: RTM (bit 16) needs bit 12 set, bits 15:13 and 11:0 clear and no "
      "blocking by MOV SS" },
    { "link pointer unaligned", LONG64, link_unaligned, "vmcs-link-align",
      "GUEST_VMCS_LINK_POINTER 0x1234: bits 11:0 not 0" },
    { "link pointer beyond 40 bits", LONG64, link_wide, "vmcs-link-width",
      "GUEST_VMCS_LINK_POINTER 0x10000000000: bits beyond the 40-bit physical-address width "
      "set" },
    { "link pointer without shadowing", LONG64, link_set, "vmcs-link-unused",
      "GUEST_VMCS_LINK_POINTER 0x5000: not 0xffffffffffffffff without \"VMCS shadowing\", so it "
      "must name a VMCS (tessera never sets one)" },
    /* 28.3.1.6 */
    { "PAE PDPTE with R/W (EPT)", PROT32, pdpte_ept, "pdpte-reserved",
      "GUEST_PDPTE2 0x5003: reserved bits 0x2 set in a present entry" },
    { "PAE PDPTE with bit 63 (no EPT)", PROT32, pdpte_no_ept, "pdpte-reserved",
      "PDPTE0 0x8000000000001001 (at GUEST_CR3 0x1000): reserved bits 0x8000000000000000 "
      "set in a present entry" },
};

#define FAIL_CASES (sizeof(fail_cases) / sizeof(fail_cases[0]))

static void run_fail_case(void **state)
{
    const struct fail_case *fc = *state;
    struct vmx_guest_state g;
    struct vmx_guest_check_context c;
    struct vmx_guest_check_result r;

    build(fc->base, &g, &c);
    assert_true(vmx_guest_state_check(&g, &c, &r));         /* the base itself is valid */
    fc->mutate(&g, &c);
    assert_false(vmx_guest_state_check(&g, &c, &r));
    print_message("  %s: %s\n", r.check, r.detail);
    assert_false(r.ok);
    assert_string_equal(r.check, fc->check);
    assert_string_equal(vmx_guest_check_id(r.failed), fc->check);
    assert_string_equal(r.detail, fc->detail);
    assert_true(strlen(r.detail) < sizeof(r.detail) - 1);   /* nothing was cut off */
}

/* ---- changes that must still pass: the relaxations and the gates ------------------------ */

MUT(no_change)           { (void)0; }
MUT(no_load_debug)       { c->entry &= ~VMX_ENTRY_LOAD_DEBUG_CONTROLS; g->debugctl = 0x10001;
                           g->dr7 = 0x100000400ull; }
MUT(no_load_efer_pat)    { c->entry &= ~(VMX_ENTRY_LOAD_EFER | VMX_ENTRY_LOAD_PAT);
                           g->efer = 0x1000; g->pat = 0x0202020202020202ull; }
MUT(la57_sysenter)       { c->linear_address_width = 57; g->sysenter_eip = 0x800000000000ull; }
MUT(rip_bit47)           { g->rip = 0x800000000000ull; }  /* only 63:48 must agree */
MUT(unusable_junk)       { g->ds = (struct vmx_segment)SEG(0x13, 0x123400000000ull, 0xabcde,
                                                           0xfff10f00); }
MUT(ss_unusable_64)      { g->ss = (struct vmx_segment)SEG(0, 0, 0, 0x10000); }
MUT(compat_mode)         { g->cs.access_rights = 0xc09b; g->rip = 0x100000; }
MUT(cpl3_64)             { g->cs = (struct vmx_segment)SEG(0x33, 0, 0xffffffff, 0xa0fb);
                           g->ss = (struct vmx_segment)SEG(0x2b, 0, 0xffffffff, 0xc0f3); }
MUT(hlt_with_interrupt)  { g->activity_state = 1; g->rflags = 0x202;
                           c->entry_interruption_info = 0x80000020; }
MUT(shutdown_with_nmi)   { g->activity_state = 2; c->entry_interruption_info = 0x80000202; }
MUT(tf_btf_in_sti)       { g->rflags = 0x302; g->interruptibility = 1; g->debugctl = 2; }
MUT(tf_bs_in_sti)        { g->rflags = 0x302; g->interruptibility = 1;
                           g->pending_debug_exceptions = 0x4000; }
MUT(rtm_ok)              { g->pending_debug_exceptions = 0x11000; }
MUT(nmi_block_no_vnmi)   { c->pin &= ~VMX_PIN_VIRTUAL_NMIS; g->interruptibility = 8;
                           c->entry_interruption_info = 0x80000202; }
MUT(shadow_link)         { c->secondary |= VMX_PROC2_VMCS_SHADOWING;
                           g->vmcs_link_pointer = 0x5000; }
MUT(pdpte_not_present)   { g->cr4 |= 0x20; g->pdpte[0] = 0xfffffffffffffffeull;
                           g->pdpte[1] = 0x1001; }
MUT(real_cs_type3)       { g->cs.access_rights = 0x93; }
MUT(ldtr_usable)         { g->ldtr = (struct vmx_segment)SEG(0x20, 0xffff800000000000ull,
                                                             0xfffff, 0x82); }

struct pass_case {
    const char *name;
    enum base base;
    void (*mutate)(struct vmx_guest_state *g, struct vmx_guest_check_context *c);
};

static const struct pass_case pass_cases[] = {
    { "valid 64-bit long mode", LONG64, no_change },
    { "valid 32-bit protected mode", PROT32, no_change },
    { "valid real mode with unrestricted guest", REAL, no_change },
    { "valid virtual-8086", V8086, no_change },
    { "DR7/DEBUGCTL unchecked without load debug controls", LONG64, no_load_debug },
    { "EFER/PAT unchecked when not loaded", LONG64, no_load_efer_pat },
    { "57-bit linear addresses", LONG64, la57_sysenter },
    { "RIP bit 47 alone", LONG64, rip_bit47 },
    { "unusable DS holds anything", LONG64, unusable_junk },
    { "unusable SS in 64-bit mode", LONG64, ss_unusable_64 },
    { "compatibility mode", LONG64, compat_mode },
    { "64-bit CPL 3", LONG64, cpl3_64 },
    { "external interrupt into HLT", LONG64, hlt_with_interrupt },
    { "NMI into shutdown", LONG64, shutdown_with_nmi },
    { "TF with BTF in an STI shadow", LONG64, tf_btf_in_sti },
    { "TF with BS in an STI shadow", LONG64, tf_bs_in_sti },
    { "RTM with enabled breakpoint", LONG64, rtm_ok },
    { "NMI blocking without virtual NMIs", LONG64, nmi_block_no_vnmi },
    { "link pointer with VMCS shadowing", LONG64, shadow_link },
    { "non-present PDPTEs hold anything", PROT32, pdpte_not_present },
    { "real-mode CS of type 3", REAL, real_cs_type3 },
    { "usable LDT", LONG64, ldtr_usable },
};

#define PASS_CASES (sizeof(pass_cases) / sizeof(pass_cases[0]))

static void run_pass_case(void **state)
{
    const struct pass_case *pc = *state;
    struct vmx_guest_state g;
    struct vmx_guest_check_context c;
    struct vmx_guest_check_result r;

    build(pc->base, &g, &c);
    pc->mutate(&g, &c);
    if (!vmx_guest_state_check(&g, &c, &r))
        print_message("  unexpected: %s: %s\n", r.check, r.detail);
    assert_true(r.ok);
    assert_int_equal(r.failed, VMX_GC_NONE);
    assert_string_equal(r.check, "");
    assert_string_equal(r.detail, "");
}

/* ---- the table, ordering, reporting ------------------------------------------------------ */

static void test_ids_distinct(void **state)
{
    struct vmx_guest_check_result r;

    (void)state;
    assert_string_equal(vmx_guest_check_id(VMX_GC_NONE), "none");
    assert_null(vmx_guest_check_id(VMX_GC_COUNT));
    assert_null(vmx_guest_check_section(VMX_GC_NONE));
    for (int a = VMX_GC_NONE; a < VMX_GC_COUNT; a++) {
        const char *id = vmx_guest_check_id(a);

        assert_non_null(id);
        assert_true(strlen(id) > 0 && strlen(id) < sizeof(r.check));
        if (a != VMX_GC_NONE)
            assert_int_equal(strncmp(vmx_guest_check_section(a), "28.3.1.", 7), 0);
        for (int b = a + 1; b < VMX_GC_COUNT; b++)
            assert_string_not_equal(id, vmx_guest_check_id(b));
    }
}

static void test_every_check_has_a_failing_case(void **state)
{
    (void)state;
    for (int a = VMX_GC_NONE + 1; a < VMX_GC_COUNT; a++) {
        bool found = false;

        for (size_t i = 0; i < FAIL_CASES && !found; i++)
            found = strcmp(fail_cases[i].check, vmx_guest_check_id(a)) == 0;
        if (!found)
            print_message("  no case for %s\n", vmx_guest_check_id(a));
        assert_true(found);
    }
}

/* Several faults: the one the SDM lists first is reported, and a second run resets *out. */
static void test_first_failure_wins(void **state)
{
    struct vmx_guest_state g;
    struct vmx_guest_check_context c;
    struct vmx_guest_check_result r;

    (void)state;
    build(LONG64, &g, &c);
    g.rflags = 0;                       /* 28.3.1.4 */
    g.tr.selector = 0x1c;               /* 28.3.1.2 */
    g.efer = 0x401;                     /* 28.3.1.1, after CR4 */
    g.cr4 = 0x20;                       /* 28.3.1.1 */
    assert_false(vmx_guest_state_check(&g, &c, &r));
    assert_string_equal(r.check, "cr4-fixed");
    g.cr4 = long64.cr4;
    assert_false(vmx_guest_state_check(&g, &c, &r));
    assert_string_equal(r.check, "efer-lme");
    g.efer = long64.efer;
    assert_false(vmx_guest_state_check(&g, &c, &r));
    assert_string_equal(r.check, "tr-ti");
    g.tr.selector = 0x18;
    assert_false(vmx_guest_state_check(&g, &c, &r));
    assert_string_equal(r.check, "rflags-reserved");
    g.rflags = 2;
    assert_true(vmx_guest_state_check(&g, &c, &r));
    assert_string_equal(r.detail, "");
}

struct sink {
    char lines[4][DIAG_LINE_MAX];
    unsigned count;
};

static void capture(void *ctx, const char *line)
{
    struct sink *s = ctx;

    if (s->count < 4)
        snprintf(s->lines[s->count], DIAG_LINE_MAX, "%s", line);
    s->count++;
}

static void test_report(void **state)
{
    struct vmx_guest_state g;
    struct vmx_guest_check_context c;
    struct vmx_guest_check_result r;
    struct sink sink = { .count = 0 };
    struct diag d = { capture, &sink };

    (void)state;
    build(LONG64, &g, &c);
    assert_true(vmx_guest_state_check(&g, &c, &r));
    vmx_guest_check_report(&r, &d);
    assert_int_equal(sink.count, 0);
    g.cs.access_rights = 0xe09b;
    assert_false(vmx_guest_state_check(&g, &c, &r));
    vmx_guest_check_report(&r, &d);
    vmx_guest_check_report(&r, NULL);
    assert_int_equal(sink.count, 2);
    assert_string_equal(sink.lines[0], "vmx: invalid guest state: cs-l-db (SDM 28.3.1.2)");
    assert_string_equal(sink.lines[1], "vmx:   GUEST_CS_ACCESS_RIGHTS 0x0000e09b: CS.L set "
                                       "with D/B set in IA-32e mode");
}

int main(void)
{
    static struct CMUnitTest tests[FAIL_CASES + PASS_CASES + 4];
    size_t n = 0;

    tests[n++] = (struct CMUnitTest){ "check ids are distinct", test_ids_distinct, NULL, NULL,
                                      NULL };
    tests[n++] = (struct CMUnitTest){ "every check has a failing case",
                                      test_every_check_has_a_failing_case, NULL, NULL, NULL };
    tests[n++] = (struct CMUnitTest){ "first failure wins", test_first_failure_wins, NULL,
                                      NULL, NULL };
    tests[n++] = (struct CMUnitTest){ "report", test_report, NULL, NULL, NULL };
    for (size_t i = 0; i < PASS_CASES; i++)
        tests[n++] = (struct CMUnitTest){ pass_cases[i].name, run_pass_case, NULL, NULL,
                                          (void *)&pass_cases[i] };
    for (size_t i = 0; i < FAIL_CASES; i++)
        tests[n++] = (struct CMUnitTest){ fail_cases[i].name, run_fail_case, NULL, NULL,
                                          (void *)&fail_cases[i] };
    return _cmocka_run_group_tests("guest_state_check", tests, n, NULL, NULL);
}
