/* Diagnostics sink: formats a line and hands it to whoever listens. */
#include "lib/diag.h"

#include "lib/format.h"

void diag_report(const struct diag *d, const char *fmt, ...)
{
    char line[DIAG_LINE_MAX];
    va_list ap;

    if (!d || !d->fn)
        return;
    va_start(ap, fmt);
    fmt_vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    d->fn(d->ctx, line);
}
