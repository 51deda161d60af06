/* A partition's console: its virtual 16550 (guest/vuart.c) claimed on the vCPU's port
 * registry, its output line queue, and the keyboard's way in (16550 register semantics per
 * the PC16550D data sheet; the registers are bytes, so a wider access covers the next ones). */
#include "guest/partition_internal.h"

#include "drivers/console.h"
#include "vcpu/devices.h"

void partition_console_putc(struct partition *p, char c)
{
    line_queue_putc(&p->output, c);
}

static void vuart_transmit(void *ctx, uint8_t byte)
{
    partition_console_putc(ctx, (char)byte);
}

void partition_console_input(struct partition *p, uint8_t byte)
{
    uint32_t head = __atomic_load_n(&p->input_head, __ATOMIC_RELAXED);
    uint32_t tail = __atomic_load_n(&p->input_tail, __ATOMIC_ACQUIRE);
    if (head - tail >= PARTITION_INPUT_MAX)
        return;     /* the guest is not reading: drop, as a UART would overrun */
    p->input[head % PARTITION_INPUT_MAX] = byte;
    __atomic_store_n(&p->input_head, head + 1, __ATOMIC_RELEASE);
}

void partition_console_pull_input(struct partition *p)
{
    uint32_t tail = __atomic_load_n(&p->input_tail, __ATOMIC_RELAXED);
    uint32_t head = __atomic_load_n(&p->input_head, __ATOMIC_ACQUIRE);
    while (tail != head && vuart_rx_room(&p->vuart)) {
        vuart_receive(&p->vuart, p->input[tail % PARTITION_INPUT_MAX]);
        tail++;
    }
    __atomic_store_n(&p->input_tail, tail, __ATOMIC_RELEASE);
}

__attribute__((noinline)) static void vuart_port_access_bytes(struct partition *p,
                                                               uint16_t offset, unsigned size,
                                                               bool write, uint32_t *value)
{
    uint32_t result = 0;
    for (unsigned i = 0; i < size; i++) {
        unsigned reg = offset + i;
        if (reg >= PARTITION_CONSOLE_PORTS) {
            result |= 0xFFu << (8 * i);     /* past the UART: no device, reads all ones */
            continue;
        }
        if (write) {
            vuart_write(&p->vuart, reg, (uint8_t)(*value >> (8 * i)));
            continue;
        }
        partition_console_pull_input(p);
        uint8_t byte = vuart_read(&p->vuart, reg);
        /* Back-pressure: while its line queue is full the transmitter reads busy. */
        if (reg == VUART_REG_LSR && !line_queue_has_room(&p->output))
            byte &= (uint8_t)~(VUART_LSR_THRE | VUART_LSR_TEMT);
        result |= (uint32_t)byte << (8 * i);
    }
    if (!write)
        *value = result;
}

/* A byte written to a register (THR above all: every character a guest prints) goes straight
 * to the model; reads and wider accesses take the byte loop. */
static void vuart_port_access(void *ctx, uint16_t offset, unsigned size, bool write,
                              uint32_t *value)
{
    struct partition *p = ctx;
    if (size == 1 && write && offset < PARTITION_CONSOLE_PORTS) {
        vuart_write(&p->vuart, offset, (uint8_t)*value);
        return;
    }
    vuart_port_access_bytes(p, offset, size, write, value);
}

static const struct vcpu_port_ops vuart_port_ops = { vuart_port_access };

bool partition_console_attach(struct partition *p)
{
    vuart_init(&p->vuart, vuart_transmit, p);
    enum range_add_result r = vcpu_claim_ports(&p->vcpu, p->config->console.port,
                                               PARTITION_CONSOLE_PORTS, &vuart_port_ops, p);
    if (r != RANGE_ADDED) {
        console_printf("partition %s: its virtual UART at 0x%x cannot claim its ports: %s\n",
                       p->config->name, p->config->console.port, range_add_result_name(r));
        return false;
    }
    return true;
}
