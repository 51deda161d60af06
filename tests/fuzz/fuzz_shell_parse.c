/* libFuzzer target for shell/parse.c: the input is one typed line (up to its first NUL),
 * parsed as shell/commands.c's run_line() parses it, then again with a small error buffer
 * of the size the input's last byte picks. */
#include "tests/fuzz/fuzz_common.h"

#include "shell/parse.h"

static bool is_blank(char c)
{
    return c == ' ' || c == '\t';
}

static bool all_blank(const char *s)
{
    for (; *s; s++)
        if (!is_blank(*s))
            return false;
    return true;
}

/* Reference for shell_confirmed: blanks, "yes", blanks, within SHELL_LINE_MAX. */
static bool says_yes(const char *line)
{
    size_t len = strlen(line), first = 0, end = len;

    while (first < len && is_blank(line[first]))
        first++;
    while (end > first && is_blank(line[end - 1]))
        end--;
    return len <= SHELL_LINE_MAX && end - first == 3 && memcmp(line + first, "yes", 3) == 0;
}

static void check_command(const struct shell_command *c)
{
    FUZZ_CHECK((unsigned)c->cmd < SHELL_CMD_COUNT);
    const struct shell_command_info *info = &shell_commands[c->cmd];
    FUZZ_CHECK(c->argc <= info->nargs && info->nargs <= SHELL_ARGS_MAX);
    for (unsigned i = 0; i < info->nargs; i++) {
        const struct shell_arg *a = &c->args[i];
        const struct shell_arg_spec *spec = &info->args[i];

        FUZZ_CHECK(a->present == (i < c->argc));
        if (!a->present) {
            FUZZ_CHECK(spec->optional);
            continue;
        }
        FUZZ_CHECK(fuzz_inside(a->text, strlen(a->text) + 1, c->buf, sizeof(c->buf)));
        FUZZ_CHECK(*a->text != '\0');
        for (const char *p = a->text; *p; p++)
            FUZZ_CHECK(!is_blank(*p));
        switch (spec->kind) {
        case SHELL_ARG_PART:
            for (const char *p = a->text; *p; p++)
                FUZZ_CHECK(shell_is_name_char(*p));
            break;
        case SHELL_ARG_U32:
            FUZZ_CHECK(a->value.u64 <= 0xFFFFFFFFull);
            break;
        case SHELL_ARG_AREA:
            FUZZ_CHECK(strcmp(shell_area_name(a->value.area), a->text) == 0);
            break;
        case SHELL_ARG_LEVEL:
            FUZZ_CHECK(strcmp(shell_level_name(a->value.level), a->text) == 0);
            break;
        case SHELL_ARG_COMMAND:
            FUZZ_CHECK(shell_command_find(a->text) == &shell_commands[a->value.cmd]);
            break;
        case SHELL_ARG_U64:
            break;
        }
    }
    FUZZ_CHECK(shell_command_find(info->name) == info);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *line = (char *)fuzz_dup(data, size, true);
    static struct shell_command command;
    char err[SHELL_ERROR_MAX];

    memset(err, 'x', sizeof(err));
    enum shell_parse_result r = shell_parse(line, &command, err, sizeof(err));
    size_t len = strlen(line);
    FUZZ_CHECK(strnlen(err, sizeof(err)) < sizeof(err));
    switch (r) {
    case SHELL_PARSE_EMPTY:
        FUZZ_CHECK(len <= SHELL_LINE_MAX && all_blank(line) && err[0] == '\0');
        break;
    case SHELL_PARSE_OK:
        FUZZ_CHECK(len <= SHELL_LINE_MAX && err[0] == '\0');
        check_command(&command);
        break;
    case SHELL_PARSE_ERROR:
        /* SHELL_ERROR_MAX never truncates: the message ends before the last byte. */
        FUZZ_CHECK(err[0] != '\0' && strlen(err) < sizeof(err) - 1);
        break;
    default:
        FUZZ_CHECK(!"shell_parse returned no shell_parse_result");
    }
    FUZZ_CHECK(shell_confirmed(line) == says_yes(line));

    /* A short error buffer in its own heap block: messages are cut, never overrun. */
    size_t errsize = size ? data[size - 1] % 32 : 0;
    char *small = malloc(errsize);
    if (!small && errsize)
        abort();
    enum shell_parse_result again = shell_parse(line, &command, small, errsize);
    FUZZ_CHECK(again == r);
    if (errsize)
        FUZZ_CHECK(strnlen(small, errsize) < errsize);
    free(small);
    free(line);
    return 0;
}
