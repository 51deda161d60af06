/* 16550 UART, polled (PC16550D data sheet, register map and line status). */
#include "drivers/uart.h"

#include "arch/x86/io.h"

enum uart_reg {
    UART_RBR_THR = 0,   /* receive buffer / transmit holding (DLL when DLAB=1) */
    UART_IER = 1,       /* interrupt enable (DLM when DLAB=1) */
    UART_FCR = 2,       /* FIFO control (write) */
    UART_LCR = 3,
    UART_MCR = 4,
    UART_LSR = 5,
    UART_SCR = 7,
};

#define LCR_8N1         0x03
#define LCR_DLAB        0x80
#define FCR_ENABLE_CLEAR 0x07
#define MCR_DTR_RTS     0x03
#define LSR_DATA_READY  0x01
#define LSR_THR_EMPTY   0x20
/* Bounded wait for the transmitter: a missing or stuck UART must not hang the CPU.
 * One character at 115200 baud takes ~87 us; this is far more than that. */
#define UART_TX_SPIN_LIMIT 1000000

bool uart_init(struct uart *u, uint16_t base, uint32_t baud)
{
    u->base = base;
    u->baud = baud;
    u->present = false;

    outb(base + UART_SCR, 0xA5);
    if (inb(base + UART_SCR) != 0xA5)
        return false;
    outb(base + UART_SCR, 0x5A);
    if (inb(base + UART_SCR) != 0x5A)
        return false;

    uint32_t divisor = UART_CLOCK_HZ / 16 / (baud ? baud : 115200);
    if (divisor == 0)
        divisor = 1;
    outb(base + UART_IER, 0);
    outb(base + UART_LCR, LCR_DLAB);
    outb(base + UART_RBR_THR, (uint8_t)divisor);
    outb(base + UART_IER, (uint8_t)(divisor >> 8));
    outb(base + UART_LCR, LCR_8N1);
    outb(base + UART_FCR, FCR_ENABLE_CLEAR);
    outb(base + UART_MCR, MCR_DTR_RTS);
    u->present = true;
    return true;
}

void uart_putc(const struct uart *u, char c)
{
    if (!u->present)
        return;
    for (int spin = 0; spin < UART_TX_SPIN_LIMIT; spin++)
        if (inb(u->base + UART_LSR) & LSR_THR_EMPTY)
            break;
    outb(u->base + UART_RBR_THR, (uint8_t)c);
}

int uart_getc(const struct uart *u)
{
    if (!u->present || !(inb(u->base + UART_LSR) & LSR_DATA_READY))
        return -1;
    return inb(u->base + UART_RBR_THR);
}
