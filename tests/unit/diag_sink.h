/* Host unit tests: capture what a pure module reports through lib/diag.h and assert the
 * exact lines. Include after <cmocka.h>. */
#ifndef TESTS_UNIT_DIAG_SINK_H
#define TESTS_UNIT_DIAG_SINK_H

#include <stdio.h>
#include <string.h>

#include "lib/diag.h"

#define MAX_LINES 16

struct sink {
    char lines[MAX_LINES][DIAG_LINE_MAX];
    unsigned count;
    struct diag diag;
};

static inline void capture_line(void *ctx, const char *line)
{
    struct sink *s = ctx;

    if (s->count < MAX_LINES)
        snprintf(s->lines[s->count], DIAG_LINE_MAX, "%s", line);
    s->count++;
}

/* Empties s and points its diag at it: a cmocka setup function's body. */
static inline int sink_reset(struct sink *s)
{
    memset(s, 0, sizeof(*s));
    s->diag.fn = capture_line;
    s->diag.ctx = s;
    return 0;
}

static inline void assert_lines(const struct sink *s, unsigned count, const char *const *expected)
{
    for (unsigned i = 0; i < s->count && i < MAX_LINES; i++)
        print_message("  reported: %s\n", s->lines[i]);
    assert_int_equal(s->count, count);
    for (unsigned i = 0; i < count; i++)
        assert_string_equal(s->lines[i], expected[i]);
}

#define ASSERT_LINES(sink, ...)                                                     \
    do {                                                                            \
        static const char *const expected_[] = { __VA_ARGS__ };                     \
        assert_lines((sink), sizeof(expected_) / sizeof(expected_[0]), expected_);  \
    } while (0)

#endif
