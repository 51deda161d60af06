/* A virtual I/O APIC: the register window, the 24-entry redirection table and the pins'
 * edge and level semantics with remote IRR and the EOI register (Intel 82093AA I/O APIC data
 * sheet, sections 3.0 "Register Description" and 3.2.4 "IOREDTBL"; version 0x20 with the
 * directed EOI register of later I/O APICs). Pure: interrupts leave through a callback.
 * Not thread-safe: one CPU at a time (the partition's own). */
#ifndef GUEST_VIOAPIC_H
#define GUEST_VIOAPIC_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/diag.h"
#include "vcpu/devices.h"

#define VIOAPIC_PINS            24u

/* The MMIO window (offsets from the base). */
#define VIOAPIC_IOREGSEL        0x00u   /* bits 7:0: the register IOWIN reaches */
#define VIOAPIC_IOWIN           0x10u
#define VIOAPIC_EOI             0x40u   /* write a vector: as a local APIC's EOI broadcast */
#define VIOAPIC_PAGE_SIZE       0x1000u

/* Registers behind IOWIN. */
#define VIOAPIC_REG_ID          0x00u   /* bits 27:24 */
#define VIOAPIC_REG_VERSION     0x01u
#define VIOAPIC_REG_ARBITRATION 0x02u   /* bits 27:24: reads the ID */
#define VIOAPIC_REG_REDIR       0x10u   /* entry n: 0x10 + 2n (low), 0x11 + 2n (high) */

/* Version register: maximum redirection entry 23 in bits 23:16, version 0x20. */
#define VIOAPIC_VERSION_VALUE   0x00170020u

/* Redirection entry, low word (bits 31:0) and the destination in bits 63:56. */
#define VIOAPIC_RTE_VECTOR      0xFFu
#define VIOAPIC_RTE_MODE_SHIFT  8       /* 0 fixed, 1 lowest priority, 2 SMI, 4 NMI, 5 INIT,
                                           7 ExtINT (as the local APIC's delivery modes) */
#define VIOAPIC_RTE_LOGICAL     (1u << 11)
#define VIOAPIC_RTE_PENDING     (1u << 12)  /* delivery status, read-only: always 0 here */
#define VIOAPIC_RTE_ACTIVE_LOW  (1u << 13)
#define VIOAPIC_RTE_REMOTE_IRR  (1u << 14)  /* read-only */
#define VIOAPIC_RTE_LEVEL       (1u << 15)
#define VIOAPIC_RTE_MASKED      (1u << 16)
#define VIOAPIC_RTE_LOW_WRITABLE 0x0001AFFFu
#define VIOAPIC_RTE_DEST_SHIFT  56

/* What reaches the local APICs: fixed and lowest priority carry a vector; NMI is always
 * edge-triggered (the data sheet's rule for NMI entries); SMI, INIT, ExtINT and the reserved
 * modes are counted and never sent. The values are the delivery modes, as
 * vlapic_deliver takes them. */
enum vioapic_kind { VIOAPIC_KIND_FIXED = 0, VIOAPIC_KIND_LOWEST = 1, VIOAPIC_KIND_NMI = 4 };

struct vioapic_message {
    enum vioapic_kind kind;
    uint8_t vector;
    bool level_triggered;
    bool logical;           /* destination mode */
    uint8_t dest;           /* bits 63:56 of the entry */
};

/* Returns whether a local APIC accepted it: only an accepted level-triggered interrupt sets
 * remote IRR (so a message to nobody does not block its pin until a reset). */
typedef bool (*vioapic_deliver_fn)(void *ctx, const struct vioapic_message *msg);

struct vioapic_stats {
    uint64_t messages;          /* sent through deliver */
    uint64_t modes_ignored;     /* SMI, INIT, ExtINT, reserved delivery modes */
    uint64_t accesses_ignored;  /* MMIO accesses outside the defined ones */
    uint64_t bad_pins;          /* vioapic_set_irq with pin >= 24 */
};

struct vioapic {
    vioapic_deliver_fn deliver;
    void *ctx;
    const struct diag *diag;
    uint8_t reset_id;
    uint8_t id;                 /* bits 27:24 of the ID register */
    uint8_t index;              /* IOREGSEL */
    uint32_t asserted;          /* pin n asserted: bit n */
    uint64_t redir[VIOAPIC_PINS];
    struct vioapic_stats stats;
    uint32_t reported;          /* kinds of note already reported once */
};

/* deliver may be NULL (then nothing is accepted); id is the ID the firmware gave it
 * (PC_IOAPIC_ID), bits 3:0 kept. Resets. */
void vioapic_init(struct vioapic *io, uint8_t id, vioapic_deliver_fn deliver, void *ctx,
                  const struct diag *diag);

/* Every entry masked with its other bits 0, IOREGSEL 0, the ID back to init's, every pin
 * deasserted. Statistics stay. */
void vioapic_reset(struct vioapic *io);

/* A device drives pin's line. `asserted` is the logical state: the caller has applied the
 * pin's electrical polarity (ISA IRQs are active high, PCI INTx active low on real boards);
 * the entry's polarity bit is stored for the guest and not applied again.
 * Edge-triggered entry: a deasserted-to-asserted change sends one message if unmasked (an
 * edge while masked is lost). Level-triggered: an asserted, unmasked line with remote IRR
 * clear sends and sets remote IRR; it sends again only after the EOI. pin >= 24: reported,
 * ignored. */
void vioapic_set_irq(struct vioapic *io, unsigned pin, bool asserted);

/* A local APIC's EOI for `vector` (its TMR bit was set) or a write to the EOI register:
 * every level-triggered entry with this vector clears remote IRR, and one whose line is
 * still asserted and unmasked is sent again. */
void vioapic_eoi(struct vioapic *io, uint8_t vector);

/* The page (vcpu_mmio_ops). IOREGSEL: writes of 1, 2 or 4 bytes at offset 0 take bits 7:0,
 * reads return it. IOWIN: aligned 32-bit writes at 0x10 write the selected register; reads
 * of 1, 2 or 4 bytes within 0x10-0x13 return its bytes. EOI: 32-bit write at 0x40. Anything
 * else reads 0 and is ignored (counted, reported once). Registers that do not exist read 0
 * and ignore writes; the version and arbitration registers are read-only. */
void vioapic_mmio_access(void *io, uint64_t offset, unsigned size, bool write, uint64_t *value);

extern const struct vcpu_mmio_ops vioapic_mmio_ops;

/* The register behind IOWIN at `index`, and a write to it (what IOWIN does). */
uint32_t vioapic_read_register(const struct vioapic *io, uint8_t index);
void vioapic_write_register(struct vioapic *io, uint8_t index, uint32_t value);

#endif
