/* Host unit tests for guest/bzimage_loader.c against the headers of real Debian kernels
 * (tests/unit/fixtures/bzimage): Linux boot protocol offsets are written out here from
 * Documentation/arch/x86/boot.rst and zero-page.rst, not taken from guest/bzimage_spec.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag_sink.h"
#include "guest/bzimage_loader.h"

#define FIXTURE_DIR     "tests/unit/fixtures/bzimage"
#define DEBIAN          "vmlinuz-6.1.0-57-amd64.head"
#define CLOUD           "vmlinuz-6.1.0-57-cloud-amd64.head"
#define FIXTURE_SIZE    16384u
#define MIB             0x100000ull

/* What a hexdump of each fixture shows (the same for both but syssize and init_size). */
#define SETUP_SIZE      ((0x27 + 1) * 512)
#define DEBIAN_SYSSIZE  0x7d820u
#define DEBIAN_INIT     0x3f98000u
#define CLOUD_SYSSIZE   0xd8320u
#define CLOUD_INIT      0x3378000u
#define PREF_ADDRESS    0x1000000ull

#define ZERO_PAGE       0x2000ull
#define CMDLINE_GPA     0x48000ull

/* Little-endian fields, byte by byte: the test assumes nothing about the host. */
static uint64_t get(const uint8_t *p, unsigned n)
{
    uint64_t v = 0;
    while (n--)
        v = v << 8 | p[n];
    return v;
}

static void put(uint8_t *p, uint64_t v, unsigned n)
{
    for (unsigned i = 0; i < n; i++, v >>= 8)
        p[i] = (uint8_t)v;
}

/* One test's world: a fixture padded to the size its header claims, guest memory, the
 * loader's input and output, and its reports. */
struct world {
    uint8_t *image;
    uint64_t image_size;
    uint8_t *memory;
    uint64_t memory_size;
    struct loader_module modules[2];
    struct loader_input in;
    struct loader_output out;
    struct sink sink;
};

static const struct partition_config linux_config = { .name = "linux", .format = IMAGE_BZIMAGE };

/* Reads the fixture and pads it with zeros to setup + syssize * 16 bytes (or keeps its 16 KiB
 * when pad is false). */
static void load_fixture(struct world *w, const char *name, bool pad)
{
    char path[256];
    uint8_t head[FIXTURE_SIZE];

    snprintf(path, sizeof(path), "%s/%s", FIXTURE_DIR, name);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    assert_int_equal(fread(head, 1, sizeof(head), f), FIXTURE_SIZE);
    fclose(f);
    w->image_size = pad ? SETUP_SIZE + get(head + 0x1F4, 4) * 16 : FIXTURE_SIZE;
    w->image = calloc(1, w->image_size);
    assert_non_null(w->image);
    memcpy(w->image, head, FIXTURE_SIZE);
}

static struct world *make_world(const char *fixture, uint64_t memory_size)
{
    struct world *w = calloc(1, sizeof(*w));
    assert_non_null(w);
    load_fixture(w, fixture, true);
    w->memory_size = memory_size;
    w->memory = calloc(1, memory_size);
    assert_non_null(w->memory);
    sink_reset(&w->sink);
    w->in = (struct loader_input){
        .image = w->image, .image_size = w->image_size,
        .memory = w->memory, .memory_size = memory_size,
        .config = &linux_config, .modules = w->modules,
    };
    return w;
}

static void free_world(struct world *w)
{
    free(w->image);
    free(w->memory);
    free(w);
}

static bool load(struct world *w)
{
    w->in.image = w->image;
    w->in.image_size = w->image_size;
    return bzimage_load(&w->in, &w->out, &w->sink.diag);
}

/* ---- the headers as the fixtures have them ------------------------------------------ */

static void test_debian_header(void **state)
{
    (void)state;
    struct world *w = make_world(DEBIAN, 2 * MIB);
    struct bzimage_header h;
    assert_true(bzimage_parse_header(w->image, w->image_size, &h, &w->sink.diag));
    assert_int_equal(h.version, 0x020F);
    assert_int_equal(h.setup_size, SETUP_SIZE);
    assert_int_equal(h.syssize, DEBIAN_SYSSIZE);
    assert_int_equal(h.kernel_size, DEBIAN_SYSSIZE * 16);
    assert_int_equal(h.loadflags, 0x01);
    assert_int_equal(h.xloadflags, 0x7F);
    assert_int_equal(h.kernel_alignment, 0x200000);
    assert_int_equal(h.relocatable, 1);
    assert_int_equal(h.min_alignment, 21);
    assert_int_equal(h.initrd_addr_max, 0x7FFFFFFF);
    assert_int_equal(h.cmdline_size, 0x7FF);
    assert_int_equal(h.pref_address, PREF_ADDRESS);
    assert_int_equal(h.init_size, DEBIAN_INIT);
    assert_int_equal(h.handover_offset, 0x7C8D20);
    assert_int_equal(h.header_end, 0x26C);
    assert_int_equal(w->sink.count, 0);
    free_world(w);
}

static void test_cloud_header(void **state)
{
    (void)state;
    struct world *w = make_world(CLOUD, 2 * MIB);
    struct bzimage_header h;
    assert_true(bzimage_parse_header(w->image, w->image_size, &h, &w->sink.diag));
    assert_int_equal(h.version, 0x020F);
    assert_int_equal(h.setup_size, SETUP_SIZE);
    assert_int_equal(h.syssize, CLOUD_SYSSIZE);
    assert_int_equal(h.xloadflags, 0x7F);
    assert_int_equal(h.kernel_alignment, 0x200000);
    assert_int_equal(h.init_size, CLOUD_INIT);
    assert_int_equal(h.handover_offset, 0xD735C0);
    assert_int_equal(h.pref_address, PREF_ADDRESS);
    free_world(w);
}

/* ---- a full load --------------------------------------------------------------------- */

/* The guest's 4-level walk, 2 MiB leaves: the physical address or UINT64_MAX when absent. */
static uint64_t walk(const uint8_t *mem, uint64_t cr3, uint64_t va)
{
    uint64_t table = cr3;
    for (int shift = 39; shift >= 21; shift -= 9) {
        uint64_t e = get(mem + table + ((va >> shift) & 511) * 8, 8);
        if (!(e & 1))
            return UINT64_MAX;
        if (shift == 21)
            return (e & 0x000FFFFFFFE00000ull) | (va & 0x1FFFFF);
        assert_false(e & (1ull << 63));        /* NX clear: EFER.NXE is off at entry */
        table = e & 0x000FFFFFFFFFF000ull;
    }
    return UINT64_MAX;
}

static void test_full_load(void **state)
{
    (void)state;
    struct world *w = make_world(DEBIAN, 128 * MIB);
    uint64_t kernel_size = DEBIAN_SYSSIZE * 16;
    /* Markers at the first and last byte of the protected-mode kernel. */
    w->image[SETUP_SIZE] = 0x4B;
    w->image[w->image_size - 1] = 0x45;
    static uint8_t initrd[0x12345];
    for (size_t i = 0; i < sizeof(initrd); i++)
        initrd[i] = (uint8_t)(i * 7 + 1);
    w->modules[0] = (struct loader_module){ initrd, sizeof(initrd), "" };
    w->in.module_count = 1;
    w->in.cmdline = "console=ttyS0 earlyprintk=serial";
    w->in.acpi_rsdp_gpa = 0xE0000;
    assert_true(load(w));
    assert_int_equal(w->sink.count, 0);

    const uint8_t *m = w->memory, *zp = m + ZERO_PAGE;
    assert_int_equal(w->out.image_start, PREF_ADDRESS);
    assert_int_equal(w->out.image_end, PREF_ADDRESS + kernel_size);
    assert_int_equal(m[PREF_ADDRESS], 0x4B);
    assert_int_equal(m[PREF_ADDRESS + kernel_size - 1], 0x45);

    /* The setup header, copied from 0x1F1 to its end at 0x26C, and the loader's fields. */
    assert_int_equal(zp[0x1EF], 0);                     /* sentinel */
    assert_int_equal(zp[0x1F1], 0x27);
    assert_int_equal(get(zp + 0x202, 4), 0x53726448);
    assert_int_equal(get(zp + 0x206, 2), 0x020F);
    assert_int_equal(get(zp + 0x230, 4), 0x200000);
    assert_int_equal(get(zp + 0x260, 4), DEBIAN_INIT);
    assert_int_equal(get(zp + 0x268, 4), get(w->image + 0x268, 4));     /* kernel_info_offset */
    assert_int_equal(get(zp + 0x26C, 4), 0);
    assert_int_equal(zp[0x210], 0xFF);                  /* type_of_loader */
    assert_int_equal(zp[0x211], 0x01);                  /* loadflags: LOADED_HIGH */
    assert_int_equal(get(zp + 0x228, 4), CMDLINE_GPA);  /* cmd_line_ptr */
    assert_int_equal(get(zp + 0x0C8, 4), 0);            /* ext_cmd_line_ptr */
    assert_string_equal((const char *)m + CMDLINE_GPA, "console=ttyS0 earlyprintk=serial");
    /* The initrd: the highest page below 128 MiB that holds it. */
    uint64_t initrd_gpa = (128 * MIB - sizeof(initrd)) & ~0xFFFull;
    assert_int_equal(initrd_gpa, 0x7FED000);
    assert_int_equal(get(zp + 0x218, 4), initrd_gpa);
    assert_int_equal(get(zp + 0x21C, 4), sizeof(initrd));
    assert_int_equal(get(zp + 0x0C0, 4), 0);
    assert_int_equal(get(zp + 0x0C4, 4), 0);
    assert_memory_equal(m + initrd_gpa, initrd, sizeof(initrd));
    assert_int_equal(get(zp + 0x070, 8), 0xE0000);      /* acpi_rsdp_addr */
    assert_int_equal(get(zp + 0x250, 8), 0);            /* setup_data */

    /* e820: low RAM, the legacy hole with the firmware tables, RAM from 1 MiB. */
    static const uint64_t e820[3][3] = {
        { 0, 0x9FC00, 1 }, { 0x9FC00, 0x60400, 2 }, { 0x100000, 127 * MIB, 1 } };
    assert_int_equal(zp[0x1E8], 3);
    for (unsigned i = 0; i < 3; i++) {
        const uint8_t *e = zp + 0x2D0 + i * 20;
        assert_int_equal(get(e, 8), e820[i][0]);
        assert_int_equal(get(e + 8, 8), e820[i][1]);
        assert_int_equal(get(e + 16, 4), e820[i][2]);
    }
    assert_int_equal(get(zp + 0x2D0 + 3 * 20, 8) | get(zp + 0x2D0 + 3 * 20 + 8, 8), 0);

    /* Entry: 64-bit at load + 0x200, RSI = zero page, Linux's boot selectors, IF clear. */
    const struct vcpu_entry *e = &w->out.entry;
    assert_int_equal(e->cpu.rip, PREF_ADDRESS + 0x200);
    assert_int_equal(e->regs.rsi, ZERO_PAGE);
    assert_int_equal(e->regs.rax | e->regs.rbx | e->regs.rcx | e->regs.rdx | e->regs.rdi |
                     e->regs.rbp | e->regs.r8 | e->regs.r15, 0);
    assert_int_equal(e->cpu.cs.selector, 0x10);
    assert_int_equal(e->cpu.ds.selector, 0x18);
    assert_int_equal(e->cpu.ss.selector, 0x18);
    assert_int_equal(e->cpu.es.selector, 0x18);
    assert_int_equal(e->cpu.tr.selector, 0x20);
    assert_int_equal(e->cpu.rflags, 0x2);
    assert_int_equal(e->cpu.cr0 & 0x80000001u, 0x80000001u);    /* PG, PE */
    assert_int_equal(e->cpu.cr4 & (1u << 5), 1u << 5);          /* PAE */
    assert_int_equal(e->cpu.efer & 0x500, 0x500);               /* LME, LMA */
    assert_int_equal(e->cpu.efer & 0x800, 0);                   /* NXE */
    uint64_t code = get(m + e->cpu.gdtr_base + 0x10, 8), data = get(m + e->cpu.gdtr_base + 0x18, 8);
    assert_true(code & (1ull << 53));                   /* L */
    assert_int_equal((code >> 40) & 0x9A, 0x9A);        /* present, code, readable */
    assert_int_equal((data >> 40) & 0x9A, 0x92);        /* present, data, writable */
    assert_int_equal(e->cpu.gdtr_limit, 0x2F);

    /* The identity map covers the kernel's whole region, the zero page, command line, initrd
     * and the rest of memory. */
    static const uint64_t probes[] = { ZERO_PAGE, CMDLINE_GPA, PREF_ADDRESS + 0x200,
                                       PREF_ADDRESS + DEBIAN_INIT - 1, 0x7FED000, 128 * MIB - 1 };
    for (unsigned i = 0; i < sizeof(probes) / sizeof(probes[0]); i++)
        assert_int_equal(walk(m, e->cpu.cr3, probes[i]), probes[i]);
    assert_int_equal(walk(m, e->cpu.cr3, 128 * MIB), UINT64_MAX);
    /* The loader's low structures stay below the stack and clear of each other. */
    assert_true(e->cpu.cr3 > ZERO_PAGE && e->cpu.cr3 < CMDLINE_GPA);
    assert_int_equal(e->cpu.rsp, 0x80000);
    free_world(w);
}

static void test_cloud_without_initrd_or_cmdline(void **state)
{
    (void)state;
    struct world *w = make_world(CLOUD, 96 * MIB);
    memset(w->memory + CMDLINE_GPA, 'x', 16);   /* an empty line must be written, not left */
    assert_true(load(w));
    const uint8_t *zp = w->memory + ZERO_PAGE;
    assert_int_equal(w->out.entry.cpu.rip, PREF_ADDRESS + 0x200);
    assert_int_equal(w->out.image_end, PREF_ADDRESS + CLOUD_SYSSIZE * 16);
    assert_int_equal(get(zp + 0x218, 4) | get(zp + 0x21C, 4), 0);
    assert_int_equal(get(zp + 0x070, 8), 0);
    assert_int_equal(get(zp + 0x228, 4), CMDLINE_GPA);
    assert_string_equal((const char *)w->memory + CMDLINE_GPA, "");
    assert_int_equal(get(zp + 0x2D0 + 2 * 20 + 8, 8), 95 * MIB);
    free_world(w);
}

/* Several modules make one initrd, each from a 4-byte boundary, zero-padded in between. */
static void test_modules_concatenate(void **state)
{
    (void)state;
    struct world *w = make_world(DEBIAN, 128 * MIB);
    w->modules[0] = (struct loader_module){ "AB", 2, "" };
    w->modules[1] = (struct loader_module){ "xyz", 3, "" };
    w->in.module_count = 2;
    memset(w->memory + 0x7FFF000, 0xEE, 0x1000);
    assert_true(load(w));
    const uint8_t *zp = w->memory + ZERO_PAGE;
    assert_int_equal(get(zp + 0x218, 4), 0x7FFF000);
    assert_int_equal(get(zp + 0x21C, 4), 7);
    assert_memory_equal(w->memory + 0x7FFF000, "AB\0\0xyz", 7);
    free_world(w);
}

/* An empty module (its data may be NULL) adds nothing; only empty ones make no initrd. */
static void test_empty_modules(void **state)
{
    (void)state;
    struct world *w = make_world(DEBIAN, 128 * MIB);
    w->modules[0] = (struct loader_module){ NULL, 0, "" };
    w->in.module_count = 1;
    assert_true(load(w));
    assert_int_equal(get(w->memory + ZERO_PAGE + 0x218, 4), 0);
    assert_int_equal(get(w->memory + ZERO_PAGE + 0x21C, 4), 0);
    w->modules[1] = (struct loader_module){ "xyz", 3, "" };
    w->in.module_count = 2;
    assert_true(load(w));
    assert_int_equal(get(w->memory + ZERO_PAGE + 0x218, 4), 0x7FFF000);
    assert_int_equal(get(w->memory + ZERO_PAGE + 0x21C, 4), 3);
    assert_memory_equal(w->memory + 0x7FFF000, "xyz", 3);
    free_world(w);
}

/* An initrd too large for the room above the kernel goes below it, above 1 MiB. */
static void test_initrd_below_kernel(void **state)
{
    (void)state;
    struct world *w = make_world(DEBIAN, 80 * MIB);
    static uint8_t initrd[MIB];
    w->modules[0] = (struct loader_module){ initrd, sizeof(initrd), "" };
    w->in.module_count = 1;
    assert_true(load(w));
    assert_int_equal(get(w->memory + ZERO_PAGE + 0x218, 4), PREF_ADDRESS - MIB);
    free_world(w);
}

/* initrd_addr_max is the highest byte the initrd may occupy. */
static void test_initrd_addr_max(void **state)
{
    (void)state;
    struct world *w = make_world(DEBIAN, 128 * MIB);
    put(w->image + 0x22C, 0x5FFFFFF, 4);
    w->modules[0] = (struct loader_module){ "initrd", 6, "" };
    w->in.module_count = 1;
    assert_true(load(w));
    assert_int_equal(get(w->memory + ZERO_PAGE + 0x218, 4), 0x5FFF000);
    free_world(w);
}

/* A relocatable kernel whose preferred address is below 1 MiB or unaligned moves up to the
 * next kernel_alignment boundary. */
static void test_relocation(void **state)
{
    (void)state;
    struct world *w = make_world(DEBIAN, 128 * MIB);
    put(w->image + 0x258, 0x80000, 8);
    assert_true(load(w));
    assert_int_equal(w->out.image_start, 0x200000);
    assert_int_equal(w->out.entry.cpu.rip, 0x200200);
    put(w->image + 0x258, 0x1100000, 8);
    assert_true(load(w));
    assert_int_equal(w->out.image_start, 0x1200000);
    free_world(w);
}

/* syssize counts 16-byte paragraphs: a last partial one is fine, a missing one is not. */
static void test_syssize_slack(void **state)
{
    (void)state;
    struct world *w = make_world(DEBIAN, 128 * MIB);
    w->image_size -= 15;
    assert_true(load(w));
    assert_int_equal(w->out.image_end, PREF_ADDRESS + DEBIAN_SYSSIZE * 16 - 15);
    w->image_size -= 1;
    assert_false(load(w));
    ASSERT_LINES(&w->sink, "bzImage: truncated: kernel needs 8225280 bytes (syssize 0x7d820) "
                 "after the setup, image has 8225264");
    free_world(w);
}

/* ---- refusals ------------------------------------------------------------------------ */

static void expect_refusal(struct world *w, const char *line)
{
    assert_false(load(w));
    assert_lines(&w->sink, 1, &line);
    free_world(w);
}

static void test_truncated_fixture(void **state)
{
    (void)state;
    struct world *w = make_world(DEBIAN, 128 * MIB);
    w->image_size = FIXTURE_SIZE;       /* the fixture as it is: the setup alone is 20 KiB */
    expect_refusal(w, "bzImage: truncated: setup needs 20480 bytes, image has 16384");
}

static void test_truncated_header(void **state)
{
    (void)state;
    struct world *w = make_world(DEBIAN, 128 * MIB);
    w->image_size = 0x267;
    expect_refusal(w, "bzImage: truncated: image of 615 bytes ends inside the setup header "
                   "(0x268)");
}

static void test_no_hdrs(void **state)
{
    (void)state;
    struct world *w = make_world(DEBIAN, 128 * MIB);
    w->image[0x205] = 0;
    expect_refusal(w, "bzImage: no \"HdrS\" at 0x202 (found 0x00726448), not a Linux kernel");
}

static void test_protocol_2_11(void **state)
{
    (void)state;
    struct world *w = make_world(DEBIAN, 128 * MIB);
    put(w->image + 0x206, 0x020B, 2);
    expect_refusal(w, "bzImage: boot protocol 2.11 is older than 2.12");
}

static void test_boot_flag(void **state)
{
    (void)state;
    struct world *w = make_world(DEBIAN, 128 * MIB);
    put(w->image + 0x1FE, 0x55AA, 2);
    expect_refusal(w, "bzImage: boot flag 0x55aa at 0x1fe, not 0xaa55");
}

static void test_header_end(void **state)
{
    (void)state;
    struct world *w = make_world(DEBIAN, 128 * MIB);
    w->image[0x201] = 0x8F;
    expect_refusal(w, "bzImage: setup header ends at 0x291, outside 0x268..0x290");
}

static void test_zimage(void **state)
{
    (void)state;
    struct world *w = make_world(DEBIAN, 128 * MIB);
    w->image[0x211] = 0x80;
    expect_refusal(w, "bzImage: a zImage (LOADED_HIGH clear in loadflags 0x80)");
}

static void test_32_bit_only(void **state)
{
    (void)state;
    struct world *w = make_world(CLOUD, 128 * MIB);
    put(w->image + 0x236, 0x7E, 2);
    expect_refusal(w, "bzImage: not a 64-bit kernel (XLF_KERNEL_64 clear)");
}

static void test_syssize_zero(void **state)
{
    (void)state;
    struct world *w = make_world(DEBIAN, 128 * MIB);
    put(w->image + 0x1F4, 0, 4);
    expect_refusal(w, "bzImage: syssize 0, no protected-mode kernel");
}

static void test_kernel_before_entry(void **state)
{
    (void)state;
    struct world *w = make_world(DEBIAN, 128 * MIB);
    put(w->image + 0x1F4, 0x20, 4);
    expect_refusal(w, "bzImage: kernel of 512 bytes ends before its 64-bit entry at +0x200");
}

static void test_alignment_not_power_of_two(void **state)
{
    (void)state;
    struct world *w = make_world(DEBIAN, 128 * MIB);
    put(w->image + 0x230, 0x300000, 4);
    expect_refusal(w, "bzImage: kernel_alignment 0x300000 is not a power of two");
}

static void test_init_size_below_kernel(void **state)
{
    (void)state;
    struct world *w = make_world(DEBIAN, 128 * MIB);
    put(w->image + 0x260, 0x7D8000, 4);
    expect_refusal(w, "bzImage: init_size 0x7d8000 is smaller than the kernel (0x7d8200 bytes)");
}

static void test_memory_too_small_for_init_size(void **state)
{
    (void)state;
    struct world *w = make_world(DEBIAN, 64 * MIB);
    expect_refusal(w, "bzImage: kernel needs 0x1000000+0x3f98000 (init_size) but the partition "
                   "has 0x4000000 bytes");
}

static void test_not_relocatable(void **state)
{
    (void)state;
    struct world *w = make_world(DEBIAN, 128 * MIB);
    w->image[0x234] = 0;
    put(w->image + 0x258, 0x80000, 8);
    expect_refusal(w, "bzImage: kernel is not relocatable and its 0x80000+0x3f98000 (pref_address "
                   "+ init_size) is not RAM above 1 MiB of the partition (0x8000000 bytes)");
}

static void test_initrd_too_large(void **state)
{
    (void)state;
    struct world *w = make_world(DEBIAN, 128 * MIB);
    uint8_t *initrd = calloc(1, 64 * MIB);
    w->modules[0] = (struct loader_module){ initrd, 64 * MIB, "" };
    w->in.module_count = 1;
    expect_refusal(w, "bzImage: initrd of 67108864 bytes does not fit the partition below "
                   "0x8000000 outside the kernel's 0x1000000-0x4f98000");
    free(initrd);
}

static void test_cmdline_too_long(void **state)
{
    (void)state;
    static char line[BZIMAGE_CMDLINE_MAX + 1];
    struct world *w = make_world(DEBIAN, 128 * MIB);
    memset(line, 'a', 0x7FF);
    w->in.cmdline = line;
    assert_true(load(w));                       /* exactly cmdline_size characters */
    assert_int_equal(strlen((const char *)w->memory + CMDLINE_GPA), 0x7FF);
    line[0x7FF] = 'a';
    expect_refusal(w, "bzImage: command line of 2048 bytes is longer than the kernel's "
                   "cmdline_size 2047");

    w = make_world(DEBIAN, 128 * MIB);
    put(w->image + 0x238, 0x100000, 4);
    memset(line, 'a', BZIMAGE_CMDLINE_MAX);
    w->in.cmdline = line;
    expect_refusal(w, "bzImage: command line longer than the loader's 32767 bytes");
}

static void test_memory_size(void **state)
{
    (void)state;
    struct world *w = make_world(DEBIAN, 128 * MIB);
    w->in.memory_size = 128 * MIB - 0x1000;
    expect_refusal(w, "guest boot: memory size 0x7fff000 not a multiple of 2 MiB");
}

/* The loader table finds it. */
static void test_registered(void **state)
{
    (void)state;
    const struct guest_loader *l = guest_loader_find(IMAGE_BZIMAGE);
    assert_non_null(l);
    assert_string_equal(l->name, "bzImage");
    assert_ptr_equal(l->load, bzimage_load);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_debian_header),
        cmocka_unit_test(test_cloud_header),
        cmocka_unit_test(test_full_load),
        cmocka_unit_test(test_cloud_without_initrd_or_cmdline),
        cmocka_unit_test(test_modules_concatenate),
        cmocka_unit_test(test_empty_modules),
        cmocka_unit_test(test_initrd_below_kernel),
        cmocka_unit_test(test_initrd_addr_max),
        cmocka_unit_test(test_relocation),
        cmocka_unit_test(test_syssize_slack),
        cmocka_unit_test(test_truncated_fixture),
        cmocka_unit_test(test_truncated_header),
        cmocka_unit_test(test_no_hdrs),
        cmocka_unit_test(test_protocol_2_11),
        cmocka_unit_test(test_boot_flag),
        cmocka_unit_test(test_header_end),
        cmocka_unit_test(test_zimage),
        cmocka_unit_test(test_32_bit_only),
        cmocka_unit_test(test_syssize_zero),
        cmocka_unit_test(test_kernel_before_entry),
        cmocka_unit_test(test_alignment_not_power_of_two),
        cmocka_unit_test(test_init_size_below_kernel),
        cmocka_unit_test(test_memory_too_small_for_init_size),
        cmocka_unit_test(test_not_relocatable),
        cmocka_unit_test(test_initrd_too_large),
        cmocka_unit_test(test_cmdline_too_long),
        cmocka_unit_test(test_memory_size),
        cmocka_unit_test(test_registered),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
