/* Linux x86 boot protocol: the bzImage setup header's offsets and flags, and the zero page
 * (struct boot_params) fields a 64-bit boot loader fills (Linux Documentation/arch/x86/boot.rst
 * "The Real-Mode Kernel Header", "64-bit Boot Protocol"; zero-page.rst). Offsets are from the
 * start of the image file, and the same in the zero page, where the header is copied. */
#ifndef GUEST_BZIMAGE_SPEC_H
#define GUEST_BZIMAGE_SPEC_H

/* ---- setup header (in the image and at the same offsets in the zero page) ---- */
#define BZ_SETUP_SECTS          0x1F1   /* u8: setup sectors after the boot sector; 0 = 4 */
#define BZ_SYSSIZE              0x1F4   /* u32: protected-mode code in 16-byte paragraphs */
#define BZ_BOOT_FLAG            0x1FE   /* u16: 0xAA55 */
#define BZ_JUMP                 0x200   /* u16: short jump; its second byte sizes the header */
#define BZ_HEADER               0x202   /* u32: "HdrS" */
#define BZ_VERSION              0x206   /* u16: protocol (major << 8) | minor */
#define BZ_TYPE_OF_LOADER       0x210   /* u8, written by the loader */
#define BZ_LOADFLAGS            0x211   /* u8 */
#define BZ_RAMDISK_IMAGE        0x218   /* u32, written: initrd address, low half */
#define BZ_RAMDISK_SIZE         0x21C   /* u32, written: initrd size, low half */
#define BZ_EXT_LOADER_VER       0x226   /* u8, written: 0 without an assigned loader id */
#define BZ_EXT_LOADER_TYPE      0x227   /* u8, written: likewise */
#define BZ_CMD_LINE_PTR         0x228   /* u32, written: command line address, low half */
#define BZ_INITRD_ADDR_MAX      0x22C   /* u32: highest byte an initrd may occupy */
#define BZ_KERNEL_ALIGNMENT     0x230   /* u32: alignment of a relocated kernel */
#define BZ_RELOCATABLE_KERNEL   0x234   /* u8: nonzero = may load at any aligned address */
#define BZ_MIN_ALIGNMENT        0x235   /* u8: log2 of the least alignment that boots */
#define BZ_XLOADFLAGS           0x236   /* u16 */
#define BZ_CMDLINE_SIZE         0x238   /* u32: longest command line, NUL not counted */
#define BZ_HARDWARE_SUBARCH     0x23C   /* u32, written: 0 = the default x86/PC */
#define BZ_SETUP_DATA           0x250   /* u64, written: list of struct setup_data, 0 = none */
#define BZ_PREF_ADDRESS         0x258   /* u64: preferred (and runtime) load address */
#define BZ_INIT_SIZE            0x260   /* u32: bytes from the load address used to boot */
#define BZ_HANDOVER_OFFSET      0x264   /* u32: EFI handover entry (not used here) */

#define BZ_HEADER_MAGIC         0x53726448u     /* "HdrS" */
#define BZ_BOOT_FLAG_MAGIC      0xAA55u
#define BZ_SECTOR               512u
#define BZ_SETUP_SECTS_DEFAULT  4u      /* what setup_sects 0 means */
#define BZ_SYSSIZE_UNIT         16u
/* The header ends at 0x202 + the jump's displacement byte; a 2.12+ kernel's reaches at least
 * past handover_offset, and the zero page leaves it room only up to 0x290. */
#define BZ_HEADER_MIN_END       0x268u
#define BZ_HEADER_MAX_END       0x290u

#define BZ_LOADFLAG_LOADED_HIGH 0x01u   /* protected-mode code at 1 MiB: a bzImage */
#define BZ_XLF_KERNEL_64        0x0001u /* 64-bit entry at load address + 0x200 */
#define BZ_XLF_ABOVE_4G         0x0002u /* kernel, zero page, cmdline, initrd may be above 4G */
#define BZ_TYPE_UNDEFINED       0xFFu   /* a loader without an assigned id */
#define BZ_ENTRY_64_OFFSET      0x200u

/* ---- zero page (struct boot_params), 4 KiB ---- */
#define BZ_ZERO_PAGE_SIZE       0x1000u
#define BZ_ZP_ACPI_RSDP_ADDR    0x070   /* u64 */
#define BZ_ZP_EXT_RAMDISK_IMAGE 0x0C0   /* u32: initrd address, high half */
#define BZ_ZP_EXT_RAMDISK_SIZE  0x0C4   /* u32: initrd size, high half */
#define BZ_ZP_EXT_CMD_LINE_PTR  0x0C8   /* u32: command line address, high half */
#define BZ_ZP_E820_ENTRIES      0x1E8   /* u8 */
#define BZ_ZP_SENTINEL          0x1EF   /* u8: nonzero tells the kernel the loader copied junk */
#define BZ_ZP_E820_TABLE        0x2D0   /* struct e820_entry[128] */
#define BZ_E820_ENTRY_SIZE      20u     /* u64 addr, u64 size, u32 type, packed */
#define BZ_E820_MAX             128u
#define BZ_E820_RAM             1u
#define BZ_E820_RESERVED        2u

/* ---- the 64-bit entry's GDT selectors (__BOOT_CS, __BOOT_DS) ---- */
#define BZ_BOOT_CS              0x10
#define BZ_BOOT_DS              0x18

#endif
