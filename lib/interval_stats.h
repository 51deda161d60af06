/* How regularly a periodic duty runs, in any clock's ticks: the pauses between its rounds
 * (from the end of one to the start of the next: the time something else had the CPU) and
 * how long each round takes. The boot CPU's console service uses TSC ticks, so the shell can
 * tell how long its guest kept the console waiting. Pure; one instance per duty, one CPU. */
#ifndef LIB_INTERVAL_STATS_H
#define LIB_INTERVAL_STATS_H

#include <stdint.h>

struct interval_stats {
    uint64_t last_start;    /* start of the latest round; 0 before the first */
    uint64_t last_end;      /* end of the latest finished round; 0 before the first */
    uint64_t rounds;        /* rounds begun since the figures were last taken */
    uint64_t period_sum;    /* sum of start-to-start periods counted in periods */
    uint64_t periods;
    uint64_t pause_max;     /* longest end-to-start pause */
    uint64_t busy_max;      /* longest round, start to end */
};

/* A round starts at now; a clock that went backwards counts as 0. */
void interval_stats_begin(struct interval_stats *s, uint64_t now);
/* The round that began at start ended at now. */
void interval_stats_end(struct interval_stats *s, uint64_t start, uint64_t now);
/* Copies the figures into *out and starts a new window; the latest round's start and end are
 * kept, so the next pause and period are still measured from them. */
void interval_stats_take(struct interval_stats *s, struct interval_stats *out);
/* Mean start-to-start period of a window, 0 without one. */
uint64_t interval_stats_mean_period(const struct interval_stats *s);

#endif
