/* An I/O access split into its byte lanes, as an ISA bus splits a wide access to 8-bit
 * registers: byte i of the value goes to (comes from) register offset + i. For device models
 * made of byte registers (guest/cmos_rtc.c, pic8259.c, acpi_pm.c). Pure. */
#ifndef GUEST_PORT_LANES_H
#define GUEST_PORT_LANES_H

#include <stdint.h>

#include "vcpu/devices.h"

typedef uint8_t (*port_lane_read_fn)(void *dev, unsigned reg);
typedef void (*port_lane_write_fn)(void *dev, unsigned reg, uint8_t value);

/* The value of an access of size bytes (at most 4 are used) at offset into a device of
 * count registers, lowest lane first. Lanes past the device read 0xFF (nothing answers there)
 * and writes to them are dropped; read and write see only registers below count. */
uint32_t port_lanes_read(void *dev, unsigned count, unsigned offset, unsigned size,
                         port_lane_read_fn read);
void port_lanes_write(void *dev, unsigned count, unsigned offset, unsigned size, uint32_t value,
                      port_lane_write_fn write);

/* Defines the vcpu_port_ops `name` of a device of count byte registers: each lane of an access
 * goes to read_byte(type *, unsigned reg) or write_byte(type *, unsigned reg, uint8_t), the
 * claim's ctx being the type *. */
#define PORT_LANES_OPS(name, type, count, read_byte, write_byte)                              \
    static uint8_t name##_lane_read(void *dev, unsigned reg)                                  \
    {                                                                                         \
        return read_byte((type *)dev, reg);                                                   \
    }                                                                                         \
    static void name##_lane_write(void *dev, unsigned reg, uint8_t value)                     \
    {                                                                                         \
        write_byte((type *)dev, reg, value);                                                  \
    }                                                                                         \
    static uint32_t name##_read(void *ctx, uint16_t offset, unsigned size)                    \
    {                                                                                         \
        return port_lanes_read(ctx, (count), offset, size, name##_lane_read);                 \
    }                                                                                         \
    static void name##_write(void *ctx, uint16_t offset, unsigned size, uint32_t value)       \
    {                                                                                         \
        port_lanes_write(ctx, (count), offset, size, value, name##_lane_write);               \
    }                                                                                         \
    const struct vcpu_port_ops name = { name##_read, name##_write }

#endif
