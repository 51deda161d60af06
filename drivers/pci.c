/* PCI configuration mechanism #1: ports 0xCF8 (address) and 0xCFC (data) (PCI Local Bus 3.0, 3.2.2.3.2). */
#include "drivers/pci.h"

#include "arch/x86/io.h"

#define PCI_CONFIG_ADDRESS  0xCF8
#define PCI_CONFIG_DATA     0xCFC
#define PCI_CONFIG_ENABLE   0x80000000u

static void select(uint8_t bus, uint8_t device, uint8_t function, uint8_t offset)
{
    outl(PCI_CONFIG_ADDRESS, PCI_CONFIG_ENABLE | (uint32_t)bus << 16 |
                             (uint32_t)(device & 0x1F) << 11 | (uint32_t)(function & 7) << 8 |
                             (offset & 0xFC));
}

uint32_t pci_config_read32(uint8_t bus, uint8_t device, uint8_t function, uint8_t offset)
{
    select(bus, device, function, offset);
    return inl(PCI_CONFIG_DATA);
}

void pci_config_write16(uint8_t bus, uint8_t device, uint8_t function, uint8_t offset,
                        uint16_t value)
{
    select(bus, device, function, offset);
    outw((uint16_t)(PCI_CONFIG_DATA + (offset & 2)), value);
}
