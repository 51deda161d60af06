/* A text screen kept in hypervisor memory, redrawn cell by cell from a shadow grid. */
#include "drivers/fb_text.h"

#include "lib/string.h"

#define KEY_BS  0x08
#define KEY_TAB 0x09
#define KEY_LF  0x0A
#define KEY_CR  0x0D
#define KEY_ESC 0x1B
#define SHOWN_NOTHING 0xFFFFu       /* no cell ever has this value: forces a draw */

void fb_text_init(struct fb_text *t, uint16_t *cells, uint16_t *shown, uint32_t cols,
                  uint32_t rows, fb_text_draw_fn draw, void *ctx)
{
    *t = (struct fb_text){ .cells = cells, .shown = shown, .cols = cols, .rows = rows,
                           .draw = draw, .ctx = ctx };
    for (uint32_t i = 0; i < cols * rows; i++) {
        cells[i] = FB_TEXT_BLANK;
        shown[i] = SHOWN_NOTHING;
    }
}

static void scroll_up(struct fb_text *t)
{
    uint32_t keep = (t->rows - 1) * t->cols;
    memmove(t->cells, t->cells + t->cols, keep * sizeof(t->cells[0]));
    for (uint32_t i = keep; i < keep + t->cols; i++)
        t->cells[i] = FB_TEXT_BLANK;
    t->scrolled++;
}

static void new_line(struct fb_text *t)
{
    t->col = 0;
    if (t->row + 1 < t->rows)
        t->row++;
    else
        scroll_up(t);
}

static void put(struct fb_text *t, uint8_t c)
{
    if (t->col >= t->cols)
        new_line(t);
    t->cells[t->row * t->cols + t->col] = c;
    t->col++;
}

/* Returns true when c belonged to an escape sequence. */
static bool skip_escape(struct fb_text *t, uint8_t c)
{
    switch (t->escape) {
    case FB_TEXT_ESC_SEEN:
        t->escape = c == '[' ? FB_TEXT_ESC_CSI : FB_TEXT_ESC_NONE;
        return true;
    case FB_TEXT_ESC_CSI:
        if (c >= 0x40 && c <= 0x7E)     /* the final byte */
            t->escape = FB_TEXT_ESC_NONE;
        return true;
    default:
        if (c != KEY_ESC)
            return false;
        t->escape = FB_TEXT_ESC_SEEN;
        return true;
    }
}

void fb_text_write(struct fb_text *t, const char *bytes, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        uint8_t c = (uint8_t)bytes[i];
        if (skip_escape(t, c))
            continue;
        switch (c) {
        case KEY_LF:
            new_line(t);
            break;
        case KEY_CR:
            t->col = 0;
            break;
        case KEY_BS:
            if (t->col > 0)
                t->col--;
            break;
        case KEY_TAB:
            do
                put(t, FB_TEXT_BLANK);
            while (t->col % FB_TEXT_TAB && t->col < t->cols);
            break;
        default:
            if (c >= 0x20 && c != 0x7F)
                put(t, c);
            break;
        }
    }
}

uint32_t fb_text_flush(struct fb_text *t)
{
    uint32_t cursor_col = t->col < t->cols ? t->col : t->cols - 1;
    uint32_t cursor = t->row * t->cols + cursor_col;
    uint32_t drawn = 0;

    for (uint32_t i = 0; i < t->cols * t->rows; i++) {
        uint16_t want = (uint16_t)(t->cells[i] | (i == cursor ? FB_TEXT_CURSOR : 0));
        if (want == t->shown[i])
            continue;
        t->draw(t->ctx, i % t->cols, i / t->cols, want);
        t->shown[i] = want;
        drawn++;
    }
    return drawn;
}
