/* Host unit tests for drivers/fb_text.c: the console's character grid, its cursor, scrolling,
 * and redrawing only the cells that changed (never reading the screen back). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "drivers/fb_text.h"

#define MAX_COLS 16
#define MAX_ROWS 6

/* The screen as the draw callback left it, the only thing a test may look at. */
struct screen {
    uint16_t pixels[MAX_ROWS][MAX_COLS];    /* one "pixel" per cell */
    uint32_t draws;
    uint16_t cells[MAX_COLS * MAX_ROWS];
    uint16_t shown[MAX_COLS * MAX_ROWS];
    struct fb_text text;
};

static void draw(void *ctx, uint32_t col, uint32_t row, uint16_t cell)
{
    struct screen *s = ctx;

    assert_true(col < s->text.cols && row < s->text.rows);
    s->pixels[row][col] = cell;
    s->draws++;
}

static struct screen *new_screen(uint32_t cols, uint32_t rows)
{
    struct screen *s = calloc(1, sizeof(*s));

    assert_non_null(s);
    fb_text_init(&s->text, s->cells, s->shown, cols, rows, draw, s);
    return s;
}

static void write_str(struct screen *s, const char *text)
{
    fb_text_write(&s->text, text, strlen(text));
}

/* Row `row` of the drawn screen as text, cursor flag dropped, trailing blanks kept. */
static const char *row_text(const struct screen *s, uint32_t row)
{
    static char line[MAX_COLS + 1];

    for (uint32_t c = 0; c < s->text.cols; c++)
        line[c] = (char)(s->pixels[row][c] & 0xFF);
    line[s->text.cols] = '\0';
    return line;
}

static void assert_cursor_drawn_at(const struct screen *s, uint32_t col, uint32_t row)
{
    for (uint32_t r = 0; r < s->text.rows; r++)
        for (uint32_t c = 0; c < s->text.cols; c++)
            assert_int_equal(!!(s->pixels[r][c] & FB_TEXT_CURSOR), c == col && r == row);
}

static void test_first_flush_clears_everything(void **state)
{
    (void)state;
    struct screen *s = new_screen(8, 3);
    for (uint32_t r = 0; r < 3; r++)
        for (uint32_t c = 0; c < 8; c++)
            s->pixels[r][c] = 'X';          /* what the firmware left */
    assert_int_equal(fb_text_flush(&s->text), 24);
    assert_string_equal(row_text(s, 0), "        ");
    assert_string_equal(row_text(s, 2), "        ");
    assert_cursor_drawn_at(s, 0, 0);
    assert_int_equal(fb_text_flush(&s->text), 0);
    free(s);
}

static void test_only_changed_cells_are_drawn(void **state)
{
    (void)state;
    struct screen *s = new_screen(8, 3);
    fb_text_flush(&s->text);
    s->draws = 0;
    write_str(s, "ab\ncd");
    /* a, b, c, d; the cursor's old cell (now 'a') is among them, its new cell (2,1) is one more. */
    assert_int_equal(fb_text_flush(&s->text), 5);
    assert_string_equal(row_text(s, 0), "ab      ");
    assert_string_equal(row_text(s, 1), "cd      ");
    assert_cursor_drawn_at(s, 2, 1);
    write_str(s, "");
    assert_int_equal(fb_text_flush(&s->text), 0);
    free(s);
}

static void test_wrap_at_the_right_edge(void **state)
{
    (void)state;
    struct screen *s = new_screen(4, 3);
    write_str(s, "abcdef");
    fb_text_flush(&s->text);
    assert_string_equal(row_text(s, 0), "abcd");
    assert_string_equal(row_text(s, 1), "ef  ");
    assert_cursor_drawn_at(s, 2, 1);
    free(s);
}

/* A line exactly as wide as the screen, then LF: one new line, not two. */
static void test_full_line_then_newline(void **state)
{
    (void)state;
    struct screen *s = new_screen(4, 3);
    write_str(s, "abcd");
    fb_text_flush(&s->text);
    assert_cursor_drawn_at(s, 3, 0);        /* pending wrap: the cursor stays on the edge */
    write_str(s, "\nx");
    fb_text_flush(&s->text);
    assert_string_equal(row_text(s, 0), "abcd");
    assert_string_equal(row_text(s, 1), "x   ");
    free(s);
}

static void test_scrolling_redraws_from_the_grid(void **state)
{
    (void)state;
    struct screen *s = new_screen(4, 3);
    write_str(s, "1\n22\n333\n4444");
    fb_text_flush(&s->text);
    assert_string_equal(row_text(s, 0), "22  ");
    assert_string_equal(row_text(s, 1), "333 ");
    assert_string_equal(row_text(s, 2), "4444");
    assert_int_equal(s->text.scrolled, 1);
    write_str(s, "\n\n\n\n");
    fb_text_flush(&s->text);
    for (uint32_t r = 0; r < 3; r++)
        assert_string_equal(row_text(s, r), "    ");
    assert_int_equal(s->text.scrolled, 5);
    assert_cursor_drawn_at(s, 0, 2);
    free(s);
}

static void test_carriage_return_backspace_and_erase(void **state)
{
    (void)state;
    struct screen *s = new_screen(8, 2);
    write_str(s, "abc\rX");
    write_str(s, "\b\b\b");                 /* stops at column 0 */
    write_str(s, "Y");
    fb_text_flush(&s->text);
    assert_string_equal(row_text(s, 0), "Ybc     ");
    write_str(s, "\b \b");                  /* the line editor's erase */
    fb_text_flush(&s->text);
    assert_string_equal(row_text(s, 0), " bc     ");
    assert_cursor_drawn_at(s, 0, 0);
    free(s);
}

static void test_tab_stops(void **state)
{
    (void)state;
    struct screen *s = new_screen(16, 2);
    write_str(s, "a\tb\tc");                /* the second tab reaches the edge: c wraps */
    fb_text_flush(&s->text);
    assert_string_equal(row_text(s, 0), "a       b       ");
    assert_string_equal(row_text(s, 1), "c               ");
    free(s);
}

static void test_escape_sequences_and_controls_skipped(void **state)
{
    (void)state;
    struct screen *s = new_screen(8, 2);
    write_str(s, "a\x1b[1;31mb\x1b" "cX\a\x7f");
    fb_text_write(&s->text, "\0Z", 2);
    fb_text_flush(&s->text);
    assert_string_equal(row_text(s, 0), "abXZ    ");
    free(s);
}

static void test_high_bytes_are_stored_for_the_box(void **state)
{
    (void)state;
    struct screen *s = new_screen(4, 1);
    write_str(s, "\x80\xff");
    fb_text_flush(&s->text);
    assert_int_equal(s->pixels[0][0], 0x80);
    assert_int_equal(s->pixels[0][1], 0xFF);
    free(s);
}

/* Bytes a guest controls must never move the cursor off the grid. */
static void test_random_bytes_stay_in_bounds(void **state)
{
    (void)state;
    struct screen *s = new_screen(5, 3);
    char buf[997];
    srand(7);
    for (int round = 0; round < 200; round++) {
        for (size_t i = 0; i < sizeof(buf); i++)
            buf[i] = (char)(rand() & 0xFF);
        fb_text_write(&s->text, buf, sizeof(buf));
        assert_true(s->text.col <= s->text.cols);
        assert_true(s->text.row < s->text.rows);
        fb_text_flush(&s->text);
    }
    free(s);
}

static void test_one_cell_screen(void **state)
{
    (void)state;
    struct screen *s = new_screen(1, 1);
    write_str(s, "abc\n\tq");
    fb_text_flush(&s->text);
    assert_int_equal(s->pixels[0][0], 'q' | FB_TEXT_CURSOR);
    free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_first_flush_clears_everything),
        cmocka_unit_test(test_only_changed_cells_are_drawn),
        cmocka_unit_test(test_wrap_at_the_right_edge),
        cmocka_unit_test(test_full_line_then_newline),
        cmocka_unit_test(test_scrolling_redraws_from_the_grid),
        cmocka_unit_test(test_carriage_return_backspace_and_erase),
        cmocka_unit_test(test_tab_stops),
        cmocka_unit_test(test_escape_sequences_and_controls_skipped),
        cmocka_unit_test(test_high_bytes_are_stored_for_the_box),
        cmocka_unit_test(test_random_bytes_stay_in_bounds),
        cmocka_unit_test(test_one_cell_screen),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
