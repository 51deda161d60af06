/* VM entry and the VM-exit stub's contract (SDM Vol. 3C, 28.5 host state after an exit, 31.3
 * VMLAUNCH/VMRESUME): the guest registers the stub saves, the VM-entry/exit MSR lists. */
#ifndef VMX_VMX_ENTRY_H
#define VMX_VMX_ENTRY_H

#include <stdint.h>

/* General registers the CPU does not keep in the VMCS (RSP and RIP are there).
 * vmx/exit_stub.S stores and loads them at offsets generated from this struct. */
struct guest_regs {
    uint64_t rax, rcx, rdx, rbx, rbp, rsi, rdi;
    uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
    uint64_t host_rsp;      /* the HOST_RSP vmx_enter wrote (for reports) */
};

/* One entry of a VM-exit/VM-entry MSR list (SDM Vol. 3C, 25.7.2, table 25-15). */
struct vmx_msr_entry {
    uint32_t index;
    uint32_t reserved;
    uint64_t value;
};
_Static_assert(sizeof(struct vmx_msr_entry) == 16, "MSR list entries are 16 bytes");

/* vmx/exit_stub.S: loads guest registers and VMLAUNCHes; every exit is then handed to
 * vmx_exit_handler() and resumed inside the stub while it returns 0. Returns
 * VMX_ENTER_STOPPED once the slow handler returned non-zero, or VMX_FAIL_INVALID /
 * VMX_FAIL_VALID when VMLAUNCH failed, with VMX_ENTER_RESUMING added when it was a
 * VMRESUME that failed. */
#define VMX_ENTER_STOPPED   3
#define VMX_ENTER_RESUMING  4
#define VMX_ENTER_FAULTED   8   /* a root-mode fault ended the run (vmx_enter_fault_resume) */
int vmx_enter(struct guest_regs *regs);
/* The VMCS's host RIP: where every VM exit lands. */
void vmx_exit_entry(void);
/* Where a fault in root mode during an exit resumes, with RSP = regs->host_rsp. */
void vmx_enter_fault_resume(void);

/* Called by the stub on every VM exit with the registers it saved; 0 resumes the guest with
 * the registers a C call may change reloaded (the caller-saved ones), VMX_EXIT_RESUME_RBX the
 * same and RBX, anything else takes the slow path below. Not implemented here: the layer that
 * owns guest CPUs (vcpu/dispatch.c) provides it, so this mechanism layer names no policy. */
#define VMX_EXIT_RESUME_RBX 4
int vmx_exit_handler(struct guest_regs *regs);
/* Called by the stub when vmx_exit_handler() returned non-zero (verdict); 0 resumes the
 * guest, anything else returns VMX_ENTER_STOPPED from vmx_enter(). Provided likewise. */
int vmx_exit_slow_handler(struct guest_regs *regs, int verdict);

#endif
