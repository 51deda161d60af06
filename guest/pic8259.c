/* The masked 8259A pair (guest/pic8259.h; Intel 8259A data sheet: initialization command
 * words, operation command words, reading the status). */
#include "guest/pic8259.h"

#include "guest/port_lanes.h"
#include "lib/string.h"

#define PIC_MASTER_VECTOR_BASE  0x08u
#define PIC_SLAVE_VECTOR_BASE   0x70u
#define PIC_MASTER_CASCADE      0x04u   /* ICW3: a slave on IR2 */
#define PIC_SLAVE_ID            0x02u   /* ICW3: the slave's ID, the master's IR2 */
#define PIC_BIOS_ICW1           (PIC8259_ICW1 | PIC8259_ICW1_IC4)

static void chip_init(struct pic8259 *chip, uint8_t vector_base, uint8_t icw3)
{
    memset(chip, 0, sizeof(*chip));
    chip->icw1 = PIC_BIOS_ICW1;
    chip->icw2 = vector_base;
    chip->icw3 = icw3;
    chip->icw4 = PIC8259_ICW4_8086;
    chip->imr = 0xFF;
    chip->expect = PIC8259_EXPECT_OCW1;
}

void pic8259_pair_init(struct pic8259_pair *pair)
{
    chip_init(&pair->master, PIC_MASTER_VECTOR_BASE, PIC_MASTER_CASCADE);
    chip_init(&pair->slave, PIC_SLAVE_VECTOR_BASE, PIC_SLAVE_ID);
}

/* Nothing is ever requested or in service: IRR and ISR are 0, and the poll word says "no
 * interrupt" (bit 7 clear). A poll read ends the poll command, at either port. */
uint8_t pic8259_read(struct pic8259 *chip, unsigned offset)
{
    if (offset >= PIC8259_PORTS)
        return 0xFF;
    if (chip->poll) {
        chip->poll = false;
        return 0;
    }
    if (offset == PIC8259_PORT_DATA)
        return chip->imr;
    return 0;                   /* IRR or ISR, whichever OCW3 selected */
}

static void write_icw1(struct pic8259 *chip, uint8_t value)
{
    chip->icw1 = value;
    chip->icw4 = 0;
    chip->imr = 0;
    chip->special_mask = false;
    chip->read_isr = false;
    chip->poll = false;
    chip->expect = PIC8259_EXPECT_ICW2;
}

static void write_ocw3(struct pic8259 *chip, uint8_t value)
{
    if (value & PIC8259_OCW3_ESMM)
        chip->special_mask = (value & PIC8259_OCW3_SMM) != 0;
    if (value & PIC8259_OCW3_RR)
        chip->read_isr = (value & PIC8259_OCW3_RIS) != 0;
    chip->poll = (value & PIC8259_OCW3_POLL) != 0;
}

static void write_command(struct pic8259 *chip, uint8_t value)
{
    if (value & PIC8259_ICW1)
        write_icw1(chip, value);
    else if (value & PIC8259_OCW3)
        write_ocw3(chip, value);
    /* else OCW2: end of interrupt or rotation, with nothing in service to act on */
}

/* After ICW2 comes ICW3 in cascade mode, then ICW4 when ICW1 asked for it. */
static void write_data(struct pic8259 *chip, uint8_t value)
{
    bool cascade = !(chip->icw1 & PIC8259_ICW1_SINGLE);
    bool wants_icw4 = (chip->icw1 & PIC8259_ICW1_IC4) != 0;

    switch (chip->expect) {
    case PIC8259_EXPECT_ICW2:
        chip->icw2 = value & PIC8259_ICW2_VECTOR;
        chip->expect = cascade      ? PIC8259_EXPECT_ICW3
                       : wants_icw4 ? PIC8259_EXPECT_ICW4
                                    : PIC8259_EXPECT_OCW1;
        break;
    case PIC8259_EXPECT_ICW3:
        chip->icw3 = value;
        chip->expect = wants_icw4 ? PIC8259_EXPECT_ICW4 : PIC8259_EXPECT_OCW1;
        break;
    case PIC8259_EXPECT_ICW4:
        chip->icw4 = value;
        chip->expect = PIC8259_EXPECT_OCW1;
        break;
    default:
        chip->imr = value;
    }
}

void pic8259_write(struct pic8259 *chip, unsigned offset, uint8_t value)
{
    if (offset == PIC8259_PORT_COMMAND)
        write_command(chip, value);
    else if (offset == PIC8259_PORT_DATA)
        write_data(chip, value);
}

PORT_LANES_OPS(pic8259_port_ops, struct pic8259, PIC8259_PORTS, pic8259_read, pic8259_write);
