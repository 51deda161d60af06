/* Debug shell: a byte-at-a-time line editor for a dumb serial terminal (VT100 arrow keys). */
#ifndef SHELL_LINE_EDITOR_H
#define SHELL_LINE_EDITOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "shell/parse.h"

#define LINE_EDITOR_HISTORY 16      /* lines kept for the up and down arrows */

enum line_editor_event {
    LINE_EDITOR_NONE,       /* byte consumed, nothing finished */
    LINE_EDITOR_LINE,       /* Enter: *line is the finished line (possibly "") */
    LINE_EDITOR_CANCEL      /* Ctrl-C: the line was abandoned */
};

/* Receives everything the editor shows: echo, erasures, bells, completion lists. Newlines
 * are bare "\n"; the console turns them into CR LF. */
typedef void (*line_editor_echo_fn)(void *ctx, const char *bytes, size_t n);

/* The index-th partition name for completion, or NULL past the last one. */
typedef const char *(*line_editor_name_fn)(void *ctx, unsigned index);

enum line_editor_escape {
    LINE_EDITOR_ESC_NONE,
    LINE_EDITOR_ESC_SEEN,   /* ESC received */
    LINE_EDITOR_ESC_SEQ     /* ESC [ or ESC O received, waiting for the final byte */
};

/* All state; no allocation. Treat as opaque. */
struct line_editor {
    line_editor_echo_fn echo;
    line_editor_name_fn partition_name;     /* may be NULL: no partition completion */
    void *ctx;
    const char *prompt;                     /* echoed only when redrawing */
    char line[SHELL_LINE_MAX + 1];
    size_t len;
    char done[SHELL_LINE_MAX + 1];          /* the last finished line */
    char draft[SHELL_LINE_MAX + 1];         /* the typed line while browsing history */
    char history[LINE_EDITOR_HISTORY][SHELL_LINE_MAX + 1];
    unsigned history_count;                 /* entries held */
    unsigned history_next;                  /* slot the next entry goes into */
    unsigned browse;                        /* 0: editing; k: showing the k-th newest entry */
    enum line_editor_escape escape;
    bool after_cr;                          /* swallow the LF of a CR LF */
    bool tab_pending;                       /* the previous key was an unfinished Tab */
};

void line_editor_init(struct line_editor *le, const char *prompt, line_editor_echo_fn echo,
                      line_editor_name_fn partition_name, void *ctx);

/* Feeds one received byte. On LINE_EDITOR_LINE, *line (if line is not NULL) points at the
 * finished line, valid until the next LINE event; otherwise *line is set to NULL.
 *   printable      appended (BEL 0x07 when the line already holds SHELL_LINE_MAX)
 *   BS, DEL        erase the last character ("\b \b")
 *   Ctrl-U         erase the whole line
 *   Ctrl-C         "^C\n", abandon the line
 *   CR, LF, CR LF  finish the line ("\n"); non-empty lines go into the history
 *   ESC [ A / B    (or ESC O A / B) older / newer history entry, BEL past either end
 *   Tab            complete the current word; a second Tab lists the candidates
 * Other control bytes and other escape sequences are ignored. */
enum line_editor_event line_editor_feed(struct line_editor *le, uint8_t byte, const char **line);

/* Echoes the prompt and the line typed so far, e.g. after other output interrupted it. */
void line_editor_redraw(const struct line_editor *le);

#endif
