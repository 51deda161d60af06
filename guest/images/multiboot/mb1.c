/* Multiboot 0.6.96 boot information (Multiboot specification 0.6.96, section 3.3), read into
 * the shape of the hypervisor's multiboot2 parser so one set of checks serves both versions.
 * Every field the flags do not mark valid is left out; what is malformed is a failed check. */
#include "guest/images/multiboot/mb_kernel.h"

#include "guest/images/multiboot/mb1_spec.h"
#include "lib/string.h"

#define STRING_MAX  4096    /* a loader string longer than this is malformed */

static uint32_t read32(uint32_t addr)
{
    uint32_t v;
    memcpy(&v, (const void *)(uintptr_t)addr, sizeof(v));
    return v;
}

static uint64_t read64(uint32_t addr)
{
    uint64_t v;
    memcpy(&v, (const void *)(uintptr_t)addr, sizeof(v));
    return v;
}

/* The NUL-terminated string at addr, or NULL (with a failed check) when it is missing or
 * not terminated within STRING_MAX bytes. */
static const char *string_at(uint32_t addr, const char *what)
{
    const char *s = (const char *)(uintptr_t)addr;
    if (!addr) {
        mb_fail("%s at address 0", what);
        return 0;
    }
    if (strnlen(s, STRING_MAX) == STRING_MAX) {
        mb_fail("%s at 0x%x not terminated within %u bytes", what, addr, STRING_MAX);
        return 0;
    }
    return s;
}

static void read_modules(uint32_t info_addr, struct mb2_info *out)
{
    uint32_t count = read32(info_addr + MB1_INFO_MODS_COUNT);
    uint32_t at = read32(info_addr + MB1_INFO_MODS_ADDR);
    if (count > MB2_MAX_MODULES) {
        mb_fail("mods_count %u above %u", count, MB2_MAX_MODULES);
        count = MB2_MAX_MODULES;
    }
    for (uint32_t i = 0; i < count; i++, at += MB1_MODULE_SIZE) {
        struct mb2_module *m = &out->modules[out->module_count++];
        m->start = read32(at);
        m->end = read32(at + 4);
        m->cmdline = string_at(read32(at + 8), "module string");
    }
}

/* Entries are `size` bytes after their size field; size may exceed 20 (3.3). */
static void read_mmap(uint32_t info_addr, struct mb2_info *out)
{
    uint32_t length = read32(info_addr + MB1_INFO_MMAP_LENGTH);
    uint32_t base = read32(info_addr + MB1_INFO_MMAP_ADDR);
    uint32_t off = 0;

    while (off < length) {
        uint32_t size = length - off >= 4 ? read32(base + off) : 0;
        if (size < MB1_MMAP_ENTRY_MIN || size > length - off - 4) {
            mb_fail("mmap entry at +%u: size %u in a map of %u bytes", off, size, length);
            return;
        }
        if (out->mmap_count == MB2_MAX_MMAP_ENTRIES) {
            mb_fail("mmap holds more than %u entries", MB2_MAX_MMAP_ENTRIES);
            return;
        }
        struct mb2_mmap_entry *e = &out->mmap[out->mmap_count++];
        e->base = read64(base + off + 4);
        e->length = read64(base + off + 12);
        e->type = read32(base + off + 20);
        off += size + 4;
    }
}

void mb1_read(uint32_t info_addr, struct mb2_info *out)
{
    memset(out, 0, sizeof(*out));
    if (!info_addr) {
        mb_fail("boot information at address 0");
        return;
    }
    uint32_t flags = read32(info_addr + MB1_INFO_FLAGS);
    mb_say("flags 0x%x", flags);
    out->total_size = MB1_INFO_SIZE;
    if (flags & MB1_INFO_MEMORY) {
        out->has_basic_meminfo = true;
        out->mem_lower_kib = read32(info_addr + MB1_INFO_MEM_LOWER);
        out->mem_upper_kib = read32(info_addr + MB1_INFO_MEM_UPPER);
    }
    if (flags & MB1_INFO_CMDLINE)
        out->cmdline = string_at(read32(info_addr + MB1_INFO_CMDLINE_ADDR), "cmdline");
    if (flags & MB1_INFO_MODS)
        read_modules(info_addr, out);
    if (flags & MB1_INFO_MMAP)
        read_mmap(info_addr, out);
    else
        mb_fail("flags 0x%x lack the memory map the header asked for", flags);
    if (flags & MB1_INFO_LOADER_NAME)
        out->loader_name = string_at(read32(info_addr + MB1_INFO_LOADER_NAME_ADDR),
                                     "boot loader name");
}
