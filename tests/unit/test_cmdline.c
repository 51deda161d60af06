/* Host unit tests for lib/cmdline.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "lib/cmdline.h"

static void test_get_values(void **state)
{
    (void)state;
    char v[32];
    const char *cl = "console=com2  selftest=ud loglevel=debug quiet";
    assert_true(cmdline_get(cl, "console", v, sizeof(v)));
    assert_string_equal(v, "com2");
    assert_true(cmdline_get(cl, "selftest", v, sizeof(v)));
    assert_string_equal(v, "ud");
    assert_true(cmdline_get(cl, "quiet", v, sizeof(v)));
    assert_string_equal(v, "");
    assert_false(cmdline_get(cl, "missing", v, sizeof(v)));
    assert_string_equal(v, "");
}

static void test_prefix_is_not_a_match(void **state)
{
    (void)state;
    char v[16];
    assert_false(cmdline_get("consoles=x console_x=y", "console", v, sizeof(v)));
    assert_false(cmdline_get("cons=x", "console", v, sizeof(v)));
    assert_false(cmdline_get("", "console", v, sizeof(v)));
    assert_false(cmdline_get(NULL, "console", v, sizeof(v)));
}

static void test_last_word_wins(void **state)
{
    (void)state;
    char v[16];
    assert_true(cmdline_get("a=1 b=2 a=3", "a", v, sizeof(v)));
    assert_string_equal(v, "3");
}

static void test_value_too_long(void **state)
{
    (void)state;
    char v[4];
    assert_false(cmdline_get("k=toolong", "k", v, sizeof(v)));
    assert_string_equal(v, "");
    assert_true(cmdline_get("k=abc", "k", v, sizeof(v)));
    assert_string_equal(v, "abc");
}

static void test_parse_numbers(void **state)
{
    (void)state;
    uint64_t n = 0;
    assert_true(cmdline_parse_u64("0", &n));
    assert_int_equal(n, 0);
    assert_true(cmdline_parse_u64("115200", &n));
    assert_int_equal(n, 115200);
    assert_true(cmdline_parse_u64("0x3F8", &n));
    assert_int_equal(n, 0x3f8);
    assert_true(cmdline_parse_u64("18446744073709551615", &n));
    assert_true(n == UINT64_MAX);
    assert_false(cmdline_parse_u64("18446744073709551616", &n));
    assert_false(cmdline_parse_u64("0x10000000000000000", &n));
    assert_false(cmdline_parse_u64("", &n));
    assert_false(cmdline_parse_u64("0x", &n));
    assert_false(cmdline_parse_u64("12a", &n));
    assert_false(cmdline_parse_u64("-1", &n));
    assert_false(cmdline_parse_u64(NULL, &n));
}

static void test_module_args(void **state)
{
    (void)state;
    assert_string_equal(cmdline_module_args("linux console=ttyS0 quiet", "linux"),
                        "console=ttyS0 quiet");
    assert_string_equal(cmdline_module_args("  linux   ro", "linux"), "ro");
    assert_string_equal(cmdline_module_args("linux", "linux"), "");
    assert_string_equal(cmdline_module_args("linux  ", "linux"), "");
    assert_null(cmdline_module_args("linux-initrd", "linux"));
    assert_null(cmdline_module_args("lin", "linux"));
    assert_null(cmdline_module_args("testguest", "linux"));
    assert_null(cmdline_module_args(NULL, "linux"));
    assert_null(cmdline_module_args("linux", ""));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_get_values),
        cmocka_unit_test(test_prefix_is_not_a_match),
        cmocka_unit_test(test_last_word_wins),
        cmocka_unit_test(test_value_too_long),
        cmocka_unit_test(test_parse_numbers),
        cmocka_unit_test(test_module_args),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
