/* Freestanding formatted printing: a subset of C's printf, shared by the console and the host tests. */
#ifndef LIB_FORMAT_H
#define LIB_FORMAT_H

#include <stdarg.h>
#include <stddef.h>

/* Conversions: %d %i %u %x %X %o %c %s %p %%, with the flags '-' '0',
 * a field width (number or '*'), a precision for %s, and the length
 * modifiers hh h l ll z. Output is always NUL-terminated when size > 0;
 * the return value is the length the full output would have had. */
int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
