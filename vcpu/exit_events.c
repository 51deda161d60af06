/* Event exits (SDM Vol. 3C 27.1-27.2, 28.2): exceptions and NMIs, external interrupts, INIT,
 * SIPI, the VMX-preemption timer (the hypervisor's regular slot on this CPU) and HLT. */
#include "arch/x86/cpu_regs.h"
#include "arch/x86/smp.h"
#include "drivers/console.h"
#include "lib/format.h"
#include "vcpu/exit.h"
#include "vmx/exit_reasons.h"
#include "vmx/vmxon.h"


#define MSR_IA32_MCG_CAP        0x179
#define MSR_IA32_MCG_STATUS     0x17A
#define MSR_IA32_MC0_STATUS     0x401
#define MCG_CAP_COUNT(cap)      ((unsigned)(cap) & 0xFFu)
#define MCI_STATUS_VAL          (1ull << 63)
#define MCG_BANKS_MAX           32u

/* A machine check while the guest ran (#MC intercepted, SDM Vol. 3B 15.3, 16): the banks that
 * hold an error go to the console. The guest's CPU state cannot be trusted after it, so the
 * partition stops; the hypervisor and the other partitions go on. */
__attribute__((noinline)) static enum vcpu_verdict machine_check(struct vcpu *v)
{
    uint64_t cap = 0, status = 0;
    if (!vcpu_host_rdmsr(MSR_IA32_MCG_CAP, &cap))
        cap = 0;
    vcpu_host_rdmsr(MSR_IA32_MCG_STATUS, &status);
    console_printf("partition %s: machine check on cpu %u, MCG_STATUS 0x%llx\n", v->name, v->cpu,
                   (unsigned long long)status);
    for (unsigned bank = 0; bank < MCG_CAP_COUNT(cap) && bank < MCG_BANKS_MAX; bank++) {
        uint64_t bank_status;
        if (vcpu_host_rdmsr(MSR_IA32_MC0_STATUS + 4 * bank, &bank_status) &&
            (bank_status & MCI_STATUS_VAL))
            console_printf("partition %s:   MC%u_STATUS 0x%llx\n", v->name, bank,
                           (unsigned long long)bank_status);
    }
    return vcpu_stop_verdict(v, "machine check while it ran");
}

/* An intercepted exception that came while the CPU was delivering the same one: left alone it
 * would repeat for ever without an instruction retiring (the CVE-2015-5307 class for #AC). */
static bool recurs_in_own_delivery(uint32_t info)
{
    uint32_t idt = (uint32_t)vcpu_vmread(VMCS_EXIT_INFO_IDT_VECTORING_INFO);
    return (idt & VMX_INTR_INFO_VALID) &&
           VMX_INTR_INFO_TYPE(idt) == VMX_INTR_TYPE_HW_EXCEPTION &&
           VMX_INTR_INFO_VECTOR(idt) == VMX_INTR_INFO_VECTOR(info);
}

enum vcpu_verdict exit_exception_nmi(struct vcpu *v)
{
    uint32_t info = (uint32_t)vcpu_vmread(VMCS_EXIT_INFO_INTERRUPTION_INFO);
    if (VMX_INTR_INFO_TYPE(info) == VMX_INTR_TYPE_HW_EXCEPTION) {
        if (VMX_INTR_INFO_VECTOR(info) == X86_VECTOR_MC)
            return machine_check(v);
        if (recurs_in_own_delivery(info))
            return vcpu_stop_verdict(v, "exception %u recurred during its own delivery",
                                     VMX_INTR_INFO_VECTOR(info));
    }
    vcpu_note_event_delivery(v);
    if (VMX_INTR_INFO_TYPE(info) == VMX_INTR_TYPE_NMI)
        return vcpu_resume(v);     /* the host's NMI, taken on exit; nothing for the guest */
    if (VMX_INTR_INFO_TYPE(info) == VMX_INTR_TYPE_HW_EXCEPTION &&
        VMX_INTR_INFO_VECTOR(info) == X86_VECTOR_DB)
        return exit_debug_exception(v);
    if (VMX_INTR_INFO_TYPE(info) == VMX_INTR_TYPE_SOFTWARE_EXCEPTION ||
        VMX_INTR_INFO_TYPE(info) == VMX_INTR_TYPE_PRIV_SOFTWARE_EXCEPTION) {
        /* INT3 or INTO the exception bitmap caught, or INT1 (ICEBP) with #DB intercepted: the
         * exit comes before the instruction (SDM 27.1), so it is delivered again as it was, a
         * software exception with its instruction length. INT1 leaves DR6 alone. */
        events_exit_record(&v->events, info | VMX_INTR_INFO_VALID, 0,
                           (uint32_t)vcpu_vmread(VMCS_EXIT_INFO_INSTRUCTION_LENGTH));
        v->events_pending = 1;
        return vcpu_resume(v);
    }
    /* A hardware exception the bitmap asked for: give it back to the guest unchanged. */
    uint32_t error = (info & VMX_INTR_DELIVER_ERROR_CODE)
                         ? (uint32_t)vcpu_vmread(VMCS_EXIT_INFO_INTERRUPTION_ERROR_CODE) : 0;
    vcpu_inject_exception(v, (uint8_t)VMX_INTR_INFO_VECTOR(info), error);
    return vcpu_resume(v);
}

/* "Acknowledge interrupt on exit": the vector is in the exit information, already taken
 * from the local APIC, so the hypervisor handles it here (SDM 28.2.2). */
enum vcpu_verdict exit_external_interrupt(struct vcpu *v)
{
    vcpu_note_event_delivery(v);
    vcpu_host_note_other_work();     /* the interrupt's handler, and what it woke */
    uint32_t info = (uint32_t)vcpu_vmread(VMCS_EXIT_INFO_INTERRUPTION_INFO);
    if (info & VMX_INTR_INFO_VALID)
        smp_handle_interrupt(VMX_INTR_INFO_VECTOR(info));
    /* A halted guest's CPU skips its periodic slots (idle_tick_ok): whoever has work for it
     * (a keystroke for its UART) sends an IPI, and the owner's periodic work runs now. */
    if (v->state == VCPU_HALTED)
        v->owner->timer_tick(v->owner_ctx, v);
    if (v->stop_requested)
        return vcpu_stop_verdict(v, "stopped from the shell");
    return vcpu_slow_after_other_work(vcpu_resume(v));
}

/* Exits other than the timer's since the vCPU started: if this does not move for the
 * partition's watchdog period, the guest is spinning without ever doing anything else. */
static uint64_t activity_exits(const struct vcpu *v)
{
    uint64_t n = 0;
    for (unsigned i = 0; i < VCPU_EXIT_REASONS; i++)
        n += vcpu_exit_count(v, i);
    return n - vcpu_exit_count(v, VMX_EXIT_REASON_PREEMPTION_TIMER);
}

static enum vcpu_verdict watchdog_check(struct vcpu *v)
{
    uint32_t limit = v->watchdog_ms;
    uint64_t activity = activity_exits(v);
    if (activity != v->watchdog_last_activity) {
        v->watchdog_last_activity = activity;
        v->watchdog_quiet_periods = 0;
        return vcpu_resume(v);
    }
    if (++v->watchdog_quiet_periods * VCPU_TIMER_PERIOD_MS < limit)
        return vcpu_resume(v);
    return vcpu_stop_verdict(v, "watchdog: only preemption-timer exits for %u ms", limit);
}

/* The preemption timer for the nearer of the two host deadlines (SDM 26.5.1: it counts down
 * by one every 2^rate TSC ticks); a deadline already passed exits before the first guest
 * instruction. */
static void program_timer(struct vcpu *v, uint64_t now)
{
    uint64_t tick = v->next_tick_tsc;
    if (v->state == VCPU_HALTED && v->idle_tick_ok)
        tick += v->tick_period_tsc * (VCPU_IDLE_TICK_MS / VCPU_TIMER_PERIOD_MS - 1);
    uint64_t deadline = v->device_deadline < tick ? v->device_deadline : tick;
    uint64_t ticks = deadline > now ? (deadline - now) >> vmx_config()->controls.preemption_timer_rate
                                    : 0;
    vcpu_vmwrite(VMCS_GUEST_PREEMPTION_TIMER_VALUE, ticks > 0xFFFFFFFFull ? 0xFFFFFFFFull : ticks);
}

void vcpu_timer_rearm(struct vcpu *v)
{
    program_timer(v, vcpu_host_rdtsc());
}

void vcpu_set_device_deadline(struct vcpu *v, uint64_t tsc)
{
    v->device_deadline = tsc;
    vcpu_timer_rearm(v);
}

/* The hypervisor's slot on this CPU, its host deadline passed: the owner's regular work, a
 * stop the shell asked for, the watchdog. verdict is the exit's so far (flags kept). */
static enum vcpu_verdict management_slot(struct vcpu *v, uint64_t now, enum vcpu_verdict verdict)
{
    /* Whole periods from the last one; after a long absence, from now. */
    v->next_tick_tsc += v->tick_period_tsc;
    if (v->next_tick_tsc <= now)
        v->next_tick_tsc = now + v->tick_period_tsc;
    vcpu_host_note_other_work();     /* the owner's work: the console, the shell, ... */
    v->owner->timer_tick(v->owner_ctx, v);
    if (v->stop_requested)
        return vcpu_stop_verdict(v, "stopped from the shell");
    if (v->watchdog_ms && watchdog_check(v) == VCPU_STOP)
        return VCPU_STOP;
    return (enum vcpu_verdict)(verdict | vcpu_resume(v));
}

/* A host deadline: the owner's devices when theirs has passed, and every VCPU_TIMER_PERIOD_MS
 * of host time the hypervisor's slot on this CPU, whatever the guest does: the owner's regular
 * work (the boot CPU's console service), a stop the shell asked for, the watchdog. */
enum vcpu_verdict exit_preemption_timer(struct vcpu *v)
{
    vcpu_note_event_delivery(v);
    uint64_t now = vcpu_host_rdtsc();
    /* Calls from other CPUs normally arrive with their IPI's exit; Bochs does not exit for an
     * external interrupt while the guest has RFLAGS.IF clear (the SDM says it should), so
     * the mailbox is also checked here, at worst one timer period late. */
    smp_serve_pending_call();
    if (now >= v->device_deadline && v->owner->device_timer) {
        v->device_deadline = UINT64_MAX;
        v->owner->device_timer(v->owner_ctx, v, now);
    }
    enum vcpu_verdict verdict = vcpu_resume(v);
    if (now >= v->next_tick_tsc)
        verdict = management_slot(v, now, verdict);
    program_timer(v, now);
    return vcpu_slow_after_other_work(verdict);
}

enum vcpu_verdict vcpu_management_slot_due(struct vcpu *v, enum vcpu_verdict verdict)
{
    uint64_t now = vcpu_host_rdtsc();
    if (now < v->next_tick_tsc || (verdict & VCPU_STOP))
        return verdict;
    verdict = management_slot(v, now, verdict);
    program_timer(v, now);
    return vcpu_slow_after_other_work(verdict);
}

enum vcpu_verdict exit_init_signal(struct vcpu *v)
{
    (void)v;
    return vcpu_resume(v);     /* nothing may reset a partition's CPU behind the hypervisor */
}

enum vcpu_verdict exit_sipi(struct vcpu *v)
{
    (void)v;
    return vcpu_resume(v);
}

/* HLT with interrupts enabled waits in the guest's HLT activity state (the preemption
 * timer still brings the CPU back to the hypervisor). With interrupts disabled and no
 * single-step trap to come, nothing can ever wake it, so the partition is stopped and
 * reported. */
enum vcpu_verdict exit_hlt(struct vcpu *v)
{
    if (!(vcpu_vmread(VMCS_GUEST_RFLAGS) & (RFLAGS_IF | RFLAGS_TF)))
        return vcpu_stop_verdict(v, "HLT with interrupts disabled: the guest can never wake");
    /* HLT exiting is negotiated only with the HLT activity state; should a CPU force it anyway,
     * the guest goes on after its HLT as if woken at once (entry would fail otherwise). */
    if (!vmx_config()->caps.activity_hlt)
        return vcpu_advance(v);
    /* "sti; hlt" (every idle loop): HLT sits in STI's shadow, which skipping HLT ends, as VM
     * entry demands in the HLT state; with TF the single-step trap is left pending (BS), which
     * entry also demands there and which the CPU delivers from HLT (SDM 26.3.1.5, 26.6.3):
     * vcpu_advance does both. */
    vcpu_vmwrite(VMCS_GUEST_ACTIVITY_STATE, VMX_ACTIVITY_HLT);
    v->state = VCPU_HALTED;
    return vcpu_advance(v);
}
