/* The hypervisor's VMX control policy: what it requires and what it takes when offered,
 * negotiated against the decoded capabilities (Intel SDM Vol. 3D, Appendix A). */
#include "vmx/caps.h"

#include "lib/format.h"

/* ---- the policy -------------------------------------------------------------------- */

/* Pin-based: every external interrupt and NMI on a partition's CPU exits so the hypervisor
 * keeps control of the machine; the preemption timer bounds how long a guest runs without
 * an exit (watchdog, test timeouts). Virtual NMIs let NMI re-injection track guest blocking. */
#define PIN_REQUIRED    (VMX_PIN_EXTERNAL_INTERRUPT_EXITING | VMX_PIN_NMI_EXITING | \
                         VMX_PIN_PREEMPTION_TIMER)
#define PIN_OPTIONAL    VMX_PIN_VIRTUAL_NMIS

/* Primary: I/O and MSR bitmaps pass a partition its own ports and MSRs and trap the rest
 * ("unconditional I/O exiting" stays 0: the bitmaps decide). HLT exiting lets the hypervisor
 * see a guest that has stopped; without it the core simply halts in the guest. Its handler
 * parks the guest in the HLT activity state, so it is taken only when IA32_VMX_MISC offers
 * that state (A.6). CR3-load/store exiting are not wanted: a CPU without the TRUE controls
 * MSRs forces them to 1 (A.3.2), and vmx/exit_cr.c then emulates MOV to and from CR3. */
/* CR8 load and store exit: a guest's MOV to CR8 would otherwise set the physical TPR and hold
 * back the host's own interrupts (IPIs, its timer) on that CPU; the hypervisor keeps a
 * virtual TPR instead (vcpu/exit_cr.c). */
/* MONITOR, MWAIT and RDPMC exit too: MWAIT could park a CPU in a deep C-state the host does
 * not control, and RDPMC would read the host's counters (CPUID hides all three). */
#define PROC_REQUIRED   (VMX_PROC_IO_BITMAPS | VMX_PROC_MSR_BITMAPS | VMX_PROC_SECONDARY_CONTROLS | \
                         VMX_PROC_CR8_LOAD_EXITING | VMX_PROC_CR8_STORE_EXITING | \
                         VMX_PROC_MONITOR_EXITING | VMX_PROC_MWAIT_EXITING | \
                         VMX_PROC_RDPMC_EXITING)
#define PROC_OPTIONAL   VMX_PROC_HLT_EXITING
#define PROC_CR3_EXITS  (VMX_PROC_CR3_LOAD_EXITING | VMX_PROC_CR3_STORE_EXITING)

/* Secondary: EPT confines each partition to its memory; RDTSCP must not #UD in a guest whose
 * CPUID reports it. Unrestricted guest (real-mode guests), VPID (no TLB flush per exit),
 * INVPCID and XSAVES are taken when offered; the CPUID handler hides the last two if not.
 * WBINVD exiting, when offered, keeps a guest's WBINVD from flushing every cache of the
 * machine on demand (the exit makes it a counted no-op). */
#define PROC2_REQUIRED  (VMX_PROC2_EPT | VMX_PROC2_RDTSCP)
#define PROC2_OPTIONAL  (VMX_PROC2_UNRESTRICTED_GUEST | VMX_PROC2_VPID | VMX_PROC2_INVPCID | \
                         VMX_PROC2_XSAVES | VMX_PROC2_WBINVD_EXITING)

/* Exit: a 64-bit host; guest DR7/DEBUGCTL, PAT and EFER saved, the host's loaded; external
 * interrupts acknowledged on exit so the exit reports the vector. Saving the preemption
 * timer lets a guest resume with the time it had left. */
#define EXIT_REQUIRED   (VMX_EXIT_SAVE_DEBUG_CONTROLS | VMX_EXIT_HOST_ADDRESS_SPACE_SIZE | \
                         VMX_EXIT_ACK_INTERRUPT_ON_EXIT | VMX_EXIT_SAVE_PAT | \
                         VMX_EXIT_LOAD_PAT | VMX_EXIT_SAVE_EFER | VMX_EXIT_LOAD_EFER)
#define EXIT_OPTIONAL   VMX_EXIT_SAVE_PREEMPTION_TIMER

/* Entry: guest DR7/DEBUGCTL, PAT and EFER loaded. Every partition runs a 64-bit image, so
 * "IA-32e mode guest" must be allowed; it is a per-guest bit that each guest's VMCS sets. */
#define ENTRY_REQUIRED  (VMX_ENTRY_LOAD_DEBUG_CONTROLS | VMX_ENTRY_LOAD_PAT | \
                         VMX_ENTRY_LOAD_EFER | VMX_ENTRY_IA32E_MODE_GUEST)
#define ENTRY_OPTIONAL  0u
#define ENTRY_PER_GUEST VMX_ENTRY_IA32E_MODE_GUEST

/* EPT: 4-level tables in write-back memory, flushed with single-context INVEPT. */
#define EPT_REQUIRED    (VMX_EPT_WALK_4 | VMX_EPT_MEMORY_WB | VMX_EPT_INVEPT | \
                         VMX_EPT_INVEPT_SINGLE_CONTEXT)
#define EPT_OPTIONAL    (VMX_EPT_PAGE_2M | VMX_EPT_PAGE_1G | VMX_EPT_ACCESSED_DIRTY | \
                         VMX_EPT_EXECUTE_ONLY)
/* VPID is used only when a partition's VPID can be flushed on its own. */
#define VPID_REQUIRED   (VMX_VPID_INVVPID | VMX_VPID_INVVPID_SINGLE_CONTEXT)

/* Reports each bit of want the CPU lacks; returns those bits. */
static uint64_t check_ept_vpid(uint64_t have, uint64_t want, const char *kind,
                               const char *consequence, const struct diag *d)
{
    uint64_t missing = want & ~have;

    for (unsigned bit = 0; bit < 64; bit++) {
        if (missing & (1ull << bit))
            diag_report(d, "vmx: EPT/VPID capabilities: %s \"%s\" (bit %u) not supported%s",
                        kind, vmx_ept_vpid_cap_name(bit), bit, consequence);
    }
    return missing;
}

bool vmx_negotiate_hypervisor_controls(const struct vmx_caps *caps, struct vmx_controls *out,
                                       const struct diag *err, const struct diag *debug)
{
    static const struct vmx_ctl_caps none = { 0, 0 };
    const struct vmx_ctl_caps *proc2_caps = &caps->ctl[VMX_CTL_SECONDARY];
    uint32_t proc_optional = PROC_OPTIONAL;
    bool ok = true;

    *out = (struct vmx_controls){ 0 };
    ok &= vmx_ctl_negotiate(VMX_CTL_PIN, &caps->ctl[VMX_CTL_PIN], PIN_REQUIRED, PIN_OPTIONAL,
                            &out->pin, err, debug);
    if (!caps->activity_hlt && (caps->ctl[VMX_CTL_PRIMARY].allowed1 & VMX_PROC_HLT_EXITING)) {
        proc_optional &= ~VMX_PROC_HLT_EXITING;
        diag_report(debug, "vmx: primary controls: optional \"HLT exiting\" (bit 7) not used: "
                           "IA32_VMX_MISC offers no HLT activity state");
    }
    ok &= vmx_ctl_negotiate(VMX_CTL_PRIMARY, &caps->ctl[VMX_CTL_PRIMARY], PROC_REQUIRED,
                            proc_optional, &out->primary, err, debug);
    /* 25.6.2: without "activate secondary controls" the CPU acts as if they were all 0. */
    if (!(out->primary & caps->ctl[VMX_CTL_PRIMARY].allowed1 & VMX_PROC_SECONDARY_CONTROLS))
        proc2_caps = &none;
    ok &= vmx_ctl_negotiate(VMX_CTL_SECONDARY, proc2_caps, PROC2_REQUIRED, PROC2_OPTIONAL,
                            &out->secondary, err, debug);
    ok &= vmx_ctl_negotiate(VMX_CTL_EXIT, &caps->ctl[VMX_CTL_EXIT], EXIT_REQUIRED,
                            EXIT_OPTIONAL, &out->exit, err, debug);
    ok &= vmx_ctl_negotiate(VMX_CTL_ENTRY, &caps->ctl[VMX_CTL_ENTRY], ENTRY_REQUIRED,
                            ENTRY_OPTIONAL, &out->entry, err, debug);

    out->ia32e_mode_guest = out->entry & caps->ctl[VMX_CTL_ENTRY].allowed1 &
                            VMX_ENTRY_IA32E_MODE_GUEST;
    out->entry &= ~(ENTRY_PER_GUEST & ~caps->ctl[VMX_CTL_ENTRY].allowed0);

    /* EPT/VPID capabilities matter only where the controls are really there. */
    if (out->secondary & proc2_caps->allowed1 & VMX_PROC2_EPT) {
        uint64_t dropped;

        if (check_ept_vpid(caps->ept_vpid, EPT_REQUIRED, "required", "", err))
            ok = false;
        dropped = check_ept_vpid(caps->ept_vpid, EPT_OPTIONAL, "optional", ", dropped", debug);
        out->ept_2m = !(dropped & VMX_EPT_PAGE_2M);
        out->ept_1g = !(dropped & VMX_EPT_PAGE_1G);
        out->ept_accessed_dirty = !(dropped & VMX_EPT_ACCESSED_DIRTY);
        out->ept_execute_only = !(dropped & VMX_EPT_EXECUTE_ONLY);
    }
    if ((out->secondary & VMX_PROC2_VPID) &&
        check_ept_vpid(caps->ept_vpid, VPID_REQUIRED, "optional", ", VPID dropped", debug))
        out->secondary &= ~VMX_PROC2_VPID;

    out->preemption_timer = out->pin & VMX_PIN_PREEMPTION_TIMER;
    out->save_preemption_timer = out->exit & VMX_EXIT_SAVE_PREEMPTION_TIMER;
    out->virtual_nmis = out->pin & VMX_PIN_VIRTUAL_NMIS;
    out->hlt_exiting = out->primary & VMX_PROC_HLT_EXITING;
    out->cr3_exiting = out->primary & PROC_CR3_EXITS;
    out->unrestricted_guest = out->secondary & VMX_PROC2_UNRESTRICTED_GUEST;
    out->vpid = out->secondary & VMX_PROC2_VPID;
    out->invpcid = out->secondary & VMX_PROC2_INVPCID;
    out->xsaves = out->secondary & VMX_PROC2_XSAVES;
    out->preemption_timer_rate = caps->preemption_timer_rate;
    return ok;
}

/* ---- all CPUs agree ---------------------------------------------------------------- */

bool vmx_controls_compare(const struct vmx_controls *boot, const struct vmx_controls *cpu,
                          unsigned cpu_index, const struct diag *err)
{
    const uint32_t boot_values[VMX_CTL_FIELD_COUNT] = {
        boot->pin, boot->primary, boot->secondary, boot->exit, boot->entry,
    };
    const uint32_t cpu_values[VMX_CTL_FIELD_COUNT] = {
        cpu->pin, cpu->primary, cpu->secondary, cpu->exit, cpu->entry,
    };
    const struct {
        const char *name;
        bool boot, cpu;
    } flags[] = {
        { "IA-32e mode guest", boot->ia32e_mode_guest, cpu->ia32e_mode_guest },
        { "EPT 2 MiB pages", boot->ept_2m, cpu->ept_2m },
        { "EPT 1 GiB pages", boot->ept_1g, cpu->ept_1g },
        { "EPT accessed and dirty flags", boot->ept_accessed_dirty, cpu->ept_accessed_dirty },
        { "EPT execute-only", boot->ept_execute_only, cpu->ept_execute_only },
    };

    for (unsigned f = 0; f < VMX_CTL_FIELD_COUNT; f++) {
        if (boot_values[f] != cpu_values[f]) {
            diag_report(err, "vmx: cpu %u: %s 0x%08x differ from the boot CPU's 0x%08x",
                        cpu_index, vmx_ctl_field_name((enum vmx_ctl_field)f),
                        cpu_values[f], boot_values[f]);
            return false;
        }
    }
    for (unsigned i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
        if (flags[i].boot != flags[i].cpu) {
            diag_report(err, "vmx: cpu %u: %s %s, on the boot CPU %s", cpu_index,
                        flags[i].name, flags[i].cpu ? "present" : "absent",
                        flags[i].boot ? "present" : "absent");
            return false;
        }
    }
    if (boot->preemption_timer_rate != cpu->preemption_timer_rate) {
        diag_report(err, "vmx: cpu %u: preemption timer rate %u differs from the boot CPU's %u",
                    cpu_index, cpu->preemption_timer_rate, boot->preemption_timer_rate);
        return false;
    }
    return true;
}

/* ---- summary line ------------------------------------------------------------------ */

int vmx_controls_format(char *buf, size_t size, const struct vmx_caps *caps,
                        const struct vmx_controls *ctl)
{
    return fmt_snprintf(buf, size,
                        "vmx: revision 0x%x, pin 0x%08x primary 0x%08x secondary 0x%08x "
                        "exit 0x%08x entry 0x%08x, ept 4-level wb%s%s%s%s%s, "
                        "preemption timer rate %u",
                        caps->revision_id, ctl->pin, ctl->primary, ctl->secondary, ctl->exit,
                        ctl->entry, ctl->ept_2m ? " 2M" : "", ctl->ept_1g ? " 1G" : "",
                        ctl->ept_accessed_dirty ? " a/d" : "", ctl->vpid ? ", vpid" : "",
                        ctl->unrestricted_guest ? ", unrestricted guest" : "",
                        ctl->preemption_timer_rate);
}
