/* The remaining exit handlers (SDM Vol. 3C 27.1-27.2, 28.2): events (exceptions, NMIs,
 * external interrupts, INIT, SIPI, the preemption timer), HLT, cache instructions,
 * instructions a guest without VMX must not have, and the faults that stop a partition. */
#include "arch/x86/smp.h"
#include "guest/partition_run.h"
#include "vmx/exit.h"
#include "vmx/exit_reasons.h"
#include "vmx/guest_state_check.h"
#include "vmx/vmcs.h"
#include "vmx/vmxon.h"
#include "lib/format.h"
#include "shell/service.h"

#define RFLAGS_IF               (1u << 9)
#define INTR_INFO_VECTOR(info)  ((info) & 0xFFu)
#define INTR_INFO_TYPE(info)    (((info) >> 8) & 7u)
#define INTR_INFO_HAS_ERROR     (1u << 11)
#define INTR_INFO_VALID         (1u << 31)

enum exit_action exit_exception_nmi(struct vcpu *v, const struct exit_info *e)
{
    uint32_t info = vmcs_read32(VMCS_EXIT_INFO_INTERRUPTION_INFO);
    if (INTR_INFO_TYPE(info) == VMX_INTR_TYPE_NMI)
        return EXIT_RESUME;     /* the host's NMI, taken on exit; nothing for the guest */
    /* The exception bitmap asked for it: give it back to the guest unchanged. */
    bool has_error = (info & INTR_INFO_HAS_ERROR) != 0;
    uint32_t error = has_error ? vmcs_read32(VMCS_EXIT_INFO_INTERRUPTION_ERROR_CODE) : 0;
    (void)v;
    (void)e;
    vmx_inject_hw_exception((uint8_t)INTR_INFO_VECTOR(info), has_error, error);
    return EXIT_RESUME;
}

/* "Acknowledge interrupt on exit": the vector is in the exit information, already taken
 * from the local APIC, so the hypervisor handles it here (SDM 28.2.2). */
enum exit_action exit_external_interrupt(struct vcpu *v, const struct exit_info *e)
{
    uint32_t info = vmcs_read32(VMCS_EXIT_INFO_INTERRUPTION_INFO);
    if (info & INTR_INFO_VALID)
        smp_handle_interrupt(INTR_INFO_VECTOR(info));
    if (v->stop_requested)
        return exit_stop_with_report(v, e, "stopped from the shell");
    return EXIT_RESUME;
}

/* Exits other than the timer's since the vCPU started: if this does not move for the
 * partition's watchdog period, the guest is spinning without ever doing anything else. */
static uint64_t activity_exits(const struct vcpu *v)
{
    uint64_t n = 0;
    for (unsigned i = 0; i < VCPU_EXIT_REASONS; i++)
        n += v->exits[i];
    return n - v->exits[VMX_EXIT_REASON_PREEMPTION_TIMER];
}

static enum exit_action watchdog_check(struct vcpu *v, const struct exit_info *e)
{
    uint32_t limit = v->partition->config->watchdog_ms;
    uint64_t activity = activity_exits(v);
    if (activity != v->watchdog_last_activity) {
        v->watchdog_last_activity = activity;
        v->watchdog_quiet_periods = 0;
        return EXIT_RESUME;
    }
    if (++v->watchdog_quiet_periods * VCPU_TIMER_PERIOD_MS < limit)
        return EXIT_RESUME;
    char why[80];
    fmt_snprintf(why, sizeof(why), "watchdog: only preemption-timer exits for %u ms", limit);
    return exit_stop_with_report(v, e, why);
}

/* Every VCPU_TIMER_PERIOD_MS: the hypervisor's time slot on this CPU, whatever the guest
 * does. The boot CPU serves the console and the shell here; the watchdog runs here. */
enum exit_action exit_preemption_timer(struct vcpu *v, const struct exit_info *e)
{
    /* With "save VMX-preemption timer value" the field now reads 0: start a new period. */
    vmcs_write32(VMCS_GUEST_PREEMPTION_TIMER_VALUE, v->preemption_timer_value);
    /* Calls from other CPUs normally arrive with their IPI's exit; Bochs does not exit for an
     * external interrupt while the guest has RFLAGS.IF clear (the SDM says it should), so
     * the mailbox is also checked here, at worst one timer period late. */
    smp_serve_pending_call();
    if (v->cpu == 0)
        console_service();
    if (v->stop_requested)
        return exit_stop_with_report(v, e, "stopped from the shell");
    if (v->partition->config->watchdog_ms)
        return watchdog_check(v, e);
    return EXIT_RESUME;
}

enum exit_action exit_init_signal(struct vcpu *v, const struct exit_info *e)
{
    (void)v;
    (void)e;
    return EXIT_RESUME;     /* nothing may reset a partition's CPU behind the hypervisor */
}

enum exit_action exit_sipi(struct vcpu *v, const struct exit_info *e)
{
    (void)v;
    (void)e;
    return EXIT_RESUME;
}

/* HLT with interrupts enabled waits in the guest's HLT activity state (the preemption
 * timer still brings the CPU back to the hypervisor). With interrupts disabled nothing
 * can ever wake it, so the partition is stopped and reported. */
enum exit_action exit_hlt(struct vcpu *v, const struct exit_info *e)
{
    if (!(vmcs_read_natural(VMCS_GUEST_RFLAGS) & RFLAGS_IF))
        return exit_stop_with_report(v, e, "HLT with interrupts disabled: the guest can never wake");
    /* HLT exiting is negotiated only with the HLT activity state; should a CPU force it anyway,
     * the guest goes on after its HLT as if woken at once (entry would fail otherwise). */
    if (!vmx_config()->caps.activity_hlt)
        return EXIT_ADVANCE;
    /* "sti; hlt" (every idle loop): HLT sits in STI's shadow, and skipping HLT ends that
     * shadow; VM entry refuses the HLT activity state with STI or MOV-SS blocking set
     * (SDM 28.3.1.5), so clear them as the CPU would have. */
    uint32_t blocking = vmcs_read32(VMCS_GUEST_INTERRUPTIBILITY_STATE);
    if (blocking & (VMX_INTERRUPTIBILITY_STI | VMX_INTERRUPTIBILITY_MOV_SS))
        vmcs_write32(VMCS_GUEST_INTERRUPTIBILITY_STATE,
                     blocking & ~(VMX_INTERRUPTIBILITY_STI | VMX_INTERRUPTIBILITY_MOV_SS));
    vmcs_write32(VMCS_GUEST_ACTIVITY_STATE, VMX_ACTIVITY_HLT);
    v->state = VCPU_HALTED;
    return EXIT_ADVANCE;
}

/* INVD would throw away other partitions' dirty lines: do the safe WBINVD instead. */
enum exit_action exit_invd_wbinvd(struct vcpu *v, const struct exit_info *e)
{
    (void)v;
    (void)e;
    __asm__ volatile("wbinvd" ::: "memory");
    return EXIT_ADVANCE;
}

/* VMX instructions and GETSEC: the guest's CPUID says there is no VMX and no SMX. */
enum exit_action exit_undefined_opcode(struct vcpu *v, const struct exit_info *e)
{
    (void)v;
    (void)e;
    vmx_inject_hw_exception(VECTOR_UD, false, 0);
    return EXIT_RESUME;
}

enum exit_action exit_triple_fault(struct vcpu *v, const struct exit_info *e)
{
    return exit_stop_with_report(v, e, "triple fault");
}

enum exit_action exit_ept_violation(struct vcpu *v, const struct exit_info *e)
{
    return exit_stop_with_report(v, e, "access outside its memory (EPT violation)");
}

enum exit_action exit_ept_misconfig(struct vcpu *v, const struct exit_info *e)
{
    return exit_stop_with_report(v, e, "EPT misconfiguration (a hypervisor bug)");
}
