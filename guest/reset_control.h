/* Resetting a partition the PC way: the reset control register at 0xCF9 (Intel I/O controller
 * hub data sheets, "Reset Control Register": RST_CPU going from 0 to 1 resets, SYS_RST and
 * FULL_RST choosing how hard; the FADT's RESET_REG writes 0x06 there) and, optionally, the
 * 8042 keyboard controller's reset pulse (command 0xFE to port 0x64; the 8042 is otherwise
 * absent). Every kind of reset is one request: restart the partition. Pure. */
#ifndef GUEST_RESET_CONTROL_H
#define GUEST_RESET_CONTROL_H

#include <stdint.h>

#include "guest/platform_request.h"
#include "vcpu/devices.h"

#define RESET_CONTROL_PORTS     1u      /* PC_RESET_PORT (0xCF9) */
#define RESET_CNT_SYS_RST       0x02u   /* 1: hard reset, 0: soft (INIT) */
#define RESET_CNT_RST_CPU       0x04u   /* 0 -> 1 starts the reset */
#define RESET_CNT_FULL_RST      0x08u   /* with a hard reset: a power cycle */
#define RESET_CNT_BITS          (RESET_CNT_SYS_RST | RESET_CNT_RST_CPU | RESET_CNT_FULL_RST)

#define RESET_KBC_PORT          0x64u   /* the 8042's command/status port */
#define RESET_KBC_PORTS         1u
#define RESET_KBC_PULSE_FIRST   0xF0u   /* 0xF0-0xFF pulse output-port lines whose bit is 0 in */
#define RESET_KBC_PULSE_RESET   0x01u   /* the low nibble; bit 0 is the CPU reset line */

struct reset_control {
    uint8_t value;              /* RST_CNT as last written, RESET_CNT_BITS only */
    platform_request_fn request;        /* PLATFORM_RESET; NULL: requests are lost */
    void *request_ctx;
};

/* RST_CNT 0. */
void reset_control_init(struct reset_control *rc, platform_request_fn request, void *ctx);

/* RST_CNT is a byte register: only a one-byte access at offset 0 reaches it (a wider access
 * from 0xCF8 is PCI configuration space, which this platform lacks; from 0xCF9 it is taken as
 * the same). Other accesses read all ones and are dropped. A write keeps RESET_CNT_BITS and
 * requests PLATFORM_RESET when RST_CPU goes from 0 to 1 (0x06, 0x0E, or 0x02 then 0x06 as
 * Linux writes; soft and hard resets alike). */
uint32_t reset_control_read(struct reset_control *rc, unsigned offset, unsigned size);
void reset_control_write(struct reset_control *rc, unsigned offset, unsigned size, uint32_t value);

/* Port 0x64: reads 0xFF as with no 8042 there (Linux's controller probe gives up); a one-byte
 * write of a pulse command with bit 0 clear (0xFE, as Linux and BIOSes write) requests
 * PLATFORM_RESET; everything else is dropped. */
uint32_t reset_control_kbc_read(struct reset_control *rc, unsigned offset, unsigned size);
void reset_control_kbc_write(struct reset_control *rc, unsigned offset, unsigned size,
                             uint32_t value);

/* vcpu_claim_ports(v, PC_RESET_PORT, RESET_CONTROL_PORTS, &reset_control_port_ops, rc), and
 * if wanted vcpu_claim_ports(v, RESET_KBC_PORT, RESET_KBC_PORTS, &reset_control_kbc_ops, rc). */
extern const struct vcpu_port_ops reset_control_port_ops;
extern const struct vcpu_port_ops reset_control_kbc_ops;

#endif
