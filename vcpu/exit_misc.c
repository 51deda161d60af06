/* The remaining exits (SDM Vol. 3C 27.1-27.2): cache instructions, instructions a guest
 * without VMX must not have, and the faults that stop a partition. */
#include "vcpu/exit.h"

/* INVD would throw away other partitions' dirty lines: do the safe WBINVD instead. */
enum vcpu_verdict exit_invd_wbinvd(struct vcpu *v)
{
    (void)v;
    vcpu_host_wbinvd();
    return vcpu_advance(v);
}

/* VMX instructions and GETSEC: the guest's CPUID says there is no VMX and no SMX. */
enum vcpu_verdict exit_undefined_opcode(struct vcpu *v)
{
    vcpu_inject_exception(v, X86_VECTOR_UD, 0);
    return vcpu_resume(v);
}

enum vcpu_verdict exit_triple_fault(struct vcpu *v)
{
    return vcpu_stop_verdict(v, "triple fault");
}

enum vcpu_verdict exit_ept_misconfig(struct vcpu *v)
{
    return vcpu_stop_verdict(v, "EPT misconfiguration (a hypervisor bug)");
}
