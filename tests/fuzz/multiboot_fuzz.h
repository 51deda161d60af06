/* libFuzzer targets of the multiboot loaders: what fuzz_multiboot_loader.c and
 * fuzz_multiboot2_loader.c share. The input is a scenario prefix, then the kernel image:
 *   u8  module count (low 2 bits: 0-3)
 *   u8  bit 0: a command line; bits 1-2: ACPI RSDP none, revision 0 or 2 at 0xE0000, or at
 *       the gpa that follows (revision 2)
 *   u32 that RSDP gpa
 *   u32 x3 module sizes: below 64 KiB, or with bit 31 set up to FUZZ_MEMORY + 1 page (so
 *       some cannot fit)
 *   ... the image (all the rest)
 * Guest memory is FUZZ_MEMORY bytes, allocated once: the loaders read nothing of it but the
 * RSDP, which each input writes, so what earlier inputs left there changes nothing. */
#ifndef TESTS_FUZZ_MULTIBOOT_FUZZ_H
#define TESTS_FUZZ_MULTIBOOT_FUZZ_H

#include "tests/fuzz/fuzz_common.h"

#include "guest/loader.h"
#include "guest/multiboot_loader.h"

#define FUZZ_MEMORY         (4ull << 20)
#define FUZZ_MODULES_MAX    3u
#define FUZZ_RSDP_GPA       0xE0000u
#define FUZZ_CMDLINE        "console=ttyS0 root=/dev/ram0"
#define FUZZ_PAGE           0x1000u

struct scenario {
    uint8_t *memory;
    uint8_t *image;
    uint64_t image_size;
    uint8_t *module_data[FUZZ_MODULES_MAX];
    struct loader_module modules[FUZZ_MODULES_MAX];
    uint8_t rsdp[36];               /* what the partition's tables hold at the RSDP */
    struct loader_input in;
    struct loader_output out;
    struct fuzz_diag sink;
};

static inline uint8_t *fuzz_memory(void)
{
    static uint8_t *memory;

    if (!memory)
        memory = calloc(1, FUZZ_MEMORY);
    if (!memory)
        abort();
    return memory;
}

/* Reads the prefix, builds modules and the RSDP, and runs load; true when it loaded. */
static inline bool scenario_run(struct scenario *s, const uint8_t *data, size_t size,
                                bool (*load)(const struct loader_input *,
                                             struct loader_output *, const struct diag *))
{
    static const char *const module_strings[FUZZ_MODULES_MAX] = { "initrd", "", "a b c" };
    struct fuzz_input in = fuzz_input(data, size);
    uint32_t count = fuzz_u8(&in) & 3u;
    uint8_t flags = fuzz_u8(&in);
    uint32_t rsdp_gpa = fuzz_u32(&in);

    memset(s, 0, sizeof(*s));
    s->memory = fuzz_memory();
    for (uint32_t i = 0; i < FUZZ_MODULES_MAX; i++) {
        uint32_t raw = fuzz_u32(&in);
        uint64_t module_size = raw & 0x80000000u ? raw % (FUZZ_MEMORY + FUZZ_PAGE) : raw & 0xFFFFu;
        if (i >= count)
            continue;
        s->module_data[i] = malloc(module_size ? module_size : 1);
        if (!s->module_data[i])
            abort();
        memset(s->module_data[i], 0x3B * (int)(i + 1), module_size);
        s->modules[i] = (struct loader_module){ s->module_data[i], module_size,
                                                module_strings[i] };
    }
    unsigned rsdp_mode = (flags >> 1) & 3u;
    if (rsdp_mode) {
        for (unsigned i = 0; i < sizeof(s->rsdp); i++)
            s->rsdp[i] = (uint8_t)(0x52 + 3 * i);
        s->rsdp[15] = rsdp_mode == 1 ? 0 : 2;
        uint64_t gpa = rsdp_mode == 3 ? rsdp_gpa : FUZZ_RSDP_GPA;
        for (uint64_t i = 0; i < sizeof(s->rsdp) && gpa + i < FUZZ_MEMORY; i++)
            s->memory[gpa + i] = s->rsdp[i];
        s->in.acpi_rsdp_gpa = gpa;
    }

    size_t image_size;
    const uint8_t *image = fuzz_take(&in, fuzz_left(&in), &image_size);
    s->image = fuzz_dup(image, image_size, false);
    s->image_size = image_size;
    s->in.image = s->image;
    s->in.image_size = image_size;
    s->in.memory = s->memory;
    s->in.memory_size = FUZZ_MEMORY;
    s->in.cmdline = (flags & 1) ? FUZZ_CMDLINE : NULL;
    s->in.modules = s->modules;
    s->in.module_count = count;
    fuzz_diag_init(&s->sink);

    bool ok = load(&s->in, &s->out, &s->sink.diag);
    FUZZ_CHECK(s->sink.lines == (ok ? 0u : 1u));   /* the first problem, exactly once */
    return ok;
}

static inline void scenario_free(struct scenario *s)
{
    for (uint32_t i = 0; i < FUZZ_MODULES_MAX; i++)
        free(s->module_data[i]);
    free(s->image);
}

/* The entry both protocols promise, and the reported image range. */
static inline void check_entry(const struct scenario *s, uint32_t magic)
{
    const struct vcpu_entry *e = &s->out.entry;

    FUZZ_CHECK(e->regs.rax == magic);
    FUZZ_CHECK(e->regs.rbx < FUZZ_MEMORY && e->regs.rbx % 8 == 0);
    FUZZ_CHECK(e->cpu.rip < FUZZ_MEMORY);
    FUZZ_CHECK((e->cpu.cr0 & 1u) && !(e->cpu.cr0 & (1u << 31)));
    FUZZ_CHECK(e->cpu.cs.selector == 0x08 && e->cpu.ds.selector == 0x10);
    FUZZ_CHECK(s->out.image_start < s->out.image_end && s->out.image_end <= FUZZ_MEMORY);
    FUZZ_CHECK(s->out.image_start <= e->cpu.rip && e->cpu.rip < s->out.image_end);
}

/* A module as the information describes it: page-aligned, its bytes intact (so nothing
 * placed later overwrote it). */
static inline void check_module(const struct scenario *s, uint32_t i, uint64_t start,
                                uint64_t end)
{
    const struct loader_module *m = &s->modules[i];

    FUZZ_CHECK(start % FUZZ_PAGE == 0);
    FUZZ_CHECK(start <= end && end <= FUZZ_MEMORY && end - start == m->size);
    FUZZ_CHECK(memcmp(s->memory + start, m->data, m->size) == 0);
}

/* A NUL-terminated string at gpa, inside memory, equal to expected (NULL: ""). */
static inline void check_string(const struct scenario *s, uint64_t gpa, const char *expected)
{
    const char *want = expected ? expected : "";

    FUZZ_CHECK(gpa < FUZZ_MEMORY && strlen(want) < FUZZ_MEMORY - gpa);
    FUZZ_CHECK(memcmp(s->memory + gpa, want, strlen(want) + 1) == 0);
}

#endif
