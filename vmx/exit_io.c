/* I/O-instruction exits (SDM Vol. 3C 28.2.1, table 28-5 qualification): the partition's
 * virtual console, ports its table grants in one direction only, and everything else,
 * which behaves as on a PC with no device there: reads all ones, writes dropped. */
#include "arch/x86/io.h"
#include "drivers/console.h"
#include "guest/io_bitmap.h"
#include "guest/partition_run.h"
#include "vmx/exit.h"
#include "vmx/exit_reasons.h"


static uint64_t size_mask(unsigned size)
{
    return size == 4 ? 0xFFFFFFFFULL : size == 2 ? 0xFFFFULL : 0xFFULL;
}

/* IN writes AL/AX/EAX; a 32-bit IN zero-extends into RAX like any 32-bit register write. */
static void set_in_result(struct vcpu *v, unsigned size, uint32_t value)
{
    if (size == 4)
        v->regs.rax = value;
    else
        v->regs.rax = (v->regs.rax & ~size_mask(size)) | (value & size_mask(size));
}


__attribute__((noinline)) static void passthrough(struct vcpu *v, uint16_t port, unsigned size, bool in)
{
    if (in) {
        uint32_t value = size == 1 ? inb(port) : size == 2 ? inw(port) : inl(port);
        set_in_result(v, size, value);
    } else if (size == 1) {
        outb(port, (uint8_t)v->regs.rax);
    } else if (size == 2) {
        outw(port, (uint16_t)v->regs.rax);
    } else {
        outl(port, (uint32_t)v->regs.rax);
    }
}

/* The uncommon cases, out of line so the dropped-port path needs no stack frame. */
__attribute__((noinline)) static enum exit_action io_console(struct vcpu *v, unsigned reg,
                                                             unsigned size, bool in)
{
    struct partition *p = v->partition;
    /* The registers are bytes: a wider access covers the next ones, as on a real UART. */
    uint32_t value = 0;
    for (unsigned i = 0; i < size && reg + i < 8; i++) {
        if (in) {
            partition_console_pull_input(p);
            uint8_t byte = vuart_read(&p->vuart, reg + i);
            /* Back-pressure: while its line queue is full the transmitter reads busy. */
            if (reg + i == VUART_REG_LSR && !line_queue_has_room(&p->output))
                byte &= (uint8_t)~(VUART_LSR_THRE | VUART_LSR_TEMT);
            value |= (uint32_t)byte << (8 * i);
        } else {
            vuart_write(&p->vuart, reg + i, (uint8_t)(v->regs.rax >> (8 * i)));
        }
    }
    if (in)
        set_in_result(v, size, value);
    return EXIT_ADVANCE;
}

/* Out of line: printed once per port and direction per partition. */
__attribute__((noinline)) static void io_report_first(struct partition *p, uint16_t port, bool in)
{
    if (report_once_first(&p->ports_reported, report_key_port(port, in ? 0 : 1)))
        console_printf("partition %s: port 0x%x %s not granted: %s\n", p->config->name, port,
                       in ? "read" : "write", in ? "read as all ones" : "dropped");
}

static enum exit_action io_dropped(struct vcpu *v, uint16_t port, unsigned size, bool in)
{
    struct partition *p = v->partition;
    uint64_t key = report_key_port(port, in ? 0 : 1);
    p->io_dropped++;
    if (key != p->last_dropped_key) {   /* a guest hammering one port stays cheap */
        p->last_dropped_key = key;
        io_report_first(p, port, in);
    }
    if (in)
        set_in_result(v, size, 0xFFFFFFFFu);
    return EXIT_ADVANCE;
}

/* A port granted in one direction only: the bitmap cannot say so, so it exits. */
__attribute__((noinline)) static enum exit_action io_one_way(struct vcpu *v, uint16_t port,
                                                             unsigned size, bool in)
{
    bool allowed = true;
    for (unsigned i = 0; i < size && allowed; i++)
        allowed = io_policy_allows(v->partition->config, (uint16_t)(port + i), !in);
    if (!allowed)
        return io_dropped(v, port, size, in);
    passthrough(v, port, size, in);
    return EXIT_ADVANCE;
}

__attribute__((noinline)) static enum exit_action io_string(struct vcpu *v,
                                                            const struct exit_info *e)
{
    return exit_stop_with_report(v, e, "string I/O is not emulated");
}

/* The common case, a port nobody granted, stays a leaf: everything else is a tail call. */
enum exit_action exit_io(struct vcpu *v, const struct exit_info *e)
{
    const struct partition *p = v->partition;
    uint64_t q = exit_qualification();
    unsigned size = VMX_QUAL_IO_SIZE(q) + 1;
    bool in = (q & VMX_QUAL_IO_IN) != 0;
    uint16_t port = (uint16_t)VMX_QUAL_IO_PORT(q);

    if (q & VMX_QUAL_IO_STRING)
        return io_string(v, e);
    unsigned console_reg = (unsigned)(uint16_t)(port - p->config->console.port);
    if (console_reg < 8)
        return io_console(v, console_reg, size, in);
    if (p->has_one_way_port_grants)
        return io_one_way(v, port, size, in);
    return io_dropped(v, port, size, in);
}
