/* The screen console: the boot loader's framebuffer (EGA text or linear RGB) as a console
 * sink, drawn from a character grid kept in hypervisor memory (drivers/fb_text.c). */
#ifndef DRIVERS_SCREEN_H
#define DRIVERS_SCREEN_H

#include <stdbool.h>

#include "boot/multiboot2.h"
#include "drivers/console.h"
#include "lib/diag.h"

#define SCREEN_MAX_CELLS    32768       /* 240 x 136: a 1920x1080 or doubled 4K screen fits */

/* Checks and maps the framebuffer of info (never RAM the memory map calls available),
 * clears it and fills *sink. False, with one report through d, when there is no screen
 * the hypervisor can draw on. */
bool screen_init(const struct mb2_info *info, struct console_sink *sink, const struct diag *d);
/* One line for the boot log: "framebuffer 1280x800x32 at 0x80000000, 160x50 characters,
 * write-combining" or "EGA text 80x25 at 0xb8000". Empty before screen_init succeeded. */
const char *screen_details(void);

#endif
