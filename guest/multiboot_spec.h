/* What a multiboot kernel and its boot loader exchange, seen from the loader's side: the
 * multiboot 0.6.96 header and information structure (Multiboot Specification 0.6.96,
 * sections 3.1 and 3.3) and the multiboot2 header tags and information tags beyond those
 * tessera itself is booted with (Multiboot2 Specification 1.0, sections 3.1 and 3.6). */
#ifndef GUEST_MULTIBOOT_SPEC_H
#define GUEST_MULTIBOOT_SPEC_H

#include <stddef.h>
#include <stdint.h>

/* The multiboot2 magic numbers and tag types: one spec, defined once for both sides. */
#include "boot/multiboot2_spec.h"

/* ---- multiboot 0.6.96 ------------------------------------------------------------ */

#define MB1_HEADER_MAGIC        0x1BADB002u
#define MB1_BOOTLOADER_MAGIC    0x2BADB002u
#define MB1_SEARCH_BYTES        8192u       /* the header lies wholly in the first 8 KiB */
#define MB1_HEADER_ALIGN        4u

/* Header flags: bits 0-15 are requirements, 16-31 hints a loader may ignore. */
#define MB1_FLAG_PAGE_ALIGN     (1u << 0)   /* modules on 4 KiB boundaries */
#define MB1_FLAG_MEMORY_INFO    (1u << 1)   /* mem_* fields (and the map) wanted */
#define MB1_FLAG_VIDEO_MODE     (1u << 2)   /* video information wanted; mode is a preference */
#define MB1_FLAG_AOUT_KLUDGE    (1u << 16)  /* the address fields say where to load */
#define MB1_REQUIRED_FLAGS      0xFFFFu

struct mb1_header {
    uint32_t magic;             /* 0x00 */
    uint32_t flags;             /* 0x04 */
    uint32_t checksum;          /* 0x08: magic + flags + checksum == 0 */
    uint32_t header_addr;       /* 0x0C: address fields, with MB1_FLAG_AOUT_KLUDGE */
    uint32_t load_addr;         /* 0x10 */
    uint32_t load_end_addr;     /* 0x14 */
    uint32_t bss_end_addr;      /* 0x18 */
    uint32_t entry_addr;        /* 0x1C */
    uint32_t mode_type;         /* 0x20: graphics fields, with MB1_FLAG_VIDEO_MODE */
    uint32_t width;             /* 0x24 */
    uint32_t height;            /* 0x28 */
    uint32_t depth;             /* 0x2C */
};
#define MB1_HEADER_BASE_SIZE    12u                                 /* magic .. checksum */
#define MB1_HEADER_ADDRESS_SIZE offsetof(struct mb1_header, mode_type)
#define MB1_HEADER_VIDEO_SIZE   sizeof(struct mb1_header)

/* Information structure flags: which fields are valid. */
#define MB1_INFO_MEMORY         (1u << 0)
#define MB1_INFO_CMDLINE        (1u << 2)
#define MB1_INFO_MODS           (1u << 3)
#define MB1_INFO_MMAP           (1u << 6)
#define MB1_INFO_LOADER_NAME    (1u << 9)
#define MB1_INFO_FRAMEBUFFER    (1u << 12)

#define MB1_FRAMEBUFFER_EGA_TEXT    2u

struct mb1_info {
    uint32_t flags;             /* 0 */
    uint32_t mem_lower;         /* 4: KiB from 0 */
    uint32_t mem_upper;         /* 8: KiB from 1 MiB to the first hole */
    uint32_t boot_device;       /* 12 */
    uint32_t cmdline;           /* 16 */
    uint32_t mods_count;        /* 20 */
    uint32_t mods_addr;         /* 24 */
    uint32_t syms[4];           /* 28 */
    uint32_t mmap_length;       /* 44 */
    uint32_t mmap_addr;         /* 48 */
    uint32_t drives_length;     /* 52 */
    uint32_t drives_addr;       /* 56 */
    uint32_t config_table;      /* 60 */
    uint32_t boot_loader_name;  /* 64 */
    uint32_t apm_table;         /* 68 */
    uint32_t vbe_control_info;  /* 72 */
    uint32_t vbe_mode_info;     /* 76 */
    uint16_t vbe_mode;          /* 80 */
    uint16_t vbe_interface_seg; /* 82 */
    uint16_t vbe_interface_off; /* 84 */
    uint16_t vbe_interface_len; /* 86 */
    uint64_t framebuffer_addr;  /* 88 */
    uint32_t framebuffer_pitch; /* 96 */
    uint32_t framebuffer_width; /* 100 */
    uint32_t framebuffer_height;    /* 104 */
    uint8_t framebuffer_bpp;    /* 108 */
    uint8_t framebuffer_type;   /* 109 */
    uint8_t color_info[6];      /* 110 */
} __attribute__((packed));

struct mb1_module {
    uint32_t mod_start, mod_end;    /* [start, end) */
    uint32_t string;
    uint32_t reserved;
};

/* One memory map entry; size counts the bytes after itself (20). */
struct mb1_mmap_entry {
    uint32_t size;
    uint64_t base_addr;
    uint64_t length;
    uint32_t type;
} __attribute__((packed));
#define MB1_MMAP_ENTRY_SIZE     20u

_Static_assert(offsetof(struct mb1_header, entry_addr) == 0x1C, "multiboot header layout");
_Static_assert(sizeof(struct mb1_header) == 48, "multiboot header size");
_Static_assert(offsetof(struct mb1_info, mmap_length) == 44, "multiboot information layout");
_Static_assert(offsetof(struct mb1_info, boot_loader_name) == 64, "multiboot information layout");
_Static_assert(offsetof(struct mb1_info, framebuffer_addr) == 88, "multiboot information layout");
_Static_assert(sizeof(struct mb1_info) == 116, "multiboot information size");
_Static_assert(sizeof(struct mb1_module) == 16, "multiboot module entry size");
_Static_assert(sizeof(struct mb1_mmap_entry) == MB1_MMAP_ENTRY_SIZE + 4, "multiboot mmap entry");

/* ---- multiboot2, beyond boot/multiboot2_spec.h ------------------------------------ */

#define MB2_SEARCH_BYTES        32768u
#define MB2_HEADER_ALIGN        8u
#define MB2_TAG_ALIGN           8u

#define MB2_HEADER_TAG_EFI_I386_ENTRY   8
#define MB2_HEADER_TAG_EFI_AMD64_ENTRY  9
#define MB2_HEADER_TAG_RELOCATABLE      10
#define MB2_CONSOLE_REQUIRED            1   /* console flags bit 0 */

#define MB2_RELOCATE_NONE       0
#define MB2_RELOCATE_LOWEST     1
#define MB2_RELOCATE_HIGHEST    2

#define MB2_LOAD_FROM_FILE_START    0xFFFFFFFFu     /* address tag load_addr: from byte 0 */

struct mb2_header {
    uint32_t magic;             /* 0x00 */
    uint32_t architecture;      /* 0x04 */
    uint32_t header_length;     /* 0x08: from magic to the end of the end tag */
    uint32_t checksum;          /* 0x0C: the four fields sum to 0 */
};

struct mb2_tag_header {
    uint16_t type;
    uint16_t flags;             /* MB2_HEADER_TAG_OPTIONAL */
    uint32_t size;              /* this tag's bytes, unpadded */
};

struct mb2_header_address {     /* MB2_HEADER_TAG_ADDRESS, size 24 */
    struct mb2_tag_header tag;
    uint32_t header_addr, load_addr, load_end_addr, bss_end_addr;
};

struct mb2_header_relocatable {     /* MB2_HEADER_TAG_RELOCATABLE, size 24 */
    struct mb2_tag_header tag;
    uint32_t min_addr, max_addr, align, preference;
};

/* Information: a fixed start, then tags each padded to 8 bytes. */
struct mb2_info_start {
    uint32_t total_size;
    uint32_t reserved;
};

struct mb2_info_tag {
    uint32_t type;
    uint32_t size;
};

struct mb2_info_meminfo {
    struct mb2_info_tag tag;
    uint32_t mem_lower, mem_upper;
};

struct mb2_info_mmap_start {
    struct mb2_info_tag tag;
    uint32_t entry_size, entry_version;
};

struct mb2_info_mmap_entry {
    uint64_t base_addr, length;
    uint32_t type, reserved;
};

struct mb2_info_framebuffer {
    struct mb2_info_tag tag;
    uint64_t framebuffer_addr;
    uint32_t pitch, width, height;
    uint8_t bpp, framebuffer_type;
    uint16_t reserved;
};

#define MB2_RSDP_V1_SIZE        20u     /* ACPI 1.0 RSDP */
#define MB2_RSDP_V2_SIZE        36u     /* ACPI 2.0+ RSDP, with XSDT address */
#define MB2_RSDP_REVISION_OFFSET 15u

_Static_assert(sizeof(struct mb2_header_address) == 24, "multiboot2 address tag size");
_Static_assert(sizeof(struct mb2_header_relocatable) == 24, "multiboot2 relocatable tag size");
_Static_assert(sizeof(struct mb2_info_meminfo) == 16, "multiboot2 meminfo tag size");
_Static_assert(sizeof(struct mb2_info_mmap_entry) == 24, "multiboot2 mmap entry size");
_Static_assert(sizeof(struct mb2_info_framebuffer) == 32, "multiboot2 framebuffer tag size");

#endif
