/* VMX capabilities: the raw capability MSRs, IA32_FEATURE_CONTROL, decoding and the CR0/CR4
 * fixed bits (Intel SDM Vol. 3D, Appendix A; section numbers as in SDM editions from 2023). */
#include "vmx/caps.h"

#define MSR_INDEX(msr)  ((msr) - VMX_CAPS_MSR_FIRST)
#define MSR_BIT(msr)    (1u << MSR_INDEX(msr))

/* ---- raw values -------------------------------------------------------------------- */

static bool raw_get(const struct vmx_caps_raw *raw, uint32_t msr, uint64_t *value)
{
    if (msr < VMX_CAPS_MSR_FIRST || msr > VMX_CAPS_MSR_LAST || !(raw->present & MSR_BIT(msr)))
        return false;
    *value = raw->msr[MSR_INDEX(msr)];
    return true;
}

static uint32_t allowed1_of(uint64_t ctls)
{
    return (uint32_t)(ctls >> VMX_CTLS_ALLOWED1_SHIFT);
}

/* A.3.3, A.10, A.1, A.11: which MSR exists depends on MSRs below it. */
bool vmx_caps_msr_exists(const struct vmx_caps_raw *raw, uint32_t msr)
{
    uint64_t basic, proc, proc2;

    if (!(raw->cpuid1_ecx & CPUID_1_ECX_VMX) || msr < VMX_CAPS_MSR_FIRST || msr > VMX_CAPS_MSR_LAST)
        return false;
    if (msr <= MSR_IA32_VMX_VMCS_ENUM)
        return true;
    if (msr >= MSR_IA32_VMX_TRUE_PINBASED_CTLS && msr <= MSR_IA32_VMX_TRUE_ENTRY_CTLS)
        return raw_get(raw, MSR_IA32_VMX_BASIC, &basic) && (basic & VMX_BASIC_TRUE_CONTROLS);
    if (!raw_get(raw, MSR_IA32_VMX_PROCBASED_CTLS, &proc) ||
        !(allowed1_of(proc) & VMX_PROC_SECONDARY_CONTROLS))
        return false;
    if (msr == MSR_IA32_VMX_PROCBASED_CTLS2)
        return true;
    if (!raw_get(raw, MSR_IA32_VMX_PROCBASED_CTLS2, &proc2))
        return false;
    if (msr == MSR_IA32_VMX_EPT_VPID_CAP)
        return (allowed1_of(proc2) & (VMX_PROC2_EPT | VMX_PROC2_VPID)) != 0;
    return (allowed1_of(proc2) & VMX_PROC2_VM_FUNCTIONS) != 0;      /* IA32_VMX_VMFUNC */
}

void vmx_caps_raw_set(struct vmx_caps_raw *raw, uint32_t msr, uint64_t value)
{
    if (msr < VMX_CAPS_MSR_FIRST || msr > VMX_CAPS_MSR_LAST)
        return;
    raw->msr[MSR_INDEX(msr)] = value;
    raw->present |= MSR_BIT(msr);
}

/* ---- IA32_FEATURE_CONTROL ---------------------------------------------------------- */

enum vmx_feature_control_verdict vmx_feature_control_check(uint32_t cpuid1_ecx,
                                                           uint64_t feature_control,
                                                           const struct diag *err)
{
    if (!(cpuid1_ecx & CPUID_1_ECX_VMX)) {
        diag_report(err, "vmx: this CPU has no VMX (CPUID.1:ECX[5] = 0)");
        return VMX_FC_NO_VMX;
    }
    if (!(feature_control & IA32_FEATURE_CONTROL_LOCK))
        return VMX_FC_ENABLE_AND_LOCK;
    if (!(feature_control & IA32_FEATURE_CONTROL_VMX_OUTSIDE_SMX)) {
        diag_report(err, "vmx: IA32_FEATURE_CONTROL is locked with VMX disabled: enable Intel "
                         "Virtualization Technology (VT-x) in the firmware setup");
        return VMX_FC_DISABLED;
    }
    return VMX_FC_OK;
}

bool vmx_feature_control_enabled(uint64_t before, uint64_t written, uint64_t read_back,
                                 const struct diag *err, const struct diag *debug)
{
    const uint64_t needed = IA32_FEATURE_CONTROL_LOCK | IA32_FEATURE_CONTROL_VMX_OUTSIDE_SMX;

    if ((read_back & needed) != needed) {
        diag_report(err, "vmx: IA32_FEATURE_CONTROL reads 0x%llx after writing 0x%llx: VMX "
                         "stays disabled", (unsigned long long)read_back,
                    (unsigned long long)written);
        return false;
    }
    diag_report(debug, "vmx: IA32_FEATURE_CONTROL was 0x%llx (unlocked), now 0x%llx: VMX outside "
                       "SMX enabled and locked", (unsigned long long)before,
                (unsigned long long)read_back);
    return true;
}

/* Keeps whatever else firmware set; VMXON outside SMX is all the hypervisor needs. */
uint64_t vmx_feature_control_enable_value(uint64_t feature_control)
{
    return feature_control | IA32_FEATURE_CONTROL_LOCK | IA32_FEATURE_CONTROL_VMX_OUTSIDE_SMX;
}

/* ---- EPT/VPID capability names (A.10) ---------------------------------------------- */

struct cap_name {
    uint64_t mask;
    const char *name;
};

static const struct cap_name ept_vpid_names[] = {
    { VMX_EPT_EXECUTE_ONLY, "execute-only translations" },
    { VMX_EPT_WALK_4, "page-walk length 4" },
    { VMX_EPT_WALK_5, "page-walk length 5" },
    { VMX_EPT_MEMORY_UC, "uncacheable memory type" },
    { VMX_EPT_MEMORY_WB, "write-back memory type" },
    { VMX_EPT_PAGE_2M, "2 MiB pages" },
    { VMX_EPT_PAGE_1G, "1 GiB pages" },
    { VMX_EPT_INVEPT, "INVEPT" },
    { VMX_EPT_ACCESSED_DIRTY, "accessed and dirty flags" },
    { VMX_EPT_ADVANCED_EXIT_INFO, "advanced VM-exit information" },
    { VMX_EPT_SUPERVISOR_SHADOW_STACK, "supervisor shadow-stack control" },
    { VMX_EPT_INVEPT_SINGLE_CONTEXT, "single-context INVEPT" },
    { VMX_EPT_INVEPT_ALL_CONTEXT, "all-context INVEPT" },
    { VMX_VPID_INVVPID, "INVVPID" },
    { VMX_VPID_INVVPID_ADDRESS, "individual-address INVVPID" },
    { VMX_VPID_INVVPID_SINGLE_CONTEXT, "single-context INVVPID" },
    { VMX_VPID_INVVPID_ALL_CONTEXT, "all-context INVVPID" },
    { VMX_VPID_INVVPID_SINGLE_KEEP_GLOBAL, "single-context-retaining-globals INVVPID" },
    { 0, NULL }
};

const char *vmx_ept_vpid_cap_name(unsigned bit)
{
    for (const struct cap_name *c = ept_vpid_names; c->name && bit < 64; c++)
        if (c->mask == (1ull << bit))
            return c->name;
    return NULL;
}

/* ---- decoding ---------------------------------------------------------------------- */

static uint32_t bits_of(uint64_t value, unsigned shift, uint64_t mask)
{
    return (uint32_t)((value >> shift) & mask);
}

static const uint32_t ctl_msr[VMX_CTL_FIELD_COUNT][2] = {       /* plain, TRUE */
    [VMX_CTL_PIN]     = { MSR_IA32_VMX_PINBASED_CTLS, MSR_IA32_VMX_TRUE_PINBASED_CTLS },
    [VMX_CTL_PRIMARY] = { MSR_IA32_VMX_PROCBASED_CTLS, MSR_IA32_VMX_TRUE_PROCBASED_CTLS },
    [VMX_CTL_SECONDARY] = { MSR_IA32_VMX_PROCBASED_CTLS2, MSR_IA32_VMX_PROCBASED_CTLS2 },
    [VMX_CTL_EXIT]    = { MSR_IA32_VMX_EXIT_CTLS, MSR_IA32_VMX_TRUE_EXIT_CTLS },
    [VMX_CTL_ENTRY]   = { MSR_IA32_VMX_ENTRY_CTLS, MSR_IA32_VMX_TRUE_ENTRY_CTLS },
};

static void decode_controls(const struct vmx_caps_raw *raw, struct vmx_caps *out)
{
    for (enum vmx_ctl_field f = 0; f < VMX_CTL_FIELD_COUNT; f++) {
        uint32_t msr = ctl_msr[f][out->true_controls];
        uint64_t v = 0;

        if (vmx_caps_msr_exists(raw, msr))      /* absent secondary controls: all 0 */
            raw_get(raw, msr, &v);
        out->ctl[f].allowed0 = (uint32_t)v;
        out->ctl[f].allowed1 = allowed1_of(v);
        /* Plain MSRs: the default1 class is fixed to 1. TRUE MSRs: the bits we know we may
         * clear, but reserved default1 bits stay 1 (A.2: "unaware ... should set to 1"). */
        out->ctl[f].allowed0 |= out->true_controls ? vmx_ctl_reserved_default1(f)
                                                     : vmx_ctl_default1(f);
    }
}

static void decode_ept_vpid(uint64_t cap, struct vmx_caps *out)
{
    out->ept_vpid = cap;
    out->ept_execute_only = cap & VMX_EPT_EXECUTE_ONLY;
    out->ept_walk_4 = cap & VMX_EPT_WALK_4;
    out->ept_walk_5 = cap & VMX_EPT_WALK_5;
    out->ept_uc = cap & VMX_EPT_MEMORY_UC;
    out->ept_wb = cap & VMX_EPT_MEMORY_WB;
    out->ept_2m = cap & VMX_EPT_PAGE_2M;
    out->ept_1g = cap & VMX_EPT_PAGE_1G;
    out->invept = cap & VMX_EPT_INVEPT;
    out->invept_single = cap & VMX_EPT_INVEPT_SINGLE_CONTEXT;
    out->invept_all = cap & VMX_EPT_INVEPT_ALL_CONTEXT;
    out->ept_accessed_dirty = cap & VMX_EPT_ACCESSED_DIRTY;
    out->invvpid = cap & VMX_VPID_INVVPID;
    out->invvpid_address = cap & VMX_VPID_INVVPID_ADDRESS;
    out->invvpid_single = cap & VMX_VPID_INVVPID_SINGLE_CONTEXT;
    out->invvpid_all = cap & VMX_VPID_INVVPID_ALL_CONTEXT;
    out->invvpid_single_keep_global = cap & VMX_VPID_INVVPID_SINGLE_KEEP_GLOBAL;
}

bool vmx_caps_decode(const struct vmx_caps_raw *raw, struct vmx_caps *out,
                     const struct diag *err)
{
    uint64_t basic, misc = 0, v = 0;

    *out = (struct vmx_caps){ 0 };
    for (uint32_t msr = VMX_CAPS_MSR_FIRST; msr <= VMX_CAPS_MSR_LAST; msr++) {
        if (vmx_caps_msr_exists(raw, msr) && !raw_get(raw, msr, &v)) {
            diag_report(err, "vmx: capability MSR 0x%x was not read", msr);
            return false;
        }
    }
    if (!raw_get(raw, MSR_IA32_VMX_BASIC, &basic)) {
        diag_report(err, "vmx: capability MSR 0x%x was not read", MSR_IA32_VMX_BASIC);
        return false;
    }
    out->revision_id = (uint32_t)(basic & VMX_BASIC_REVISION_MASK);
    out->vmcs_size = bits_of(basic, VMX_BASIC_VMCS_SIZE_SHIFT, VMX_BASIC_VMCS_SIZE_MASK);
    out->phys_addr_32bit = basic & VMX_BASIC_PHYS_ADDR_32BIT;
    out->dual_monitor_smm = basic & VMX_BASIC_DUAL_MONITOR_SMM;
    out->vmcs_memory_type = (uint8_t)bits_of(basic, VMX_BASIC_MEMORY_TYPE_SHIFT,
                                             VMX_BASIC_MEMORY_TYPE_MASK);
    out->ins_outs_info = basic & VMX_BASIC_INS_OUTS_INFO;
    out->true_controls = basic & VMX_BASIC_TRUE_CONTROLS;
    out->entry_exception_any_error_code = basic & VMX_BASIC_ENTRY_EXCEPTION_ANY_ERROR;

    decode_controls(raw, out);

    raw_get(raw, MSR_IA32_VMX_MISC, &misc);
    out->preemption_timer_rate = (uint8_t)(misc & VMX_MISC_PREEMPTION_TIMER_RATE_MASK);
    out->stores_efer_lma = misc & VMX_MISC_STORES_EFER_LMA;
    out->activity_hlt = misc & VMX_MISC_ACTIVITY_HLT;
    out->activity_shutdown = misc & VMX_MISC_ACTIVITY_SHUTDOWN;
    out->activity_wait_for_sipi = misc & VMX_MISC_ACTIVITY_WAIT_FOR_SIPI;
    out->cr3_target_count = bits_of(misc, VMX_MISC_CR3_TARGET_SHIFT, VMX_MISC_CR3_TARGET_MASK);
    out->max_msr_list = VMX_MISC_MSR_LIST_UNIT *
                        (bits_of(misc, VMX_MISC_MSR_LIST_SHIFT, VMX_MISC_MSR_LIST_MASK) + 1);

    raw_get(raw, MSR_IA32_VMX_CR0_FIXED0, &out->cr0_fixed0);
    raw_get(raw, MSR_IA32_VMX_CR0_FIXED1, &out->cr0_fixed1);
    raw_get(raw, MSR_IA32_VMX_CR4_FIXED0, &out->cr4_fixed0);
    raw_get(raw, MSR_IA32_VMX_CR4_FIXED1, &out->cr4_fixed1);
    raw_get(raw, MSR_IA32_VMX_VMCS_ENUM, &v);
    out->vmcs_max_index = bits_of(v, VMX_VMCS_ENUM_MAX_INDEX_SHIFT, VMX_VMCS_ENUM_MAX_INDEX_MASK);

    v = 0;
    raw_get(raw, MSR_IA32_VMX_EPT_VPID_CAP, &v);
    decode_ept_vpid(v, out);
    raw_get(raw, MSR_IA32_VMX_VMFUNC, &out->vmfunc);

    if (out->vmcs_size == 0 || out->vmcs_size > VMX_VMCS_SIZE_MAX) {
        diag_report(err, "vmx: VMCS region size %u not supported (1 to %u bytes)",
                    out->vmcs_size, VMX_VMCS_SIZE_MAX);
        return false;
    }
    /* A.1: the VMXON region and VMCS must be accessed with this type; we map them WB. */
    if (out->vmcs_memory_type != VMX_MEMORY_TYPE_WB) {
        diag_report(err, "vmx: VMCS memory type %u not supported, need write-back (%u)",
                    out->vmcs_memory_type, VMX_MEMORY_TYPE_WB);
        return false;
    }
    return true;
}

/* ---- CR0/CR4 fixed bits (A.7, A.8) ------------------------------------------------- */

bool vmx_cr_apply_fixed(uint64_t value, uint64_t fixed0, uint64_t fixed1,
                        struct vmx_cr_adjust *out)
{
    out->set = fixed0 & ~value;
    out->cleared = value & ~fixed1;
    out->value = (value | fixed0) & fixed1;
    return out->cleared == 0 && (fixed0 & ~fixed1) == 0;
}

bool vmx_cr0_apply_fixed_host(const struct vmx_caps *caps, uint64_t cr0,
                              struct vmx_cr_adjust *out)
{
    return vmx_cr_apply_fixed(cr0, caps->cr0_fixed0, caps->cr0_fixed1, out);
}

bool vmx_cr4_apply_fixed(const struct vmx_caps *caps, uint64_t cr4, struct vmx_cr_adjust *out)
{
    return vmx_cr_apply_fixed(cr4, caps->cr4_fixed0, caps->cr4_fixed1, out);
}

/* 27.3.1.1: with "unrestricted guest" the guest may run unpaged or in real mode. */
bool vmx_cr0_apply_fixed_guest(const struct vmx_caps *caps, bool unrestricted_guest,
                               uint64_t cr0, struct vmx_cr_adjust *out)
{
    uint64_t fixed0 = caps->cr0_fixed0;

    if (unrestricted_guest)
        fixed0 &= ~VMX_CR0_UNRESTRICTED_RELAXED;
    return vmx_cr_apply_fixed(cr0, fixed0, caps->cr0_fixed1, out);
}
