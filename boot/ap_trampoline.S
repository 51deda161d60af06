/* AP trampoline: copied below 1 MiB, started by SIPI in real mode, takes an
 * application processor through protected mode into long mode and calls
 * ap_main(percpu, &started). SDM Vol. 3, 10.4.4 (MP initialization) and 10.8.5. */
#include "arch/x86/cpu_regs.h"
#include "arch/x86/msr.h"
#include "boot/ap_trampoline.h"

#define OFFSET(label) ((label) - ap_trampoline_start)

    .section .rodata
    .balign 16
    .global ap_trampoline_start, ap_trampoline_end
ap_trampoline_start:
    .code16
    cli
    cld
    xor %ebx, %ebx
    mov %cs, %bx
    mov %bx, %ds
    shl $4, %ebx                    /* %ebx = linear base of the trampoline, kept to the end */
    lgdtl AP_PARAM_GDT_POINTER
    mov %cr0, %eax
    or $CR0_PE, %eax
    mov %eax, %cr0
    ljmpl *AP_PARAM_PM32_JUMP

    .code32
ap_protected_mode:
    mov $AP_GDT_SEL_DATA, %ax
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %ss
    mov %cr4, %eax
    or $CR4_PAE, %eax
    mov %eax, %cr4
    mov AP_PARAM_CR3(%ebx), %eax
    mov %eax, %cr3
    mov $MSR_IA32_EFER, %ecx
    rdmsr
    or $EFER_LME, %eax
    wrmsr
    mov %cr0, %eax
    and $~(CR0_CD | CR0_NW), %eax
    or $(CR0_PG | CR0_WP | CR0_NE), %eax
    mov %eax, %cr0
    ljmp $AP_GDT_SEL_CODE64, $ap_long_mode_entry

    .balign 8
ap_gdt:
    .quad 0
    .quad GDT_DESC_CODE32        /* AP_GDT_SEL_CODE32 */
    .quad GDT_DESC_DATA        /* AP_GDT_SEL_DATA */
    .quad GDT_DESC_CODE64        /* AP_GDT_SEL_CODE64 */
ap_gdt_end:

    /* Parameter block at fixed offsets; the boot CPU fills it in. */
    .org AP_PARAM_GDT_POINTER
    .short ap_gdt_end - ap_gdt - 1
    .long OFFSET(ap_gdt)            /* + linear base, patched */
    .org AP_PARAM_PM32_JUMP
    .long OFFSET(ap_protected_mode) /* + linear base, patched */
    .short AP_GDT_SEL_CODE32
    .org AP_PARAM_CR3
    .long 0
    .org AP_PARAM_STACK_TOP
    .quad 0
    .org AP_PARAM_PERCPU
    .quad 0
    .org AP_PARAM_STARTED
    .long 0
    .org AP_TRAMPOLINE_SIZE
ap_trampoline_end:

/* Runs from the hypervisor image, already in 64-bit mode on the trampoline's GDT. */
    .section .text
    .code64
ap_long_mode_entry:
    mov $AP_GDT_SEL_DATA, %ax
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %ss
    mov %ebx, %ebx                  /* upper half undefined after the mode switch */
    mov AP_PARAM_STACK_TOP(%rbx), %rsp
    mov AP_PARAM_PERCPU(%rbx), %rdi
    lea AP_PARAM_STARTED(%rbx), %rsi
    xor %ebp, %ebp
    call ap_main
1:  cli
    hlt
    jmp 1b
