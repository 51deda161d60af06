/* VM entry and the VM-exit stub (SDM Vol. 3C, 28.5 host state after an exit, 31.3 VMLAUNCH,
 * VMRESUME). vmx_enter() launches the guest; after that every exit is handled on this
 * stack by vmx_exit_handler() and resumed straight from here, so the common exit costs
 * no host register saving at all. vmx_enter() returns only when the partition stops or
 * an entry fails. */
#include "asm_offsets.h"

    .section .text
    .code64

/* After a resume verdict only the registers the C handler may have changed: the call clobbers
 * the caller-saved ones. RBX, RBP and R12-R15 still hold the guest's values, since the handler
 * preserved them (SysV ABI); CPUID, which rewrites RBX, says so (VMX_EXIT_RESUME_RBX), and any
 * other rewrite of them in struct guest_regs takes the slow path (vcpu_write_gpr), which
 * reloads everything. */
.macro LOAD_GUEST_REGS_AFTER_CALL
    mov GUEST_REGS_RAX(%rdi), %rax
    mov GUEST_REGS_RCX(%rdi), %rcx
    mov GUEST_REGS_RDX(%rdi), %rdx
    mov GUEST_REGS_RSI(%rdi), %rsi
    mov GUEST_REGS_R8(%rdi), %r8
    mov GUEST_REGS_R9(%rdi), %r9
    mov GUEST_REGS_R10(%rdi), %r10
    mov GUEST_REGS_R11(%rdi), %r11
    mov GUEST_REGS_RDI(%rdi), %rdi
.endm

/* Loads all the guest's general registers from the struct guest_regs at %rdi (RDI last). */
.macro LOAD_GUEST_REGS
    mov GUEST_REGS_RBX(%rdi), %rbx
    mov GUEST_REGS_RBP(%rdi), %rbp
    mov GUEST_REGS_R12(%rdi), %r12
    mov GUEST_REGS_R13(%rdi), %r13
    mov GUEST_REGS_R14(%rdi), %r14
    mov GUEST_REGS_R15(%rdi), %r15
    LOAD_GUEST_REGS_AFTER_CALL
.endm

/* Overwrites all 32 return-stack-buffer entries with ones pointing at a speculation trap,
 * when the CPU needs it (vmx_rsb_fill_on_return, vmx/mitigations.h). The RET at the end of
 * vmx_enter is the only one after an exit that returns past the stub's own call depth: every
 * exit handled here resumes the guest from the stub, and the handlers' returns match their
 * calls. So only that RET could be predicted from an entry the guest left in the RSB (RSB
 * underflow, and PBRSB's "last CALL before the exit"). Clobbers RCX and the flags. */
.macro FILL_RETURN_STACK_BUFFER
    cmpb $0, vmx_rsb_fill_on_return(%rip)
    je .Lrsb_filled\@
    incq %gs:PERCPU_RSB_FILLS
    mov $16, %ecx
.Lrsb_pair\@:
    call .Lrsb_second\@
.Lrsb_trap_first\@:
    pause                           /* reached only speculatively, through a stale entry */
    lfence
    jmp .Lrsb_trap_first\@
.Lrsb_second\@:
    call .Lrsb_next\@
.Lrsb_trap_second\@:
    pause
    lfence
    jmp .Lrsb_trap_second\@
.Lrsb_next\@:
    dec %ecx
    jnz .Lrsb_pair\@
    add $(32 * 8), %rsp             /* the 32 return addresses the calls pushed */
.Lrsb_filled\@:
.endm

/* Returns from vmx_enter() with %eax as the result: the stack holds, from the top, the
 * regs pointer and the host's callee-saved registers that vmx_enter pushed. */
.macro RETURN_FROM_VMX_ENTER
    FILL_RETURN_STACK_BUFFER
    pop %rdi
    pop %r15
    pop %r14
    pop %r13
    pop %r12
    pop %rbx
    pop %rbp
    ret
.endm

/* int vmx_enter(struct guest_regs *regs [rdi])
 * Returns VMX_ENTER_STOPPED when vmx_exit_dispatch() stopped the partition, or
 * 1 (VMfailInvalid) / 2 (VMfailValid) when VMLAUNCH failed, plus VMX_ENTER_RESUMING
 * when it was VMRESUME. */
    .global vmx_enter
vmx_enter:
    push %rbp
    push %rbx
    push %r12
    push %r13
    push %r14
    push %r15
    push %rdi                       /* the exit stub finds regs at (%rsp) */
    mov %rsp, GUEST_REGS_HOST_RSP(%rdi)
    mov $VMCS_HOST_RSP_ENCODING, %rax
    vmwrite %rsp, %rax
    LOAD_GUEST_REGS
    vmlaunch
    jmp vmx_entry_failed

/* Host RIP of every VMCS. RSP = HOST_RSP, so (%rsp) holds regs. */
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
    /* RSP is HOST_RSP again: 16-byte aligned, as a call needs (vmx_enter pushed 7). */
    call vmx_exit_handler
    test %eax, %eax
    jnz 3f
    mov (%rsp), %rdi
.Lresume_after_call:
    LOAD_GUEST_REGS_AFTER_CALL
    vmresume
    jmp .Lresume_failed             /* jmp keeps the flags VMRESUME set */
.Lresume:
    mov (%rsp), %rdi
    LOAD_GUEST_REGS
    vmresume
.Lresume_failed:
    /* VMfailInvalid sets CF, VMfailValid ZF (SDM 31.2); mov does not touch flags. */
    mov $(1 | VMX_ENTER_RESUMING_FLAG), %eax
    jc 2f
    mov $(2 | VMX_ENTER_RESUMING_FLAG), %eax
    jmp 2f
    /* A non-zero verdict: the slow path (events to deliver, rewritten callee-saved registers,
     * or a stop to report), which costs the common exit nothing; it reloads every register. */
3:  mov (%rsp), %rdi
    cmp $VMX_EXIT_RESUME_RBX_VALUE, %eax
    jne 4f
    mov GUEST_REGS_RBX(%rdi), %rbx  /* CPUID's result */
    jmp .Lresume_after_call
4:  mov %eax, %esi
    call vmx_exit_slow_handler
    test %eax, %eax
    jz .Lresume
    mov $VMX_ENTER_STOPPED_VALUE, %eax
    RETURN_FROM_VMX_ENTER

/* Where a root-mode fault during an exit resumes (arch/x86/exception.c), with RSP = HOST_RSP:
 * the guest's run ends as if stopped, and vmx_enter returns VMX_ENTER_FAULTED. */
    .global vmx_enter_fault_resume
vmx_enter_fault_resume:
    mov $VMX_ENTER_FAULTED_VALUE, %eax
    RETURN_FROM_VMX_ENTER

vmx_entry_failed:
    mov $1, %eax
    jc 2f
    mov $2, %eax
2:  RETURN_FROM_VMX_ENTER
