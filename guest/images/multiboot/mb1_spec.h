/* Multiboot 0.6.96 constants (Multiboot specification 0.6.96, sections 3.1.1 "The layout of
 * Multiboot header", 3.2 "Machine state" and 3.3 "Boot information format"). Defines only, so
 * that assembly can include it too. */
#ifndef GUEST_IMAGES_MULTIBOOT_MB1_SPEC_H
#define GUEST_IMAGES_MULTIBOOT_MB1_SPEC_H

#define MB1_HEADER_MAGIC        0x1BADB002
#define MB1_BOOTLOADER_MAGIC    0x2BADB002

/* Header flags (3.1.2). */
#define MB1_HEADER_PAGE_ALIGN   (1 << 0)    /* modules on 4 KiB boundaries */
#define MB1_HEADER_MEMORY_INFO  (1 << 1)    /* mem_* and mmap_* wanted */
#define MB1_HEADER_VIDEO_MODE   (1 << 2)
#define MB1_HEADER_AOUT_KLUDGE  (1 << 16)   /* the address fields are valid */

/* Boot information flags (3.3): which fields are valid. */
#define MB1_INFO_MEMORY         (1 << 0)
#define MB1_INFO_BOOTDEV        (1 << 1)
#define MB1_INFO_CMDLINE        (1 << 2)
#define MB1_INFO_MODS           (1 << 3)
#define MB1_INFO_MMAP           (1 << 6)
#define MB1_INFO_LOADER_NAME    (1 << 9)

/* Byte offsets in the boot information structure (3.3). */
#define MB1_INFO_FLAGS          0
#define MB1_INFO_MEM_LOWER      4
#define MB1_INFO_MEM_UPPER      8
#define MB1_INFO_CMDLINE_ADDR   16
#define MB1_INFO_MODS_COUNT     20
#define MB1_INFO_MODS_ADDR      24
#define MB1_INFO_MMAP_LENGTH    44
#define MB1_INFO_MMAP_ADDR      48
#define MB1_INFO_LOADER_NAME_ADDR 64
#define MB1_INFO_SIZE           88      /* up to the VBE fields; framebuffer ones follow */

/* A module entry: mod_start, mod_end, string, reserved (3.3). */
#define MB1_MODULE_SIZE         16
/* A memory map entry: size (not counting itself), base_addr, length, type (3.3). */
#define MB1_MMAP_ENTRY_MIN      20

#endif
