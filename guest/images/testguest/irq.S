/* testguest's interrupt check, in assembly because the stack moves (SDM Vol. 3A 6.14: a 64-bit
 * interrupt gate pushes SS, RSP, RFLAGS, CS, RIP on the current stack at CPL 0). */

    .section .bss
    .p2align 3
    .globl tg_irq_seen
tg_irq_seen:    .quad 0     /* set by the handler */
saved_rsp:      .quad 0

    .text
    .globl tg_irq_handler
    .type tg_irq_handler, @function
tg_irq_handler:
    movq $1, tg_irq_seen(%rip)
    iretq
    .size tg_irq_handler, . - tg_irq_handler

/* bool tg_irq_on_stack(uint64_t stack_top [rdi], uint32_t vector [esi], uint64_t spins [rdx])
 * With interrupts off, moves RSP to stack_top, asks the test device for interrupt `vector`,
 * enables interrupts and waits up to `spins` loop turns for the handler; then restores RSP and
 * returns whether the handler ran. Nothing but the interrupt's delivery touches the stack. */
    .globl tg_irq_on_stack
    .type tg_irq_on_stack, @function
tg_irq_on_stack:
    cli
    movq $0, tg_irq_seen(%rip)
    mov %rsp, saved_rsp(%rip)
    mov %rdi, %rsp
    movl %esi, tg_testdev + 0x108       /* TESTDEV_REG_RAISE_IRQ: pending, IF is still 0 */
    sti
1:  cmpq $0, tg_irq_seen(%rip)
    jne 2f
    dec %rdx
    jnz 1b
2:  cli
    mov saved_rsp(%rip), %rsp
    mov tg_irq_seen(%rip), %eax
    ret
    .size tg_irq_on_stack, . - tg_irq_on_stack

    .section .note.GNU-stack, "", @progbits
