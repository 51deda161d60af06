/* hostile exception stubs (SDM Vol. 3A, 6.14 64-bit interrupt handling): one stub per
 * vector 0-31 pushes a zero where the CPU pushes no error code, then the vector, so the
 * common path sees one frame layout. A fault inside an armed attempt records the vector,
 * error code and RIP and resumes at trap_recover (set just before the attempt, cleared
 * after); a fault with nothing armed goes to hostile_unexpected_trap. */

    .section .bss
    .p2align 3
    .globl trap_recover, trap_vector, trap_error, trap_rip
trap_recover:   .quad 0     /* where the armed attempt resumes; 0 = nothing armed */
trap_vector:    .quad 0     /* the last vector taken (TRAP_NONE after trap_arm) */
trap_error:     .quad 0     /* its error code, 0 if the vector has none */
trap_rip:       .quad 0     /* the RIP the CPU pushed: the faulting instruction */

    .text
/* Vectors with an error code: #DF 8, #TS 10, #NP 11, #SS 12, #GP 13, #PF 14, #AC 17,
 * #CP 21, #VC 29, #SX 30 (SDM Vol. 3A, table 6-1). */
.macro TRAP_STUB vector
    .p2align 4
trap_stub_\vector:
    .if (\vector == 8) || ((\vector >= 10) && (\vector <= 14)) || (\vector == 17) || \
        (\vector == 21) || (\vector == 29) || (\vector == 30)
    .else
    pushq $0
    .endif
    pushq $\vector
    jmp trap_common
.endm

.irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    TRAP_STUB \v
.endr

/* Stack on entry: vector, error code, then the CPU's RIP, CS, RFLAGS, RSP, SS. */
    .type trap_common, @function
trap_common:
    push %rax                       /* 0 rax, 8 vector, 16 error, 24 rip */
    mov 8(%rsp), %rax
    mov %rax, trap_vector(%rip)
    mov 16(%rsp), %rax
    mov %rax, trap_error(%rip)
    mov 24(%rsp), %rax
    mov %rax, trap_rip(%rip)
    mov trap_recover(%rip), %rax
    test %rax, %rax
    jz 1f
    mov %rax, 24(%rsp)              /* resume at the recovery address, once */
    movq $0, trap_recover(%rip)
    pop %rax
    add $16, %rsp
    iretq
1:  and $-16, %rsp
    call hostile_unexpected_trap    /* reports and never returns */
2:  cli
    hlt
    jmp 2b
    .size trap_common, . - trap_common

    .section .rodata
    .p2align 3
    .globl trap_stubs
trap_stubs:                         /* the 32 stub addresses, by vector, for the IDT */
.irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    .quad trap_stub_\v
.endr

    .section .note.GNU-stack, "", @progbits
