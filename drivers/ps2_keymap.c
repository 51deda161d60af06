/* PS/2 scan codes (sets 1 and 2, US layout) to terminal bytes (IBM PC AT keyboard technical reference; VT100 cursor keys). */
#include "drivers/ps2_keymap.h"

/* Set 1 make codes this keymap names. */
#define SC_CTRL         0x1D
#define SC_SHIFT_LEFT   0x2A
#define SC_SHIFT_RIGHT  0x36
#define SC_CAPS_LOCK    0x3A
#define SC_UP           0x48
#define SC_LEFT         0x4B
#define SC_RIGHT        0x4D
#define SC_DOWN         0x50
#define SC_ENTER        0x1C
#define SC_SLASH        0x35
#define SC_KEYPAD_FIRST 0x47
#define SC_KEYPAD_LAST  0x53
#define SC_RELEASE      0x80

#define BYTE_ACK        0xFA
#define BYTE_RESEND     0xFE
#define BYTE_ECHO       0xEE
#define BYTE_ERROR      0xFF
#define PREFIX_EXTENDED 0xE0
#define PREFIX_PAUSE    0xE1
#define SET2_RELEASE    0xF0
#define PAUSE_SET1_REST 5           /* E1 1D 45 E1 9D C5 */
#define PAUSE_SET2_REST 7           /* E1 14 77 E1 F0 14 F0 77 */

/* Set 1 codes 0x00-0x39 as typed, without and with Shift; 0: no character. */
static const char us_plain[] = "\0" "\033" "1234567890-=" "\177" "\t" "qwertyuiop[]" "\r"
                               "\0" "asdfghjkl;'`" "\0" "\\zxcvbnm,./" "\0" "*" "\0" " ";
static const char us_shift[] = "\0" "\033" "!@#$%^&*()_+" "\177" "\t" "QWERTYUIOP{}" "\r"
                               "\0" "ASDFGHJKL:\"~" "\0" "|ZXCVBNM<>?" "\0" "*" "\0" " ";
_Static_assert(sizeof(us_plain) == 0x3A + 1 && sizeof(us_shift) == 0x3A + 1,
               "one character per set 1 code 0x00-0x39");
/* The keypad, set 1 codes 0x47-0x53, always as digits (Num Lock is not tracked). */
static const char keypad[] = "789-456+1230.";

/* Set 2 make codes to set 1, as the keyboard controller translates them. */
static const uint8_t set2_to_set1[0x84] = {
    [0x76] = 0x01, [0x16] = 0x02, [0x1E] = 0x03, [0x26] = 0x04, [0x25] = 0x05, [0x2E] = 0x06,
    [0x36] = 0x07, [0x3D] = 0x08, [0x3E] = 0x09, [0x46] = 0x0A, [0x45] = 0x0B, [0x4E] = 0x0C,
    [0x55] = 0x0D, [0x66] = 0x0E, [0x0D] = 0x0F, [0x15] = 0x10, [0x1D] = 0x11, [0x24] = 0x12,
    [0x2D] = 0x13, [0x2C] = 0x14, [0x35] = 0x15, [0x3C] = 0x16, [0x43] = 0x17, [0x44] = 0x18,
    [0x4D] = 0x19, [0x54] = 0x1A, [0x5B] = 0x1B, [0x5A] = 0x1C, [0x14] = 0x1D, [0x1C] = 0x1E,
    [0x1B] = 0x1F, [0x23] = 0x20, [0x2B] = 0x21, [0x34] = 0x22, [0x33] = 0x23, [0x3B] = 0x24,
    [0x42] = 0x25, [0x4B] = 0x26, [0x4C] = 0x27, [0x52] = 0x28, [0x0E] = 0x29, [0x12] = 0x2A,
    [0x5D] = 0x2B, [0x1A] = 0x2C, [0x22] = 0x2D, [0x21] = 0x2E, [0x2A] = 0x2F, [0x32] = 0x30,
    [0x31] = 0x31, [0x3A] = 0x32, [0x41] = 0x33, [0x49] = 0x34, [0x4A] = 0x35, [0x59] = 0x36,
    [0x7C] = 0x37, [0x11] = 0x38, [0x29] = 0x39, [0x58] = 0x3A, [0x05] = 0x3B, [0x06] = 0x3C,
    [0x04] = 0x3D, [0x0C] = 0x3E, [0x03] = 0x3F, [0x0B] = 0x40, [0x83] = 0x41, [0x0A] = 0x42,
    [0x01] = 0x43, [0x09] = 0x44, [0x77] = 0x45, [0x7E] = 0x46, [0x6C] = 0x47, [0x75] = 0x48,
    [0x7D] = 0x49, [0x7B] = 0x4A, [0x6B] = 0x4B, [0x73] = 0x4C, [0x74] = 0x4D, [0x79] = 0x4E,
    [0x69] = 0x4F, [0x72] = 0x50, [0x7A] = 0x51, [0x70] = 0x52, [0x71] = 0x53, [0x78] = 0x57,
    [0x07] = 0x58,
};

void ps2_keyboard_init(struct ps2_keyboard *kb, bool set2)
{
    *kb = (struct ps2_keyboard){ .set2 = set2 };
}

static unsigned arrow(char final, char out[PS2_OUT_MAX])
{
    out[0] = '\033';
    out[1] = '[';
    out[2] = final;
    return 3;
}

static unsigned extended_key(struct ps2_keyboard *kb, uint8_t code, bool release,
                             char out[PS2_OUT_MAX])
{
    if (code == SC_CTRL) {
        kb->ctrl_right = !release;
        return 0;
    }
    if (release)
        return 0;
    switch (code) {
    case SC_UP:    return arrow('A', out);
    case SC_DOWN:  return arrow('B', out);
    case SC_RIGHT: return arrow('C', out);
    case SC_LEFT:  return arrow('D', out);
    case SC_ENTER: out[0] = '\r'; return 1;
    case SC_SLASH: out[0] = '/'; return 1;
    default:       return 0;    /* Home, Delete, the fake shifts around them, ... */
    }
}

static bool is_letter(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* One key in set 1 terms: the modifier state, then the byte it types. */
static unsigned key(struct ps2_keyboard *kb, uint8_t code, bool release, bool extended,
                    char out[PS2_OUT_MAX])
{
    if (extended)
        return extended_key(kb, code, release, out);
    switch (code) {
    case SC_SHIFT_LEFT:  kb->shift_left = !release; return 0;
    case SC_SHIFT_RIGHT: kb->shift_right = !release; return 0;
    case SC_CTRL:        kb->ctrl_left = !release; return 0;
    case SC_CAPS_LOCK:   kb->caps_lock ^= !release; return 0;
    default:             break;
    }
    if (release)
        return 0;
    if (code >= SC_KEYPAD_FIRST && code <= SC_KEYPAD_LAST) {
        out[0] = keypad[code - SC_KEYPAD_FIRST];
        return 1;
    }
    if (code >= sizeof(us_plain) - 1 || !us_plain[code])
        return 0;                   /* function keys, Alt, Num Lock, ... */
    bool shift = kb->shift_left || kb->shift_right;
    char c = us_plain[code];
    if (is_letter(c) && kb->caps_lock)
        shift = !shift;
    c = shift ? us_shift[code] : c;
    if (kb->ctrl_left || kb->ctrl_right) {
        if (!is_letter(c) && c != '[' && c != '\\' && c != ']')
            return 0;
        c = (char)(c & 0x1F);       /* Ctrl-A = 0x01 ... Ctrl-] = 0x1D */
    }
    out[0] = c;
    return 1;
}

unsigned ps2_keyboard_feed(struct ps2_keyboard *kb, uint8_t byte, char out[PS2_OUT_MAX])
{
    if (kb->pause_left) {
        kb->pause_left--;
        return 0;
    }
    switch (byte) {
    case PREFIX_EXTENDED:
        kb->extended = true;
        return 0;
    case PREFIX_PAUSE:
        kb->pause_left = kb->set2 ? PAUSE_SET2_REST : PAUSE_SET1_REST;
        kb->extended = kb->release = false;
        return 0;
    case BYTE_ACK: case BYTE_RESEND: case BYTE_ECHO: case BYTE_ERROR: case 0x00:
        return 0;
    default:
        break;
    }
    bool extended = kb->extended, release;
    uint8_t code;
    if (kb->set2) {
        if (byte == SET2_RELEASE) {
            kb->release = true;
            return 0;
        }
        release = kb->release;
        code = byte < sizeof(set2_to_set1) ? set2_to_set1[byte] : 0;
    } else {
        release = byte & SC_RELEASE;
        code = byte & (uint8_t)~SC_RELEASE;
    }
    kb->extended = kb->release = false;
    return code ? key(kb, code, release, extended, out) : 0;
}
