/* Guest console: lines written byte by byte to COM1's THR, polling LSR before
 * each byte (16550: LSR bit 5 "THR empty"), as a guest without a driver would. */
#include "guest/images/common/guest_lib.h"

#include <stdarg.h>

#include "lib/format.h"

#define LINE_MAX            160
#define LSR_POLL_LIMIT      100000  /* then write anyway: a stuck LSR must not hang the guest */

static void com1_put(char c)
{
    for (uint32_t i = 0; i < LSR_POLL_LIMIT; i++) {
        if (inb(TESSERA_COM1_LSR) & TESSERA_COM1_LSR_THR_EMPTY)
            break;
        guest_pause();
    }
    outb(TESSERA_COM1_THR, (uint8_t)c);
}

void guest_write(const char *bytes, size_t length)
{
    for (size_t i = 0; i < length; i++)
        com1_put(bytes[i]);
}

void guest_print(const char *fmt, ...)
{
    char line[LINE_MAX];
    va_list ap;

    va_start(ap, fmt);
    fmt_vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    for (const char *p = line; *p; p++)
        com1_put(*p);
    com1_put('\n');     /* '\n' alone: the hypervisor ends its line there */
}
