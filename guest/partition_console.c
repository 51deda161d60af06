/* A partition's console: its virtual 16550 (guest/vuart.c) claimed on the vCPU's port
 * registry, its output line queue, and the keyboard's way in (16550 register semantics per
 * the PC16550D data sheet; the registers are bytes, so a wider access covers the next ones). */
#include "guest/partition_internal.h"

#include "arch/x86/lapic.h"
#include "arch/x86/percpu.h"
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
    /* A halted guest's CPU may skip its periodic slots: wake it for the byte. */
    uint32_t cpu = p->vcpu.cpu;
    if (p->vcpu.state == VCPU_HALTED && cpu != this_cpu()->index && cpu < CPU_MAX)
        lapic_send_fixed(percpu_area[cpu].apic_id, LAPIC_VECTOR_WAKEUP);
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

/* The registers are bytes: a wider access covers the next ones, as on a real UART, and a byte
 * past the UART reads all ones (no device there). */
static uint32_t vuart_port_read(void *ctx, uint16_t offset, unsigned size)
{
    struct partition *p = ctx;
    uint32_t result = 0;
    for (unsigned i = 0; i < size; i++) {
        unsigned reg = offset + i;
        uint8_t byte = 0xFF;
        if (reg < PARTITION_CONSOLE_PORTS) {
            partition_console_pull_input(p);
            byte = vuart_read(&p->vuart, reg);
            /* Back-pressure: while its line queue is full the transmitter reads busy. */
            if (reg == VUART_REG_LSR && !line_queue_has_room(&p->output)) {
                byte &= (uint8_t)~(VUART_LSR_THRE | VUART_LSR_TEMT);
                p->uart_tx_held = true;
            }
        }
        result |= (uint32_t)byte << (8 * i);
    }
    return result;
}

__attribute__((noinline)) static void vuart_port_write_wide(struct partition *p, uint16_t offset,
                                                             unsigned size, uint32_t value)
{
    for (unsigned i = 0; i < size && offset + i < PARTITION_CONSOLE_PORTS; i++)
        vuart_write(&p->vuart, offset + i, (uint8_t)(value >> (8 * i)));
}

/* Every character a guest prints is one of these: a byte to THR goes straight to the model. */
static void vuart_port_write(void *ctx, uint16_t offset, unsigned size, uint32_t value)
{
    struct partition *p = ctx;
    if (size == 1 && offset < PARTITION_CONSOLE_PORTS)
        vuart_write(&p->vuart, offset, (uint8_t)value);
    else
        vuart_port_write_wide(p, offset, size, value);
}

static const struct vcpu_port_ops vuart_port_ops = { vuart_port_read, vuart_port_write };

/* On a PC platform the UART drives an IRQ line, which follows every register access (an
 * interrupt-enable write, THR filling, IIR or RBR read). Only such partitions pay for it. */
static uint32_t vuart_irq_port_read(void *ctx, uint16_t offset, unsigned size)
{
    uint32_t value = vuart_port_read(ctx, offset, size);
    partition_platform_uart_changed(ctx);
    return value;
}

static void vuart_irq_port_write(void *ctx, uint16_t offset, unsigned size, uint32_t value)
{
    vuart_port_write(ctx, offset, size, value);
    partition_platform_uart_changed(ctx);
}

static const struct vcpu_port_ops vuart_irq_port_ops = { vuart_irq_port_read,
                                                         vuart_irq_port_write };

bool partition_console_attach(struct partition *p)
{
    vuart_init(&p->vuart, vuart_transmit, p);
    p->uart_tx_held = false;
    const struct vcpu_port_ops *ops = partition_wants_platform(p->config) ? &vuart_irq_port_ops
                                                                          : &vuart_port_ops;
    enum range_add_result r = vcpu_claim_ports(&p->vcpu, p->config->console.port,
                                               PARTITION_CONSOLE_PORTS, ops, p);
    if (r != RANGE_ADDED) {
        console_printf("partition %s: its virtual UART at 0x%x cannot claim its ports: %s\n",
                       p->config->name, p->config->console.port, range_add_result_name(r));
        return false;
    }
    return true;
}
