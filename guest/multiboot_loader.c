/* The multiboot 0.6.96 guest loader (Multiboot Specification 0.6.96: 3.1 the OS image
 * format, 3.2 the machine state, 3.3 the boot information format). */
#include "guest/multiboot_loader.h"

#include "guest/guest_memmap.h"
#include "guest/multiboot_common.h"
#include "guest/multiboot_spec.h"
#include "lib/string.h"

#define WHO "multiboot"

static const struct mb_header_search header_search = {
    MB1_HEADER_MAGIC, MB1_SEARCH_BYTES, MB1_HEADER_ALIGN, MB1_HEADER_BASE_SIZE / 4 };

/* Bits 0-15 are requirements: one this loader cannot meet refuses the image. */
static bool check_flags(uint32_t flags, const struct diag *d)
{
    const uint32_t known = MB1_FLAG_PAGE_ALIGN | MB1_FLAG_MEMORY_INFO | MB1_FLAG_VIDEO_MODE;
    uint32_t unknown = flags & MB1_REQUIRED_FLAGS & ~known;

    if (unknown) {
        unsigned bit = 0;
        while (!(unknown & (1u << bit)))
            bit++;
        diag_report(d, WHO ": header flags 0x%08x: required bit %u unknown", flags, bit);
        return false;
    }
    return true;
}

static bool plan_image(const struct loader_input *in, uint64_t at, const struct mb1_header *h,
                       struct elf_load_plan *plan, const struct diag *d)
{
    if (!(h->flags & MB1_FLAG_AOUT_KLUDGE))
        return mb_plan_elf(in, plan, d);
    if (MB1_HEADER_ADDRESS_SIZE > in->image_size - at) {
        diag_report(d, WHO ": header at 0x%llx: address fields (flags bit 16) past the end "
                    "of the image (0x%llx bytes)", (unsigned long long)at,
                    (unsigned long long)in->image_size);
        return false;
    }
    const struct mb_address_fields f = { at, h->header_addr, h->load_addr, h->load_end_addr,
                                         h->bss_end_addr, h->entry_addr };
    return mb_plan_address(in, &f, WHO, plan, d);
}

struct info_context {
    const struct loader_input *in;
    const struct mb_layout *layout;
    bool video;
};

/* Strings first, then the module list, the memory map and the structure that points at
 * them all. */
static uint32_t build_info(const void *ctx, struct mb_writer *w)
{
    const struct info_context *c = ctx;
    const struct loader_input *in = c->in;
    struct mb1_info info = { 0 };
    uint32_t strings[PARTITION_GUEST_MODULES_MAX];

    info.flags = MB1_INFO_MEMORY | MB1_INFO_CMDLINE | MB1_INFO_MODS | MB1_INFO_MMAP |
                 MB1_INFO_LOADER_NAME;
    info.mem_lower = mb_mem_lower_kib();
    info.mem_upper = mb_mem_upper_kib(in->memory_size);
    info.cmdline = mb_put_string(w, in->cmdline);
    info.boot_loader_name = mb_put_string(w, MB_LOADER_NAME);
    for (uint32_t i = 0; i < in->module_count; i++)
        strings[i] = mb_put_string(w, in->modules[i].cmdline);

    mb_align(w, 8);
    info.mods_count = in->module_count;
    info.mods_addr = mb_here(w);
    for (uint32_t i = 0; i < in->module_count; i++) {
        const struct mb1_module m = { (uint32_t)c->layout->placed[i].start,
                                      (uint32_t)c->layout->placed[i].end,
                                      strings[i], 0 };
        mb_put(w, &m, sizeof(m));
    }

    struct guest_mem_range map[GUEST_MEMMAP_MAX];
    uint32_t n = guest_memmap(in->memory_size, map);
    info.mmap_addr = mb_here(w);
    for (uint32_t i = 0; i < n; i++) {
        const struct mb1_mmap_entry e = { MB1_MMAP_ENTRY_SIZE, map[i].base, map[i].size,
                                          map[i].type };
        mb_put(w, &e, sizeof(e));
    }
    info.mmap_length = mb_here(w) - info.mmap_addr;

    if (c->video) {
        info.flags |= MB1_INFO_FRAMEBUFFER;
        info.framebuffer_addr = GUEST_VGA_TEXT_BASE;
        info.framebuffer_pitch = MB_EGA_COLUMNS * (MB_EGA_BPP / 8);
        info.framebuffer_width = MB_EGA_COLUMNS;
        info.framebuffer_height = MB_EGA_ROWS;
        info.framebuffer_bpp = MB_EGA_BPP;
        info.framebuffer_type = MB1_FRAMEBUFFER_EGA_TEXT;
    }
    mb_align(w, 8);
    return mb_put(w, &info, sizeof(info));
}

bool multiboot_load(const struct loader_input *in, struct loader_output *out,
                    const struct diag *d)
{
    uint64_t at;
    if (!mb_find_header(in->image, in->image_size, &header_search, WHO, &at, d))
        return false;

    struct mb1_header h = { 0 };
    uint64_t readable = in->image_size - at;
    memcpy(&h, (const uint8_t *)in->image + at,
           readable < sizeof(h) ? readable : sizeof(h));
    if (!check_flags(h.flags, d))
        return false;

    struct mb_layout layout;
    if (!plan_image(in, at, &h, &layout.image, d) ||
        !mb_check_image(in, &layout.image, WHO, d) || !mb_load(in, &layout, WHO, d))
        return false;

    /* Flag 0 is met by placing every module page-aligned, flag 1 by the memory fields. */
    const struct info_context ctx = { in, &layout, (h.flags & MB1_FLAG_VIDEO_MODE) != 0 };
    uint32_t info_gpa;
    if (!mb_write_info(in, &layout, build_info, &ctx, WHO, &info_gpa, d))
        return false;
    mb_enter(&layout, MB1_BOOTLOADER_MAGIC, info_gpa, out);
    return true;
}
