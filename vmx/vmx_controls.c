/* Names of the VMX control bits and the negotiation of one control field against its
 * capability MSR (Intel SDM Vol. 3D, A.2-A.5; Vol. 3C, 32.5.1). */
#include "vmx/caps.h"

#include "lib/format.h"

/* ---- bit names (the SDM's, first letter lower-cased) ------------------------------ */

struct bit_name {
    uint32_t mask;
    const char *name;
};

static const struct bit_name pin_names[] = {
    { VMX_PIN_EXTERNAL_INTERRUPT_EXITING, "external-interrupt exiting" },
    { VMX_PIN_NMI_EXITING, "NMI exiting" },
    { VMX_PIN_VIRTUAL_NMIS, "virtual NMIs" },
    { VMX_PIN_PREEMPTION_TIMER, "activate VMX-preemption timer" },
    { VMX_PIN_POSTED_INTERRUPTS, "process posted interrupts" },
    { 0, NULL }
};

static const struct bit_name primary_names[] = {
    { VMX_PROC_INTERRUPT_WINDOW_EXITING, "interrupt-window exiting" },
    { VMX_PROC_TSC_OFFSETTING, "use TSC offsetting" },
    { VMX_PROC_HLT_EXITING, "HLT exiting" },
    { VMX_PROC_INVLPG_EXITING, "INVLPG exiting" },
    { VMX_PROC_MWAIT_EXITING, "MWAIT exiting" },
    { VMX_PROC_RDPMC_EXITING, "RDPMC exiting" },
    { VMX_PROC_RDTSC_EXITING, "RDTSC exiting" },
    { VMX_PROC_CR3_LOAD_EXITING, "CR3-load exiting" },
    { VMX_PROC_CR3_STORE_EXITING, "CR3-store exiting" },
    { VMX_PROC_TERTIARY_CONTROLS, "activate tertiary controls" },
    { VMX_PROC_CR8_LOAD_EXITING, "CR8-load exiting" },
    { VMX_PROC_CR8_STORE_EXITING, "CR8-store exiting" },
    { VMX_PROC_TPR_SHADOW, "use TPR shadow" },
    { VMX_PROC_NMI_WINDOW_EXITING, "NMI-window exiting" },
    { VMX_PROC_MOV_DR_EXITING, "MOV-DR exiting" },
    { VMX_PROC_UNCONDITIONAL_IO_EXITING, "unconditional I/O exiting" },
    { VMX_PROC_IO_BITMAPS, "use I/O bitmaps" },
    { VMX_PROC_MONITOR_TRAP_FLAG, "monitor trap flag" },
    { VMX_PROC_MSR_BITMAPS, "use MSR bitmaps" },
    { VMX_PROC_MONITOR_EXITING, "MONITOR exiting" },
    { VMX_PROC_PAUSE_EXITING, "PAUSE exiting" },
    { VMX_PROC_SECONDARY_CONTROLS, "activate secondary controls" },
    { 0, NULL }
};

static const struct bit_name secondary_names[] = {
    { VMX_PROC2_VIRTUALIZE_APIC_ACCESSES, "virtualize APIC accesses" },
    { VMX_PROC2_EPT, "enable EPT" },
    { VMX_PROC2_DESCRIPTOR_TABLE_EXITING, "descriptor-table exiting" },
    { VMX_PROC2_RDTSCP, "enable RDTSCP" },
    { VMX_PROC2_VIRTUALIZE_X2APIC, "virtualize x2APIC mode" },
    { VMX_PROC2_VPID, "enable VPID" },
    { VMX_PROC2_WBINVD_EXITING, "WBINVD exiting" },
    { VMX_PROC2_UNRESTRICTED_GUEST, "unrestricted guest" },
    { VMX_PROC2_APIC_REGISTER_VIRTUALIZATION, "APIC-register virtualization" },
    { VMX_PROC2_VIRTUAL_INTERRUPT_DELIVERY, "virtual-interrupt delivery" },
    { VMX_PROC2_PAUSE_LOOP_EXITING, "PAUSE-loop exiting" },
    { VMX_PROC2_RDRAND_EXITING, "RDRAND exiting" },
    { VMX_PROC2_INVPCID, "enable INVPCID" },
    { VMX_PROC2_VM_FUNCTIONS, "enable VM functions" },
    { VMX_PROC2_VMCS_SHADOWING, "VMCS shadowing" },
    { VMX_PROC2_ENCLS_EXITING, "enable ENCLS exiting" },
    { VMX_PROC2_RDSEED_EXITING, "RDSEED exiting" },
    { VMX_PROC2_PML, "enable PML" },
    { VMX_PROC2_EPT_VIOLATION_VE, "EPT-violation #VE" },
    { VMX_PROC2_CONCEAL_VMX_FROM_PT, "conceal VMX from PT" },
    { VMX_PROC2_XSAVES, "enable XSAVES/XRSTORS" },
    { VMX_PROC2_PASID_TRANSLATION, "PASID translation" },
    { VMX_PROC2_MODE_BASED_EXECUTE, "mode-based execute control for EPT" },
    { VMX_PROC2_SUBPAGE_WRITE, "sub-page write permissions for EPT" },
    { VMX_PROC2_PT_GUEST_PHYSICAL, "Intel PT uses guest physical addresses" },
    { VMX_PROC2_TSC_SCALING, "use TSC scaling" },
    { VMX_PROC2_USER_WAIT_PAUSE, "enable user wait and pause" },
    { VMX_PROC2_PCONFIG, "enable PCONFIG" },
    { VMX_PROC2_ENCLV_EXITING, "enable ENCLV exiting" },
    { VMX_PROC2_BUS_LOCK_DETECTION, "VMM bus-lock detection" },
    { VMX_PROC2_INSTRUCTION_TIMEOUT, "instruction timeout" },
    { 0, NULL }
};

static const struct bit_name exit_names[] = {
    { VMX_EXIT_SAVE_DEBUG_CONTROLS, "save debug controls" },
    { VMX_EXIT_HOST_ADDRESS_SPACE_SIZE, "host address-space size" },
    { VMX_EXIT_LOAD_PERF_GLOBAL_CTRL, "load IA32_PERF_GLOBAL_CTRL" },
    { VMX_EXIT_ACK_INTERRUPT_ON_EXIT, "acknowledge interrupt on exit" },
    { VMX_EXIT_SAVE_PAT, "save IA32_PAT" },
    { VMX_EXIT_LOAD_PAT, "load IA32_PAT" },
    { VMX_EXIT_SAVE_EFER, "save IA32_EFER" },
    { VMX_EXIT_LOAD_EFER, "load IA32_EFER" },
    { VMX_EXIT_SAVE_PREEMPTION_TIMER, "save VMX-preemption timer value" },
    { VMX_EXIT_CLEAR_BNDCFGS, "clear IA32_BNDCFGS" },
    { VMX_EXIT_CONCEAL_VMX_FROM_PT, "conceal VMX from PT" },
    { VMX_EXIT_CLEAR_RTIT_CTL, "clear IA32_RTIT_CTL" },
    { VMX_EXIT_CLEAR_LBR_CTL, "clear IA32_LBR_CTL" },
    { VMX_EXIT_CLEAR_UINV, "clear UINV" },
    { VMX_EXIT_LOAD_CET_STATE, "load CET state" },
    { VMX_EXIT_LOAD_PKRS, "load PKRS" },
    { VMX_EXIT_SAVE_PERF_GLOBAL_CTL, "save IA32_PERF_GLOBAL_CTL" },
    { VMX_EXIT_SECONDARY_CONTROLS, "activate secondary controls" },
    { 0, NULL }
};

static const struct bit_name entry_names[] = {
    { VMX_ENTRY_LOAD_DEBUG_CONTROLS, "load debug controls" },
    { VMX_ENTRY_IA32E_MODE_GUEST, "IA-32e mode guest" },
    { VMX_ENTRY_TO_SMM, "entry to SMM" },
    { VMX_ENTRY_DEACTIVATE_DUAL_MONITOR, "deactivate dual-monitor treatment" },
    { VMX_ENTRY_LOAD_PERF_GLOBAL_CTRL, "load IA32_PERF_GLOBAL_CTRL" },
    { VMX_ENTRY_LOAD_PAT, "load IA32_PAT" },
    { VMX_ENTRY_LOAD_EFER, "load IA32_EFER" },
    { VMX_ENTRY_LOAD_BNDCFGS, "load IA32_BNDCFGS" },
    { VMX_ENTRY_CONCEAL_VMX_FROM_PT, "conceal VMX from PT" },
    { VMX_ENTRY_LOAD_RTIT_CTL, "load IA32_RTIT_CTL" },
    { VMX_ENTRY_LOAD_UINV, "load UINV" },
    { VMX_ENTRY_LOAD_CET_STATE, "load CET state" },
    { VMX_ENTRY_LOAD_LBR_CTL, "load guest IA32_LBR_CTL" },
    { VMX_ENTRY_LOAD_PKRS, "load PKRS" },
    { 0, NULL }
};

static const struct {
    const char *name;
    const struct bit_name *bits;
    uint32_t default1;
} fields[VMX_CTL_FIELD_COUNT] = {
    [VMX_CTL_PIN]       = { "pin-based controls", pin_names, VMX_PIN_DEFAULT1 },
    [VMX_CTL_PRIMARY]   = { "primary controls", primary_names, VMX_PROC_DEFAULT1 },
    [VMX_CTL_SECONDARY] = { "secondary controls", secondary_names, VMX_PROC2_DEFAULT1 },
    [VMX_CTL_EXIT]      = { "exit controls", exit_names, VMX_EXIT_DEFAULT1 },
    [VMX_CTL_ENTRY]     = { "entry controls", entry_names, VMX_ENTRY_DEFAULT1 },
};

static const char *lookup(const struct bit_name *table, unsigned bit)
{
    for (; table->name; table++)
        if (table->mask == (1u << bit))
            return table->name;
    return NULL;
}

static uint32_t named_mask(const struct bit_name *table)
{
    uint32_t mask = 0;

    for (; table->name; table++)
        mask |= table->mask;
    return mask;
}

const char *vmx_ctl_field_name(enum vmx_ctl_field field)
{
    return (unsigned)field < VMX_CTL_FIELD_COUNT ? fields[field].name : "unknown controls";
}

const char *vmx_ctl_bit_name(enum vmx_ctl_field field, unsigned bit)
{
    if ((unsigned)field >= VMX_CTL_FIELD_COUNT || bit >= 32)
        return NULL;
    return lookup(fields[field].bits, bit);
}

uint32_t vmx_ctl_default1(enum vmx_ctl_field field)
{
    return (unsigned)field < VMX_CTL_FIELD_COUNT ? fields[field].default1 : 0;
}

/* The default1 bits the SDM gives no name: software unaware of them keeps them at 1. */
uint32_t vmx_ctl_reserved_default1(enum vmx_ctl_field field)
{
    if ((unsigned)field >= VMX_CTL_FIELD_COUNT)
        return 0;
    return fields[field].default1 & ~named_mask(fields[field].bits);
}

/* ---- negotiation ------------------------------------------------------------------- */

/* "\"enable EPT\" (bit 1)", or "reserved bit 29" for a bit the SDM does not name. */
static void describe_bit(char *buf, size_t size, enum vmx_ctl_field field, unsigned bit)
{
    const char *name = vmx_ctl_bit_name(field, bit);

    if (name)
        fmt_snprintf(buf, size, "\"%s\" (bit %u)", name, bit);
    else
        fmt_snprintf(buf, size, "reserved bit %u", bit);
}

bool vmx_ctl_negotiate(enum vmx_ctl_field field, const struct vmx_ctl_caps *caps,
                       uint32_t required, uint32_t optional, uint32_t *out,
                       const struct diag *err, const struct diag *debug)
{
    const char *field_name = vmx_ctl_field_name(field);
    uint32_t missing = required & ~caps->allowed1;
    uint32_t dropped = optional & ~required & ~caps->allowed1;
    uint32_t conflict = caps->allowed0 & ~caps->allowed1;
    /* Forced bits nobody asked for; the reserved default1 ones are expected, not news. */
    uint32_t forced = caps->allowed0 & ~(required | optional) & ~conflict &
                      ~vmx_ctl_reserved_default1(field);
    char what[80];

    for (unsigned bit = 0; bit < 32; bit++) {
        uint32_t mask = 1u << bit;

        if (!((missing | dropped | conflict | forced) & mask))
            continue;
        describe_bit(what, sizeof(what), field, bit);
        if (missing & mask)
            diag_report(err, "vmx: %s: required %s not supported", field_name, what);
        if (conflict & mask)
            diag_report(err, "vmx: %s: %s must be both 0 and 1 (inconsistent capability MSR)",
                        field_name, what);
        if (dropped & mask)
            diag_report(debug, "vmx: %s: optional %s not supported, dropped", field_name, what);
        if (forced & mask)
            diag_report(debug, "vmx: %s: %s forced to 1 by the CPU", field_name, what);
    }
    *out = required | (optional & caps->allowed1) | caps->allowed0;
    return !(missing | conflict);
}
