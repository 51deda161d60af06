/* The hypervisor's physical memory: usable RAM from the multiboot2 memory map, minus what is in use. */
#include "mm/phys.h"

#include "arch/x86/percpu.h"
#include "arch/x86/spinlock.h"
#include "arch/x86/paging.h"
#include "drivers/console.h"
#include "lib/string.h"

extern char __image_start[], __image_end[];

static struct frame_allocator phys_frames;
static struct spinlock phys_lock = SPINLOCK_INIT;

static void phys_report(void *ctx, const char *line)
{
    (void)ctx;
    console_printf("mem: %s\n", line);
}

static const struct diag phys_diag = { phys_report, 0 };

static const char *memory_type_name(uint32_t type)
{
    switch (type) {
    case MB2_MEMORY_AVAILABLE:        return "available";
    case MB2_MEMORY_RESERVED:         return "reserved";
    case MB2_MEMORY_ACPI_RECLAIMABLE: return "ACPI reclaimable";
    case MB2_MEMORY_NVS:              return "ACPI NVS";
    case MB2_MEMORY_BADRAM:           return "bad RAM";
    default:                          return NULL;
    }
}

static uint64_t bytes_above(const struct frame_allocator *fa, uint64_t limit)
{
    uint64_t bytes = 0;
    for (uint32_t i = 0; i < fa->count; i++) {
        uint64_t base = fa->free[i].base > limit ? fa->free[i].base : limit;
        if (fa->free[i].end > base)
            bytes += fa->free[i].end - base;
    }
    return bytes;
}

void phys_init(const struct mb2_info *info, uint64_t mbi_phys)
{
    frame_init(&phys_frames);
    for (uint32_t i = 0; i < info->mmap_count; i++) {
        const struct mb2_mmap_entry *e = &info->mmap[i];
        const char *type_name = memory_type_name(e->type);
        if (type_name)
            console_printf("mem: map 0x%016llx-0x%016llx %s\n", (unsigned long long)e->base,
                           (unsigned long long)(e->base + e->length - 1), type_name);
        else
            console_printf("mem: map 0x%016llx-0x%016llx type %u (not RAM)\n",
                           (unsigned long long)e->base,
                           (unsigned long long)(e->base + e->length - 1), e->type);
        if (e->type == MB2_MEMORY_AVAILABLE)
            frame_add_usable(&phys_frames, e->base, e->length, &phys_diag);
    }
    /* Firmware maps can overlap: anything any entry calls non-usable stays out. */
    for (uint32_t i = 0; i < info->mmap_count; i++)
        if (info->mmap[i].type != MB2_MEMORY_AVAILABLE)
            frame_reserve(&phys_frames, info->mmap[i].base, info->mmap[i].length, &phys_diag);

    console_printf("mem: %llu MiB usable in %u ranges\n",
                   (unsigned long long)(phys_frames.free_bytes >> 20), phys_frames.count);
    uint64_t high = bytes_above(&phys_frames, PHYS_4GIB);
    if (high)
        console_printf("mem: above 4 GiB: %llu MiB usable\n", (unsigned long long)(high >> 20));
    if (info->mmap_count == 0)
        console_printf("mem: no memory map from the boot loader: no RAM to hand out\n");

    frame_reserve(&phys_frames, 0, PHYS_LOW_RESERVED, &phys_diag);
    frame_reserve(&phys_frames, (uintptr_t)__image_start,
                  (uint64_t)(__image_end - __image_start), &phys_diag);
    frame_reserve(&phys_frames, mbi_phys, info->total_size, &phys_diag);
    for (uint32_t i = 0; i < info->module_count; i++) {
        const struct mb2_module *m = &info->modules[i];
        console_printf("mem: module \"%s\" 0x%08x size %u\n", m->cmdline, m->start,
                       m->end - m->start);
        frame_reserve(&phys_frames, m->start, m->end - m->start, &phys_diag);
    }
    console_printf("mem: image 0x%08lx-0x%08lx (%lu KiB)\n", (uintptr_t)__image_start,
                   (uintptr_t)__image_end - 1,
                   (uintptr_t)(__image_end - __image_start) >> 10);
    console_printf("mem: frames: %llu free (%llu MiB) in %u ranges\n",
                   (unsigned long long)(phys_frames.free_bytes / FRAME_SIZE),
                   (unsigned long long)(phys_frames.free_bytes >> 20), phys_frames.count);
}

uint64_t phys_alloc_frame(void)
{
    spin_lock(&phys_lock, this_cpu_index());
    uint64_t frame = frame_alloc(&phys_frames);
    spin_unlock(&phys_lock);
    return frame;
}

uint64_t phys_alloc_run(uint64_t bytes, uint64_t align)
{
    spin_lock(&phys_lock, this_cpu_index());
    uint64_t run = frame_alloc_run(&phys_frames, bytes, align);
    spin_unlock(&phys_lock);
    return run;
}

uint64_t phys_alloc_zeroed_frame(void)
{
    uint64_t frame = phys_alloc_frame();
    if (frame)
        memset((void *)(uintptr_t)frame, 0, FRAME_SIZE);
    return frame;
}

uint64_t phys_usable_end(void)
{
    return phys_frames.count ? phys_frames.free[phys_frames.count - 1].end : 0;
}

void phys_map_all_ram(void)
{
    uint64_t end = phys_usable_end();
    if (end <= PHYS_4GIB)
        return;
    uint64_t mapped = paging_extend_identity_map(end, phys_alloc_zeroed_frame);
    console_printf("mem: identity map extended to %llu GiB\n", (unsigned long long)(mapped >> 30));
    if (mapped < end) {
        /* Frames the hypervisor cannot reach must not be handed out. */
        frame_reserve(&phys_frames, mapped, end - mapped, &phys_diag);
        console_printf("mem: RAM above %llu GiB left unused (not mapped)\n",
                       (unsigned long long)(mapped >> 30));
    }
}

bool phys_claim_range(uint64_t base, uint64_t bytes)
{
    bool claimed = false;
    spin_lock(&phys_lock, this_cpu_index());
    for (uint32_t i = 0; i < phys_frames.count; i++) {
        if (phys_frames.free[i].base <= base && base + bytes <= phys_frames.free[i].end) {
            claimed = frame_reserve(&phys_frames, base, bytes, &phys_diag);
            break;
        }
    }
    spin_unlock(&phys_lock);
    return claimed;
}

void phys_free_run(uint64_t base, uint64_t bytes)
{
    spin_lock(&phys_lock, this_cpu_index());
    frame_free_run(&phys_frames, base, bytes, &phys_diag);
    spin_unlock(&phys_lock);
}
