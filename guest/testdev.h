/* tessera's test device: an MMIO page for exercising the decoder and the MMIO path from a
 * guest (a scratch register that behaves as eight bytes of memory, an access counter, and a
 * register that raises an interrupt on the vCPU). Only test tables place one. */
#ifndef GUEST_TESTDEV_H
#define GUEST_TESTDEV_H

#include <stdint.h>

#include "vcpu/vcpu.h"

#define TESTDEV_SIZE            0x1000u
#define TESTDEV_REG_SCRATCH     0x000u  /* 8 bytes, any size and offset inside them */
#define TESTDEV_REG_ACCESSES    0x100u  /* read: accesses so far (this read not counted) */
#define TESTDEV_REG_RAISE_IRQ   0x108u  /* write: raise this interrupt vector (16-255) */

struct testdev {
    uint8_t scratch[8];
    uint64_t accesses;
    struct vcpu *vcpu;
};

/* A fresh device claiming [gpa, gpa + TESTDEV_SIZE) on v. */
enum range_add_result testdev_attach(struct testdev *d, struct vcpu *v, uint64_t gpa);

/* The device's register semantics (what the MMIO path calls), for host tests too. */
void testdev_access(void *ctx, uint64_t offset, unsigned size, bool write, uint64_t *value);

#endif
