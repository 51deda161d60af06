/* Host unit tests for guest/elf_loader.c: ELF-64 guest images built byte by byte
 * (System V gABI field offsets written out here, not taken from the loader's structs). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guest/elf_loader.h"

#define IMAGE_MAX       0x4000
#define MAX_LINES       8
#define MIB             0x100000ull
#define GUEST_MEMORY    (2 * MIB)

#define EHDR_SIZE       64
#define PHDR_SIZE       56

#define PT_LOAD         1
#define PT_INTERP       3
#define PT_NOTE         4
#define PT_GNU_STACK    0x6474e551u
#define PF_X            1
#define PF_W            2
#define PF_R            4

/* The standard image: a code segment and a data segment with .bss. */
#define TEXT_OFFSET     0x1000ull
#define TEXT_GPA        0x100000ull
#define TEXT_SIZE       0x40ull
#define DATA_OFFSET     0x1040ull
#define DATA_GPA        0x101000ull
#define DATA_FILESZ     0x20ull
#define DATA_MEMSZ      0x1000ull
#define ENTRY           (TEXT_GPA + 0x10)
#define STANDARD_SIZE   (DATA_OFFSET + DATA_FILESZ)

struct phdr_spec {
    uint32_t type;
    uint32_t flags;
    uint64_t offset;
    uint64_t vaddr;
    uint64_t paddr;
    uint64_t filesz;
    uint64_t memsz;
};

/* One test's world: the image being built, the exact-size copy the loader
 * sees (so ASan catches any read past the end), the plan and the reports. */
struct fixture {
    uint8_t image[IMAGE_MAX];
    uint16_t phnum;
    uint8_t *copy;
    struct elf_load_plan plan;
    char lines[MAX_LINES][DIAG_LINE_MAX];
    unsigned line_count;
    struct diag diag;
};

static void capture_line(void *ctx, const char *line)
{
    struct fixture *f = ctx;

    if (f->line_count < MAX_LINES)
        snprintf(f->lines[f->line_count], DIAG_LINE_MAX, "%s", line);
    f->line_count++;
}

static void put_u16(uint8_t *p, uint16_t v)
{
    memcpy(p, &v, sizeof(v));
}

static void put_u32(uint8_t *p, uint32_t v)
{
    memcpy(p, &v, sizeof(v));
}

static void put_u64(uint8_t *p, uint64_t v)
{
    memcpy(p, &v, sizeof(v));
}

/* A valid ELF header: 64-bit, little-endian, x86-64, ET_EXEC, program headers at 64. */
static void write_header(struct fixture *f, uint64_t entry)
{
    uint8_t *h = f->image;

    h[0] = 0x7f;
    h[1] = 'E';
    h[2] = 'L';
    h[3] = 'F';
    h[4] = 2;                       /* EI_CLASS: ELFCLASS64 */
    h[5] = 1;                       /* EI_DATA: ELFDATA2LSB */
    h[6] = 1;                       /* EI_VERSION: EV_CURRENT */
    put_u16(h + 0x10, 2);           /* e_type: ET_EXEC */
    put_u16(h + 0x12, 62);          /* e_machine: EM_X86_64 */
    put_u32(h + 0x14, 1);           /* e_version */
    put_u64(h + 0x18, entry);       /* e_entry */
    put_u64(h + 0x20, EHDR_SIZE);   /* e_phoff */
    put_u16(h + 0x34, EHDR_SIZE);   /* e_ehsize */
    put_u16(h + 0x36, PHDR_SIZE);   /* e_phentsize */
    put_u16(h + 0x38, 0);           /* e_phnum */
}

static void add_phdr(struct fixture *f, const struct phdr_spec *s)
{
    uint8_t *p = f->image + EHDR_SIZE + f->phnum * PHDR_SIZE;

    assert_true(EHDR_SIZE + (f->phnum + 1u) * PHDR_SIZE <= TEXT_OFFSET);
    put_u32(p + 0x00, s->type);
    put_u32(p + 0x04, s->flags);
    put_u64(p + 0x08, s->offset);
    put_u64(p + 0x10, s->vaddr);
    put_u64(p + 0x18, s->paddr);
    put_u64(p + 0x20, s->filesz);
    put_u64(p + 0x28, s->memsz);
    put_u64(p + 0x30, 0x1000);      /* p_align */
    f->phnum++;
    put_u16(f->image + 0x38, f->phnum);
}

static void add_load(struct fixture *f, uint32_t flags, uint64_t offset, uint64_t gpa,
                     uint64_t filesz, uint64_t memsz)
{
    const struct phdr_spec s = { PT_LOAD, flags, offset, gpa, gpa, filesz, memsz };

    add_phdr(f, &s);
}

/* Recognisable segment contents: byte i of the file is (i * 7 + 3). */
static void fill_contents(struct fixture *f)
{
    for (uint32_t i = TEXT_OFFSET; i < IMAGE_MAX; i++)
        f->image[i] = (uint8_t)(i * 7 + 3);
}

static void build_standard(struct fixture *f)
{
    write_header(f, ENTRY);
    fill_contents(f);
    add_load(f, PF_R | PF_X, TEXT_OFFSET, TEXT_GPA, TEXT_SIZE, TEXT_SIZE);
    add_load(f, PF_R | PF_W, DATA_OFFSET, DATA_GPA, DATA_FILESZ, DATA_MEMSZ);
}

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));

    if (!f)
        return -1;
    f->diag.fn = capture_line;
    f->diag.ctx = f;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;

    free(f->copy);
    free(f);
    return 0;
}

/* Plans an exact-size heap copy of the first size bytes. */
static bool plan_sized(struct fixture *f, uint64_t size, uint64_t guest_memory)
{
    free(f->copy);
    f->copy = malloc(size ? size : 1);
    assert_non_null(f->copy);
    memcpy(f->copy, f->image, size);
    return elf64_plan(f->copy, size, guest_memory, &f->plan, &f->diag);
}

static bool plan(struct fixture *f)
{
    return plan_sized(f, STANDARD_SIZE, GUEST_MEMORY);
}

static void assert_clean(struct fixture *f)
{
    if (f->line_count != 0)
        fail_msg("unexpected report: %s", f->lines[0]);
}

/* Planning failed with exactly one report, with exactly this text. */
static void assert_refused(struct fixture *f, bool ok, const char *expected)
{
    assert_false(ok);
    assert_int_equal(f->line_count, 1);
    assert_string_equal(f->lines[0], expected);
}

/* ---- well-formed images ---------------------------------------------------------- */

static void test_two_segments_planned(void **state)
{
    struct fixture *f = *state;

    build_standard(f);
    assert_true(plan(f));
    assert_clean(f);

    const struct elf_load_plan *p = &f->plan;
    assert_int_equal(p->entry, ENTRY);
    assert_int_equal(p->count, 2);
    assert_int_equal(p->segments[0].file_offset, TEXT_OFFSET);
    assert_int_equal(p->segments[0].gpa, TEXT_GPA);
    assert_int_equal(p->segments[0].filesz, TEXT_SIZE);
    assert_int_equal(p->segments[0].memsz, TEXT_SIZE);
    assert_int_equal(p->segments[0].flags, ELF64_PF_R | ELF64_PF_X);
    assert_int_equal(p->segments[0].phdr_index, 0);
    assert_int_equal(p->segments[1].file_offset, DATA_OFFSET);
    assert_int_equal(p->segments[1].gpa, DATA_GPA);
    assert_int_equal(p->segments[1].filesz, DATA_FILESZ);
    assert_int_equal(p->segments[1].memsz, DATA_MEMSZ);
    assert_int_equal(p->segments[1].flags, ELF64_PF_R | ELF64_PF_W);
    assert_int_equal(p->segments[1].phdr_index, 1);
    assert_int_equal(p->lowest_gpa, TEXT_GPA);
    assert_int_equal(p->highest_gpa_end, DATA_GPA + DATA_MEMSZ);
}

static void test_apply_copies_and_zero_fills(void **state)
{
    struct fixture *f = *state;
    uint8_t *guest = malloc(GUEST_MEMORY);

    assert_non_null(guest);
    memset(guest, 0xcc, GUEST_MEMORY);
    build_standard(f);
    assert_true(plan(f));
    elf64_apply(&f->plan, f->copy, guest);

    assert_memory_equal(guest + TEXT_GPA, f->image + TEXT_OFFSET, TEXT_SIZE);
    assert_memory_equal(guest + DATA_GPA, f->image + DATA_OFFSET, DATA_FILESZ);
    for (uint64_t i = DATA_FILESZ; i < DATA_MEMSZ; i++)
        if (guest[DATA_GPA + i] != 0)
            fail_msg(".bss byte at gpa 0x%llx is 0x%02x", (unsigned long long)(DATA_GPA + i),
                     guest[DATA_GPA + i]);
    /* Outside the segments nothing was written. */
    assert_int_equal(guest[TEXT_GPA - 1], 0xcc);
    assert_int_equal(guest[TEXT_GPA + TEXT_SIZE], 0xcc);
    assert_int_equal(guest[DATA_GPA - 1], 0xcc);
    assert_int_equal(guest[DATA_GPA + DATA_MEMSZ], 0xcc);
    assert_int_equal(guest[0], 0xcc);
    assert_int_equal(guest[GUEST_MEMORY - 1], 0xcc);
    free(guest);
}

static void test_other_segment_types_ignored(void **state)
{
    struct fixture *f = *state;
    const struct phdr_spec note = { PT_NOTE, PF_R, 0x100000000ull, 7, 9, 0x10, 0x10 };
    const struct phdr_spec stack = { PT_GNU_STACK, PF_R | PF_W, 0, 0, 0, 0, 0 };

    build_standard(f);
    add_phdr(f, &note);                 /* out of range everywhere, but not loaded */
    add_phdr(f, &stack);
    add_load(f, PF_R, 0, 0x180000, 0, 0);   /* empty PT_LOAD: skipped */
    assert_true(plan(f));
    assert_clean(f);
    assert_int_equal(f->plan.count, 2);
}

static void test_boundaries_accepted(void **state)
{
    struct fixture *f = *state;

    /* Segments given high to low, touching each other and the end of guest memory;
     * the entry on the last file-backed byte of the code; sixteen program headers. */
    write_header(f, TEXT_GPA + TEXT_SIZE - 1);
    fill_contents(f);
    add_load(f, PF_R | PF_W, DATA_OFFSET, GUEST_MEMORY - 0x1000, DATA_FILESZ, 0x1000);
    add_load(f, PF_R, TEXT_OFFSET, GUEST_MEMORY - 0x2000, 0x10, 0x1000);
    add_load(f, PF_R | PF_X, TEXT_OFFSET, TEXT_GPA, TEXT_SIZE, TEXT_SIZE);
    while (f->phnum < ELF_MAX_PHDRS) {
        const struct phdr_spec note = { PT_NOTE, PF_R, 0, 0, 0, 0, 0 };
        add_phdr(f, &note);
    }
    assert_true(plan(f));
    assert_clean(f);
    assert_int_equal(f->plan.count, 3);
    assert_int_equal(f->plan.lowest_gpa, TEXT_GPA);
    assert_int_equal(f->plan.highest_gpa_end, GUEST_MEMORY);
}

static void test_no_diag_sink(void **state)
{
    struct fixture *f = *state;

    build_standard(f);
    put_u16(f->image + 0x12, 3);
    f->diag.fn = NULL;                  /* a sink without a function: nothing reported */
    assert_false(plan(f));
    assert_int_equal(f->line_count, 0);
    f->copy[0x12] = 62;
    assert_true(elf64_plan(f->copy, STANDARD_SIZE, GUEST_MEMORY, &f->plan, NULL));
}

/* ---- malformed headers ----------------------------------------------------------- */

static void test_truncated_header(void **state)
{
    struct fixture *f = *state;

    build_standard(f);
    assert_refused(f, plan_sized(f, 63, GUEST_MEMORY),
                   "elf: image of 63 bytes, shorter than the ELF header (64)");
}

static void test_empty_image(void **state)
{
    struct fixture *f = *state;

    assert_refused(f, plan_sized(f, 0, GUEST_MEMORY),
                   "elf: image of 0 bytes, shorter than the ELF header (64)");
}

static void test_bad_magic(void **state)
{
    struct fixture *f = *state;

    build_standard(f);
    f->image[3] = 'G';
    assert_refused(f, plan(f), "elf: bad magic 7f 45 4c 47, not an ELF file");
}

static void test_class_32(void **state)
{
    struct fixture *f = *state;

    build_standard(f);
    f->image[4] = 1;
    assert_refused(f, plan(f), "elf: class 1, not 64-bit (2)");
}

static void test_big_endian(void **state)
{
    struct fixture *f = *state;

    build_standard(f);
    f->image[5] = 2;
    assert_refused(f, plan(f), "elf: data encoding 2, not little-endian (1)");
}

static void test_ident_version(void **state)
{
    struct fixture *f = *state;

    build_standard(f);
    f->image[6] = 0;
    assert_refused(f, plan(f), "elf: ident version 0, not current (1)");
}

static void test_e_version(void **state)
{
    struct fixture *f = *state;

    build_standard(f);
    put_u32(f->image + 0x14, 2);
    assert_refused(f, plan(f), "elf: e_version 2, not current (1)");
}

static void test_wrong_machine(void **state)
{
    struct fixture *f = *state;

    build_standard(f);
    put_u16(f->image + 0x12, 3);        /* EM_386 */
    assert_refused(f, plan(f), "elf: e_machine 3, not x86-64 (62)");
}

static void test_not_exec(void **state)
{
    struct fixture *f = *state;

    build_standard(f);
    put_u16(f->image + 0x10, 3);        /* ET_DYN: a PIE or shared object */
    assert_refused(f, plan(f), "elf: e_type 3, not an executable (2)");
}

static void test_phentsize_wrong(void **state)
{
    struct fixture *f = *state;

    build_standard(f);
    put_u16(f->image + 0x36, 64);
    assert_refused(f, plan(f), "elf: e_phentsize 64, not 56");
}

static void test_phnum_too_large(void **state)
{
    struct fixture *f = *state;

    build_standard(f);
    put_u16(f->image + 0x38, 17);
    assert_refused(f, plan(f), "elf: e_phnum 17, more than 16 program headers");
}

static void test_program_headers_past_end(void **state)
{
    struct fixture *f = *state;

    build_standard(f);
    put_u64(f->image + 0x20, STANDARD_SIZE - PHDR_SIZE);   /* two headers, room for one */
    assert_refused(f, plan(f),
                   "elf: program headers 0x1028+0x70 past the end of the image (0x1060)");
}

static void test_program_header_offset_wraps(void **state)
{
    struct fixture *f = *state;

    build_standard(f);
    put_u64(f->image + 0x20, UINT64_MAX - 0x10);
    assert_refused(f, plan(f),
                   "elf: program headers 0xffffffffffffffef+0x70 past the end of the image (0x1060)");
}

/* ---- malformed segments ---------------------------------------------------------- */

static void test_filesz_larger_than_memsz(void **state)
{
    struct fixture *f = *state;

    write_header(f, ENTRY);
    add_load(f, PF_R | PF_X, TEXT_OFFSET, TEXT_GPA, TEXT_SIZE, TEXT_SIZE);
    add_load(f, PF_R | PF_W, DATA_OFFSET, DATA_GPA, DATA_FILESZ, DATA_FILESZ - 1);
    assert_refused(f, plan(f), "elf: segment 1: file size 0x20 larger than memory size 0x1f");
}

static void test_file_range_past_end(void **state)
{
    struct fixture *f = *state;

    write_header(f, ENTRY);
    add_load(f, PF_R | PF_X, TEXT_OFFSET, TEXT_GPA, TEXT_SIZE, TEXT_SIZE);
    add_load(f, PF_R | PF_W, DATA_OFFSET, DATA_GPA, DATA_FILESZ + 1, DATA_MEMSZ);
    assert_refused(f, plan(f),
                   "elf: segment 1: file range 0x1040+0x21 past the end of the image (0x1060)");
}

static void test_file_offset_wraps(void **state)
{
    struct fixture *f = *state;

    write_header(f, ENTRY);
    add_load(f, PF_R | PF_X, UINT64_MAX - 0xf, TEXT_GPA, TEXT_SIZE, TEXT_SIZE);
    assert_refused(f, plan(f),
                   "elf: segment 0: file range 0xfffffffffffffff0+0x40 past the end of the image (0x1060)");
}

static void test_segment_outside_guest_memory(void **state)
{
    struct fixture *f = *state;

    write_header(f, ENTRY);
    add_load(f, PF_R | PF_X, TEXT_OFFSET, TEXT_GPA, TEXT_SIZE, TEXT_SIZE);
    add_load(f, PF_R | PF_W, DATA_OFFSET, GUEST_MEMORY - 0x800, DATA_FILESZ, DATA_MEMSZ);
    assert_refused(f, plan(f),
                   "elf: segment 1: 0x1ff800-0x200800 outside guest memory (0x200000 bytes)");
}

static void test_segment_address_wraps(void **state)
{
    struct fixture *f = *state;

    write_header(f, ENTRY);
    add_load(f, PF_R | PF_X, TEXT_OFFSET, 0xfffffffffffff000ull, TEXT_SIZE, 0x2000);
    assert_refused(f, plan(f),
                   "elf: segment 0: 0xfffffffffffff000+0x2000 wraps past the end of the address space");
}

static void test_segments_overlap(void **state)
{
    struct fixture *f = *state;

    write_header(f, ENTRY);
    add_load(f, PF_R | PF_X, TEXT_OFFSET, TEXT_GPA, TEXT_SIZE, TEXT_SIZE);
    add_load(f, PF_R | PF_W, DATA_OFFSET, TEXT_GPA + TEXT_SIZE - 1, DATA_FILESZ, DATA_MEMSZ);
    assert_refused(f, plan(f),
                   "elf: segment 1: 0x10003f-0x10103f overlaps segment 0 (0x100000-0x100040)");
}

static void test_segment_inside_another(void **state)
{
    struct fixture *f = *state;

    write_header(f, ENTRY);
    add_load(f, PF_R | PF_W, DATA_OFFSET, DATA_GPA, DATA_FILESZ, DATA_MEMSZ);
    add_load(f, PF_R | PF_X, TEXT_OFFSET, DATA_GPA + 0x100, TEXT_SIZE, TEXT_SIZE);
    assert_refused(f, plan(f),
                   "elf: segment 1: 0x101100-0x101140 overlaps segment 0 (0x101000-0x102000)");
}

static void test_vaddr_differs_from_paddr(void **state)
{
    struct fixture *f = *state;
    const struct phdr_spec text = { PT_LOAD, PF_R | PF_X, TEXT_OFFSET, 0xffffffff80100000ull,
                                    TEXT_GPA, TEXT_SIZE, TEXT_SIZE };

    write_header(f, ENTRY);
    add_phdr(f, &text);
    assert_refused(f, plan(f), "elf: segment 0: p_vaddr 0xffffffff80100000 differs from "
                   "p_paddr 0x100000 (guests start identity-mapped)");
}

static void test_interp_refused(void **state)
{
    struct fixture *f = *state;
    const struct phdr_spec interp = { PT_INTERP, PF_R, TEXT_OFFSET, 0, 0, 0x1c, 0x1c };

    write_header(f, ENTRY);
    add_phdr(f, &interp);
    add_load(f, PF_R | PF_X, TEXT_OFFSET, TEXT_GPA, TEXT_SIZE, TEXT_SIZE);
    assert_refused(f, plan(f), "elf: segment 0: PT_INTERP, dynamic linking is not supported");
}

static void test_no_load_segment(void **state)
{
    struct fixture *f = *state;
    const struct phdr_spec note = { PT_NOTE, PF_R, TEXT_OFFSET, 0, 0, 0x10, 0x10 };

    write_header(f, ENTRY);
    add_phdr(f, &note);
    add_load(f, PF_R | PF_X, TEXT_OFFSET, TEXT_GPA, 0, 0);  /* empty: does not count */
    assert_refused(f, plan(f), "elf: no PT_LOAD segment");
}

static void test_no_program_headers(void **state)
{
    struct fixture *f = *state;

    write_header(f, ENTRY);
    assert_refused(f, plan(f), "elf: no PT_LOAD segment");
}

static void test_entry_in_data_segment(void **state)
{
    struct fixture *f = *state;

    build_standard(f);
    put_u64(f->image + 0x18, DATA_GPA);
    assert_refused(f, plan(f), "elf: entry 0x101000 not in an executable segment");
}

static void test_entry_past_code(void **state)
{
    struct fixture *f = *state;

    build_standard(f);
    put_u64(f->image + 0x18, TEXT_GPA + TEXT_SIZE);
    assert_refused(f, plan(f), "elf: entry 0x100040 not in an executable segment");
}

static void test_entry_in_zero_filled_code(void **state)
{
    struct fixture *f = *state;

    /* Executable, but the entry lies in the part past p_filesz: zeros, not code. */
    write_header(f, TEXT_GPA + TEXT_SIZE);
    add_load(f, PF_R | PF_X, TEXT_OFFSET, TEXT_GPA, TEXT_SIZE, 0x1000);
    assert_refused(f, plan(f), "elf: entry 0x100040 not in an executable segment");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_two_segments_planned, setup, teardown),
        cmocka_unit_test_setup_teardown(test_apply_copies_and_zero_fills, setup, teardown),
        cmocka_unit_test_setup_teardown(test_other_segment_types_ignored, setup, teardown),
        cmocka_unit_test_setup_teardown(test_boundaries_accepted, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_diag_sink, setup, teardown),
        cmocka_unit_test_setup_teardown(test_truncated_header, setup, teardown),
        cmocka_unit_test_setup_teardown(test_empty_image, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_magic, setup, teardown),
        cmocka_unit_test_setup_teardown(test_class_32, setup, teardown),
        cmocka_unit_test_setup_teardown(test_big_endian, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ident_version, setup, teardown),
        cmocka_unit_test_setup_teardown(test_e_version, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wrong_machine, setup, teardown),
        cmocka_unit_test_setup_teardown(test_not_exec, setup, teardown),
        cmocka_unit_test_setup_teardown(test_phentsize_wrong, setup, teardown),
        cmocka_unit_test_setup_teardown(test_phnum_too_large, setup, teardown),
        cmocka_unit_test_setup_teardown(test_program_headers_past_end, setup, teardown),
        cmocka_unit_test_setup_teardown(test_program_header_offset_wraps, setup, teardown),
        cmocka_unit_test_setup_teardown(test_filesz_larger_than_memsz, setup, teardown),
        cmocka_unit_test_setup_teardown(test_file_range_past_end, setup, teardown),
        cmocka_unit_test_setup_teardown(test_file_offset_wraps, setup, teardown),
        cmocka_unit_test_setup_teardown(test_segment_outside_guest_memory, setup, teardown),
        cmocka_unit_test_setup_teardown(test_segment_address_wraps, setup, teardown),
        cmocka_unit_test_setup_teardown(test_segments_overlap, setup, teardown),
        cmocka_unit_test_setup_teardown(test_segment_inside_another, setup, teardown),
        cmocka_unit_test_setup_teardown(test_vaddr_differs_from_paddr, setup, teardown),
        cmocka_unit_test_setup_teardown(test_interp_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_load_segment, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_program_headers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_entry_in_data_segment, setup, teardown),
        cmocka_unit_test_setup_teardown(test_entry_past_code, setup, teardown),
        cmocka_unit_test_setup_teardown(test_entry_in_zero_filled_code, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
