/* Debug shell: the command table and the parser that turns one typed line into a checked command. */
#ifndef SHELL_PARSE_H
#define SHELL_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SHELL_LINE_MAX      128     /* characters in a line, without the NUL */
#define SHELL_TOKENS_MAX    8       /* words in a line, the command included */
#define SHELL_ARGS_MAX      3       /* arguments the longest command takes (mem) */
#define SHELL_ERROR_MAX     256     /* an error buffer this large never truncates */

/* One entry per command, in the order `help` lists them. The runtime maps each to its handler. */
enum shell_cmd {
    SHELL_CMD_HELP,
    SHELL_CMD_VERSION,
    SHELL_CMD_UPTIME,
    SHELL_CMD_LATENCY,
    SHELL_CMD_CPUS,
    SHELL_CMD_PARTS,
    SHELL_CMD_VMCS,
    SHELL_CMD_REGS,
    SHELL_CMD_EXITS,
    SHELL_CMD_VERIFY,
    SHELL_CMD_EPT,
    SHELL_CMD_MEM,
    SHELL_CMD_SCREEN,
    SHELL_CMD_STOP,
    SHELL_CMD_START,
    SHELL_CMD_RESTART,
    SHELL_CMD_CONSOLE,
    SHELL_CMD_CPUID,
    SHELL_CMD_RDMSR,
    SHELL_CMD_LOG,
    SHELL_CMD_DMESG,
    SHELL_CMD_REBOOT,
    SHELL_CMD_COUNT
};

enum shell_arg_kind {
    SHELL_ARG_PART,     /* partition name: [A-Za-z0-9_-]+, existence checked by the runtime */
    SHELL_ARG_U64,      /* decimal or 0x hex */
    SHELL_ARG_U32,      /* as U64, at most 0xffffffff (CPUID leaves, MSR indices, CPU numbers) */
    SHELL_ARG_AREA,     /* a VMCS area name */
    SHELL_ARG_LEVEL,    /* a log level name */
    SHELL_ARG_COMMAND   /* a command name (help's argument) */
};

/* VMCS areas in the order of the dump (SDM Vol. 3C, 25.3-25.9). */
enum shell_area {
    SHELL_AREA_GUEST,
    SHELL_AREA_HOST,
    SHELL_AREA_EXEC,
    SHELL_AREA_EXIT,
    SHELL_AREA_ENTRY,
    SHELL_AREA_INFO,
    SHELL_AREA_COUNT
};

/* Same order and meaning as enum log_level in drivers/console.h. */
enum shell_level {
    SHELL_LEVEL_ERROR,
    SHELL_LEVEL_WARN,
    SHELL_LEVEL_INFO,
    SHELL_LEVEL_DEBUG,
    SHELL_LEVEL_COUNT
};

struct shell_arg_spec {
    enum shell_arg_kind kind;
    const char *name;       /* as in the usage: "gpa" prints as <gpa> or [gpa] */
    bool optional;          /* optional arguments come last */
};

struct shell_command_info {
    const char *name;
    unsigned nargs;
    struct shell_arg_spec args[SHELL_ARGS_MAX];
    const char *usage;      /* "vmcs <part> [area]", generated-equal to name + args (unit test) */
    const char *help;       /* one line, lower case, no full stop */
};

/* Indexed by enum shell_cmd. */
extern const struct shell_command_info shell_commands[SHELL_CMD_COUNT];

struct shell_arg {
    bool present;           /* false for an optional argument that was left out */
    const char *text;       /* the word as typed, pointing into shell_command.buf */
    union {
        uint64_t u64;       /* SHELL_ARG_U64, SHELL_ARG_U32 */
        enum shell_area area;
        enum shell_level level;
        enum shell_cmd cmd; /* SHELL_ARG_COMMAND */
    } value;
};

/* A parsed line. It points into itself (args[].text → buf): pass it by pointer, never copy it. */
struct shell_command {
    enum shell_cmd cmd;
    unsigned argc;          /* arguments given, 0..nargs */
    struct shell_arg args[SHELL_ARGS_MAX];
    char buf[SHELL_LINE_MAX + 1];
};

enum shell_parse_result {
    SHELL_PARSE_EMPTY,      /* blank line: nothing to run, no message */
    SHELL_PARSE_OK,         /* *out holds a command whose arguments passed every check */
    SHELL_PARSE_ERROR       /* err holds one line, no newline */
};

/* Splits buf in place at spaces and tabs. Returns the number of words (at most max, the
 * rest is not split), or max + 1 when there were more words than max. */
unsigned shell_tokenize(char *buf, char *tokens[], unsigned max);

enum shell_parse_result shell_parse(const char *line, struct shell_command *out,
                                    char *err, size_t errsize);

/* The command called name, or NULL. */
const struct shell_command_info *shell_command_find(const char *name);

const char *shell_area_name(enum shell_area area);
const char *shell_level_name(enum shell_level level);

/* True when line says exactly "yes" (spaces around allowed): the answer `reboot` waits for. */
bool shell_confirmed(const char *line);

/* Words a SHELL_ARG_PART argument may contain. */
bool shell_is_name_char(char c);

#endif
