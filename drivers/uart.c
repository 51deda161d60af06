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

static uint8_t reg_read(const struct uart *u, enum uart_reg reg)
{
    switch (u->access) {
    case UART_ACCESS_MMIO8:
        return *(volatile uint8_t *)(uintptr_t)(u->base + reg);
    case UART_ACCESS_MMIO32:
        return (uint8_t)*(volatile uint32_t *)(uintptr_t)(u->base + 4u * reg);
    default:
        return inb((uint16_t)(u->base + reg));
    }
}

static void reg_write(const struct uart *u, enum uart_reg reg, uint8_t value)
{
    switch (u->access) {
    case UART_ACCESS_MMIO8:
        *(volatile uint8_t *)(uintptr_t)(u->base + reg) = value;
        break;
    case UART_ACCESS_MMIO32:
        *(volatile uint32_t *)(uintptr_t)(u->base + 4u * reg) = value;
        break;
    default:
        outb((uint16_t)(u->base + reg), value);
        break;
    }
}

static bool scratch_holds(const struct uart *u, uint8_t value)
{
    reg_write(u, UART_SCR, value);
    return reg_read(u, UART_SCR) == value;
}

bool uart_init_at(struct uart *u, enum uart_access access, uint64_t base, uint32_t baud,
                  uint32_t clock_hz)
{
    *u = (struct uart){ .access = access, .base = base, .baud = baud };
    if (!scratch_holds(u, 0xA5) || !scratch_holds(u, 0x5A))
        return false;

    reg_write(u, UART_IER, 0);
    if (baud && clock_hz) {
        uint32_t divisor = clock_hz / 16 / baud;
        if (divisor == 0)
            divisor = 1;
        reg_write(u, UART_LCR, LCR_DLAB);
        reg_write(u, UART_RBR_THR, (uint8_t)divisor);
        reg_write(u, UART_IER, (uint8_t)(divisor >> 8));
        reg_write(u, UART_LCR, LCR_8N1);
    } else {
        u->baud = 0;
        reg_write(u, UART_LCR, (uint8_t)(reg_read(u, UART_LCR) & ~LCR_DLAB));
    }
    reg_write(u, UART_FCR, FCR_ENABLE_CLEAR);
    reg_write(u, UART_MCR, MCR_DTR_RTS);
    u->present = true;
    return true;
}

void uart_putc(const struct uart *u, char c)
{
    if (!u->present)
        return;
    for (int spin = 0; spin < UART_TX_SPIN_LIMIT; spin++)
        if (reg_read(u, UART_LSR) & LSR_THR_EMPTY)
            break;
    reg_write(u, UART_RBR_THR, (uint8_t)c);
}

int uart_getc(const struct uart *u)
{
    if (!u->present || !(reg_read(u, UART_LSR) & LSR_DATA_READY))
        return -1;
    return reg_read(u, UART_RBR_THR);
}
