/* The legacy 8259A interrupt controllers: remapped out of the exception vectors and masked. */
#ifndef DRIVERS_PIC_H
#define DRIVERS_PIC_H

#define PIC_VECTOR_BASE         0x20    /* IRQ 0-15 -> vectors 0x20-0x2F */
#define PIC_SPURIOUS_MASTER     (PIC_VECTOR_BASE + 7)
#define PIC_SPURIOUS_SLAVE      (PIC_VECTOR_BASE + 15)

/* The firmware leaves IRQ 0 (the PIT) on vector 8, the double-fault vector: the first
 * time the hypervisor enables interrupts it would look like a #DF. Remap, then mask all. */
void pic_disable(void);

#endif
