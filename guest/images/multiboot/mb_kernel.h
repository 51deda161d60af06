/* Multiboot test kernels (guest/images/multiboot): what the shared 32-bit sources say to each
 * other. One image per header variant (entry.S built with -DMB_VERSION=1|2 and friends); the
 * C code is the same object in every image and tells v1 from v2 by the magic in EAX. */
#ifndef GUEST_IMAGES_MULTIBOOT_MB_KERNEL_H
#define GUEST_IMAGES_MULTIBOOT_MB_KERNEL_H

/* The kernel's own GDT (entry.S): flat 32-bit code and data, 64-bit code for mblong, and
 * 16-bit code and data (base 0, 64 KiB limits) for mblong's way down to real mode. */
#define MB_GDT_CODE32   0x08
#define MB_GDT_DATA     0x10
#define MB_GDT_CODE64   0x18
#define MB_GDT_CODE16   0x20
#define MB_GDT_DATA16   0x28

/* mblong's real-mode trip (real_mode.S): its 16-bit code is copied to low RAM at
 * MB_REAL_BLOB_BASE and runs as CS MB_REAL_CS; its stack ends at MB_REAL_STACK_TOP. */
#define MB_REAL_BLOB_BASE   0x8000
#define MB_REAL_BLOB_MAX    0x1000
#define MB_REAL_CS          0x0800      /* MB_REAL_BLOB_BASE >> 4 */
#define MB_REAL_STACK_SEG   0x9000
#define MB_REAL_STACK_SP    0xF000      /* linear 0x9F000, below the 0x9FC00 end of low RAM */
#define MB_REAL_STACK_TOP   0x9F000
#define MB_REAL_STACK_BYTES 0x1000      /* what the stack may use below its top */

#define MB_STACK_SIZE   16384
#define MB_VGA_TEXT     0xB8000     /* 80x25 colour text memory */

#ifndef __ASSEMBLY__

#include <stdbool.h>
#include <stdint.h>

#include "boot/multiboot2.h"

/* From entry.S: the variant's name ("mb1", "mb2", "mblong", "mbkludge"), the magic its
 * header asks for, whether it asked for page-aligned modules, and a copy of mbdata.txt. */
extern const char mb_kernel_name[];
extern const uint32_t mb_expected_magic;
extern const uint32_t mb_modules_page_aligned;
extern const uint8_t mb_data_copy[], mb_data_copy_end[];
/* From linker.ld: the loaded image, .bss included. */
extern char __image_start[], __image_end[];

#define MB_LOW_RAM_KIB      639u            /* 0 .. 0x9FC00 */
#define MB_HIGH_RAM_BASE    0x100000ull

/* One line on COM1 prefixed "<name>: ". */
void mb_say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A failed check: says so, and the first one becomes the reason of the final FAIL line. */
void mb_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Copies a string the loader handed over for printing: printable ASCII only, at most
 * size - 1 characters (a longer one ends in "..."). */
void mb_printable(char *out, unsigned size, const char *in);

/* The boot information of either version as the hypervisor's own multiboot2 parser shapes
 * it (boot/multiboot2.h); each reports what it finds malformed through mb_fail. */
void mb1_read(uint32_t info_addr, struct mb2_info *out);
void mb2_read(uint32_t info_addr, struct mb2_info *out);

/* VGA text memory: row 0..24 gets text (cut at 80 columns) in one attribute, padded with
 * blanks; vga_clear blanks the screen. */
void vga_clear(void);
void vga_write_row(unsigned row, uint8_t attr, const char *text);

/* The partition's PC devices (platform.c): the CMOS clock checked; then, after the verdict,
 * power-off or reset when the command line asks for it. */
void mb_platform_check(void);
void mb_platform_end(const char *cmdline);

/* mblong only (long_mode.c): enters long mode, runs 64-bit code, comes back; the other
 * images leave it undefined, so it is NULL there. */
void mb_long_mode_check(void) __attribute__((weak));
/* mblong only (real_mode.c): drops to real mode, prints from there, comes back; info_addr
 * and info_size say where the boot information lies, which the low-memory code must spare. */
void mb_real_mode_check(uint32_t info_addr, uint32_t info_size) __attribute__((weak));

static inline uint32_t mb_read_cr0(void)
{
    uint32_t v;
    __asm__ volatile("mov %%cr0, %0" : "=r"(v));
    return v;
}

#endif
#endif
