/* Multiboot2 boot information parser (Multiboot2 specification 1.0, section 3.6).
 * Pure C: compiled into the hypervisor and into the host unit tests. */
#ifndef BOOT_MULTIBOOT2_H
#define BOOT_MULTIBOOT2_H

#include <stdbool.h>
#include <stdint.h>

#include "boot/multiboot2_spec.h"
#include "lib/diag.h"

#define MB2_MAX_MMAP_ENTRIES 128
#define MB2_MAX_MODULES      16

struct mb2_mmap_entry {
    uint64_t base;
    uint64_t length;
    uint32_t type;          /* MB2_MEMORY_* */
};

struct mb2_module {
    uint32_t start;         /* physical, inclusive */
    uint32_t end;           /* physical, exclusive */
    const char *cmdline;    /* points into the boot information; NUL-terminated */
};

/* Framebuffer info tag (3.6.12). For EGA text, width and height count characters and bpp
 * is 16; the colour fields are set for the RGB type only. */
struct mb2_framebuffer {
    bool present;
    uint64_t address;               /* physical */
    uint32_t pitch;                 /* bytes per line (pixel row or text row) */
    uint32_t width, height;
    uint8_t bpp;
    uint8_t type;                   /* MB2_FRAMEBUFFER_* */
    uint8_t red_position, red_size;
    uint8_t green_position, green_size;
    uint8_t blue_position, blue_size;
};

struct mb2_info {
    uint32_t total_size;            /* as checked: bytes of the structure that were trusted */
    const char *cmdline;            /* NULL when absent or malformed */
    const char *loader_name;        /* NULL when absent or malformed */

    struct mb2_mmap_entry mmap[MB2_MAX_MMAP_ENTRIES];
    uint32_t mmap_count;

    struct mb2_module modules[MB2_MAX_MODULES];
    uint32_t module_count;

    const void *rsdp_old;           /* ACPI 1.0 RSDP copy inside the boot information */
    uint32_t rsdp_old_size;
    const void *rsdp_new;           /* ACPI 2.0+ RSDP copy */
    uint32_t rsdp_new_size;

    bool efi32;                     /* EFI 32-bit system table tag seen */
    bool efi64;                     /* EFI 64-bit system table tag seen */
    uint64_t efi_system_table;      /* from the EFI32 or EFI64 tag, 0 if none */
    bool efi_boot_services;         /* boot services not terminated (tag 18) */

    struct mb2_framebuffer framebuffer;

    bool has_basic_meminfo;
    uint32_t mem_lower_kib, mem_upper_kib;

    uint32_t errors;                /* number of problems reported */
};

/* Parses the boot information structure at mbi. At most max_size bytes are
 * ever read (pass the size of the host buffer in tests, or a generous bound in
 * the hypervisor); the structure's own total_size is checked against it.
 * Every problem is reported once through d as
 *   "multiboot2: <tag name>: <field> <value> <why>"
 * and parsing goes on with what is still trustworthy. Returns false only when
 * nothing at all could be trusted (no readable header). */
bool mb2_parse(const void *mbi, uint32_t max_size, struct mb2_info *out,
               const struct diag *d);

/* Human-readable name of a boot information tag type ("memory map", ...). */
const char *mb2_tag_name(uint32_t type);

#endif
