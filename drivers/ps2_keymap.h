/* PS/2 keyboard scan codes to the bytes a serial terminal would send (IBM PC AT keyboard
 * scan code sets 1 and 2, US layout): letters, digits, punctuation, Shift, Caps Lock,
 * Ctrl-letter, Enter as CR, Backspace as DEL, Tab, Esc, arrows as VT100 sequences. Pure:
 * compiled into the hypervisor and into the host unit tests. */
#ifndef DRIVERS_PS2_KEYMAP_H
#define DRIVERS_PS2_KEYMAP_H

#include <stdbool.h>
#include <stdint.h>

#define PS2_OUT_MAX 3               /* the longest output: ESC [ A */

/* All state; no allocation. */
struct ps2_keyboard {
    bool set2;                      /* raw scan code set 2 (the controller does not translate) */
    bool extended;                  /* E0 seen */
    bool release;                   /* F0 seen (set 2) */
    uint8_t pause_left;             /* bytes of the Pause sequence still to swallow */
    bool shift_left, shift_right, ctrl_left, ctrl_right, caps_lock;
};

void ps2_keyboard_init(struct ps2_keyboard *kb, bool set2);

/* Feeds one byte read from the keyboard; writes 0 to PS2_OUT_MAX bytes to out and returns
 * how many. Releases, modifiers, keys without a terminal meaning (F1, Home, ...) and
 * controller replies (ACK, resend, echo) give none. Any byte sequence is safe. */
unsigned ps2_keyboard_feed(struct ps2_keyboard *kb, uint8_t byte, char out[PS2_OUT_MAX]);

#endif
