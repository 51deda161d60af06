/* Finding 16550-compatible PCI serial controllers (PCI Local Bus 3.0, 6.1 and 6.2.5; class codes from the PCI Code and ID Assignment specification). */
#include "drivers/pci_serial.h"

#include <stdarg.h>

#include "lib/format.h"

#define OFF_ID              0x00    /* vendor 15:0, device 31:16 */
#define OFF_CLASS           0x08    /* revision 7:0, prog-if 15:8, subclass 23:16, class 31:24 */
#define OFF_HEADER          0x0C    /* header type in bits 23:16 */
#define OFF_BAR0            0x10
#define OFF_BAR1            0x14
#define HEADER_MULTI_FUNCTION   0x80
#define HEADER_TYPE_MASK        0x7F
#define NO_DEVICE               0xFFFF
#define BAR_IO                  0x1
#define BAR_MEM_TYPE(bar)       (((bar) >> 1) & 3)
#define BAR_MEM_64              2
#define BAR_MEM_RESERVED        3
#define IO_PORT_LIMIT           0x10000u
#define UART_PORTS              8

struct scan {
    pci_read32_fn read;
    void *ctx;
    const struct diag *d;
    struct pci_serial *out;
    uint32_t max, found;
};

/* Every report names the function the same way, then says why it is skipped. */
__attribute__((format(printf, 3, 4)))
static void skip(const struct scan *s, const struct pci_serial *f, const char *fmt, ...)
{
    char why[96];
    va_list ap;

    va_start(ap, fmt);
    fmt_vsnprintf(why, sizeof(why), fmt, ap);
    va_end(ap);
    diag_report(s->d, "pci: %02x:%02x.%u [%04x:%04x]: serial controller: %s", f->bus,
                f->device, f->function, f->vendor, f->device_id, why);
}

/* Reads BAR0 into f; false (reported) when it is not usable. */
static bool read_bar0(const struct scan *s, struct pci_serial *f)
{
    uint32_t bar = s->read(s->ctx, f->bus, f->device, f->function, OFF_BAR0);

    if (bar & BAR_IO) {
        f->io = true;
        f->address = bar & ~3u;
        if (f->address != 0 && f->address <= IO_PORT_LIMIT - UART_PORTS)
            return true;
        skip(s, f, "BAR0 I/O 0x%llx not assigned", (unsigned long long)f->address);
        return false;
    }
    if (BAR_MEM_TYPE(bar) == BAR_MEM_RESERVED) {
        skip(s, f, "BAR0 memory type %u reserved", BAR_MEM_RESERVED);
        return false;
    }
    f->address = bar & ~0xFu;
    if (BAR_MEM_TYPE(bar) == BAR_MEM_64)
        f->address |= (uint64_t)s->read(s->ctx, f->bus, f->device, f->function, OFF_BAR1) << 32;
    if (f->address != 0)
        return true;
    skip(s, f, "BAR0 memory not assigned");
    return false;
}

/* Decides BAR0 and the command bit for a function already known to be a 16550. */
static void consider(struct scan *s, struct pci_serial *f, uint32_t header)
{
    if ((header >> 16 & HEADER_TYPE_MASK) != 0) {
        skip(s, f, "header type %u, not a device", header >> 16 & HEADER_TYPE_MASK);
        return;
    }
    if (!read_bar0(s, f))
        return;
    uint16_t command = (uint16_t)s->read(s->ctx, f->bus, f->device, f->function,
                                         PCI_CONFIG_COMMAND);
    uint16_t needed = f->io ? PCI_COMMAND_IO : PCI_COMMAND_MEMORY;
    f->command_enable = (command & needed) ? 0 : needed;
    if (s->found < s->max)
        s->out[s->found] = *f;
    s->found++;
}

static void scan_function(struct scan *s, uint8_t bus, uint8_t device, uint8_t function,
                          uint32_t id, uint32_t header)
{
    uint32_t class = s->read(s->ctx, bus, device, function, OFF_CLASS);
    if ((class >> 24) != PCI_CLASS_SERIAL || ((class >> 16) & 0xFF) != PCI_SUBCLASS_16550)
        return;
    struct pci_serial f = { .bus = bus, .device = device, .function = function,
                            .vendor = (uint16_t)id, .device_id = (uint16_t)(id >> 16),
                            .prog_if = (uint8_t)(class >> 8) };
    if (f.prog_if > PCI_PROG_IF_16950)
        skip(s, &f, "programming interface 0x%02x is not 16550-compatible", f.prog_if);
    else
        consider(s, &f, header);
}

uint32_t pci_serial_find(pci_read32_fn read, void *ctx, struct pci_serial *out, uint32_t max,
                         const struct diag *d)
{
    struct scan s = { read, ctx, d, out, max, 0 };

    for (unsigned bus = 0; bus < PCI_BUSES; bus++) {
        for (uint8_t device = 0; device < PCI_DEVICES; device++) {
            for (uint8_t function = 0; function < PCI_FUNCTIONS; function++) {
                uint32_t id = read(ctx, (uint8_t)bus, device, function, OFF_ID);
                if ((id & 0xFFFF) == NO_DEVICE) {
                    if (function == 0)
                        break;      /* no device: functions 1-7 cannot exist either */
                    continue;
                }
                uint32_t header = read(ctx, (uint8_t)bus, device, function, OFF_HEADER);
                scan_function(&s, (uint8_t)bus, device, function, id, header);
                if (function == 0 && !(header >> 16 & HEADER_MULTI_FUNCTION))
                    break;
            }
        }
    }
    return s.found < max ? s.found : max;
}
