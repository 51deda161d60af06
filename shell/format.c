/* Debug shell: output formatting into caller buffers or one line at a time through a callback. */
#include "shell/format.h"

#include "lib/format.h"
#include "lib/string.h"

#define LINE_MAX_CHARS 160

static void emit(shell_line_fn line, void *ctx, const char *text)
{
    if (line != NULL)
        line(ctx, text);
}

/* fmt_snprintf's result clipped to what the buffer holds. */
static size_t clip(int wanted, size_t size)
{
    if (wanted < 0 || size == 0)
        return 0;
    return (size_t)wanted < size ? (size_t)wanted : size - 1;
}

static unsigned digits(uint64_t v)
{
    unsigned n = 1;
    while (v >= 10) {
        v /= 10;
        n++;
    }
    return n;
}

/* ---- histogram ---------------------------------------------------------------------- */

unsigned shell_hist_bucket(uint64_t value)
{
    unsigned i = 0;
    while (value > 1) {
        value >>= 1;
        i++;
    }
    return i;
}

static uint64_t bucket_low(unsigned i)
{
    return i == 0 ? 0 : 1ULL << i;
}

static uint64_t bucket_high(unsigned i)
{
    return i >= 63 ? UINT64_MAX : (1ULL << (i + 1)) - 1;
}

/* '#' for count against the largest count: ceil(count * 40 / largest), so every non-empty
 * bucket shows at least one. */
static unsigned bar_length(uint64_t count, uint64_t largest)
{
    if (count == 0 || largest == 0)
        return 0;
    if (largest > UINT64_MAX / SHELL_HIST_BAR_MAX) {    /* keep count * 40 from wrapping */
        uint64_t unit = largest / SHELL_HIST_BAR_MAX;
        uint64_t n = count / unit;
        return (unsigned)(n == 0 ? 1 : n > SHELL_HIST_BAR_MAX ? SHELL_HIST_BAR_MAX : n);
    }
    return (unsigned)((count * SHELL_HIST_BAR_MAX + largest - 1) / largest);
}

void shell_format_histogram(const uint64_t *counts, unsigned nbuckets, shell_line_fn line,
                            void *ctx)
{
    unsigned low_w = 5, high_w = 5, count_w = 1;
    uint64_t largest = 0;
    char bar[SHELL_HIST_BAR_MAX + 1];
    char text[LINE_MAX_CHARS];

    if (nbuckets > SHELL_HIST_BUCKETS)
        nbuckets = SHELL_HIST_BUCKETS;
    for (unsigned i = 0; i < nbuckets; i++) {
        if (counts[i] == 0)
            continue;
        if (digits(bucket_low(i)) > low_w)
            low_w = digits(bucket_low(i));
        if (digits(bucket_high(i)) > high_w)
            high_w = digits(bucket_high(i));
        if (digits(counts[i]) > count_w)
            count_w = digits(counts[i]);
        if (counts[i] > largest)
            largest = counts[i];
    }
    for (unsigned i = 0; i < nbuckets; i++) {
        if (counts[i] == 0)
            continue;
        unsigned n = bar_length(counts[i], largest);
        memset(bar, '#', n);
        bar[n] = '\0';
        fmt_snprintf(text, sizeof(text), "%*llu-%-*llu %*llu %s",
                     (int)low_w, (unsigned long long)bucket_low(i),
                     (int)high_w, (unsigned long long)bucket_high(i),
                     (int)count_w, (unsigned long long)counts[i], bar);
        emit(line, ctx, text);
    }
}

/* ---- hex dump ----------------------------------------------------------------------- */

size_t shell_format_hexdump_line(char *buf, size_t size, uint64_t addr, const uint8_t *bytes,
                                 size_t n)
{
    char text[SHELL_HEXDUMP_LINE_MAX];
    char ascii[SHELL_HEXDUMP_BYTES + 1];
    size_t used;

    if (n > SHELL_HEXDUMP_BYTES)
        n = SHELL_HEXDUMP_BYTES;
    used = clip(fmt_snprintf(text, sizeof(text), "0x%08llx ", (unsigned long long)addr),
                sizeof(text));
    for (size_t i = 0; i < SHELL_HEXDUMP_BYTES; i++) {
        if (i < n) {
            used += clip(fmt_snprintf(text + used, sizeof(text) - used, " %02x", bytes[i]),
                         sizeof(text) - used);
            ascii[i] = bytes[i] >= 0x20 && bytes[i] < 0x7F ? (char)bytes[i] : '.';
        } else {
            used += clip(fmt_snprintf(text + used, sizeof(text) - used, "   "),
                         sizeof(text) - used);
        }
    }
    ascii[n] = '\0';
    fmt_snprintf(text + used, sizeof(text) - used, "  |%s|", ascii);
    return clip(fmt_snprintf(buf, size, "%s", text), size);
}

void shell_format_hexdump(uint64_t addr, const uint8_t *data, size_t len, shell_line_fn line,
                          void *ctx)
{
    char text[SHELL_HEXDUMP_LINE_MAX];

    for (size_t off = 0; off < len; off += SHELL_HEXDUMP_BYTES) {
        size_t n = len - off < SHELL_HEXDUMP_BYTES ? len - off : SHELL_HEXDUMP_BYTES;
        shell_format_hexdump_line(text, sizeof(text), addr + off, data + off, n);
        emit(line, ctx, text);
    }
}

/* ---- uptime ------------------------------------------------------------------------- */

size_t shell_format_uptime(char *buf, size_t size, uint64_t us)
{
    uint64_t ms = us / 1000;
    unsigned millis = (unsigned)(ms % 1000);
    uint64_t s = ms / 1000;
    unsigned secs = (unsigned)(s % 60);
    unsigned mins = (unsigned)(s / 60 % 60);
    unsigned hours = (unsigned)(s / 3600 % 24);
    unsigned long long days = (unsigned long long)(s / 86400);
    int n;

    if (days > 0)
        n = fmt_snprintf(buf, size, "%llud %02uh %02um %02u.%03us", days, hours, mins, secs,
                         millis);
    else if (hours > 0)
        n = fmt_snprintf(buf, size, "%uh %02um %02u.%03us", hours, mins, secs, millis);
    else if (mins > 0)
        n = fmt_snprintf(buf, size, "%um %02u.%03us", mins, secs, millis);
    else
        n = fmt_snprintf(buf, size, "%u.%03us", secs, millis);
    return clip(n, size);
}

/* ---- table rows --------------------------------------------------------------------- */

size_t shell_format_row(char *buf, size_t size, const struct shell_column *cols,
                        const char *const *cells, unsigned n)
{
    size_t used = 0;

    if (size == 0)
        return 0;
    buf[0] = '\0';
    for (unsigned i = 0; i < n && used < size; i++) {
        const char *cell = cells[i] != NULL ? cells[i] : "";
        int width = (int)cols[i].width;
        used += clip(fmt_snprintf(buf + used, size - used, cols[i].right ? "%s%*s" : "%s%-*s",
                                  i ? "  " : "", width, cell), size - used);
    }
    while (used > 0 && buf[used - 1] == ' ')
        used--;
    buf[used] = '\0';
    return used;
}

/* ---- help --------------------------------------------------------------------------- */

void shell_format_help(shell_line_fn line, void *ctx)
{
    char text[LINE_MAX_CHARS];
    int width = 0;

    for (unsigned i = 0; i < SHELL_CMD_COUNT; i++) {
        int len = (int)strlen(shell_commands[i].usage);
        if (len > width)
            width = len;
    }
    for (unsigned i = 0; i < SHELL_CMD_COUNT; i++) {
        fmt_snprintf(text, sizeof(text), "  %-*s  %s", width, shell_commands[i].usage,
                     shell_commands[i].help);
        emit(line, ctx, text);
    }
}

void shell_format_command_help(enum shell_cmd cmd, shell_line_fn line, void *ctx)
{
    char text[LINE_MAX_CHARS];

    if ((unsigned)cmd >= SHELL_CMD_COUNT)
        return;
    const struct shell_command_info *info = &shell_commands[cmd];
    fmt_snprintf(text, sizeof(text), "usage: %s", info->usage);
    emit(line, ctx, text);
    fmt_snprintf(text, sizeof(text), "  %s", info->help);
    emit(line, ctx, text);
    for (unsigned a = 0; a < info->nargs; a++) {
        const struct shell_arg_spec *spec = &info->args[a];
        unsigned count = spec->kind == SHELL_ARG_AREA ? SHELL_AREA_COUNT
                       : spec->kind == SHELL_ARG_LEVEL ? SHELL_LEVEL_COUNT : 0;
        if (count == 0)
            continue;
        size_t used = clip(fmt_snprintf(text, sizeof(text), "  %s:", spec->name), sizeof(text));
        for (unsigned i = 0; i < count; i++) {
            const char *word = spec->kind == SHELL_ARG_AREA ? shell_area_name((enum shell_area)i)
                                                            : shell_level_name((enum shell_level)i);
            used += clip(fmt_snprintf(text + used, sizeof(text) - used, " %s", word),
                         sizeof(text) - used);
        }
        emit(line, ctx, text);
    }
}
