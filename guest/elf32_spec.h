/* ELF-32 file and program headers for i386 executables (System V gABI, "ELF Header" and
 * "Program Header"; i386 psABI for EM_386), read by the loader into their ELF-64 forms. */
#ifndef GUEST_ELF32_SPEC_H
#define GUEST_ELF32_SPEC_H

#include <stddef.h>
#include <stdint.h>

#include "guest/elf64_spec.h"   /* e_ident indexes and values, p_type and p_flags: shared */

#define ELF32_EM_386            3

/* ELF header: at file offset 0. */
struct elf32_ehdr {
    uint8_t e_ident[ELF64_EI_NIDENT];   /* 0x00 */
    uint16_t e_type;                    /* 0x10 */
    uint16_t e_machine;                 /* 0x12 */
    uint32_t e_version;                 /* 0x14 */
    uint32_t e_entry;                   /* 0x18 */
    uint32_t e_phoff;                   /* 0x1C */
    uint32_t e_shoff;                   /* 0x20 */
    uint32_t e_flags;                   /* 0x24 */
    uint16_t e_ehsize;                  /* 0x28 */
    uint16_t e_phentsize;               /* 0x2A */
    uint16_t e_phnum;                   /* 0x2C */
    uint16_t e_shentsize;               /* 0x2E */
    uint16_t e_shnum;                   /* 0x30 */
    uint16_t e_shstrndx;                /* 0x32 */
};

/* One program header: the fields of the ELF-64 one in another order (p_flags last). */
struct elf32_phdr {
    uint32_t p_type;                    /* 0x00 */
    uint32_t p_offset;                  /* 0x04 */
    uint32_t p_vaddr;                   /* 0x08 */
    uint32_t p_paddr;                   /* 0x0C */
    uint32_t p_filesz;                  /* 0x10 */
    uint32_t p_memsz;                   /* 0x14 */
    uint32_t p_flags;                   /* 0x18 */
    uint32_t p_align;                   /* 0x1C */
};

_Static_assert(offsetof(struct elf32_ehdr, e_entry) == 0x18, "ELF-32 header layout");
_Static_assert(offsetof(struct elf32_ehdr, e_phentsize) == 0x2A, "ELF-32 header layout");
_Static_assert(sizeof(struct elf32_ehdr) == 52, "ELF-32 header size");
_Static_assert(offsetof(struct elf32_phdr, p_flags) == 0x18, "ELF-32 program header layout");
_Static_assert(sizeof(struct elf32_phdr) == 32, "ELF-32 program header size");

#endif
