/* Debug exceptions around the VM exits (SDM Vol. 3C 26.3.1.5, 26.6.3, 27.1, 28.2.1; Vol. 3B
 * 17.2-17.3): the instruction boundary after an emulated instruction when it is not the plain
 * one (vcpu/rip_advance.h), and the #DB the exception bitmap always catches, given back to the
 * guest with the DR6 the exit did not write (vcpu/db_reflect.h). Intercepting #DB keeps a guest
 * whose every #DB delivery raises another #DB (a data breakpoint on its #DB stack) from
 * holding the CPU in microcode for ever (the CVE-2015-8104 class); such a loop is stopped. */
#include "arch/x86/cpu_regs.h"
#include "arch/x86/msr.h"
#include "vcpu/db_reflect.h"
#include "vcpu/exit.h"
#include "vcpu/guest_walk.h"

#define IDT_GATE_64         16u
#define IDT_GATE_32         8u

enum insn_mode vcpu_code_mode(void)
{
    uint32_t ar = (uint32_t)vcpu_vmread(VMCS_GUEST_CS_ACCESS_RIGHTS);
    return insn_mode_from_cs((vcpu_vmread(VMCS_GUEST_IA32_EFER) & EFER_LMA) != 0,
                             (ar & VMX_SEG_AR_L) != 0, (ar & VMX_SEG_AR_DB) != 0);
}

static enum vcpu_verdict complete_instruction(struct vcpu *v, uint64_t rip, unsigned length,
                                              enum insn_mode mode, uint64_t rflags,
                                              uint64_t interruptibility)
{
    const struct rip_advance_in in = {
        .rip = rip,
        .length = length,
        .mode = mode,
        .rflags = rflags,
        .interruptibility = (uint32_t)interruptibility,
        .pending_debug = vcpu_vmread(VMCS_GUEST_PENDING_DEBUG_EXCEPTIONS),
        .debugctl = vcpu_vmread(VMCS_GUEST_IA32_DEBUGCTL),
    };
    struct rip_advance_out out;
    rip_advance(&in, &out);
    vcpu_vmwrite(VMCS_GUEST_RIP, out.rip);
    if (out.rflags != in.rflags)
        vcpu_vmwrite(VMCS_GUEST_RFLAGS, out.rflags);
    if (out.interruptibility != in.interruptibility)
        vcpu_vmwrite(VMCS_GUEST_INTERRUPTIBILITY_STATE, out.interruptibility);
    if (out.pending_debug != in.pending_debug)
        vcpu_vmwrite(VMCS_GUEST_PENDING_DEBUG_EXCEPTIONS, out.pending_debug);
    return vcpu_resume(v);
}

__attribute__((noinline)) enum vcpu_verdict vcpu_advance_slow(struct vcpu *v)
{
    return vcpu_advance_by(v, (unsigned)vcpu_vmread(VMCS_EXIT_INFO_INSTRUCTION_LENGTH),
                           vcpu_code_mode());
}

enum vcpu_verdict vcpu_advance_by(struct vcpu *v, unsigned length, enum insn_mode mode)
{
    return complete_instruction(v, vcpu_vmread(VMCS_GUEST_RIP), length, mode,
                                vcpu_vmread(VMCS_GUEST_RFLAGS),
                                vcpu_vmread(VMCS_GUEST_INTERRUPTIBILITY_STATE));
}

/* Where the guest's IDT sends #DB: its gate read through the guest's own paging. False in
 * real mode, or when the gate cannot be read. */
static bool debug_handler_entry(struct vcpu *v, uint64_t *entry)
{
    if (!(vcpu_vmread(VMCS_CTRL_EXEC_CR0_READ_SHADOW) & CR0_PE))
        return false;
    struct guest_paging_state paging;
    vcpu_paging_state(&paging);
    bool long_mode = (paging.efer & EFER_LMA) != 0;
    unsigned size = long_mode ? IDT_GATE_64 : IDT_GATE_32;
    if (vcpu_vmread(VMCS_GUEST_IDTR_LIMIT) < (uint64_t)size * X86_VECTOR_DB + size - 1)
        return false;
    uint64_t linear = vcpu_vmread(VMCS_GUEST_IDTR_BASE) + (uint64_t)size * X86_VECTOR_DB;
    const struct guest_memory memory = vcpu_guest_memory(v);
    uint8_t gate[IDT_GATE_64];
    size_t copied = 0;
    struct guest_translation where;
    if (guest_read_linear(&paging, &memory, long_mode ? linear : (uint32_t)linear,
                          GUEST_ACCESS_READ, gate, size, &copied, &where) != GUEST_WALK_OK)
        return false;
    *entry = idt_gate_offset(gate, long_mode);
    return true;
}

/* A data or I/O breakpoint trap (B0-B3 without an execute breakpoint) reported with RIP at the
 * guest's own #DB handler: the delivery of a #DB wrote or read the watched address, and every
 * delivery of the #DB about to be reflected will do so again. */
static bool recurs_after_own_delivery(struct vcpu *v, const struct db_exit_out *d, uint64_t q)
{
    uint64_t entry;
    return (q & DR6_B0_B3) && !d->fault && debug_handler_entry(v, &entry) &&
           entry == vcpu_vmread(VMCS_GUEST_RIP);
}

enum vcpu_verdict exit_debug_exception(struct vcpu *v)
{
    const struct db_exit_in in = {
        .qualification = exit_qualification(),
        .dr6 = vcpu_guest_read_dr6(),
        .dr7 = vcpu_vmread(VMCS_GUEST_DR7),
        .rflags = vcpu_vmread(VMCS_GUEST_RFLAGS),
        .interruptibility = (uint32_t)vcpu_vmread(VMCS_GUEST_INTERRUPTIBILITY_STATE),
        .pending_debug = vcpu_vmread(VMCS_GUEST_PENDING_DEBUG_EXCEPTIONS),
        .debugctl = vcpu_vmread(VMCS_GUEST_IA32_DEBUGCTL),
    };
    struct db_exit_out out;
    db_exit_reflect(&in, &out);
    if (recurs_after_own_delivery(v, &out, in.qualification))
        return vcpu_stop_verdict(v, "#DB raised by the delivery of its own #DB: it would "
                                    "recur for ever");
    vcpu_guest_write_dr6(out.dr6);
    if (out.dr7 != in.dr7)
        vcpu_vmwrite(VMCS_GUEST_DR7, out.dr7);
    if (out.pending_debug != in.pending_debug)
        vcpu_vmwrite(VMCS_GUEST_PENDING_DEBUG_EXCEPTIONS, out.pending_debug);
    vcpu_inject_exception(v, X86_VECTOR_DB, 0);
    return vcpu_resume(v);
}
