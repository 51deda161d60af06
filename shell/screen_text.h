/* Debug shell: a guest's VGA text screen (80x25 cells of character and attribute at
 * 0xB8000, IBM VGA technical reference, alphanumeric modes) as console lines. Pure: the cells
 * are guest bytes, so only printable ASCII ever reaches the console. */
#ifndef SHELL_SCREEN_TEXT_H
#define SHELL_SCREEN_TEXT_H

#include <stddef.h>
#include <stdint.h>

#include "shell/format.h"

#define SCREEN_TEXT_COLUMNS     80u
#define SCREEN_TEXT_ROWS        25u
#define SCREEN_TEXT_BYTES       (SCREEN_TEXT_COLUMNS * SCREEN_TEXT_ROWS * 2u)
#define SCREEN_TEXT_GPA         0xB8000ull
#define SCREEN_TEXT_ROW_MAX     (SCREEN_TEXT_COLUMNS + 1u)      /* a row and its NUL */

/* Row `row` of cells (cells_size bytes, two per cell: character, attribute) as text: the
 * attributes dropped, bytes 0x20-0x7e kept, 0x00 as a blank, any other byte as '.', trailing
 * blanks trimmed. Writes at most out_size - 1 characters and a NUL (nothing when out_size is
 * 0); returns the length written. A row that cells does not wholly hold renders empty. */
size_t screen_text_render_row(const uint8_t *cells, size_t cells_size, unsigned row, char *out,
                              size_t out_size);

/* Every row, each as one line "NN|<row text>" (NN the row number, right-aligned to two). */
void screen_text_render(const uint8_t *cells, size_t cells_size, shell_line_fn line, void *ctx);

#endif
