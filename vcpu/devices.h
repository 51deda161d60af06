/* Device dispatch for a vCPU: device models claim I/O ports, MSRs and guest-physical MMIO
 * ranges; the exit handlers look the access up once and call the device. What no device
 * claims takes the partition's policy path (vcpu/exit_io.c, exit_msr.c, exit_mmio.c). */
#ifndef VCPU_DEVICES_H
#define VCPU_DEVICES_H

#include <stdbool.h>
#include <stdint.h>

#include "vcpu/range_registry.h"

/* offset is from the first port, address or MSR the device registered; size is 1, 2 or 4
 * (ports) or 1, 2, 4 or 8 (MMIO). A read returns the value (zero-extended). Ports pass values
 * in registers: an OUT to a device costs no memory round trip. */
struct vcpu_port_ops {
    uint32_t (*read)(void *ctx, uint16_t offset, unsigned size);
    void (*write)(void *ctx, uint16_t offset, unsigned size, uint32_t value);
};

struct vcpu_mmio_ops {
    void (*access)(void *ctx, uint64_t offset, unsigned size, bool write, uint64_t *value);
    /* Optional: a page of the range that is plain memory once used (a frame buffer, say).
     * Returns the host-physical page to map at the 4 KiB page holding offset, 0 to emulate
     * accesses there; mapped on the first touch, then the guest never exits for it again. */
    uint64_t (*backing_page)(void *ctx, uint64_t offset);
};

/* false: the guest gets #GP, as for an MSR the CPU lacks. */
struct vcpu_msr_ops {
    bool (*read)(void *ctx, uint32_t msr, uint64_t *value);
    bool (*write)(void *ctx, uint32_t msr, uint64_t value);
};

struct vcpu_devices {
    struct range_registry ports, mmio, msrs;
};

struct vcpu;
enum range_add_result vcpu_claim_ports(struct vcpu *v, uint16_t first, uint16_t count,
                                       const struct vcpu_port_ops *ops, void *ctx);
enum range_add_result vcpu_claim_mmio(struct vcpu *v, uint64_t gpa, uint64_t size,
                                      const struct vcpu_mmio_ops *ops, void *ctx);
enum range_add_result vcpu_claim_msrs(struct vcpu *v, uint32_t first, uint32_t count,
                                      const struct vcpu_msr_ops *ops, void *ctx);
void vcpu_release_devices(struct vcpu *v);

#endif
