/* Text cells on a boot framebuffer (Multiboot2 spec 1.0, 3.6.12: RGB and EGA text types). */
#include "drivers/fb_draw.h"

#include "drivers/font8x16.h"

#define FB_FG_LEVEL 0xCC        /* light grey text on black */

/* One report, then the framebuffer is not used. */
#define REJECT(d, ...) do { diag_report((d), __VA_ARGS__); return false; } while (0)
#define U64(x) ((unsigned long long)(x))

static bool rgb_field_ok(uint8_t position, uint8_t size, uint8_t bpp)
{
    return size >= 1 && size <= 8 && position + size <= bpp;
}

static bool check_rgb(const struct mb2_framebuffer *fb, struct fb_surface *s, const struct diag *d)
{
    if (fb->bpp != 15 && fb->bpp != 16 && fb->bpp != 24 && fb->bpp != 32)
        REJECT(d, "framebuffer: %u bits per pixel not supported (16, 24, 32)", fb->bpp);
    s->bytes_per_pixel = (fb->bpp + 7u) / 8u;
    uint8_t bits = (uint8_t)(s->bytes_per_pixel * 8);
    if (!rgb_field_ok(fb->red_position, fb->red_size, bits) ||
        !rgb_field_ok(fb->green_position, fb->green_size, bits) ||
        !rgb_field_ok(fb->blue_position, fb->blue_size, bits))
        REJECT(d, "framebuffer: colour fields do not fit %u bits per pixel", fb->bpp);
    if (fb->width < FONT_WIDTH || fb->height < FONT_HEIGHT)
        REJECT(d, "framebuffer: %ux%u pixels, too small for one character", fb->width,
               fb->height);
    if ((uint64_t)fb->pitch < (uint64_t)fb->width * s->bytes_per_pixel)
        REJECT(d, "framebuffer: pitch %u < width %u pixels", fb->pitch, fb->width);
    /* 16- and 32-bit pixels are stored whole; keep every one of them aligned. */
    if (s->bytes_per_pixel != 3 &&
        (fb->pitch % s->bytes_per_pixel || fb->address % s->bytes_per_pixel))
        REJECT(d, "framebuffer: address 0x%llx or pitch %u not pixel-aligned",
               U64(fb->address), fb->pitch);
    s->red_position = fb->red_position;
    s->red_size = fb->red_size;
    s->green_position = fb->green_position;
    s->green_size = fb->green_size;
    s->blue_position = fb->blue_position;
    s->blue_size = fb->blue_size;
    s->scale = fb->width >= FB_SCALE2_WIDTH && fb->height >= FB_SCALE2_HEIGHT ? 2 : 1;
    s->cols = fb->width / (FONT_WIDTH * s->scale);
    s->rows = fb->height / (FONT_HEIGHT * s->scale);
    s->fg = fb_pack_colour(s, FB_FG_LEVEL, FB_FG_LEVEL, FB_FG_LEVEL);
    s->bg = fb_pack_colour(s, 0, 0, 0);
    return true;
}

static bool check_ega(const struct mb2_framebuffer *fb, struct fb_surface *s, const struct diag *d)
{
    if (fb->bpp != 16)
        REJECT(d, "framebuffer: EGA text with %u bits per character, not 16", fb->bpp);
    if (fb->width == 0 || fb->height == 0 || fb->width > 255 || fb->height > 255)
        REJECT(d, "framebuffer: EGA text %ux%u characters", fb->width, fb->height);
    if ((uint64_t)fb->pitch < (uint64_t)fb->width * 2 || fb->pitch % 2 || fb->address % 2)
        REJECT(d, "framebuffer: EGA text pitch %u for %u columns", fb->pitch, fb->width);
    s->bytes_per_pixel = 2;
    s->scale = 1;
    s->cols = fb->width;
    s->rows = fb->height;
    return true;
}

bool fb_surface_init(struct fb_surface *s, const struct mb2_framebuffer *fb, uint32_t max_cells,
                     const struct diag *d)
{
    *s = (struct fb_surface){ 0 };
    if (!fb->present)
        REJECT(d, "framebuffer: none from the boot loader");
    if (fb->address == 0)
        REJECT(d, "framebuffer: address 0");
    uint64_t size = (uint64_t)fb->pitch * fb->height;
    if (size > FB_MAX_BYTES || fb->address + size < fb->address)
        REJECT(d, "framebuffer: %llu bytes at 0x%llx out of range", U64(size), U64(fb->address));

    bool ok;
    switch (fb->type) {
    case MB2_FRAMEBUFFER_RGB:
        s->kind = FB_KIND_RGB;
        ok = check_rgb(fb, s, d);
        break;
    case MB2_FRAMEBUFFER_EGA_TEXT:
        s->kind = FB_KIND_EGA_TEXT;
        ok = check_ega(fb, s, d);
        break;
    case MB2_FRAMEBUFFER_INDEXED:
        REJECT(d, "framebuffer: indexed colour (%u bits per pixel) not supported", fb->bpp);
    default:
        REJECT(d, "framebuffer: type %u unknown", fb->type);
    }
    if (!ok)
        return false;
    s->phys = fb->address;
    s->size = size;
    s->width = fb->width;
    s->height = fb->height;
    s->pitch = fb->pitch;
    s->bpp = fb->bpp;
    if (max_cells == 0)
        REJECT(d, "framebuffer: no room for text cells");
    if (s->cols > max_cells)
        s->cols = max_cells;
    if ((uint64_t)s->cols * s->rows > max_cells)
        s->rows = max_cells / s->cols;
    return true;
}

static uint32_t channel(uint8_t level, uint8_t position, uint8_t size)
{
    return (uint32_t)(level >> (8 - size)) << position;
}

uint32_t fb_pack_colour(const struct fb_surface *s, uint8_t red, uint8_t green, uint8_t blue)
{
    return channel(red, s->red_position, s->red_size) |
           channel(green, s->green_position, s->green_size) |
           channel(blue, s->blue_position, s->blue_size);
}

static void put_pixel(const struct fb_surface *s, volatile uint8_t *p, uint32_t value)
{
    switch (s->bytes_per_pixel) {
    case 4:
        *(volatile uint32_t *)p = value;
        break;
    case 3:
        p[0] = (uint8_t)value;
        p[1] = (uint8_t)(value >> 8);
        p[2] = (uint8_t)(value >> 16);
        break;
    default:
        *(volatile uint16_t *)p = (uint16_t)value;
        break;
    }
}

void fb_draw_cell(const struct fb_surface *s, uint32_t col, uint32_t row, uint8_t ch, bool inverse)
{
    if (col >= s->cols || row >= s->rows || !s->base)
        return;
    if (s->kind == FB_KIND_EGA_TEXT) {
        uint8_t shown = ch >= 0x20 && ch < 0x7F ? ch : FB_EGA_BOX;
        uint16_t attr = inverse ? FB_EGA_ATTR_INVERSE : FB_EGA_ATTR;
        *(volatile uint16_t *)(s->base + (uint64_t)row * s->pitch + col * 2u) =
            (uint16_t)(shown | attr << 8);
        return;
    }
    const uint8_t *glyph = font_glyph(ch);
    uint32_t ink = inverse ? s->bg : s->fg, paper = inverse ? s->fg : s->bg;
    uint32_t x0 = col * FONT_WIDTH * s->scale, y0 = row * FONT_HEIGHT * s->scale;
    for (uint32_t y = 0; y < FONT_HEIGHT * s->scale; y++) {
        uint8_t bits = glyph[y / s->scale];
        volatile uint8_t *line = s->base + (uint64_t)(y0 + y) * s->pitch +
                                 (uint64_t)x0 * s->bytes_per_pixel;
        for (uint32_t x = 0; x < FONT_WIDTH * s->scale; x++) {
            bool on = bits & (0x80u >> (x / s->scale));
            put_pixel(s, line + x * s->bytes_per_pixel, on ? ink : paper);
        }
    }
}
