/* The console font: 8x16 bitmaps, one byte per pixel row, bit 7 the leftmost pixel
 * (drawn for this project: tools/font8x16.txt). */
#ifndef DRIVERS_FONT8X16_H
#define DRIVERS_FONT8X16_H

#include <stdint.h>

#define FONT_WIDTH      8
#define FONT_HEIGHT     16
#define FONT_FIRST      0x20            /* the space */
#define FONT_GLYPHS     96              /* 0x20-0x7e, then the box */

extern const uint8_t font8x16[FONT_GLYPHS][FONT_HEIGHT];

/* The glyph for byte c: printable ASCII as itself, anything else as a box. */
static inline const uint8_t *font_glyph(uint8_t c)
{
    return font8x16[c >= FONT_FIRST && c < 0x7F ? c - FONT_FIRST : FONT_GLYPHS - 1];
}

#endif
