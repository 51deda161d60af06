/* Multiboot test kernel entry: the multiboot 0.6.96 (section 3.1) or multiboot2 1.0 (3.1)
 * header of this variant, then the 32-bit entry (machine state of 3.2 / 3.3: protected
 * mode, paging off, EAX the loader's magic, EBX the boot information). Built once per
 * variant: -DMB_VERSION=1|2, -DMB_NAME='"..."', -DMB_AOUT_KLUDGE (v1: load by the header's
 * addresses), -DMB_INFO_REQUEST (v2: ask for cmdline, modules, mmap and ACPI). */
#include "boot/multiboot2_spec.h"
#include "guest/images/multiboot/mb1_spec.h"
#include "guest/images/multiboot/mb_kernel.h"

#if MB_VERSION == 1
#ifdef MB_AOUT_KLUDGE
#define MB1_FLAGS (MB1_HEADER_PAGE_ALIGN | MB1_HEADER_MEMORY_INFO | MB1_HEADER_AOUT_KLUDGE)
#else
#define MB1_FLAGS (MB1_HEADER_PAGE_ALIGN | MB1_HEADER_MEMORY_INFO)
#endif
    .section .multiboot, "a"
    .align 4
mb1_header:
    .long MB1_HEADER_MAGIC
    .long MB1_FLAGS
    .long 0x100000000 - (MB1_HEADER_MAGIC + MB1_FLAGS)
#ifdef MB_AOUT_KLUDGE
    .long mb1_header            /* header_addr: where this header is loaded */
    .long __image_start         /* load_addr: the file's first byte */
    .long __load_end            /* load_end_addr: the file's end */
    .long __image_end           /* bss_end_addr: zeroed up to here */
    .long _start                /* entry_addr */
#endif
#define MB_MAGIC_WANTED     MB1_BOOTLOADER_MAGIC
#define MB_PAGE_ALIGNED     1

#elif MB_VERSION == 2
    .section .multiboot, "a"
    .align 8
mb2_header:
    .long MB2_HEADER_MAGIC
    .long MB2_ARCH_I386
    .long mb2_header_end - mb2_header
    .long 0x100000000 - (MB2_HEADER_MAGIC + MB2_ARCH_I386 + (mb2_header_end - mb2_header))
#ifdef MB_INFO_REQUEST
    /* Two requests: what every loader can give, and (optional) the ACPI RSDP, which a
     * partition without ACPI tables cannot; the spec lets a loader leave out an unavailable
     * tag either way (3.1.4), but an optional request cannot fail the boot anywhere. */
    .align 8
1:  .short MB2_HEADER_TAG_INFO_REQUEST, 0
    .long 2f - 1b
    .long MB2_TAG_CMDLINE, MB2_TAG_MODULE, MB2_TAG_MMAP
2:  .align 8
1:  .short MB2_HEADER_TAG_INFO_REQUEST, MB2_HEADER_TAG_OPTIONAL
    .long 2f - 1b
    .long MB2_TAG_ACPI_OLD, MB2_TAG_ACPI_NEW
2:  .align 8
    .short MB2_HEADER_TAG_MODULE_ALIGN, 0
    .long 8
#define MB_PAGE_ALIGNED     1
#else
#define MB_PAGE_ALIGNED     0
#endif
    .align 8
    .short MB2_HEADER_TAG_END, 0
    .long 8
mb2_header_end:
#define MB_MAGIC_WANTED     MB2_BOOTLOADER_MAGIC

#else
#error "MB_VERSION must be 1 or 2"
#endif

    .section .text.entry, "ax"
    .code32
    .globl _start
    .type _start, @function
_start:
    cli
    cld
    mov $mb_stack_top, %esp
    mov %eax, %esi                  /* the magic, kept across the GDT switch */
    /* The loader's GDT may be anywhere (3.2): load our own before any segment register. */
    lgdt mb_gdt_descriptor
    ljmp $MB_GDT_CODE32, $1f
1:  mov $MB_GDT_DATA, %ecx
    mov %ecx, %ds
    mov %ecx, %es
    mov %ecx, %fs
    mov %ecx, %gs
    mov %ecx, %ss
    push %ebx                       /* mb_main(magic, boot information address) */
    push %esi
    call mb_main
    /* Done: halt with interrupts on, so tessera keeps the partition (HLT with IF=0 would be
     * a guest that can never wake). No device here raises an interrupt. */
2:  sti
    hlt
    jmp 2b
    .size _start, . - _start

    .section .rodata
    .align 8
mb_gdt:
    .quad 0
    .quad 0x00cf9a000000ffff        /* 0x08: code, 32-bit, base 0, 4 GiB */
    .quad 0x00cf92000000ffff        /* 0x10: data, base 0, 4 GiB */
    .quad 0x00af9a000000ffff        /* 0x18: code, 64-bit (L=1, D=0) */
    .quad 0x00009a000000ffff        /* 0x20: code, 16-bit, base 0, 64 KiB */
    .quad 0x000092000000ffff        /* 0x28: data, base 0, 64 KiB */
mb_gdt_end:
    .globl mb_gdt_descriptor
mb_gdt_descriptor:
    .short mb_gdt_end - mb_gdt - 1
    .long mb_gdt

    .globl mb_kernel_name, mb_expected_magic, mb_modules_page_aligned
mb_kernel_name:
    .asciz MB_NAME
    .align 4
mb_expected_magic:
    .long MB_MAGIC_WANTED
mb_modules_page_aligned:
    .long MB_PAGE_ALIGNED

    .globl mb_data_copy, mb_data_copy_end
mb_data_copy:
    .incbin "guest/images/multiboot/mbdata.txt"
mb_data_copy_end:

    .section .bss
    .align 16
mb_stack:
    .skip MB_STACK_SIZE
mb_stack_top:

    .section .note.GNU-stack, "", @progbits
