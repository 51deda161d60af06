/* libFuzzer target for guest/multiboot_loader.c (Multiboot Specification 0.6.96): the whole
 * load of a kernel image with modules into a 4 MiB partition (input format:
 * tests/fuzz/multiboot_fuzz.h). On success the entry state and the information structure
 * are checked field by field against what went in. */
#include "tests/fuzz/multiboot_fuzz.h"

static void check_info(const struct scenario *s)
{
    const uint8_t *p = s->memory + s->out.entry.regs.rbx;
    uint32_t flags, mods_count, mods_addr, mmap_length, mmap_addr, cmdline, name;

    FUZZ_CHECK(s->out.entry.regs.rbx + 116 <= FUZZ_MEMORY);
    memcpy(&flags, p, 4);
    memcpy(&cmdline, p + 16, 4);
    memcpy(&mods_count, p + 20, 4);
    memcpy(&mods_addr, p + 24, 4);
    memcpy(&mmap_length, p + 44, 4);
    memcpy(&mmap_addr, p + 48, 4);
    memcpy(&name, p + 64, 4);
    FUZZ_CHECK((flags & 0x24D) == 0x24D);
    FUZZ_CHECK(mods_count == s->in.module_count);
    FUZZ_CHECK(mods_addr <= FUZZ_MEMORY && 16ull * mods_count <= FUZZ_MEMORY - mods_addr);
    FUZZ_CHECK(mmap_length == 72 && mmap_addr + 72ull <= FUZZ_MEMORY);
    check_string(s, cmdline, s->in.cmdline);
    check_string(s, name, "tessera");
    for (uint32_t i = 0; i < mods_count; i++) {
        uint32_t entry[4];
        memcpy(entry, s->memory + mods_addr + 16 * i, sizeof(entry));
        check_module(s, i, entry[0], entry[1]);
        check_string(s, entry[2], s->modules[i].cmdline);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct scenario s;

    if (scenario_run(&s, data, size, multiboot_load)) {
        check_entry(&s, 0x2BADB002u);
        check_info(&s);
    }
    scenario_free(&s);
    return 0;
}
