/* 16550 UART, polled (PC16550D data sheet): at an I/O port, or memory-mapped with 8- or
 * 32-bit registers (as ACPI's SPCR or a PCI card's memory BAR describe it). */
#ifndef DRIVERS_UART_H
#define DRIVERS_UART_H

#include <stdbool.h>
#include <stdint.h>

#define UART_COM1   0x3F8
#define UART_COM2   0x2F8
#define UART_COM3   0x3E8
#define UART_COM4   0x2E8
#define UART_CLOCK_HZ   1843200u    /* the PC's UART clock: divisor 1 = 115200 baud */

enum uart_access {
    UART_ACCESS_IO,         /* I/O ports base .. base + 7 */
    UART_ACCESS_MMIO8,      /* bytes at base + register */
    UART_ACCESS_MMIO32,     /* 32-bit words at base + 4 * register */
};

struct uart {
    enum uart_access access;
    uint64_t base;          /* I/O port or physical address (identity-mapped by the caller) */
    uint32_t baud;          /* 0: as the firmware left it */
    bool present;
};

/* Programs the UART for baud (0: keep the firmware's divisor and line settings), 8N1, FIFOs
 * on, interrupts off; the divisor needs clock_hz (0: unknown, the divisor is kept). False
 * when no UART answers there (the scratch register does not hold a value). */
bool uart_init_at(struct uart *u, enum uart_access access, uint64_t base, uint32_t baud,
                  uint32_t clock_hz);
void uart_putc(const struct uart *u, char c);
/* A received byte, or -1 when none is waiting. */
int uart_getc(const struct uart *u);

#endif
