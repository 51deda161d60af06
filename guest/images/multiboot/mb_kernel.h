/* Multiboot test kernels (guest/images/multiboot): what the shared 32-bit sources say to each
 * other. One image per header variant (entry.S built with -DMB_VERSION=1|2 and friends); the
 * C code is the same object in every image and tells v1 from v2 by the magic in EAX. */
#ifndef GUEST_IMAGES_MULTIBOOT_MB_KERNEL_H
#define GUEST_IMAGES_MULTIBOOT_MB_KERNEL_H

/* The kernel's own GDT (entry.S): flat 32-bit code and data, and 64-bit code for mblong. */
#define MB_GDT_CODE32   0x08
#define MB_GDT_DATA     0x10
#define MB_GDT_CODE64   0x18

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

#endif
#endif
