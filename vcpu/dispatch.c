/* VM-exit dispatch (SDM Vol. 3C, 28.2 exit information; Appendix C basic exit reasons): the
 * exit stub's handler reads the exit, counts it, runs the reason's handler through a const
 * table and acts on its verdict. */
#include "vcpu/exit.h"
#include "vcpu/report.h"
#include "vmx/exit_reasons.h"

/* Indexed by basic exit reason; a reason without a handler stops the guest. */
static const exit_handler_fn exit_handlers[VMX_EXIT_REASON_COUNT] = {
    [VMX_EXIT_REASON_EXCEPTION_NMI] = exit_exception_nmi,
    [VMX_EXIT_REASON_EXTERNAL_INTERRUPT] = exit_external_interrupt,
    [VMX_EXIT_REASON_TRIPLE_FAULT] = exit_triple_fault,
    [VMX_EXIT_REASON_INIT] = exit_init_signal,
    [VMX_EXIT_REASON_SIPI] = exit_sipi,
    [VMX_EXIT_REASON_CPUID] = exit_cpuid,
    [VMX_EXIT_REASON_GETSEC] = exit_undefined_opcode,
    [VMX_EXIT_REASON_HLT] = exit_hlt,
    [VMX_EXIT_REASON_INVD] = exit_invd_wbinvd,
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

/* Out of line, like the entry-failure path: the common exit needs no stack frame. */
__attribute__((noinline)) static enum vcpu_verdict exit_unhandled(struct vcpu *v,
                                                                  const struct exit_info *e)
{
    vcpu_stop_verdict(v, "unhandled exit reason %u", e->basic);
    return vcpu_report_stop(v, e);
}

/* The low half of the TSC: an exit's cost always fits, and it is cheaper to combine. */
static inline uint32_t tsc_low(void)
{
    return (uint32_t)vcpu_host_rdtsc();
}

/* What the dispatcher needs after the handler is in *v and the ring record, so little has
 * to survive the handler call: the common exit keeps a tiny stack frame. */
enum vcpu_verdict vcpu_exit_dispatch(struct vcpu *v)
{
    v->exit_start_tsc = tsc_low();
    struct vcpu_exit_record *rec = &v->ring[v->ring_next++ % VCPU_EXIT_RING];
    uint32_t reason = (uint32_t)vcpu_vmread_hot(VMCS_EXIT_INFO_EXIT_REASON);
    uint32_t basic = VMX_EXIT_REASON_BASIC(reason);
    rec->info.reason = reason;
    rec->info.basic = basic;
    rec->rip = vcpu_vmread_hot(VMCS_GUEST_RIP);
    rec->qualification = vcpu_vmread_hot(VMCS_EXIT_INFO_QUALIFICATION);

    if (reason & VMX_EXIT_REASON_ENTRY_FAILURE)
        return vcpu_report_entry_failure(v, &rec->info);
    if (basic >= VMX_EXIT_REASON_COUNT || !exit_handlers[basic])
        return exit_unhandled(v, &rec->info);
    v->exits[basic]++;

    enum vcpu_verdict verdict = exit_handlers[basic](v, &rec->info);
    if (verdict == VCPU_ADVANCE) {
        vcpu_vmwrite_hot(VMCS_GUEST_RIP,
                         rec->rip + vcpu_vmread_hot(VMCS_EXIT_INFO_INSTRUCTION_LENGTH));
        verdict = VCPU_RESUME;
    } else if (verdict == VCPU_STOP) {
        return vcpu_report_stop(v, &rec->info);
    }
    /* Root-mode cost, from here to just before the stub resumes the guest. */
    uint32_t cost = tsc_low() - v->exit_start_tsc;
    unsigned bucket = cost ? 31u - (unsigned)__builtin_clz(cost) : 0;
    v->exit_cost[rec->info.basic][bucket < VCPU_COST_BUCKETS ? bucket : VCPU_COST_BUCKETS - 1]++;
    return verdict;
}

int vmx_exit_handler(struct guest_regs *regs)
{
    /* regs is the first member of struct vcpu (vcpu/vcpu.h). */
    return (int)vcpu_exit_dispatch((struct vcpu *)(void *)regs);
}
