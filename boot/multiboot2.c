/* Multiboot2 boot information parser (Multiboot2 specification 1.0, section 3.6 "Boot information format"). */
#include "boot/multiboot2.h"

#include <stddef.h>
#include <stdint.h>

#include "lib/string.h"
#include "lib/unaligned.h"

#define MB2_FIXED_PART_SIZE  8u    /* u32 total_size, u32 reserved */
#define MB2_TAG_HEADER_SIZE  8u    /* u32 type, u32 size */
#define MB2_TAG_ALIGN        8u
#define MB2_MIN_TOTAL_SIZE   (MB2_FIXED_PART_SIZE + MB2_TAG_HEADER_SIZE) /* room for the end tag */

#define MB2_MODULE_FIXED     8u    /* u32 mod_start, u32 mod_end before the string */
#define MB2_MMAP_FIXED       8u    /* u32 entry_size, u32 entry_version before the entries */
#define MB2_MMAP_ENTRY_MIN   24u   /* u64 base, u64 length, u32 type, u32 reserved */
#define MB2_BASIC_MEMINFO_SIZE 16u
#define MB2_EFI32_SIZE       12u
#define MB2_EFI64_SIZE       16u
#define MB2_RSDP_V1_SIZE     20u   /* ACPI 1.0 RSDP */
#define MB2_RSDP_V2_SIZE     36u   /* ACPI 2.0+ RSDP (XSDT address, extended checksum) */
#define MB2_FB_COMMON        24u   /* u64 address, u32 pitch, width, height, u8 bpp, type, u16 reserved */
#define MB2_FB_RGB_FIELDS    6u    /* position and mask size of red, green, blue */

/* Everything the walk needs; lives on the stack so the parser keeps no state. */
struct mb2_parser {
    const uint8_t *base;
    uint32_t trusted_size;          /* bytes that may be read from base */
    struct mb2_info *out;
    const struct diag *d;
    uint32_t singletons_seen;       /* bit per tag type that may appear only once */
    uint32_t modules_seen;          /* well-formed module tags, kept or not */
};

/* One tag as found by the walk; payload is what follows the 8-byte header. */
struct mb2_tag_view {
    uint32_t type;
    uint32_t size;
    const char *name;
    const uint8_t *payload;
    uint32_t payload_size;
};

/* Every report counts, so callers can tell a clean structure from a repaired one. */
#define MB2_REPORT(parser, ...)                         \
    do {                                                \
        (parser)->out->errors++;                        \
        diag_report((parser)->d, __VA_ARGS__);          \
    } while (0)

static const char *const tag_names[] = {
    [MB2_TAG_END]            = "end",
    [MB2_TAG_CMDLINE]        = "command line",
    [MB2_TAG_LOADER_NAME]    = "boot loader name",
    [MB2_TAG_MODULE]         = "module",
    [MB2_TAG_BASIC_MEMINFO]  = "basic memory info",
    [MB2_TAG_BOOTDEV]        = "boot device",
    [MB2_TAG_MMAP]           = "memory map",
    [MB2_TAG_VBE]            = "VBE info",
    [MB2_TAG_FRAMEBUFFER]    = "framebuffer info",
    [MB2_TAG_ELF_SECTIONS]   = "ELF sections",
    [MB2_TAG_APM]            = "APM table",
    [MB2_TAG_EFI32]          = "EFI 32-bit system table",
    [MB2_TAG_EFI64]          = "EFI 64-bit system table",
    [MB2_TAG_SMBIOS]         = "SMBIOS tables",
    [MB2_TAG_ACPI_OLD]       = "ACPI old RSDP",
    [MB2_TAG_ACPI_NEW]       = "ACPI new RSDP",
    [MB2_TAG_NETWORK]        = "network info",
    [MB2_TAG_EFI_MMAP]       = "EFI memory map",
    [MB2_TAG_EFI_BS]         = "EFI boot services not terminated",
    [MB2_TAG_EFI32_IH]       = "EFI 32-bit image handle",
    [MB2_TAG_EFI64_IH]       = "EFI 64-bit image handle",
    [MB2_TAG_LOAD_BASE_ADDR] = "image load base address",
};

const char *mb2_tag_name(uint32_t type)
{
    if (type < sizeof(tag_names) / sizeof(tag_names[0]) && tag_names[type])
        return tag_names[type];
    return "unknown tag";
}

/* Returns the string when it ends inside its room, NULL (reported) otherwise. */
static const char *checked_string(struct mb2_parser *p, const char *name,
                                  const uint8_t *start, uint32_t room)
{
    const char *s = (const char *)start;

    if (strnlen(s, room) == room) {
        MB2_REPORT(p, "multiboot2: %s: string not NUL-terminated", name);
        return NULL;
    }
    return s;
}

/* Tags this parser stores at most once; later copies are reported and ignored. */
static bool is_singleton(uint32_t type)
{
    switch (type) {
    case MB2_TAG_CMDLINE:
    case MB2_TAG_LOADER_NAME:
    case MB2_TAG_BASIC_MEMINFO:
    case MB2_TAG_MMAP:
    case MB2_TAG_EFI32:
    case MB2_TAG_EFI64:
    case MB2_TAG_ACPI_OLD:
    case MB2_TAG_ACPI_NEW:
    case MB2_TAG_EFI_BS:
    case MB2_TAG_FRAMEBUFFER:
        return true;
    default:
        return false;
    }
}

static bool first_of_its_type(struct mb2_parser *p, const struct mb2_tag_view *t)
{
    uint32_t bit = 1u << t->type;   /* singleton types are all below 32 */

    if (p->singletons_seen & bit) {
        MB2_REPORT(p, "multiboot2: %s: duplicate tag", t->name);
        return false;
    }
    p->singletons_seen |= bit;
    return true;
}

static void parse_module(struct mb2_parser *p, const struct mb2_tag_view *t)
{
    struct mb2_info *out = p->out;
    uint32_t start, end;
    const char *cmdline;

    /* At least the two addresses and the string's NUL. */
    if (t->payload_size < MB2_MODULE_FIXED + 1) {
        MB2_REPORT(p, "multiboot2: module: size %u < %u", t->size,
                   MB2_TAG_HEADER_SIZE + MB2_MODULE_FIXED + 1);
        return;
    }
    start = read_u32(t->payload);
    end = read_u32(t->payload + 4);
    cmdline = checked_string(p, t->name, t->payload + MB2_MODULE_FIXED,
                             t->payload_size - MB2_MODULE_FIXED);
    if (!cmdline)
        return;
    if (end <= start) {
        MB2_REPORT(p, "multiboot2: module: mod_end 0x%x <= mod_start 0x%x", end, start);
        return;
    }
    p->modules_seen++;
    if (out->module_count == MB2_MAX_MODULES) {
        if (p->modules_seen == MB2_MAX_MODULES + 1)
            MB2_REPORT(p, "multiboot2: module: module %u and later ignored, at most %u",
                       p->modules_seen, (uint32_t)MB2_MAX_MODULES);
        return;
    }
    out->modules[out->module_count].start = start;
    out->modules[out->module_count].end = end;
    out->modules[out->module_count].cmdline = cmdline;
    out->module_count++;
}

static void parse_mmap(struct mb2_parser *p, const struct mb2_tag_view *t)
{
    struct mb2_info *out = p->out;
    uint32_t entry_size, entries_size, entry_count, trailing;
    const uint8_t *entries;

    if (t->payload_size < MB2_MMAP_FIXED) {
        MB2_REPORT(p, "multiboot2: memory map: size %u < %u", t->size,
                   MB2_TAG_HEADER_SIZE + MB2_MMAP_FIXED);
        return;
    }
    /* entry_version (payload + 4) is 0 today; the spec promises later versions
     * stay compatible, so any value is accepted. */
    entry_size = read_u32(t->payload);
    if (entry_size < MB2_MMAP_ENTRY_MIN) {
        MB2_REPORT(p, "multiboot2: memory map: entry_size %u < %u", entry_size,
                   MB2_MMAP_ENTRY_MIN);
        return;
    }
    /* Still usable as a stride, so only reported. */
    if (entry_size % 8 != 0)
        MB2_REPORT(p, "multiboot2: memory map: entry_size %u not a multiple of 8", entry_size);

    entries = t->payload + MB2_MMAP_FIXED;
    entries_size = t->payload_size - MB2_MMAP_FIXED;
    entry_count = entries_size / entry_size;
    trailing = entries_size % entry_size;
    if (trailing != 0)
        MB2_REPORT(p, "multiboot2: memory map: trailing bytes %u < entry_size %u",
                   trailing, entry_size);

    for (uint32_t i = 0; i < entry_count; i++) {
        const uint8_t *entry = entries + (size_t)i * entry_size;
        uint64_t base = read_u64(entry);
        uint64_t length = read_u64(entry + 8);
        uint32_t type = read_u32(entry + 16);

        if (length == 0) {
            MB2_REPORT(p, "multiboot2: memory map: entry %u: length 0", i);
            continue;
        }
        /* The exclusive end base + length must itself be representable. */
        if (length > UINT64_MAX - base) {
            MB2_REPORT(p, "multiboot2: memory map: entry %u: base 0x%llx length 0x%llx "
                       "overflows 64 bits", i, (unsigned long long)base,
                       (unsigned long long)length);
            continue;
        }
        if (out->mmap_count == MB2_MAX_MMAP_ENTRIES) {
            MB2_REPORT(p, "multiboot2: memory map: entry %u and later ignored, at most %u",
                       i, (uint32_t)MB2_MAX_MMAP_ENTRIES);
            return;
        }
        out->mmap[out->mmap_count].base = base;
        out->mmap[out->mmap_count].length = length;
        out->mmap[out->mmap_count].type = type;
        out->mmap_count++;
    }
}

/* Tag size must be exactly `expected`; reports and returns false otherwise. */
static bool exact_size(struct mb2_parser *p, const struct mb2_tag_view *t, uint32_t expected)
{
    if (t->size != expected) {
        MB2_REPORT(p, "multiboot2: %s: size %u != %u", t->name, t->size, expected);
        return false;
    }
    return true;
}

/* The tag holds a copy of the RSDP; checksums are left to the ACPI code. */
static void parse_rsdp(struct mb2_parser *p, const struct mb2_tag_view *t, uint32_t min_rsdp,
                       const void **rsdp, uint32_t *rsdp_size)
{
    if (t->payload_size < min_rsdp) {
        MB2_REPORT(p, "multiboot2: %s: size %u < %u", t->name, t->size,
                   MB2_TAG_HEADER_SIZE + min_rsdp);
        return;
    }
    *rsdp = t->payload;
    *rsdp_size = t->payload_size;
}

/* Only the fields are taken here; whether the hypervisor can draw on it is the screen
 * console's decision (drivers/fb_draw.c). GRUB's reserved field is 16 bits wide. */
static void parse_framebuffer(struct mb2_parser *p, const struct mb2_tag_view *t)
{
    struct mb2_framebuffer *fb = &p->out->framebuffer;

    if (t->payload_size < MB2_FB_COMMON) {
        MB2_REPORT(p, "multiboot2: %s: size %u < %u", t->name, t->size,
                   MB2_TAG_HEADER_SIZE + MB2_FB_COMMON);
        return;
    }
    uint8_t type = t->payload[21];
    if (type == MB2_FRAMEBUFFER_RGB && t->payload_size < MB2_FB_COMMON + MB2_FB_RGB_FIELDS) {
        MB2_REPORT(p, "multiboot2: %s: size %u < %u for an RGB framebuffer", t->name, t->size,
                   MB2_TAG_HEADER_SIZE + MB2_FB_COMMON + MB2_FB_RGB_FIELDS);
        return;
    }
    fb->address = read_u64(t->payload);
    fb->pitch = read_u32(t->payload + 8);
    fb->width = read_u32(t->payload + 12);
    fb->height = read_u32(t->payload + 16);
    fb->bpp = t->payload[20];
    fb->type = type;
    if (type == MB2_FRAMEBUFFER_RGB) {
        const uint8_t *c = t->payload + MB2_FB_COMMON;
        fb->red_position = c[0];
        fb->red_size = c[1];
        fb->green_position = c[2];
        fb->green_size = c[3];
        fb->blue_position = c[4];
        fb->blue_size = c[5];
    }
    fb->present = true;
}

static void parse_tag(struct mb2_parser *p, const struct mb2_tag_view *t)
{
    struct mb2_info *out = p->out;

    if (is_singleton(t->type) && !first_of_its_type(p, t))
        return;

    switch (t->type) {
    case MB2_TAG_CMDLINE:
        out->cmdline = checked_string(p, t->name, t->payload, t->payload_size);
        break;
    case MB2_TAG_LOADER_NAME:
        out->loader_name = checked_string(p, t->name, t->payload, t->payload_size);
        break;
    case MB2_TAG_MODULE:
        parse_module(p, t);
        break;
    case MB2_TAG_BASIC_MEMINFO:
        if (exact_size(p, t, MB2_BASIC_MEMINFO_SIZE)) {
            out->mem_lower_kib = read_u32(t->payload);
            out->mem_upper_kib = read_u32(t->payload + 4);
            out->has_basic_meminfo = true;
        }
        break;
    case MB2_TAG_MMAP:
        parse_mmap(p, t);
        break;
    case MB2_TAG_EFI32:
        if (exact_size(p, t, MB2_EFI32_SIZE)) {
            out->efi32 = true;
            /* A 64-bit table, when also given, is the one a 64-bit kernel wants. */
            if (!out->efi64)
                out->efi_system_table = read_u32(t->payload);
        }
        break;
    case MB2_TAG_EFI64:
        if (exact_size(p, t, MB2_EFI64_SIZE)) {
            out->efi64 = true;
            out->efi_system_table = read_u64(t->payload);
        }
        break;
    case MB2_TAG_ACPI_OLD:
        parse_rsdp(p, t, MB2_RSDP_V1_SIZE, &out->rsdp_old, &out->rsdp_old_size);
        break;
    case MB2_TAG_ACPI_NEW:
        parse_rsdp(p, t, MB2_RSDP_V2_SIZE, &out->rsdp_new, &out->rsdp_new_size);
        break;
    case MB2_TAG_EFI_BS:
        out->efi_boot_services = true;
        break;
    case MB2_TAG_FRAMEBUFFER:
        parse_framebuffer(p, t);
        break;
    default:
        /* Known tags we have no use for, and unknown ones, which the spec
         * tells us to skip. */
        break;
    }
}

/* Walks the tags from the first one to the end tag. A tag with a bad size
 * stops the walk: the next tag's position depends on it. */
static void walk_tags(struct mb2_parser *p)
{
    uint32_t offset = MB2_FIXED_PART_SIZE;

    while (p->trusted_size - offset >= MB2_TAG_HEADER_SIZE) {
        struct mb2_tag_view tag;
        uint64_t next;

        tag.type = read_u32(p->base + offset);
        tag.size = read_u32(p->base + offset + 4);
        tag.name = mb2_tag_name(tag.type);
        if (tag.size < MB2_TAG_HEADER_SIZE) {
            MB2_REPORT(p, "multiboot2: %s: size %u < 8 at offset %u", tag.name, tag.size,
                       offset);
            return;
        }
        if (tag.size > p->trusted_size - offset) {
            MB2_REPORT(p, "multiboot2: %s: size %u at offset %u runs past end %u", tag.name,
                       tag.size, offset, p->trusted_size);
            return;
        }
        if (tag.type == MB2_TAG_END) {
            if (tag.size != MB2_TAG_HEADER_SIZE)
                MB2_REPORT(p, "multiboot2: end: size %u != 8", tag.size);
            return;
        }
        tag.payload = p->base + offset + MB2_TAG_HEADER_SIZE;
        tag.payload_size = tag.size - MB2_TAG_HEADER_SIZE;
        parse_tag(p, &tag);

        /* 64-bit so that a tag ending near 4 GiB cannot wrap the offset. */
        next = ((uint64_t)offset + tag.size + MB2_TAG_ALIGN - 1) & ~(uint64_t)(MB2_TAG_ALIGN - 1);
        if (next > p->trusted_size)
            break;
        offset = (uint32_t)next;
    }
    MB2_REPORT(p, "multiboot2: end: tag missing in %u bytes", p->trusted_size);
}

bool mb2_parse(const void *mbi, uint32_t max_size, struct mb2_info *out,
               const struct diag *d)
{
    struct mb2_parser parser;
    uint32_t total_size;

    if (!out)
        return false;
    memset(out, 0, sizeof(*out));
    memset(&parser, 0, sizeof(parser));
    parser.base = mbi;
    parser.out = out;
    parser.d = d;

    if (!mbi) {
        MB2_REPORT(&parser, "multiboot2: structure at 0x0 not present");
        return false;
    }
    /* Section 3.6.1: the structure is 8-byte aligned; anything else means a
     * wrong pointer rather than a sloppy boot loader. */
    if ((uintptr_t)mbi % MB2_TAG_ALIGN != 0) {
        MB2_REPORT(&parser, "multiboot2: structure at 0x%llx not 8-byte aligned",
                   (unsigned long long)(uintptr_t)mbi);
        return false;
    }
    if (max_size < MB2_FIXED_PART_SIZE) {
        MB2_REPORT(&parser, "multiboot2: fixed part: max_size %u < %u", max_size,
                   MB2_FIXED_PART_SIZE);
        return false;
    }
    total_size = read_u32(parser.base);
    if (total_size < MB2_MIN_TOTAL_SIZE) {
        MB2_REPORT(&parser, "multiboot2: fixed part: total_size %u < %u", total_size,
                   MB2_MIN_TOTAL_SIZE);
        return false;
    }
    parser.trusted_size = total_size;
    if (total_size > max_size) {
        MB2_REPORT(&parser, "multiboot2: fixed part: total_size %u > max_size %u", total_size,
                   max_size);
        parser.trusted_size = max_size;
    }
    out->total_size = parser.trusted_size;
    walk_tags(&parser);
    return true;
}
