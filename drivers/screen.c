/* The screen console: a boot framebuffer (Multiboot2 spec 1.0, 3.6.12) redrawn from a shadow character grid. */
#include "drivers/screen.h"

#include "arch/x86/cpu.h"
#include "arch/x86/io.h"
#include "arch/x86/paging.h"
#include "drivers/fb_draw.h"
#include "drivers/fb_text.h"
#include "drivers/timer.h"
#include "lib/format.h"

#define VGA_CRTC_INDEX      0x3D4
#define VGA_CRTC_DATA       0x3D5
#define CRTC_CURSOR_START   0x0A
#define CURSOR_DISABLE      0x20
#define EGA_TEXT_MEMORY     0xB8000     /* colour text; its CRTC is at 0x3D4 */
#define LEGACY_VIDEO_END    0xC0000
#define IDENTITY_LIMIT      0x100000000ULL  /* mapped by boot/entry.S, write-back */

static struct fb_surface surface;
static struct fb_text text;
static uint16_t cells[SCREEN_MAX_CELLS];
static uint16_t shown[SCREEN_MAX_CELLS];
static char details[96];

static void draw(void *ctx, uint32_t col, uint32_t row, uint16_t cell)
{
    (void)ctx;
    fb_draw_cell(&surface, col, row, (uint8_t)cell, cell & FB_TEXT_CURSOR);
}

/* Redrawing after every line would rewrite the whole screen for each line that scrolls it
 * (slow on real video memory, very slow in an emulator, where it cut the console's speed
 * several times over): the grid is updated at once, the screen at most every tenth of a
 * second (SCREEN_REDRAW_TSC until the TSC is calibrated) and when the console is flushed
 * with force (before a CPU halts). The console service's regular flush catches up the rest. */
#define SCREEN_REDRAWS_PER_SECOND   10
#define SCREEN_REDRAW_TSC           200000000ull

static uint64_t last_redraw;
static bool dirty;

static uint64_t redraw_interval(void)
{
    uint64_t hz = timer_calibration()->tsc_hz;
    return hz ? hz / SCREEN_REDRAWS_PER_SECOND : SCREEN_REDRAW_TSC;
}

static void screen_flush(void *ctx, bool force)
{
    (void)ctx;
    if (!dirty || (!force && rdtsc() - last_redraw < redraw_interval()))
        return;
    fb_text_flush(&text);
    last_redraw = rdtsc();
    dirty = false;
}

static void screen_write(void *ctx, const char *bytes, size_t n)
{
    fb_text_write(&text, bytes, n);
    dirty = true;
    screen_flush(ctx, false);
}

static bool overlaps_ram(const struct mb2_info *info, uint64_t base, uint64_t size)
{
    for (uint32_t i = 0; i < info->mmap_count; i++) {
        const struct mb2_mmap_entry *e = &info->mmap[i];
        if (e->type == MB2_MEMORY_AVAILABLE && base < e->base + e->length && e->base < base + size)
            return true;
    }
    return false;
}

/* The cursor is drawn as an inverted cell; the VGA's own blinking one would be a second. */
static void hide_vga_cursor(void)
{
    outb(VGA_CRTC_INDEX, CRTC_CURSOR_START);
    outb(VGA_CRTC_DATA, CURSOR_DISABLE);
}

/* Where drawing goes: the identity map, made write-combining for a linear framebuffer. */
static const char *map_surface(void)
{
    if (surface.kind == FB_KIND_EGA_TEXT)    /* the legacy VGA window: uncached by the MTRRs */
        return surface.phys + surface.size <= LEGACY_VIDEO_END ? "" : NULL;
    if (paging_map_device(surface.phys, surface.size, PAGING_WRITE_COMBINING))
        return ", write-combining";
    return surface.phys + surface.size <= IDENTITY_LIMIT ? ", cached (no page tables left)" : NULL;
}

bool screen_init(const struct mb2_info *info, struct console_sink *sink, const struct diag *d)
{
    if (!fb_surface_init(&surface, &info->framebuffer, SCREEN_MAX_CELLS, d))
        return false;
    if (overlaps_ram(info, surface.phys, surface.size)) {
        diag_report(d, "framebuffer: 0x%llx-0x%llx lies in available RAM; not used",
                    (unsigned long long)surface.phys,
                    (unsigned long long)(surface.phys + surface.size - 1));
        return false;
    }
    const char *how = map_surface();
    if (!how) {
        diag_report(d, "framebuffer: 0x%llx cannot be mapped; not used",
                    (unsigned long long)surface.phys);
        return false;
    }
    surface.base = (volatile uint8_t *)(uintptr_t)surface.phys;
    if (surface.kind == FB_KIND_EGA_TEXT) {
        if (surface.phys == EGA_TEXT_MEMORY)
            hide_vga_cursor();
        fmt_snprintf(details, sizeof(details), "EGA text %ux%u at 0x%llx", surface.cols,
                     surface.rows, (unsigned long long)surface.phys);
    } else {
        fmt_snprintf(details, sizeof(details),
                     "framebuffer %ux%ux%u at 0x%llx, %ux%u characters%s%s", surface.width,
                     surface.height, surface.bpp, (unsigned long long)surface.phys, surface.cols,
                     surface.rows, surface.scale > 1 ? " (font doubled)" : "", how);
    }
    fb_text_init(&text, cells, shown, surface.cols, surface.rows, draw, 0);
    fb_text_flush(&text);
    *sink = (struct console_sink){ .write = screen_write, .flush = screen_flush, .ctx = &text };
    if (surface.kind == FB_KIND_EGA_TEXT)
        fmt_snprintf(sink->name, sizeof(sink->name), "screen EGA text %ux%u", surface.cols,
                     surface.rows);
    else
        fmt_snprintf(sink->name, sizeof(sink->name), "framebuffer %ux%ux%u", surface.width,
                     surface.height, surface.bpp);
    return true;
}

const char *screen_details(void)
{
    return details;
}
