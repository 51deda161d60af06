/* 16550 UART, polled (PC16550D data sheet; register offsets from the I/O base). */
#ifndef DRIVERS_UART_H
#define DRIVERS_UART_H

#include <stdbool.h>
#include <stdint.h>

#define UART_COM1   0x3F8
#define UART_COM2   0x2F8
#define UART_COM3   0x3E8
#define UART_COM4   0x2E8
#define UART_CLOCK_HZ   1843200u

struct uart {
    uint16_t base;
    uint32_t baud;
    bool present;
};

/* Programs base for baud, 8N1, FIFOs on. False when no UART answers there
 * (the scratch register does not hold a value). */
bool uart_init(struct uart *u, uint16_t base, uint32_t baud);
void uart_putc(const struct uart *u, char c);
/* A received byte, or -1 when none is waiting. */
int uart_getc(const struct uart *u);

#endif
