/* Host unit tests for boot/multiboot2.c: well-formed and malformed boot information (Multiboot2 spec 1.0, section 3.6). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "boot/multiboot2.h"

#define BUILD_WORDS 2048            /* 16 KiB: room for the largest structure built here */
#define MAX_LINES   16

struct test_mmap_entry {
    uint64_t base;
    uint64_t length;
    uint32_t type;
};

/* One test's world: the structure being built, the exact-size copy the parser
 * sees (so ASan catches any read past max_size), the result and the reports. */
struct fixture {
    uint64_t words[BUILD_WORDS];    /* uint64_t keeps the structure 8-aligned */
    uint32_t used;
    uint8_t *copy;
    struct mb2_info info;
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

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));

    if (!f)
        return -1;
    f->used = 8;                    /* fixed part: total_size, reserved */
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

static uint8_t *bytes(struct fixture *f)
{
    return (uint8_t *)f->words;
}

static void put_u32(uint8_t *p, uint32_t v)
{
    memcpy(p, &v, sizeof(v));
}

static void put_u64(uint8_t *p, uint64_t v)
{
    memcpy(p, &v, sizeof(v));
}

static void set_total_size(struct fixture *f, uint32_t total_size)
{
    put_u32(bytes(f), total_size);
}

/* Appends a tag header and returns its zeroed payload (size - 8 bytes). */
static uint8_t *add_tag(struct fixture *f, uint32_t type, uint32_t size)
{
    uint8_t *tag = bytes(f) + f->used;

    assert_true(f->used + size + 8 <= sizeof(f->words));
    put_u32(tag, type);
    put_u32(tag + 4, size);
    f->used += (size + 7) & ~7u;
    return tag + 8;
}

static void add_string_tag(struct fixture *f, uint32_t type, const char *s)
{
    uint32_t len = (uint32_t)strlen(s) + 1;

    memcpy(add_tag(f, type, 8 + len), s, len);
}

static void add_module(struct fixture *f, uint32_t start, uint32_t end, const char *cmdline)
{
    uint32_t len = (uint32_t)strlen(cmdline) + 1;
    uint8_t *payload = add_tag(f, MB2_TAG_MODULE, 16 + len);

    put_u32(payload, start);
    put_u32(payload + 4, end);
    memcpy(payload + 8, cmdline, len);
}

static void add_meminfo(struct fixture *f, uint32_t lower_kib, uint32_t upper_kib)
{
    uint8_t *payload = add_tag(f, MB2_TAG_BASIC_MEMINFO, 16);

    put_u32(payload, lower_kib);
    put_u32(payload + 4, upper_kib);
}

/* Memory map with any entry_size (>= 20 so the fields fit) and extra bytes at the end. */
static void add_mmap_raw(struct fixture *f, uint32_t entry_size,
                         const struct test_mmap_entry *entries, uint32_t count,
                         uint32_t trailing_bytes)
{
    uint8_t *payload = add_tag(f, MB2_TAG_MMAP, 16 + entry_size * count + trailing_bytes);

    put_u32(payload, entry_size);
    put_u32(payload + 4, 0);
    for (uint32_t i = 0; i < count; i++) {
        uint8_t *entry = payload + 8 + i * entry_size;
        put_u64(entry, entries[i].base);
        put_u64(entry + 8, entries[i].length);
        put_u32(entry + 16, entries[i].type);
    }
}

static void add_mmap(struct fixture *f, const struct test_mmap_entry *entries, uint32_t count)
{
    add_mmap_raw(f, 24, entries, count, 0);
}

static void add_rsdp(struct fixture *f, uint32_t type, uint32_t rsdp_size)
{
    uint8_t *payload = add_tag(f, type, 8 + rsdp_size);

    memcpy(payload, "RSD PTR ", 8);
    if (rsdp_size > 15)
        payload[15] = type == MB2_TAG_ACPI_NEW ? 2 : 0;     /* revision */
}

/* Appends the end tag and makes total_size cover everything built. */
static void finish(struct fixture *f)
{
    add_tag(f, MB2_TAG_END, 8);
    set_total_size(f, f->used);
}

/* Parses an exact-size heap copy of the first max_size bytes. */
static bool parse_max(struct fixture *f, uint32_t max_size)
{
    f->copy = malloc(max_size);
    assert_non_null(f->copy);
    memcpy(f->copy, bytes(f), max_size);
    return mb2_parse(f->copy, max_size, &f->info, &f->diag);
}

static bool parse(struct fixture *f)
{
    return parse_max(f, f->used);
}

static void assert_clean(struct fixture *f)
{
    if (f->line_count != 0)
        fail_msg("unexpected report: %s", f->lines[0]);
    assert_int_equal(f->info.errors, 0);
}

/* Exactly one problem was reported, with exactly this text. */
static void assert_only_report(struct fixture *f, const char *expected)
{
    assert_int_equal(f->line_count, 1);
    assert_string_equal(f->lines[0], expected);
    assert_int_equal(f->info.errors, 1);
}

static const struct test_mmap_entry qemu_mmap[] = {
    { 0x0000000000000000ull, 0x000000000009fc00ull, MB2_MEMORY_AVAILABLE },
    { 0x000000000009fc00ull, 0x0000000000000400ull, MB2_MEMORY_RESERVED },
    { 0x00000000000f0000ull, 0x0000000000010000ull, MB2_MEMORY_RESERVED },
    { 0x0000000000100000ull, 0x000000007fee0000ull, MB2_MEMORY_AVAILABLE },
    { 0x00000000fffc0000ull, 0x0000000000040000ull, MB2_MEMORY_RESERVED },
    { 0x0000000100000000ull, 0x0000000080000000ull, MB2_MEMORY_AVAILABLE },
};
#define QEMU_MMAP_COUNT ((uint32_t)(sizeof(qemu_mmap) / sizeof(qemu_mmap[0])))

static const struct test_mmap_entry two_ram_entries[] = {
    { 0x0, 0x9fc00, MB2_MEMORY_AVAILABLE },
    { 0x100000, 0x7fee0000, MB2_MEMORY_AVAILABLE },
};

/* ---- well-formed structures -------------------------------------------------------- */

static void test_realistic_grub_structure(void **state)
{
    struct fixture *f = *state;

    add_string_tag(f, MB2_TAG_CMDLINE, "console=serial log=debug");
    add_string_tag(f, MB2_TAG_LOADER_NAME, "GRUB 2.06");
    add_meminfo(f, 639, 2096000);
    add_mmap(f, qemu_mmap, QEMU_MMAP_COUNT);
    add_module(f, 0x00200000, 0x00a00000, "linux console=ttyS0 root=/dev/vda");
    add_module(f, 0x00a00000, 0x00a40001, "initrd.img");
    uint32_t rsdp_offset = f->used + 8;
    add_rsdp(f, MB2_TAG_ACPI_NEW, 36);
    finish(f);

    assert_true(parse(f));
    assert_clean(f);
    struct mb2_info *info = &f->info;
    assert_int_equal(info->total_size, f->used);
    assert_string_equal(info->cmdline, "console=serial log=debug");
    assert_string_equal(info->loader_name, "GRUB 2.06");
    assert_true(info->has_basic_meminfo);
    assert_int_equal(info->mem_lower_kib, 639);
    assert_int_equal(info->mem_upper_kib, 2096000);

    assert_int_equal(info->mmap_count, QEMU_MMAP_COUNT);
    for (uint32_t i = 0; i < QEMU_MMAP_COUNT; i++) {
        assert_int_equal(info->mmap[i].base, qemu_mmap[i].base);
        assert_int_equal(info->mmap[i].length, qemu_mmap[i].length);
        assert_int_equal(info->mmap[i].type, qemu_mmap[i].type);
    }
    assert_int_equal(info->mmap[5].base, 0x100000000ull);

    assert_int_equal(info->module_count, 2);
    assert_int_equal(info->modules[0].start, 0x00200000);
    assert_int_equal(info->modules[0].end, 0x00a00000);
    assert_string_equal(info->modules[0].cmdline, "linux console=ttyS0 root=/dev/vda");
    assert_int_equal(info->modules[1].start, 0x00a00000);
    assert_int_equal(info->modules[1].end, 0x00a40001);
    assert_string_equal(info->modules[1].cmdline, "initrd.img");

    assert_ptr_equal(info->rsdp_new, f->copy + rsdp_offset);
    assert_int_equal(info->rsdp_new_size, 36);
    assert_memory_equal(info->rsdp_new, "RSD PTR ", 8);
    assert_null(info->rsdp_old);
    assert_int_equal(info->rsdp_old_size, 0);

    assert_false(info->efi32);
    assert_false(info->efi64);
    assert_int_equal(info->efi_system_table, 0);
    assert_false(info->efi_boot_services);
}

static void test_efi64_with_boot_services(void **state)
{
    struct fixture *f = *state;

    add_string_tag(f, MB2_TAG_LOADER_NAME, "GRUB 2.06");
    put_u64(add_tag(f, MB2_TAG_EFI64, 16), 0x7f9e1018ull);
    add_tag(f, MB2_TAG_EFI_BS, 8);
    add_mmap(f, two_ram_entries, 2);
    add_tag(f, MB2_TAG_EFI_MMAP, 8 + 8 + 48);   /* not parsed, must be skipped quietly */
    add_rsdp(f, MB2_TAG_ACPI_OLD, 20);
    finish(f);

    assert_true(parse(f));
    assert_clean(f);
    assert_true(f->info.efi64);
    assert_false(f->info.efi32);
    assert_int_equal(f->info.efi_system_table, 0x7f9e1018ull);
    assert_true(f->info.efi_boot_services);
    assert_int_equal(f->info.mmap_count, 2);
    assert_non_null(f->info.rsdp_old);
    assert_int_equal(f->info.rsdp_old_size, 20);
    assert_null(f->info.cmdline);
}

static void test_efi32_and_efi64_prefers_64(void **state)
{
    struct fixture *f = *state;

    put_u64(add_tag(f, MB2_TAG_EFI64, 16), 0x1122334455667788ull);
    put_u32(add_tag(f, MB2_TAG_EFI32, 12), 0x7f000018u);
    finish(f);

    assert_true(parse(f));
    assert_clean(f);
    assert_true(f->info.efi32);
    assert_true(f->info.efi64);
    assert_int_equal(f->info.efi_system_table, 0x1122334455667788ull);
}

static void test_unknown_and_unused_tags_skipped(void **state)
{
    struct fixture *f = *state;

    add_tag(f, 99, 13);                         /* unaligned size: next tag at 8-aligned offset */
    add_tag(f, 0x12345678u, 8);
    add_tag(f, MB2_TAG_FRAMEBUFFER, 8 + 24);
    add_tag(f, MB2_TAG_ELF_SECTIONS, 8 + 12);
    add_tag(f, MB2_TAG_SMBIOS, 8 + 8 + 31);
    put_u32(add_tag(f, MB2_TAG_LOAD_BASE_ADDR, 12), 0x200000);
    add_string_tag(f, MB2_TAG_CMDLINE, "after unknown");
    finish(f);

    assert_true(parse(f));
    assert_clean(f);
    assert_string_equal(f->info.cmdline, "after unknown");
}

/* The framebuffer tag as GRUB writes it: the common part, then for RGB the six colour
 * fields (Multiboot2 spec 3.6.12; the reserved field is 16 bits wide in GRUB's header). */
static uint8_t *add_framebuffer(struct fixture *f, uint8_t type, uint32_t size, uint64_t address,
                                uint32_t pitch, uint32_t width, uint32_t height, uint8_t bpp)
{
    uint8_t *payload = add_tag(f, MB2_TAG_FRAMEBUFFER, size);

    put_u64(payload, address);
    put_u32(payload + 8, pitch);
    put_u32(payload + 12, width);
    put_u32(payload + 16, height);
    payload[20] = bpp;
    payload[21] = type;
    return payload;
}

static void test_framebuffer_rgb(void **state)
{
    struct fixture *f = *state;
    uint8_t *p = add_framebuffer(f, MB2_FRAMEBUFFER_RGB, 8 + 24 + 6, 0x80000000, 5120, 1280,
                                 800, 32);

    memcpy(p + 24, (const uint8_t[]){ 16, 8, 8, 8, 0, 8 }, 6);
    finish(f);
    assert_true(parse(f));
    assert_clean(f);
    const struct mb2_framebuffer *fb = &f->info.framebuffer;
    assert_true(fb->present);
    assert_int_equal(fb->address, 0x80000000);
    assert_int_equal(fb->pitch, 5120);
    assert_int_equal(fb->width, 1280);
    assert_int_equal(fb->height, 800);
    assert_int_equal(fb->bpp, 32);
    assert_int_equal(fb->type, MB2_FRAMEBUFFER_RGB);
    assert_int_equal(fb->red_position, 16);
    assert_int_equal(fb->red_size, 8);
    assert_int_equal(fb->green_position, 8);
    assert_int_equal(fb->blue_position, 0);
    assert_int_equal(fb->blue_size, 8);
}

static void test_framebuffer_ega_text(void **state)
{
    struct fixture *f = *state;

    add_framebuffer(f, MB2_FRAMEBUFFER_EGA_TEXT, 8 + 24, 0xB8000, 160, 80, 25, 16);
    finish(f);
    assert_true(parse(f));
    assert_clean(f);
    assert_true(f->info.framebuffer.present);
    assert_int_equal(f->info.framebuffer.type, MB2_FRAMEBUFFER_EGA_TEXT);
    assert_int_equal(f->info.framebuffer.width, 80);
    assert_int_equal(f->info.framebuffer.red_size, 0);
}

static void test_framebuffer_too_short(void **state)
{
    struct fixture *f = *state;

    add_framebuffer(f, MB2_FRAMEBUFFER_EGA_TEXT, 8 + 22, 0xB8000, 160, 80, 25, 16);
    finish(f);
    assert_true(parse(f));
    assert_only_report(f, "multiboot2: framebuffer info: size 30 < 32");
    assert_false(f->info.framebuffer.present);
}

static void test_framebuffer_rgb_without_colour_fields(void **state)
{
    struct fixture *f = *state;

    add_framebuffer(f, MB2_FRAMEBUFFER_RGB, 8 + 24 + 5, 0x80000000, 4096, 1024, 768, 32);
    finish(f);
    assert_true(parse(f));
    assert_only_report(f, "multiboot2: framebuffer info: size 37 < 38 for an RGB framebuffer");
    assert_false(f->info.framebuffer.present);
}

static void test_framebuffer_duplicate(void **state)
{
    struct fixture *f = *state;

    add_framebuffer(f, MB2_FRAMEBUFFER_EGA_TEXT, 8 + 24, 0xB8000, 160, 80, 25, 16);
    add_framebuffer(f, MB2_FRAMEBUFFER_EGA_TEXT, 8 + 24, 0xB0000, 160, 80, 25, 16);
    finish(f);
    assert_true(parse(f));
    assert_only_report(f, "multiboot2: framebuffer info: duplicate tag");
    assert_int_equal(f->info.framebuffer.address, 0xB8000);
}

static void test_tag_names(void **state)
{
    (void)state;
    assert_string_equal(mb2_tag_name(MB2_TAG_END), "end");
    assert_string_equal(mb2_tag_name(MB2_TAG_MMAP), "memory map");
    assert_string_equal(mb2_tag_name(MB2_TAG_ACPI_NEW), "ACPI new RSDP");
    assert_string_equal(mb2_tag_name(MB2_TAG_EFI_BS), "EFI boot services not terminated");
    assert_string_equal(mb2_tag_name(MB2_TAG_LOAD_BASE_ADDR), "image load base address");
    assert_string_equal(mb2_tag_name(22), "unknown tag");
    assert_string_equal(mb2_tag_name(0xffffffffu), "unknown tag");
}

static void test_mmap_largest_end_kept(void **state)
{
    struct fixture *f = *state;
    /* base + length = 2^64 - 1: the last byte is left out, so no overflow. */
    const struct test_mmap_entry top = { 0xfffffffffffff000ull, 0xfffull, MB2_MEMORY_RESERVED };

    add_mmap(f, &top, 1);
    finish(f);

    assert_true(parse(f));
    assert_clean(f);
    assert_int_equal(f->info.mmap_count, 1);
}

static void test_no_diag_sink_still_counts(void **state)
{
    struct fixture *f = *state;

    add_string_tag(f, MB2_TAG_CMDLINE, "a");
    add_string_tag(f, MB2_TAG_CMDLINE, "b");
    finish(f);

    f->copy = malloc(f->used);
    assert_non_null(f->copy);
    memcpy(f->copy, bytes(f), f->used);
    assert_true(mb2_parse(f->copy, f->used, &f->info, NULL));
    assert_int_equal(f->info.errors, 1);
    assert_string_equal(f->info.cmdline, "a");
}

/* ---- memory map problems ----------------------------------------------------------- */

static void test_mmap_entry_size_too_small(void **state)
{
    struct fixture *f = *state;

    add_string_tag(f, MB2_TAG_CMDLINE, "kept");
    add_mmap_raw(f, 12, NULL, 0, 24);           /* two 12-byte "entries" */
    add_meminfo(f, 639, 1024);
    finish(f);

    assert_true(parse(f));
    assert_only_report(f, "multiboot2: memory map: entry_size 12 < 24");
    assert_int_equal(f->info.mmap_count, 0);
    assert_string_equal(f->info.cmdline, "kept");
    assert_true(f->info.has_basic_meminfo);
}

static void test_mmap_entry_size_not_multiple_of_8(void **state)
{
    struct fixture *f = *state;

    add_mmap_raw(f, 28, two_ram_entries, 2, 0);
    finish(f);

    assert_true(parse(f));
    assert_only_report(f, "multiboot2: memory map: entry_size 28 not a multiple of 8");
    /* Still a usable stride: both entries are read at 28-byte steps. */
    assert_int_equal(f->info.mmap_count, 2);
    assert_int_equal(f->info.mmap[1].base, 0x100000);
    assert_int_equal(f->info.mmap[1].length, 0x7fee0000);
}

static void test_mmap_trailing_bytes(void **state)
{
    struct fixture *f = *state;

    add_mmap_raw(f, 24, two_ram_entries, 2, 8);
    finish(f);

    assert_true(parse(f));
    assert_only_report(f, "multiboot2: memory map: trailing bytes 8 < entry_size 24");
    assert_int_equal(f->info.mmap_count, 2);
    assert_int_equal(f->info.mmap[0].length, 0x9fc00);
    assert_int_equal(f->info.mmap[1].base, 0x100000);
}

static void test_mmap_tag_too_short(void **state)
{
    struct fixture *f = *state;

    put_u32(add_tag(f, MB2_TAG_MMAP, 12), 24);  /* entry_version missing */
    add_string_tag(f, MB2_TAG_CMDLINE, "kept");
    finish(f);

    assert_true(parse(f));
    assert_only_report(f, "multiboot2: memory map: size 12 < 16");
    assert_int_equal(f->info.mmap_count, 0);
    assert_string_equal(f->info.cmdline, "kept");
}

static void test_mmap_entry_length_zero(void **state)
{
    struct fixture *f = *state;
    const struct test_mmap_entry entries[] = {
        { 0x0, 0x9fc00, MB2_MEMORY_AVAILABLE },
        { 0x9fc00, 0, MB2_MEMORY_RESERVED },
        { 0x100000, 0x1000000, MB2_MEMORY_AVAILABLE },
    };

    add_mmap(f, entries, 3);
    finish(f);

    assert_true(parse(f));
    assert_only_report(f, "multiboot2: memory map: entry 1: length 0");
    assert_int_equal(f->info.mmap_count, 2);
    assert_int_equal(f->info.mmap[0].base, 0x0);
    assert_int_equal(f->info.mmap[1].base, 0x100000);
}

static void test_mmap_entry_overflows_64_bits(void **state)
{
    struct fixture *f = *state;
    const struct test_mmap_entry entries[] = {
        { 0x100000, 0x1000000, MB2_MEMORY_AVAILABLE },
        { 0xffffffff00000000ull, 0x100000000ull, MB2_MEMORY_RESERVED },
        { 0x100000000ull, 0x80000000ull, MB2_MEMORY_AVAILABLE },
    };

    add_mmap(f, entries, 3);
    finish(f);

    assert_true(parse(f));
    assert_only_report(f, "multiboot2: memory map: entry 1: base 0xffffffff00000000 "
                          "length 0x100000000 overflows 64 bits");
    assert_int_equal(f->info.mmap_count, 2);
    assert_int_equal(f->info.mmap[0].base, 0x100000);
    assert_int_equal(f->info.mmap[1].base, 0x100000000ull);
}

static void test_mmap_too_many_entries(void **state)
{
    struct fixture *f = *state;
    struct test_mmap_entry entries[MB2_MAX_MMAP_ENTRIES + 2];

    for (uint32_t i = 0; i < MB2_MAX_MMAP_ENTRIES + 2; i++) {
        entries[i].base = (uint64_t)i * 0x10000;
        entries[i].length = 0x1000;
        entries[i].type = MB2_MEMORY_AVAILABLE;
    }
    add_mmap(f, entries, MB2_MAX_MMAP_ENTRIES + 2);
    finish(f);

    assert_true(parse(f));
    assert_only_report(f, "multiboot2: memory map: entry 128 and later ignored, at most 128");
    assert_int_equal(f->info.mmap_count, MB2_MAX_MMAP_ENTRIES);
    assert_int_equal(f->info.mmap[MB2_MAX_MMAP_ENTRIES - 1].base,
                     (uint64_t)(MB2_MAX_MMAP_ENTRIES - 1) * 0x10000);
}

/* ---- tag walk problems ------------------------------------------------------------- */

static void test_tag_size_below_8(void **state)
{
    struct fixture *f = *state;

    add_string_tag(f, MB2_TAG_CMDLINE, "abc");  /* offset 8, 16 bytes */
    uint8_t *bad = bytes(f) + f->used;          /* offset 24 */
    put_u32(bad, MB2_TAG_BASIC_MEMINFO);
    put_u32(bad + 4, 4);
    f->used += 8;
    add_string_tag(f, MB2_TAG_LOADER_NAME, "unreachable");
    finish(f);

    assert_true(parse(f));
    assert_only_report(f, "multiboot2: basic memory info: size 4 < 8 at offset 24");
    assert_string_equal(f->info.cmdline, "abc");
    assert_null(f->info.loader_name);
}

static void test_tag_runs_past_total_size(void **state)
{
    struct fixture *f = *state;

    add_string_tag(f, MB2_TAG_CMDLINE, "abc");          /* offset 8 */
    add_string_tag(f, MB2_TAG_LOADER_NAME, "GRUB 2.06"); /* offset 24 */
    add_meminfo(f, 639, 1024);                          /* offset 48 */
    uint8_t *bad = bytes(f) + f->used;                  /* offset 64 */
    put_u32(bad, MB2_TAG_MMAP);
    put_u32(bad + 4, 200);
    f->used += 16;
    set_total_size(f, f->used);

    assert_true(parse(f));
    assert_only_report(f, "multiboot2: memory map: size 200 at offset 64 runs past end 80");
    assert_string_equal(f->info.cmdline, "abc");
    assert_string_equal(f->info.loader_name, "GRUB 2.06");
    assert_true(f->info.has_basic_meminfo);
    assert_int_equal(f->info.mmap_count, 0);
}

static void test_missing_end_tag(void **state)
{
    struct fixture *f = *state;

    add_string_tag(f, MB2_TAG_CMDLINE, "abc");
    add_meminfo(f, 639, 1024);
    set_total_size(f, f->used);

    assert_true(parse(f));
    assert_only_report(f, "multiboot2: end: tag missing in 40 bytes");
    assert_string_equal(f->info.cmdline, "abc");
    assert_true(f->info.has_basic_meminfo);
}

static void test_missing_end_tag_with_short_tail(void **state)
{
    struct fixture *f = *state;

    add_string_tag(f, MB2_TAG_CMDLINE, "abc");
    f->used += 4;                               /* 4 stray bytes: too few for a tag header */
    set_total_size(f, f->used);

    assert_true(parse(f));
    assert_only_report(f, "multiboot2: end: tag missing in 28 bytes");
    assert_string_equal(f->info.cmdline, "abc");
}

static void test_end_tag_wrong_size(void **state)
{
    struct fixture *f = *state;

    add_string_tag(f, MB2_TAG_CMDLINE, "abc");
    add_tag(f, MB2_TAG_END, 16);
    add_string_tag(f, MB2_TAG_LOADER_NAME, "after end");
    set_total_size(f, f->used);

    assert_true(parse(f));
    assert_only_report(f, "multiboot2: end: size 16 != 8");
    assert_string_equal(f->info.cmdline, "abc");
    assert_null(f->info.loader_name);           /* the walk still stops at the end tag */
}

/* ---- fixed part and pointer problems ------------------------------------------------ */

static void test_total_size_larger_than_max_size(void **state)
{
    struct fixture *f = *state;

    add_string_tag(f, MB2_TAG_CMDLINE, "abc");
    add_mmap(f, two_ram_entries, 2);
    finish(f);                                  /* 8 + 16 + 64 + 8 = 96 bytes */
    set_total_size(f, 4096);

    assert_true(parse_max(f, f->used));
    assert_only_report(f, "multiboot2: fixed part: total_size 4096 > max_size 96");
    assert_int_equal(f->info.total_size, 96);
    assert_string_equal(f->info.cmdline, "abc");
    assert_int_equal(f->info.mmap_count, 2);
}

static void test_max_size_cuts_a_tag(void **state)
{
    struct fixture *f = *state;

    add_string_tag(f, MB2_TAG_CMDLINE, "abc");  /* offset 8 */
    add_mmap(f, two_ram_entries, 2);            /* offset 24, size 64 */
    finish(f);

    assert_true(parse_max(f, 48));
    assert_int_equal(f->line_count, 2);
    assert_string_equal(f->lines[0], "multiboot2: fixed part: total_size 96 > max_size 48");
    assert_string_equal(f->lines[1], "multiboot2: memory map: size 64 at offset 24 runs past end 48");
    assert_int_equal(f->info.errors, 2);
    assert_int_equal(f->info.total_size, 48);
    assert_string_equal(f->info.cmdline, "abc");
    assert_int_equal(f->info.mmap_count, 0);
}

static void test_total_size_below_16(void **state)
{
    struct fixture *f = *state;

    set_total_size(f, 8);

    assert_false(parse(f));
    assert_only_report(f, "multiboot2: fixed part: total_size 8 < 16");
    assert_int_equal(f->info.total_size, 0);
}

static void test_max_size_below_8(void **state)
{
    struct fixture *f = *state;

    finish(f);

    assert_false(parse_max(f, 4));
    assert_only_report(f, "multiboot2: fixed part: max_size 4 < 8");
}

static void test_unaligned_structure(void **state)
{
    struct fixture *f = *state;
    char expected[DIAG_LINE_MAX];

    finish(f);
    f->copy = malloc(f->used + 8);
    assert_non_null(f->copy);
    memcpy(f->copy + 4, bytes(f), f->used);
    snprintf(expected, sizeof(expected), "multiboot2: structure at 0x%llx not 8-byte aligned",
             (unsigned long long)(uintptr_t)(f->copy + 4));

    assert_false(mb2_parse(f->copy + 4, f->used, &f->info, &f->diag));
    assert_only_report(f, expected);
}

static void test_null_structure(void **state)
{
    struct fixture *f = *state;

    assert_false(mb2_parse(NULL, 4096, &f->info, &f->diag));
    assert_only_report(f, "multiboot2: structure at 0x0 not present");
}

/* ---- per-tag problems -------------------------------------------------------------- */

static void test_cmdline_not_terminated(void **state)
{
    struct fixture *f = *state;

    memcpy(add_tag(f, MB2_TAG_CMDLINE, 8 + 4), "abcd", 4);
    add_string_tag(f, MB2_TAG_LOADER_NAME, "GRUB 2.06");
    finish(f);

    assert_true(parse(f));
    assert_only_report(f, "multiboot2: command line: string not NUL-terminated");
    assert_null(f->info.cmdline);
    assert_string_equal(f->info.loader_name, "GRUB 2.06");
}

static void test_module_end_not_after_start(void **state)
{
    struct fixture *f = *state;

    add_module(f, 0x100000, 0x200000, "first");
    add_module(f, 0x2000, 0x1000, "backwards");
    add_module(f, 0x300000, 0x301000, "third");
    finish(f);

    assert_true(parse(f));
    assert_only_report(f, "multiboot2: module: mod_end 0x1000 <= mod_start 0x2000");
    assert_int_equal(f->info.module_count, 2);
    assert_string_equal(f->info.modules[0].cmdline, "first");
    assert_string_equal(f->info.modules[1].cmdline, "third");
    assert_int_equal(f->info.modules[1].start, 0x300000);
}

static void test_module_empty(void **state)
{
    struct fixture *f = *state;

    add_module(f, 0x5000, 0x5000, "empty");
    finish(f);

    assert_true(parse(f));
    assert_only_report(f, "multiboot2: module: mod_end 0x5000 <= mod_start 0x5000");
    assert_int_equal(f->info.module_count, 0);
}

static void test_module_string_not_terminated(void **state)
{
    struct fixture *f = *state;
    uint8_t *payload = add_tag(f, MB2_TAG_MODULE, 16 + 3);

    put_u32(payload, 0x1000);
    put_u32(payload + 4, 0x2000);
    memcpy(payload + 8, "abc", 3);
    add_module(f, 0x3000, 0x4000, "good");
    finish(f);

    assert_true(parse(f));
    assert_only_report(f, "multiboot2: module: string not NUL-terminated");
    assert_int_equal(f->info.module_count, 1);
    assert_string_equal(f->info.modules[0].cmdline, "good");
}

static void test_module_tag_too_short(void **state)
{
    struct fixture *f = *state;

    put_u32(add_tag(f, MB2_TAG_MODULE, 12), 0x1000);
    finish(f);

    assert_true(parse(f));
    assert_only_report(f, "multiboot2: module: size 12 < 17");
    assert_int_equal(f->info.module_count, 0);
}

static void test_too_many_modules(void **state)
{
    struct fixture *f = *state;
    char name[16];

    for (uint32_t i = 0; i < MB2_MAX_MODULES + 2; i++) {
        snprintf(name, sizeof(name), "mod%u", (unsigned)i);
        add_module(f, 0x1000000 + i * 0x10000, 0x1000000 + i * 0x10000 + 0x1000, name);
    }
    finish(f);

    assert_true(parse(f));
    assert_only_report(f, "multiboot2: module: module 17 and later ignored, at most 16");
    assert_int_equal(f->info.module_count, MB2_MAX_MODULES);
    assert_string_equal(f->info.modules[MB2_MAX_MODULES - 1].cmdline, "mod15");
}

static void test_acpi_old_rsdp_too_short(void **state)
{
    struct fixture *f = *state;

    add_rsdp(f, MB2_TAG_ACPI_OLD, 16);
    add_rsdp(f, MB2_TAG_ACPI_NEW, 36);
    finish(f);

    assert_true(parse(f));
    assert_only_report(f, "multiboot2: ACPI old RSDP: size 24 < 28");
    assert_null(f->info.rsdp_old);
    assert_int_equal(f->info.rsdp_old_size, 0);
    assert_non_null(f->info.rsdp_new);
}

static void test_acpi_new_rsdp_too_short(void **state)
{
    struct fixture *f = *state;

    add_rsdp(f, MB2_TAG_ACPI_OLD, 20);
    add_rsdp(f, MB2_TAG_ACPI_NEW, 20);          /* a v1 RSDP in the v2 tag */
    finish(f);

    assert_true(parse(f));
    assert_only_report(f, "multiboot2: ACPI new RSDP: size 28 < 44");
    assert_null(f->info.rsdp_new);
    assert_non_null(f->info.rsdp_old);
    assert_int_equal(f->info.rsdp_old_size, 20);
}

static void test_duplicate_cmdline(void **state)
{
    struct fixture *f = *state;

    add_string_tag(f, MB2_TAG_CMDLINE, "first");
    add_string_tag(f, MB2_TAG_CMDLINE, "second");
    finish(f);

    assert_true(parse(f));
    assert_only_report(f, "multiboot2: command line: duplicate tag");
    assert_string_equal(f->info.cmdline, "first");
}

static void test_duplicate_acpi_new_rsdp(void **state)
{
    struct fixture *f = *state;

    uint32_t first_offset = f->used + 8;
    add_rsdp(f, MB2_TAG_ACPI_NEW, 36);
    add_rsdp(f, MB2_TAG_ACPI_NEW, 36);
    finish(f);

    assert_true(parse(f));
    assert_only_report(f, "multiboot2: ACPI new RSDP: duplicate tag");
    assert_ptr_equal(f->info.rsdp_new, f->copy + first_offset);
}

static void test_basic_meminfo_wrong_size(void **state)
{
    struct fixture *f = *state;

    put_u32(add_tag(f, MB2_TAG_BASIC_MEMINFO, 12), 639);
    add_mmap(f, two_ram_entries, 2);
    finish(f);

    assert_true(parse(f));
    assert_only_report(f, "multiboot2: basic memory info: size 12 != 16");
    assert_false(f->info.has_basic_meminfo);
    assert_int_equal(f->info.mem_lower_kib, 0);
    assert_int_equal(f->info.mmap_count, 2);
}

static void test_efi64_wrong_size(void **state)
{
    struct fixture *f = *state;

    put_u32(add_tag(f, MB2_TAG_EFI64, 12), 0x7f9e1018u);
    add_tag(f, MB2_TAG_EFI_BS, 8);
    finish(f);

    assert_true(parse(f));
    assert_only_report(f, "multiboot2: EFI 64-bit system table: size 12 != 16");
    assert_false(f->info.efi64);
    assert_int_equal(f->info.efi_system_table, 0);
    assert_true(f->info.efi_boot_services);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_realistic_grub_structure),
        T(test_efi64_with_boot_services),
        T(test_efi32_and_efi64_prefers_64),
        T(test_unknown_and_unused_tags_skipped),
        T(test_tag_names),
        T(test_mmap_largest_end_kept),
        T(test_no_diag_sink_still_counts),
        T(test_mmap_entry_size_too_small),
        T(test_mmap_entry_size_not_multiple_of_8),
        T(test_mmap_trailing_bytes),
        T(test_mmap_tag_too_short),
        T(test_mmap_entry_length_zero),
        T(test_mmap_entry_overflows_64_bits),
        T(test_mmap_too_many_entries),
        T(test_tag_size_below_8),
        T(test_tag_runs_past_total_size),
        T(test_missing_end_tag),
        T(test_missing_end_tag_with_short_tail),
        T(test_end_tag_wrong_size),
        T(test_total_size_larger_than_max_size),
        T(test_max_size_cuts_a_tag),
        T(test_total_size_below_16),
        T(test_max_size_below_8),
        T(test_unaligned_structure),
        T(test_null_structure),
        T(test_cmdline_not_terminated),
        T(test_module_end_not_after_start),
        T(test_module_empty),
        T(test_module_string_not_terminated),
        T(test_module_tag_too_short),
        T(test_too_many_modules),
        T(test_acpi_old_rsdp_too_short),
        T(test_acpi_new_rsdp_too_short),
        T(test_duplicate_cmdline),
        T(test_duplicate_acpi_new_rsdp),
        T(test_basic_meminfo_wrong_size),
        T(test_efi64_wrong_size),
        T(test_framebuffer_rgb),
        T(test_framebuffer_ega_text),
        T(test_framebuffer_too_short),
        T(test_framebuffer_rgb_without_colour_fields),
        T(test_framebuffer_duplicate),
    };

    return cmocka_run_group_tests_name("multiboot2", tests, NULL, NULL);
}
