/* What the multiboot and multiboot2 loaders share (Multiboot Specification 0.6.96 section 3,
 * Multiboot2 Specification 1.0 section 3): finding the header, planning the image from ELF
 * program headers or the header's address fields, placing modules and the information
 * structure in RAM below 4 GiB above the image, and the 32-bit entry state. Pure. */
#ifndef GUEST_MULTIBOOT_COMMON_H
#define GUEST_MULTIBOOT_COMMON_H

#include <stdbool.h>
#include <stdint.h>

#include "guest/elf_loader.h"
#include "guest/loader.h"

#define MB_LOADER_NAME      "tessera"
#define MB_PAGE             0x1000ull
/* Everything handed to a 32-bit kernel ends below this, so each end address fits 32 bits. */
#define MB_PLACEMENT_LIMIT  0xFFFFF000ull
#define MB_ADDRESS_LIMIT    (4ull << 30)    /* image segments end at or below it */
#define MB_CODE_SELECTOR    0x08
#define MB_DATA_SELECTOR    0x10

/* The EGA text console every partition has (guest/guest_memmap.h), as the information
 * structures describe it: 80x25 characters of two bytes. */
#define MB_EGA_COLUMNS      80u
#define MB_EGA_ROWS         25u
#define MB_EGA_BPP          16u

/* Where the header lies and how it sums. */
struct mb_header_search {
    uint32_t magic;
    uint32_t search_bytes;      /* the header lies in the first this many bytes */
    uint32_t align;
    uint32_t checksum_words;    /* the first this many 32-bit words sum to 0 */
};

/* A header's load-address fields (multiboot a.out kludge, multiboot2 address tag). */
struct mb_address_fields {
    uint64_t header_offset;     /* where the header lies in the image */
    uint32_t header_addr;       /* the gpa the header's first byte is loaded at */
    uint32_t load_addr;         /* the gpa of the first loaded byte; <= header_addr */
    uint32_t load_end_addr;     /* end of the loaded bytes; 0 = to the end of the file */
    uint32_t bss_end_addr;      /* end of the zeroed part after them; 0 = none */
    uint32_t entry_addr;
};

struct mb_range {
    uint64_t start, end;        /* [start, end) */
};

/* What has been put where in the partition's memory. */
struct mb_layout {
    struct elf_load_plan image;
    struct mb_range placed[PARTITION_GUEST_MODULES_MAX + 1];    /* modules, information */
    uint32_t placed_count;
};

/* Writes the information structure: into guest memory at start, or with memory NULL only
 * counts its bytes (the first of the two passes that size and then fill it). */
struct mb_writer {
    uint8_t *memory;
    uint64_t start;
    uint64_t used;
};

/* Builds an information structure through w from ctx; returns the gpa EBX will hold. It
 * must write the same number of bytes on every call with the same ctx. */
typedef uint32_t (*mb_info_builder)(const void *ctx, struct mb_writer *w);

/* Finds the first header with the right magic and checksum at an aligned offset whose
 * checksummed words lie in the first search_bytes of the image; *offset gets it. Otherwise
 * one line: a header whose checksum is wrong, or none at all. */
bool mb_find_header(const void *image, uint64_t size, const struct mb_header_search *s,
                    const char *who, uint64_t *offset, const struct diag *d);

/* Plans an ELF32 (i386) or ELF64 (x86-64) executable by its program headers at their
 * physical addresses, the entry translated from e_entry (elf_plan with physical rules). */
bool mb_plan_elf(const struct loader_input *in, struct elf_load_plan *plan,
                 const struct diag *d);

/* Plans the image as one segment from the address fields: file bytes from header_offset -
 * (header_addr - load_addr) up to load_end_addr (or the file's end) at load_addr, zeros up
 * to bss_end_addr, entry at entry_addr. Checked: load_addr <= header_addr, the loaded bytes
 * inside the file, load_end_addr and bss_end_addr not below what comes before them,
 * something to load. */
bool mb_plan_address(const struct loader_input *in, const struct mb_address_fields *f,
                     const char *who, struct elf_load_plan *plan, const struct diag *d);

/* Checks a plan against the partition: every segment inside guest memory, ending at or
 * below 4 GiB and lying in RAM of the memory map (not the legacy hole); the entry in the
 * file-backed part of an executable segment. */
bool mb_check_image(const struct loader_input *in, const struct elf_load_plan *plan,
                    const char *who, const struct diag *d);

/* Copies the checked image l->image into guest memory and then each module into free RAM
 * (l->placed[i]): page-aligned, below MB_PLACEMENT_LIMIT, overlapping neither a segment nor
 * another placement. Each goes right after the one before (the first after the image)
 * when it fits there, else at the lowest of 1 MiB, the end of a segment or placement, or
 * the first page of low memory where it fits. */
bool mb_load(const struct loader_input *in, struct mb_layout *l, const char *who,
             const struct diag *d);

/* Sizes the information structure with build, places it in free RAM as mb_load places a
 * module, and writes it there; *info_gpa gets build's answer. */
bool mb_write_info(const struct loader_input *in, struct mb_layout *l, mb_info_builder build,
                   const void *ctx, const char *who, uint32_t *info_gpa, const struct diag *d);

/* The 32-bit flat protected-mode entry of both protocols: EIP the image's entry, EAX the
 * boot loader magic, EBX the information structure; out's image range from the plan. */
void mb_enter(const struct mb_layout *l, uint32_t magic, uint32_t info_gpa,
              struct loader_output *out);

/* Writing the information structure: each call returns where its bytes went. */
uint32_t mb_put(struct mb_writer *w, const void *bytes, uint64_t n);
uint32_t mb_put_string(struct mb_writer *w, const char *s);     /* with its NUL; NULL = "" */
void mb_align(struct mb_writer *w, uint64_t align);             /* zero bytes up to align */
uint32_t mb_here(const struct mb_writer *w);

/* The sizes the memory fields report: KiB of RAM below the EBDA, and from 1 MiB up. */
uint32_t mb_mem_lower_kib(void);
uint32_t mb_mem_upper_kib(uint64_t memory_size);

#endif
