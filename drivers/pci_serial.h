/* Finding 16550-compatible PCI and PCIe serial cards (PCI Local Bus 3.0, 6.1 configuration
 * header; PCI Code and ID Assignment, class 07h subclass 00h). Pure: configuration space is
 * read through a callback, so the host tests describe buses in a table. */
#ifndef DRIVERS_PCI_SERIAL_H
#define DRIVERS_PCI_SERIAL_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/diag.h"

#define PCI_BUSES               256
#define PCI_DEVICES             32
#define PCI_FUNCTIONS           8
#define PCI_CLASS_SERIAL        0x07    /* communication controller */
#define PCI_SUBCLASS_16550      0x00    /* serial controller: 8250 family */
#define PCI_PROG_IF_16950       0x06    /* highest 16550-compatible programming interface */
#define PCI_CONFIG_COMMAND      0x04    /* command register, bits 15:0 of this dword */
#define PCI_COMMAND_IO          0x0001
#define PCI_COMMAND_MEMORY      0x0002

/* A 32-bit configuration read at a dword-aligned offset; all ones where nothing answers. */
typedef uint32_t (*pci_read32_fn)(void *ctx, uint8_t bus, uint8_t device, uint8_t function,
                                  uint8_t offset);

struct pci_serial {
    uint8_t bus, device, function;
    uint16_t vendor, device_id;
    uint8_t prog_if;            /* 0 8250, 1 16450, 2 16550, ... 6 16950 */
    bool io;                    /* BAR0 is I/O space; else memory */
    uint64_t address;           /* BAR0's base */
    uint16_t command_enable;    /* PCI_COMMAND_* bit still to be set for BAR0 to decode; 0: on */
};

/* Scans every bus, device and function for 16550-compatible serial controllers and
 * describes at most max of them, BAR0 being port 0. Ones that cannot be used (BAR0
 * unassigned, reserved BAR type, not a type 0 header) are reported as
 * "pci: BB:DD.F [vvvv:dddd]: serial controller: <why>" and skipped. Returns how many
 * were written to out. */
uint32_t pci_serial_find(pci_read32_fn read, void *ctx, struct pci_serial *out, uint32_t max,
                         const struct diag *d);

#endif
