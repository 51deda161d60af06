/* ACPI SPCR decoding (Microsoft SPCR specification rev. 1-4, DBG2 interface types, ACPI 6.5 5.2.3.2). */
#include "drivers/acpi_spcr.h"

#include "lib/string.h"
#include "lib/unaligned.h"

/* Byte offsets in the table (header included). */
#define OFF_SIGNATURE       0
#define OFF_REVISION        8
#define OFF_INTERFACE_TYPE  36
#define OFF_GAS             40      /* space id, bit width, bit offset, access size, u64 address */
#define OFF_BAUD            58
#define OFF_PARITY          59
#define OFF_STOP_BITS       60
#define OFF_PCI_DEVICE_ID   64
#define OFF_PCI_VENDOR_ID   66
#define OFF_PCI_BUS         68
#define OFF_PCI_DEVICE      69
#define OFF_PCI_FUNCTION    70
#define OFF_UART_CLOCK      76      /* revision 3 and later; reserved (0) before */
#define OFF_PRECISE_BAUD    80      /* revision 4 and later */

#define GAS_ACCESS_UNDEFINED    0
#define GAS_ACCESS_BYTE         1
#define GAS_ACCESS_DWORD        3
#define IO_PORT_LIMIT           0x10000u
#define NO_PCI_DEVICE           0xFFFF

#define REJECT(d, ...) do { diag_report((d), __VA_ARGS__); return false; } while (0)

/* The configured baud rate field; 0 = "as is" (keep the firmware's setting). */
static uint32_t baud_from_code(uint8_t code)
{
    switch (code) {
    case 3: return 9600;
    case 4: return 19200;
    case 6: return 57600;
    case 7: return 115200;
    default: return 0;
    }
}

/* MMIO register width from the GAS: the access size when given, else the bit width. */
static uint8_t mmio_register_bytes(uint8_t access_size, uint8_t bit_width)
{
    if (access_size == GAS_ACCESS_BYTE || (access_size == GAS_ACCESS_UNDEFINED && bit_width == 8))
        return 1;
    if (access_size == GAS_ACCESS_DWORD || (access_size == GAS_ACCESS_UNDEFINED && bit_width == 32))
        return 4;
    return 0;
}

static bool decode_address(const uint8_t *gas, struct spcr_uart *out, const struct diag *d)
{
    uint8_t space = gas[0], bit_width = gas[1], access_size = gas[3];
    uint64_t address = read_u64(gas + 4);

    if (address == 0)
        REJECT(d, "acpi: SPCR: base address 0 (console redirection disabled)");
    out->address = address;
    if (space == SPCR_SPACE_IO) {
        if (address > IO_PORT_LIMIT - SPCR_UART_REGISTERS)
            REJECT(d, "acpi: SPCR: I/O port 0x%llx out of range", (unsigned long long)address);
        out->io = true;
        out->register_bytes = 1;
        return true;
    }
    if (space != SPCR_SPACE_MEMORY)
        REJECT(d, "acpi: SPCR: address space %u is neither memory nor I/O", space);
    out->register_bytes = mmio_register_bytes(access_size, bit_width);
    if (!out->register_bytes)
        REJECT(d, "acpi: SPCR: register access size %u, bit width %u: not 8 or 32 bits",
               access_size, bit_width);
    if (address % out->register_bytes ||
        address > UINT64_MAX - (uint64_t)SPCR_UART_REGISTERS * out->register_bytes)
        REJECT(d, "acpi: SPCR: MMIO address 0x%llx unusable for %u-byte registers",
               (unsigned long long)address, out->register_bytes);
    return true;
}

bool spcr_parse(const uint8_t *table, uint32_t length, struct spcr_uart *out,
                const struct diag *d)
{
    *out = (struct spcr_uart){ 0 };
    if (!table || length < SPCR_MIN_LENGTH)
        REJECT(d, "acpi: SPCR: length %u < %u", table ? length : 0, SPCR_MIN_LENGTH);
    if (memcmp(table + OFF_SIGNATURE, "SPCR", 4) != 0)
        REJECT(d, "acpi: SPCR: signature is not \"SPCR\"");
    out->revision = table[OFF_REVISION];
    out->interface_type = table[OFF_INTERFACE_TYPE];
    if (out->interface_type != SPCR_TYPE_16550 && out->interface_type != SPCR_TYPE_16450 &&
        out->interface_type != SPCR_TYPE_16550_GAS)
        REJECT(d, "acpi: SPCR: interface type 0x%x is not a 16550", out->interface_type);
    if (!decode_address(table + OFF_GAS, out, d))
        return false;

    uint8_t code = table[OFF_BAUD];
    out->baud = baud_from_code(code);
    if (code && !out->baud)
        diag_report(d, "acpi: SPCR: baud rate code %u unknown; keeping the firmware's", code);
    if (out->revision >= 3)
        out->clock_hz = read_u32(table + OFF_UART_CLOCK);
    if (out->revision >= 4 && length >= OFF_PRECISE_BAUD + 4 && read_u32(table + OFF_PRECISE_BAUD))
        out->baud = read_u32(table + OFF_PRECISE_BAUD);
    if (!out->clock_hz && out->io)
        out->clock_hz = 1843200;    /* a PC serial port's crystal */
    if (table[OFF_PARITY] != 0 || table[OFF_STOP_BITS] != 1)
        diag_report(d, "acpi: SPCR: parity %u, stop bits %u: using 8N1", table[OFF_PARITY],
                    table[OFF_STOP_BITS]);
    out->pci = read_u16(table + OFF_PCI_DEVICE_ID) != NO_PCI_DEVICE &&
               read_u16(table + OFF_PCI_VENDOR_ID) != NO_PCI_DEVICE;
    out->pci_bus = table[OFF_PCI_BUS];
    out->pci_device = table[OFF_PCI_DEVICE];
    out->pci_function = table[OFF_PCI_FUNCTION];
    return true;
}
