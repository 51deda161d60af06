/* VM entry and the VM-exit stub (SDM Vol. 3C, 28.5 host state after an exit, 31.3 VMLAUNCH,
 * VMRESUME). vmx_enter() is an ordinary call that returns when the guest exits. */
#include "asm_offsets.h"

    .section .text
    .code64

/* int vmx_enter(struct guest_regs *regs [rdi], uint64_t launched [rsi])
 * Returns 0 after a VM exit, 1 (VMfailInvalid) or 2 (VMfailValid) if the entry failed. */
    .global vmx_enter
vmx_enter:
    push %rbp
    push %rbx
    push %r12
    push %r13
    push %r14
    push %r15
    push %rdi                       /* the exit stub finds regs at (%rsp) */

    /* HOST_RSP is this stack position; write it only when it moved. */
    cmp %rsp, GUEST_REGS_HOST_RSP(%rdi)
    je 1f
    mov %rsp, GUEST_REGS_HOST_RSP(%rdi)
    mov $VMCS_HOST_RSP_ENCODING, %rax
    vmwrite %rsp, %rax
1:
    test %rsi, %rsi                 /* flags survive the movs below */
    mov GUEST_REGS_RAX(%rdi), %rax
    mov GUEST_REGS_RCX(%rdi), %rcx
    mov GUEST_REGS_RDX(%rdi), %rdx
    mov GUEST_REGS_RBX(%rdi), %rbx
    mov GUEST_REGS_RBP(%rdi), %rbp
    mov GUEST_REGS_RSI(%rdi), %rsi
    mov GUEST_REGS_R8(%rdi), %r8
    mov GUEST_REGS_R9(%rdi), %r9
    mov GUEST_REGS_R10(%rdi), %r10
    mov GUEST_REGS_R11(%rdi), %r11
    mov GUEST_REGS_R12(%rdi), %r12
    mov GUEST_REGS_R13(%rdi), %r13
    mov GUEST_REGS_R14(%rdi), %r14
    mov GUEST_REGS_R15(%rdi), %r15
    mov GUEST_REGS_RDI(%rdi), %rdi
    jnz 2f
    vmlaunch
    jmp vmx_enter_failed
2:  vmresume

vmx_enter_failed:
    /* CF: VMfailInvalid, ZF: VMfailValid (SDM 31.2). */
    mov $1, %eax
    jc 3f
    mov $2, %eax
3:  pop %rdi
    pop %r15
    pop %r14
    pop %r13
    pop %r12
    pop %rbx
    pop %rbp
    ret

/* Host RIP of every VMCS: RSP is the HOST_RSP vmx_enter wrote, so (%rsp) holds regs. */
    .global vmx_exit_entry
vmx_exit_entry:
    push %rdi                       /* guest RDI */
    mov 8(%rsp), %rdi
    mov %rax, GUEST_REGS_RAX(%rdi)
    mov %rcx, GUEST_REGS_RCX(%rdi)
    mov %rdx, GUEST_REGS_RDX(%rdi)
    mov %rbx, GUEST_REGS_RBX(%rdi)
    mov %rbp, GUEST_REGS_RBP(%rdi)
    mov %rsi, GUEST_REGS_RSI(%rdi)
    mov %r8, GUEST_REGS_R8(%rdi)
    mov %r9, GUEST_REGS_R9(%rdi)
    mov %r10, GUEST_REGS_R10(%rdi)
    mov %r11, GUEST_REGS_R11(%rdi)
    mov %r12, GUEST_REGS_R12(%rdi)
    mov %r13, GUEST_REGS_R13(%rdi)
    mov %r14, GUEST_REGS_R14(%rdi)
    mov %r15, GUEST_REGS_R15(%rdi)
    popq GUEST_REGS_RDI(%rdi)
    pop %rdi
    pop %r15
    pop %r14
    pop %r13
    pop %r12
    pop %rbx
    pop %rbp
    xor %eax, %eax
    ret
