/* The VMX I/O bitmaps built from a partition's port allow list (Intel SDM Vol. 3C, 25.6.4). */
#include "guest/io_bitmap.h"

#include <stddef.h>

#include "lib/string.h"

void io_bitmap_build(uint8_t bitmap_a[IO_BITMAP_SIZE], uint8_t bitmap_b[IO_BITMAP_SIZE],
                     const struct port_range *allowed, uint32_t count)
{
    memset(bitmap_a, 0xff, IO_BITMAP_SIZE);
    memset(bitmap_b, 0xff, IO_BITMAP_SIZE);
    for (uint32_t i = 0; allowed && i < count; i++) {
        const struct port_range *r = &allowed[i];

        /* One direction only cannot be expressed: leave it trapping (see io_bitmap.h). */
        if ((r->access & PORT_RW) != PORT_RW)
            continue;
        for (uint32_t port = r->first; port <= r->last; port++) {
            uint8_t *bitmap = port < IO_BITMAP_B_FIRST ? bitmap_a : bitmap_b;
            uint32_t bit = port % IO_BITMAP_B_FIRST;

            bitmap[bit / 8] &= (uint8_t)~(1u << (bit % 8));
        }
    }
}

bool io_bitmap_traps(const uint8_t *bitmap_a, const uint8_t *bitmap_b, uint16_t port)
{
    const uint8_t *bitmap = port < IO_BITMAP_B_FIRST ? bitmap_a : bitmap_b;
    uint32_t bit = port % IO_BITMAP_B_FIRST;

    return (bitmap[bit / 8] >> (bit % 8)) & 1u;
}

bool io_policy_allows(const struct partition_config *p, uint16_t port, bool write)
{
    unsigned need = write ? PORT_WRITE : PORT_READ;

    for (uint32_t i = 0; p->ports && i < p->port_count; i++)
        if (p->ports[i].first <= port && port <= p->ports[i].last && (p->ports[i].access & need))
            return true;
    return false;
}
