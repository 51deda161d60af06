/* Console discovery at boot: serial ports (command line, ACPI SPCR, PCI class 07h/00h), the framebuffer, the PS/2 keyboard. */
#include "drivers/console_setup.h"

#include "arch/x86/paging.h"
#include "drivers/acpi.h"
#include "drivers/acpi_spcr.h"
#include "drivers/console.h"
#include "drivers/keyboard.h"
#include "drivers/pci.h"
#include "drivers/pci_serial.h"
#include "drivers/screen.h"
#include "drivers/uart.h"
#include "lib/cmdline.h"
#include "lib/format.h"
#include "lib/string.h"

#define REPORT_LINES        12
#define PCI_SERIAL_MAX      2
#define UART_MMIO_SPAN      0x1000      /* one page covers eight 32-bit registers */

struct serial_console {
    struct uart uart;
    bool after_cr;                  /* the last byte written was CR: LF needs none added */
    char line[96];                  /* its boot log line */
};

static struct serial_console serials[CONSOLE_SERIAL_MAX];
static uint32_t serial_count;
static struct console_sink screen_sink;
static bool screen_found, keyboard_found;

/* Lines logged by console_setup_report: the console does not exist while they arise. */
static char report_lines[REPORT_LINES][DIAG_LINE_MAX];
static uint32_t report_count;

static void keep_report(void *ctx, const char *line)
{
    (void)ctx;
    if (report_count < REPORT_LINES)
        fmt_snprintf(report_lines[report_count++], DIAG_LINE_MAX, "%s", line);
}

static const struct diag setup_diag = { keep_report, 0 };

static void serial_write(void *ctx, const char *bytes, size_t n)
{
    struct serial_console *s = ctx;
    for (size_t i = 0; i < n; i++) {
        if (bytes[i] == '\n' && !s->after_cr)
            uart_putc(&s->uart, '\r');
        uart_putc(&s->uart, bytes[i]);
        s->after_cr = bytes[i] == '\r';
    }
}

static int serial_getc(void *ctx)
{
    return uart_getc(&((struct serial_console *)ctx)->uart);
}

static const char *com_name(uint64_t port)
{
    switch (port) {
    case UART_COM1: return "COM1";
    case UART_COM2: return "COM2";
    case UART_COM3: return "COM3";
    case UART_COM4: return "COM4";
    default:        return NULL;
    }
}

/* "0x3f8" or "mmio32 0xfe030000". */
static void describe_uart(char *buf, size_t size, enum uart_access access, uint64_t base)
{
    static const char *const kinds[] = { "", "mmio8 ", "mmio32 " };
    fmt_snprintf(buf, size, "%s0x%llx", kinds[access], (unsigned long long)base);
}

/* Attaches one UART unless it is attached already; origin names where it came from
 * ("COM1", "SPCR", "PCI 00:03.0"). */
static void add_serial(enum uart_access access, uint64_t base, uint32_t baud, uint32_t clock_hz,
                       const char *origin)
{
    char where[32];
    describe_uart(where, sizeof(where), access, base);
    for (uint32_t i = 0; i < serial_count; i++)
        if (serials[i].uart.access == access && serials[i].uart.base == base)
            return;
    if (serial_count == CONSOLE_SERIAL_MAX) {
        diag_report(&setup_diag, "console: uart %s (%s): more than %u serial consoles, not used",
                    where, origin, CONSOLE_SERIAL_MAX);
        return;
    }
    struct serial_console *s = &serials[serial_count];
    if (!uart_init_at(&s->uart, access, base, baud, clock_hz)) {
        diag_report(&setup_diag, "console: uart %s (%s): no UART answers", where, origin);
        return;
    }
    serial_count++;
    char origin_note[32] = "";      /* COM ports keep the line the tests have always read */
    if (access != UART_ACCESS_IO || !com_name(base))
        fmt_snprintf(origin_note, sizeof(origin_note), " (%s)", origin);
    if (s->uart.baud)
        fmt_snprintf(s->line, sizeof(s->line), "console: uart %s %u 8N1%s", where, s->uart.baud,
                     origin_note);
    else
        fmt_snprintf(s->line, sizeof(s->line), "console: uart %s, line settings as the "
                     "firmware left them%s", where, origin_note);
    struct console_sink sink = { .write = serial_write, .getc = serial_getc, .ctx = s };
    fmt_snprintf(sink.name, sizeof(sink.name), "serial %s (%s)", where, origin);
    console_add_sink(&sink);
}

/* `console=com1..com4` or `console=0x2f8`; COM1 when absent or unusable. */
static uint16_t port_from_cmdline(const char *cmdline)
{
    static const char *const names[] = { "com1", "com2", "com3", "com4" };
    static const uint16_t ports[] = { UART_COM1, UART_COM2, UART_COM3, UART_COM4 };
    char value[16];
    uint64_t port;

    if (!cmdline_get(cmdline, "console", value, sizeof(value)))
        return UART_COM1;
    for (unsigned i = 0; i < 4; i++)
        if (strcmp(value, names[i]) == 0)
            return ports[i];
    if (cmdline_parse_u64(value, &port) && port > 0 && port <= 0xFFF8)
        return (uint16_t)port;
    diag_report(&setup_diag, "console: \"%s\" is not com1-com4 or an I/O port; using com1", value);
    return UART_COM1;
}

/* The UART the firmware's SPCR table names, if it names one this driver can run. */
static bool find_spcr(const struct mb2_info *info, struct spcr_uart *spcr)
{
    uint32_t length = 0;
    const uint8_t *table = acpi_find_table_quietly(info, "SPCR", &length);

    return table && spcr_parse(table, length, spcr, &setup_diag);
}

/* When the command line names no port and the firmware redirects its console to this very
 * port, its baud rate is the one the terminal on the other end expects. */
static void add_cmdline_serial(const char *cmdline, const struct spcr_uart *spcr)
{
    uint16_t port = port_from_cmdline(cmdline);
    const char *com = com_name(port);
    char value[16];
    bool firmware_baud = spcr && spcr->io && spcr->address == port && spcr->baud &&
                         !cmdline_get(cmdline, "console", value, sizeof(value));

    add_serial(UART_ACCESS_IO, port, firmware_baud ? spcr->baud : CONSOLE_BAUD,
               firmware_baud ? spcr->clock_hz : UART_CLOCK_HZ, com ? com : "console=");
}

static void add_spcr_serial(const struct spcr_uart *spcr)
{
    enum uart_access access = spcr->io ? UART_ACCESS_IO
                              : spcr->register_bytes == 4 ? UART_ACCESS_MMIO32 : UART_ACCESS_MMIO8;
    if (!spcr->io && !paging_map_device(spcr->address, UART_MMIO_SPAN, PAGING_UNCACHED)) {
        diag_report(&setup_diag, "acpi: SPCR: MMIO 0x%llx cannot be mapped",
                    (unsigned long long)spcr->address);
        return;
    }
    add_serial(access, spcr->address, spcr->baud, spcr->clock_hz, "SPCR");
}

static uint32_t config_read(void *ctx, uint8_t bus, uint8_t device, uint8_t function,
                            uint8_t offset)
{
    (void)ctx;
    return pci_config_read32(bus, device, function, offset);
}

static void add_pci_serials(void)
{
    struct pci_serial cards[PCI_SERIAL_MAX];
    uint32_t found = pci_serial_find(config_read, 0, cards, PCI_SERIAL_MAX, &setup_diag);

    for (uint32_t i = 0; i < found; i++) {
        const struct pci_serial *c = &cards[i];
        char origin[24];
        fmt_snprintf(origin, sizeof(origin), "PCI %02x:%02x.%u", c->bus, c->device, c->function);
        if (c->command_enable) {
            uint16_t command = (uint16_t)pci_config_read32(c->bus, c->device, c->function,
                                                           PCI_CONFIG_COMMAND);
            pci_config_write16(c->bus, c->device, c->function, PCI_CONFIG_COMMAND,
                               command | c->command_enable);
        }
        if (!c->io && !paging_map_device(c->address, UART_MMIO_SPAN, PAGING_UNCACHED)) {
            diag_report(&setup_diag, "console: uart mmio8 0x%llx (%s): cannot be mapped",
                        (unsigned long long)c->address, origin);
            continue;
        }
        /* The card's clock is its own business: 1.8432 MHz is the common one; a card
         * with another keeps working at a different baud rate, which the line says. */
        add_serial(c->io ? UART_ACCESS_IO : UART_ACCESS_MMIO8, c->address, CONSOLE_BAUD,
                   UART_CLOCK_HZ, origin);
    }
}

void console_setup(const struct mb2_info *info)
{
    struct spcr_uart spcr;
    bool have_spcr = find_spcr(info, &spcr);
    add_cmdline_serial(info->cmdline, have_spcr ? &spcr : NULL);
    if (have_spcr)
        add_spcr_serial(&spcr);
    add_pci_serials();
    char screen[8];
    bool screen_off = cmdline_get(info->cmdline, "screen", screen, sizeof(screen)) &&
                      strcmp(screen, "off") == 0;
    if (info->framebuffer.present && !screen_off &&
        screen_init(info, &screen_sink, &setup_diag)) {
        screen_found = true;
        console_add_sink(&screen_sink);
    }
    if (keyboard_init()) {
        struct console_sink keys = { .getc = keyboard_getc, .ctx = &keyboard_found,
                                     .name = "keyboard" };
        keyboard_found = console_add_sink(&keys);
    }
}

void console_setup_report(void)
{
    char summary[CONSOLE_MAX_SINKS * CONSOLE_NAME_MAX];
    console_describe(summary, sizeof(summary));
    console_printf("console: %s\n", summary);
    for (uint32_t i = 0; i < serial_count; i++)
        console_printf("%s\n", serials[i].line);
    if (screen_found)
        console_printf("console: %s\n", screen_details());
    if (keyboard_found)
        console_printf("console: keyboard %s\n", keyboard_describe());
    for (uint32_t i = 0; i < report_count; i++)
        console_printf("%s\n", report_lines[i]);
}

uint32_t console_serial_ports(uint16_t *ports, uint32_t max)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < serial_count && n < max; i++)
        if (serials[i].uart.access == UART_ACCESS_IO)
            ports[n++] = (uint16_t)serials[i].uart.base;
    return n;
}

void console_keyboard_release(const char *partition)
{
    if (!keyboard_found)
        return;
    console_remove_sink(&keyboard_found);
    keyboard_found = false;
    console_printf("console: keyboard left to partition %s (it is granted the i8042)\n",
                   partition);
}
