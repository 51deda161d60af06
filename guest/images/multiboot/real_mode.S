/* mblong: from 32-bit protected mode down to real mode and back (SDM Vol. 3A 10.9.2
 * "Switching Back to Real-Address Mode" and 10.9.1 "Switching to Protected Mode"): 16-bit
 * code copied below 1 MiB, a far jump to a 16-bit code segment with 64 KiB limits, CR0.PE
 * off, a far jump to a real-mode CS, a line on COM1 printed from there, then CR0.PE on and a
 * far jump back to the flat 32-bit code segment. Interrupts stay off (entry.S ran CLI); the
 * IDTR holds the real-mode vector table's shape (base 0, limit 0x3FF) meanwhile. Both CR0
 * writes also flip CR0.NE, a bit VMX fixes to 1 and the hypervisor owns: so each one exits
 * and the hypervisor's CR0 emulation itself takes the guest into and out of real mode. */
#include "guest/images/multiboot/mb_kernel.h"

#define CR0_PE          1
#define CR0_NE          (1 << 5)
#define COM1_THR        0x3F8
#define COM1_LSR        0x3FD
#define LSR_THR_EMPTY   0x20
#define IVT_LIMIT       0x3FF
/* Where a label of the 16-bit blob lies once copied, as a linear address and as an offset
 * from the real-mode CS. */
#define BLOB_LINEAR(label)  (MB_REAL_BLOB_BASE + (label) - mb_real_blob)
#define BLOB_OFFSET(label)  ((label) - mb_real_blob)

    .text
    .code32
/* void mb_real_mode_roundtrip(struct mb_real_result *out): cdecl; out gets the CS and CR0
 * the real-mode code saw. */
    .globl mb_real_mode_roundtrip
    .type mb_real_mode_roundtrip, @function
mb_real_mode_roundtrip:
    push %ebp
    push %ebx
    push %esi
    push %edi
    mov %esp, saved_esp
    sidt saved_idtr
    mov $mb_real_blob, %esi
    mov $MB_REAL_BLOB_BASE, %edi
    mov $(mb_real_blob_end - mb_real_blob), %ecx
    rep movsb
    lidt real_mode_idtr
    ljmp $MB_GDT_CODE16, $BLOB_LINEAR(protected16)

/* Back from real mode with PE set: the flat segments, the saved stack and IDTR. */
protected32:
    mov $MB_GDT_DATA, %eax
    mov %eax, %ds
    mov %eax, %es
    mov %eax, %fs
    mov %eax, %gs
    mov %eax, %ss
    mov saved_esp, %esp
    lidt saved_idtr
    mov 20(%esp), %edi
    movzwl BLOB_LINEAR(seen_cs), %eax
    mov %eax, 0(%edi)
    mov BLOB_LINEAR(seen_cr0), %eax
    mov %eax, 4(%edi)
    pop %edi
    pop %esi
    pop %ebx
    pop %ebp
    ret
    .size mb_real_mode_roundtrip, . - mb_real_mode_roundtrip

/* The blob: position-dependent only through BLOB_LINEAR/BLOB_OFFSET, so it runs at
 * MB_REAL_BLOB_BASE; its data lives in it, addressed from DS = CS in real mode. */
    .section .rodata
    .globl mb_real_blob, mb_real_blob_end
    .code16
mb_real_blob:
protected16:
    /* 16-bit protected mode: segments with real-mode limits before PE goes off. */
    mov $MB_GDT_DATA16, %ax
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %fs
    mov %ax, %gs
    mov %ax, %ss
    mov %cr0, %eax
    and $~CR0_PE, %eax
    xor $CR0_NE, %eax
    mov %eax, %cr0
    ljmp $MB_REAL_CS, $BLOB_OFFSET(real16)

real16:
    mov %cs, %ax
    mov %ax, %ds
    mov %ax, %es
    xor %ax, %ax
    mov %ax, %fs
    mov %ax, %gs
    mov $MB_REAL_STACK_SEG, %ax
    mov %ax, %ss
    mov $MB_REAL_STACK_SP, %sp
    mov %cs, %ax
    mov %ax, BLOB_OFFSET(seen_cs)
    mov %cr0, %eax
    mov %eax, BLOB_OFFSET(seen_cr0)
    mov $BLOB_OFFSET(message_head), %si
    call put_string16
    mov %cs, %bx
    call put_hex16
    mov $BLOB_OFFSET(message_tail), %si
    call put_string16
    mov $10, %al                    /* '\n' */
    call put_char16
    mov %cr0, %eax
    or $CR0_PE, %eax
    xor $CR0_NE, %eax
    mov %eax, %cr0
    ljmpl $MB_GDT_CODE32, $protected32

/* The NUL-terminated string at DS:SI on COM1. */
put_string16:
    lodsb
    test %al, %al
    jz 1f
    call put_char16
    jmp put_string16
1:  ret

/* BX as four lower-case hex digits. */
put_hex16:
    mov $4, %cx
1:  rol $4, %bx
    mov %bl, %al
    and $0xF, %al
    add $'0', %al
    cmp $'9', %al
    jbe 2f
    add $('a' - '9' - 1), %al
2:  call put_char16
    loop 1b
    ret

/* AL on COM1 once its transmitter is empty (LSR bit 5, polled); clobbers AH and DX. */
put_char16:
    mov %al, %ah
    mov $COM1_LSR, %dx
1:  inb %dx, %al
    test $LSR_THR_EMPTY, %al
    jz 1b
    mov %ah, %al
    mov $COM1_THR, %dx
    outb %al, %dx
    ret

message_head:
    .asciz "mblong: real mode: cs 0x"
message_tail:
    .asciz " prints this line"
    .align 4
seen_cr0:
    .long 0
seen_cs:
    .short 0
mb_real_blob_end:
    .code32

    .section .data
    .align 4
saved_esp:
    .long 0
saved_idtr:
    .short 0
    .long 0
real_mode_idtr:
    .short IVT_LIMIT
    .long 0

    .section .note.GNU-stack, "", @progbits
