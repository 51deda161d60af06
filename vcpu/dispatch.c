/* VM-exit dispatch (SDM Vol. 3C, 28.2 exit information; Appendix C basic exit reasons): the
 * exit stub's handler reads the exit, counts it, runs the reason's handler through a const
 * table and acts on its verdict. */
#include "vcpu/exit.h"
#include "vcpu/report.h"
#include "vmx/exit_reasons.h"
#include "vmx/exit_reasons.h"

static enum vcpu_verdict exit_unhandled(struct vcpu *v);

/* Indexed by basic exit reason; every entry is set, so the dispatcher needs no NULL test: a
 * reason without a handler of its own stops the guest. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Woverride-init"    /* the default first, then each handler */
static const exit_handler_fn exit_handlers[VMX_EXIT_REASON_COUNT] = {
    [0 ... VMX_EXIT_REASON_COUNT - 1] = exit_unhandled,
    [VMX_EXIT_REASON_EXCEPTION_NMI] = exit_exception_nmi,
    [VMX_EXIT_REASON_EXTERNAL_INTERRUPT] = exit_external_interrupt,
    [VMX_EXIT_REASON_TRIPLE_FAULT] = exit_triple_fault,
    [VMX_EXIT_REASON_INIT] = exit_init_signal,
    [VMX_EXIT_REASON_SIPI] = exit_sipi,
    [VMX_EXIT_REASON_INTERRUPT_WINDOW] = exit_interrupt_window,
    [VMX_EXIT_REASON_NMI_WINDOW] = exit_nmi_window,
    [VMX_EXIT_REASON_CPUID] = exit_cpuid,
    [VMX_EXIT_REASON_GETSEC] = exit_undefined_opcode,
    [VMX_EXIT_REASON_HLT] = exit_hlt,
    [VMX_EXIT_REASON_INVD] = exit_invd_wbinvd,
    [VMX_EXIT_REASON_RDPMC] = exit_rdpmc,
    [VMX_EXIT_REASON_MWAIT] = exit_monitor_mwait,
    [VMX_EXIT_REASON_MONITOR] = exit_monitor_mwait,
    [VMX_EXIT_REASON_VMCALL] = exit_vmcall,
    [VMX_EXIT_REASON_VMCLEAR] = exit_undefined_opcode,
    [VMX_EXIT_REASON_VMLAUNCH] = exit_undefined_opcode,
    [VMX_EXIT_REASON_VMPTRLD] = exit_undefined_opcode,
    [VMX_EXIT_REASON_VMPTRST] = exit_undefined_opcode,
    [VMX_EXIT_REASON_VMREAD] = exit_undefined_opcode,
    [VMX_EXIT_REASON_VMRESUME] = exit_undefined_opcode,
    [VMX_EXIT_REASON_VMWRITE] = exit_undefined_opcode,
    [VMX_EXIT_REASON_VMXOFF] = exit_undefined_opcode,
    [VMX_EXIT_REASON_VMXON] = exit_undefined_opcode,
    [VMX_EXIT_REASON_CR_ACCESS] = exit_cr_access,
    [VMX_EXIT_REASON_IO_INSTRUCTION] = exit_io,
    [VMX_EXIT_REASON_RDMSR] = exit_rdmsr,
    [VMX_EXIT_REASON_WRMSR] = exit_wrmsr,
    [VMX_EXIT_REASON_EPT_VIOLATION] = exit_ept_violation,
    [VMX_EXIT_REASON_EPT_MISCONFIG] = exit_ept_misconfig,
    [VMX_EXIT_REASON_INVEPT] = exit_undefined_opcode,
    [VMX_EXIT_REASON_PREEMPTION_TIMER] = exit_preemption_timer,
    [VMX_EXIT_REASON_INVVPID] = exit_undefined_opcode,
    [VMX_EXIT_REASON_WBINVD] = exit_invd_wbinvd,
    [VMX_EXIT_REASON_XSETBV] = exit_xsetbv,
    [VMX_EXIT_REASON_VMFUNC] = exit_undefined_opcode,
};
#pragma GCC diagnostic pop

/* Reasons without a handler stop the vCPU. */
static enum vcpu_verdict exit_unhandled(struct vcpu *v)
{
    uint32_t reason = (uint32_t)vcpu_vmread_hot(VMCS_EXIT_INFO_EXIT_REASON);
    return vcpu_stop_verdict(v, "unhandled exit reason %u", VMX_EXIT_REASON_BASIC(reason));
}

/* The ring entry of an exit: written by the sampled path and by every stop. */
static struct vcpu_exit_record *record_exit(struct vcpu *v, uint32_t reason)
{
    struct vcpu_exit_record *x = &v->ring[v->ring_next++ % VCPU_EXIT_RING];
    x->reason = reason;
    x->basic = VMX_EXIT_REASON_BASIC(reason);
    x->rip = vcpu_vmread_hot(VMCS_GUEST_RIP);
    x->qualification = vcpu_vmread_hot(VMCS_EXIT_INFO_QUALIFICATION);
    return x;
}

/* Counts an exit of `reason` in its count's low byte (vcpu/vcpu.h): true when that carries,
 * once in VCPU_COST_SAMPLE exits of the reason; the caller then adds the lap. One ADD to
 * memory and its carry. */
static inline bool count_exit(struct vcpu *v, uint64_t reason)
{
    bool lap;
    __asm__("addb %[tick], %[low_byte]"
            : [low_byte] "+m"(*(uint8_t *)&v->exits[reason]), "=@ccc"(lap)
            : [tick] "i"(VCPU_EXIT_TICK));
    return lap;
}

/* One exit of a reason in VCPU_COST_SAMPLE: recorded in the ring, the handler's root-mode
 * cost into the reason's histogram, and the management slot taken if it is due. */
__attribute__((noinline)) static enum vcpu_verdict exit_sampled(struct vcpu *v, uint32_t reason)
{
    v->exits[reason] += VCPU_EXIT_LAP;
    record_exit(v, reason);
    uint32_t start = (uint32_t)vcpu_host_rdtsc();
    enum vcpu_verdict verdict = exit_handlers[reason](v);
    uint32_t cost = (uint32_t)vcpu_host_rdtsc() - start;
    unsigned bucket = cost ? 31u - (unsigned)__builtin_clz(cost) : 0;
    v->exit_cost[reason][bucket < VCPU_COST_BUCKETS ? bucket : VCPU_COST_BUCKETS - 1]++;
    return vcpu_management_slot_due(v, verdict);
}

/* Exit-reason fields that are not a plain basic reason: a failed VM entry (bit 31), or a
 * basic reason with other flag bits (27 enclave, 28 pending MTF, 29 from VMX root). */
__attribute__((noinline)) static enum vcpu_verdict exit_uncommon(struct vcpu *v)
{
    uint32_t reason = (uint32_t)vcpu_vmread_hot(VMCS_EXIT_INFO_EXIT_REASON);
    uint32_t basic = VMX_EXIT_REASON_BASIC(reason);
    if (reason & VMX_EXIT_REASON_ENTRY_FAILURE)
        return vcpu_stop_verdict(v, "VM entry failed: %s (%u)", vmx_exit_reason_name(basic), basic);
    if (basic >= VMX_EXIT_REASON_COUNT)
        return vcpu_stop_verdict(v, "unhandled exit reason %u", basic);
    if (count_exit(v, basic))
        v->exits[basic] += VCPU_EXIT_LAP;
    return exit_handlers[basic](v);
}

/* The common exit: counted, then a tail call to the handler, whose verdict goes back to the
 * stub as it is. Nothing runs after the handler, so this needs no stack frame. The reason is
 * kept 64 bits wide (VMREAD zero-extends the 32-bit field) so that indexing needs no copy. */
enum vcpu_verdict vcpu_exit_dispatch(struct vcpu *v)
{
    uint64_t reason = vcpu_vmread_hot(VMCS_EXIT_INFO_EXIT_REASON);
    if (reason >= VMX_EXIT_REASON_COUNT)
        return exit_uncommon(v);
    if (count_exit(v, reason))
        return exit_sampled(v, (uint32_t)reason);
    return exit_handlers[reason](v);
}

/* The exit stub's slow path, taken for a non-zero verdict. */
enum vcpu_verdict vcpu_exit_slow(struct vcpu *v, enum vcpu_verdict verdict)
{
    verdict = (enum vcpu_verdict)(verdict & ~(unsigned)VCPU_RBX_REWRITTEN);  /* all reloaded */
    if (verdict != VCPU_STOP)
        verdict = vcpu_deliver_events(v);   /* which may stop it too (a triple fault) */
    if (verdict == VCPU_STOP) {
        uint32_t reason = (uint32_t)vcpu_vmread_hot(VMCS_EXIT_INFO_EXIT_REASON);
        const struct vcpu_exit_record *x = record_exit(v, reason);
        if (reason & VMX_EXIT_REASON_ENTRY_FAILURE)
            vcpu_report_entry_failure(v, x);
        else
            vcpu_report_stop(v, x);
        return VCPU_STOP;
    }
    vcpu_host_clear_before_entry();
    return verdict;
}

int vmx_exit_handler(struct guest_regs *regs)
{
    /* regs is the first member of struct vcpu (vcpu/vcpu.h). */
    return (int)vcpu_exit_dispatch((struct vcpu *)(void *)regs);
}

int vmx_exit_slow_handler(struct guest_regs *regs, int verdict)
{
    return (int)vcpu_exit_slow((struct vcpu *)(void *)regs, (enum vcpu_verdict)verdict);
}
