/* VM-entry checks on the guest-state area (Intel SDM Vol. 3C, 28.3.1; 26.3.1 before 2023):
 * control registers and MSRs, descriptor tables, RIP and RFLAGS, non-register state, PDPTEs.
 * The segment registers (28.3.1.2) are in vmx/guest_state_check_segments.c. */
#include "vmx/guest_state_check_internal.h"

#include <stdarg.h>

#include "lib/format.h"

/* ---- the check table --------------------------------------------------------------- */

static const char *const check_ids[VMX_GC_COUNT] = {
    [VMX_GC_NONE] = "none",
#define VMX_GUEST_CHECK_ID(name, id, section) [VMX_GC_##name] = id,
    VMX_GUEST_CHECKS(VMX_GUEST_CHECK_ID)
#undef VMX_GUEST_CHECK_ID
};

static const char *const check_sections[VMX_GC_COUNT] = {
#define VMX_GUEST_CHECK_SECTION(name, id, section) [VMX_GC_##name] = section,
    VMX_GUEST_CHECKS(VMX_GUEST_CHECK_SECTION)
#undef VMX_GUEST_CHECK_SECTION
};

const char *vmx_guest_check_id(enum vmx_guest_check check)
{
    return (unsigned)check < VMX_GC_COUNT ? check_ids[check] : NULL;
}

const char *vmx_guest_check_section(enum vmx_guest_check check)
{
    return (unsigned)check < VMX_GC_COUNT ? check_sections[check] : NULL;
}

bool gsc_fail(struct gsc *s, enum vmx_guest_check which, const char *fmt, ...)
{
    va_list ap;

    s->out->ok = false;
    s->out->failed = which;
    fmt_snprintf(s->out->check, sizeof(s->out->check), "%s", check_ids[which]);
    va_start(ap, fmt);
    fmt_vsnprintf(s->out->detail, sizeof(s->out->detail), fmt, ap);
    va_end(ap);
    return false;
}

bool gsc_canonical(uint64_t value, unsigned width)
{
    uint64_t upper;

    if (width == 0 || width >= 64)
        return true;
    upper = value >> (width - 1);
    return upper == 0 || upper == ~0ull >> (width - 1);
}

static uint64_t lowest_bit(uint64_t bits)
{
    return bits & (~bits + 1);
}

static unsigned bit_index(uint64_t bit)
{
    unsigned n = 0;

    while (bit > 1) {
        bit >>= 1;
        n++;
    }
    return n;
}

/* ---- 28.3.1.1 control registers, debug registers and MSRs --------------------------- */

static const char *const cr0_names[32] = {
    [0] = "PE", [1] = "MP", [2] = "EM", [3] = "TS", [4] = "ET", [5] = "NE", [16] = "WP",
    [18] = "AM", [29] = "NW", [30] = "CD", [31] = "PG",
};

static const char *const cr4_names[32] = {
    [0] = "VME", [1] = "PVI", [2] = "TSD", [3] = "DE", [4] = "PSE", [5] = "PAE", [6] = "MCE",
    [7] = "PGE", [8] = "PCE", [9] = "OSFXSR", [10] = "OSXMMEXCPT", [11] = "UMIP",
    [12] = "LA57", [13] = "VMXE", [14] = "SMXE", [16] = "FSGSBASE", [17] = "PCIDE",
    [18] = "OSXSAVE", [19] = "KL", [20] = "SMEP", [21] = "SMAP", [22] = "PKE", [23] = "CET",
    [24] = "PKS", [25] = "UINTR",
};

/* "NE (bit 5)" or, for a bit without a name, "bit 40". */
static const char *bit_label(char *buf, size_t size, const char *const names[32], unsigned bit)
{
    if (bit < 32 && names[bit])
        fmt_snprintf(buf, size, "%s (bit %u)", names[bit], bit);
    else
        fmt_snprintf(buf, size, "bit %u", bit);
    return buf;
}

/* A bit fixed0 forces to 1 that is clear (except those in relaxed), else a bit fixed1 forces
 * to 0 that is set; the lowest such bit is named. */
static bool check_fixed(struct gsc *s, enum vmx_guest_check which, const char *cr, uint64_t value,
                        uint64_t fixed0, uint64_t fixed1, uint64_t relaxed,
                        const char *const names[32])
{
    uint64_t missing = fixed0 & ~relaxed & ~value, extra = value & ~fixed1;
    char label[24];

    if (missing) {
        unsigned bit = bit_index(lowest_bit(missing));

        return gsc_fail(s, which, "GUEST_%s 0x%llx: %s must be 1 (IA32_VMX_%s_FIXED0 0x%llx)",
                        cr, (unsigned long long)value,
                        bit_label(label, sizeof(label), names, bit), cr,
                        (unsigned long long)fixed0);
    }
    if (extra) {
        unsigned bit = bit_index(lowest_bit(extra));

        return gsc_fail(s, which, "GUEST_%s 0x%llx: %s must be 0 (IA32_VMX_%s_FIXED1 0x%llx)",
                        cr, (unsigned long long)value,
                        bit_label(label, sizeof(label), names, bit), cr,
                        (unsigned long long)fixed1);
    }
    return true;
}

static bool check_control_registers(struct gsc *s)
{
    const struct vmx_guest_state *g = s->g;
    const struct vmx_guest_check_context *c = s->c;
    bool load_debug = c->entry & VMX_ENTRY_LOAD_DEBUG_CONTROLS;
    uint64_t bits;

    /* Unrestricted guests may run unpaged or in real mode (28.3.1.1, A.7). */
    if (!check_fixed(s, VMX_GC_CR0_FIXED, "CR0", g->cr0, c->cr0_fixed0, c->cr0_fixed1,
                     s->unrestricted ? GSC_CR0_PE | GSC_CR0_PG : 0, cr0_names))
        return false;
    if ((g->cr0 & GSC_CR0_PG) && !(g->cr0 & GSC_CR0_PE))
        return gsc_fail(s, VMX_GC_CR0_PG_WITHOUT_PE,
                        "GUEST_CR0 0x%llx: PG (bit 31) set but PE (bit 0) clear",
                        (unsigned long long)g->cr0);
    if (!check_fixed(s, VMX_GC_CR4_FIXED, "CR4", g->cr4, c->cr4_fixed0, c->cr4_fixed1, 0,
                     cr4_names))
        return false;
    if ((g->cr4 & GSC_CR4_CET) && !(g->cr0 & GSC_CR0_WP))
        return gsc_fail(s, VMX_GC_CR4_CET_WITHOUT_WP,
                        "GUEST_CR4 0x%llx: CET (bit 23) set but GUEST_CR0 0x%llx has WP "
                        "(bit 16) clear", (unsigned long long)g->cr4, (unsigned long long)g->cr0);

    /* Architectural IA32_DEBUGCTL bits (Vol. 3B 18.4.1): LBR, BTF, BLD, TR .. RTM_DEBUG. */
    bits = g->debugctl & ~0xFFC7ull;
    if (load_debug && bits)
        return gsc_fail(s, VMX_GC_DEBUGCTL_RESERVED,
                        "GUEST_IA32_DEBUGCTL 0x%llx: reserved bits 0x%llx set with \"load "
                        "debug controls\"", (unsigned long long)g->debugctl,
                        (unsigned long long)bits);
    if (s->ia32e && !(g->cr0 & GSC_CR0_PG))
        return gsc_fail(s, VMX_GC_IA32E_CR0_PG,
                        "GUEST_CR0 0x%llx: PG (bit 31) clear with \"IA-32e mode guest\"",
                        (unsigned long long)g->cr0);
    if (s->ia32e && !(g->cr4 & GSC_CR4_PAE))
        return gsc_fail(s, VMX_GC_IA32E_CR4_PAE,
                        "GUEST_CR4 0x%llx: PAE (bit 5) clear with \"IA-32e mode guest\"",
                        (unsigned long long)g->cr4);
    if (!s->ia32e && (g->cr4 & GSC_CR4_PCIDE))
        return gsc_fail(s, VMX_GC_CR4_PCIDE,
                        "GUEST_CR4 0x%llx: PCIDE (bit 17) set without \"IA-32e mode guest\"",
                        (unsigned long long)g->cr4);
    bits = g->cr3 >> s->phys_width;
    if (bits)
        return gsc_fail(s, VMX_GC_CR3_WIDTH,
                        "GUEST_CR3 0x%llx: bits beyond the %u-bit physical-address width set",
                        (unsigned long long)g->cr3, s->phys_width);
    if (load_debug && (g->dr7 >> 32))
        return gsc_fail(s, VMX_GC_DR7_HIGH,
                        "GUEST_DR7 0x%llx: bits 63:32 not 0 with \"load debug controls\"",
                        (unsigned long long)g->dr7);
    if (!gsc_canonical(g->sysenter_esp, s->linear_width))
        return gsc_fail(s, VMX_GC_SYSENTER_CANONICAL,
                        "GUEST_IA32_SYSENTER_ESP 0x%llx: not canonical (%u-bit linear "
                        "addresses)", (unsigned long long)g->sysenter_esp, s->linear_width);
    if (!gsc_canonical(g->sysenter_eip, s->linear_width))
        return gsc_fail(s, VMX_GC_SYSENTER_CANONICAL,
                        "GUEST_IA32_SYSENTER_EIP 0x%llx: not canonical (%u-bit linear "
                        "addresses)", (unsigned long long)g->sysenter_eip, s->linear_width);
    return true;
}

static bool check_msrs(struct gsc *s)
{
    const struct vmx_guest_state *g = s->g;
    uint32_t entry = s->c->entry;
    uint64_t bits;

    bits = g->perf_global_ctrl & s->c->perf_global_ctrl_reserved;
    if ((entry & VMX_ENTRY_LOAD_PERF_GLOBAL_CTRL) && bits)
        return gsc_fail(s, VMX_GC_PERF_GLOBAL_RESERVED,
                        "GUEST_IA32_PERF_GLOBAL_CTRL 0x%llx: reserved bits 0x%llx set",
                        (unsigned long long)g->perf_global_ctrl, (unsigned long long)bits);

    /* Each byte must be a memory type WRMSR accepts: UC 0, WC 1, WT 4, WP 5, WB 6, UC- 7. */
    for (unsigned i = 0; (entry & VMX_ENTRY_LOAD_PAT) && i < 8; i++) {
        unsigned type = (unsigned)(g->pat >> (8 * i)) & 0xFF;

        if (type == 2 || type == 3 || type > 7)
            return gsc_fail(s, VMX_GC_PAT_ENTRY,
                            "GUEST_IA32_PAT 0x%016llx: PA%u is %u, not a memory type "
                            "(0, 1, 4, 5, 6, 7)", (unsigned long long)g->pat, i, type);
    }

    if (entry & VMX_ENTRY_LOAD_EFER) {
        bool lma = g->efer & GSC_EFER_LMA, lme = g->efer & GSC_EFER_LME;

        bits = g->efer & ~(GSC_EFER_SCE | GSC_EFER_LME | GSC_EFER_LMA | GSC_EFER_NXE);
        if (bits)
            return gsc_fail(s, VMX_GC_EFER_RESERVED,
                            "GUEST_IA32_EFER 0x%llx: reserved bits 0x%llx set",
                            (unsigned long long)g->efer, (unsigned long long)bits);
        if (lma != s->ia32e)
            return gsc_fail(s, VMX_GC_EFER_LMA,
                            "GUEST_IA32_EFER 0x%llx: LMA (bit 10) is %u but \"IA-32e mode "
                            "guest\" is %u", (unsigned long long)g->efer, (unsigned)lma,
                            (unsigned)s->ia32e);
        if ((g->cr0 & GSC_CR0_PG) && lma != lme)
            return gsc_fail(s, VMX_GC_EFER_LME,
                            "GUEST_IA32_EFER 0x%llx: LMA (bit 10) is %u but LME (bit 8) is %u "
                            "with CR0.PG 1", (unsigned long long)g->efer, (unsigned)lma,
                            (unsigned)lme);
    }

    /* IA32_BNDCFGS: EN and BNDPRESERVE in bits 1:0, the bound directory base in 63:12. */
    if ((entry & VMX_ENTRY_LOAD_BNDCFGS) && (g->bndcfgs & 0xFFCull))
        return gsc_fail(s, VMX_GC_BNDCFGS_RESERVED,
                        "GUEST_IA32_BNDCFGS 0x%llx: reserved bits 11:2 not 0",
                        (unsigned long long)g->bndcfgs);
    if ((entry & VMX_ENTRY_LOAD_BNDCFGS) &&
        !gsc_canonical(g->bndcfgs & ~0xFFFull, s->linear_width))
        return gsc_fail(s, VMX_GC_BNDCFGS_CANONICAL,
                        "GUEST_IA32_BNDCFGS 0x%llx: base (bits 63:12) not canonical",
                        (unsigned long long)g->bndcfgs);
    return true;
}

/* ---- 28.3.1.3 descriptor-table registers, 28.3.1.4 RIP and RFLAGS ------------------- */

static bool check_descriptor_tables(struct gsc *s)
{
    const struct vmx_guest_state *g = s->g;

    if (!gsc_canonical(g->gdtr_base, s->linear_width))
        return gsc_fail(s, VMX_GC_DTR_BASE_CANONICAL,
                        "GUEST_GDTR_BASE 0x%llx: not canonical (%u-bit linear addresses)",
                        (unsigned long long)g->gdtr_base, s->linear_width);
    if (!gsc_canonical(g->idtr_base, s->linear_width))
        return gsc_fail(s, VMX_GC_DTR_BASE_CANONICAL,
                        "GUEST_IDTR_BASE 0x%llx: not canonical (%u-bit linear addresses)",
                        (unsigned long long)g->idtr_base, s->linear_width);
    if (g->gdtr_limit >> 16)
        return gsc_fail(s, VMX_GC_DTR_LIMIT, "GUEST_GDTR_LIMIT 0x%08x: bits 31:16 not 0",
                        g->gdtr_limit);
    if (g->idtr_limit >> 16)
        return gsc_fail(s, VMX_GC_DTR_LIMIT, "GUEST_IDTR_LIMIT 0x%08x: bits 31:16 not 0",
                        g->idtr_limit);
    return true;
}

static bool injecting(const struct gsc *s, unsigned type)
{
    uint32_t info = s->c->entry_interruption_info;

    return (info & VMX_ENTRY_INTR_VALID) &&
           ((info & VMX_ENTRY_INTR_TYPE_MASK) >> VMX_ENTRY_INTR_TYPE_SHIFT) == type;
}

static bool check_rip_rflags(struct gsc *s)
{
    const struct vmx_guest_state *g = s->g;
    bool long_mode = s->ia32e && (g->cs.access_rights & VMX_SEG_AR_L);
    uint64_t bits;

    if (!long_mode && (g->rip >> 32))
        return gsc_fail(s, VMX_GC_RIP_HIGH,
                        "GUEST_RIP 0x%llx: bits 63:32 not 0 outside 64-bit mode",
                        (unsigned long long)g->rip);
    /* Bits 63:N identical, N the linear-address width: weaker than canonical (bit N-1 free). */
    if (long_mode && s->linear_width < 64 && !gsc_canonical(g->rip, s->linear_width + 1))
        return gsc_fail(s, VMX_GC_RIP_CANONICAL,
                        "GUEST_RIP 0x%llx: bits 63:%u not all equal in 64-bit mode",
                        (unsigned long long)g->rip, s->linear_width);

    bits = g->rflags & GSC_RFLAGS_RESERVED;
    if (bits)
        return gsc_fail(s, VMX_GC_RFLAGS_RESERVED,
                        "GUEST_RFLAGS 0x%llx: reserved bits 0x%llx set (63:22, 15, 5, 3)",
                        (unsigned long long)g->rflags, (unsigned long long)bits);
    if (!(g->rflags & GSC_RFLAGS_FIXED1))
        return gsc_fail(s, VMX_GC_RFLAGS_RESERVED,
                        "GUEST_RFLAGS 0x%llx: reserved bit 1 clear, must be 1",
                        (unsigned long long)g->rflags);
    if (s->ia32e && s->v8086)
        return gsc_fail(s, VMX_GC_RFLAGS_VM_IA32E,
                        "GUEST_RFLAGS 0x%llx: VM (bit 17) set with \"IA-32e mode guest\"",
                        (unsigned long long)g->rflags);
    if (injecting(s, VMX_INTR_TYPE_EXTERNAL) && !(g->rflags & GSC_RFLAGS_IF))
        return gsc_fail(s, VMX_GC_RFLAGS_IF_INJECTION,
                        "GUEST_RFLAGS 0x%llx: IF (bit 9) clear while injecting an external "
                        "interrupt (CTRL_ENTRY_INTERRUPTION_INFO 0x%08x)",
                        (unsigned long long)g->rflags, s->c->entry_interruption_info);
    return true;
}

/* ---- 28.3.1.5 non-register state ----------------------------------------------------- */

static const char *const activity_names[4] = { "active", "HLT", "shutdown", "wait-for-SIPI" };

/* Which injected events each activity state lets through (28.3.1.5). */
static bool activity_allows(uint32_t activity, uint32_t info)
{
    unsigned type = (info & VMX_ENTRY_INTR_TYPE_MASK) >> VMX_ENTRY_INTR_TYPE_SHIFT;
    unsigned vector = info & VMX_ENTRY_INTR_VECTOR_MASK;

    if (!(info & VMX_ENTRY_INTR_VALID) || activity == VMX_ACTIVITY_ACTIVE)
        return true;
    if (activity == VMX_ACTIVITY_HLT)
        return type == VMX_INTR_TYPE_EXTERNAL || type == VMX_INTR_TYPE_NMI ||
               (type == VMX_INTR_TYPE_HW_EXCEPTION && (vector == 1 || vector == 18)) ||
               (type == VMX_INTR_TYPE_OTHER_EVENT && vector == 0);
    if (activity == VMX_ACTIVITY_SHUTDOWN)
        return type == VMX_INTR_TYPE_NMI ||
               (type == VMX_INTR_TYPE_HW_EXCEPTION && vector == 18);
    return false;
}

static bool check_activity(struct gsc *s)
{
    const struct vmx_guest_state *g = s->g;
    const struct vmx_guest_check_context *c = s->c;
    uint32_t act = g->activity_state, info = c->entry_interruption_info;
    bool supported[4] = { true, c->activity_hlt_supported, c->activity_shutdown_supported,
                          c->activity_wait_for_sipi_supported };
    unsigned ss_dpl = (g->ss.access_rights & VMX_SEG_AR_DPL_MASK) >> VMX_SEG_AR_DPL_SHIFT;

    if (act > VMX_ACTIVITY_WAIT_FOR_SIPI)
        return gsc_fail(s, VMX_GC_ACTIVITY_STATE,
                        "GUEST_ACTIVITY_STATE %u: not an activity state (0 active, 1 HLT, "
                        "2 shutdown, 3 wait-for-SIPI)", act);
    if (!supported[act])
        return gsc_fail(s, VMX_GC_ACTIVITY_STATE,
                        "GUEST_ACTIVITY_STATE %u: %s not supported (IA32_VMX_MISC)", act,
                        activity_names[act]);
    if (act == VMX_ACTIVITY_HLT && ss_dpl != 0)
        return gsc_fail(s, VMX_GC_ACTIVITY_HLT_DPL,
                        "GUEST_ACTIVITY_STATE 1 (HLT) with SS.DPL %u (GUEST_SS_ACCESS_RIGHTS "
                        "0x%08x), must be 0", ss_dpl, g->ss.access_rights);
    if (act != VMX_ACTIVITY_ACTIVE &&
        (g->interruptibility & (VMX_INTERRUPTIBILITY_STI | VMX_INTERRUPTIBILITY_MOV_SS)))
        return gsc_fail(s, VMX_GC_ACTIVITY_BLOCKING,
                        "GUEST_ACTIVITY_STATE %u (%s) with blocking by STI or MOV SS "
                        "(GUEST_INTERRUPTIBILITY_STATE 0x%08x)", act, activity_names[act],
                        g->interruptibility);
    if (!activity_allows(act, info))
        return gsc_fail(s, VMX_GC_ACTIVITY_INJECTION,
                        "GUEST_ACTIVITY_STATE %u (%s) blocks the injected event "
                        "(CTRL_ENTRY_INTERRUPTION_INFO 0x%08x: type %u, vector %u)", act,
                        activity_names[act], info,
                        (info & VMX_ENTRY_INTR_TYPE_MASK) >> VMX_ENTRY_INTR_TYPE_SHIFT,
                        info & VMX_ENTRY_INTR_VECTOR_MASK);
    if (act == VMX_ACTIVITY_WAIT_FOR_SIPI && (c->entry & VMX_ENTRY_TO_SMM))
        return gsc_fail(s, VMX_GC_ACTIVITY_SIPI_SMM,
                        "GUEST_ACTIVITY_STATE 3 (wait-for-SIPI) with \"entry to SMM\"");
    return true;
}

static bool check_interruptibility(struct gsc *s)
{
    const struct vmx_guest_state *g = s->g;
    uint32_t intr = g->interruptibility;
    const char *field = "GUEST_INTERRUPTIBILITY_STATE";

    if (intr & VMX_INTERRUPTIBILITY_RESERVED)
        return gsc_fail(s, VMX_GC_INTR_RESERVED, "%s 0x%08x: reserved bits 31:5 not 0",
                        field, intr);
    if ((intr & VMX_INTERRUPTIBILITY_STI) && (intr & VMX_INTERRUPTIBILITY_MOV_SS))
        return gsc_fail(s, VMX_GC_INTR_STI_MOV_SS,
                        "%s 0x%08x: blocking by STI (bit 0) and by MOV SS (bit 1) both set",
                        field, intr);
    if ((intr & VMX_INTERRUPTIBILITY_STI) && !(g->rflags & GSC_RFLAGS_IF))
        return gsc_fail(s, VMX_GC_INTR_STI_IF,
                        "%s 0x%08x: blocking by STI (bit 0) with RFLAGS.IF 0 (GUEST_RFLAGS "
                        "0x%llx)", field, intr, (unsigned long long)g->rflags);
    if (injecting(s, VMX_INTR_TYPE_EXTERNAL) &&
        (intr & (VMX_INTERRUPTIBILITY_STI | VMX_INTERRUPTIBILITY_MOV_SS)))
        return gsc_fail(s, VMX_GC_INTR_EXT_BLOCKING,
                        "%s 0x%08x: blocking by STI or MOV SS while injecting an external "
                        "interrupt", field, intr);
    if (injecting(s, VMX_INTR_TYPE_NMI) && (intr & VMX_INTERRUPTIBILITY_MOV_SS))
        return gsc_fail(s, VMX_GC_INTR_NMI_MOV_SS,
                        "%s 0x%08x: blocking by MOV SS (bit 1) while injecting an NMI",
                        field, intr);
    if (intr & VMX_INTERRUPTIBILITY_SMI)
        return gsc_fail(s, VMX_GC_INTR_SMI,
                        "%s 0x%08x: blocking by SMI (bit 2) set outside SMM", field, intr);
    if ((s->c->pin & VMX_PIN_VIRTUAL_NMIS) && injecting(s, VMX_INTR_TYPE_NMI) &&
        (intr & VMX_INTERRUPTIBILITY_NMI))
        return gsc_fail(s, VMX_GC_INTR_VIRTUAL_NMI,
                        "%s 0x%08x: blocking by NMI (bit 3) with \"virtual NMIs\" while "
                        "injecting an NMI", field, intr);
    if ((intr & VMX_INTERRUPTIBILITY_ENCLAVE) && (intr & VMX_INTERRUPTIBILITY_MOV_SS))
        return gsc_fail(s, VMX_GC_INTR_ENCLAVE_MOV_SS,
                        "%s 0x%08x: enclave interruption (bit 4) with blocking by MOV SS "
                        "(bit 1)", field, intr);
    return true;
}

static bool check_pending_debug(struct gsc *s)
{
    const struct vmx_guest_state *g = s->g;
    uint64_t pde = g->pending_debug_exceptions, bits = pde & VMX_PENDING_DBG_RESERVED;
    bool blocking = (g->interruptibility &
                     (VMX_INTERRUPTIBILITY_STI | VMX_INTERRUPTIBILITY_MOV_SS)) ||
                    g->activity_state == VMX_ACTIVITY_HLT;
    /* A single-step trap is pending exactly when TF traps on instructions, not branches. */
    bool want_bs = (g->rflags & GSC_RFLAGS_TF) && !(g->debugctl & GSC_DEBUGCTL_BTF);
    bool bs = pde & VMX_PENDING_DBG_BS;

    if (bits)
        return gsc_fail(s, VMX_GC_PENDING_DBG_RESERVED,
                        "GUEST_PENDING_DEBUG_EXCEPTIONS 0x%llx: reserved bits 0x%llx set "
                        "(11:4, 13, 15, 63:17)", (unsigned long long)pde,
                        (unsigned long long)bits);
    if (blocking && bs != want_bs)
        return gsc_fail(s, VMX_GC_PENDING_DBG_BS,
                        "GUEST_PENDING_DEBUG_EXCEPTIONS 0x%llx: BS (bit 14) %s but RFLAGS.TF %u "
                        "and DEBUGCTL.BTF %u (blocking by STI/MOV SS or HLT)",
                        (unsigned long long)pde, bs ? "set" : "clear",
                        (unsigned)(g->rflags >> 8) & 1, (unsigned)(g->debugctl >> 1) & 1);
    /* RTM: only "enabled breakpoint" besides, and not in a MOV SS shadow. */
    if ((pde & VMX_PENDING_DBG_RTM) &&
        ((pde & 0xFFFFull) != VMX_PENDING_DBG_ENABLED_BP ||
         (g->interruptibility & VMX_INTERRUPTIBILITY_MOV_SS)))
        return gsc_fail(s, VMX_GC_PENDING_DBG_RTM,
                        "GUEST_PENDING_DEBUG_EXCEPTIONS 0x%llx: RTM (bit 16) needs bit 12 set, "
                        "bits 15:13 and 11:0 clear and no blocking by MOV SS",
                        (unsigned long long)pde);
    return true;
}

static bool check_vmcs_link(struct gsc *s)
{
    uint64_t link = s->g->vmcs_link_pointer;

    if (link == VMX_VMCS_LINK_POINTER_NONE)
        return true;
    if (link & 0xFFF)
        return gsc_fail(s, VMX_GC_VMCS_LINK_ALIGN,
                        "GUEST_VMCS_LINK_POINTER 0x%llx: bits 11:0 not 0",
                        (unsigned long long)link);
    if (link >> s->phys_width)
        return gsc_fail(s, VMX_GC_VMCS_LINK_WIDTH,
                        "GUEST_VMCS_LINK_POINTER 0x%llx: bits beyond the %u-bit "
                        "physical-address width set", (unsigned long long)link, s->phys_width);
    /* The SDM then wants a VMCS there whose shadow indicator matches "VMCS shadowing"; that
     * lies in memory. tessera never shadows, so any other value is the likely culprit. */
    if (!s->shadowing)
        return gsc_fail(s, VMX_GC_VMCS_LINK_UNUSED,
                        "GUEST_VMCS_LINK_POINTER 0x%llx: not 0xffffffffffffffff without "
                        "\"VMCS shadowing\", so it must name a VMCS (tessera never sets one)",
                        (unsigned long long)link);
    return true;
}

/* ---- 28.3.1.6 PDPTEs ----------------------------------------------------------------- */

static bool check_pdptes(struct gsc *s)
{
    const struct vmx_guest_state *g = s->g;
    /* Present entries: bits 2:1, 8:5 and from the physical-address width up are reserved. */
    uint64_t reserved = 0x1E6ull | (~0ull << s->phys_width);

    if (!(g->cr0 & GSC_CR0_PG) || !(g->cr4 & GSC_CR4_PAE) || s->ia32e)
        return true;
    for (unsigned i = 0; i < 4; i++) {
        uint64_t bits = g->pdpte[i] & reserved;

        if (!(g->pdpte[i] & 1) || !bits)
            continue;
        if (s->ept)
            return gsc_fail(s, VMX_GC_PDPTE_RESERVED,
                            "GUEST_PDPTE%u 0x%llx: reserved bits 0x%llx set in a present entry",
                            i, (unsigned long long)g->pdpte[i], (unsigned long long)bits);
        return gsc_fail(s, VMX_GC_PDPTE_RESERVED,
                        "PDPTE%u 0x%llx (at GUEST_CR3 0x%llx): reserved bits 0x%llx set in a "
                        "present entry", i, (unsigned long long)g->pdpte[i],
                        (unsigned long long)g->cr3, (unsigned long long)bits);
    }
    return true;
}

/* ---- the entry point ----------------------------------------------------------------- */

bool vmx_guest_state_check(const struct vmx_guest_state *g,
                           const struct vmx_guest_check_context *c,
                           struct vmx_guest_check_result *out)
{
    bool secondary = c->primary & VMX_PROC_SECONDARY_CONTROLS;
    struct gsc s = {
        .g = g, .c = c, .out = out,
        .ia32e = c->entry & VMX_ENTRY_IA32E_MODE_GUEST,
        .unrestricted = secondary && (c->secondary & VMX_PROC2_UNRESTRICTED_GUEST),
        .ept = secondary && (c->secondary & VMX_PROC2_EPT),
        .shadowing = secondary && (c->secondary & VMX_PROC2_VMCS_SHADOWING),
        .v8086 = g->rflags & GSC_RFLAGS_VM,
        .phys_width = c->physical_address_width - 1u < 52 ? c->physical_address_width : 52,
        .linear_width = c->linear_address_width - 1u < 64 ? c->linear_address_width : 48,
    };

    *out = (struct vmx_guest_check_result){ .ok = true, .failed = VMX_GC_NONE };
    return check_control_registers(&s) && check_msrs(&s) && gsc_check_segments(&s) &&
           check_descriptor_tables(&s) && check_rip_rflags(&s) && check_activity(&s) &&
           check_interruptibility(&s) && check_pending_debug(&s) && check_vmcs_link(&s) &&
           check_pdptes(&s);
}

void vmx_guest_check_report(const struct vmx_guest_check_result *r, const struct diag *d)
{
    if (r->ok)
        return;
    diag_report(d, "vmx: invalid guest state: %s (SDM %s)", r->check,
                vmx_guest_check_section(r->failed));
    diag_report(d, "vmx:   %s", r->detail);
}
