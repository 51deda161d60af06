/* ACPI SPCR, the Serial Port Console Redirection table (Microsoft SPCR specification,
 * revisions 1-4; interface types from the DBG2 specification; Generic Address Structure:
 * ACPI 6.5, 5.2.3.2). Pure: compiled into the hypervisor and into the host unit tests. */
#ifndef DRIVERS_ACPI_SPCR_H
#define DRIVERS_ACPI_SPCR_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/diag.h"

#define SPCR_MIN_LENGTH         80      /* every revision has the fields up to the UART clock */
#define SPCR_REV4_LENGTH        88      /* adds the precise baud rate and the namespace string */

/* Interface types a 16550 driver can run (DBG2 serial port subtypes). */
#define SPCR_TYPE_16550         0x00
#define SPCR_TYPE_16450         0x01    /* "16550 subset": the same registers, no FIFO */
#define SPCR_TYPE_16550_GAS     0x12    /* 16550-compatible, register layout from the GAS */

#define SPCR_SPACE_MEMORY       0
#define SPCR_SPACE_IO           1
#define SPCR_UART_REGISTERS      8       /* a 16550 has 8 registers */

struct spcr_uart {
    bool io;                    /* I/O port; else memory-mapped */
    uint64_t address;           /* port or physical address of register 0 */
    uint8_t register_bytes;     /* stride and access size: 1, or 4 (32-bit MMIO registers) */
    uint32_t baud;              /* 0: keep what the firmware programmed */
    uint32_t clock_hz;          /* the UART's input clock; 0: not given (MMIO, revision < 3) */
    uint8_t interface_type;
    uint8_t revision;
    bool pci;                   /* the table names a PCI device (informational) */
    uint8_t pci_bus, pci_device, pci_function;
};

/* Decodes the SPCR table at `table` (length bytes readable; the header's own length and
 * checksum are acpi_parse's business). False, with one report "acpi: SPCR: <what>", when it
 * names no UART this driver can run; a baud code it does not know, or a line setting other
 * than 8N1, is reported and the firmware's divisor kept. */
bool spcr_parse(const uint8_t *table, uint32_t length, struct spcr_uart *out,
                const struct diag *d);

#endif
