/* The legacy 8259A pair (Intel 8259A data sheet: ICW1-ICW4, OCW1): remapped and masked, since
 * the hypervisor uses the local APIC and gives no partition the PIC. */
#include "drivers/pic.h"

#include "arch/x86/io.h"

#define PIC_MASTER_COMMAND  0x20
#define PIC_MASTER_DATA     0x21
#define PIC_SLAVE_COMMAND   0xA0
#define PIC_SLAVE_DATA      0xA1
#define ICW1_INIT_ICW4      0x11    /* edge triggered, cascade, ICW4 follows */
#define ICW3_MASTER_SLAVE2  0x04    /* the slave sits on IRQ 2 */
#define ICW3_SLAVE_ID       0x02
#define ICW4_8086           0x01
#define OCW1_MASK_ALL       0xFF

void pic_disable(void)
{
    outb(PIC_MASTER_COMMAND, ICW1_INIT_ICW4);
    outb(PIC_SLAVE_COMMAND, ICW1_INIT_ICW4);
    outb(PIC_MASTER_DATA, PIC_VECTOR_BASE);
    outb(PIC_SLAVE_DATA, PIC_VECTOR_BASE + 8);
    outb(PIC_MASTER_DATA, ICW3_MASTER_SLAVE2);
    outb(PIC_SLAVE_DATA, ICW3_SLAVE_ID);
    outb(PIC_MASTER_DATA, ICW4_8086);
    outb(PIC_SLAVE_DATA, ICW4_8086);
    outb(PIC_MASTER_DATA, OCW1_MASK_ALL);
    outb(PIC_SLAVE_DATA, OCW1_MASK_ALL);
}
