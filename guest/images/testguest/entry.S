/* testguest entry: tessera starts the guest here in 64-bit mode with RDI = the
 * boot parameters and RSP = their stack_top (guest/guest_abi.h). */
    .section .text.entry, "ax"
    .globl _start
    .type _start, @function
_start:
    cld
    mov %rsp, %rsi              /* second argument: the RSP we were given, to check it */
    and $-16, %rsp              /* psABI: 16-aligned before the call */
    call testguest_main         /* (RDI = boot parameters, RSI = entry RSP) */
1:  cli
    hlt
    jmp 1b
    .size _start, . - _start

    .section .note.GNU-stack, "", @progbits
