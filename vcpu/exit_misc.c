/* The remaining exits (SDM Vol. 3C 27.1-27.2): cache instructions, instructions a guest
 * without VMX must not have, and the faults that stop a partition. */
#include "vcpu/exit.h"

/* INVD would throw away other partitions' dirty lines, and WBINVD on demand would let a guest
 * stall the whole machine's memory: both are counted no-ops. With EPT memory stays coherent
 * (write-back, no partition shares RAM), so no guest can tell. */
enum vcpu_verdict exit_invd_wbinvd(struct vcpu *v)
{
    return vcpu_advance(v);
}

/* MONITOR and MWAIT, which CPUID hides: a no-op, as an MWAIT that wakes at once (allowed: it
 * may return for any reason, SDM Vol. 2B MWAIT). The host keeps its CPU's C-states. */
enum vcpu_verdict exit_monitor_mwait(struct vcpu *v)
{
    return vcpu_advance(v);
}

/* RDPMC: the partition has no performance counters (CPUID leaf 0AH is empty), so every
 * counter index is invalid: #GP(0), as hardware gives for one (SDM Vol. 2B RDPMC). */
enum vcpu_verdict exit_rdpmc(struct vcpu *v)
{
    vcpu_inject_exception(v, X86_VECTOR_GP, 0);
    return vcpu_resume(v);
}

/* VMX instructions and GETSEC: the guest's CPUID says there is no VMX and no SMX. */
enum vcpu_verdict exit_undefined_opcode(struct vcpu *v)
{
    vcpu_inject_exception(v, X86_VECTOR_UD, 0);
    return vcpu_resume(v);
}

enum vcpu_verdict exit_triple_fault(struct vcpu *v)
{
    v->shut_down = true;        /* on a PC the chipset resets a CPU that shuts down */
    return vcpu_stop_verdict(v, "triple fault");
}

enum vcpu_verdict exit_ept_misconfig(struct vcpu *v)
{
    return vcpu_stop_verdict(v, "EPT misconfiguration (a hypervisor bug)");
}
