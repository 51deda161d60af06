/* Linux bzImage loader: checks a kernel's setup header, places the kernel, zero page, command
 * line and initrd in the partition's memory and enters the kernel through the 64-bit boot
 * protocol (Linux Documentation/arch/x86/boot.rst, guest/bzimage_spec.h). Pure: compiled into
 * the hypervisor and into the host tests. */
#ifndef GUEST_BZIMAGE_LOADER_H
#define GUEST_BZIMAGE_LOADER_H

#include <stdbool.h>
#include <stdint.h>

#include "guest/guest_boot.h"
#include "guest/loader.h"
#include "lib/diag.h"

#define BZIMAGE_MIN_VERSION     0x020Cu     /* 2.12: xloadflags, so XLF_KERNEL_64 */

/* Where the loader puts things below 1 MiB, around guest/guest_boot.c's GDT (0x1000), TSS
 * (0x1800) and page tables (0x3000 up to at most 0x45000): all in low RAM, below the EBDA. */
#define BZIMAGE_ZERO_PAGE_GPA   GUEST_BOOT_PARAMS_GPA   /* 0x2000, one page */
#define BZIMAGE_CMDLINE_GPA     0x48000ull
#define BZIMAGE_CMDLINE_MAX     0x8000u     /* bytes, the NUL included */
#define BZIMAGE_STACK_TOP       GUEST_STACK_TOP         /* 0x80000, down to the command line */
#define BZIMAGE_SEL_TSS         0x20        /* after __BOOT_CS and __BOOT_DS */
/* Kernel and initrd live at or above 1 MiB, where the partition is RAM up to its end. */
#define BZIMAGE_HIGH_MIN_GPA    0x100000ull

/* The setup header as the loader reads it from the image. */
struct bzimage_header {
    uint16_t version;
    uint8_t loadflags;
    uint16_t xloadflags;
    uint8_t relocatable;
    uint8_t min_alignment;
    uint32_t syssize;
    uint32_t kernel_alignment;
    uint32_t initrd_addr_max;
    uint32_t cmdline_size;
    uint32_t init_size;
    uint32_t handover_offset;
    uint64_t pref_address;
    uint32_t header_end;        /* 0x202 + the jump's byte: the zero page gets [0x1F1, this) */
    uint32_t setup_size;        /* (setup_sects, 0 meaning 4, + 1) * 512: the kernel's offset */
    uint64_t kernel_size;       /* syssize * 16, cut to the bytes the image has */
};

/* Checks image[0 .. size) as a bzImage this loader can boot: large enough for the setup
 * header, "HdrS", protocol >= 2.12, boot flag 0xAA55, a header end within 0x268..0x290,
 * LOADED_HIGH, XLF_KERNEL_64, the whole setup present, syssize nonzero and its 16-byte
 * paragraphs present (the last may be partial), kernel_alignment a power of two, init_size
 * at least the kernel's size. Nothing is read outside the image. The first problem is
 * reported as one line starting "bzImage: " and false returned. */
bool bzimage_parse_header(const void *image, uint64_t size, struct bzimage_header *h,
                          const struct diag *d);

/* Where everything goes in guest-physical memory. */
struct bzimage_layout {
    uint64_t kernel_gpa;        /* load address; entry at + 0x200 */
    uint64_t kernel_end;        /* kernel_gpa + init_size: the kernel decompresses in here */
    uint64_t cmdline_len;       /* bytes at BZIMAGE_CMDLINE_GPA, the NUL not counted */
    uint64_t initrd_gpa, initrd_size;   /* both 0 without an initrd */
};

/* Places a checked kernel in a partition of memory_size bytes (which guest_boot_memory_ok
 * accepts). The kernel goes at pref_address; a relocatable one whose pref_address is below
 * 1 MiB or unaligned goes at the next kernel_alignment boundary at or above 1 MiB, never
 * lower: x86-64 kernels run at pref_address at the lowest whatever their load address, so a
 * lower place would only hide an overlap. [kernel_gpa, + init_size) must be RAM at or above
 * 1 MiB. The initrd (initrd_size bytes, 0 = none) goes page-aligned at the highest address
 * where it ends at or below min(initrd_addr_max + 1, memory_size), at or above 1 MiB, outside
 * the kernel's region. The command line (cmdline_len bytes; BZIMAGE_CMDLINE_MAX or more
 * meaning at least that) must fit both cmdline_size and BZIMAGE_CMDLINE_MAX - 1. Reports the
 * first problem ("bzImage: ...") and returns false. */
bool bzimage_place(const struct bzimage_header *h, uint64_t memory_size, uint64_t cmdline_len,
                   uint64_t initrd_size, struct bzimage_layout *l, const struct diag *d);

/* The loader table's entry for IMAGE_BZIMAGE. modules[0 .. module_count) become the initrd,
 * concatenated in order, each after the previous one's end rounded up to 4 bytes (how Linux
 * reads several cpio archives). Fills guest memory: the kernel's protected-mode bytes at
 * kernel_gpa, the zero page at BZIMAGE_ZERO_PAGE_GPA (the image's setup header, the loader's
 * fields, e820 from guest/guest_memmap.h, acpi_rsdp_addr), the command line at
 * BZIMAGE_CMDLINE_GPA ("" when none), the initrd, and guest/guest_boot.c's page tables
 * (identity map of all memory), GDT (0x10 64-bit code, 0x18 data, 0x20 TSS) and TSS. The
 * entry: long mode at kernel_gpa + 0x200, RSI = the zero page, RSP = BZIMAGE_STACK_TOP, other
 * general registers 0, IF clear. out->image_start/end cover the kernel's bytes. */
bool bzimage_load(const struct loader_input *in, struct loader_output *out,
                  const struct diag *d);

#endif
