/* The hypervisor's command line: space-separated words "key" or "key=value". */
#ifndef LIB_CMDLINE_H
#define LIB_CMDLINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Finds the last word whose key is `key` (later words override earlier ones,
 * as on Linux). Copies its value ("" for a bare key) into value[size] and
 * returns true; returns false when the key is absent or the value does not
 * fit (value is then ""). cmdline may be NULL. */
bool cmdline_get(const char *cmdline, const char *key, char *value, size_t size);

/* Parses a whole string as an unsigned number: decimal, or hex with 0x.
 * False on empty input, stray characters or overflow. */
bool cmdline_parse_u64(const char *s, uint64_t *out);

/* A GRUB module string "name word word...": when its first word is `name`, returns the
 * rest with leading blanks skipped ("" when there is none); otherwise NULL. */
const char *cmdline_module_args(const char *module_string, const char *name);

#endif
