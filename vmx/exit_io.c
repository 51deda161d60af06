/* I/O-instruction exits (SDM Vol. 3C 28.2.1, table 28-5 qualification): the partition's
 * virtual console, ports its table grants in one direction only, and everything else,
 * which behaves as on a PC with no device there: reads all ones, writes dropped. */
#include "arch/x86/io.h"
#include "drivers/console.h"
#include "guest/io_bitmap.h"
#include "guest/partition_run.h"
#include "vmx/exit.h"
#include "vmx/exit_reasons.h"

#define UART_REG_THR        0
#define UART_REG_LSR        5

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

static uint32_t console_read(unsigned reg)
{
    return reg == UART_REG_LSR ? 0x60 : 0;     /* transmitter empty, nothing received */
}

static void passthrough(struct vcpu *v, uint16_t port, unsigned size, bool in)
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

enum exit_action exit_io(struct vcpu *v, const struct exit_info *e)
{
    struct partition *p = v->partition;
    unsigned size = VMX_QUAL_IO_SIZE(e->qualification) + 1;
    bool in = (e->qualification & VMX_QUAL_IO_IN) != 0;
    uint16_t port = (uint16_t)VMX_QUAL_IO_PORT(e->qualification);

    if (e->qualification & VMX_QUAL_IO_STRING)
        return exit_stop_with_report(v, e, "string I/O is not emulated");

    uint16_t console = p->config->console.port;
    if (port >= console && port < console + 8) {
        unsigned reg = port - console;
        if (in)
            set_in_result(v, size, console_read(reg));
        else if (reg == UART_REG_THR)
            partition_console_putc(p, (char)v->regs.rax);
        return EXIT_ADVANCE;
    }

    bool allowed = true;
    for (unsigned i = 0; i < size && allowed; i++)
        allowed = io_policy_allows(p->config, (uint16_t)(port + i), !in);
    if (allowed) {
        passthrough(v, port, size, in);
        return EXIT_ADVANCE;
    }
    p->io_dropped++;
    if (in)
        set_in_result(v, size, 0xFFFFFFFFu);
    return EXIT_ADVANCE;
}
