/* Host unit tests for drivers/fb_draw.c and the console font: which boot framebuffers are
 * accepted (Multiboot2 spec 1.0, 3.6.12), pixel packing, glyphs drawn into a buffer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "tests/unit/diag_sink.h"
#include "drivers/fb_draw.h"
#include "drivers/font8x16.h"

static struct sink sink;

static int reset_sink(void **state)
{
    (void)state;
    sink_reset(&sink);
    return 0;
}

/* What GRUB passes for a 32-bit GOP mode: x8r8g8b8. */
static struct mb2_framebuffer rgb32(uint32_t width, uint32_t height)
{
    return (struct mb2_framebuffer){ .present = true, .address = 0x80000000, .pitch = width * 4,
                                     .width = width, .height = height, .bpp = 32,
                                     .type = MB2_FRAMEBUFFER_RGB, .red_position = 16,
                                     .red_size = 8, .green_position = 8, .green_size = 8,
                                     .blue_position = 0, .blue_size = 8 };
}

static struct mb2_framebuffer ega(void)
{
    return (struct mb2_framebuffer){ .present = true, .address = 0xB8000, .pitch = 160,
                                     .width = 80, .height = 25, .bpp = 16,
                                     .type = MB2_FRAMEBUFFER_EGA_TEXT };
}

static void test_rgb32_geometry(void **state)
{
    (void)state;
    struct mb2_framebuffer fb = rgb32(1024, 768);
    struct fb_surface s;
    assert_true(fb_surface_init(&s, &fb, 65536, &sink.diag));
    assert_int_equal(sink.count, 0);
    assert_int_equal(s.kind, FB_KIND_RGB);
    assert_int_equal(s.cols, 128);
    assert_int_equal(s.rows, 48);
    assert_int_equal(s.scale, 1);
    assert_int_equal(s.bytes_per_pixel, 4);
    assert_int_equal(s.size, 1024 * 4 * 768);
    assert_int_equal(s.phys, 0x80000000);
    assert_null(s.base);
    assert_int_equal(s.fg, 0xCCCCCC);
    assert_int_equal(s.bg, 0);
    assert_int_equal(fb_pack_colour(&s, 0x12, 0x34, 0x56), 0x123456);
}

static void test_large_screen_doubles_the_font(void **state)
{
    (void)state;
    struct mb2_framebuffer fb = rgb32(3840, 2160);
    struct fb_surface s;
    assert_true(fb_surface_init(&s, &fb, 65536, &sink.diag));
    assert_int_equal(s.scale, 2);
    assert_int_equal(s.cols, 240);
    assert_int_equal(s.rows, 67);
}

static void test_cells_limited_to_the_shadow(void **state)
{
    (void)state;
    struct mb2_framebuffer fb = rgb32(1024, 768);
    struct fb_surface s;
    assert_true(fb_surface_init(&s, &fb, 1000, &sink.diag));
    assert_int_equal(s.cols, 128);
    assert_int_equal(s.rows, 7);                /* 1000 / 128 */
    assert_true(fb_surface_init(&s, &fb, 100, &sink.diag));
    assert_int_equal(s.cols, 100);
    assert_int_equal(s.rows, 1);
}

static void test_packing_16_and_24_bpp(void **state)
{
    (void)state;
    struct mb2_framebuffer fb = rgb32(640, 480);
    struct fb_surface s;
    fb.bpp = 16;
    fb.pitch = 1280;
    fb.red_position = 11, fb.red_size = 5, fb.green_position = 5, fb.green_size = 6;
    fb.blue_position = 0, fb.blue_size = 5;
    assert_true(fb_surface_init(&s, &fb, 65536, &sink.diag));
    assert_int_equal(s.bytes_per_pixel, 2);
    assert_int_equal(fb_pack_colour(&s, 0xFF, 0, 0), 0xF800);
    assert_int_equal(fb_pack_colour(&s, 0, 0xFF, 0), 0x07E0);
    assert_int_equal(fb_pack_colour(&s, 0, 0, 0xFF), 0x001F);
    fb = rgb32(800, 600);
    fb.bpp = 24;
    fb.pitch = 2400;
    assert_true(fb_surface_init(&s, &fb, 65536, &sink.diag));
    assert_int_equal(s.bytes_per_pixel, 3);
    assert_int_equal(s.cols, 100);
    assert_int_equal(sink.count, 0);
}

static void test_ega_text_geometry(void **state)
{
    (void)state;
    struct mb2_framebuffer fb = ega();
    struct fb_surface s;
    assert_true(fb_surface_init(&s, &fb, 65536, &sink.diag));
    assert_int_equal(s.kind, FB_KIND_EGA_TEXT);
    assert_int_equal(s.cols, 80);
    assert_int_equal(s.rows, 25);
    assert_int_equal(s.size, 4000);
}

/* One malformed framebuffer per call: it must be refused with exactly this report. */
static void expect_refused(const struct mb2_framebuffer *fb, const char *line)
{
    struct fb_surface s;
    sink.count = 0;
    assert_false(fb_surface_init(&s, fb, 65536, &sink.diag));
    assert_lines(&sink, 1, (const char *const[]){ line });
}

static void test_malformed_framebuffers_refused(void **state)
{
    (void)state;
    struct mb2_framebuffer fb;

    fb = rgb32(1024, 768), fb.present = false;
    expect_refused(&fb, "framebuffer: none from the boot loader");
    fb = rgb32(1024, 768), fb.address = 0;
    expect_refused(&fb, "framebuffer: address 0");
    fb = rgb32(1024, 768), fb.type = MB2_FRAMEBUFFER_INDEXED, fb.bpp = 8;
    expect_refused(&fb, "framebuffer: indexed colour (8 bits per pixel) not supported");
    fb = rgb32(1024, 768), fb.type = 7;
    expect_refused(&fb, "framebuffer: type 7 unknown");
    fb = rgb32(1024, 768), fb.bpp = 8;
    expect_refused(&fb, "framebuffer: 8 bits per pixel not supported (16, 24, 32)");
    fb = rgb32(1024, 768), fb.red_position = 28;
    expect_refused(&fb, "framebuffer: colour fields do not fit 32 bits per pixel");
    fb = rgb32(1024, 768), fb.green_size = 0;
    expect_refused(&fb, "framebuffer: colour fields do not fit 32 bits per pixel");
    fb = rgb32(1024, 768), fb.blue_size = 9;
    expect_refused(&fb, "framebuffer: colour fields do not fit 32 bits per pixel");
    fb = rgb32(7, 768);
    expect_refused(&fb, "framebuffer: 7x768 pixels, too small for one character");
    fb = rgb32(1024, 768), fb.pitch = 4000;
    expect_refused(&fb, "framebuffer: pitch 4000 < width 1024 pixels");
    fb = rgb32(1024, 768), fb.pitch = 4098;
    expect_refused(&fb, "framebuffer: address 0x80000000 or pitch 4098 not pixel-aligned");
    fb = rgb32(1024, 768), fb.address = 0x80000002;
    expect_refused(&fb, "framebuffer: address 0x80000002 or pitch 4096 not pixel-aligned");
    fb = rgb32(1024, 768), fb.pitch = 0xFFFFFFFFu, fb.height = 0xFFFFFFFFu;
    expect_refused(&fb, "framebuffer: 18446744065119617025 bytes at 0x80000000 out of range");
    fb = rgb32(1024, 768), fb.address = 0xFFFFFFFFFFFFF000ull;
    expect_refused(&fb, "framebuffer: 3145728 bytes at 0xfffffffffffff000 out of range");
    fb = ega(), fb.bpp = 8;
    expect_refused(&fb, "framebuffer: EGA text with 8 bits per character, not 16");
    fb = ega(), fb.width = 0;
    expect_refused(&fb, "framebuffer: EGA text 0x25 characters");
    fb = ega(), fb.height = 1000, fb.pitch = 160;
    expect_refused(&fb, "framebuffer: EGA text 80x1000 characters");
    fb = ega(), fb.pitch = 100;
    expect_refused(&fb, "framebuffer: EGA text pitch 100 for 80 columns");
}

static void test_no_room_for_cells(void **state)
{
    (void)state;
    struct mb2_framebuffer fb = ega();
    struct fb_surface s;
    assert_false(fb_surface_init(&s, &fb, 0, &sink.diag));
    ASSERT_LINES(&sink, "framebuffer: no room for text cells");
}

/* Draws into a buffer with a guard row below the screen: nothing may land outside the cell. */
static void test_glyph_pixels_32bpp(void **state)
{
    (void)state;
    struct mb2_framebuffer fb = rgb32(32, 32);  /* 4 x 2 cells */
    struct fb_surface s;
    assert_true(fb_surface_init(&s, &fb, 65536, &sink.diag));
    uint32_t *px = calloc(32 * 33, sizeof(uint32_t));
    for (size_t i = 0; i < 32 * 33; i++)
        px[i] = 0x5A5A5A5A;
    s.base = (volatile uint8_t *)px;
    fb_draw_cell(&s, 2, 1, 'A', false);
    const uint8_t *glyph = font_glyph('A');
    for (uint32_t y = 0; y < 33; y++) {
        for (uint32_t x = 0; x < 32; x++) {
            uint32_t v = px[y * 32 + x];
            if (x >= 16 && x < 24 && y >= 16 && y < 32)
                assert_int_equal(v, glyph[y - 16] & (0x80 >> (x - 16)) ? s.fg : s.bg);
            else
                assert_int_equal(v, 0x5A5A5A5A);
        }
    }
    fb_draw_cell(&s, 2, 1, 'A', true);          /* the cursor: colours swapped */
    for (uint32_t y = 16; y < 32; y++)
        for (uint32_t x = 16; x < 24; x++)
            assert_int_equal(px[y * 32 + x], glyph[y - 16] & (0x80 >> (x - 16)) ? s.bg : s.fg);
    fb_draw_cell(&s, 4, 0, 'A', false);         /* outside: nothing written */
    fb_draw_cell(&s, 0, 2, 'A', false);
    assert_int_equal(px[32 * 32], 0x5A5A5A5A);
    free(px);
}

static void test_glyph_pixels_24bpp_and_scale2(void **state)
{
    (void)state;
    struct mb2_framebuffer fb = rgb32(2560, 1440);
    fb.bpp = 24;
    fb.pitch = 2560 * 3;
    struct fb_surface s;
    assert_true(fb_surface_init(&s, &fb, 65536, &sink.diag));
    assert_int_equal(s.scale, 2);
    uint8_t *buf = calloc((size_t)fb.pitch * 32, 1);
    s.base = buf;
    fb_draw_cell(&s, 0, 0, '|', false);
    const uint8_t *glyph = font_glyph('|');
    for (uint32_t y = 0; y < 32; y++) {
        for (uint32_t x = 0; x < 16; x++) {
            const uint8_t *p = buf + (size_t)y * fb.pitch + x * 3;
            uint8_t want = glyph[y / 2] & (0x80 >> (x / 2)) ? 0xCC : 0;
            assert_int_equal(p[0], want);
            assert_int_equal(p[1], want);
            assert_int_equal(p[2], want);
        }
        assert_int_equal(buf[(size_t)y * fb.pitch + 16 * 3], 0);   /* next cell untouched */
    }
    free(buf);
}

static void test_ega_cells(void **state)
{
    (void)state;
    struct mb2_framebuffer fb = ega();
    struct fb_surface s;
    assert_true(fb_surface_init(&s, &fb, 65536, &sink.diag));
    uint16_t *text = calloc(80 * 25, sizeof(uint16_t));
    s.base = (volatile uint8_t *)text;
    fb_draw_cell(&s, 79, 24, 'z', false);
    fb_draw_cell(&s, 0, 0, 'k', true);
    fb_draw_cell(&s, 1, 0, 0x80, false);
    fb_draw_cell(&s, 2, 0, 0x01, false);
    fb_draw_cell(&s, 80, 0, 'x', false);
    assert_int_equal(text[80 * 25 - 1], 0x0700 | 'z');
    assert_int_equal(text[0], 0x7000 | 'k');
    assert_int_equal(text[1], 0x07FE);
    assert_int_equal(text[2], 0x07FE);
    assert_int_equal(text[80], 0);
    free(text);
}

static int ink(const uint8_t *glyph)
{
    int n = 0;
    for (int r = 0; r < FONT_HEIGHT; r++)
        n += __builtin_popcount(glyph[r]);
    return n;
}

/* The font is ours and hand-drawn: check the properties the console relies on. */
static void test_font_glyphs(void **state)
{
    (void)state;
    assert_int_equal(ink(font_glyph(' ')), 0);
    for (int c = 0x21; c < 0x7F; c++) {
        const uint8_t *g = font_glyph((uint8_t)c);
        assert_true(ink(g) >= 2);
        /* Column 7 is the gap between characters; only the underscore joins its neighbours. */
        for (int r = 0; r < FONT_HEIGHT; r++)
            if (c != '_')
                assert_int_equal(g[r] & 1, 0);
        assert_int_equal(g[0] | g[1], 0);      /* the two top rows space the lines */
        for (int other = 0x20; other < c; other++)
            assert_memory_not_equal(g, font_glyph((uint8_t)other), FONT_HEIGHT);
    }
    const uint8_t *box = font_glyph(0x7F);
    assert_ptr_equal(font_glyph(0x00), box);
    assert_ptr_equal(font_glyph(0x1F), box);
    assert_ptr_equal(font_glyph(0x80), box);
    assert_ptr_equal(font_glyph(0xFF), box);
    assert_ptr_not_equal(font_glyph('~'), box);
}

#define T(name) cmocka_unit_test_setup(name, reset_sink)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_rgb32_geometry),
        T(test_large_screen_doubles_the_font),
        T(test_cells_limited_to_the_shadow),
        T(test_packing_16_and_24_bpp),
        T(test_ega_text_geometry),
        T(test_malformed_framebuffers_refused),
        T(test_no_room_for_cells),
        T(test_glyph_pixels_32bpp),
        T(test_glyph_pixels_24bpp_and_scale2),
        T(test_ega_cells),
        T(test_font_glyphs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
