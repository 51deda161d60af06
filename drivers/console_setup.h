/* Finding the consoles of a PC at boot: the serial port the command line names (COM1 by
 * default), the UART ACPI's SPCR table names, 16550-compatible PCI serial cards, the boot
 * loader's framebuffer and the PS/2 keyboard. */
#ifndef DRIVERS_CONSOLE_SETUP_H
#define DRIVERS_CONSOLE_SETUP_H

#include <stdbool.h>
#include <stdint.h>

#include "boot/multiboot2.h"

#define CONSOLE_SERIAL_MAX  4       /* command line, SPCR, two PCI cards */

/* Attaches every console found; each replays what was logged so far. Runs right after the
 * boot information is parsed (before the frame allocator: page tables for a framebuffer
 * come from a static pool). Reports nothing yet: see console_setup_report. */
void console_setup(const struct mb2_info *info);
/* Logs what console_setup found, first the summary
 *   console: serial 0x3f8 (COM1), framebuffer 1280x800x32, keyboard
 * then one line per console and one per problem. */
void console_setup_report(void);
/* The I/O ports of the serial consoles (the first is the command line's), at most max;
 * returns how many. No partition may be granted them. */
uint32_t console_serial_ports(uint16_t *ports, uint32_t max);
/* Stops reading the keyboard: a partition owns the i8042. */
void console_keyboard_release(const char *partition);

#endif
