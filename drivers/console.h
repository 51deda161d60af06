/* The hypervisor's console: every line goes into an in-memory log ring and to every output
 * sink attached (serial ports, the screen); input is read from every sink that has any
 * (serial ports, the keyboard). */
#ifndef DRIVERS_CONSOLE_H
#define DRIVERS_CONSOLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum log_level { LOG_ERROR, LOG_WARN, LOG_INFO, LOG_DEBUG };

#define CONSOLE_BAUD        115200
#define CONSOLE_LOG_SIZE    (64 * 1024)
#define CONSOLE_MAX_SINKS   8
#define CONSOLE_NAME_MAX    48

/* One console device. Bytes are text as the log holds it: "\n" ends a line (a serial sink
 * adds the CR), the shell's echo adds BS, CR and BEL. Called with the console lock held. */
struct console_sink {
    void (*write)(void *ctx, const char *bytes, size_t n);  /* NULL: input only */
    int (*getc)(void *ctx);                                 /* a byte or -1; NULL: output only */
    /* Optional: a sink that defers slow output (a screen redraw) catches up here, when it
     * is due or, with force, at once. */
    void (*flush)(void *ctx, bool force);
    void *ctx;
    char name[CONSOLE_NAME_MAX];    /* for the boot log: "serial 0x3f8 (COM1)", "keyboard" */
};

/* Adds a sink (copied) and replays everything logged so far to it, oldest kept bytes first.
 * False when CONSOLE_MAX_SINKS are attached already. */
bool console_add_sink(const struct console_sink *sink);
/* Takes the sink with this ctx out (a keyboard a partition was given). */
void console_remove_sink(const void *ctx);
/* The attached sinks' names, comma-separated ("none" when there is none). */
void console_describe(char *buf, size_t size);

void console_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Lets every deferring sink catch up: the console service calls it every round (force
 * false: each sink keeps its own pace), the exception path before it halts (force true). */
void console_flush(bool force);
/* One finished line (no newline) to the console: the sink of lib/diag.h reports and of
 * every report_line_fn, so no caller needs a copy of its own. ctx is unused. */
void console_line_sink(void *ctx, const char *line);
/* Like console_printf, only when the log level is at least `level`. */
void console_log(enum log_level level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void console_set_level(enum log_level level);
/* Parses "error", "warn", "info", "debug"; false for anything else. */
bool console_parse_level(const char *name, enum log_level *out);

enum log_level console_level_get(void);
const char *console_level_name(enum log_level level);

/* Hands the log ring's contents, oldest first, to fn in chunks (for `dmesg`). The ring
 * keeps the last CONSOLE_LOG_SIZE bytes, so early boot lines can be read later. */
void console_read_log(void (*fn)(void *ctx, const char *bytes, uint32_t n), void *ctx);
/* Writes raw bytes to every sink (shell echo; not kept in the log). */
void console_write_raw(const char *bytes, uint32_t n);

/* A received byte from the first sink that has one, or -1. */
int console_getc(void);

/* Called by the exception path: if this CPU holds the console lock (it faulted
 * while printing), take it over so the report still comes out. */
void console_emergency(void);

#endif
