/* mblong: from 32-bit protected mode into IA-32e mode and back (SDM Vol. 3A 10.8.5
 * "Initializing IA-32e Mode" and 10.8.5.4 "Switching Out of IA-32e Mode Operation"): CR3,
 * CR4.PAE, EFER.LME, CR0.PG, a far jump to a 64-bit code segment; back through a far return
 * to 32-bit compatibility mode, CR0.PG off (which clears EFER.LMA), then EFER.LME and
 * CR4.PAE off. Interrupts stay off throughout (entry.S ran CLI): there is no 64-bit IDT. */
#include "guest/images/multiboot/mb_kernel.h"

#define MSR_EFER        0xC0000080
#define EFER_LME        (1 << 8)
#define CR4_PAE         (1 << 5)
#define CR0_PG          0x80000000
#define COM1_THR        0x3F8
#define COM1_LSR        0x3FD
#define LSR_THR_EMPTY   0x20
#define VGA_LONG_ROW    2               /* the 64-bit code's line on the screen */
#define VGA_ATTR_LONG   0x0E            /* yellow on black */

    .text
    .code32
/* void mb_long_mode_roundtrip(uint32_t pml4, struct mb_long_result *out): cdecl. */
    .globl mb_long_mode_roundtrip
    .type mb_long_mode_roundtrip, @function
mb_long_mode_roundtrip:
    push %ebp
    push %ebx
    push %esi
    push %edi
    mov 20(%esp), %eax
    mov 24(%esp), %edi              /* out, kept in EDI (RDI) across the modes */
    mov %eax, %cr3
    mov %cr4, %eax
    or $CR4_PAE, %eax
    mov %eax, %cr4
    mov $MSR_EFER, %ecx
    rdmsr
    or $EFER_LME, %eax
    wrmsr
    mov %cr0, %eax
    or $CR0_PG, %eax
    mov %eax, %cr0                  /* IA-32e mode, still 32-bit compatibility code */
    ljmp $MB_GDT_CODE64, $long64

    .code64
long64:
    mov %esp, %esp                  /* zero RSP's upper half: it is undefined after the switch */
    mov %edi, %edi
    /* Work only 64-bit code can do: a 64-bit immediate rotated, kept for the C side. */
    movabs $0x0123456789abcdef, %rax
    rol $32, %rax
    mov %rax, 0(%rdi)
    mov $MSR_EFER, %ecx
    rdmsr
    mov %eax, 8(%rdi)               /* EFER as 64-bit code sees it (LMA set) */
    mov %cs, %eax
    mov %eax, 12(%rdi)
    lea long_message(%rip), %rsi
    call print64
    /* Back to compatibility mode: a far return to the 32-bit code segment. */
    pushq $MB_GDT_CODE32
    lea compat32(%rip), %rax
    push %rax
    lretq

/* COM1 (polled, LSR bit 5) and VGA row VGA_LONG_ROW from 64-bit code: the string at RSI. */
print64:
    mov $(MB_VGA_TEXT + VGA_LONG_ROW * 160), %ebx
1:  movzbl (%rsi), %eax
    test %al, %al
    jz 3f
    movb %al, (%rbx)
    movb $VGA_ATTR_LONG, 1(%rbx)
    add $2, %rbx
    mov %eax, %ecx
    mov $COM1_LSR, %dx
2:  inb %dx, %al
    test $LSR_THR_EMPTY, %al
    jz 2b
    mov %ecx, %eax
    mov $COM1_THR, %dx
    outb %al, %dx
    inc %rsi
    jmp 1b
3:  mov $COM1_LSR, %dx
4:  inb %dx, %al
    test $LSR_THR_EMPTY, %al
    jz 4b
    mov $10, %al                     /* '\n' */
    mov $COM1_THR, %dx
    outb %al, %dx
    ret

    .code32
compat32:
    mov %cr0, %eax
    and $~CR0_PG, %eax
    mov %eax, %cr0                  /* paging off: IA-32e mode ends, EFER.LMA clears */
    mov $MSR_EFER, %ecx
    rdmsr
    and $~EFER_LME, %eax
    wrmsr
    mov %cr4, %eax
    and $~CR4_PAE, %eax
    mov %eax, %cr4
    pop %edi
    pop %esi
    pop %ebx
    pop %ebp
    ret
    .size mb_long_mode_roundtrip, . - mb_long_mode_roundtrip

    .section .rodata
long_message:
    .asciz "mblong: 64-bit code in long mode prints this line"

    .section .note.GNU-stack, "", @progbits
