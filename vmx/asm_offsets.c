/* Structure offsets for assembly, generated from C so the two cannot drift (built to
 * build/gen/asm_offsets.h by the Makefile; never linked). */
#include <stddef.h>

#include "arch/x86/percpu.h"
#include "vmx/vmx_entry.h"
#include "vmx/vmcs_fields.h"

#define DEFINE(symbol, value) __asm__ volatile("\n.ascii \"->" #symbol " %c0\"" : : "i"(value))

void asm_offsets(void);

void asm_offsets(void)
{
    DEFINE(GUEST_REGS_RAX, offsetof(struct guest_regs, rax));
    DEFINE(GUEST_REGS_RCX, offsetof(struct guest_regs, rcx));
    DEFINE(GUEST_REGS_RDX, offsetof(struct guest_regs, rdx));
    DEFINE(GUEST_REGS_RBX, offsetof(struct guest_regs, rbx));
    DEFINE(GUEST_REGS_RBP, offsetof(struct guest_regs, rbp));
    DEFINE(GUEST_REGS_RSI, offsetof(struct guest_regs, rsi));
    DEFINE(GUEST_REGS_RDI, offsetof(struct guest_regs, rdi));
    DEFINE(GUEST_REGS_R8, offsetof(struct guest_regs, r8));
    DEFINE(GUEST_REGS_R9, offsetof(struct guest_regs, r9));
    DEFINE(GUEST_REGS_R10, offsetof(struct guest_regs, r10));
    DEFINE(GUEST_REGS_R11, offsetof(struct guest_regs, r11));
    DEFINE(GUEST_REGS_R12, offsetof(struct guest_regs, r12));
    DEFINE(GUEST_REGS_R13, offsetof(struct guest_regs, r13));
    DEFINE(GUEST_REGS_R14, offsetof(struct guest_regs, r14));
    DEFINE(GUEST_REGS_R15, offsetof(struct guest_regs, r15));
    DEFINE(GUEST_REGS_HOST_RSP, offsetof(struct guest_regs, host_rsp));
    DEFINE(VMCS_HOST_RSP_ENCODING, VMCS_HOST_RSP);
    DEFINE(VMX_ENTER_STOPPED_VALUE, VMX_ENTER_STOPPED);
    DEFINE(VMX_ENTER_FAULTED_VALUE, VMX_ENTER_FAULTED);
    DEFINE(VMX_ENTER_RESUMING_FLAG, VMX_ENTER_RESUMING);
    DEFINE(VMX_EXIT_RESUME_RBX_VALUE, VMX_EXIT_RESUME_RBX);
    DEFINE(PERCPU_RSB_FILLS, offsetof(struct percpu, rsb_fills));
}
