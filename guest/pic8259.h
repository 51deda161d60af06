/* The two 8259A interrupt controllers of a PC, present but masked: a partition's interrupts
 * come through its I/O APIC, never through these (Intel 8259A data sheet: ICW1-ICW4, OCW1-OCW3,
 * the poll command). They take the initialization sequence and the operation command words
 * and read back what was written (the IMR; IRR, ISR and the poll word are always 0, nothing
 * ever being requested or in service), so Linux's probe, which writes 0xFB to the master's
 * IMR and reads it back, finds a PIC and keeps its 16 legacy IRQs (the ISA numbers its drivers
 * ask for, routed through the I/O APIC by the MADT), then masks it. Pure; one CPU at a time. */
#ifndef GUEST_PIC8259_H
#define GUEST_PIC8259_H

#include <stdbool.h>
#include <stdint.h>

#include "vcpu/devices.h"

/* Each chip is one claim of two ports: PC_PIC_MASTER_PORT (0x20) and PC_PIC_SLAVE_PORT (0xA0). */
#define PIC8259_PORTS           2u
#define PIC8259_PORT_COMMAND    0u      /* A0 = 0: ICW1, OCW2, OCW3; reads IRR/ISR/poll */
#define PIC8259_PORT_DATA       1u      /* A0 = 1: ICW2-ICW4, OCW1 (the IMR); reads the IMR */

#define PIC8259_ICW1            0x10u   /* command byte bit 4: ICW1 */
#define PIC8259_ICW1_IC4        0x01u   /* ICW4 follows */
#define PIC8259_ICW1_SINGLE     0x02u   /* no cascade: no ICW3 */
#define PIC8259_ICW1_LTIM       0x08u   /* level triggered */
#define PIC8259_OCW3            0x08u   /* command byte bit 3 (with bit 4 clear): OCW3, else OCW2 */
#define PIC8259_OCW3_RIS        0x01u   /* with RR: 1 read ISR, 0 read IRR */
#define PIC8259_OCW3_RR         0x02u
#define PIC8259_OCW3_POLL       0x04u
#define PIC8259_OCW3_SMM        0x20u   /* with ESMM: special mask mode on or off */
#define PIC8259_OCW3_ESMM       0x40u
#define PIC8259_ICW2_VECTOR     0xF8u   /* vector bits T7-T3 */
#define PIC8259_ICW4_8086       0x01u
#define PIC8259_ICW4_AEOI       0x02u

/* What the next data-port write is, during an initialization sequence. */
enum pic8259_expect {
    PIC8259_EXPECT_OCW1,        /* initialized: the IMR */
    PIC8259_EXPECT_ICW2,
    PIC8259_EXPECT_ICW3,
    PIC8259_EXPECT_ICW4,
};

struct pic8259 {
    uint8_t imr;
    uint8_t icw1, icw2, icw3, icw4;     /* as last written (ICW4 0 when ICW1 had no IC4) */
    enum pic8259_expect expect;
    bool read_isr;              /* OCW3: the command port reads ISR, else IRR */
    bool poll;                  /* OCW3 poll command: the next read is the poll word */
    bool special_mask;
};

struct pic8259_pair {
    struct pic8259 master, slave;
};

/* The state a PC BIOS leaves: master vectors 0x08, slave 0x70, cascade on IR2, 8086 mode,
 * normal EOI, edge triggered, every line masked (IMR 0xFF), IRR selected for reading. */
void pic8259_pair_init(struct pic8259_pair *pair);

/* One byte from/to the command (offset 0) or data (offset 1) port of one chip; other offsets
 * read 0xFF and ignore writes. Writes follow the data sheet: ICW1 starts the sequence (IMR
 * cleared, special mask off, IRR selected, ICW4 0 unless IC4), then ICW2, ICW3 unless SNGL,
 * ICW4 if IC4; afterwards data writes are OCW1. OCW2 (EOI, rotation) is accepted and has no
 * effect: nothing is ever in service. */
uint8_t pic8259_read(struct pic8259 *chip, unsigned offset);
void pic8259_write(struct pic8259 *chip, unsigned offset, uint8_t value);

/* The device for vcpu_claim_ports(v, PC_PIC_MASTER_PORT, PIC8259_PORTS, &pic8259_port_ops,
 * &pair->master) and the same at PC_PIC_SLAVE_PORT with &pair->slave. */
extern const struct vcpu_port_ops pic8259_port_ops;

#endif
