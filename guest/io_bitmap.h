/* The VMX I/O bitmaps (Intel SDM Vol. 3C, 25.6.4): bitmap A covers ports 0x0000-0x7fff,
 * bitmap B ports 0x8000-0xffff, one bit per port, a set bit makes IN/OUT/INS/OUTS touching
 * that port exit. Built from a partition's port allow list. Pure. */
#ifndef GUEST_IO_BITMAP_H
#define GUEST_IO_BITMAP_H

#include <stdbool.h>
#include <stdint.h>

#include "guest/partition.h"

#define IO_BITMAP_SIZE      4096u
#define IO_BITMAP_B_FIRST   0x8000u     /* first port of bitmap B */

/* Sets every bit of both bitmaps (all ports exit), then clears the bits of ports granted in
 * both directions (PORT_READ | PORT_WRITE).
 *
 * The bitmaps cannot tell IN from OUT: a clear bit lets both through. So a port granted only
 * PORT_READ or only PORT_WRITE keeps its bit set and still exits; the I/O exit handler then
 * asks io_policy_allows() with the direction from the exit qualification, passes a granted
 * access through and emulates or refuses the other. */
void io_bitmap_build(uint8_t bitmap_a[IO_BITMAP_SIZE], uint8_t bitmap_b[IO_BITMAP_SIZE],
                     const struct port_range *allowed, uint32_t count);

/* True when an access to port exits with these bitmaps. (A 2- or 4-byte access exits when any
 * of the ports it touches does, or when it wraps past 0xffff: SDM 26.1.3.) */
bool io_bitmap_traps(const uint8_t *bitmap_a, const uint8_t *bitmap_b, uint16_t port);

/* True when the partition's allow list lets the guest read (write = false) or write the real
 * port: some range holds it with that access bit. The exit handler asks this for every port a
 * multi-byte access touches. For a table that validates (no overlapping ranges), for every
 * port io_bitmap_traps() of the built bitmaps is exactly
 * !(io_policy_allows(p, port, false) && io_policy_allows(p, port, true)). */
bool io_policy_allows(const struct partition_config *p, uint16_t port, bool write);

#endif
