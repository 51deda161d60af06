/* Host unit tests for shell/screen_text.c: VGA text cells rendered as printable console text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "shell/screen_text.h"

#define ROW_BYTES (2u * SCREEN_TEXT_COLUMNS)

static uint8_t cells[SCREEN_TEXT_BYTES];
static char lines[SCREEN_TEXT_ROWS + 1][SCREEN_TEXT_ROW_MAX + 8];
static unsigned nlines;

static void collect(void *ctx, const char *line)
{
    assert_ptr_equal(ctx, lines);
    assert_true(nlines < SCREEN_TEXT_ROWS);
    assert_true(strlen(line) < sizeof(lines[0]));
    strcpy(lines[nlines++], line);
}

/* Writes text into row `row` from column `col`, each character with attribute attr. */
static void put(unsigned row, unsigned col, const char *text, uint8_t attr)
{
    for (size_t i = 0; text[i]; i++) {
        cells[row * ROW_BYTES + 2 * (col + i)] = (uint8_t)text[i];
        cells[row * ROW_BYTES + 2 * (col + i) + 1] = attr;
    }
}

/* A screen as a guest fresh from reset leaves it: blanks with attribute 0x07. */
static int blank_screen(void **state)
{
    (void)state;
    for (unsigned i = 0; i < SCREEN_TEXT_BYTES; i += 2) {
        cells[i] = ' ';
        cells[i + 1] = 0x07;
    }
    nlines = 0;
    return 0;
}

static void test_row_text_without_attributes(void **state)
{
    (void)state;
    char out[SCREEN_TEXT_ROW_MAX];
    put(0, 0, "tessera multiboot VGA ok: mb1", 0x1F);
    assert_int_equal(screen_text_render_row(cells, sizeof(cells), 0, out, sizeof(out)), 29);
    assert_string_equal(out, "tessera multiboot VGA ok: mb1");
    put(24, 3, "indented  two  blanks", 0x4F);
    assert_int_equal(screen_text_render_row(cells, sizeof(cells), 24, out, sizeof(out)), 24);
    assert_string_equal(out, "   indented  two  blanks");
}

static void test_trailing_blanks_trimmed(void **state)
{
    (void)state;
    char out[SCREEN_TEXT_ROW_MAX];
    assert_int_equal(screen_text_render_row(cells, sizeof(cells), 5, out, sizeof(out)), 0);
    assert_string_equal(out, "");
    put(5, 0, "x", 0x07);
    cells[5 * ROW_BYTES + 2] = 0x00;            /* NUL cells trim like blanks */
    cells[5 * ROW_BYTES + 4] = ' ';
    assert_int_equal(screen_text_render_row(cells, sizeof(cells), 5, out, sizeof(out)), 1);
    assert_string_equal(out, "x");
    put(6, SCREEN_TEXT_COLUMNS - 1, "z", 0x07);  /* the last column counts */
    assert_int_equal(screen_text_render_row(cells, sizeof(cells), 6, out, sizeof(out)), 80);
    assert_int_equal(out[79], 'z');
    assert_int_equal(out[0], ' ');
}

/* Control bytes, DEL and every byte with bit 7 set become '.'; NUL becomes a blank. The
 * attribute bytes (here hostile too) never show. */
static void test_hostile_bytes(void **state)
{
    (void)state;
    static const uint8_t bytes[] = { 'a', 0x00, 0x1B, '[', '2', 'J', 0x07, 0x0A, 0x0D, 0x08,
                                     0x7F, 0x80, 0x9B, 0xC4, 0xFF, 'b' };
    char out[SCREEN_TEXT_ROW_MAX];
    for (unsigned i = 0; i < sizeof(bytes); i++) {
        cells[3 * ROW_BYTES + 2 * i] = bytes[i];
        cells[3 * ROW_BYTES + 2 * i + 1] = 0x1B;
    }
    assert_int_equal(screen_text_render_row(cells, sizeof(cells), 3, out, sizeof(out)), 16);
    assert_string_equal(out, "a .[2J.........b");
    for (size_t i = 0; out[i]; i++)
        assert_true(out[i] >= 0x20 && out[i] <= 0x7E);
}

static void test_every_byte_value(void **state)
{
    (void)state;
    char out[SCREEN_TEXT_ROW_MAX];
    for (unsigned v = 0; v < 256; v++) {
        cells[0] = (uint8_t)v;
        cells[2] = 'e';                          /* keeps the first cell from being trimmed */
        screen_text_render_row(cells, sizeof(cells), 0, out, sizeof(out));
        char want = v == 0 ? ' ' : (v >= 0x20 && v <= 0x7E ? (char)v : '.');
        assert_int_equal(out[0], want);
        assert_int_equal(out[1], 'e');
    }
}

static void test_bounds(void **state)
{
    (void)state;
    char out[SCREEN_TEXT_ROW_MAX];
    char small[6];
    put(0, 0, "0123456789", 0x07);
    /* Too small an output: cut, always terminated. */
    assert_int_equal(screen_text_render_row(cells, sizeof(cells), 0, small, sizeof(small)), 5);
    assert_string_equal(small, "01234");
    assert_int_equal(screen_text_render_row(cells, sizeof(cells), 0, small, 1), 0);
    assert_string_equal(small, "");
    small[0] = 'q';
    assert_int_equal(screen_text_render_row(cells, sizeof(cells), 0, small, 0), 0);
    assert_int_equal(small[0], 'q');            /* out_size 0: nothing written */
    /* Rows past the screen, or past a short buffer, render empty. */
    assert_int_equal(screen_text_render_row(cells, sizeof(cells), 25, out, sizeof(out)), 0);
    assert_string_equal(out, "");
    assert_int_equal(screen_text_render_row(cells, sizeof(cells), 0xFFFFFFFFu, out, sizeof(out)),
                     0);
    assert_int_equal(screen_text_render_row(cells, ROW_BYTES - 1, 0, out, sizeof(out)), 0);
    assert_int_equal(screen_text_render_row(cells, ROW_BYTES, 0, out, sizeof(out)), 10);
    assert_int_equal(screen_text_render_row(cells, ROW_BYTES, 1, out, sizeof(out)), 0);
    assert_int_equal(screen_text_render_row(NULL, 0, 0, out, sizeof(out)), 0);
}

static void test_whole_screen(void **state)
{
    (void)state;
    put(0, 0, "tessera multiboot VGA ok: mb2", 0x1F);
    put(24, 0, "mb2: PASS", 0x2F);
    cells[12 * ROW_BYTES] = 0x1B;
    screen_text_render(cells, sizeof(cells), collect, lines);
    assert_int_equal(nlines, SCREEN_TEXT_ROWS);
    assert_string_equal(lines[0], " 0|tessera multiboot VGA ok: mb2");
    assert_string_equal(lines[1], " 1|");
    assert_string_equal(lines[12], "12|.");
    assert_string_equal(lines[24], "24|mb2: PASS");
    /* A short buffer: the rows it lacks are empty, still 25 lines. */
    nlines = 0;
    screen_text_render(cells, ROW_BYTES, collect, lines);
    assert_int_equal(nlines, SCREEN_TEXT_ROWS);
    assert_string_equal(lines[0], " 0|tessera multiboot VGA ok: mb2");
    assert_string_equal(lines[24], "24|");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_row_text_without_attributes, blank_screen),
        cmocka_unit_test_setup(test_trailing_blanks_trimmed, blank_screen),
        cmocka_unit_test_setup(test_hostile_bytes, blank_screen),
        cmocka_unit_test_setup(test_every_byte_value, blank_screen),
        cmocka_unit_test_setup(test_bounds, blank_screen),
        cmocka_unit_test_setup(test_whole_screen, blank_screen),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
