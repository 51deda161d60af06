/* Little-endian fields at any byte offset of firmware structures (multiboot2 tags, ACPI
 * tables): memcpy keeps the reads free of alignment and aliasing assumptions. */
#ifndef LIB_UNALIGNED_H
#define LIB_UNALIGNED_H

#include <stdint.h>

#include "lib/string.h"

static inline uint16_t read_u16(const uint8_t *p)
{
    uint16_t value;
    memcpy(&value, p, sizeof(value));
    return value;
}

static inline uint32_t read_u32(const uint8_t *p)
{
    uint32_t value;
    memcpy(&value, p, sizeof(value));
    return value;
}

static inline uint64_t read_u64(const uint8_t *p)
{
    uint64_t value;
    memcpy(&value, p, sizeof(value));
    return value;
}

#endif
