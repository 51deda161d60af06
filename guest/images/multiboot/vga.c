/* VGA text memory of the partition: 80x25 cells of (character, attribute) at 0xB8000 (IBM VGA
 * technical reference, alphanumeric modes), written directly; tessera's `screen` shows it. */
#include "guest/images/multiboot/mb_kernel.h"

#define VGA_COLUMNS     80u
#define VGA_ROWS        25u
#define VGA_BLANK_ATTR  0x07

static volatile uint8_t *cell(unsigned row, unsigned column)
{
    return (volatile uint8_t *)(uintptr_t)MB_VGA_TEXT + 2 * (row * VGA_COLUMNS + column);
}

void vga_write_row(unsigned row, uint8_t attr, const char *text)
{
    if (row >= VGA_ROWS)
        return;
    for (unsigned c = 0; c < VGA_COLUMNS; c++) {
        volatile uint8_t *p = cell(row, c);
        p[0] = (uint8_t)(*text ? *text++ : ' ');
        p[1] = attr;
    }
}

void vga_clear(void)
{
    for (unsigned r = 0; r < VGA_ROWS; r++)
        vga_write_row(r, VGA_BLANK_ATTR, "");
}
