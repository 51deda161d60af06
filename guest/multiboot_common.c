/* The parts of the multiboot and multiboot2 loaders that are the same (Multiboot Specification
 * 0.6.96 sections 3.1-3.2, Multiboot2 Specification 1.0 sections 3.1-3.3): guest/multiboot_common.h. */
#include "guest/multiboot_common.h"

#include "guest/guest_memmap.h"
#include "lib/string.h"
#include "vcpu/entry_state.h"

typedef unsigned long long ull;

static uint32_t read_u32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, sizeof(v));
    return v;
}

bool mb_find_header(const void *image, uint64_t size, const struct mb_header_search *s,
                    const char *who, uint64_t *offset, const struct diag *d)
{
    const uint8_t *bytes = image;
    uint64_t window = size < s->search_bytes ? size : s->search_bytes;
    uint64_t header_size = 4ull * s->checksum_words;
    bool bad_seen = false;
    uint64_t bad_at = 0;
    uint32_t bad_sum = 0;

    for (uint64_t at = 0; header_size <= window && at <= window - header_size; at += s->align) {
        if (read_u32(bytes + at) != s->magic)
            continue;
        uint32_t sum = 0;
        for (uint32_t i = 0; i < s->checksum_words; i++)
            sum += read_u32(bytes + at + 4ull * i);
        if (sum == 0) {
            *offset = at;
            return true;
        }
        if (!bad_seen) {
            bad_seen = true;
            bad_at = at;
            bad_sum = sum;
        }
    }
    if (bad_seen)
        diag_report(d, "%s: header at 0x%llx: checksum wrong (its %u words sum to 0x%08x, not 0)",
                    who, (ull)bad_at, s->checksum_words, bad_sum);
    else
        diag_report(d, "%s: no header (magic 0x%08X) in the first %u bytes", who, s->magic,
                    s->search_bytes);
    return false;
}

bool mb_plan_elf(const struct loader_input *in, struct elf_load_plan *plan,
                 const struct diag *d)
{
    const struct elf_rules rules = { .memory_size = in->memory_size, .accept_elf32 = true,
                                     .physical = true };
    return elf_plan(in->image, in->image_size, &rules, plan, d);
}

bool mb_plan_address(const struct loader_input *in, const struct mb_address_fields *f,
                     const char *who, struct elf_load_plan *plan, const struct diag *d)
{
    memset(plan, 0, sizeof(*plan));
    if (f->load_addr > f->header_addr) {
        diag_report(d, "%s: load_addr 0x%x above header_addr 0x%x", who, f->load_addr,
                    f->header_addr);
        return false;
    }
    uint64_t before = f->header_addr - f->load_addr;   /* loaded bytes ahead of the header */
    if (before > f->header_offset) {
        diag_report(d, "%s: load_addr 0x%x starts 0x%llx bytes before the header, which is "
                    "at file offset 0x%llx", who, f->load_addr, (ull)before,
                    (ull)f->header_offset);
        return false;
    }
    uint64_t file_start = f->header_offset - before;
    uint64_t filesz = in->image_size - file_start;
    if (f->load_end_addr) {
        if (f->load_end_addr < f->load_addr) {
            diag_report(d, "%s: load_end_addr 0x%x below load_addr 0x%x", who,
                        f->load_end_addr, f->load_addr);
            return false;
        }
        filesz = f->load_end_addr - f->load_addr;
        if (filesz > in->image_size - file_start) {
            diag_report(d, "%s: load_end_addr 0x%x: 0x%llx bytes from file offset 0x%llx, "
                        "past the end of the image (0x%llx bytes)", who, f->load_end_addr,
                        (ull)filesz, (ull)file_start, (ull)in->image_size);
            return false;
        }
    }
    uint64_t memsz = filesz;
    if (f->bss_end_addr) {
        if (f->bss_end_addr < f->load_addr + filesz) {
            diag_report(d, "%s: bss_end_addr 0x%x below the end of the loaded bytes 0x%llx",
                        who, f->bss_end_addr, (ull)(f->load_addr + filesz));
            return false;
        }
        memsz = f->bss_end_addr - f->load_addr;
    }
    if (memsz == 0) {
        diag_report(d, "%s: the address fields load nothing", who);
        return false;
    }
    plan->segments[0] = (struct elf_segment){
        .file_offset = file_start, .gpa = f->load_addr, .vaddr = f->load_addr,
        .filesz = filesz, .memsz = memsz,
        .flags = ELF64_PF_R | ELF64_PF_W | ELF64_PF_X, .phdr_index = 0 };
    plan->count = 1;
    plan->lowest_gpa = f->load_addr;
    plan->highest_gpa_end = f->load_addr + memsz;
    plan->entry = f->entry_addr;
    return true;
}

bool mb_check_image(const struct loader_input *in, const struct elf_load_plan *plan,
                    const char *who, const struct diag *d)
{
    for (uint32_t i = 0; i < plan->count; i++) {
        const struct elf_segment *seg = &plan->segments[i];
        uint64_t end = seg->gpa + seg->memsz;
        if (end > in->memory_size) {
            diag_report(d, "%s: segment %u: 0x%llx-0x%llx outside guest memory (0x%llx bytes)",
                        who, seg->phdr_index, (ull)seg->gpa, (ull)end, (ull)in->memory_size);
            return false;
        }
        if (end > MB_ADDRESS_LIMIT) {
            diag_report(d, "%s: segment %u: 0x%llx-0x%llx above 4 GiB, out of a 32-bit "
                        "kernel's reach", who, seg->phdr_index, (ull)seg->gpa, (ull)end);
            return false;
        }
        if (!guest_memmap_is_ram(in->memory_size, seg->gpa, seg->memsz)) {
            diag_report(d, "%s: segment %u: 0x%llx-0x%llx not in RAM (0x%llx-0x%llx is "
                        "reserved)", who, seg->phdr_index, (ull)seg->gpa, (ull)end,
                        GUEST_EBDA_BASE, GUEST_HIGH_RAM_BASE);
            return false;
        }
    }
    if (!elf_plan_runs_at(plan, plan->entry)) {
        diag_report(d, "%s: entry 0x%llx not in the loaded code", who, (ull)plan->entry);
        return false;
    }
    return true;
}

static uint64_t page_up(uint64_t v)
{
    return v > UINT64_MAX - (MB_PAGE - 1) ? UINT64_MAX & ~(MB_PAGE - 1)
                                          : (v + MB_PAGE - 1) & ~(MB_PAGE - 1);
}

/* [start, end) meets [other, other_end); an empty range still owns its first byte, so no two
 * things share an address. */
static bool overlaps(uint64_t start, uint64_t end, uint64_t other, uint64_t other_end)
{
    return start < (other_end > other ? other_end : other + 1) &&
           other < (end > start ? end : start + 1);
}

/* True when [at, at + size) is RAM below MB_PLACEMENT_LIMIT that nothing occupies. */
static bool is_free(const struct mb_layout *l, uint64_t memory_size, uint64_t at, uint64_t size)
{
    uint64_t limit = memory_size < MB_PLACEMENT_LIMIT ? memory_size : MB_PLACEMENT_LIMIT;

    if (at > limit || size > limit - at || !guest_memmap_is_ram(memory_size, at, size ? size : 1))
        return false;
    for (uint32_t i = 0; i < l->image.count; i++) {
        const struct elf_segment *seg = &l->image.segments[i];
        if (overlaps(at, at + size, seg->gpa, seg->gpa + seg->memsz))
            return false;
    }
    for (uint32_t i = 0; i < l->placed_count; i++)
        if (overlaps(at, at + size, l->placed[i].start, l->placed[i].end))
            return false;
    return true;
}

static bool try_place(struct mb_layout *l, uint64_t memory_size, uint64_t candidate,
                      uint64_t size, uint64_t *gpa)
{
    uint64_t at = page_up(candidate);
    if (!is_free(l, memory_size, at, size))
        return false;
    *gpa = at;
    l->placed[l->placed_count++] = (struct mb_range){ at, at + size };
    return true;
}

/* Keeps in *best the lowest end of something after which size bytes fit. */
static void consider_after(const struct mb_layout *l, uint64_t memory_size, uint64_t end,
                           uint64_t size, uint64_t *best)
{
    if (end < *best && is_free(l, memory_size, page_up(end), size))
        *best = end;
}

/* Page-aligned free RAM for size bytes: after the last placement (or the image) when it
 * fits there, else where mb_load's comment says. */
static bool reserve(struct mb_layout *l, uint64_t memory_size, uint64_t size, uint64_t *gpa)
{
    uint64_t after = l->placed_count ? l->placed[l->placed_count - 1].end
                                     : l->image.highest_gpa_end;
    if (try_place(l, memory_size, after, size, gpa) ||
        try_place(l, memory_size, GUEST_HIGH_RAM_BASE, size, gpa))
        return true;
    uint64_t best = UINT64_MAX;
    for (uint32_t i = 0; i < l->image.count; i++)
        consider_after(l, memory_size, l->image.segments[i].gpa + l->image.segments[i].memsz,
                       size, &best);
    for (uint32_t i = 0; i < l->placed_count; i++)
        consider_after(l, memory_size, l->placed[i].end, size, &best);
    if (best != UINT64_MAX && try_place(l, memory_size, best, size, gpa))
        return true;
    return try_place(l, memory_size, MB_PAGE, size, gpa);
}

bool mb_load(const struct loader_input *in, struct mb_layout *l, const char *who,
             const struct diag *d)
{
    if (in->module_count > PARTITION_GUEST_MODULES_MAX) {
        diag_report(d, "%s: %u modules, at most %u", who, in->module_count,
                    PARTITION_GUEST_MODULES_MAX);
        return false;
    }
    elf64_apply(&l->image, in->image, in->memory);
    l->placed_count = 0;
    for (uint32_t i = 0; i < in->module_count; i++) {
        const struct loader_module *m = &in->modules[i];
        uint64_t gpa;
        if (!reserve(l, in->memory_size, m->size, &gpa)) {
            diag_report(d, "%s: module %u of %llu bytes fits nowhere in free RAM (guest "
                        "memory 0x%llx bytes, placements below 0x%llx)", who, i,
                        (ull)m->size, (ull)in->memory_size, MB_PLACEMENT_LIMIT);
            return false;
        }
        memcpy(in->memory + gpa, m->data, m->size);
    }
    return true;
}

bool mb_write_info(const struct loader_input *in, struct mb_layout *l, mb_info_builder build,
                   const void *ctx, const char *who, uint32_t *info_gpa, const struct diag *d)
{
    struct mb_writer sizing = { 0, 0, 0 };
    build(ctx, &sizing);
    uint64_t gpa;
    if (!reserve(l, in->memory_size, sizing.used, &gpa)) {
        diag_report(d, "%s: boot information of %llu bytes fits nowhere in free RAM (guest "
                    "memory 0x%llx bytes)", who, (ull)sizing.used, (ull)in->memory_size);
        return false;
    }
    struct mb_writer w = { in->memory, gpa, 0 };
    *info_gpa = build(ctx, &w);
    return true;
}

void mb_enter(const struct mb_layout *l, uint32_t magic, uint32_t info_gpa,
              struct loader_output *out)
{
    /* The entry lies in a segment that ends at or below 4 GiB (mb_check_image). */
    entry_state_protected_flat(&out->entry, (uint32_t)l->image.entry, MB_CODE_SELECTOR,
                               MB_DATA_SELECTOR);
    out->entry.regs.rax = magic;
    out->entry.regs.rbx = info_gpa;
    out->image_start = l->image.lowest_gpa;
    out->image_end = l->image.highest_gpa_end;
}

uint32_t mb_here(const struct mb_writer *w)
{
    return (uint32_t)(w->start + w->used);
}

uint32_t mb_put(struct mb_writer *w, const void *bytes, uint64_t n)
{
    uint32_t at = mb_here(w);
    if (w->memory)
        memcpy(w->memory + w->start + w->used, bytes, n);
    w->used += n;
    return at;
}

uint32_t mb_put_string(struct mb_writer *w, const char *s)
{
    if (!s)
        s = "";
    return mb_put(w, s, strlen(s) + 1);
}

void mb_align(struct mb_writer *w, uint64_t align)
{
    static const uint8_t zeros[16];
    uint64_t pad = (align - (w->used % align)) % align;
    mb_put(w, zeros, pad);
}

uint32_t mb_mem_lower_kib(void)
{
    return (uint32_t)(GUEST_EBDA_BASE / 1024);
}

uint32_t mb_mem_upper_kib(uint64_t memory_size)
{
    if (memory_size <= GUEST_HIGH_RAM_BASE)
        return 0;
    uint64_t kib = (memory_size - GUEST_HIGH_RAM_BASE) / 1024;
    return kib > UINT32_MAX ? UINT32_MAX : (uint32_t)kib;
}
