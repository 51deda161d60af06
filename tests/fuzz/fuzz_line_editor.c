/* libFuzzer target for shell/line_editor.c: the input is the bytes typed on the serial
 * console (VT100 keys included), fed one at a time as shell_input() feeds them; each
 * finished line goes through shell_parse() as run_line() does.
 *
 * Input: u8 completion setup (bits 2:0 how many names of part_names[] the partition
 * callback offers, bit 3 a callback that never ends its list, bit 4 no callback), then keys.
 * After a 0xFF key (ignored by the editor) the line is redrawn, as after console output. */
#include "tests/fuzz/fuzz_common.h"

#include "shell/line_editor.h"
#include "shell/parse.h"

#define REDRAW_KEY 0xFF

static const char *const part_names[] = {
    "alpha", "beta", "alphabet", "gamma", "",
    ("a-partition-name-long-enough-that-completing-it-runs-into-the-end-of-a-line-of-one-"
     "hundred-and-twenty-eight-characters"),
    "beta", "alpha",
};
#define NAMES (sizeof(part_names) / sizeof(part_names[0]))

struct world {
    unsigned names;         /* partition_name offers the first `names` entries */
    bool endless;           /* ... or cycles through all of them forever */
    size_t echoed;          /* bytes shown so far */
};

static const char *partition_name(void *ctx, unsigned index)
{
    const struct world *w = ctx;

    if (w->endless)
        return part_names[index % NAMES];
    return index < w->names ? part_names[index] : NULL;
}

static void echo(void *ctx, const char *bytes, size_t n)
{
    struct world *w = ctx;

    FUZZ_CHECK(bytes != NULL && n > 0);
    /* One call shows at most a prompt and a whole line, or a list of every name. */
    FUZZ_CHECK(n <= 2 * SHELL_LINE_MAX + 16);
    w->echoed += n;
}

static void check_state(const struct line_editor *le)
{
    FUZZ_CHECK(le->len <= SHELL_LINE_MAX);
    FUZZ_CHECK(le->line[le->len] == '\0' && strlen(le->line) == le->len);
    FUZZ_CHECK(le->history_count <= LINE_EDITOR_HISTORY);
    FUZZ_CHECK(le->history_next < LINE_EDITOR_HISTORY);
    FUZZ_CHECK(le->browse <= le->history_count);
    for (unsigned k = 1; k <= le->history_count; k++) {
        const char *h = le->history[(le->history_next + LINE_EDITOR_HISTORY - k) %
                                    LINE_EDITOR_HISTORY];
        size_t len = strnlen(h, SHELL_LINE_MAX + 1);
        FUZZ_CHECK(len > 0 && len <= SHELL_LINE_MAX);
    }
}

/* A finished line holds only what can be typed or completed: printable ASCII. */
static void check_line(const char *line)
{
    static struct shell_command command;
    char err[SHELL_ERROR_MAX];

    FUZZ_CHECK(line != NULL);
    size_t len = strnlen(line, SHELL_LINE_MAX + 1);
    FUZZ_CHECK(len <= SHELL_LINE_MAX);
    for (size_t i = 0; i < len; i++)
        FUZZ_CHECK(line[i] >= 0x20 && line[i] < 0x7F);
    if (shell_parse(line, &command, err, sizeof(err)) == SHELL_PARSE_OK)
        FUZZ_CHECK((unsigned)command.cmd < SHELL_CMD_COUNT);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct line_editor le;
    struct world w = { 0, false, 0 };
    uint8_t setup = size ? data[0] : 0;

    w.names = setup & 7;
    w.endless = (setup & 8) != 0;
    line_editor_init(&le, "> ", echo, (setup & 16) ? NULL : partition_name, &w);
    for (size_t i = 1; i < size; i++) {
        const char *line = (const char *)1;     /* must be overwritten either way */
        enum line_editor_event e = line_editor_feed(&le, data[i], &line);

        check_state(&le);
        switch (e) {
        case LINE_EDITOR_LINE:
            check_line(line);
            FUZZ_CHECK(le.len == 0);
            break;
        case LINE_EDITOR_CANCEL:
            FUZZ_CHECK(line == NULL && le.len == 0);
            break;
        case LINE_EDITOR_NONE:
            FUZZ_CHECK(line == NULL);
            break;
        default:
            FUZZ_CHECK(!"line_editor_feed returned no line_editor_event");
        }
        if (data[i] == REDRAW_KEY)
            line_editor_redraw(&le);
    }
    /* Enter finishes the line in every state, a half-received escape sequence included. */
    FUZZ_CHECK(line_editor_feed(&le, '\r', NULL) == LINE_EDITOR_LINE);
    return 0;
}
