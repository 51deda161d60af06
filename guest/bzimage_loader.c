/* Linux bzImage loader with the 64-bit entry (Linux Documentation/arch/x86/boot.rst: "Details of
 * Header Fields", "Loading The Rest of The Kernel", "64-bit Boot Protocol"; zero-page.rst). */
#include "guest/bzimage_loader.h"

#include "guest/bzimage_spec.h"
#include "guest/guest_memmap.h"
#include "lib/string.h"

typedef unsigned long long ull;     /* for %llx: uint64_t is unsigned long here */

#define PAGE_SIZE       0x1000ull
#define INITRD_ALIGN    4ull        /* between concatenated cpio archives */

_Static_assert(GUEST_PD_GPA + GUEST_PD_MAX * 0x1000ull <= BZIMAGE_CMDLINE_GPA,
               "the command line lies above the largest identity map's page directories");
_Static_assert(BZIMAGE_CMDLINE_GPA + BZIMAGE_CMDLINE_MAX + TESSERA_GUEST_STACK_MIN <=
               BZIMAGE_STACK_TOP, "the stack lies above the command line");
_Static_assert(BZIMAGE_STACK_TOP <= GUEST_EBDA_BASE, "low structures lie in low RAM");
_Static_assert(BZIMAGE_SEL_TSS + 15 <= GUEST_GDT_LIMIT, "the TSS descriptor fits the GDT");

/* The image and guest memory may sit at any alignment: fields are copied in and out. */
static uint64_t read_le(const uint8_t *p, unsigned n)
{
    uint64_t v = 0;
    memcpy(&v, p, n);
    return v;
}

static void write_le(uint8_t *p, uint64_t value, unsigned n)
{
    memcpy(p, &value, n);
}

static uint64_t align_up(uint64_t value, uint64_t align)
{
    return (value + align - 1) & ~(align - 1);
}

static void read_fields(const uint8_t *b, struct bzimage_header *h)
{
    uint32_t sects = b[BZ_SETUP_SECTS] ? b[BZ_SETUP_SECTS] : BZ_SETUP_SECTS_DEFAULT;

    h->version = (uint16_t)read_le(b + BZ_VERSION, 2);
    h->loadflags = b[BZ_LOADFLAGS];
    h->xloadflags = (uint16_t)read_le(b + BZ_XLOADFLAGS, 2);
    h->relocatable = b[BZ_RELOCATABLE_KERNEL];
    h->min_alignment = b[BZ_MIN_ALIGNMENT];
    h->syssize = (uint32_t)read_le(b + BZ_SYSSIZE, 4);
    h->kernel_alignment = (uint32_t)read_le(b + BZ_KERNEL_ALIGNMENT, 4);
    h->initrd_addr_max = (uint32_t)read_le(b + BZ_INITRD_ADDR_MAX, 4);
    h->cmdline_size = (uint32_t)read_le(b + BZ_CMDLINE_SIZE, 4);
    h->init_size = (uint32_t)read_le(b + BZ_INIT_SIZE, 4);
    h->handover_offset = (uint32_t)read_le(b + BZ_HANDOVER_OFFSET, 4);
    h->pref_address = read_le(b + BZ_PREF_ADDRESS, 8);
    h->header_end = BZ_JUMP + 2 + b[BZ_JUMP + 1];
    h->setup_size = (sects + 1) * BZ_SECTOR;
}

/* What makes the image a bzImage with a 64-bit entry, before any size is trusted. */
static bool check_identity(const uint8_t *b, const struct bzimage_header *h, const struct diag *d)
{
    uint32_t magic = (uint32_t)read_le(b + BZ_HEADER, 4);
    uint16_t boot_flag = (uint16_t)read_le(b + BZ_BOOT_FLAG, 2);

    if (magic != BZ_HEADER_MAGIC) {
        diag_report(d, "bzImage: no \"HdrS\" at 0x202 (found 0x%08x), not a Linux kernel", magic);
        return false;
    }
    if (h->version < BZIMAGE_MIN_VERSION) {
        diag_report(d, "bzImage: boot protocol %u.%02u is older than %u.%02u",
                    h->version >> 8, h->version & 0xFF,
                    BZIMAGE_MIN_VERSION >> 8, BZIMAGE_MIN_VERSION & 0xFF);
        return false;
    }
    if (boot_flag != BZ_BOOT_FLAG_MAGIC) {
        diag_report(d, "bzImage: boot flag 0x%04x at 0x1fe, not 0xaa55", boot_flag);
        return false;
    }
    if (h->header_end < BZ_HEADER_MIN_END || h->header_end > BZ_HEADER_MAX_END) {
        diag_report(d, "bzImage: setup header ends at 0x%x, outside 0x%x..0x%x",
                    h->header_end, BZ_HEADER_MIN_END, BZ_HEADER_MAX_END);
        return false;
    }
    if (!(h->loadflags & BZ_LOADFLAG_LOADED_HIGH)) {
        diag_report(d, "bzImage: a zImage (LOADED_HIGH clear in loadflags 0x%02x)", h->loadflags);
        return false;
    }
    if (!(h->xloadflags & BZ_XLF_KERNEL_64)) {
        diag_report(d, "bzImage: not a 64-bit kernel (XLF_KERNEL_64 clear)");
        return false;
    }
    return true;
}

/* The sizes: setup and kernel present, alignment and init_size usable. */
static bool check_sizes(uint64_t size, struct bzimage_header *h, const struct diag *d)
{
    if (h->setup_size > size) {
        diag_report(d, "bzImage: truncated: setup needs %u bytes, image has %llu",
                    h->setup_size, (ull)size);
        return false;
    }
    uint64_t rest = size - h->setup_size;
    uint64_t claimed = (uint64_t)h->syssize * BZ_SYSSIZE_UNIT;
    if (h->syssize == 0) {
        diag_report(d, "bzImage: syssize 0, no protected-mode kernel");
        return false;
    }
    /* syssize counts whole paragraphs: the last one may end past the file. */
    if (claimed > rest && claimed - rest >= BZ_SYSSIZE_UNIT) {
        diag_report(d, "bzImage: truncated: kernel needs %llu bytes (syssize 0x%x) after the "
                    "setup, image has %llu", (ull)claimed, h->syssize, (ull)rest);
        return false;
    }
    h->kernel_size = claimed < rest ? claimed : rest;
    if (h->kernel_size <= BZ_ENTRY_64_OFFSET) {
        diag_report(d, "bzImage: kernel of %llu bytes ends before its 64-bit entry at +0x%x",
                    (ull)h->kernel_size, BZ_ENTRY_64_OFFSET);
        return false;
    }
    if (h->kernel_alignment == 0 || (h->kernel_alignment & (h->kernel_alignment - 1))) {
        diag_report(d, "bzImage: kernel_alignment 0x%x is not a power of two",
                    h->kernel_alignment);
        return false;
    }
    if (h->init_size < h->kernel_size) {
        diag_report(d, "bzImage: init_size 0x%x is smaller than the kernel (0x%llx bytes)",
                    h->init_size, (ull)h->kernel_size);
        return false;
    }
    return true;
}

bool bzimage_parse_header(const void *image, uint64_t size, struct bzimage_header *h,
                          const struct diag *d)
{
    const uint8_t *b = image;

    memset(h, 0, sizeof(*h));
    if (size < BZ_HEADER_MIN_END) {
        diag_report(d, "bzImage: truncated: image of %llu bytes ends inside the setup header "
                    "(0x%x)", (ull)size, BZ_HEADER_MIN_END);
        return false;
    }
    read_fields(b, h);
    return check_identity(b, h, d) && check_sizes(size, h, d);
}

static bool place_kernel(const struct bzimage_header *h, uint64_t memory_size,
                         struct bzimage_layout *l, const struct diag *d)
{
    uint64_t at = h->pref_address;

    if (h->relocatable && (at < BZIMAGE_HIGH_MIN_GPA || at % h->kernel_alignment)) {
        uint64_t floor = at < BZIMAGE_HIGH_MIN_GPA ? BZIMAGE_HIGH_MIN_GPA : at;
        at = floor > memory_size ? floor : align_up(floor, h->kernel_alignment);
    }
    bool fits = at >= BZIMAGE_HIGH_MIN_GPA && guest_memmap_is_ram(memory_size, at, h->init_size);
    if (!fits && !h->relocatable) {
        diag_report(d, "bzImage: kernel is not relocatable and its 0x%llx+0x%x (pref_address + "
                    "init_size) is not RAM above 1 MiB of the partition (0x%llx bytes)",
                    (ull)h->pref_address, h->init_size, (ull)memory_size);
        return false;
    }
    if (!fits) {
        diag_report(d, "bzImage: kernel needs 0x%llx+0x%x (init_size) but the partition has "
                    "0x%llx bytes", (ull)at, h->init_size, (ull)memory_size);
        return false;
    }
    l->kernel_gpa = at;
    l->kernel_end = at + h->init_size;
    return true;
}

/* The highest page-aligned start for size bytes ending at or below hi and starting at or
 * above lo; 0 when none (no window here starts below 1 MiB). */
static uint64_t highest_fit(uint64_t lo, uint64_t hi, uint64_t size)
{
    if (hi <= lo || size > hi - lo)
        return 0;
    uint64_t at = (hi - size) & ~(PAGE_SIZE - 1);
    return at >= lo ? at : 0;
}

static bool place_initrd(const struct bzimage_header *h, uint64_t memory_size, uint64_t size,
                         struct bzimage_layout *l, const struct diag *d)
{
    uint64_t limit = (uint64_t)h->initrd_addr_max + 1;

    if (limit > memory_size)
        limit = memory_size;
    if (size == 0)
        return true;
    uint64_t below = l->kernel_gpa < limit ? l->kernel_gpa : limit;
    uint64_t at = highest_fit(l->kernel_end, limit, size);
    if (!at)
        at = highest_fit(BZIMAGE_HIGH_MIN_GPA, below, size);
    if (!at) {
        diag_report(d, "bzImage: initrd of %llu bytes does not fit the partition below 0x%llx "
                    "outside the kernel's 0x%llx-0x%llx", (ull)size, (ull)limit,
                    (ull)l->kernel_gpa, (ull)l->kernel_end);
        return false;
    }
    l->initrd_gpa = at;
    l->initrd_size = size;
    return true;
}

bool bzimage_place(const struct bzimage_header *h, uint64_t memory_size, uint64_t cmdline_len,
                   uint64_t initrd_size, struct bzimage_layout *l, const struct diag *d)
{
    memset(l, 0, sizeof(*l));
    if (cmdline_len >= BZIMAGE_CMDLINE_MAX) {
        diag_report(d, "bzImage: command line longer than the loader's %u bytes",
                    BZIMAGE_CMDLINE_MAX - 1);
        return false;
    }
    if (cmdline_len > h->cmdline_size) {
        diag_report(d, "bzImage: command line of %llu bytes is longer than the kernel's "
                    "cmdline_size %u", (ull)cmdline_len, h->cmdline_size);
        return false;
    }
    l->cmdline_len = cmdline_len;
    return place_kernel(h, memory_size, l, d) && place_initrd(h, memory_size, initrd_size, l, d);
}

/* The modules back to back, each starting 4-aligned; UINT64_MAX when that overflows. */
static uint64_t initrd_total(const struct loader_input *in)
{
    uint64_t total = 0;

    for (uint32_t i = 0; i < in->module_count; i++) {
        uint64_t start = align_up(total, INITRD_ALIGN), size = in->modules[i].size;
        if (total > UINT64_MAX - INITRD_ALIGN || size > UINT64_MAX - start)
            return UINT64_MAX;
        total = start + size;
    }
    return total;
}

static void copy_initrd(const struct loader_input *in, const struct bzimage_layout *l)
{
    uint64_t offset = 0;

    for (uint32_t i = 0; i < in->module_count; i++) {
        uint64_t start = align_up(offset, INITRD_ALIGN);
        memset(in->memory + l->initrd_gpa + offset, 0, start - offset);
        if (in->modules[i].size)      /* an empty module's data may be NULL */
            memcpy(in->memory + l->initrd_gpa + start, in->modules[i].data, in->modules[i].size);
        offset = start + in->modules[i].size;
    }
}

static void write_e820(uint8_t *zp, uint64_t memory_size)
{
    struct guest_mem_range map[GUEST_MEMMAP_MAX];
    uint32_t n = guest_memmap(memory_size, map);

    for (uint32_t i = 0; i < n; i++) {
        uint8_t *e = zp + BZ_ZP_E820_TABLE + i * BZ_E820_ENTRY_SIZE;
        write_le(e, map[i].base, 8);
        write_le(e + 8, map[i].size, 8);
        write_le(e + 16, map[i].type == GUEST_MEM_RAM ? BZ_E820_RAM : BZ_E820_RESERVED, 4);
    }
    zp[BZ_ZP_E820_ENTRIES] = (uint8_t)n;
}

/* The zero page: all zero (sentinel included), the image's setup header, then what the
 * loader must write: its type, the command line, the initrd, the memory map, the RSDP. */
static void write_zero_page(const struct loader_input *in, const struct bzimage_header *h,
                            const struct bzimage_layout *l)
{
    uint8_t *zp = in->memory + BZIMAGE_ZERO_PAGE_GPA;
    const uint8_t *image = in->image;

    memset(zp, 0, BZ_ZERO_PAGE_SIZE);
    memcpy(zp + BZ_SETUP_SECTS, image + BZ_SETUP_SECTS, h->header_end - BZ_SETUP_SECTS);
    /* Every field a loader writes, so nothing of the image's own values reaches the kernel:
     * LOADED_HIGH alone (no QUIET: early messages wanted; no real-mode heap). */
    zp[BZ_TYPE_OF_LOADER] = BZ_TYPE_UNDEFINED;
    zp[BZ_LOADFLAGS] = BZ_LOADFLAG_LOADED_HIGH;
    zp[BZ_EXT_LOADER_VER] = 0;
    zp[BZ_EXT_LOADER_TYPE] = 0;
    write_le(zp + BZ_HARDWARE_SUBARCH, 0, 4);
    write_le(zp + BZ_SETUP_DATA, 0, 8);
    write_le(zp + BZ_CMD_LINE_PTR, (uint32_t)BZIMAGE_CMDLINE_GPA, 4);
    write_le(zp + BZ_ZP_EXT_CMD_LINE_PTR, BZIMAGE_CMDLINE_GPA >> 32, 4);
    write_le(zp + BZ_RAMDISK_IMAGE, (uint32_t)l->initrd_gpa, 4);
    write_le(zp + BZ_ZP_EXT_RAMDISK_IMAGE, l->initrd_gpa >> 32, 4);
    write_le(zp + BZ_RAMDISK_SIZE, (uint32_t)l->initrd_size, 4);
    write_le(zp + BZ_ZP_EXT_RAMDISK_SIZE, l->initrd_size >> 32, 4);
    write_le(zp + BZ_ZP_ACPI_RSDP_ADDR, in->acpi_rsdp_gpa, 8);
    write_e820(zp, in->memory_size);
}

bool bzimage_load(const struct loader_input *in, struct loader_output *out,
                  const struct diag *d)
{
    struct bzimage_header h;
    struct bzimage_layout l;
    const char *cmdline = in->cmdline ? in->cmdline : "";
    uint64_t cmdline_len = strnlen(cmdline, BZIMAGE_CMDLINE_MAX);

    if (!guest_boot_memory_ok(in->memory_size, d) ||
        !bzimage_parse_header(in->image, in->image_size, &h, d) ||
        !bzimage_place(&h, in->memory_size, cmdline_len, initrd_total(in), &l, d))
        return false;

    memcpy(in->memory + l.kernel_gpa, (const uint8_t *)in->image + h.setup_size, h.kernel_size);
    write_zero_page(in, &h, &l);
    memcpy(in->memory + BZIMAGE_CMDLINE_GPA, cmdline, cmdline_len);
    in->memory[BZIMAGE_CMDLINE_GPA + cmdline_len] = '\0';
    if (l.initrd_size)
        copy_initrd(in, &l);

    static const struct guest_boot_selectors linux_selectors = {
        BZ_BOOT_CS, BZ_BOOT_DS, BZIMAGE_SEL_TSS };
    guest_boot_long_mode(in->memory, in->memory_size, &linux_selectors,
                         l.kernel_gpa + BZ_ENTRY_64_OFFSET, BZIMAGE_STACK_TOP, &out->entry);
    out->entry.regs.rsi = BZIMAGE_ZERO_PAGE_GPA;
    out->image_start = l.kernel_gpa;
    out->image_end = l.kernel_gpa + h.kernel_size;
    return true;
}
