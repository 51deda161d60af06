/* The hypervisor's console: log ring (kept for later reading) plus the serial port. */
#include "drivers/console.h"

#include <stdarg.h>

#include "arch/x86/percpu.h"
#include "arch/x86/spinlock.h"
#include "drivers/uart.h"
#include "lib/format.h"
#include "lib/string.h"

#define CONSOLE_LINE_MAX 256

static struct spinlock console_lock = SPINLOCK_INIT;
static struct uart console_uart;
static enum log_level console_level = LOG_INFO;

/* Log ring: bytes as written, '\n' line ends; log_total counts every byte ever written. */
static char log_ring[CONSOLE_LOG_SIZE];
static uint64_t log_total;

static void uart_write(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\n')
            uart_putc(&console_uart, '\r');
        uart_putc(&console_uart, s[i]);
    }
}

/* The shell's prompt and echo are written raw and leave the cursor mid-line; a log line
 * that arrives then starts on a fresh line instead of being glued to the prompt. */
static bool raw_line_open;

static void console_write_locked(const char *s, size_t n)
{
    if (raw_line_open && n) {
        uart_write("\n", 1);
        raw_line_open = false;
    }
    for (size_t i = 0; i < n; i++)
        log_ring[(log_total + i) % CONSOLE_LOG_SIZE] = s[i];
    log_total += n;
    uart_write(s, n);
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
    for (uint32_t i = 0; i < n; i++)
        uart_putc(&console_uart, bytes[i]);
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

bool console_attach_uart(uint16_t base)
{
    spin_lock(&console_lock, this_cpu_index());
    bool ok = uart_init(&console_uart, base, CONSOLE_BAUD);
    if (ok) {
        uart_write("\n", 1);   /* start clean after whatever the firmware or loader left */
        /* Replay what was logged before the port was known (oldest kept bytes first). */
        uint64_t start = log_total > CONSOLE_LOG_SIZE ? log_total - CONSOLE_LOG_SIZE : 0;
        for (uint64_t i = start; i < log_total; i++)
            uart_write(&log_ring[i % CONSOLE_LOG_SIZE], 1);
    }
    spin_unlock(&console_lock);
    return ok;
}

uint16_t console_uart_base(void)
{
    return console_uart.present ? console_uart.base : 0;
}

int console_getc(void)
{
    return uart_getc(&console_uart);
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
