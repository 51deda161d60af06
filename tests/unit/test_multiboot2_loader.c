/* Host unit tests for guest/multiboot2_loader.c (Multiboot2 Specification 1.0): kernels
 * with headers built tag by tag, loaded into a calloc'd partition memory, the boot
 * information read back tag by tag at the offsets of section 3.6. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "guest/multiboot_loader.h"
#include "tests/unit/multiboot_fixture.h"

#define MAGIC           0xE85250D6u
#define LOADER_MAGIC    0x36D76289u
#define HEADER_OFFSET   0x100u
#define OPTIONAL        1u
#define RSDP_GPA        0xE0000u

/* A header being written into the fixture's image: tags follow the 16 fixed bytes. */
struct header {
    struct fixture *f;
    uint32_t at, pos;
};

static struct header begin_header(struct fixture *f, uint32_t at)
{
    put32(f->image + at, MAGIC);
    put32(f->image + at + 4, 0);        /* i386 */
    return (struct header){ f, at, at + 16 };
}

static void add_tag(struct header *h, uint16_t type, uint16_t flags, const uint32_t *words,
                    uint32_t count)
{
    uint8_t *p = h->f->image + h->pos;

    put16(p, type);
    put16(p + 2, flags);
    put32(p + 4, 8 + 4 * count);
    for (uint32_t i = 0; i < count; i++)
        put32(p + 8 + 4 * i, words[i]);
    h->pos += (8 + 4 * count + 7) & ~7u;
}

#define TAG(h, type, flags, ...)                                                        \
    do {                                                                                \
        const uint32_t words_[] = { __VA_ARGS__ };                                      \
        add_tag((h), (type), (flags), words_, sizeof(words_) / sizeof(words_[0]));      \
    } while (0)

/* The end tag, header_length and the checksum over the four fixed fields. */
static void end_header(struct header *h)
{
    uint8_t *p = h->f->image + h->at;

    add_tag(h, 0, 0, NULL, 0);
    put32(p + 8, h->pos - h->at);
    put32(p + 12, 0u - MAGIC - get32(p + 4) - (h->pos - h->at));
}

static bool load(struct fixture *f, uint64_t size)
{
    return run_loader(f, size, multiboot2_load);
}

/* The standard ELF32 kernel with a header holding only the tags given before its end. */
static struct header elf_kernel(struct fixture *f)
{
    build_elf(f, false);
    return begin_header(f, HEADER_OFFSET);
}

static bool load_elf_kernel(struct fixture *f, struct header *h)
{
    end_header(h);
    return load(f, ELF_SIZE);
}

/* An RSDP at RSDP_GPA of the given revision: "RSD PTR ", then bytes 8.. numbered. */
static void put_rsdp(struct fixture *f, uint8_t revision)
{
    uint8_t *r = f->memory + RSDP_GPA;

    memcpy(r, "RSD PTR ", 8);
    for (unsigned i = 8; i < 36; i++)
        r[i] = (uint8_t)(0x40 + i);
    r[15] = revision;
    f->in.acpi_rsdp_gpa = RSDP_GPA;
}

static const uint8_t *info_at(const struct fixture *f, uint32_t offset)
{
    return f->memory + f->out.entry.regs.rbx + offset;
}

static void assert_tag(const struct fixture *f, uint32_t offset, uint32_t type, uint32_t size)
{
    assert_int_equal(get32(info_at(f, offset)), type);
    assert_int_equal(get32(info_at(f, offset + 4)), size);
}

/* ---- loading ---------------------------------------------------------------------- */

/* Every information tag of a kernel with a command line, a module and ACPI 2.0 tables. */
static void test_elf32_kernel_information(void **state)
{
    struct fixture *f = *state;
    struct header h = elf_kernel(f);

    TAG(&h, 1, 0, 1, 2, 3, 4, 6, 15);           /* information request */
    TAG(&h, 6, 0);                              /* module alignment */
    TAG(&h, 4, 0, 3);                           /* console required, EGA text supported */
    f->in.cmdline = "root=/dev/sda";
    add_module(f, 0x1000, "initrd");
    put_rsdp(f, 2);
    assert_true(load_elf_kernel(f, &h));
    ASSERT_LINES(&f->sink);

    assert_memory_equal(f->memory + TEXT_GPA, f->image + TEXT_OFFSET, TEXT_SIZE);
    assert_memory_equal(f->memory + 0x102000, f->module_data[0], 0x1000);
    assert_entry_state(f, ELF_ENTRY, LOADER_MAGIC, 0x103000);

    assert_int_equal(get32(info_at(f, 0)), 280);        /* total_size */
    assert_int_equal(get32(info_at(f, 4)), 0);
    assert_tag(f, 8, 1, 8 + 14);
    assert_string_equal((const char *)info_at(f, 16), "root=/dev/sda");
    assert_tag(f, 32, 2, 8 + 8);
    assert_string_equal((const char *)info_at(f, 40), "tessera");
    assert_tag(f, 48, 3, 16 + 7);
    assert_int_equal(get32(info_at(f, 56)), 0x102000);
    assert_int_equal(get32(info_at(f, 60)), 0x103000);
    assert_string_equal((const char *)info_at(f, 64), "initrd");
    assert_tag(f, 72, 4, 16);
    assert_int_equal(get32(info_at(f, 80)), 639);
    assert_int_equal(get32(info_at(f, 84)), 3072);
    assert_tag(f, 88, 6, 16 + 3 * 24);
    assert_int_equal(get32(info_at(f, 96)), 24);        /* entry_size */
    assert_int_equal(get32(info_at(f, 100)), 0);        /* entry_version */
    for (unsigned i = 0; i < 3; i++) {
        const uint8_t *e = info_at(f, 104 + 24 * i);
        assert_int_equal(get64(e), expected_map[i][0]);
        assert_int_equal(get64(e + 8), expected_map[i][1]);
        assert_int_equal(get32(e + 16), expected_map[i][2]);
        assert_int_equal(get32(e + 20), 0);
    }
    assert_tag(f, 176, 21, 12);
    assert_int_equal(get32(info_at(f, 184)), TEXT_GPA);
    assert_tag(f, 192, 8, 32);                          /* EGA text, for the console flag */
    assert_int_equal(get64(info_at(f, 200)), 0xB8000);
    assert_int_equal(get32(info_at(f, 208)), 160);
    assert_int_equal(get32(info_at(f, 212)), 80);
    assert_int_equal(get32(info_at(f, 216)), 25);
    assert_int_equal(*info_at(f, 220), 16);
    assert_int_equal(*info_at(f, 221), 2);
    assert_tag(f, 224, 15, 8 + 36);
    assert_memory_equal(info_at(f, 232), f->memory + RSDP_GPA, 36);
    assert_tag(f, 272, 0, 8);
}

/* ACPI 1.0 (revision 0): the old tag with 20 bytes; no framebuffer tag unasked. */
static void test_old_rsdp(void **state)
{
    struct fixture *f = *state;
    struct header h = elf_kernel(f);

    put_rsdp(f, 0);
    assert_true(load_elf_kernel(f, &h));
    /* cmdline "" 16, name 16, meminfo 16, mmap 88, load base 16: the RSDP tag at 160. */
    assert_tag(f, 160, 14, 8 + 20);
    assert_memory_equal(info_at(f, 168), f->memory + RSDP_GPA, 20);
    assert_tag(f, 192, 0, 8);
    assert_int_equal(get32(info_at(f, 0)), 200);
}

/* Optional tags tessera cannot meet are passed over. */
static void test_optional_tags_ignored(void **state)
{
    struct fixture *f = *state;
    struct header h = elf_kernel(f);

    TAG(&h, 5, OPTIONAL, 1024, 768, 32);        /* framebuffer */
    TAG(&h, 7, OPTIONAL);                       /* EFI boot services */
    TAG(&h, 9, OPTIONAL, 0x100000);             /* EFI amd64 entry */
    TAG(&h, 42, OPTIONAL, 1, 2);                /* unknown */
    TAG(&h, 1, OPTIONAL, 9, 17, 99);            /* ELF sections, EFI mmap, unknown */
    TAG(&h, 4, 0, 2);                           /* EGA text supported, not required */
    assert_true(load_elf_kernel(f, &h));
    ASSERT_LINES(&f->sink);
    assert_tag(f, 160, 0, 8);                   /* no framebuffer, no ACPI tag */
}

/* A flat file of size bytes with a header at 0x40 holding an address tag and an entry tag. */
static bool load_flat_kernel(struct fixture *f, const uint32_t address[4], uint32_t entry,
                             uint64_t size)
{
    fill_contents(f, 0);
    struct header h = begin_header(f, 0x40);
    add_tag(&h, 2, 0, address, 4);
    TAG(&h, 3, 0, entry);
    end_header(&h);
    return load(f, size);
}

/* The address tag places a flat file; the entry tag says where it starts. */
static void test_address_tag(void **state)
{
    static const uint32_t address[4] = { 0x200040, 0x200000, 0x200800, 0x204000 };
    struct fixture *f = *state;

    memset(f->memory, 0xCC, GUEST_MEMORY);
    assert_true(load_flat_kernel(f, address, 0x200100, 0x1000));
    ASSERT_LINES(&f->sink);
    assert_memory_equal(f->memory + 0x200000, f->image, 0x800);
    assert_int_equal(f->memory[0x200800], 0);           /* .bss */
    assert_int_equal(f->memory[0x203FFF], 0);
    assert_int_equal(f->memory[0x1FFFFF], 0xCC);
    assert_entry_state(f, 0x200100, LOADER_MAGIC, 0x204000);
}

/* load_addr -1: from the file's first byte, which goes header_addr - header offset. */
static void test_address_tag_from_file_start(void **state)
{
    static const uint32_t address[4] = { 0x300040, 0xFFFFFFFF, 0, 0 };
    struct fixture *f = *state;

    assert_true(load_flat_kernel(f, address, 0x300200, 0x400));
    assert_memory_equal(f->memory + 0x300000, f->image, 0x400);
    assert_int_equal(f->out.image_start, 0x300000);
    assert_int_equal(f->out.image_end, 0x300400);
}

/* The entry tag overrides an ELF's e_entry. */
static void test_entry_tag_overrides_elf(void **state)
{
    struct fixture *f = *state;
    struct header h = elf_kernel(f);

    TAG(&h, 3, 0, TEXT_GPA + 0x40);
    assert_true(load_elf_kernel(f, &h));
    assert_int_equal(f->out.entry.cpu.rip, TEXT_GPA + 0x40);
}

/* Relocatable between 2 and 4 MiB on 2 MiB boundaries: moved from 1 MiB to 2 MiB, the entry
 * and the load base address with it. */
static void test_relocated(void **state)
{
    struct fixture *f = *state;
    struct header h = elf_kernel(f);

    TAG(&h, 10, 0, 0x200000, 0x400000, 0x200000, 1);
    assert_true(load_elf_kernel(f, &h));
    ASSERT_LINES(&f->sink);
    assert_memory_equal(f->memory + 0x200000, f->image + TEXT_OFFSET, TEXT_SIZE);
    assert_memory_equal(f->memory + 0x201000, f->image + DATA_OFFSET, DATA_FILESZ);
    assert_int_equal(f->out.entry.cpu.rip, ELF_ENTRY - TEXT_GPA + 0x200000);
    assert_int_equal(f->out.image_start, 0x200000);
    assert_tag(f, 144, 21, 12);
    assert_int_equal(get32(info_at(f, 152)), 0x200000);
}

/* Preferring the highest place: the image ends at the top of memory, 4 KiB aligned; with
 * nothing free above it the module and the information go to 1 MiB. */
static void test_relocated_high(void **state)
{
    struct fixture *f = *state;
    struct header h = elf_kernel(f);

    TAG(&h, 10, 0, 0x200000, 0xFFFFFFFF, 0x1000, 2);
    add_module(f, 0x10, "m");
    assert_true(load_elf_kernel(f, &h));
    assert_int_equal(f->out.image_start, GUEST_MEMORY - 0x2000);
    assert_int_equal(f->out.image_end, GUEST_MEMORY);
    assert_memory_equal(f->memory + GUEST_MEMORY - 0x2000, f->image + TEXT_OFFSET, TEXT_SIZE);
    assert_memory_equal(f->memory + MIB, f->module_data[0], 0x10);
    assert_entry_state(f, GUEST_MEMORY - 0x2000 + 0x10, LOADER_MAGIC, MIB + 0x1000);
    assert_tag(f, 40, 3, 16 + 2);
    assert_int_equal(get32(info_at(f, 48)), MIB);
    assert_int_equal(get32(info_at(f, 52)), MIB + 0x10);
}

/* Where it was linked already keeps the bounds: it stays. */
static void test_relocatable_kept_in_place(void **state)
{
    struct fixture *f = *state;
    struct header h = elf_kernel(f);

    TAG(&h, 10, 0, 0x100000, 0x400000, 0x1000, 2);
    assert_true(load_elf_kernel(f, &h));
    assert_int_equal(f->out.image_start, TEXT_GPA);
    assert_int_equal(f->out.entry.cpu.rip, ELF_ENTRY);
}

/* ---- refusals ------------------------------------------------------------------- */

/* Recomputes the checksum after a test changed a fixed field. */
static void fix_checksum(struct fixture *f, uint32_t at)
{
    uint8_t *p = f->image + at;

    put32(p + 12, 0u - get32(p) - get32(p + 4) - get32(p + 8));
}

static void test_no_header_in_32k(void **state)
{
    struct fixture *f = *state;
    struct header h = begin_header(f, 32768);

    end_header(&h);
    assert_refused(f, load(f, 32768 + 24),
                   "multiboot2: no header (magic 0xE85250D6) in the first 32768 bytes");
}

static void test_bad_checksum(void **state)
{
    struct fixture *f = *state;
    struct header h = elf_kernel(f);

    end_header(&h);
    put32(f->image + HEADER_OFFSET + 12, get32(f->image + HEADER_OFFSET + 12) - 2);
    assert_refused(f, load(f, ELF_SIZE), "multiboot2: header at 0x100: checksum wrong (its 4 "
                   "words sum to 0xfffffffe, not 0)");
}

static void test_bad_architecture(void **state)
{
    struct fixture *f = *state;
    struct header h = elf_kernel(f);

    end_header(&h);
    put32(f->image + HEADER_OFFSET + 4, 4);     /* MIPS */
    fix_checksum(f, HEADER_OFFSET);
    assert_refused(f, load(f, ELF_SIZE), "multiboot2: architecture 4, not i386 (0)");
}

static void test_header_length_wrong(void **state)
{
    struct fixture *f = *state;
    struct header h = elf_kernel(f);

    end_header(&h);
    put32(f->image + HEADER_OFFSET + 8, 16);
    fix_checksum(f, HEADER_OFFSET);
    assert_refused(f, load(f, ELF_SIZE), "multiboot2: header_length 16, shorter than the "
                   "header and its end tag (24)");

    put32(f->image + HEADER_OFFSET + 8, 0xFFFFFFF0);
    fix_checksum(f, HEADER_OFFSET);
    sink_reset(&f->sink);
    assert_refused(f, load(f, ELF_SIZE), "multiboot2: header at 0x100 with header_length "
                   "4294967280 runs past the image's first 0x1120 bytes");

    put32(f->image + HEADER_OFFSET + 8, 24);
    fix_checksum(f, HEADER_OFFSET);
    sink_reset(&f->sink);
    assert_refused(f, load(f, HEADER_OFFSET + 20), "multiboot2: header at 0x100 with "
                   "header_length 24 runs past the image's first 0x114 bytes");
}

static void test_tag_past_header(void **state)
{
    struct fixture *f = *state;
    struct header h = elf_kernel(f);

    TAG(&h, 6, 0);
    end_header(&h);
    put32(f->image + HEADER_OFFSET + 16 + 4, 24);   /* the module alignment tag grows */
    assert_refused(f, load(f, ELF_SIZE), "multiboot2: header tag type 6 at header offset 0x10: "
                   "size 24 outside 8..16 (header_length 32)");

    put32(f->image + HEADER_OFFSET + 16 + 4, 4);
    sink_reset(&f->sink);
    assert_refused(f, load(f, ELF_SIZE), "multiboot2: header tag type 6 at header offset 0x10: "
                   "size 4 outside 8..16 (header_length 32)");
}

static void test_no_end_tag(void **state)
{
    struct fixture *f = *state;
    struct header h = elf_kernel(f);

    TAG(&h, 6, 0);
    put32(f->image + HEADER_OFFSET + 8, h.pos - h.at);
    fix_checksum(f, HEADER_OFFSET);
    assert_refused(f, load(f, ELF_SIZE), "multiboot2: header tags run past header_length 24 "
                   "without an end tag");
}

static void test_required_tags_refused(void **state)
{
    static const struct {
        uint16_t type;
        uint32_t words[4];
        uint32_t count;
        const char *line;
    } cases[] = {
        { 42, { 0 }, 1, "multiboot2: header tag type 42 unknown and not optional" },
        { 5, { 1024, 768, 32 }, 3, "multiboot2: framebuffer required (header tag 5) is not "
          "supported, a partition has only the EGA text console" },
        { 7, { 0 }, 0, "multiboot2: header tag 7 (EFI boot services) required, but "
          "partitions boot without EFI" },
        { 8, { 0x100000 }, 1, "multiboot2: header tag 8 (EFI i386 entry address) required, "
          "but partitions boot without EFI" },
        { 4, { 1 }, 1, "multiboot2: console required (header tag 4) but the image has no "
          "EGA text support, the only console a partition has" },
        { 1, { 1, 9 }, 2, "multiboot2: information request for tag type 9 (ELF sections), "
          "which tessera cannot provide here" },
        { 1, { 99 }, 1, "multiboot2: information request for tag type 99 (unknown), which "
          "tessera cannot provide here" },
        { 1, { 14 }, 1, "multiboot2: information request for tag type 14 (ACPI old RSDP), "
          "which tessera cannot provide here" },
        { 2, { 0x100000, 0x100000 }, 2, "multiboot2: header tag 2 (address) of 16 bytes, "
          "shorter than 24" },
        { 2, { 0x100100, 0x100000, 0, 0 }, 4, "multiboot2: address tag without an entry "
          "address tag" },
        { 10, { 0x500000, 0x600000, 0x1000, 0 }, 4, "multiboot2: relocatable image of 0x2000 "
          "bytes fits nowhere in RAM within 0x500000-0x600000 aligned to 0x1000" },
    };
    struct fixture *f = *state;

    for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        memset(f->image, 0, sizeof(f->image));
        sink_reset(&f->sink);
        struct header h = elf_kernel(f);
        add_tag(&h, cases[i].type, 0, cases[i].words, cases[i].count);
        print_message("case %u\n", i);
        assert_refused(f, load_elf_kernel(f, &h), cases[i].line);
    }
}

static void test_rsdp_outside_memory(void **state)
{
    struct fixture *f = *state;
    struct header h = elf_kernel(f);

    end_header(&h);
    f->in.acpi_rsdp_gpa = GUEST_MEMORY - 10;
    assert_refused(f, load(f, ELF_SIZE), "multiboot2: ACPI RSDP at 0x3ffff6: its 20 bytes end "
                   "past guest memory (0x400000 bytes)");

    f->in.acpi_rsdp_gpa = GUEST_MEMORY - 20;
    f->memory[GUEST_MEMORY - 20 + 15] = 2;      /* ACPI 2.0: 36 bytes */
    sink_reset(&f->sink);
    assert_refused(f, load(f, ELF_SIZE), "multiboot2: ACPI RSDP at 0x3fffec: its 36 bytes end "
                   "past guest memory (0x400000 bytes)");
}

static void test_not_elf_without_address_tag(void **state)
{
    struct fixture *f = *state;
    struct header h = begin_header(f, 0);

    end_header(&h);
    assert_refused(f, load(f, 0x100), "elf: bad magic d6 50 52 e8, not an ELF file");
}

static void test_load_from_file_start_below_zero(void **state)
{
    static const uint32_t address[4] = { 0x20, 0xFFFFFFFF, 0, 0 };
    struct fixture *f = *state;

    assert_refused(f, load_flat_kernel(f, address, 0x20, 0x100), "multiboot2: address tag "
                   "loads from the file's start, but header_addr 0x20 is below the header's "
                   "file offset 0x40");
}

static void test_entry_tag_outside_code(void **state)
{
    struct fixture *f = *state;
    struct header h = elf_kernel(f);

    TAG(&h, 3, 0, DATA_GPA);
    assert_refused(f, load_elf_kernel(f, &h), "multiboot2: entry 0x101000 not in the loaded code");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, fixture_setup, fixture_teardown)
        T(test_elf32_kernel_information),
        T(test_old_rsdp),
        T(test_optional_tags_ignored),
        T(test_address_tag),
        T(test_address_tag_from_file_start),
        T(test_entry_tag_overrides_elf),
        T(test_relocated),
        T(test_relocated_high),
        T(test_relocatable_kept_in_place),
        T(test_no_header_in_32k),
        T(test_bad_checksum),
        T(test_bad_architecture),
        T(test_header_length_wrong),
        T(test_tag_past_header),
        T(test_no_end_tag),
        T(test_required_tags_refused),
        T(test_rsdp_outside_memory),
        T(test_not_elf_without_address_tag),
        T(test_load_from_file_start_below_zero),
        T(test_entry_tag_outside_code),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
