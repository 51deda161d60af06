/* Host unit tests for shell/format.c: histogram, hex dump, uptime, table rows and help text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "shell/format.h"

#define LINES_MAX 80

static char lines[LINES_MAX][200];
static unsigned nlines;

static void collect(void *ctx, const char *line)
{
    assert_ptr_equal(ctx, lines);
    assert_true(nlines < LINES_MAX);
    assert_true(strlen(line) < sizeof(lines[0]));
    strcpy(lines[nlines++], line);
}

static int reset(void **state)
{
    (void)state;
    nlines = 0;
    return 0;
}

static void test_bucket_index(void **state)
{
    (void)state;
    assert_int_equal(shell_hist_bucket(0), 0);
    assert_int_equal(shell_hist_bucket(1), 0);
    assert_int_equal(shell_hist_bucket(2), 1);
    assert_int_equal(shell_hist_bucket(3), 1);
    assert_int_equal(shell_hist_bucket(64), 6);
    assert_int_equal(shell_hist_bucket(127), 6);
    assert_int_equal(shell_hist_bucket(128), 7);
    assert_int_equal(shell_hist_bucket(UINT64_MAX), 63);
}

static void test_histogram(void **state)
{
    (void)state;
    uint64_t counts[SHELL_HIST_BUCKETS] = { 0 };
    counts[6] = 1234;
    counts[7] = 617;
    counts[10] = 1;
    shell_format_histogram(counts, SHELL_HIST_BUCKETS, collect, lines);
    assert_int_equal(nlines, 3);
    assert_string_equal(lines[0], "   64-127   1234 ########################################");
    assert_string_equal(lines[1], "  128-255    617 ####################");
    assert_string_equal(lines[2], " 1024-2047     1 #");
}

static void test_histogram_extremes(void **state)
{
    (void)state;
    uint64_t counts[SHELL_HIST_BUCKETS] = { 0 };
    counts[0] = 3;
    counts[63] = UINT64_MAX;
    shell_format_histogram(counts, SHELL_HIST_BUCKETS, collect, lines);
    assert_int_equal(nlines, 2);
    assert_string_equal(lines[0],
        "                  0-1                                       3 #");
    assert_string_equal(lines[1],
        "9223372036854775808-18446744073709551615 18446744073709551615 "
        "########################################");

    /* empty histogram: no lines; a short bucket array is fine */
    nlines = 0;
    memset(counts, 0, sizeof(counts));
    shell_format_histogram(counts, SHELL_HIST_BUCKETS, collect, lines);
    assert_int_equal(nlines, 0);
    counts[2] = 10;
    counts[3] = 30;
    shell_format_histogram(counts, 4, collect, lines);
    assert_int_equal(nlines, 2);
    assert_string_equal(lines[0], "    4-7     10 ##############");
    assert_string_equal(lines[1], "    8-15    30 ########################################");
}

static void test_hexdump(void **state)
{
    (void)state;
    static const uint8_t data[19] = "Hello, world!\n\0\xff" "abc";
    shell_format_hexdump(0x100000, data, sizeof(data), collect, lines);
    assert_int_equal(nlines, 2);
    assert_string_equal(lines[0],
        "0x00100000  48 65 6c 6c 6f 2c 20 77 6f 72 6c 64 21 0a 00 ff  |Hello, world!...|");
    assert_string_equal(lines[1],
        "0x00100010  61 62 63                                         |abc|");
    assert_int_equal(strlen(lines[0]), strlen(lines[1]) + 13);

    nlines = 0;
    shell_format_hexdump(0x12345678f0ULL, data, 0, collect, lines);
    assert_int_equal(nlines, 0);
    shell_format_hexdump(0x12345678f0ULL, data + 16, 1, collect, lines);
    assert_int_equal(nlines, 1);
    assert_string_equal(lines[0],
        "0x12345678f0  61                                               |a|");
}

static void test_hexdump_line_buffer(void **state)
{
    (void)state;
    static const uint8_t data[16] = { 0x7e, 0x7f, 0x20, 0x1f };
    char buf[SHELL_HEXDUMP_LINE_MAX];
    size_t n = shell_format_hexdump_line(buf, sizeof(buf), UINT64_MAX - 15, data, 16);
    assert_string_equal(buf, "0xfffffffffffffff0  7e 7f 20 1f 00 00 00 00 00 00 00 00 00 00 00 00"
                             "  |~. .............|");
    assert_int_equal(n, strlen(buf));
    char small[12];
    n = shell_format_hexdump_line(small, sizeof(small), 0, data, 4);
    assert_string_equal(small, "0x00000000 ");
    assert_int_equal(n, 11);
}

static void test_uptime(void **state)
{
    (void)state;
    char buf[SHELL_UPTIME_MAX];
    assert_int_equal(shell_format_uptime(buf, sizeof(buf), 0), 6);
    assert_string_equal(buf, "0.000s");
    shell_format_uptime(buf, sizeof(buf), 999);
    assert_string_equal(buf, "0.000s");
    shell_format_uptime(buf, sizeof(buf), 3456789);
    assert_string_equal(buf, "3.456s");
    shell_format_uptime(buf, sizeof(buf), 59999999);
    assert_string_equal(buf, "59.999s");
    shell_format_uptime(buf, sizeof(buf), 123456000);
    assert_string_equal(buf, "2m 03.456s");
    shell_format_uptime(buf, sizeof(buf), 3723456000ULL);
    assert_string_equal(buf, "1h 02m 03.456s");
    shell_format_uptime(buf, sizeof(buf), 3600000000ULL);
    assert_string_equal(buf, "1h 00m 00.000s");
    shell_format_uptime(buf, sizeof(buf), 90123456000ULL);
    assert_string_equal(buf, "1d 01h 02m 03.456s");
    shell_format_uptime(buf, sizeof(buf), UINT64_MAX);
    assert_string_equal(buf, "213503982d 08h 01m 49.551s");
    assert_int_equal(shell_format_uptime(buf, 5, 3723456000ULL), 4);
    assert_string_equal(buf, "1h 0");
}

static void test_row(void **state)
{
    (void)state;
    static const struct shell_column cols[] = { { 6, false }, { 4, true }, { 8, false } };
    const char *cells[] = { "alpha", "2", "running" };
    char buf[64];
    size_t n = shell_format_row(buf, sizeof(buf), cols, cells, 3);
    assert_string_equal(buf, "alpha      2  running");
    assert_int_equal(n, strlen(buf));
    cells[0] = "a-very-long-name";
    cells[2] = NULL;
    shell_format_row(buf, sizeof(buf), cols, cells, 3);
    assert_string_equal(buf, "a-very-long-name     2");
    char small[8];
    assert_int_equal(shell_format_row(small, sizeof(small), cols, cells, 3), 7);
    assert_string_equal(small, "a-very-");
}

static void test_help(void **state)
{
    (void)state;
    shell_format_help(collect, lines);
    assert_int_equal(nlines, SHELL_CMD_COUNT);
    assert_string_equal(lines[0],
        "  help [command]          list the commands, or show one command's usage");
    assert_string_equal(lines[SHELL_CMD_MEM],
        "  mem <part> <gpa> [len]  hex-dump a partition's guest-physical memory");
    for (unsigned i = 0; i < nlines; i++)
        assert_true(strlen(lines[i]) <= 80);     /* fits an 80-column terminal */

    nlines = 0;
    shell_format_command_help(SHELL_CMD_VMCS, collect, lines);
    assert_int_equal(nlines, 3);
    assert_string_equal(lines[0], "usage: vmcs <part> [area]");
    assert_string_equal(lines[1], "  dump a partition's VMCS, all areas or one");
    assert_string_equal(lines[2], "  area: guest host exec exit entry info");
    nlines = 0;
    shell_format_command_help(SHELL_CMD_LOG, collect, lines);
    assert_int_equal(nlines, 3);
    assert_string_equal(lines[2], "  level: error warn info debug");
    nlines = 0;
    shell_format_command_help(SHELL_CMD_REBOOT, collect, lines);
    assert_int_equal(nlines, 2);
    assert_string_equal(lines[0], "usage: reboot");
    nlines = 0;
    shell_format_command_help(SHELL_CMD_COUNT, collect, lines);
    assert_int_equal(nlines, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_bucket_index, reset),
        cmocka_unit_test_setup(test_histogram, reset),
        cmocka_unit_test_setup(test_histogram_extremes, reset),
        cmocka_unit_test_setup(test_hexdump, reset),
        cmocka_unit_test_setup(test_hexdump_line_buffer, reset),
        cmocka_unit_test_setup(test_uptime, reset),
        cmocka_unit_test_setup(test_row, reset),
        cmocka_unit_test_setup(test_help, reset),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
