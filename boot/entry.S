/* Multiboot2 header and 32-bit entry: builds boot page tables and a GDT,
 * enters long mode and calls boot_main() on the boot CPU's stack.
 * Multiboot2 spec 3.1 (header), 3.3 (machine state); SDM Vol. 3, 10.8.5 (IA-32e initialisation). */
#include "boot/multiboot2_spec.h"
#include "arch/x86/cpu_regs.h"
#include "arch/x86/msr.h"

#define BOOT_STACK_SIZE     16384
#define BOOT_IDENTITY_GIB   4          /* 2 MiB pages covering 0 .. 4 GiB */
#define COM1_THR            0x3F8

/* ---- multiboot2 header ------------------------------------------------------- */
    .section .multiboot2, "a"
    .balign 8
mb2_header:
    .long MB2_HEADER_MAGIC
    .long MB2_ARCH_I386
    .long mb2_header_end - mb2_header
    .long -(MB2_HEADER_MAGIC + MB2_ARCH_I386 + (mb2_header_end - mb2_header))

    /* Ask for what the hypervisor reads; optional, so a loader lacking one still boots. */
    .balign 8
mb2_tag_info_request:
    .short MB2_HEADER_TAG_INFO_REQUEST
    .short MB2_HEADER_TAG_OPTIONAL
    .long mb2_tag_info_request_end - mb2_tag_info_request
    .long MB2_TAG_CMDLINE
    .long MB2_TAG_LOADER_NAME
    .long MB2_TAG_MODULE
    .long MB2_TAG_MMAP
    .long MB2_TAG_ACPI_OLD
    .long MB2_TAG_ACPI_NEW
    .long MB2_TAG_FRAMEBUFFER
mb2_tag_info_request_end:

    /* A screen console: EGA text is fine (BIOS), and so is any linear framebuffer the
     * firmware already drives (UEFI GOP); width, height and depth 0 state no preference.
     * Both optional: with neither, the console is serial only. */
    .balign 8
    .short MB2_HEADER_TAG_CONSOLE_FLAGS
    .short MB2_HEADER_TAG_OPTIONAL
    .long 12
    .long MB2_CONSOLE_EGA_TEXT_SUPPORTED

    .balign 8
    .short MB2_HEADER_TAG_FRAMEBUFFER
    .short MB2_HEADER_TAG_OPTIONAL
    .long 20
    .long 0, 0, 0

    /* Page-aligned modules, so guest images can be mapped without copying. */
    .balign 8
    .short MB2_HEADER_TAG_MODULE_ALIGN
    .short 0
    .long 8

    .balign 8
    .short MB2_HEADER_TAG_END
    .short 0
    .long 8
mb2_header_end:

/* ---- boot data ----------------------------------------------------------------- */
    .section .bss.page_aligned, "aw", @nobits
    .balign 4096
boot_pml4:      .skip 4096
boot_pdpt:      .skip 4096
    .global boot_pd, boot_pml4, boot_pdpt
boot_pd:        .skip 4096 * BOOT_IDENTITY_GIB
    .global boot_stack_top
boot_stack:     .skip BOOT_STACK_SIZE
boot_stack_top:

    .section .bss
    .balign 8
    .global boot_entry_tsc
boot_entry_tsc: .quad 0

    .section .rodata
    .balign 8
boot_gdt:
    .quad 0                         /* null */
    .quad GDT_DESC_CODE64        /* GDT_SEL_CODE64: 64-bit code, DPL 0 */
    .quad GDT_DESC_DATA        /* GDT_SEL_DATA: data, DPL 0 */
boot_gdt_end:
boot_gdt_pointer:
    .short boot_gdt_end - boot_gdt - 1
    .quad boot_gdt

msg_no_multiboot2:  .asciz "boot: not started by a multiboot2 loader; halting\r\n"
msg_no_long_mode:   .asciz "boot: this CPU has no long mode (x86-64); tessera needs a 64-bit CPU; halting\r\n"

/* ---- 32-bit entry ------------------------------------------------------------- */
    .section .text.boot, "ax"
    .code32
    .global _start
_start:
    cli
    cld
    mov %eax, %edi                  /* multiboot2 magic */
    mov %ebx, %esi                  /* boot information (physical) */

    /* Zero .bss before anything lives there (loaders are not all careful). */
    mov $__bss_start, %edx
1:  cmp $__bss_end, %edx
    jae 2f
    movl $0, (%edx)
    add $4, %edx
    jmp 1b
2:
    rdtsc
    mov %eax, boot_entry_tsc
    mov %edx, boot_entry_tsc + 4
    mov $boot_stack_top, %esp

    cmp $MB2_BOOTLOADER_MAGIC, %edi
    je 1f
    mov $msg_no_multiboot2, %ebx
    jmp boot_fail32
1:
    /* Long mode: CPUID.80000001H:EDX[29]. */
    mov $0x80000000, %eax
    cpuid
    cmp $0x80000001, %eax
    jb 3f
    mov $0x80000001, %eax
    cpuid
    test $(1 << 29), %edx
    jnz 4f
3:  mov $msg_no_long_mode, %ebx
    jmp boot_fail32
4:
    /* Identity map 0 .. 4 GiB with 2 MiB pages: PML4[0] -> PDPT[0..3] -> PD. */
    mov $boot_pdpt, %eax
    or $(PTE_PRESENT | PTE_WRITE), %eax
    mov %eax, boot_pml4

    xor %ecx, %ecx
5:  mov %ecx, %eax
    shl $12, %eax
    add $boot_pd, %eax
    or $(PTE_PRESENT | PTE_WRITE), %eax
    mov %eax, boot_pdpt(, %ecx, 8)
    inc %ecx
    cmp $BOOT_IDENTITY_GIB, %ecx
    jb 5b

    xor %ecx, %ecx                  /* PD entry index, 512 per GiB */
6:  mov %ecx, %eax
    shl $21, %eax                   /* low 32 bits of index * 2 MiB */
    or $(PTE_PRESENT | PTE_WRITE | PTE_LARGE), %eax
    mov %ecx, %edx
    shr $11, %edx                   /* high bits of index * 2 MiB */
    mov %eax, boot_pd(, %ecx, 8)
    mov %edx, boot_pd + 4(, %ecx, 8)
    inc %ecx
    cmp $(512 * BOOT_IDENTITY_GIB), %ecx
    jb 6b

    mov %cr4, %eax
    or $CR4_PAE, %eax
    mov %eax, %cr4
    mov $boot_pml4, %eax
    mov %eax, %cr3
    mov $MSR_IA32_EFER, %ecx
    rdmsr
    or $EFER_LME, %eax
    wrmsr
    /* Paging and protection on; caches on (firmware may leave CD/NW set). */
    mov %cr0, %eax
    and $~(CR0_CD | CR0_NW), %eax
    or $(CR0_PG | CR0_PE | CR0_WP | CR0_NE), %eax
    mov %eax, %cr0

    lgdt boot_gdt_pointer
    ljmp $GDT_SEL_CODE64, $long_mode_entry

/* Writes the NUL-terminated string at %ebx to COM1 and halts (no long mode, no C). */
boot_fail32:
    mov $COM1_THR, %dx
1:  movb (%ebx), %al
    test %al, %al
    jz 2f
    outb %al, %dx
    inc %ebx
    jmp 1b
2:  cli
    hlt
    jmp 2b

/* ---- 64-bit entry -------------------------------------------------------------- */
    .code64
long_mode_entry:
    mov $GDT_SEL_DATA, %ax
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %ss
    xor %eax, %eax
    mov %ax, %fs
    mov %ax, %gs
    mov $boot_stack_top, %rsp
    xor %ebp, %ebp
    mov %edi, %edi                  /* zero-extend magic and boot information pointer */
    mov %esi, %esi
    call boot_main
1:  cli
    hlt
    jmp 1b
