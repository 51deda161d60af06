/* ELF-64 file and program headers, as far as a loader of static executables needs them
 * (System V gABI, "ELF Header" and "Program Header"; x86-64 psABI for EM_X86_64). */
#ifndef GUEST_ELF64_SPEC_H
#define GUEST_ELF64_SPEC_H

#include <stddef.h>
#include <stdint.h>

/* e_ident[] indexes and values */
#define ELF64_EI_MAG0           0       /* 0x7f 'E' 'L' 'F' */
#define ELF64_EI_CLASS          4
#define ELF64_EI_DATA           5
#define ELF64_EI_VERSION        6
#define ELF64_EI_NIDENT         16

#define ELF64_MAG0              0x7f
#define ELF64_MAG1              'E'
#define ELF64_MAG2              'L'
#define ELF64_MAG3              'F'
#define ELF64_CLASS_32          1
#define ELF64_CLASS_64          2
#define ELF64_DATA_LSB          1       /* two's complement, little-endian */
#define ELF64_DATA_MSB          2
#define ELF64_EV_CURRENT        1

/* e_type */
#define ELF64_ET_REL            1
#define ELF64_ET_EXEC           2
#define ELF64_ET_DYN            3

/* e_machine (psABI) */
#define ELF64_EM_X86_64         62

/* p_type */
#define ELF64_PT_NULL           0
#define ELF64_PT_LOAD           1
#define ELF64_PT_DYNAMIC        2
#define ELF64_PT_INTERP         3

/* p_flags */
#define ELF64_PF_X              0x1
#define ELF64_PF_W              0x2
#define ELF64_PF_R              0x4

/* ELF header: at file offset 0. */
struct elf64_ehdr {
    uint8_t e_ident[ELF64_EI_NIDENT];   /* 0x00 */
    uint16_t e_type;                    /* 0x10 */
    uint16_t e_machine;                 /* 0x12 */
    uint32_t e_version;                 /* 0x14 */
    uint64_t e_entry;                   /* 0x18: virtual address of the first instruction */
    uint64_t e_phoff;                   /* 0x20: file offset of the program header table */
    uint64_t e_shoff;                   /* 0x28 */
    uint32_t e_flags;                   /* 0x30 */
    uint16_t e_ehsize;                  /* 0x34 */
    uint16_t e_phentsize;               /* 0x36: bytes per program header */
    uint16_t e_phnum;                   /* 0x38 */
    uint16_t e_shentsize;               /* 0x3A */
    uint16_t e_shnum;                   /* 0x3C */
    uint16_t e_shstrndx;                /* 0x3E */
};

/* One program header: describes a segment. */
struct elf64_phdr {
    uint32_t p_type;                    /* 0x00 */
    uint32_t p_flags;                   /* 0x04: ELF64_PF_* */
    uint64_t p_offset;                  /* 0x08: file offset of the segment's bytes */
    uint64_t p_vaddr;                   /* 0x10 */
    uint64_t p_paddr;                   /* 0x18: physical address, where relevant */
    uint64_t p_filesz;                  /* 0x20: bytes in the file */
    uint64_t p_memsz;                   /* 0x28: bytes in memory; the rest is zero */
    uint64_t p_align;                   /* 0x30 */
};

_Static_assert(offsetof(struct elf64_ehdr, e_entry) == 0x18, "ELF header layout");
_Static_assert(offsetof(struct elf64_ehdr, e_phoff) == 0x20, "ELF header layout");
_Static_assert(offsetof(struct elf64_ehdr, e_phentsize) == 0x36, "ELF header layout");
_Static_assert(offsetof(struct elf64_ehdr, e_shstrndx) == 0x3E, "ELF header layout");
_Static_assert(sizeof(struct elf64_ehdr) == 64, "ELF header size");
_Static_assert(offsetof(struct elf64_phdr, p_paddr) == 0x18, "program header layout");
_Static_assert(offsetof(struct elf64_phdr, p_align) == 0x30, "program header layout");
_Static_assert(sizeof(struct elf64_phdr) == 56, "program header size");

#endif
