/* Debug shell: the command table, the tokenizer and the argument checks. */
#include "shell/parse.h"

#include "lib/cmdline.h"
#include "lib/format.h"
#include "lib/string.h"

#define ARG(k, n)       { .kind = (k), .name = (n), .optional = false }
#define OPT(k, n)       { .kind = (k), .name = (n), .optional = true }

const struct shell_command_info shell_commands[SHELL_CMD_COUNT] = {
    [SHELL_CMD_HELP] = { "help", 1, { OPT(SHELL_ARG_COMMAND, "command") },
        "help [command]", "list the commands, or show one command's usage" },
    [SHELL_CMD_VERSION] = { "version", 0, { { 0 } },
        "version", "show the version, commit and build date" },
    [SHELL_CMD_UPTIME] = { "uptime", 0, { { 0 } },
        "uptime", "show the time since boot" },
    [SHELL_CMD_LATENCY] = { "latency", 0, { { 0 } },
        "latency", "show how long keystrokes could wait since last asked" },
    [SHELL_CMD_CPUS] = { "cpus", 0, { { 0 } },
        "cpus", "CPUs: APIC ID, VMX, partition, exits/s, mitigations" },
    [SHELL_CMD_PARTS] = { "parts", 0, { { 0 } },
        "parts", "list the partitions: CPUs, memory, state" },
    [SHELL_CMD_VMCS] = { "vmcs", 2, { ARG(SHELL_ARG_PART, "part"), OPT(SHELL_ARG_AREA, "area") },
        "vmcs <part> [area]", "dump a partition's VMCS, all areas or one" },
    [SHELL_CMD_REGS] = { "regs", 1, { ARG(SHELL_ARG_PART, "part") },
        "regs <part>", "show a partition's registers" },
    [SHELL_CMD_EXITS] = { "exits", 1, { ARG(SHELL_ARG_PART, "part") },
        "exits <part>", "show a partition's exit counts and cost histogram" },
    [SHELL_CMD_VERIFY] = { "verify", 1, { OPT(SHELL_ARG_PART, "part") },
        "verify [part]", "check guest state against the VM-entry rules" },
    [SHELL_CMD_EPT] = { "ept", 2, { ARG(SHELL_ARG_PART, "part"), ARG(SHELL_ARG_U64, "gpa") },
        "ept <part> <gpa>", "walk a partition's EPT for a guest-physical address" },
    [SHELL_CMD_MEM] = { "mem", 3,
        { ARG(SHELL_ARG_PART, "part"), ARG(SHELL_ARG_U64, "gpa"), OPT(SHELL_ARG_U64, "len") },
        "mem <part> <gpa> [len]", "hex-dump a partition's guest-physical memory" },
    [SHELL_CMD_SCREEN] = { "screen", 1, { ARG(SHELL_ARG_PART, "part") },
        "screen <part>", "show a partition's VGA text screen at 0xb8000" },
    [SHELL_CMD_STOP] = { "stop", 1, { ARG(SHELL_ARG_PART, "part") },
        "stop <part>", "stop a partition's CPUs" },
    [SHELL_CMD_START] = { "start", 1, { ARG(SHELL_ARG_PART, "part") },
        "start <part>", "start a stopped partition" },
    [SHELL_CMD_RESTART] = { "restart", 1, { ARG(SHELL_ARG_PART, "part") },
        "restart <part>", "reload a partition's image and start it again" },
    [SHELL_CMD_CONSOLE] = { "console", 1, { ARG(SHELL_ARG_PART, "part") },
        "console <part>", "give the keyboard to a partition (Ctrl-T returns)" },
    [SHELL_CMD_CPUID] = { "cpuid", 2, { ARG(SHELL_ARG_U32, "leaf"), OPT(SHELL_ARG_U32, "subleaf") },
        "cpuid <leaf> [subleaf]", "run CPUID on this CPU" },
    [SHELL_CMD_RDMSR] = { "rdmsr", 2, { ARG(SHELL_ARG_U32, "cpu"), ARG(SHELL_ARG_U32, "msr") },
        "rdmsr <cpu> <msr>", "read an MSR on one CPU" },
    [SHELL_CMD_LOG] = { "log", 1, { OPT(SHELL_ARG_LEVEL, "level") },
        "log [level]", "show or set the console log level" },
    [SHELL_CMD_DMESG] = { "dmesg", 0, { { 0 } },
        "dmesg", "print the log ring" },
    [SHELL_CMD_REBOOT] = { "reboot", 0, { { 0 } },
        "reboot", "reset the machine (asks to confirm with yes)" },
};

static const char *const area_names[SHELL_AREA_COUNT] = {
    [SHELL_AREA_GUEST] = "guest", [SHELL_AREA_HOST] = "host", [SHELL_AREA_EXEC] = "exec",
    [SHELL_AREA_EXIT] = "exit", [SHELL_AREA_ENTRY] = "entry", [SHELL_AREA_INFO] = "info",
};

static const char *const level_names[SHELL_LEVEL_COUNT] = {
    [SHELL_LEVEL_ERROR] = "error", [SHELL_LEVEL_WARN] = "warn",
    [SHELL_LEVEL_INFO] = "info", [SHELL_LEVEL_DEBUG] = "debug",
};

const char *shell_area_name(enum shell_area area)
{
    return (unsigned)area < SHELL_AREA_COUNT ? area_names[area] : "?";
}

const char *shell_level_name(enum shell_level level)
{
    return (unsigned)level < SHELL_LEVEL_COUNT ? level_names[level] : "?";
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t';
}

bool shell_is_name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_' || c == '-';
}

unsigned shell_tokenize(char *buf, char *tokens[], unsigned max)
{
    unsigned n = 0;
    char *p = buf;

    for (;;) {
        while (is_blank(*p))
            *p++ = '\0';
        if (*p == '\0')
            return n;
        if (n == max)
            return max + 1;
        tokens[n++] = p;
        while (*p != '\0' && !is_blank(*p))
            p++;
    }
}

const struct shell_command_info *shell_command_find(const char *name)
{
    for (unsigned i = 0; i < SHELL_CMD_COUNT; i++) {
        if (strcmp(shell_commands[i].name, name) == 0)
            return &shell_commands[i];
    }
    return NULL;
}

/* "guest host exec exit entry info" from a name array. */
static void join_names(char *buf, size_t size, const char *const names[], unsigned count)
{
    size_t used = 0;

    buf[0] = '\0';
    for (unsigned i = 0; i < count && used < size; i++)
        used += (size_t)fmt_snprintf(buf + used, size - used, "%s%s", i ? " " : "", names[i]);
}

static bool lookup_name(const char *word, const char *const names[], unsigned count,
                        unsigned *index)
{
    for (unsigned i = 0; i < count; i++) {
        if (strcmp(word, names[i]) == 0) {
            *index = i;
            return true;
        }
    }
    return false;
}

static bool valid_name(const char *word)
{
    if (*word == '\0')
        return false;
    for (; *word != '\0'; word++) {
        if (!shell_is_name_char(*word))
            return false;
    }
    return true;
}

/* Checks one word against its spec; on failure writes the message and returns false. */
static bool parse_arg(const struct shell_command_info *info, const struct shell_arg_spec *spec,
                      const char *word, struct shell_arg *arg, char *err, size_t errsize)
{
    char choices[64];
    unsigned index;

    arg->present = true;
    arg->text = word;
    switch (spec->kind) {
    case SHELL_ARG_PART:
        if (valid_name(word))
            return true;
        fmt_snprintf(err, errsize, "%s: bad partition name \"%s\"; usage: %s",
                     info->name, word, info->usage);
        return false;
    case SHELL_ARG_U64:
    case SHELL_ARG_U32:
        if (!cmdline_parse_u64(word, &arg->value.u64)) {
            fmt_snprintf(err, errsize, "%s: bad number \"%s\"; usage: %s",
                         info->name, word, info->usage);
            return false;
        }
        if (spec->kind == SHELL_ARG_U32 && arg->value.u64 > 0xFFFFFFFFULL) {
            fmt_snprintf(err, errsize, "%s: number \"%s\" above 0xffffffff; usage: %s",
                         info->name, word, info->usage);
            return false;
        }
        return true;
    case SHELL_ARG_AREA:
        if (lookup_name(word, area_names, SHELL_AREA_COUNT, &index)) {
            arg->value.area = (enum shell_area)index;
            return true;
        }
        join_names(choices, sizeof(choices), area_names, SHELL_AREA_COUNT);
        fmt_snprintf(err, errsize, "%s: bad area \"%s\" (%s); usage: %s",
                     info->name, word, choices, info->usage);
        return false;
    case SHELL_ARG_LEVEL:
        if (lookup_name(word, level_names, SHELL_LEVEL_COUNT, &index)) {
            arg->value.level = (enum shell_level)index;
            return true;
        }
        join_names(choices, sizeof(choices), level_names, SHELL_LEVEL_COUNT);
        fmt_snprintf(err, errsize, "%s: bad level \"%s\" (%s); usage: %s",
                     info->name, word, choices, info->usage);
        return false;
    case SHELL_ARG_COMMAND: {
        const struct shell_command_info *found = shell_command_find(word);
        if (found != NULL) {
            arg->value.cmd = (enum shell_cmd)(found - shell_commands);
            return true;
        }
        fmt_snprintf(err, errsize, "%s: unknown command \"%s\"; usage: %s",
                     info->name, word, info->usage);
        return false;
    }
    }
    fmt_snprintf(err, errsize, "%s: bad argument kind; usage: %s", info->name, info->usage);
    return false;
}

enum shell_parse_result shell_parse(const char *line, struct shell_command *out,
                                    char *err, size_t errsize)
{
    char *words[SHELL_TOKENS_MAX];
    char scratch[1];
    size_t len = strnlen(line, SHELL_LINE_MAX + 1);

    if (err == NULL || errsize == 0) {  /* keep the checks below free of NULL tests */
        err = scratch;
        errsize = sizeof(scratch);
    }
    err[0] = '\0';
    memset(out, 0, sizeof(*out));
    if (len > SHELL_LINE_MAX) {
        fmt_snprintf(err, errsize, "line too long (max %u characters)", SHELL_LINE_MAX);
        return SHELL_PARSE_ERROR;
    }
    memcpy(out->buf, line, len);
    out->buf[len] = '\0';

    unsigned n = shell_tokenize(out->buf, words, SHELL_TOKENS_MAX);
    if (n == 0)
        return SHELL_PARSE_EMPTY;

    const struct shell_command_info *info = shell_command_find(words[0]);
    if (info == NULL) {
        fmt_snprintf(err, errsize, "unknown command \"%s\"; type help", words[0]);
        return SHELL_PARSE_ERROR;
    }
    out->cmd = (enum shell_cmd)(info - shell_commands);
    if (n - 1 > info->nargs) {
        fmt_snprintf(err, errsize, "too many arguments; usage: %s", info->usage);
        return SHELL_PARSE_ERROR;
    }
    out->argc = n - 1;
    for (unsigned i = 0; i < info->nargs; i++) {
        const struct shell_arg_spec *spec = &info->args[i];
        if (i < out->argc) {
            if (!parse_arg(info, spec, words[i + 1], &out->args[i], err, errsize))
                return SHELL_PARSE_ERROR;
        } else if (!spec->optional) {
            fmt_snprintf(err, errsize, "%s: missing <%s>; usage: %s",
                         info->name, spec->name, info->usage);
            return SHELL_PARSE_ERROR;
        }
    }
    return SHELL_PARSE_OK;
}

bool shell_confirmed(const char *line)
{
    char buf[SHELL_LINE_MAX + 1];
    char *words[2];
    size_t len = strnlen(line, SHELL_LINE_MAX + 1);

    if (len > SHELL_LINE_MAX)
        return false;
    memcpy(buf, line, len);
    buf[len] = '\0';
    return shell_tokenize(buf, words, 1) == 1 && strcmp(words[0], "yes") == 0;
}
