/* libFuzzer target for boot/multiboot2.c: the input is a boot information structure
 * (Multiboot2 specification 1.0, section 3.6), parsed as boot/main.c parses GRUB's. */
#include "tests/fuzz/fuzz_common.h"

#include "boot/multiboot2.h"

/* Everything the parser hands back must lie inside the bytes it was allowed to read. */
static void check_result(const struct mb2_info *info, const uint8_t *mbi, size_t size,
                         unsigned lines)
{
    FUZZ_CHECK(info->errors == lines);
    FUZZ_CHECK(info->total_size <= size);
    if (info->cmdline)
        FUZZ_CHECK(fuzz_inside(info->cmdline, strlen(info->cmdline) + 1, mbi, size));
    if (info->loader_name)
        FUZZ_CHECK(fuzz_inside(info->loader_name, strlen(info->loader_name) + 1, mbi, size));
    FUZZ_CHECK(info->mmap_count <= MB2_MAX_MMAP_ENTRIES);
    for (uint32_t i = 0; i < info->mmap_count; i++) {
        FUZZ_CHECK(info->mmap[i].length != 0);
        FUZZ_CHECK(info->mmap[i].length <= UINT64_MAX - info->mmap[i].base);
    }
    FUZZ_CHECK(info->module_count <= MB2_MAX_MODULES);
    for (uint32_t i = 0; i < info->module_count; i++) {
        const struct mb2_module *m = &info->modules[i];
        FUZZ_CHECK(m->start < m->end);
        FUZZ_CHECK(m->cmdline != NULL);
        FUZZ_CHECK(fuzz_inside(m->cmdline, strlen(m->cmdline) + 1, mbi, size));
    }
    if (info->rsdp_old) {
        FUZZ_CHECK(info->rsdp_old_size >= 20);
        FUZZ_CHECK(fuzz_inside(info->rsdp_old, info->rsdp_old_size, mbi, size));
    }
    if (info->rsdp_new) {
        FUZZ_CHECK(info->rsdp_new_size >= 36);
        FUZZ_CHECK(fuzz_inside(info->rsdp_new, info->rsdp_new_size, mbi, size));
    }
    if (info->efi_system_table)
        FUZZ_CHECK(info->efi32 || info->efi64);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* malloc's alignment satisfies the parser's 8-byte rule; the exact size lets ASan see
     * any read past max_size. */
    uint8_t *mbi = fuzz_dup(data, size, false);
    static struct mb2_info info;
    struct fuzz_diag sink;

    if (size > UINT32_MAX)
        size = UINT32_MAX;
    fuzz_diag_init(&sink);
    if (mb2_parse(mbi, (uint32_t)size, &info, &sink.diag))
        check_result(&info, mbi, size, sink.lines);
    else
        FUZZ_CHECK(sink.lines == 1);
    free(mbi);
    return 0;
}
