/* Debug shell: a guest's VGA text screen as console lines (see screen_text.h). */
#include "shell/screen_text.h"

#include "lib/format.h"

static char printable(uint8_t c)
{
    if (c == 0x00)
        return ' ';
    return c >= 0x20 && c <= 0x7E ? (char)c : '.';
}

size_t screen_text_render_row(const uint8_t *cells, size_t cells_size, unsigned row, char *out,
                              size_t out_size)
{
    const size_t row_bytes = 2u * SCREEN_TEXT_COLUMNS;
    size_t n = 0, kept = 0;

    if (out_size == 0)
        return 0;
    if (row < SCREEN_TEXT_ROWS && cells_size / row_bytes > row) {
        const uint8_t *cell = cells + (size_t)row * row_bytes;
        for (unsigned c = 0; c < SCREEN_TEXT_COLUMNS && n + 1 < out_size; c++) {
            out[n++] = printable(cell[2 * c]);
            if (out[n - 1] != ' ')
                kept = n;
        }
    }
    out[kept] = '\0';
    return kept;
}

void screen_text_render(const uint8_t *cells, size_t cells_size, shell_line_fn line, void *ctx)
{
    char text[SCREEN_TEXT_ROW_MAX];
    char numbered[SCREEN_TEXT_ROW_MAX + 8];

    for (unsigned row = 0; row < SCREEN_TEXT_ROWS; row++) {
        screen_text_render_row(cells, cells_size, row, text, sizeof(text));
        fmt_snprintf(numbered, sizeof(numbered), "%2u|%s", row, text);
        line(ctx, numbered);
    }
}
