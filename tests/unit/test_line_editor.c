/* Host unit tests for shell/line_editor.c: echo bytes, line endings, history, escapes, completion. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "shell/line_editor.h"

static char out[4096];
static size_t out_len;
static const char *parts[8];
static struct line_editor le;
static const char *last_line;
static unsigned lines_done, cancels;

static void capture(void *ctx, const char *bytes, size_t n)
{
    assert_ptr_equal(ctx, &le);
    assert_true(out_len + n < sizeof(out));
    memcpy(out + out_len, bytes, n);
    out_len += n;
    out[out_len] = '\0';
}

static const char *partition_name(void *ctx, unsigned index)
{
    assert_ptr_equal(ctx, &le);
    return index < 8 ? parts[index] : NULL;
}

static void clear_output(void)
{
    out_len = 0;
    out[0] = '\0';
}

static int setup(void **state)
{
    (void)state;
    memset(parts, 0, sizeof(parts));
    parts[0] = "alpha";
    parts[1] = "beta";
    parts[2] = "bench";
    line_editor_init(&le, "tessera> ", capture, partition_name, &le);
    clear_output();
    last_line = NULL;
    lines_done = cancels = 0;
    return 0;
}

/* Feeds bytes (n of them, so NUL can be sent); returns the last event. */
static enum line_editor_event feed_n(const char *bytes, size_t n)
{
    enum line_editor_event ev = LINE_EDITOR_NONE;
    for (size_t i = 0; i < n; i++) {
        const char *line;
        ev = line_editor_feed(&le, (uint8_t)bytes[i], &line);
        if (ev == LINE_EDITOR_LINE) {
            assert_non_null(line);
            last_line = line;
            lines_done++;
        } else {
            assert_null(line);
            cancels += ev == LINE_EDITOR_CANCEL;
        }
    }
    return ev;
}

static enum line_editor_event feed(const char *s)
{
    return feed_n(s, strlen(s));
}

static void test_typing_and_enter(void **state)
{
    (void)state;
    assert_int_equal(feed("parts"), LINE_EDITOR_NONE);
    assert_string_equal(out, "parts");
    assert_int_equal(feed("\r"), LINE_EDITOR_LINE);
    assert_string_equal(out, "parts\n");
    assert_string_equal(last_line, "parts");
    /* the finished line stays valid while the next one is typed */
    feed("cpus");
    assert_string_equal(last_line, "parts");
    /* non-printable bytes other than the editing keys are ignored */
    clear_output();
    feed_n("\x01\x02\x00\x80\xff", 5);
    assert_string_equal(out, "");
    assert_int_equal(le.len, 4);
}

static void test_line_endings(void **state)
{
    (void)state;
    assert_int_equal(feed("a\r"), LINE_EDITOR_LINE);
    assert_int_equal(feed("\n"), LINE_EDITOR_NONE);     /* CR LF is one Enter */
    assert_int_equal(feed("b\n"), LINE_EDITOR_LINE);
    assert_string_equal(last_line, "b");
    assert_int_equal(feed("\n"), LINE_EDITOR_LINE);     /* LF LF is two */
    assert_string_equal(last_line, "");
    assert_int_equal(feed("\r\r"), LINE_EDITOR_LINE);   /* CR CR too */
    assert_int_equal(lines_done, 5);
    assert_string_equal(out, "a\nb\n\n\n\n");
    /* LF after a CR that was followed by another key is a fresh Enter */
    feed("\rx\n");
    assert_int_equal(lines_done, 7);
    assert_string_equal(last_line, "x");
}

static void test_backspace_and_ctrl_u(void **state)
{
    (void)state;
    feed("abc\b");
    assert_string_equal(out, "abc\b \b");
    feed("\x7f");
    assert_string_equal(out, "abc\b \b\b \b");
    feed("\x7f\x7f");    /* one real erase, then nothing to erase */
    assert_string_equal(out, "abc\b \b\b \b\b \b");
    feed("xyz");
    clear_output();
    feed("\x15");
    assert_string_equal(out, "\b \b\b \b\b \b");
    assert_int_equal(feed("ok\r"), LINE_EDITOR_LINE);
    assert_string_equal(last_line, "ok");
}

static void test_ctrl_c(void **state)
{
    (void)state;
    feed("stop al");
    clear_output();
    assert_int_equal(feed("\x03"), LINE_EDITOR_CANCEL);
    assert_string_equal(out, "^C\n");
    assert_int_equal(cancels, 1);
    feed("\r");
    assert_string_equal(last_line, "");
    /* an abandoned line does not reach the history */
    clear_output();
    feed("\x1b[A");
    assert_string_equal(out, "\a");
}

static void test_history(void **state)
{
    (void)state;
    feed("one\rtwo\rthree\r");
    feed("dr");
    clear_output();
    feed("\x1b[A");
    assert_string_equal(out, "\b \b\b \bthree");
    clear_output();
    feed("\x1b[A");
    assert_string_equal(out, "\b \b\b \b\b \b\b \b\b \btwo");
    feed("\x1bOA");                                     /* application-mode arrow */
    clear_output();
    feed("\x1b[A");                                     /* past the oldest */
    assert_string_equal(out, "\a");
    assert_string_equal(le.line, "one");
    clear_output();
    feed("\x1b[B\x1b[B");
    assert_string_equal(out, "\b \b\b \b\b \btwo\b \b\b \b\b \bthree");
    clear_output();
    feed("\x1bOB");                                     /* back to the draft */
    assert_string_equal(out, "\b \b\b \b\b \b\b \b\b \bdr");
    clear_output();
    feed("\x1b[B");                                     /* past the newest */
    assert_string_equal(out, "\a");
    /* a recalled line runs like a typed one and is not stored twice */
    feed("\x15\x1b[A\r");
    assert_string_equal(last_line, "three");
    feed("\x1b[A\x1b[A\r");
    assert_string_equal(last_line, "two");
    /* editing a recalled line ends browsing: Up starts from the newest again */
    feed("\x1b[A\x1b[Ax\x1b[A");
    assert_string_equal(le.line, "two");
}

static void test_history_ring(void **state)
{
    (void)state;
    char line[8];
    for (unsigned i = 0; i < LINE_EDITOR_HISTORY + 4; i++) {
        line[0] = (char)('a' + i);
        line[1] = '\r';
        line[2] = '\0';
        feed(line);
    }
    for (unsigned i = 0; i < LINE_EDITOR_HISTORY; i++)
        feed("\x1b[A");
    assert_string_equal(le.line, "e");                  /* the 16 newest: t back to e */
    clear_output();
    feed("\x1b[A");
    assert_string_equal(out, "\a");
}

static void test_escape_split_and_unknown(void **state)
{
    (void)state;
    feed("ab\rcd\r");
    feed("\x1b");
    assert_int_equal(le.len, 0);
    feed("[");
    clear_output();
    feed("A");
    assert_string_equal(out, "cd");                     /* nothing to erase first */
    assert_string_equal(le.line, "cd");
    /* cursor keys and ESC [ 3 ~ (delete) are swallowed whole */
    clear_output();
    feed("\x1b[C\x1b[D\x1b[3~\x1b[1;5A");
    assert_string_equal(le.line, "ab");                 /* only the final 'A' acted */
    feed("\x15");
    clear_output();
    /* a lone ESC is dropped and the next byte is typed */
    feed("\x1bq");
    assert_string_equal(out, "q");
    /* Enter inside a broken sequence still finishes the line */
    assert_int_equal(feed("\x1b[\r"), LINE_EDITOR_LINE);
    assert_string_equal(last_line, "q");
}

static void test_complete_commands(void **state)
{
    (void)state;
    feed("vm");
    clear_output();
    feed("\t");
    assert_string_equal(out, "cs ");
    assert_string_equal(le.line, "vmcs ");
    feed("\x15");
    /* ambiguous without progress: bell, then the list on the second Tab */
    feed("st");
    clear_output();
    feed("\t");
    assert_string_equal(out, "\a");
    clear_output();
    feed("\t");
    assert_string_equal(out, "\nstop  start\ntessera> st");
    /* ambiguous with a longer common prefix: extend, then list */
    feed("\x15re");
    clear_output();
    feed("s\t");
    assert_string_equal(out, "start ");
    feed("\x15");
    feed("rest");
    clear_output();
    feed("\t");
    assert_string_equal(out, "art ");
    feed("\x15" "c");
    clear_output();
    feed("\t");
    assert_string_equal(out, "\a");
    clear_output();
    feed("\t");
    assert_string_equal(out, "\ncpus  console  cpuid\ntessera> c");
    feed("p\t");
    assert_string_equal(le.line, "cpu");
    clear_output();
    feed("\t");
    assert_string_equal(out, "\ncpus  cpuid\ntessera> cpu");
    /* no candidate */
    feed("\x15xyz");
    clear_output();
    feed("\t");
    assert_string_equal(out, "\a");
    /* empty line: every command is a candidate, the second Tab lists them */
    feed("\x15\t");
    clear_output();
    feed("\t");
    assert_true(strncmp(out, "\nhelp  version  uptime  latency  cpus  parts  vmcs", 50) == 0);
}

static void test_complete_arguments(void **state)
{
    (void)state;
    feed("vmcs a\t");
    assert_string_equal(le.line, "vmcs alpha ");
    clear_output();
    feed("g\t");
    assert_string_equal(out, "guest ");
    clear_output();
    feed("\t");                                         /* no third argument */
    assert_string_equal(out, "\a");
    feed("\x15stop b");
    clear_output();
    feed("\t");
    assert_string_equal(out, "e");                      /* beta, bench: common "be" */
    clear_output();
    feed("\t");
    assert_string_equal(out, "\nbeta  bench\ntessera> stop be");
    feed("t\t");
    assert_string_equal(le.line, "stop beta ");
    feed("\x15" "help v\t");
    assert_string_equal(le.line, "help v");             /* version, vmcs, verify */
    feed("\x15log d\t");
    assert_string_equal(le.line, "log debug ");
    feed("\x15mem alpha 0x\t");                         /* numbers have no candidates */
    assert_string_equal(le.line, "mem alpha 0x");
    feed("\x15" "frob a\t");                            /* nor unknown commands */
    assert_string_equal(le.line, "frob a");
    /* no partition callback: nothing to offer */
    line_editor_init(&le, "> ", capture, NULL, &le);
    feed("stop \t");
    assert_string_equal(le.line, "stop ");
}

static void test_line_limit(void **state)
{
    (void)state;
    char line[SHELL_LINE_MAX + 1];
    memset(line, 'a', SHELL_LINE_MAX);
    line[SHELL_LINE_MAX] = '\0';
    feed(line);
    clear_output();
    feed("bc");
    assert_string_equal(out, "\a\a");
    assert_int_equal(le.len, SHELL_LINE_MAX);
    feed("\b");
    feed("z\r");
    assert_int_equal(strlen(last_line), SHELL_LINE_MAX);
    assert_int_equal(last_line[SHELL_LINE_MAX - 1], 'z');
    /* a completion that would not fit rings instead */
    memset(line, ' ', SHELL_LINE_MAX);
    memcpy(line + SHELL_LINE_MAX - 4, "vers", 4);
    feed(line);
    clear_output();
    feed("\t");
    assert_string_equal(out, "\a");
    assert_int_equal(le.len, SHELL_LINE_MAX);
}

static void test_redraw(void **state)
{
    (void)state;
    feed("uptime");
    clear_output();
    line_editor_redraw(&le);
    assert_string_equal(out, "tessera> uptime");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_typing_and_enter, setup),
        cmocka_unit_test_setup(test_line_endings, setup),
        cmocka_unit_test_setup(test_backspace_and_ctrl_u, setup),
        cmocka_unit_test_setup(test_ctrl_c, setup),
        cmocka_unit_test_setup(test_history, setup),
        cmocka_unit_test_setup(test_history_ring, setup),
        cmocka_unit_test_setup(test_escape_split_and_unknown, setup),
        cmocka_unit_test_setup(test_complete_commands, setup),
        cmocka_unit_test_setup(test_complete_arguments, setup),
        cmocka_unit_test_setup(test_line_limit, setup),
        cmocka_unit_test_setup(test_redraw, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
