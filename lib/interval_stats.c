/* Pause, period and round-length figures of a periodic duty (lib/interval_stats.h). Pure. */
#include "lib/interval_stats.h"

static uint64_t since(uint64_t then, uint64_t now)
{
    return now > then ? now - then : 0;
}

void interval_stats_begin(struct interval_stats *s, uint64_t now)
{
    if (s->last_start) {
        s->period_sum += since(s->last_start, now);
        s->periods++;
    }
    if (s->last_end) {
        uint64_t pause = since(s->last_end, now);
        if (pause > s->pause_max)
            s->pause_max = pause;
    }
    s->last_start = now;
    s->rounds++;
}

void interval_stats_end(struct interval_stats *s, uint64_t start, uint64_t now)
{
    uint64_t busy = since(start, now);
    if (busy > s->busy_max)
        s->busy_max = busy;
    s->last_end = now;
}

void interval_stats_take(struct interval_stats *s, struct interval_stats *out)
{
    *out = *s;
    *s = (struct interval_stats){ .last_start = s->last_start, .last_end = s->last_end };
}

uint64_t interval_stats_mean_period(const struct interval_stats *s)
{
    return s->periods ? s->period_sum / s->periods : 0;
}
