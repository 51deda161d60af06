/* A partition's console output as whole lines: a lock-free single-producer/single-consumer
 * ring, so a guest that floods its console loses its own lines (counted, and reported where
 * they were lost) without stalling the CPU that drains the console or garbling the lines of
 * other partitions. Pure: no locks, no allocation; the indices use __atomic acquire/release.
 *
 * Producer: the partition's CPU (line_queue_putc, line_queue_flush_partial).
 * Consumer: the one CPU draining the console (line_queue_pop). One of each per queue. */
#ifndef GUEST_LINE_QUEUE_H
#define GUEST_LINE_QUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LINE_QUEUE_LINE_MAX     160u    /* characters per stored line; longer lines split */
#define LINE_QUEUE_DEPTH        64u     /* completed lines held; a power of two */
/* Starts the text of a line that continues a split one. */
#define LINE_QUEUE_CONTINUATION "+ "
/* An out buffer of this size never truncates a popped line (marker, text, NUL). */
#define LINE_QUEUE_OUT_MAX      (LINE_QUEUE_LINE_MAX + sizeof(LINE_QUEUE_CONTINUATION))

_Static_assert((LINE_QUEUE_DEPTH & (LINE_QUEUE_DEPTH - 1)) == 0, "depth is a power of two");
_Static_assert(LINE_QUEUE_LINE_MAX <= UINT8_MAX, "line length fits a uint8_t");

struct line_queue_slot {
    uint64_t drops_before;      /* producer's drop total when this line was queued */
    uint8_t len;
    bool continued;             /* continues the previous line, which was split */
    char text[LINE_QUEUE_LINE_MAX];
};

struct line_queue {
    /* Producer's cache line(s): head and the drop total are published with release. */
    _Alignas(64) uint32_t head;         /* free-running count of lines queued */
    uint64_t dropped;                   /* lines lost because the ring was full */
    uint32_t partial_len;
    bool partial_continued;
    char partial[LINE_QUEUE_LINE_MAX];  /* the line being written */

    /* Consumer's cache line: tail is published with release. */
    _Alignas(64) uint32_t tail;         /* free-running count of lines popped */
    uint64_t reported;                  /* drop total already handed out by pop */

    _Alignas(64) struct line_queue_slot slots[LINE_QUEUE_DEPTH];
};

/* Empty queue, nothing dropped. Not concurrent with either side. */
void line_queue_init(struct line_queue *q);

/* Producer: one byte the guest wrote. '\n' completes the line, '\r' is ignored, '\t' is
 * kept; every other byte outside printable ASCII (controls 0x00-0x1f, 0x7f, and every byte
 * >= 0x80: C1 controls and their UTF-8 forms) becomes '?'.
 * The 161st character of a line queues the first 160 and starts a continuation. A line
 * completed while the ring is full is dropped and counted. Never blocks. */
void line_queue_putc(struct line_queue *q, char c);

/* Producer: queues the unfinished line, if any, as if '\n' had followed (the partition
 * stopped, or its output should appear now). */
void line_queue_flush_partial(struct line_queue *q);

/* Consumer: takes the oldest line. *dropped_before (may be NULL) receives the number of
 * lines dropped just before it, not yet reported; the caller prints "... N lines dropped"
 * first when it is non-zero. It is set whatever the return value: when the ring is empty
 * (false) it carries drops after the last line, so a flood that ended is still reported.
 * The text goes to out as a NUL-terminated string, LINE_QUEUE_CONTINUATION first for a
 * continuation; it is cut to size - 1 characters (LINE_QUEUE_OUT_MAX never cuts). */
bool line_queue_pop(struct line_queue *q, char *out, size_t size, uint32_t *dropped_before);

/* Lines dropped since init (either side; a statistic, possibly a little stale). */
uint64_t line_queue_dropped_total(const struct line_queue *q);

/* Producer side: false when the ring holds LINE_QUEUE_DEPTH finished lines, i.e. the next
 * finished line would be dropped. The virtual UART reports its transmitter busy then, so a
 * guest that polls LSR waits instead of losing lines. */
bool line_queue_has_room(const struct line_queue *q);
/* Producer side: finished lines the ring can still take. */
uint32_t line_queue_free_lines(const struct line_queue *q);

#endif
