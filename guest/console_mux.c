/* The console multiplexer, the boot CPU's console duties (every CONSOLE_SERVICE_MS):
 * partitions' output lines to the UART, a few per partition per round so a flooding guest
 * cannot starve the others; keyboard bytes to the input sink (the shell), or to the
 * partition holding the focus until Ctrl-T. */
#include "guest/console_mux.h"

#include "arch/x86/cpu.h"
#include "arch/x86/lapic.h"
#include "drivers/console.h"
#include "drivers/timer.h"
#include "guest/partition_run.h"
#include "lib/interval_stats.h"

/* Per round and partition: enough to keep up with a chatty guest (a few hundred lines a
 * second) while bounding how long the boot CPU's guest waits in a timer exit. */
#define LINES_PER_PARTITION_PER_ROUND   4

static struct partition *focus;
static struct interval_stats service_stats;
static const struct console_input_sink *sink;

void console_mux_set_sink(const struct console_input_sink *s)
{
    sink = s;
}

bool console_focus_set(struct partition *p)
{
    if (p->state != PARTITION_RUNNING) {
        console_printf("console: %s is not running\n", p->config->name);
        return false;
    }
    focus = p;
    return true;
}

struct partition *console_focus_get(void)
{
    return focus;
}

/* Returns whether it printed anything. */
static bool drain_output(void)
{
    char line[LINE_QUEUE_OUT_MAX];
    bool printed = false;
    for (unsigned round = 0; round < LINES_PER_PARTITION_PER_ROUND; round++) {
        bool any = false;
        for (uint32_t i = 0; i < partition_count(); i++) {
            struct partition *p = partition_get(i);
            uint32_t dropped = 0;
            bool got = line_queue_pop(&p->output, line, sizeof(line), &dropped);
            if (dropped)
                console_printf("[%s] ... %u lines dropped\n", p->config->name, dropped);
            if (got)
                console_printf("[%s] %s\n", p->config->name, line);
            any |= got;
            printed |= got || dropped;
        }
        if (!any)
            break;
    }
    return printed;
}

static void handle_input(void)
{
    int c;
    while ((c = console_getc()) >= 0) {
        if (!focus) {
            if (sink)
                sink->input((uint8_t)c);
        } else if (c == CONSOLE_ESCAPE_KEY || focus->state != PARTITION_RUNNING) {
            console_printf("\nconsole: keyboard back to the shell\n");
            focus = 0;
            if (sink)
                sink->resume();
        } else {
            partition_console_input(focus, (uint8_t)c);
        }
    }
}

void console_service(void)
{
    uint64_t start = rdtsc();
    interval_stats_begin(&service_stats, start);
    if (drain_output() && !focus && sink)
        sink->redraw();
    handle_input();
    console_flush(false);
    interval_stats_end(&service_stats, start, rdtsc());
}

void console_service_figures(struct interval_stats *out)
{
    interval_stats_take(&service_stats, out);
}

void console_service_loop(void)
{
    const struct timer_calibration *t = timer_calibration();
    uint64_t ticks = t->lapic_hz / (1000 / CONSOLE_SERVICE_MS);
    lapic_timer_periodic(LAPIC_VECTOR_TICK, ticks > 0xFFFFFFFFULL ? 0xFFFFFFFFu
                                                                 : (uint32_t)(ticks ? ticks : 100000));
    for (;;) {
        console_service();
        partition_run_pending_boot_cpu();
        /* sti's shadow covers hlt: the tick cannot slip in between and be lost. */
        __asm__ volatile("sti; hlt; cli" ::: "memory");
    }
}
