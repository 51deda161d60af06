/* Multiboot test kernel: checks what a multiboot 0.6.96 or multiboot2 1.0 loader handed over
 * (magic, memory map, command line, modules; Multiboot 0.6.96 section 3.3, Multiboot2 1.0
 * section 3.6), prints each finding on COM1 and a greeting in VGA text memory, and ends with
 * "<name>: PASS" or "<name>: FAIL <first failed check>". */
#include "guest/images/multiboot/mb_kernel.h"

#include <stdarg.h>

#include "boot/multiboot2_spec.h"
#include "guest/images/common/guest_lib.h"
#include "guest/images/multiboot/mb1_spec.h"
#include "lib/cmdline.h"
#include "lib/format.h"
#include "lib/string.h"

#define SAY_MAX         140
#define SHOWN_MAX       100     /* characters of a loader string printed */
#define VGA_ATTR_TITLE  0x1F    /* white on blue */
#define VGA_ATTR_TEXT   0x07
#define VGA_ATTR_PASS   0x2F    /* white on green */
#define VGA_ATTR_FAIL   0x4F    /* white on red */
#define VGA_LAST_ROW    24

static char fail_reason[SAY_MAX];
static struct mb2_info boot_info;

/* "<name>: <text>", or "<name>: check failed: <text>" keeping the first such text. */
static void say(bool failed, const char *fmt, va_list ap)
{
    char text[SAY_MAX];

    fmt_vsnprintf(text, sizeof(text), fmt, ap);
    guest_print("%s: %s%s", mb_kernel_name, failed ? "check failed: " : "", text);
    if (failed && !fail_reason[0])
        memcpy(fail_reason, text, sizeof(fail_reason));
}

void mb_say(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    say(false, fmt, ap);
    va_end(ap);
}

void mb_fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    say(true, fmt, ap);
    va_end(ap);
}

void mb_printable(char *out, unsigned size, const char *in)
{
    unsigned n = 0;
    for (; in[n] && n + 1 < size; n++)
        out[n] = in[n] >= 0x20 && in[n] < 0x7F ? in[n] : '.';
    out[n] = '\0';
    if (in[n] && size > 4)
        memcpy(out + size - 4, "...", 4);
}

/* True when gpa..gpa+size lies inside one RAM entry of the loader's memory map. */
static bool in_ram(uint64_t gpa, uint64_t size)
{
    for (uint32_t i = 0; i < boot_info.mmap_count; i++) {
        const struct mb2_mmap_entry *e = &boot_info.mmap[i];
        if (e->type == MB2_MEMORY_AVAILABLE && gpa >= e->base && size <= e->length &&
            gpa - e->base <= e->length - size)
            return true;
    }
    return false;
}

static bool overlaps_image(uint64_t start, uint64_t end)
{
    return start < (uintptr_t)__image_end && end > (uintptr_t)__image_start;
}

/* The map as guest/guest_memmap.c promises it: RAM below 0x9FC00, nothing usable over the
 * VGA window, RAM from 1 MiB holding this image, mem_upper matching that RAM. */
static void check_memory(void)
{
    uint64_t high_end = 0;

    if (boot_info.mmap_count == 0)
        mb_fail("no memory map");
    for (uint32_t i = 0; i < boot_info.mmap_count; i++) {
        const struct mb2_mmap_entry *e = &boot_info.mmap[i];
        mb_say("mmap 0x%llx 0x%llx %u", (unsigned long long)e->base,
               (unsigned long long)e->length, e->type);
        if (e->type == MB2_MEMORY_AVAILABLE && e->base <= MB_HIGH_RAM_BASE &&
            e->length > MB_HIGH_RAM_BASE - e->base)
            high_end = e->base + e->length;
    }
    if (!high_end)
        mb_fail("mmap has no RAM at 1 MiB");
    if (in_ram(MB_VGA_TEXT, 1))
        mb_fail("mmap calls the VGA window 0xb8000 RAM");
    if (!in_ram(0, (uint64_t)MB_LOW_RAM_KIB * 1024))
        mb_fail("mmap has no RAM at 0..0x9fc00");
    if (!in_ram((uintptr_t)__image_start, (uintptr_t)(__image_end - __image_start)))
        mb_fail("the kernel image 0x%lx-0x%lx is not in RAM", (unsigned long)__image_start,
                (unsigned long)__image_end);

    if (!boot_info.has_basic_meminfo) {
        mb_fail("no mem_lower/mem_upper");
        return;
    }
    mb_say("mem_lower %u mem_upper %u", boot_info.mem_lower_kib, boot_info.mem_upper_kib);
    if (boot_info.mem_lower_kib != MB_LOW_RAM_KIB)
        mb_fail("mem_lower %u, not %u", boot_info.mem_lower_kib, MB_LOW_RAM_KIB);
    if (high_end && (uint64_t)boot_info.mem_upper_kib * 1024 != high_end - MB_HIGH_RAM_BASE)
        mb_fail("mem_upper %u KiB, but RAM from 1 MiB ends at 0x%llx",
                boot_info.mem_upper_kib, (unsigned long long)high_end);
}

static void check_cmdline(void)
{
    char shown[SHOWN_MAX];
    if (!boot_info.cmdline) {
        mb_fail("no command line");
        return;
    }
    mb_printable(shown, sizeof(shown), boot_info.cmdline);
    mb_say("cmdline \"%s\"", shown);
    vga_write_row(1, VGA_ATTR_TEXT, shown);
}

static void check_module(uint32_t i, const struct mb2_module *m)
{
    char shown[SHOWN_MAX];
    uint32_t size = m->end > m->start ? m->end - m->start : 0;
    const uint8_t *bytes = (const uint8_t *)(uintptr_t)m->start;

    mb_printable(shown, sizeof(shown), m->cmdline ? m->cmdline : "");
    if (m->end <= m->start || !in_ram(m->start, size)) {
        mb_fail("module %u at 0x%x-0x%x is not in RAM", i, m->start, m->end);
        return;
    }
    mb_say("module %u \"%s\" %u bytes first 4 bytes %02x%02x%02x%02x", i, shown, size,
           bytes[0], size > 1 ? bytes[1] : 0, size > 2 ? bytes[2] : 0, size > 3 ? bytes[3] : 0);
    if (mb_modules_page_aligned && (m->start & 0xFFF))
        mb_fail("module %u at 0x%x is not page-aligned as the header asked", i, m->start);
    if (overlaps_image(m->start, m->end))
        mb_fail("module %u at 0x%x-0x%x overlaps the kernel", i, m->start, m->end);
    if (i != 0)
        return;
    uint32_t want = (uint32_t)(mb_data_copy_end - mb_data_copy);
    if (size != want || memcmp(bytes, mb_data_copy, want) != 0)
        mb_fail("module 0 differs from mbdata.txt (%u bytes, want %u)", size, want);
    else
        mb_say("module 0 matches mbdata.txt");
}

/* modules=<n> on the command line says how many to expect; module 0 must be mbdata.txt. */
static void check_modules(void)
{
    char value[16];
    uint64_t want = 0;
    if (cmdline_get(boot_info.cmdline, "modules", value, sizeof(value)) &&
        !cmdline_parse_u64(value, &want))
        mb_fail("bad modules=%s on the command line", value);
    mb_say("%u modules", boot_info.module_count);
    if (boot_info.module_count != want)
        mb_fail("%u modules, the command line says %llu", boot_info.module_count,
                (unsigned long long)want);
    for (uint32_t i = 0; i < boot_info.module_count; i++)
        check_module(i, &boot_info.modules[i]);
}

void mb_main(uint32_t magic, uint32_t info_addr);
void mb_main(uint32_t magic, uint32_t info_addr)
{
    char line[SAY_MAX];

    vga_clear();
    fmt_snprintf(line, sizeof(line), "tessera multiboot VGA ok: %s", mb_kernel_name);
    vga_write_row(0, VGA_ATTR_TITLE, line);

    if (magic != mb_expected_magic) {
        mb_fail("magic 0x%x, want 0x%x", magic, mb_expected_magic);
    } else {
        mb_say("magic 0x%x ok, boot information at 0x%x", magic, info_addr);
        if (magic == MB1_BOOTLOADER_MAGIC)
            mb1_read(info_addr, &boot_info);
        else
            mb2_read(info_addr, &boot_info);
        if (boot_info.loader_name) {
            mb_printable(line, SHOWN_MAX, boot_info.loader_name);
            mb_say("loader \"%s\"", line);
        }
        check_memory();
        if (!in_ram(info_addr, boot_info.total_size) ||
            overlaps_image(info_addr, (uint64_t)info_addr + boot_info.total_size))
            mb_fail("boot information 0x%x+%u is not in free RAM", info_addr,
                    boot_info.total_size);
        check_cmdline();
        check_modules();
    }
    if (mb_long_mode_check)
        mb_long_mode_check();
    if (mb_real_mode_check)
        mb_real_mode_check(info_addr, boot_info.total_size);
    mb_platform_check();

    if (fail_reason[0]) {
        mb_say("FAIL %s", fail_reason);
        fmt_snprintf(line, sizeof(line), "%s: FAIL %s", mb_kernel_name, fail_reason);
        vga_write_row(VGA_LAST_ROW, VGA_ATTR_FAIL, line);
    } else {
        mb_say("PASS");
        fmt_snprintf(line, sizeof(line), "%s: PASS", mb_kernel_name);
        vga_write_row(VGA_LAST_ROW, VGA_ATTR_PASS, line);
    }
    mb_platform_end(boot_info.cmdline);
}
