/* The debug shell's runtime on the boot CPU: the line editor fed from the console, and one
 * handler per command of shell/parse.c's table. */
#ifndef SHELL_SHELL_H
#define SHELL_SHELL_H

#include <stdint.h>

#define SHELL_PROMPT "tessera> "

/* Prints the banner line and the first prompt. */
void shell_start(void);
/* One byte typed at the console while the shell has the keyboard. */
void shell_input(uint8_t byte);
/* Prints the prompt and the line being typed again, after other output scrolled past. */
void shell_redraw(void);
/* The shell gets the keyboard back (after `console <part>`): a fresh prompt. */
void shell_resume(void);

#endif
