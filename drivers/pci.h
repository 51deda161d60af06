/* PCI configuration space through the legacy ports 0xCF8/0xCFC (PCI Local Bus 3.0, 3.2.2.3.2).
 * Used at boot only: afterwards the ports may belong to a partition. */
#ifndef DRIVERS_PCI_H
#define DRIVERS_PCI_H

#include <stdint.h>

uint32_t pci_config_read32(uint8_t bus, uint8_t device, uint8_t function, uint8_t offset);
void pci_config_write16(uint8_t bus, uint8_t device, uint8_t function, uint8_t offset,
                        uint16_t value);

#endif
