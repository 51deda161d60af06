/* Diagnostics sink: how pure modules (parsers, allocators, validators) report
 * problems without knowing about the console, so host tests can capture them. */
#ifndef LIB_DIAG_H
#define LIB_DIAG_H

typedef void (*diag_fn)(void *ctx, const char *line);

struct diag {
    diag_fn fn;   /* receives one finished line, no trailing newline; may be NULL */
    void *ctx;
};

/* Formats one line (at most DIAG_LINE_MAX - 1 characters) and passes it to d->fn.
 * d may be NULL, then nothing is reported. */
#define DIAG_LINE_MAX 192
void diag_report(const struct diag *d, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
