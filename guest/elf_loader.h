/* Guest image loader: checks a static x86-64 (or, for multiboot, i386) ELF executable
 * against a partition's memory and copies it in (System V gABI, program loading). Pure C:
 * compiled into the hypervisor and into the host unit tests. */
#ifndef GUEST_ELF_LOADER_H
#define GUEST_ELF_LOADER_H

#include <stdbool.h>
#include <stdint.h>

#include "guest/elf64_spec.h"
#include "lib/diag.h"

#define ELF_MAX_PHDRS   16      /* e_phnum above this is refused */

/* One PT_LOAD segment: file bytes [file_offset, +filesz) go to guest-physical
 * [gpa, +filesz); [gpa + filesz, gpa + memsz) is zeroed. */
struct elf_segment {
    uint64_t file_offset;
    uint64_t gpa;
    uint64_t vaddr;         /* p_vaddr: where the image's own addresses put it */
    uint64_t filesz;
    uint64_t memsz;         /* > 0; >= filesz */
    uint32_t flags;         /* ELF64_PF_* */
    uint32_t phdr_index;    /* its program header's index, for messages */
};

struct elf_load_plan {
    uint64_t entry;                             /* gpa of the first instruction */
    struct elf_segment segments[ELF_MAX_PHDRS]; /* PT_LOADs in program-header order */
    uint32_t count;                             /* >= 1 */
    uint64_t lowest_gpa;                        /* lowest segment gpa */
    uint64_t highest_gpa_end;                   /* highest exclusive segment end */
};

/* What a loader accepts beyond the ELF64 defaults of elf64_plan. */
struct elf_rules {
    uint64_t memory_size;   /* segments must end at or below it */
    bool accept_elf32;      /* ELFCLASS32 i386 (EM_386) executables too, headers widened */
    /* Segments go to p_paddr whatever p_vaddr says, and e_entry (virtual) is translated by
     * its segment to a physical address: what multiboot loaders do for kernels linked to
     * run higher up once they have paging on. */
    bool physical;
};

/* elf64_plan under other rules: the same checks, except that with accept_elf32 the class
 * may be 32-bit (then e_machine must be EM_386 and e_phentsize 32), and with physical
 * p_vaddr may differ from p_paddr. plan->entry is always guest-physical; the entry must lie
 * in the file-backed part of an executable segment's p_vaddr range. */
bool elf_plan(const void *image, uint64_t size, const struct elf_rules *rules,
              struct elf_load_plan *plan, const struct diag *d);

/* True when gpa lies in the file-backed part of one of the plan's executable segments. */
bool elf_plan_runs_at(const struct elf_load_plan *plan, uint64_t gpa);

/* Checks image[0 .. size) as a guest for guest memory [0, guest_memory_size) and
 * fills *plan. Nothing is read outside the image.
 *
 * Guests start identity-mapped (guest/guest_abi.h), so each PT_LOAD goes to
 * its p_paddr, and p_vaddr must equal p_paddr: otherwise e_entry and every
 * absolute address in the code would point elsewhere. PT_LOADs with p_memsz 0
 * are skipped; other segment types are ignored except PT_INTERP (refused: no
 * dynamic linking). Checked: the ELF identification (magic, 64-bit class,
 * little-endian, current version), e_machine x86-64, e_type ET_EXEC,
 * e_phentsize 56, e_phnum <= ELF_MAX_PHDRS, the program header table inside the
 * image; per PT_LOAD p_filesz <= p_memsz, the file range inside the image, the
 * memory range inside guest memory without wrapping, no overlap between
 * segments; at least one PT_LOAD; e_entry inside the file-backed part of an
 * executable (PF_X) segment.
 *
 * The first problem is reported through d as one line starting "elf: "
 * (segments are numbered by their program header index) and false is
 * returned; *plan is then unspecified. */
bool elf64_plan(const void *image, uint64_t size, uint64_t guest_memory_size,
                struct elf_load_plan *plan, const struct diag *d);

/* Copies each planned segment (of elf_plan or elf64_plan, or one made by hand) from image into guest memory, which starts at
 * guest_base (gpa 0), and zeroes the rest of the segment up to memsz. Bytes of
 * guest memory outside the segments are left as they are. plan must come from a
 * successful plan on the same image. */
void elf64_apply(const struct elf_load_plan *plan, const void *image, void *guest_base);

#endif
