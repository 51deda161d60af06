/* The PS/2 keyboard on the i8042 controller (ports 0x60/0x64), polled, as console input. */
#ifndef DRIVERS_KEYBOARD_H
#define DRIVERS_KEYBOARD_H

#include <stdbool.h>

/* Looks for the controller and asks whether it translates to scan code set 1. False when
 * nothing answers at port 0x64 (many recent PCs have no i8042). */
bool keyboard_init(void);
/* "i8042, scan code set 1 (translated)" or "... set 2". */
const char *keyboard_describe(void);
/* A typed byte or -1; the ctx is ignored (a console sink's getc). */
int keyboard_getc(void *ctx);

#endif
