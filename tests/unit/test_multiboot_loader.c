/* Host unit tests for guest/multiboot_loader.c (Multiboot Specification 0.6.96): kernels
 * built here byte by byte, loaded into a calloc'd partition memory, the information
 * structure read back field by field at the offsets of section 3.3. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "guest/multiboot_loader.h"
#include "tests/unit/multiboot_fixture.h"

#define MAGIC           0x1BADB002u
#define LOADER_MAGIC    0x2BADB002u
#define HEADER_OFFSET   0x100u          /* in the standard ELF kernel, after its headers */

/* The a.out-kludge kernel: a flat file loaded at AOUT_GPA, its header at AOUT_HEADER. */
#define AOUT_GPA        0x200000u
#define AOUT_HEADER     0x40u
#define AOUT_SIZE       0x1000u
#define AOUT_ENTRY      (AOUT_GPA + 0x80)
#define AOUT_BSS_END    (AOUT_GPA + 0x3000)

static void put_header(struct fixture *f, uint32_t at, uint32_t flags)
{
    put32(f->image + at, MAGIC);
    put32(f->image + at + 4, flags);
    put32(f->image + at + 8, 0u - MAGIC - flags);
}

static void put_address_fields(struct fixture *f, uint32_t at, uint32_t header_addr,
                               uint32_t load_addr, uint32_t load_end, uint32_t bss_end,
                               uint32_t entry)
{
    put32(f->image + at + 0x0C, header_addr);
    put32(f->image + at + 0x10, load_addr);
    put32(f->image + at + 0x14, load_end);
    put32(f->image + at + 0x18, bss_end);
    put32(f->image + at + 0x1C, entry);
}

static void build_aout(struct fixture *f, uint32_t load_end, uint32_t bss_end)
{
    fill_contents(f, 0);
    put_header(f, AOUT_HEADER, 1u << 16);
    put_address_fields(f, AOUT_HEADER, AOUT_GPA + AOUT_HEADER, AOUT_GPA, load_end, bss_end,
                       AOUT_ENTRY);
}

static bool load(struct fixture *f, uint64_t size)
{
    return run_loader(f, size, multiboot_load);
}

/* The standard ELF32 kernel with a multiboot header of these flags. */
static void elf_kernel(struct fixture *f, uint32_t flags)
{
    build_elf(f, false);
    put_header(f, HEADER_OFFSET, flags);
}

static bool load_elf_kernel(struct fixture *f, uint32_t flags)
{
    elf_kernel(f, flags);
    return load(f, ELF_SIZE);
}

static const uint8_t *at_gpa(const struct fixture *f, uint64_t gpa)
{
    assert_true(gpa < GUEST_MEMORY);
    return f->memory + gpa;
}

/* The module list entry at gpa: [start, end) and its string at string_gpa. */
static void assert_module(const struct fixture *f, uint32_t gpa, uint32_t start, uint32_t end,
                          uint32_t string_gpa, const char *string)
{
    const uint8_t *m = at_gpa(f, gpa);

    assert_int_equal(get32(m), start);
    assert_int_equal(get32(m + 4), end);
    assert_int_equal(get32(m + 8), string_gpa);
    assert_int_equal(get32(m + 12), 0);
    assert_string_equal((const char *)at_gpa(f, string_gpa), string);
}

/* ---- loading ---------------------------------------------------------------------- */

/* The whole structure of a kernel with a command line and two modules, byte by byte. */
static void test_elf32_kernel_with_modules(void **state)
{
    struct fixture *f = *state;

    f->in.cmdline = "console=ttyS0 quiet";
    add_module(f, 0x1234, "initrd=1 rw");
    add_module(f, 0x10, "");
    assert_true(load_elf_kernel(f, 0x3));
    ASSERT_LINES(&f->sink);

    /* Image: code, data, .bss zeroed; image range for the partition's report. */
    assert_memory_equal(f->memory + TEXT_GPA, f->image + TEXT_OFFSET, TEXT_SIZE);
    assert_memory_equal(f->memory + DATA_GPA, f->image + DATA_OFFSET, DATA_FILESZ);
    assert_int_equal(f->out.image_start, TEXT_GPA);
    assert_int_equal(f->out.image_end, DATA_GPA + DATA_MEMSZ);

    /* Modules page-aligned after the image: 0x102000 and 0x104000. */
    assert_memory_equal(f->memory + 0x102000, f->module_data[0], 0x1234);
    assert_memory_equal(f->memory + 0x104000, f->module_data[1], 0x10);

    /* Strings at the information page 0x105000, then modules, map, structure at 0x105098. */
    const uint32_t info = 0x105098;
    assert_entry_state(f, ELF_ENTRY, LOADER_MAGIC, info);
    const uint8_t *p = at_gpa(f, info);
    assert_int_equal(get32(p + 0), 0x24D);          /* MEM, CMDLINE, MODS, MMAP, NAME */
    assert_int_equal(get32(p + 4), 639);
    assert_int_equal(get32(p + 8), (GUEST_MEMORY - MIB) / 1024);
    assert_int_equal(get32(p + 16), 0x105000);
    assert_string_equal((const char *)at_gpa(f, 0x105000), "console=ttyS0 quiet");
    assert_int_equal(get32(p + 64), 0x105014);
    assert_string_equal((const char *)at_gpa(f, 0x105014), "tessera");

    assert_int_equal(get32(p + 20), 2);
    assert_int_equal(get32(p + 24), 0x105030);
    assert_module(f, 0x105030, 0x102000, 0x103234, 0x10501C, "initrd=1 rw");
    assert_module(f, 0x105040, 0x104000, 0x104010, 0x105028, "");

    assert_int_equal(get32(p + 44), 72);
    assert_int_equal(get32(p + 48), 0x105050);
    for (unsigned i = 0; i < 3; i++) {
        const uint8_t *e = at_gpa(f, 0x105050 + 24 * i);
        assert_int_equal(get32(e), 20);
        assert_int_equal(get64(e + 4), expected_map[i][0]);
        assert_int_equal(get64(e + 12), expected_map[i][1]);
        assert_int_equal(get32(e + 20), expected_map[i][2]);
    }
    /* Fields whose flags are clear stay zero: boot device, symbols, drives, framebuffer. */
    assert_int_equal(get32(p + 12), 0);
    assert_int_equal(get32(p + 28), 0);
    assert_int_equal(get32(p + 52), 0);
    assert_int_equal(get64(p + 88), 0);
    /* Nothing after the structure was written. */
    assert_int_equal(f->memory[info + 116], 0);
}

static void test_no_cmdline_no_modules(void **state)
{
    struct fixture *f = *state;

    assert_true(load_elf_kernel(f, 0));
    /* Strings "" and "tessera" at 0x102000 (9 bytes, padded to 16), no modules, the map. */
    const uint32_t info = 0x102000 + 16 + 72;
    assert_entry_state(f, ELF_ENTRY, LOADER_MAGIC, info);
    const uint8_t *p = at_gpa(f, info);
    assert_int_equal(get32(p + 0), 0x24D);
    assert_int_equal(get32(p + 16), 0x102000);
    assert_string_equal((const char *)at_gpa(f, 0x102000), "");
    assert_int_equal(get32(p + 20), 0);
    assert_int_equal(get32(p + 24), 0x102010);
    assert_int_equal(get32(p + 48), 0x102010);
}

/* Flag 2 is met with the EGA text console: the specification lets the loader choose a text
 * mode over the preferred one. */
static void test_video_flag_gets_ega_text(void **state)
{
    struct fixture *f = *state;

    assert_true(load_elf_kernel(f, 0x7));
    const uint8_t *p = at_gpa(f, f->out.entry.regs.rbx);
    assert_int_equal(get32(p + 0), 0x24D | (1u << 12));
    assert_int_equal(get64(p + 88), 0xB8000);
    assert_int_equal(get32(p + 96), 160);
    assert_int_equal(get32(p + 100), 80);
    assert_int_equal(get32(p + 104), 25);
    assert_int_equal(p[108], 16);
    assert_int_equal(p[109], 2);
}

/* Bits 16-31 other than 16 are hints: ignored. */
static void test_unknown_optional_flag_ignored(void **state)
{
    struct fixture *f = *state;

    assert_true(load_elf_kernel(f, 1u << 20));
    ASSERT_LINES(&f->sink);
}

/* A higher-half kernel: segments by p_paddr, e_entry translated by its segment. */
static void test_higher_half_elf32(void **state)
{
    struct fixture *f = *state;

    write_elf(f, false, 0xC0100020);
    fill_contents(f, TEXT_OFFSET);
    add_load(f, PF_R | PF_X, TEXT_OFFSET, 0xC0100000, TEXT_GPA, TEXT_SIZE, TEXT_SIZE);
    put_header(f, HEADER_OFFSET, 0);
    assert_true(load(f, ELF_SIZE));
    assert_int_equal(f->out.entry.cpu.rip, TEXT_GPA + 0x20);
    assert_memory_equal(f->memory + TEXT_GPA, f->image + TEXT_OFFSET, TEXT_SIZE);
}

static void test_elf64_kernel(void **state)
{
    struct fixture *f = *state;

    build_elf(f, true);
    put_header(f, HEADER_OFFSET, 0);
    assert_true(load(f, ELF_SIZE));
    ASSERT_LINES(&f->sink);
    assert_int_equal(f->out.entry.cpu.rip, ELF_ENTRY);
    assert_memory_equal(f->memory + DATA_GPA, f->image + DATA_OFFSET, DATA_FILESZ);
}

/* Flag 16: the whole file at AOUT_GPA, .bss up to AOUT_BSS_END zeroed. */
static void test_aout_kludge_whole_file(void **state)
{
    struct fixture *f = *state;

    memset(f->memory, 0xCC, GUEST_MEMORY);
    build_aout(f, 0, AOUT_BSS_END);
    assert_true(load(f, AOUT_SIZE));
    ASSERT_LINES(&f->sink);
    assert_memory_equal(f->memory + AOUT_GPA, f->image, AOUT_SIZE);
    for (uint32_t gpa = AOUT_GPA + AOUT_SIZE; gpa < AOUT_BSS_END; gpa++)
        if (f->memory[gpa] != 0)
            fail_msg(".bss byte at 0x%x is 0x%02x", gpa, f->memory[gpa]);
    assert_int_equal(f->memory[AOUT_GPA - 1], 0xCC);
    assert_int_equal(f->out.image_start, AOUT_GPA);
    assert_int_equal(f->out.image_end, AOUT_BSS_END);
    /* The information page follows the .bss: strings "" and "tessera", then the map. */
    assert_entry_state(f, AOUT_ENTRY, LOADER_MAGIC, AOUT_BSS_END + 16 + 72);
}

/* load_end_addr short of the file: only that much is loaded, the rest of the file is not. */
static void test_aout_kludge_load_end(void **state)
{
    struct fixture *f = *state;

    memset(f->memory, 0xCC, GUEST_MEMORY);
    build_aout(f, AOUT_GPA + 0x800, 0);
    assert_true(load(f, AOUT_SIZE));
    assert_memory_equal(f->memory + AOUT_GPA, f->image, 0x800);
    assert_int_equal(f->memory[AOUT_GPA + 0x800], 0xCC);
    assert_int_equal(f->out.image_end, AOUT_GPA + 0x800);
}

/* A kernel in low memory: a module too big for the rest of it goes to 1 MiB. */
static void test_module_skips_the_legacy_hole(void **state)
{
    struct fixture *f = *state;

    fill_contents(f, 0);
    put_header(f, 0, 1u << 16 | 1);
    put_address_fields(f, 0, 0x10000, 0x10000, 0, 0, 0x10010);
    add_module(f, 0x8000, "small");
    add_module(f, 0x90000, "big");
    assert_true(load(f, 0x100));
    const uint8_t *p = at_gpa(f, f->out.entry.regs.rbx);
    const uint8_t *mods = at_gpa(f, get32(p + 24));
    assert_int_equal(get32(mods + 0), 0x11000);
    assert_int_equal(get32(mods + 16), 0x100000);
    assert_int_equal(get32(mods + 20), 0x190000);
    assert_memory_equal(f->memory + 0x100000, f->module_data[1], 0x90000);
    /* The information structure comes after the last module. */
    assert_true(f->out.entry.regs.rbx >= 0x190000);
}

/* ---- refusals ------------------------------------------------------------------- */

static void test_no_header(void **state)
{
    struct fixture *f = *state;

    build_elf(f, false);
    assert_refused(f, load(f, ELF_SIZE),
                   "multiboot: no header (magic 0x1BADB002) in the first 8192 bytes");
}

static void test_header_beyond_8k(void **state)
{
    struct fixture *f = *state;

    put_header(f, 8192, 0);
    assert_refused(f, load(f, 8192 + 12),
                   "multiboot: no header (magic 0x1BADB002) in the first 8192 bytes");
    /* Its last word past the window is as good as absent. */
    memset(f->image, 0, sizeof(f->image));
    put_header(f, 8184, 0);
    sink_reset(&f->sink);
    assert_refused(f, load(f, 8192 + 12),
                   "multiboot: no header (magic 0x1BADB002) in the first 8192 bytes");
}

static void test_misaligned_header_not_found(void **state)
{
    struct fixture *f = *state;

    put_header(f, 0x102, 0);
    assert_refused(f, load(f, 0x200),
                   "multiboot: no header (magic 0x1BADB002) in the first 8192 bytes");
}

static void test_bad_checksum(void **state)
{
    struct fixture *f = *state;

    elf_kernel(f, 0);
    put32(f->image + HEADER_OFFSET + 8, get32(f->image + HEADER_OFFSET + 8) + 1);
    assert_refused(f, load(f, ELF_SIZE),
                   "multiboot: header at 0x100: checksum wrong (its 3 words sum to 0x00000001, "
                   "not 0)");
}

static void test_unknown_required_flag(void **state)
{
    struct fixture *f = *state;

    assert_refused(f, load_elf_kernel(f, 0x3 | 1u << 5),
                   "multiboot: header flags 0x00000023: required bit 5 unknown");
}

/* Two-segment ELF kernels (code, then data) whose placement is refused. */
static void test_segment_refusals(void **state)
{
    static const struct {
        bool elf64;
        uint64_t entry, code_gpa, code_memsz, data_vaddr, data_gpa, data_memsz, memory_size;
        const char *line;
    } cases[] = {
        { false, ELF_ENTRY, TEXT_GPA, TEXT_SIZE, 0x3FF000, 0x3FF000, 0x2000, GUEST_MEMORY,
          "elf: segment 1: 0x3ff000-0x401000 outside guest memory (0x400000 bytes)" },
        { false, 0xA0010, 0xA0000, TEXT_SIZE, DATA_GPA, DATA_GPA, 0x100, GUEST_MEMORY,
          "multiboot: segment 0: 0xa0000-0xa0100 not in RAM (0x9fc00-0x100000 is reserved)" },
        /* Virtual addresses apart, physical ones overlapping: p_paddr counts. */
        { false, ELF_ENTRY, TEXT_GPA, TEXT_SIZE, 0xC0000000, TEXT_GPA + 0x80, 0x100,
          GUEST_MEMORY,
          "elf: segment 1: 0x100080-0x100180 overlaps segment 0 (0x100000-0x100100)" },
        /* All RAM, low and high, taken: strings 16 bytes, the map 72, the structure 116. */
        { false, 0x10, 0, 0x9FC00, MIB, MIB, GUEST_MEMORY - MIB, GUEST_MEMORY,
          "multiboot: boot information of 204 bytes fits nowhere in free RAM (guest memory "
          "0x400000 bytes)" },
        /* A partition past 4 GiB: refused before any byte is written, so the small buffer
         * behind the claimed size is never reached. */
        { true, ELF_ENTRY, TEXT_GPA, TEXT_SIZE, 0xFFFFF000, 0xFFFFF000, 0x2000, 8ull << 30,
          "multiboot: segment 1: 0xfffff000-0x100001000 above 4 GiB, out of a 32-bit "
          "kernel's reach" },
    };
    struct fixture *f = *state;

    for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        memset(f->image, 0, sizeof(f->image));
        sink_reset(&f->sink);
        write_elf(f, cases[i].elf64, cases[i].entry);
        add_load(f, PF_R | PF_X, TEXT_OFFSET, cases[i].code_gpa, cases[i].code_gpa, TEXT_SIZE,
                 (uint32_t)cases[i].code_memsz);
        add_load(f, PF_R | PF_W, DATA_OFFSET, cases[i].data_vaddr, cases[i].data_gpa,
                 DATA_FILESZ, (uint32_t)cases[i].data_memsz);
        put_header(f, HEADER_OFFSET, 0);
        f->in.memory_size = cases[i].memory_size;
        print_message("case %u\n", i);
        assert_refused(f, load(f, ELF_SIZE), cases[i].line);
    }
}

static void test_entry_outside_the_image(void **state)
{
    struct fixture *f = *state;

    build_elf(f, false);
    put32(f->image + 0x18, DATA_GPA);       /* data is not executable */
    put_header(f, HEADER_OFFSET, 0);
    assert_refused(f, load(f, ELF_SIZE), "elf: entry 0x101000 not in an executable segment");

    memset(f->image, 0, sizeof(f->image));
    build_aout(f, 0, AOUT_BSS_END);
    put32(f->image + AOUT_HEADER + 0x1C, AOUT_GPA + AOUT_SIZE);     /* in the .bss */
    sink_reset(&f->sink);
    assert_refused(f, load(f, AOUT_SIZE), "multiboot: entry 0x201000 not in the loaded code");
}

static void test_truncated_images(void **state)
{
    struct fixture *f = *state;

    elf_kernel(f, 0);
    assert_refused(f, load(f, ELF_SIZE - 1),
                   "elf: segment 1: file range 0x1100+0x20 past the end of the image (0x111f)");

    memset(f->image, 0, sizeof(f->image));
    build_aout(f, AOUT_GPA + AOUT_SIZE + 4, 0);
    sink_reset(&f->sink);
    assert_refused(f, load(f, AOUT_SIZE),
                   "multiboot: load_end_addr 0x201004: 0x1004 bytes from file offset 0x0, past "
                   "the end of the image (0x1000 bytes)");

    /* Flag 16 with the address fields cut off by the end of the file. */
    sink_reset(&f->sink);
    assert_refused(f, load(f, AOUT_HEADER + 20),
                   "multiboot: header at 0x40: address fields (flags bit 16) past the end of "
                   "the image (0x54 bytes)");
}

static void test_aout_bad_addresses(void **state)
{
    struct fixture *f = *state;

    build_aout(f, 0, 0);
    put_address_fields(f, AOUT_HEADER, AOUT_GPA, AOUT_GPA + 4, 0, 0, AOUT_ENTRY);
    assert_refused(f, load(f, AOUT_SIZE), "multiboot: load_addr 0x200004 above header_addr 0x200000");

    put_address_fields(f, AOUT_HEADER, AOUT_GPA + 0x100, AOUT_GPA, 0, 0, AOUT_ENTRY);
    sink_reset(&f->sink);
    assert_refused(f, load(f, AOUT_SIZE), "multiboot: load_addr 0x200000 starts 0x100 bytes "
                   "before the header, which is at file offset 0x40");

    put_address_fields(f, AOUT_HEADER, AOUT_GPA + AOUT_HEADER, AOUT_GPA, 0, AOUT_GPA + 0x10,
                       AOUT_ENTRY);
    sink_reset(&f->sink);
    assert_refused(f, load(f, AOUT_SIZE), "multiboot: bss_end_addr 0x200010 below the end of "
                   "the loaded bytes 0x201000");

    put_address_fields(f, AOUT_HEADER, AOUT_GPA + AOUT_HEADER, AOUT_GPA, AOUT_GPA - 1, 0,
                       AOUT_ENTRY);
    sink_reset(&f->sink);
    assert_refused(f, load(f, AOUT_SIZE),
                   "multiboot: load_end_addr 0x1fffff below load_addr 0x200000");
}

static void test_module_too_big(void **state)
{
    struct fixture *f = *state;

    add_module(f, GUEST_MEMORY - 0x102000 + 1, "huge");
    assert_refused(f, load_elf_kernel(f, 0),
                   "multiboot: module 0 of 3137537 bytes fits nowhere in free RAM (guest memory "
                   "0x400000 bytes, placements below 0xfffff000)");
}

/* Memory after the image is full: the information goes to 1 MiB, below it. */
static void test_information_below_the_image(void **state)
{
    struct fixture *f = *state;

    build_aout(f, 0, GUEST_MEMORY);
    assert_true(load(f, AOUT_SIZE));
    assert_entry_state(f, AOUT_ENTRY, LOADER_MAGIC, MIB + 16 + 72);
    assert_string_equal((const char *)at_gpa(f, MIB + 1), "tessera");
}

/* ELF32 images are i386 ones; other classes are refused by the shared ELF checks. */
static void test_elf_class_and_machine(void **state)
{
    struct fixture *f = *state;

    build_elf(f, false);
    put16(f->image + 0x12, 62);
    put_header(f, HEADER_OFFSET, 0);
    assert_refused(f, load(f, ELF_SIZE), "elf: e_machine 62, not i386 (3)");

    put16(f->image + 0x12, 3);
    put16(f->image + 0x2A, 56);
    sink_reset(&f->sink);
    assert_refused(f, load(f, ELF_SIZE), "elf: e_phentsize 56, not 32");

    f->image[4] = 3;
    sink_reset(&f->sink);
    assert_refused(f, load(f, ELF_SIZE), "elf: class 3, neither 32-bit (1) nor 64-bit (2)");
}

static void test_too_many_modules(void **state)
{
    struct fixture *f = *state;

    elf_kernel(f, 0);
    f->in.module_count = PARTITION_GUEST_MODULES_MAX + 1;
    assert_refused(f, load(f, ELF_SIZE), "multiboot: 9 modules, at most 8");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, fixture_setup, fixture_teardown)
        T(test_elf32_kernel_with_modules),
        T(test_no_cmdline_no_modules),
        T(test_video_flag_gets_ega_text),
        T(test_unknown_optional_flag_ignored),
        T(test_higher_half_elf32),
        T(test_elf64_kernel),
        T(test_aout_kludge_whole_file),
        T(test_aout_kludge_load_end),
        T(test_module_skips_the_legacy_hole),
        T(test_no_header),
        T(test_header_beyond_8k),
        T(test_misaligned_header_not_found),
        T(test_bad_checksum),
        T(test_unknown_required_flag),
        T(test_segment_refusals),
        T(test_entry_outside_the_image),
        T(test_truncated_images),
        T(test_aout_bad_addresses),
        T(test_module_too_big),
        T(test_information_below_the_image),
        T(test_elf_class_and_machine),
        T(test_too_many_modules),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
