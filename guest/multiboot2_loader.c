/* The multiboot2 guest loader (Multiboot2 Specification 1.0: 3.1 the OS image format and its
 * header tags, 3.3 the machine state, 3.6 the boot information format). */
#include "guest/multiboot_loader.h"

#include "guest/guest_memmap.h"
#include "guest/multiboot_common.h"
#include "guest/multiboot_spec.h"
#include "lib/string.h"

#define WHO "multiboot2"

typedef unsigned long long ull;

static const struct mb_header_search header_search = {
    MB2_HEADER_MAGIC, MB2_SEARCH_BYTES, MB2_HEADER_ALIGN, sizeof(struct mb2_header) / 4 };

static const char *const header_tag_names[] = {
    "end", "information request", "address", "entry address", "console flags",
    "framebuffer", "module alignment", "EFI boot services", "EFI i386 entry address",
    "EFI amd64 entry address", "relocatable",
};
/* The bytes each header tag needs to hold its fields. */
static const uint32_t header_tag_sizes[] = { 8, 8, 24, 12, 12, 20, 8, 8, 12, 12, 24 };
#define HEADER_TAG_TYPES (sizeof(header_tag_sizes) / sizeof(header_tag_sizes[0]))

static const char *const info_tag_names[] = {
    "end", "command line", "boot loader name", "module", "basic memory information",
    "BIOS boot device", "memory map", "VBE information", "framebuffer information",
    "ELF sections", "APM table", "EFI 32-bit system table", "EFI 64-bit system table",
    "SMBIOS tables", "ACPI old RSDP", "ACPI new RSDP", "networking information",
    "EFI memory map", "EFI boot services not terminated", "EFI 32-bit image handle",
    "EFI 64-bit image handle", "image load base address",
};
#define INFO_TAG_TYPES (sizeof(info_tag_names) / sizeof(info_tag_names[0]))

/* What the header's tags ask of the loader. */
struct requests {
    bool has_address, has_entry, has_relocatable;
    struct mb2_header_address address;
    uint32_t entry_addr;
    struct mb2_header_relocatable relocatable;
    bool want_framebuffer;          /* describe the EGA text console (information tag 8) */
};

/* The RSDP as the partition's tables hold it, copied before the image can overwrite it. */
struct rsdp_copy {
    uint8_t bytes[MB2_RSDP_V2_SIZE];
    uint32_t size;                  /* 0: no ACPI tables */
    uint32_t tag;                   /* MB2_TAG_ACPI_OLD or MB2_TAG_ACPI_NEW */
};

static uint32_t read_u32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, sizeof(v));
    return v;
}

static const char *info_tag_name(uint32_t type)
{
    return type < INFO_TAG_TYPES ? info_tag_names[type] : "unknown";
}

static bool info_provided(uint32_t type, bool have_rsdp)
{
    switch (type) {
    case MB2_TAG_END:
    case MB2_TAG_CMDLINE:
    case MB2_TAG_LOADER_NAME:
    case MB2_TAG_MODULE:
    case MB2_TAG_BASIC_MEMINFO:
    case MB2_TAG_MMAP:
    case MB2_TAG_FRAMEBUFFER:
    case MB2_TAG_LOAD_BASE_ADDR:
        return true;
    case MB2_TAG_ACPI_OLD:
    case MB2_TAG_ACPI_NEW:
        return have_rsdp;   /* the one the RSDP's revision calls for */
    default:
        return false;
    }
}

static bool take_info_request(const uint8_t *tag, uint32_t size, bool optional,
                              const struct loader_input *in, struct requests *r,
                              const struct diag *d)
{
    for (uint32_t i = 0; i < (size - sizeof(struct mb2_tag_header)) / 4; i++) {
        uint32_t type = read_u32(tag + sizeof(struct mb2_tag_header) + 4 * i);
        if (type == MB2_TAG_FRAMEBUFFER)
            r->want_framebuffer = true;
        if (!optional && !info_provided(type, in->acpi_rsdp_gpa != 0)) {
            diag_report(d, WHO ": information request for tag type %u (%s), which tessera "
                        "cannot provide here", type, info_tag_name(type));
            return false;
        }
    }
    return true;
}

/* One header tag other than the end tag, whose size is inside the header. */
static bool take_tag(const uint8_t *tag, const struct mb2_tag_header *t,
                     const struct loader_input *in, struct requests *r, const struct diag *d)
{
    bool optional = (t->flags & MB2_HEADER_TAG_OPTIONAL) != 0;

    if (t->type < HEADER_TAG_TYPES && t->size < header_tag_sizes[t->type]) {
        diag_report(d, WHO ": header tag %u (%s) of %u bytes, shorter than %u", t->type,
                    header_tag_names[t->type], t->size, header_tag_sizes[t->type]);
        return false;
    }
    switch (t->type) {
    case MB2_HEADER_TAG_INFO_REQUEST:
        return take_info_request(tag, t->size, optional, in, r, d);
    case MB2_HEADER_TAG_ADDRESS:
        memcpy(&r->address, tag, sizeof(r->address));
        r->has_address = true;
        return true;
    case MB2_HEADER_TAG_ENTRY_ADDRESS:
        r->entry_addr = read_u32(tag + sizeof(*t));
        r->has_entry = true;
        return true;
    case MB2_HEADER_TAG_CONSOLE_FLAGS: {
        uint32_t flags = read_u32(tag + sizeof(*t));
        if (!(flags & MB2_CONSOLE_REQUIRED))
            return true;
        if (flags & MB2_CONSOLE_EGA_TEXT_SUPPORTED) {
            r->want_framebuffer = true;     /* the console's description is required */
            return true;
        }
        if (optional)
            return true;
        diag_report(d, WHO ": console required (header tag 4) but the image has no EGA "
                    "text support, the only console a partition has");
        return false;
    }
    case MB2_HEADER_TAG_FRAMEBUFFER:
        if (optional)
            return true;    /* a preferred mode: the EGA text console stays */
        diag_report(d, WHO ": framebuffer required (header tag 5) is not supported, a "
                    "partition has only the EGA text console");
        return false;
    case MB2_HEADER_TAG_MODULE_ALIGN:
        return true;        /* modules are always page-aligned */
    case MB2_HEADER_TAG_EFI_BS:
    case MB2_HEADER_TAG_EFI_I386_ENTRY:
    case MB2_HEADER_TAG_EFI_AMD64_ENTRY:
        if (optional)
            return true;
        diag_report(d, WHO ": header tag %u (%s) required, but partitions boot without EFI",
                    t->type, header_tag_names[t->type]);
        return false;
    case MB2_HEADER_TAG_RELOCATABLE:
        memcpy(&r->relocatable, tag, sizeof(r->relocatable));
        r->has_relocatable = true;
        return true;
    default:
        if (optional)
            return true;
        diag_report(d, WHO ": header tag type %u unknown and not optional", t->type);
        return false;
    }
}

/* The header at the start of image bytes [at, at + length): its tags up to the end tag. */
static bool take_header(const uint8_t *header, uint32_t length, const struct loader_input *in,
                        struct requests *r, const struct diag *d)
{
    uint32_t pos = sizeof(struct mb2_header);

    memset(r, 0, sizeof(*r));
    for (;;) {
        struct mb2_tag_header t;
        if (pos > length || length - pos < sizeof(t)) {
            diag_report(d, WHO ": header tags run past header_length %u without an end tag",
                        length);
            return false;
        }
        memcpy(&t, header + pos, sizeof(t));
        if (t.size < sizeof(t) || t.size > length - pos) {
            diag_report(d, WHO ": header tag type %u at header offset 0x%x: size %u outside "
                        "8..%u (header_length %u)", t.type, pos, t.size, length - pos, length);
            return false;
        }
        if (t.type == MB2_HEADER_TAG_END)
            return true;
        if (!take_tag(header + pos, &t, in, r, d))
            return false;
        pos += (t.size + MB2_TAG_ALIGN - 1) & ~(MB2_TAG_ALIGN - 1);
    }
}

static bool check_fixed_header(const struct loader_input *in, uint64_t at,
                               const struct mb2_header *h, const struct diag *d)
{
    uint64_t window = in->image_size < MB2_SEARCH_BYTES ? in->image_size : MB2_SEARCH_BYTES;

    if (h->architecture != MB2_ARCH_I386) {
        diag_report(d, WHO ": architecture %u, not i386 (%u)", h->architecture, MB2_ARCH_I386);
        return false;
    }
    if (h->header_length < sizeof(*h) + sizeof(struct mb2_tag_header)) {
        diag_report(d, WHO ": header_length %u, shorter than the header and its end tag (%u)",
                    h->header_length,
                    (unsigned)(sizeof(*h) + sizeof(struct mb2_tag_header)));
        return false;
    }
    if (h->header_length > window - at) {
        diag_report(d, WHO ": header at 0x%llx with header_length %u runs past the image's "
                    "first 0x%llx bytes", (ull)at, h->header_length, (ull)window);
        return false;
    }
    return true;
}

/* Segments moved so that the lowest starts at base, the entry with them. */
static void move_image(struct elf_load_plan *plan, uint64_t base)
{
    for (uint32_t i = 0; i < plan->count; i++)
        plan->segments[i].gpa = plan->segments[i].gpa - plan->lowest_gpa + base;
    plan->entry = plan->entry - plan->lowest_gpa + base;
    plan->highest_gpa_end = plan->highest_gpa_end - plan->lowest_gpa + base;
    plan->lowest_gpa = base;
}

/* True when the image, its lowest byte moved to base, keeps the relocatable tag's bounds
 * and alignment and has every segment in RAM below 4 GiB. */
static bool fits_at(const struct loader_input *in, const struct elf_load_plan *plan,
                    const struct mb2_header_relocatable *t, uint64_t base)
{
    uint64_t span = plan->highest_gpa_end - plan->lowest_gpa;

    if (base < t->min_addr || base > t->max_addr || span > t->max_addr - base ||
        (t->align && base % t->align))
        return false;
    for (uint32_t i = 0; i < plan->count; i++) {
        const struct elf_segment *seg = &plan->segments[i];
        uint64_t gpa = seg->gpa - plan->lowest_gpa + base;
        if (gpa + seg->memsz > MB_ADDRESS_LIMIT ||
            !guest_memmap_is_ram(in->memory_size, gpa, seg->memsz))
            return false;
    }
    return true;
}

static uint64_t align_up(uint64_t v, uint32_t align)
{
    return align ? (v + align - 1) / align * align : v;
}

/* The image stays where it was linked when that keeps the tag's bounds; otherwise it goes
 * to the lowest or highest place that does, as the tag prefers. */
static bool relocate(const struct loader_input *in, const struct mb2_header_relocatable *t,
                     struct elf_load_plan *plan, const struct diag *d)
{
    uint64_t span = plan->highest_gpa_end - plan->lowest_gpa;
    uint64_t top = in->memory_size < MB_ADDRESS_LIMIT ? in->memory_size : MB_ADDRESS_LIMIT;
    if (t->max_addr < top)
        top = t->max_addr;
    uint64_t high = 0;
    if (span <= top && t->align)
        high = (top - span) / t->align * t->align;
    else if (span <= top)
        high = top - span;
    uint64_t low = align_up(t->min_addr, t->align);
    uint64_t low_above_hole = align_up(t->min_addr > GUEST_HIGH_RAM_BASE ? t->min_addr :
                                       GUEST_HIGH_RAM_BASE, t->align);
    uint64_t candidates[4] = { plan->lowest_gpa, low, low_above_hole, high };
    if (t->preference == MB2_RELOCATE_HIGHEST) {
        candidates[1] = high;
        candidates[3] = low;
    }
    for (unsigned i = 0; i < 4; i++) {
        if (fits_at(in, plan, t, candidates[i])) {
            move_image(plan, candidates[i]);
            return true;
        }
    }
    if (t->tag.flags & MB2_HEADER_TAG_OPTIONAL)
        return true;        /* the image may still load where it was linked */
    diag_report(d, WHO ": relocatable image of 0x%llx bytes fits nowhere in RAM within "
                "0x%x-0x%x aligned to 0x%x", (ull)span, t->min_addr, t->max_addr, t->align);
    return false;
}

static bool plan_image(const struct loader_input *in, uint64_t at, const struct requests *r,
                       struct elf_load_plan *plan, const struct diag *d)
{
    if (r->has_address) {
        if (!r->has_entry) {
            diag_report(d, WHO ": address tag without an entry address tag");
            return false;
        }
        const struct mb2_header_address *a = &r->address;
        struct mb_address_fields f = { at, a->header_addr, a->load_addr, a->load_end_addr,
                                       a->bss_end_addr, r->entry_addr };
        if (a->load_addr == MB2_LOAD_FROM_FILE_START) {
            if (a->header_addr < at) {
                diag_report(d, WHO ": address tag loads from the file's start, but "
                            "header_addr 0x%x is below the header's file offset 0x%llx",
                            a->header_addr, (ull)at);
                return false;
            }
            f.load_addr = (uint32_t)(a->header_addr - at);
        }
        if (!mb_plan_address(in, &f, WHO, plan, d))
            return false;
    } else {
        if (!mb_plan_elf(in, plan, d))
            return false;
        if (r->has_entry)
            plan->entry = r->entry_addr;
    }
    if (r->has_relocatable && !relocate(in, &r->relocatable, plan, d))
        return false;
    return mb_check_image(in, plan, WHO, d);
}

/* The RSDP's revision says its size: 20 bytes for ACPI 1.0 (revision 0), 36 from 2.0 on. */
static bool copy_rsdp(const struct loader_input *in, struct rsdp_copy *rsdp,
                      const struct diag *d)
{
    uint64_t gpa = in->acpi_rsdp_gpa;

    memset(rsdp, 0, sizeof(*rsdp));
    if (!gpa)
        return true;
    if (gpa > in->memory_size || in->memory_size - gpa < MB2_RSDP_V1_SIZE) {
        diag_report(d, WHO ": ACPI RSDP at 0x%llx: its %u bytes end past guest memory "
                    "(0x%llx bytes)", (ull)gpa, MB2_RSDP_V1_SIZE, (ull)in->memory_size);
        return false;
    }
    bool v2 = in->memory[gpa + MB2_RSDP_REVISION_OFFSET] >= 2;
    rsdp->size = v2 ? MB2_RSDP_V2_SIZE : MB2_RSDP_V1_SIZE;
    rsdp->tag = v2 ? MB2_TAG_ACPI_NEW : MB2_TAG_ACPI_OLD;
    if (in->memory_size - gpa < rsdp->size) {
        diag_report(d, WHO ": ACPI RSDP at 0x%llx: its %u bytes end past guest memory "
                    "(0x%llx bytes)", (ull)gpa, rsdp->size, (ull)in->memory_size);
        return false;
    }
    memcpy(rsdp->bytes, in->memory + gpa, rsdp->size);
    return true;
}

struct info_context {
    const struct loader_input *in;
    const struct mb_layout *layout;
    const struct rsdp_copy *rsdp;
    bool framebuffer;
};

static void put_tag_start(struct mb_writer *w, uint32_t type, uint64_t size)
{
    const struct mb2_info_tag tag = { type, (uint32_t)size };
    mb_put(w, &tag, sizeof(tag));
}

static void put_string_tag(struct mb_writer *w, uint32_t type, const char *s)
{
    put_tag_start(w, type, sizeof(struct mb2_info_tag) + strlen(s ? s : "") + 1);
    mb_put_string(w, s);
    mb_align(w, MB2_TAG_ALIGN);
}

static void put_memory_tags(struct mb_writer *w, uint64_t memory_size)
{
    const struct mb2_info_meminfo meminfo = { { MB2_TAG_BASIC_MEMINFO, sizeof(meminfo) },
                                              mb_mem_lower_kib(),
                                              mb_mem_upper_kib(memory_size) };
    mb_put(w, &meminfo, sizeof(meminfo));

    struct guest_mem_range map[GUEST_MEMMAP_MAX];
    uint32_t n = guest_memmap(memory_size, map);
    const struct mb2_info_mmap_start start = {
        { MB2_TAG_MMAP, (uint32_t)(sizeof(start) + n * sizeof(struct mb2_info_mmap_entry)) },
        sizeof(struct mb2_info_mmap_entry), 0 };
    mb_put(w, &start, sizeof(start));
    for (uint32_t i = 0; i < n; i++) {
        const struct mb2_info_mmap_entry e = { map[i].base, map[i].size, map[i].type, 0 };
        mb_put(w, &e, sizeof(e));
    }
}

static uint32_t build_info(const void *ctx, struct mb_writer *w)
{
    const struct info_context *c = ctx;
    const struct loader_input *in = c->in;
    uint32_t start = mb_here(w);
    const struct mb2_info_start header = { 0, 0 };     /* total_size patched at the end */

    mb_put(w, &header, sizeof(header));
    put_string_tag(w, MB2_TAG_CMDLINE, in->cmdline);
    put_string_tag(w, MB2_TAG_LOADER_NAME, MB_LOADER_NAME);
    for (uint32_t i = 0; i < in->module_count; i++) {
        const char *s = in->modules[i].cmdline ? in->modules[i].cmdline : "";
        put_tag_start(w, MB2_TAG_MODULE, sizeof(struct mb2_info_tag) + 8 + strlen(s) + 1);
        const uint32_t range[2] = { (uint32_t)c->layout->placed[i].start,
                                      (uint32_t)c->layout->placed[i].end };
        mb_put(w, range, sizeof(range));
        mb_put_string(w, s);
        mb_align(w, MB2_TAG_ALIGN);
    }
    put_memory_tags(w, in->memory_size);
    put_tag_start(w, MB2_TAG_LOAD_BASE_ADDR, sizeof(struct mb2_info_tag) + 4);
    const uint32_t load_base = (uint32_t)c->layout->image.lowest_gpa;
    mb_put(w, &load_base, sizeof(load_base));
    mb_align(w, MB2_TAG_ALIGN);
    if (c->framebuffer) {
        const struct mb2_info_framebuffer fb = {
            { MB2_TAG_FRAMEBUFFER, sizeof(fb) }, GUEST_VGA_TEXT_BASE,
            MB_EGA_COLUMNS * (MB_EGA_BPP / 8), MB_EGA_COLUMNS, MB_EGA_ROWS, MB_EGA_BPP,
            MB2_FRAMEBUFFER_EGA_TEXT, 0 };
        mb_put(w, &fb, sizeof(fb));
    }
    if (c->rsdp->size) {
        put_tag_start(w, c->rsdp->tag, sizeof(struct mb2_info_tag) + c->rsdp->size);
        mb_put(w, c->rsdp->bytes, c->rsdp->size);
        mb_align(w, MB2_TAG_ALIGN);
    }
    put_tag_start(w, MB2_TAG_END, sizeof(struct mb2_info_tag));
    uint32_t total = mb_here(w) - start;
    if (w->memory)
        memcpy(w->memory + start, &total, sizeof(total));
    return start;
}

bool multiboot2_load(const struct loader_input *in, struct loader_output *out,
                     const struct diag *d)
{
    uint64_t at;
    if (!mb_find_header(in->image, in->image_size, &header_search, WHO, &at, d))
        return false;

    const uint8_t *header = (const uint8_t *)in->image + at;
    struct mb2_header h;
    memcpy(&h, header, sizeof(h));
    struct requests r;
    struct rsdp_copy rsdp;
    struct mb_layout layout;
    if (!check_fixed_header(in, at, &h, d) || !take_header(header, h.header_length, in, &r, d) ||
        !copy_rsdp(in, &rsdp, d) || !plan_image(in, at, &r, &layout.image, d) ||
        !mb_load(in, &layout, WHO, d))
        return false;

    const struct info_context ctx = { in, &layout, &rsdp, r.want_framebuffer };
    uint32_t info_gpa;
    if (!mb_write_info(in, &layout, build_info, &ctx, WHO, &info_gpa, d))
        return false;
    mb_enter(&layout, MB2_BOOTLOADER_MAGIC, info_gpa, out);
    return true;
}
