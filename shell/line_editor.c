/* Debug shell: the line editor's state machine, history ring and tab completion
 * (key codes: ASCII control characters; arrows: ECMA-48 / VT100 cursor keys, both modes). */
#include "shell/line_editor.h"

#include "lib/string.h"

#define KEY_CTRL_C      0x03
#define KEY_BEL         0x07
#define KEY_BS          0x08
#define KEY_TAB         0x09
#define KEY_LF          0x0A
#define KEY_CR          0x0D
#define KEY_CTRL_U      0x15
#define KEY_ESC         0x1B
#define KEY_DEL         0x7F

/* Completion lists stop here even if the partition callback never returns NULL. */
#define COMPLETION_NAMES_MAX 256

static void echo(const struct line_editor *le, const char *bytes, size_t n)
{
    if (le->echo != NULL && n > 0)
        le->echo(le->ctx, bytes, n);
}

static void echo_str(const struct line_editor *le, const char *s)
{
    echo(le, s, strlen(s));
}

static void bell(const struct line_editor *le)
{
    echo(le, "\a", 1);
}

void line_editor_init(struct line_editor *le, const char *prompt, line_editor_echo_fn echo_fn,
                      line_editor_name_fn partition_name, void *ctx)
{
    memset(le, 0, sizeof(*le));
    le->echo = echo_fn;
    le->partition_name = partition_name;
    le->ctx = ctx;
    le->prompt = prompt != NULL ? prompt : "";
}

void line_editor_redraw(const struct line_editor *le)
{
    echo_str(le, le->prompt);
    echo(le, le->line, le->len);
}

/* Removes the last n characters from the screen and the buffer. */
static void erase(struct line_editor *le, size_t n)
{
    for (; n > 0 && le->len > 0; n--) {
        le->len--;
        echo(le, "\b \b", 3);
    }
    le->line[le->len] = '\0';
}

/* Appends and echoes s[0..n); false (nothing appended) when it would not fit. */
static bool append(struct line_editor *le, const char *s, size_t n)
{
    if (le->len + n > SHELL_LINE_MAX)
        return false;
    memcpy(le->line + le->len, s, n);
    le->len += n;
    le->line[le->len] = '\0';
    echo(le, s, n);
    return true;
}

/* Shows text in place of the current line. */
static void replace_line(struct line_editor *le, const char *text)
{
    erase(le, le->len);
    append(le, text, strnlen(text, SHELL_LINE_MAX));
}

/* ---- history ------------------------------------------------------------------------ */

/* The k-th newest entry, 1 <= k <= history_count. */
static const char *history_entry(const struct line_editor *le, unsigned k)
{
    return le->history[(le->history_next + LINE_EDITOR_HISTORY - k) % LINE_EDITOR_HISTORY];
}

static void history_add(struct line_editor *le, const char *line)
{
    if (line[0] == '\0')
        return;
    if (le->history_count > 0 && strcmp(history_entry(le, 1), line) == 0)
        return;     /* the same command again takes one slot */
    memcpy(le->history[le->history_next], line, strlen(line) + 1);
    le->history_next = (le->history_next + 1) % LINE_EDITOR_HISTORY;
    if (le->history_count < LINE_EDITOR_HISTORY)
        le->history_count++;
}

static void history_older(struct line_editor *le)
{
    if (le->browse == le->history_count) {
        bell(le);
        return;
    }
    if (le->browse == 0)
        memcpy(le->draft, le->line, le->len + 1);
    le->browse++;
    replace_line(le, history_entry(le, le->browse));
}

static void history_newer(struct line_editor *le)
{
    if (le->browse == 0) {
        bell(le);
        return;
    }
    le->browse--;
    replace_line(le, le->browse > 0 ? history_entry(le, le->browse) : le->draft);
}

/* ---- tab completion ----------------------------------------------------------------- */

enum completion_source { FROM_NOTHING, FROM_COMMANDS, FROM_PARTITIONS, FROM_AREAS, FROM_LEVELS };

static const char *candidate(const struct line_editor *le, enum completion_source source,
                             unsigned i)
{
    switch (source) {
    case FROM_COMMANDS:
        return i < SHELL_CMD_COUNT ? shell_commands[i].name : NULL;
    case FROM_PARTITIONS:
        if (le->partition_name == NULL || i >= COMPLETION_NAMES_MAX)
            return NULL;
        return le->partition_name(le->ctx, i);
    case FROM_AREAS:
        return i < SHELL_AREA_COUNT ? shell_area_name((enum shell_area)i) : NULL;
    case FROM_LEVELS:
        return i < SHELL_LEVEL_COUNT ? shell_level_name((enum shell_level)i) : NULL;
    case FROM_NOTHING:
        break;
    }
    return NULL;
}

/* What the word starting at `start` may be: the command itself or one of its arguments. */
static enum completion_source completion_source(const struct line_editor *le, size_t start)
{
    char before[SHELL_LINE_MAX + 1];
    char *words[SHELL_TOKENS_MAX];

    memcpy(before, le->line, start);
    before[start] = '\0';
    unsigned n = shell_tokenize(before, words, SHELL_TOKENS_MAX);
    if (n == 0)
        return FROM_COMMANDS;
    const struct shell_command_info *info = shell_command_find(words[0]);
    if (info == NULL || n - 1 >= info->nargs)
        return FROM_NOTHING;
    switch (info->args[n - 1].kind) {
    case SHELL_ARG_PART:
        return FROM_PARTITIONS;
    case SHELL_ARG_COMMAND:
        return FROM_COMMANDS;
    case SHELL_ARG_AREA:
        return FROM_AREAS;
    case SHELL_ARG_LEVEL:
        return FROM_LEVELS;
    case SHELL_ARG_U64:
    case SHELL_ARG_U32:
        break;
    }
    return FROM_NOTHING;
}

static void list_candidates(struct line_editor *le, enum completion_source source,
                            const char *word, size_t wlen)
{
    bool first = true;
    const char *name;

    echo(le, "\n", 1);
    for (unsigned i = 0; (name = candidate(le, source, i)) != NULL; i++) {
        if (strncmp(name, word, wlen) != 0)
            continue;
        if (!first)
            echo(le, "  ", 2);
        echo_str(le, name);
        first = false;
    }
    echo(le, "\n", 1);
    line_editor_redraw(le);
}

static void complete(struct line_editor *le)
{
    size_t start = le->len;
    while (start > 0 && le->line[start - 1] != ' ' && le->line[start - 1] != '\t')
        start--;
    const char *word = le->line + start;
    size_t wlen = le->len - start;
    enum completion_source source = completion_source(le, start);

    const char *match = NULL, *name;
    size_t common = 0;
    unsigned matches = 0;
    for (unsigned i = 0; (name = candidate(le, source, i)) != NULL; i++) {
        if (strncmp(name, word, wlen) != 0)
            continue;
        if (matches++ == 0) {
            match = name;
            common = strlen(name);
        } else {
            size_t k = wlen;
            while (k < common && name[k] == match[k])
                k++;
            common = k;
        }
    }

    if (matches == 0) {
        le->tab_pending = false;
        bell(le);
    } else if (matches == 1) {
        le->tab_pending = false;
        size_t rest = common - wlen;
        if (le->len + rest + 1 > SHELL_LINE_MAX) {
            bell(le);
            return;
        }
        append(le, match + wlen, rest);
        append(le, " ", 1);
        le->browse = 0;
    } else if (common > wlen) {
        if (!append(le, match + wlen, common - wlen)) {
            bell(le);
            return;
        }
        le->tab_pending = true;
        le->browse = 0;
    } else if (le->tab_pending) {
        list_candidates(le, source, word, wlen);
    } else {
        le->tab_pending = true;
        bell(le);
    }
}

/* ---- the state machine -------------------------------------------------------------- */

static enum line_editor_event finish_line(struct line_editor *le, const char **line)
{
    echo(le, "\n", 1);
    memcpy(le->done, le->line, le->len + 1);
    history_add(le, le->done);
    le->len = 0;
    le->line[0] = '\0';
    le->browse = 0;
    if (line != NULL)
        *line = le->done;
    return LINE_EDITOR_LINE;
}

/* Handles the byte after ESC or ESC [; true when the byte belonged to the sequence. */
static bool feed_escape(struct line_editor *le, uint8_t byte)
{
    if (le->escape == LINE_EDITOR_ESC_SEEN) {
        if (byte == '[' || byte == 'O') {
            le->escape = LINE_EDITOR_ESC_SEQ;
            return true;
        }
        le->escape = LINE_EDITOR_ESC_NONE;  /* a lone ESC: drop it, keep the byte */
        return false;
    }
    if (byte >= 0x20 && byte <= 0x3F)       /* parameter and intermediate bytes */
        return true;
    le->escape = LINE_EDITOR_ESC_NONE;
    if (byte < 0x40 || byte > 0x7E)         /* not a final byte: the sequence was broken */
        return false;
    if (byte == 'A')
        history_older(le);
    else if (byte == 'B')
        history_newer(le);
    return true;
}

enum line_editor_event line_editor_feed(struct line_editor *le, uint8_t byte, const char **line)
{
    if (line != NULL)
        *line = NULL;
    if (le->escape != LINE_EDITOR_ESC_NONE && feed_escape(le, byte)) {
        le->tab_pending = false;
        return LINE_EDITOR_NONE;
    }

    bool after_cr = le->after_cr;
    le->after_cr = byte == KEY_CR;
    if (byte != KEY_TAB)
        le->tab_pending = false;

    switch (byte) {
    case KEY_LF:
        if (after_cr)
            return LINE_EDITOR_NONE;
        return finish_line(le, line);
    case KEY_CR:
        return finish_line(le, line);
    case KEY_CTRL_C:
        echo_str(le, "^C\n");
        le->len = 0;
        le->line[0] = '\0';
        le->browse = 0;
        return LINE_EDITOR_CANCEL;
    case KEY_BS:
    case KEY_DEL:
        erase(le, 1);
        le->browse = 0;
        return LINE_EDITOR_NONE;
    case KEY_CTRL_U:
        erase(le, le->len);
        le->browse = 0;
        return LINE_EDITOR_NONE;
    case KEY_ESC:
        le->escape = LINE_EDITOR_ESC_SEEN;
        return LINE_EDITOR_NONE;
    case KEY_TAB:
        complete(le);
        return LINE_EDITOR_NONE;
    default:
        break;
    }
    if (byte >= 0x20 && byte < KEY_DEL) {
        char c = (char)byte;
        if (append(le, &c, 1))
            le->browse = 0;
        else
            bell(le);
    }
    return LINE_EDITOR_NONE;
}
