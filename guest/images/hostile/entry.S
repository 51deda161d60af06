/* hostile entry: tessera starts the guest here in 64-bit mode with RDI = the boot
 * parameters and RSP = their stack_top (guest/guest_abi.h). */
    .section .text.entry, "ax"
    .globl _start
    .type _start, @function
_start:
    cld
    and $-16, %rsp              /* psABI: 16-aligned before the call */
    call hostile_main           /* (RDI = boot parameters); does not return */
1:  sti                         /* idle: HLT with IF set waits, it does not stop us */
    hlt
    jmp 1b
    .size _start, . - _start

    .section .note.GNU-stack, "", @progbits
