/* Host unit tests for drivers/ps2_keymap.c: scan code sets 1 and 2 (US layout) to the bytes a
 * serial terminal sends, modifiers, prefixes, and garbage. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "drivers/ps2_keymap.h"

/* Feeds bytes and returns everything typed, NUL-terminated. */
static const char *typed(struct ps2_keyboard *kb, const uint8_t *bytes, size_t n)
{
    static char text[256];
    size_t len = 0;
    for (size_t i = 0; i < n; i++) {
        char out[PS2_OUT_MAX];
        unsigned got = ps2_keyboard_feed(kb, bytes[i], out);
        assert_true(got <= PS2_OUT_MAX);
        assert_true(len + got < sizeof(text));
        memcpy(text + len, out, got);
        len += got;
    }
    text[len] = '\0';
    return text;
}

#define TYPED(kb, ...) typed((kb), (const uint8_t[]){ __VA_ARGS__ },                        \
                             sizeof((const uint8_t[]){ __VA_ARGS__ }))

static void test_set1_letters_digits_and_releases(void **state)
{
    (void)state;
    struct ps2_keyboard kb;
    ps2_keyboard_init(&kb, false);
    /* h e l p, each pressed and released, then 4 2 */
    assert_string_equal(TYPED(&kb, 0x23, 0xA3, 0x12, 0x92, 0x26, 0xA6, 0x19, 0x99, 0x05, 0x85,
                              0x03, 0x83), "help42");
    /* space - = [ ] ; ' ` \ , . / */
    assert_string_equal(TYPED(&kb, 0x39, 0x0C, 0x0D, 0x1A, 0x1B, 0x27, 0x28, 0x29, 0x2B, 0x33,
                              0x34, 0x35), " -=[];'`\\,./");
}

static void test_set1_shift_and_caps_lock(void **state)
{
    (void)state;
    struct ps2_keyboard kb;
    ps2_keyboard_init(&kb, false);
    /* Left shift held over v, right shift over 1, then both released. */
    assert_string_equal(TYPED(&kb, 0x2A, 0x2F, 0xAF, 0xAA, 0x36, 0x02, 0x82, 0xB6, 0x2F),
                        "V!v");
    assert_string_equal(TYPED(&kb, 0x2A, 0x28, 0x0C, 0x35, 0x2B, 0xAA), "\"_?|");
    /* Caps Lock: letters upper case, Shift lowers them, digits unchanged. */
    assert_string_equal(TYPED(&kb, 0x3A, 0xBA, 0x1E, 0x2A, 0x1E, 0x02, 0xAA, 0x02), "Aa!1");
    assert_string_equal(TYPED(&kb, 0x3A, 0xBA, 0x1E), "a");
}

static void test_set1_control_keys(void **state)
{
    (void)state;
    struct ps2_keyboard kb;
    ps2_keyboard_init(&kb, false);
    /* Enter, Backspace, Tab, Esc */
    assert_string_equal(TYPED(&kb, 0x1C, 0x9C, 0x0E, 0x8E, 0x0F, 0x01), "\r\177\t\033");
    /* Ctrl-T (the console's escape), Ctrl-C, Ctrl-U with the left Ctrl; Ctrl-] with the right. */
    assert_string_equal(TYPED(&kb, 0x1D, 0x14, 0x2E, 0x16, 0x9D, 0x14), "\x14\x03\x15t");
    assert_string_equal(TYPED(&kb, 0xE0, 0x1D, 0x1B, 0xE0, 0x9D, 0x1B), "\x1d]");
    /* Ctrl with a digit types nothing. */
    assert_string_equal(TYPED(&kb, 0x1D, 0x02, 0x9D, 0x02), "1");
}

static void test_set1_extended_keys(void **state)
{
    (void)state;
    struct ps2_keyboard kb;
    ps2_keyboard_init(&kb, false);
    assert_string_equal(TYPED(&kb, 0xE0, 0x48, 0xE0, 0xC8, 0xE0, 0x50, 0xE0, 0x4D, 0xE0, 0x4B),
                        "\033[A\033[B\033[C\033[D");
    /* Keypad Enter and /; Home and Delete type nothing; keypad digits. */
    assert_string_equal(TYPED(&kb, 0xE0, 0x1C, 0xE0, 0x35, 0xE0, 0x47, 0xE0, 0x53, 0x47, 0x4A,
                              0x52, 0x53, 0x37), "\r/7-0.*");
    /* Print Screen's fake shift must not leave Shift pressed. */
    assert_string_equal(TYPED(&kb, 0xE0, 0x2A, 0xE0, 0x37, 0xE0, 0xB7, 0xE0, 0xAA, 0x1E), "a");
    /* Function keys, Alt, Num Lock type nothing. */
    assert_string_equal(TYPED(&kb, 0x3B, 0xBB, 0x38, 0xB8, 0x45, 0x57, 0x58), "");
}

static void test_set1_pause_and_replies(void **state)
{
    (void)state;
    struct ps2_keyboard kb;
    ps2_keyboard_init(&kb, false);
    assert_string_equal(TYPED(&kb, 0xE1, 0x1D, 0x45, 0xE1, 0x9D, 0xC5, 0x1E), "a");
    assert_string_equal(TYPED(&kb, 0xFA, 0xFE, 0xEE, 0x00, 0xFF, 0x30), "b");
}

static void test_set2(void **state)
{
    (void)state;
    struct ps2_keyboard kb;
    ps2_keyboard_init(&kb, true);
    /* v e r, with releases (F0 xx) */
    assert_string_equal(TYPED(&kb, 0x2A, 0xF0, 0x2A, 0x24, 0xF0, 0x24, 0x2D, 0xF0, 0x2D),
                        "ver");
    /* Shift (0x12) over s, then s again after the release */
    assert_string_equal(TYPED(&kb, 0x12, 0x1B, 0xF0, 0x1B, 0xF0, 0x12, 0x1B), "Ss");
    /* Enter, Backspace, Ctrl-T, 0 9 */
    assert_string_equal(TYPED(&kb, 0x5A, 0x66, 0x14, 0x2C, 0xF0, 0x14, 0x45, 0x46),
                        "\r\177\x14" "09");
    /* Arrows and their releases */
    assert_string_equal(TYPED(&kb, 0xE0, 0x75, 0xE0, 0xF0, 0x75, 0xE0, 0x72), "\033[A\033[B");
    /* Pause (8 bytes), BAT passed (0xAA), F7 (0x83), then x */
    assert_string_equal(TYPED(&kb, 0xE1, 0x14, 0x77, 0xE1, 0xF0, 0x14, 0xF0, 0x77, 0xAA, 0x83,
                              0x22), "x");
    /* A released key, unknown codes above the table */
    assert_string_equal(TYPED(&kb, 0xF0, 0x1C, 0x90, 0xC0, 0x1C), "a");
}

/* Bytes from a broken or hostile keyboard: never more than PS2_OUT_MAX, never a crash. */
static void test_random_bytes(void **state)
{
    (void)state;
    struct ps2_keyboard kb;
    srand(11);
    for (int set = 0; set < 2; set++) {
        ps2_keyboard_init(&kb, set);
        for (int i = 0; i < 200000; i++) {
            char out[PS2_OUT_MAX];
            assert_true(ps2_keyboard_feed(&kb, (uint8_t)rand(), out) <= PS2_OUT_MAX);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_set1_letters_digits_and_releases),
        cmocka_unit_test(test_set1_shift_and_caps_lock),
        cmocka_unit_test(test_set1_control_keys),
        cmocka_unit_test(test_set1_extended_keys),
        cmocka_unit_test(test_set1_pause_and_replies),
        cmocka_unit_test(test_set2),
        cmocka_unit_test(test_random_bytes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
