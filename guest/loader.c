/* The table of guest loaders: ELF64 and flat images enter in 64-bit long mode inside the
 * tessera boot environment (guest/guest_boot.c, the contract of vcpu/guest_abi.h); multiboot
 * and multiboot2 kernels in 32-bit protected mode as their specifications say
 * (guest/multiboot_loader.h). */
#include "guest/loader.h"

#include "guest/elf_loader.h"
#include "guest/guest_boot.h"
#include "guest/multiboot_loader.h"
#include "lib/string.h"

/* Both formats finish the same way: the boot environment below the image. */
static bool enter_boot_environment(const struct loader_input *in, struct loader_output *out,
                                   uint64_t entry, const struct diag *d)
{
    const struct guest_boot_info bi = { in->partition_id, in->config->name, in->cmdline,
                                        out->image_start, out->image_end, entry };
    return guest_boot_prepare(in->memory, in->memory_size, &bi, &out->entry, d);
}

static bool load_flat(const struct loader_input *in, struct loader_output *out,
                      const struct diag *d)
{
    uint64_t at = in->config->load_address;
    if (at >= in->memory_size || in->image_size > in->memory_size - at) {
        diag_report(d, "flat: image of %llu bytes does not fit at 0x%llx",
                    (unsigned long long)in->image_size, (unsigned long long)at);
        return false;
    }
    memcpy(in->memory + at, in->image, in->image_size);
    out->image_start = at;
    out->image_end = at + in->image_size;
    return enter_boot_environment(in, out, in->config->entry, d);
}

static bool load_elf64(const struct loader_input *in, struct loader_output *out,
                       const struct diag *d)
{
    struct elf_load_plan plan;
    if (!elf64_plan(in->image, in->image_size, in->memory_size, &plan, d))
        return false;
    elf64_apply(&plan, in->image, in->memory);
    out->image_start = plan.lowest_gpa;
    out->image_end = plan.highest_gpa_end;
    return enter_boot_environment(in, out, in->config->entry ? in->config->entry : plan.entry, d);
}

static const struct guest_loader loaders[] = {
    { IMAGE_ELF64, "ELF64", load_elf64 },
    { IMAGE_FLAT, "flat", load_flat },
    { IMAGE_MULTIBOOT, "multiboot", multiboot_load },
    { IMAGE_MULTIBOOT2, "multiboot2", multiboot2_load },
};

bool loader_entry_needs_unrestricted_guest(const struct vcpu_entry *entry)
{
    const uint64_t pe_pg = 1u | (1ull << 31);
    return (entry->cpu.cr0 & pe_pg) != pe_pg;
}

const struct guest_loader *guest_loader_find(enum image_format format)
{
    for (unsigned i = 0; i < sizeof(loaders) / sizeof(loaders[0]); i++)
        if (loaders[i].format == format)
            return &loaders[i];
    return 0;
}
