/* libFuzzer target for shell/screen_text.c: guest VGA text cells of any size and content,
 * any row and output size. The input: row (u32, little-endian), output size (u8), then the
 * cells. Checks that every rendered character is printable ASCII and the one the cell's
 * byte maps to, that blanks never end a row, and that the output stays in its buffer. */
#include "tests/fuzz/fuzz_common.h"

#include "shell/screen_text.h"

static char expected(uint8_t c)
{
    if (c == 0x00)
        return ' ';
    return c >= 0x20 && c <= 0x7E ? (char)c : '.';
}

static void count_line(void *ctx, const char *line)
{
    unsigned *n = ctx;
    FUZZ_CHECK(strlen(line) <= 3 + SCREEN_TEXT_COLUMNS);
    for (size_t i = 0; line[i]; i++)
        FUZZ_CHECK(line[i] >= 0x20 && line[i] <= 0x7E);
    (*n)++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_input in = fuzz_input(data, size);
    unsigned row = fuzz_u32(&in);
    size_t out_size = fuzz_u8(&in);
    size_t cells_size;
    const uint8_t *rest = fuzz_take(&in, size, &cells_size);
    uint8_t *cells = fuzz_dup(rest, cells_size, false);
    char *out = malloc(out_size ? out_size : 1);    /* exact: ASan sees a write past it */
    FUZZ_CHECK(out != NULL);

    size_t n = screen_text_render_row(cells, cells_size, row, out, out_size);
    if (out_size == 0) {
        FUZZ_CHECK(n == 0);
    } else {
        FUZZ_CHECK(n < out_size && n <= SCREEN_TEXT_COLUMNS && out[n] == '\0');
        FUZZ_CHECK(n == 0 || out[n - 1] != ' ');
        for (size_t i = 0; i < n; i++)
            FUZZ_CHECK(out[i] == expected(cells[(size_t)row * 2 * SCREEN_TEXT_COLUMNS + 2 * i]));
    }

    unsigned lines = 0;
    screen_text_render(cells, cells_size, count_line, &lines);
    FUZZ_CHECK(lines == SCREEN_TEXT_ROWS);
    free(cells);
    free(out);
    return 0;
}
