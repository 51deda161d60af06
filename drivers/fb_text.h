/* A text screen kept in hypervisor memory: a character grid with a cursor, written like a
 * terminal (CR, LF, BS, Tab; escape sequences skipped) and scrolled in the grid. The screen is
 * redrawn from the grid: a second grid remembers what was drawn, so only changed cells are
 * drawn again and video memory is never read. Pure; drawing goes through a callback. */
#ifndef DRIVERS_FB_TEXT_H
#define DRIVERS_FB_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FB_TEXT_CURSOR  0x100u      /* cell flag: drawn inverted, where the next byte goes */
#define FB_TEXT_BLANK   0x20u
#define FB_TEXT_TAB     8

/* Draws one cell: the byte in bits 7:0, FB_TEXT_CURSOR for the cursor. */
typedef void (*fb_text_draw_fn)(void *ctx, uint32_t col, uint32_t row, uint16_t cell);

enum fb_text_escape { FB_TEXT_ESC_NONE, FB_TEXT_ESC_SEEN, FB_TEXT_ESC_CSI };

struct fb_text {
    uint16_t *cells;            /* cols * rows: what the screen should show */
    uint16_t *shown;            /* cols * rows: what was drawn last */
    uint32_t cols, rows;
    uint32_t col, row;          /* the cursor; col == cols: the next printable byte wraps */
    enum fb_text_escape escape;
    fb_text_draw_fn draw;
    void *ctx;
    uint64_t scrolled;          /* lines scrolled off the top so far */
};

/* cells and shown hold cols * rows entries each (both at least 1). The grid starts blank and
 * the first flush draws every cell, clearing whatever the firmware left on the screen. */
void fb_text_init(struct fb_text *t, uint16_t *cells, uint16_t *shown, uint32_t cols,
                  uint32_t rows, fb_text_draw_fn draw, void *ctx);

/* Puts bytes into the grid (no drawing):
 *   0x20-0x7e, 0x80-0xff   at the cursor, wrapping at the right edge
 *   LF                     next line, column 0 (scrolls at the bottom)
 *   CR                     column 0
 *   BS                     one column left, not past column 0
 *   Tab                    to the next multiple of FB_TEXT_TAB columns
 *   ESC [ ... final byte, ESC x    skipped whole
 *   other control bytes    ignored (BEL, NUL, ...) */
void fb_text_write(struct fb_text *t, const char *bytes, size_t n);

/* Draws every cell that differs from what was drawn, the cursor included. Returns the
 * number of cells drawn. */
uint32_t fb_text_flush(struct fb_text *t);

#endif
