/* Multiboot2 constants (Multiboot2 specification 1.0, sections 3.1 and 3.6).
 * Defines only, so that boot/entry.S can include it too. */
#ifndef BOOT_MULTIBOOT2_SPEC_H
#define BOOT_MULTIBOOT2_SPEC_H

#define MB2_HEADER_MAGIC        0xE85250D6
#define MB2_BOOTLOADER_MAGIC    0x36D76289
#define MB2_ARCH_I386           0

/* Header tags (section 3.1.3 onwards). */
#define MB2_HEADER_TAG_END              0
#define MB2_HEADER_TAG_INFO_REQUEST     1
#define MB2_HEADER_TAG_ADDRESS          2
#define MB2_HEADER_TAG_ENTRY_ADDRESS    3
#define MB2_HEADER_TAG_CONSOLE_FLAGS    4
#define MB2_HEADER_TAG_FRAMEBUFFER      5
#define MB2_HEADER_TAG_MODULE_ALIGN     6
#define MB2_HEADER_TAG_EFI_BS           7
#define MB2_HEADER_TAG_OPTIONAL         1   /* flags bit 0 */
#define MB2_CONSOLE_EGA_TEXT_SUPPORTED  2   /* console flags bit 1 (3.1.9) */

/* Boot information tags (section 3.6). */
#define MB2_TAG_END             0
#define MB2_TAG_CMDLINE         1
#define MB2_TAG_LOADER_NAME     2
#define MB2_TAG_MODULE          3
#define MB2_TAG_BASIC_MEMINFO   4
#define MB2_TAG_BOOTDEV         5
#define MB2_TAG_MMAP            6
#define MB2_TAG_VBE             7
#define MB2_TAG_FRAMEBUFFER     8
#define MB2_TAG_ELF_SECTIONS    9
#define MB2_TAG_APM             10
#define MB2_TAG_EFI32           11
#define MB2_TAG_EFI64           12
#define MB2_TAG_SMBIOS          13
#define MB2_TAG_ACPI_OLD        14
#define MB2_TAG_ACPI_NEW        15
#define MB2_TAG_NETWORK         16
#define MB2_TAG_EFI_MMAP        17
#define MB2_TAG_EFI_BS          18
#define MB2_TAG_EFI32_IH        19
#define MB2_TAG_EFI64_IH        20
#define MB2_TAG_LOAD_BASE_ADDR  21

/* Memory map entry types (section 3.6.8). */
#define MB2_MEMORY_AVAILABLE        1
#define MB2_MEMORY_RESERVED         2
#define MB2_MEMORY_ACPI_RECLAIMABLE 3
#define MB2_MEMORY_NVS              4
#define MB2_MEMORY_BADRAM           5

/* Framebuffer types (section 3.6.12). */
#define MB2_FRAMEBUFFER_INDEXED     0
#define MB2_FRAMEBUFFER_RGB         1
#define MB2_FRAMEBUFFER_EGA_TEXT    2

#endif
