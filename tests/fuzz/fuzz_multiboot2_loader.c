/* libFuzzer target for guest/multiboot2_loader.c (Multiboot2 Specification 1.0): the whole
 * load of a kernel image with modules and an ACPI RSDP into a 4 MiB partition (input
 * format: tests/fuzz/multiboot_fuzz.h). On success the entry state is checked and the boot
 * information walked tag by tag: sizes, alignment, the end tag, modules, strings, RSDP. */
#include "tests/fuzz/multiboot_fuzz.h"

static void check_tag(const struct scenario *s, const uint8_t *tag, uint32_t type,
                      uint32_t size, uint32_t *modules)
{
    if (type == 1)
        check_string(s, (uint64_t)(tag + 8 - s->memory), s->in.cmdline);
    if (type == 2)
        check_string(s, (uint64_t)(tag + 8 - s->memory), "tessera");
    if (type == 3) {
        uint32_t range[2];
        FUZZ_CHECK(size >= 17 && *modules < s->in.module_count);
        memcpy(range, tag + 8, sizeof(range));
        check_module(s, *modules, range[0], range[1]);
        check_string(s, (uint64_t)(tag + 16 - s->memory), s->modules[*modules].cmdline);
        (*modules)++;
    }
    if (type == 14 || type == 15) {
        FUZZ_CHECK(size == (type == 14 ? 28u : 44u));
        FUZZ_CHECK(memcmp(tag + 8, s->rsdp, size - 8) == 0);
    }
}

static void check_info(const struct scenario *s)
{
    uint64_t at = s->out.entry.regs.rbx;
    const uint8_t *info = s->memory + at;
    uint32_t total, modules = 0;

    memcpy(&total, info, 4);
    FUZZ_CHECK(total >= 16 && total % 8 == 0 && total <= FUZZ_MEMORY - at);
    for (uint32_t pos = 8;;) {
        uint32_t type, size;
        FUZZ_CHECK(pos + 8 <= total);
        memcpy(&type, info + pos, 4);
        memcpy(&size, info + pos + 4, 4);
        FUZZ_CHECK(size >= 8 && size <= total - pos);
        if (type == 0) {
            FUZZ_CHECK(size == 8 && pos + 8 == total);
            break;
        }
        check_tag(s, info + pos, type, size, &modules);
        pos += (size + 7) & ~7u;
    }
    FUZZ_CHECK(modules == s->in.module_count);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct scenario s;

    if (scenario_run(&s, data, size, multiboot2_load)) {
        check_entry(&s, 0x36D76289u);
        check_info(&s);
    }
    scenario_free(&s);
    return 0;
}
