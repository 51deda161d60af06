/* tessera's test device, for exercising the MMIO path from a guest: a register page (a scratch
 * register that behaves as eight bytes of memory, an access counter, a register that raises
 * an interrupt on the vCPU) and a window page that becomes plain memory on its first use, so
 * a guest can make its own event delivery exit there. Only test tables place one. */
#ifndef GUEST_TESTDEV_H
#define GUEST_TESTDEV_H

#include <stdint.h>

#include "vcpu/vcpu.h"

#define TESTDEV_SIZE            0x2000u
#define TESTDEV_WINDOW          0x1000u /* the window page: mapped on first use */
#define TESTDEV_REG_SCRATCH     0x000u  /* 8 bytes, any size and offset inside them */
#define TESTDEV_REG_ACCESSES    0x100u  /* read: accesses so far (this read not counted) */
#define TESTDEV_REG_RAISE_IRQ   0x108u  /* write: raise this interrupt vector (16-255) */

struct testdev {
    uint8_t scratch[8];
    uint64_t accesses;
    struct vcpu *vcpu;
    uint64_t window_hpa;        /* the window's backing page (0: the window is emulated) */
};

/* A fresh device claiming [gpa, gpa + TESTDEV_SIZE) on v; window_hpa backs its window. */
enum range_add_result testdev_attach(struct testdev *d, struct vcpu *v, uint64_t gpa,
                                     uint64_t window_hpa);
uint64_t testdev_backing_page(void *ctx, uint64_t offset);

/* The device's register semantics (what the MMIO path calls), for host tests too. */
void testdev_access(void *ctx, uint64_t offset, unsigned size, bool write, uint64_t *value);

#endif
