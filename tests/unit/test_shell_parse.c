/* Host unit tests for shell/parse.c: the command table, the tokenizer and every argument check. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "shell/parse.h"

static struct shell_command cmd;
static char err[SHELL_ERROR_MAX];

static enum shell_parse_result parse(const char *line)
{
    memset(err, 'x', sizeof(err));
    return shell_parse(line, &cmd, err, sizeof(err));
}

#define ACCEPT(line, expected_cmd, expected_argc)                       \
    do {                                                                \
        assert_int_equal(parse(line), SHELL_PARSE_OK);                  \
        assert_string_equal(err, "");                                   \
        assert_int_equal(cmd.cmd, expected_cmd);                        \
        assert_int_equal(cmd.argc, expected_argc);                      \
    } while (0)

#define REJECT(line, message)                                           \
    do {                                                                \
        assert_int_equal(parse(line), SHELL_PARSE_ERROR);               \
        assert_string_equal(err, message);                              \
    } while (0)

static void test_table_is_consistent(void **state)
{
    (void)state;
    for (unsigned i = 0; i < SHELL_CMD_COUNT; i++) {
        const struct shell_command_info *c = &shell_commands[i];
        char usage[128];
        size_t used = (size_t)snprintf(usage, sizeof(usage), "%s", c->name);
        bool seen_optional = false;
        assert_non_null(c->name);
        assert_true(c->nargs <= SHELL_ARGS_MAX);
        for (unsigned a = 0; a < c->nargs; a++) {
            used += (size_t)snprintf(usage + used, sizeof(usage) - used,
                                     c->args[a].optional ? " [%s]" : " <%s>", c->args[a].name);
            if (!c->args[a].optional)
                assert_false(seen_optional);    /* optional arguments come last */
            seen_optional |= c->args[a].optional;
        }
        assert_string_equal(c->usage, usage);
        assert_true(strlen(c->help) > 0 && strlen(c->help) < 80);
        assert_ptr_equal(shell_command_find(c->name), c);
    }
    assert_null(shell_command_find("frob"));
    assert_null(shell_command_find(""));
}

static void test_valid_forms(void **state)
{
    (void)state;
    ACCEPT("help", SHELL_CMD_HELP, 0);
    ACCEPT("help vmcs", SHELL_CMD_HELP, 1);
    assert_int_equal(cmd.args[0].value.cmd, SHELL_CMD_VMCS);
    ACCEPT("version", SHELL_CMD_VERSION, 0);
    ACCEPT("uptime", SHELL_CMD_UPTIME, 0);
    ACCEPT("cpus", SHELL_CMD_CPUS, 0);
    ACCEPT("parts", SHELL_CMD_PARTS, 0);
    ACCEPT("vmcs alpha", SHELL_CMD_VMCS, 1);
    assert_true(cmd.args[0].present);
    assert_string_equal(cmd.args[0].text, "alpha");
    assert_false(cmd.args[1].present);
    ACCEPT("regs beta", SHELL_CMD_REGS, 1);
    ACCEPT("exits Part_2-b", SHELL_CMD_EXITS, 1);
    ACCEPT("verify", SHELL_CMD_VERIFY, 0);
    ACCEPT("verify alpha", SHELL_CMD_VERIFY, 1);
    ACCEPT("ept alpha 0x1000", SHELL_CMD_EPT, 2);
    assert_int_equal(cmd.args[1].value.u64, 0x1000);
    ACCEPT("mem alpha 4096", SHELL_CMD_MEM, 2);
    assert_int_equal(cmd.args[1].value.u64, 4096);
    assert_false(cmd.args[2].present);
    ACCEPT("mem alpha 0x100000 0x40", SHELL_CMD_MEM, 3);
    assert_int_equal(cmd.args[2].value.u64, 0x40);
    ACCEPT("screen mb1", SHELL_CMD_SCREEN, 1);
    assert_string_equal(cmd.args[0].text, "mb1");
    ACCEPT("stop alpha", SHELL_CMD_STOP, 1);
    ACCEPT("start alpha", SHELL_CMD_START, 1);
    ACCEPT("restart alpha", SHELL_CMD_RESTART, 1);
    ACCEPT("console alpha", SHELL_CMD_CONSOLE, 1);
    ACCEPT("cpuid 0", SHELL_CMD_CPUID, 1);
    ACCEPT("cpuid 0x80000001", SHELL_CMD_CPUID, 1);
    assert_int_equal(cmd.args[0].value.u64, 0x80000001);
    ACCEPT("cpuid 7 1", SHELL_CMD_CPUID, 2);
    assert_int_equal(cmd.args[1].value.u64, 1);
    ACCEPT("rdmsr 0 0x3a", SHELL_CMD_RDMSR, 2);
    assert_int_equal(cmd.args[1].value.u64, 0x3a);
    ACCEPT("cpuid 0xffffffff", SHELL_CMD_CPUID, 1);
    ACCEPT("log", SHELL_CMD_LOG, 0);
    ACCEPT("dmesg", SHELL_CMD_DMESG, 0);
    ACCEPT("reboot", SHELL_CMD_REBOOT, 0);
    ACCEPT("ept alpha 18446744073709551615", SHELL_CMD_EPT, 2);
    assert_int_equal(cmd.args[1].value.u64, UINT64_MAX);
}

static void test_areas_and_levels(void **state)
{
    (void)state;
    static const char *const areas[] = { "guest", "host", "exec", "exit", "entry", "info" };
    static const char *const levels[] = { "error", "warn", "info", "debug" };
    char line[64];
    for (unsigned i = 0; i < SHELL_AREA_COUNT; i++) {
        snprintf(line, sizeof(line), "vmcs alpha %s", areas[i]);
        ACCEPT(line, SHELL_CMD_VMCS, 2);
        assert_int_equal(cmd.args[1].value.area, i);
        assert_string_equal(shell_area_name((enum shell_area)i), areas[i]);
    }
    for (unsigned i = 0; i < SHELL_LEVEL_COUNT; i++) {
        snprintf(line, sizeof(line), "log %s", levels[i]);
        ACCEPT(line, SHELL_CMD_LOG, 1);
        assert_int_equal(cmd.args[0].value.level, i);
        assert_string_equal(shell_level_name((enum shell_level)i), levels[i]);
    }
}

static void test_blanks(void **state)
{
    (void)state;
    assert_int_equal(parse(""), SHELL_PARSE_EMPTY);
    assert_string_equal(err, "");
    assert_int_equal(parse("   \t  "), SHELL_PARSE_EMPTY);
    ACCEPT("  \tvmcs \t alpha\t\tguest  ", SHELL_CMD_VMCS, 2);
    assert_string_equal(cmd.args[0].text, "alpha");
    assert_int_equal(cmd.args[1].value.area, SHELL_AREA_GUEST);
    /* a NULL error buffer is allowed */
    assert_int_equal(shell_parse("frob", &cmd, NULL, 0), SHELL_PARSE_ERROR);
}

static void test_errors(void **state)
{
    (void)state;
    REJECT("frob", "unknown command \"frob\"; type help");
    REJECT("VMCS alpha", "unknown command \"VMCS\"; type help");
    REJECT("vmcs alpha foo",
           "vmcs: bad area \"foo\" (guest host exec exit entry info); usage: vmcs <part> [area]");
    REJECT("log loud", "log: bad level \"loud\" (error warn info debug); usage: log [level]");
    REJECT("ept alpha", "ept: missing <gpa>; usage: ept <part> <gpa>");
    REJECT("ept", "ept: missing <part>; usage: ept <part> <gpa>");
    REJECT("rdmsr 1", "rdmsr: missing <msr>; usage: rdmsr <cpu> <msr>");
    REJECT("cpuid", "cpuid: missing <leaf>; usage: cpuid <leaf> [subleaf]");
    REJECT("mem alpha 0xZZ", "mem: bad number \"0xZZ\"; usage: mem <part> <gpa> [len]");
    REJECT("mem alpha 0x10 -1", "mem: bad number \"-1\"; usage: mem <part> <gpa> [len]");
    REJECT("ept alpha 18446744073709551616",
           "ept: bad number \"18446744073709551616\"; usage: ept <part> <gpa>");
    REJECT("ept alpha 0x", "ept: bad number \"0x\"; usage: ept <part> <gpa>");
    REJECT("cpuid 0x100000000",
           "cpuid: number \"0x100000000\" above 0xffffffff; usage: cpuid <leaf> [subleaf]");
    REJECT("rdmsr x 0x10", "rdmsr: bad number \"x\"; usage: rdmsr <cpu> <msr>");
    REJECT("stop al.pha", "stop: bad partition name \"al.pha\"; usage: stop <part>");
    REJECT("verify a/b", "verify: bad partition name \"a/b\"; usage: verify [part]");
    REJECT("help frob", "help: unknown command \"frob\"; usage: help [command]");
    REJECT("version now", "too many arguments; usage: version");
    REJECT("vmcs alpha guest extra", "too many arguments; usage: vmcs <part> [area]");
    REJECT("mem a 1 2 3", "too many arguments; usage: mem <part> <gpa> [len]");
    REJECT("screen", "screen: missing <part>; usage: screen <part>");
    REJECT("screen mb1 0xb8000", "too many arguments; usage: screen <part>");
    REJECT("reboot 1 2 3 4 5 6 7 8 9 10", "too many arguments; usage: reboot");
}

static void test_line_length(void **state)
{
    (void)state;
    char line[SHELL_LINE_MAX + 2];
    memset(line, ' ', sizeof(line));
    memcpy(line, "mem alpha 0x10", 14);
    line[SHELL_LINE_MAX] = '\0';
    ACCEPT(line, SHELL_CMD_MEM, 2);
    line[SHELL_LINE_MAX] = ' ';
    line[SHELL_LINE_MAX + 1] = '\0';
    REJECT(line, "line too long (max 128 characters)");
}

static void test_tokenize(void **state)
{
    (void)state;
    char buf[64];
    char *words[3];
    strcpy(buf, " a\tbb  c ");
    assert_int_equal(shell_tokenize(buf, words, 3), 3);
    assert_string_equal(words[0], "a");
    assert_string_equal(words[1], "bb");
    assert_string_equal(words[2], "c");
    strcpy(buf, "a b c d");
    assert_int_equal(shell_tokenize(buf, words, 3), 4);
    strcpy(buf, "");
    assert_int_equal(shell_tokenize(buf, words, 3), 0);
}

static void test_small_error_buffer(void **state)
{
    (void)state;
    char small[10];
    assert_int_equal(shell_parse("frob", &cmd, small, sizeof(small)), SHELL_PARSE_ERROR);
    assert_string_equal(small, "unknown c");
}

static void test_confirmed(void **state)
{
    (void)state;
    assert_true(shell_confirmed("yes"));
    assert_true(shell_confirmed("  yes\t"));
    assert_false(shell_confirmed("y"));
    assert_false(shell_confirmed("YES"));
    assert_false(shell_confirmed("yes please"));
    assert_false(shell_confirmed(""));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table_is_consistent),
        cmocka_unit_test(test_valid_forms),
        cmocka_unit_test(test_areas_and_levels),
        cmocka_unit_test(test_blanks),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_line_length),
        cmocka_unit_test(test_tokenize),
        cmocka_unit_test(test_small_error_buffer),
        cmocka_unit_test(test_confirmed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
