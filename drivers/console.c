/* The hypervisor's console: log ring (kept for later reading) plus every attached sink. */
#include "drivers/console.h"

#include <stdarg.h>

#include "arch/x86/percpu.h"
#include "arch/x86/spinlock.h"
#include "lib/format.h"
#include "lib/string.h"

#define CONSOLE_LINE_MAX 256

static struct spinlock console_lock = SPINLOCK_INIT;
static enum log_level console_level = LOG_INFO;
static struct console_sink sinks[CONSOLE_MAX_SINKS];
static uint32_t sink_count;

/* Log ring: bytes as written, '\n' line ends; log_total counts every byte ever written. */
static char log_ring[CONSOLE_LOG_SIZE];
static uint64_t log_total;

static void write_sinks(const char *s, size_t n)
{
    for (uint32_t i = 0; i < sink_count; i++)
        if (sinks[i].write)
            sinks[i].write(sinks[i].ctx, s, n);
}

/* The shell's prompt and echo are written raw and leave the cursor mid-line; a log line
 * that arrives then starts on a fresh line instead of being glued to the prompt. */
static bool raw_line_open;

static void console_write_locked(const char *s, size_t n)
{
    if (raw_line_open && n) {
        write_sinks("\n", 1);
        raw_line_open = false;
    }
    for (size_t i = 0; i < n; i++)
        log_ring[(log_total + i) % CONSOLE_LOG_SIZE] = s[i];
    log_total += n;
    write_sinks(s, n);
}

static void console_vprintf(const char *fmt, va_list ap)
{
    char line[CONSOLE_LINE_MAX];
    int n = fmt_vsnprintf(line, sizeof(line), fmt, ap);
    size_t len = n < (int)sizeof(line) ? (size_t)n : sizeof(line) - 1;

    spin_lock(&console_lock, this_cpu_index());
    console_write_locked(line, len);
    spin_unlock(&console_lock);
}

void console_printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    console_vprintf(fmt, ap);
    va_end(ap);
}

void console_log(enum log_level level, const char *fmt, ...)
{
    va_list ap;
    if (level > console_level)
        return;
    va_start(ap, fmt);
    console_vprintf(fmt, ap);
    va_end(ap);
}

enum log_level console_level_get(void)
{
    return console_level;
}

const char *console_level_name(enum log_level level)
{
    static const char *const names[] = { "error", "warn", "info", "debug" };
    return (unsigned)level < 4 ? names[level] : "unknown";
}

void console_read_log(void (*fn)(void *ctx, const char *bytes, uint32_t n), void *ctx)
{
    /* Copy under the lock, print outside it: fn prints through the console itself. */
    static char snapshot[CONSOLE_LOG_SIZE];
    spin_lock(&console_lock, this_cpu_index());
    uint64_t start = log_total > CONSOLE_LOG_SIZE ? log_total - CONSOLE_LOG_SIZE : 0;
    uint32_t n = (uint32_t)(log_total - start);
    for (uint32_t i = 0; i < n; i++)
        snapshot[i] = log_ring[(start + i) % CONSOLE_LOG_SIZE];
    spin_unlock(&console_lock);
    for (uint32_t done = 0; done < n;) {
        uint32_t chunk = n - done < 512 ? n - done : 512;
        fn(ctx, snapshot + done, chunk);
        done += chunk;
    }
}

void console_write_raw(const char *bytes, uint32_t n)
{
    spin_lock(&console_lock, this_cpu_index());
    write_sinks(bytes, n);
    if (n)
        raw_line_open = bytes[n - 1] != '\n';
    spin_unlock(&console_lock);
}

void console_set_level(enum log_level level)
{
    console_level = level;
}

bool console_parse_level(const char *name, enum log_level *out)
{
    for (unsigned i = 0; i <= LOG_DEBUG; i++) {
        if (strcmp(name, console_level_name((enum log_level)i)) == 0) {
            *out = (enum log_level)i;
            return true;
        }
    }
    return false;
}

bool console_add_sink(const struct console_sink *sink)
{
    spin_lock(&console_lock, this_cpu_index());
    bool ok = sink_count < CONSOLE_MAX_SINKS;
    if (ok) {
        struct console_sink *s = &sinks[sink_count++];
        *s = *sink;
        s->name[CONSOLE_NAME_MAX - 1] = '\0';
        if (s->write) {
            s->write(s->ctx, "\n", 1);  /* start clean after whatever the firmware left */
            /* What was logged before this sink existed: the oldest kept bytes first, in
             * the ring's (at most) two pieces. */
            uint64_t start = log_total > CONSOLE_LOG_SIZE ? log_total - CONSOLE_LOG_SIZE : 0;
            for (uint64_t at = start; at < log_total;) {
                uint64_t offset = at % CONSOLE_LOG_SIZE;
                uint64_t piece = CONSOLE_LOG_SIZE - offset < log_total - at
                                     ? CONSOLE_LOG_SIZE - offset : log_total - at;
                s->write(s->ctx, &log_ring[offset], (size_t)piece);
                at += piece;
            }
        }
    }
    spin_unlock(&console_lock);
    return ok;
}

void console_remove_sink(const void *ctx)
{
    spin_lock(&console_lock, this_cpu_index());
    for (uint32_t i = 0; i < sink_count; i++) {
        if (sinks[i].ctx != ctx)
            continue;
        for (uint32_t j = i + 1; j < sink_count; j++)
            sinks[j - 1] = sinks[j];
        sink_count--;
        break;
    }
    spin_unlock(&console_lock);
}

void console_describe(char *buf, size_t size)
{
    size_t used = 0;
    if (size == 0)
        return;
    buf[0] = '\0';
    for (uint32_t i = 0; i < sink_count && used < size; i++)
        used += (size_t)fmt_snprintf(buf + used, size - used, "%s%s", i ? ", " : "",
                                     sinks[i].name);
    if (sink_count == 0)
        fmt_snprintf(buf, size, "none");
}

int console_getc(void)
{
    /* Unlocked: sinks are only added at boot and removed before the shell runs, and
     * only the boot CPU reads input. */
    for (uint32_t i = 0; i < sink_count; i++) {
        if (!sinks[i].getc)
            continue;
        int c = sinks[i].getc(sinks[i].ctx);
        if (c >= 0)
            return c;
    }
    return -1;
}

void console_flush(bool force)
{
    spin_lock(&console_lock, this_cpu_index());
    for (uint32_t i = 0; i < sink_count; i++)
        if (sinks[i].flush)
            sinks[i].flush(sinks[i].ctx, force);
    spin_unlock(&console_lock);
}

void console_emergency(void)
{
    if (console_lock.owner == this_cpu_index())
        spin_unlock(&console_lock);
}

void console_line_sink(void *ctx, const char *line)
{
    (void)ctx;
    console_printf("%s\n", line);
}
