/* The console multiplexer, the boot CPU's console duties: partitions' output lines to the
 * UART, fairly; keyboard input to the registered input sink (the shell) or to the partition
 * holding the console focus. */
#ifndef GUEST_CONSOLE_MUX_H
#define GUEST_CONSOLE_MUX_H

#include <stdbool.h>
#include <stdint.h>

/* Ctrl-T: while a partition has the console, returns the keyboard to the shell. */
#define CONSOLE_ESCAPE_KEY      0x14
#define CONSOLE_SERVICE_MS      10

/* Where keyboard input goes while no partition has the focus (the shell registers itself):
 * input gets each byte; redraw is called after partition output interrupted the input line;
 * resume when the keyboard comes back from a partition. */
struct console_input_sink {
    void (*input)(uint8_t byte);
    void (*redraw)(void);
    void (*resume)(void);
};
void console_mux_set_sink(const struct console_input_sink *sink);

/* One round of console work; the boot CPU calls it every CONSOLE_SERVICE_MS, from its
 * guest's preemption-timer exits or from console_service_loop(). */
void console_service(void);

struct interval_stats;
/* The console service's regularity in TSC ticks since the figures were last taken (`latency`):
 * a keystroke waits at most the longest gap plus the longest round before it is handled. */
void console_service_figures(struct interval_stats *out);

struct partition;
/* `console <part>`: the keyboard goes to p until Ctrl-T. False (reported) if p is not running. */
bool console_focus_set(struct partition *p);
struct partition *console_focus_get(void);

/* The boot CPU's loop when it runs no guest: console_service() on a LAPIC timer tick. */
__attribute__((noreturn)) void console_service_loop(void);

#endif
