/* Host unit tests of the multiboot loaders: one world per test (an image built byte by
 * byte, an exact-size copy of it, a calloc'd guest memory, modules) and the ELF32 and
 * ELF64 builders. Field offsets are written out here from the specifications, not taken
 * from the loaders' structs. Include after <cmocka.h>. */
#ifndef TESTS_UNIT_MULTIBOOT_FIXTURE_H
#define TESTS_UNIT_MULTIBOOT_FIXTURE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arch/x86/cpu_regs.h"
#include "guest/loader.h"
#include "tests/unit/diag_sink.h"

#define MIB             0x100000ull
#define GUEST_MEMORY    (4 * MIB)
#define IMAGE_MAX       0x9000u     /* room for a header just past the 32 KiB window */
#define MODULE_MAX      4u

/* The standard ELF32 kernel: headers, then code at 0x100000 and data with .bss after it. */
#define ELF32_EHDR_SIZE 52u
#define ELF32_PHDR_SIZE 32u
#define ELF64_EHDR_SIZE 64u
#define ELF64_PHDR_SIZE 56u
#define TEXT_OFFSET     0x1000u
#define TEXT_GPA        0x100000u
#define TEXT_SIZE       0x100u
#define DATA_OFFSET     0x1100u
#define DATA_GPA        0x101000u
#define DATA_FILESZ     0x20u
#define DATA_MEMSZ      0x1000u
#define ELF_ENTRY       (TEXT_GPA + 0x10)
#define ELF_SIZE        (DATA_OFFSET + DATA_FILESZ)
#define PF_X            1u
#define PF_W            2u
#define PF_R            4u

struct fixture {
    uint8_t image[IMAGE_MAX];
    uint32_t phnum;
    bool elf64;
    uint8_t *copy;
    uint8_t *memory;
    struct loader_module modules[MODULE_MAX];
    uint8_t *module_data[MODULE_MAX];
    struct loader_input in;
    struct loader_output out;
    struct sink sink;
};

static inline void put16(uint8_t *p, uint16_t v) { memcpy(p, &v, sizeof(v)); }
static inline void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, sizeof(v)); }
static inline void put64(uint8_t *p, uint64_t v) { memcpy(p, &v, sizeof(v)); }
static inline uint16_t get16(const uint8_t *p) { uint16_t v; memcpy(&v, p, sizeof(v)); return v; }
static inline uint32_t get32(const uint8_t *p) { uint32_t v; memcpy(&v, p, sizeof(v)); return v; }
static inline uint64_t get64(const uint8_t *p) { uint64_t v; memcpy(&v, p, sizeof(v)); return v; }

static inline int fixture_setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));

    if (!f)
        return -1;
    f->memory = calloc(1, GUEST_MEMORY);
    if (!f->memory)
        return -1;
    sink_reset(&f->sink);
    f->in.memory = f->memory;
    f->in.memory_size = GUEST_MEMORY;
    f->in.modules = f->modules;
    *state = f;
    return 0;
}

static inline int fixture_teardown(void **state)
{
    struct fixture *f = *state;

    for (unsigned i = 0; i < MODULE_MAX; i++)
        free(f->module_data[i]);
    free(f->copy);
    free(f->memory);
    free(f);
    return 0;
}

/* Recognisable image contents from TEXT_OFFSET on: byte i is (i * 7 + 3). */
static inline void fill_contents(struct fixture *f, uint32_t from)
{
    for (uint32_t i = from; i < IMAGE_MAX; i++)
        f->image[i] = (uint8_t)(i * 7 + 3);
}

/* An ELF header (ELF32 i386 or, with elf64, ELF64 x86-64), ET_EXEC, no program headers yet. */
static inline void write_elf(struct fixture *f, bool elf64, uint64_t entry)
{
    uint8_t *h = f->image;

    f->elf64 = elf64;
    f->phnum = 0;
    memcpy(h, "\x7f" "ELF", 4);
    h[4] = elf64 ? 2 : 1;           /* EI_CLASS */
    h[5] = 1;                       /* little-endian */
    h[6] = 1;                       /* EV_CURRENT */
    put16(h + 0x10, 2);             /* ET_EXEC */
    put16(h + 0x12, elf64 ? 62 : 3);
    put32(h + 0x14, 1);
    if (elf64) {
        put64(h + 0x18, entry);
        put64(h + 0x20, ELF64_EHDR_SIZE);
        put16(h + 0x36, ELF64_PHDR_SIZE);
    } else {
        put32(h + 0x18, (uint32_t)entry);
        put32(h + 0x1C, ELF32_EHDR_SIZE);
        put16(h + 0x2A, ELF32_PHDR_SIZE);
    }
}

static inline void add_load(struct fixture *f, uint32_t flags, uint32_t offset, uint64_t vaddr,
                            uint64_t paddr, uint32_t filesz, uint32_t memsz)
{
    if (f->elf64) {
        uint8_t *p = f->image + ELF64_EHDR_SIZE + f->phnum * ELF64_PHDR_SIZE;
        put32(p, 1);
        put32(p + 0x04, flags);
        put64(p + 0x08, offset);
        put64(p + 0x10, vaddr);
        put64(p + 0x18, paddr);
        put64(p + 0x20, filesz);
        put64(p + 0x28, memsz);
        put16(f->image + 0x38, (uint16_t)++f->phnum);
    } else {
        uint8_t *p = f->image + ELF32_EHDR_SIZE + f->phnum * ELF32_PHDR_SIZE;
        put32(p, 1);
        put32(p + 0x04, offset);
        put32(p + 0x08, (uint32_t)vaddr);
        put32(p + 0x0C, (uint32_t)paddr);
        put32(p + 0x10, filesz);
        put32(p + 0x14, memsz);
        put32(p + 0x18, flags);
        put16(f->image + 0x2C, (uint16_t)++f->phnum);
    }
}

/* The standard kernel: code at TEXT_GPA, data and .bss at DATA_GPA, entry ELF_ENTRY. */
static inline void build_elf(struct fixture *f, bool elf64)
{
    write_elf(f, elf64, ELF_ENTRY);
    fill_contents(f, TEXT_OFFSET);
    add_load(f, PF_R | PF_X, TEXT_OFFSET, TEXT_GPA, TEXT_GPA, TEXT_SIZE, TEXT_SIZE);
    add_load(f, PF_R | PF_W, DATA_OFFSET, DATA_GPA, DATA_GPA, DATA_FILESZ, DATA_MEMSZ);
}

/* Module i: size bytes of (i + 1) * 0x11 + their index. */
static inline void add_module(struct fixture *f, uint64_t size, const char *cmdline)
{
    unsigned i = f->in.module_count++;

    f->module_data[i] = malloc(size ? size : 1);
    assert_non_null(f->module_data[i]);
    for (uint64_t b = 0; b < size; b++)
        f->module_data[i][b] = (uint8_t)((i + 1) * 0x11 + b);
    f->modules[i] = (struct loader_module){ f->module_data[i], size, cmdline };
}

/* Loads the first size bytes of the image (an exact-size heap copy, so AddressSanitizer
 * sees any read past its end) with load. */
static inline bool run_loader(struct fixture *f, uint64_t size,
                              bool (*load)(const struct loader_input *, struct loader_output *,
                                           const struct diag *))
{
    free(f->copy);
    f->copy = malloc(size ? size : 1);
    assert_non_null(f->copy);
    memcpy(f->copy, f->image, size);
    f->in.image = f->copy;
    f->in.image_size = size;
    return load(&f->in, &f->out, &f->sink.diag);
}

static inline void assert_refused(struct fixture *f, bool ok, const char *expected)
{
    assert_false(ok);
    assert_lines(&f->sink, 1, &expected);
}

/* The state both protocols enter in: 32-bit flat protected mode, paging off. */
static inline void assert_entry_state(const struct fixture *f, uint64_t eip, uint32_t magic,
                                      uint64_t info)
{
    const struct vcpu_entry *e = &f->out.entry;

    assert_int_equal(e->cpu.rip, eip);
    assert_int_equal(e->regs.rax, magic);
    assert_int_equal(e->regs.rbx, info);
    assert_int_equal(e->cpu.cr0 & CR0_PE, CR0_PE);
    assert_int_equal(e->cpu.cr0 & CR0_PG, 0);
    assert_int_equal(e->cpu.efer, 0);
    assert_int_equal(e->cpu.cs.selector, 0x08);
    assert_int_equal(e->cpu.cs.base, 0);
    assert_int_equal(e->cpu.cs.limit, 0xFFFFFFFFu);
    assert_int_equal(e->cpu.ds.selector, 0x10);
    assert_int_equal(e->cpu.ss.selector, 0x10);
    assert_int_equal(e->cpu.es.selector, 0x10);
}

/* The partition's map of a GUEST_MEMORY partition, as (base, length, type) triples. */
static const uint64_t expected_map[3][3] = {
    { 0, 0x9FC00, 1 }, { 0x9FC00, 0x60400, 2 }, { 0x100000, GUEST_MEMORY - 0x100000, 1 },
};

#endif
