/* Text cells on a boot framebuffer (Multiboot2 spec 1.0, 3.6.12): a linear RGB framebuffer
 * drawn with the 8x16 console font, or EGA text memory. Pure: it writes only to the memory
 * it is given, so the host tests draw into a buffer. */
#ifndef DRIVERS_FB_DRAW_H
#define DRIVERS_FB_DRAW_H

#include <stdbool.h>
#include <stdint.h>

#include "boot/multiboot2.h"
#include "lib/diag.h"

/* Larger is taken as garbage: an 8K screen at 32 bpp needs 127 MiB. */
#define FB_MAX_BYTES        (512ull << 20)
/* From this width on each font pixel is drawn 2x2, so text stays readable on 4K screens. */
#define FB_SCALE2_WIDTH     2560
#define FB_SCALE2_HEIGHT    1280
#define FB_EGA_ATTR         0x07        /* light grey on black */
#define FB_EGA_ATTR_INVERSE 0x70
#define FB_EGA_BOX          0xFE        /* code page 437's small square, for unprintable bytes */

enum fb_kind { FB_KIND_RGB, FB_KIND_EGA_TEXT };

struct fb_surface {
    enum fb_kind kind;
    volatile uint8_t *base;     /* where the caller mapped pixel (0, 0) or character (0, 0) */
    uint64_t phys;              /* physical address, from the boot loader */
    uint64_t size;              /* bytes drawing may touch from base: pitch * height */
    uint32_t width, height;     /* pixels (RGB) or characters (EGA text) */
    uint32_t pitch;             /* bytes per pixel row or text row */
    uint32_t bytes_per_pixel;   /* 2, 3 or 4; 2 per character for EGA text */
    uint8_t bpp;
    uint8_t red_position, red_size, green_position, green_size, blue_position, blue_size;
    uint32_t scale;             /* 1, or 2 on large screens */
    uint32_t cols, rows;        /* text cells drawn */
    uint32_t fg, bg;            /* packed pixel values (RGB) */
};

/* Checks the boot loader's framebuffer and fills s (base left NULL: the caller maps
 * s->phys for s->size bytes and sets it). At most max_cells text cells are used (the
 * caller's shadow buffers); a larger screen keeps its top rows only. False, with one
 * report "framebuffer: <what>", when the hypervisor cannot draw on it. */
bool fb_surface_init(struct fb_surface *s, const struct mb2_framebuffer *fb, uint32_t max_cells,
                     const struct diag *d);

/* The pixel value of an 8-bit-per-channel colour in s's layout. */
uint32_t fb_pack_colour(const struct fb_surface *s, uint8_t red, uint8_t green, uint8_t blue);

/* Draws byte ch at text cell (col, row); inverse swaps foreground and background (the
 * cursor). Cells outside cols x rows are ignored. */
void fb_draw_cell(const struct fb_surface *s, uint32_t col, uint32_t row, uint8_t ch, bool inverse);

#endif
