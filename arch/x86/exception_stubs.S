/* Exception and interrupt entry stubs: push a uniform frame (struct exception_frame in
 * arch/x86/exception.h) and call exception_handle(). SDM Vol. 3, 7.14.4. */

/* Vectors for which the CPU pushes an error code (SDM Vol. 3, table 7-1). */
#define HAS_ERROR_CODE(v) ((v) == 8 || ((v) >= 10 && (v) <= 14) || (v) == 17 || (v) == 21 || (v) == 29 || (v) == 30)

    .section .text
    .code64

    .macro EXCEPTION_STUB vector
    .balign 16
exception_stub_\vector:
    .if !HAS_ERROR_CODE(\vector)
    pushq $0
    .endif
    pushq $\vector
    jmp exception_common
    .pushsection .rodata
    .quad exception_stub_\vector
    .popsection
    .endm

    .pushsection .rodata
    .balign 8
    .global exception_stub_table
exception_stub_table:
    .popsection

    .irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    EXCEPTION_STUB \v
    .endr

/* Interrupt vectors the hypervisor itself uses (arch/x86/lapic.h); same frame. */
    .macro INTERRUPT_STUB name, vector
    .balign 16
    .global interrupt_stub_\name
interrupt_stub_\name:
    pushq $0
    pushq $\vector
    jmp exception_common
    .endm

    INTERRUPT_STUB wakeup, 0xF0
    INTERRUPT_STUB tick, 0xF1
    INTERRUPT_STUB pic_spurious_master, 0x27
    INTERRUPT_STUB pic_spurious_slave, 0x2F
    INTERRUPT_STUB spurious, 0xFF

exception_common:
    /* Reverse order of struct exception_frame: rax ends up at the lowest address. */
    pushq %r15
    pushq %r14
    pushq %r13
    pushq %r12
    pushq %r11
    pushq %r10
    pushq %r9
    pushq %r8
    pushq %rbp
    pushq %rdi
    pushq %rsi
    pushq %rdx
    pushq %rcx
    pushq %rbx
    pushq %rax
    cld
    mov %rsp, %rdi
    call exception_handle
    popq %rax
    popq %rbx
    popq %rcx
    popq %rdx
    popq %rsi
    popq %rdi
    popq %rbp
    popq %r8
    popq %r9
    popq %r10
    popq %r11
    popq %r12
    popq %r13
    popq %r14
    popq %r15
    add $16, %rsp                   /* vector and error code */
    iretq
