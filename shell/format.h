/* Debug shell: output formatting (exit-cost histogram, hex dump, uptime, table rows, help). */
#ifndef SHELL_FORMAT_H
#define SHELL_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "shell/parse.h"

/* Receives one finished line, without a newline (the same shape as lib/diag.h's sink). */
typedef void (*shell_line_fn)(void *ctx, const char *line);

#define SHELL_HIST_BUCKETS      64      /* one per power of two of a uint64_t */
#define SHELL_HIST_BAR_MAX      40      /* '#' in the largest bucket's bar */
#define SHELL_HEXDUMP_BYTES     16      /* bytes per hex-dump line */
#define SHELL_HEXDUMP_LINE_MAX  96      /* a hex-dump line always fits in this */
#define SHELL_UPTIME_MAX        40      /* an uptime string always fits in this */

/* The bucket a value is counted in: i for values in [2^i, 2^(i+1)); 0 also takes 0. */
unsigned shell_hist_bucket(uint64_t value);

/* One line per non-empty bucket, smallest first, e.g. with 1234 the largest count
 *     "   64-127   1234 ########################################"
 * low bound right-aligned (width >= 5), high bound left-aligned (width >= 5), the count
 * right-aligned to the widest count, a bar of ceil(count * 40 / largest) '#'. Bucket 0 prints
 * as "0-1". Nothing is printed when every bucket is empty. nbuckets <= SHELL_HIST_BUCKETS. */
void shell_format_histogram(const uint64_t *counts, unsigned nbuckets, shell_line_fn line,
                            void *ctx);

/* One hex-dump line of n <= 16 bytes at addr:
 *     "0x00100000  48 65 6c 6c 6f 0a                                 |Hello.|"
 * the address as 0x + at least 8 hex digits, each byte " xx" (missing bytes of a short
 * line "   "), two spaces, the bytes as ASCII (non-printable as '.') between bars.
 * Returns the line's length. */
size_t shell_format_hexdump_line(char *buf, size_t size, uint64_t addr, const uint8_t *bytes,
                                 size_t n);

/* Hex dump of len bytes, 16 per line, the first line at addr. */
void shell_format_hexdump(uint64_t addr, const uint8_t *data, size_t len, shell_line_fn line,
                          void *ctx);

/* "3.456s", "2m 03.456s", "1h 02m 03.456s", "2d 01h 02m 03.456s" from microseconds
 * (truncated to milliseconds). Returns the length. */
size_t shell_format_uptime(char *buf, size_t size, uint64_t us);

struct shell_column {
    unsigned width;         /* minimum; a longer cell is printed whole and pushes the rest */
    bool right;             /* right-aligned (numbers), else left-aligned */
};

/* One table row: the cells padded to their columns, two spaces apart, no trailing spaces.
 * Returns the length. */
size_t shell_format_row(char *buf, size_t size, const struct shell_column *cols,
                        const char *const *cells, unsigned n);

/* `help`: one line per command, "  <usage padded to the longest>  <help>". */
void shell_format_help(shell_line_fn line, void *ctx);

/* `help <command>`: "usage: <usage>", "  <help>", then for area and level arguments
 * "  <name>: <the accepted words>". */
void shell_format_command_help(enum shell_cmd cmd, shell_line_fn line, void *ctx);

#endif
