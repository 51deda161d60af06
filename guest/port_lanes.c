/* Byte lanes of an I/O access (guest/port_lanes.h). */
#include "guest/port_lanes.h"

#define PORT_LANES_MAX  4u

uint32_t port_lanes_read(void *dev, unsigned count, unsigned offset, unsigned size,
                         port_lane_read_fn read)
{
    uint32_t value = 0;

    for (unsigned i = 0; i < size && i < PORT_LANES_MAX; i++) {
        uint8_t byte = 0xFF;
        if (offset < count && i < count - offset)
            byte = read(dev, offset + i);
        value |= (uint32_t)byte << (8 * i);
    }
    return value;
}

void port_lanes_write(void *dev, unsigned count, unsigned offset, unsigned size, uint32_t value,
                      port_lane_write_fn write)
{
    for (unsigned i = 0; i < size && i < PORT_LANES_MAX; i++)
        if (offset < count && i < count - offset)
            write(dev, offset + i, (uint8_t)(value >> (8 * i)));
}
