/* The i8042 keyboard controller, polled (IBM PC AT technical reference: 8042 status and command bytes). */
#include "drivers/keyboard.h"

#include <stdint.h>

#include "arch/x86/io.h"
#include "drivers/ps2_keymap.h"

#define I8042_DATA              0x60
#define I8042_STATUS            0x64    /* read */
#define I8042_COMMAND           0x64    /* write */
#define STATUS_OUTPUT_FULL      0x01
#define STATUS_INPUT_FULL       0x02
#define STATUS_AUX_DATA         0x20    /* the byte is the mouse's */
#define COMMAND_READ_CONFIG     0x20
#define CONFIG_TRANSLATE        0x40
#define I8042_ABSENT            0xFF
#define I8042_SPIN_LIMIT        100000
#define I8042_FLUSH_LIMIT       32
#define PENDING_MAX             8       /* bytes typed but not yet read: an arrow is 3 */

static struct ps2_keyboard keyboard;
static bool translated;
static char pending[PENDING_MAX];
static unsigned pending_head, pending_count;

static bool wait_status(uint8_t mask, uint8_t want)
{
    for (int spin = 0; spin < I8042_SPIN_LIMIT; spin++)
        if ((inb(I8042_STATUS) & mask) == want)
            return true;
    return false;
}

bool keyboard_init(void)
{
    if (inb(I8042_STATUS) == I8042_ABSENT)
        return false;
    for (int i = 0; i < I8042_FLUSH_LIMIT && (inb(I8042_STATUS) & STATUS_OUTPUT_FULL); i++)
        (void)inb(I8042_DATA);
    /* Most firmware leaves translation on (set 1); read it rather than assume it. A
     * controller that does not answer is taken as translating. */
    translated = true;
    if (wait_status(STATUS_INPUT_FULL, 0)) {
        outb(I8042_COMMAND, COMMAND_READ_CONFIG);
        if (wait_status(STATUS_OUTPUT_FULL, STATUS_OUTPUT_FULL))
            translated = inb(I8042_DATA) & CONFIG_TRANSLATE;
    }
    ps2_keyboard_init(&keyboard, !translated);
    return true;
}

const char *keyboard_describe(void)
{
    return translated ? "i8042, scan code set 1 (translated)" : "i8042, scan code set 2";
}

int keyboard_getc(void *ctx)
{
    (void)ctx;
    /* Bounded: a stuck controller (output always full) must not hold the boot CPU here. */
    for (int reads = 0; pending_count == 0; reads++) {
        if (reads == I8042_FLUSH_LIMIT)
            return -1;
        uint8_t status = inb(I8042_STATUS);
        if (status == I8042_ABSENT || !(status & STATUS_OUTPUT_FULL))
            return -1;
        uint8_t byte = inb(I8042_DATA);
        if (status & STATUS_AUX_DATA)
            continue;
        char out[PS2_OUT_MAX];
        unsigned n = ps2_keyboard_feed(&keyboard, byte, out);
        for (unsigned i = 0; i < n; i++)
            pending[(pending_head + pending_count++) % PENDING_MAX] = out[i];
    }
    char c = pending[pending_head];
    pending_head = (pending_head + 1) % PENDING_MAX;
    pending_count--;
    return (uint8_t)c;
}
