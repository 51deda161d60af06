/* Guest console lines in a single-producer/single-consumer ring. The producer owns head,
 * the drop total and the partial line; the consumer owns tail and the reported count.
 * A slot is written only while head - tail < depth (tail loaded with acquire, so the
 * consumer has finished reading it) and read only after head is loaded with acquire (so
 * its contents are complete). Pure. */
#include "guest/line_queue.h"
#include "lib/string.h"

#define DEPTH_MASK (LINE_QUEUE_DEPTH - 1u)

void line_queue_init(struct line_queue *q)
{
    memset(q, 0, sizeof(*q));
}

/* Queues the partial line (possibly empty) or, with the ring full, counts it dropped.
 * The drop total is stored with release so that a consumer that sees it also sees every
 * line queued before the drop (see line_queue_pop). */
static void push_partial(struct line_queue *q)
{
    uint32_t head = q->head;
    uint32_t tail = __atomic_load_n(&q->tail, __ATOMIC_ACQUIRE);
    uint64_t dropped = q->dropped;

    if (head - tail >= LINE_QUEUE_DEPTH) {
        __atomic_store_n(&q->dropped, dropped + 1, __ATOMIC_RELEASE);
    } else {
        struct line_queue_slot *s = &q->slots[head & DEPTH_MASK];
        s->drops_before = dropped;
        s->len = (uint8_t)q->partial_len;
        s->continued = q->partial_continued;
        memcpy(s->text, q->partial, q->partial_len);
        __atomic_store_n(&q->head, head + 1, __ATOMIC_RELEASE);
    }
    q->partial_len = 0;
}

void line_queue_putc(struct line_queue *q, char c)
{
    unsigned char b = (unsigned char)c;

    if (b == '\r')
        return;
    if (b == '\n') {
        push_partial(q);
        q->partial_continued = false;
        return;
    }
    /* Escape sequences and other controls could reposition the cursor or change the
     * terminal mode in the middle of another partition's output; so could the C1 controls
     * (0x80-0x9F, CSI among them) and their UTF-8 forms on a UTF-8 terminal. Only printable
     * ASCII and tab reach the console: every other byte shows as '?'. */
    if ((b < 0x20 && b != '\t') || b >= 0x7F)
        b = '?';
    if (q->partial_len == LINE_QUEUE_LINE_MAX) {
        push_partial(q);
        q->partial_continued = true;
    }
    q->partial[q->partial_len++] = (char)b;
}

void line_queue_flush_partial(struct line_queue *q)
{
    if (q->partial_len == 0)
        return;
    push_partial(q);
    q->partial_continued = false;
}

static uint32_t clamp_u32(uint64_t n)
{
    return n > UINT32_MAX ? UINT32_MAX : (uint32_t)n;
}

static void copy_out(char *out, size_t size, const struct line_queue_slot *s)
{
    static const char mark[] = LINE_QUEUE_CONTINUATION;
    size_t n = 0;

    if (size == 0)
        return;
    for (size_t i = 0; s->continued && i < sizeof(mark) - 1 && n < size - 1; i++)
        out[n++] = mark[i];
    for (size_t i = 0; i < s->len && n < size - 1; i++)
        out[n++] = s->text[i];
    out[n] = '\0';
}

/* The drop total is loaded before head. Drops happen only with the ring full, after every
 * line then in it was queued; the acquire on the total makes those lines visible to the
 * head load that follows. So if the ring looks empty, every counted drop comes after
 * every line already popped and can be reported now; a line queued after them carries
 * a drops_before no larger than what was reported, and reports nothing again. */
bool line_queue_pop(struct line_queue *q, char *out, size_t size, uint32_t *dropped_before)
{
    uint64_t dropped = __atomic_load_n(&q->dropped, __ATOMIC_ACQUIRE);
    uint32_t tail = q->tail;
    uint32_t head = __atomic_load_n(&q->head, __ATOMIC_ACQUIRE);
    uint64_t unreported = 0;

    if (head == tail) {
        if (dropped > q->reported) {
            unreported = dropped - q->reported;
            q->reported = dropped;
        }
        if (dropped_before)
            *dropped_before = clamp_u32(unreported);
        if (size > 0)
            out[0] = '\0';
        return false;
    }

    const struct line_queue_slot *s = &q->slots[tail & DEPTH_MASK];
    if (s->drops_before > q->reported) {
        unreported = s->drops_before - q->reported;
        q->reported = s->drops_before;
    }
    if (dropped_before)
        *dropped_before = clamp_u32(unreported);
    copy_out(out, size, s);
    __atomic_store_n(&q->tail, tail + 1, __ATOMIC_RELEASE);
    return true;
}

uint32_t line_queue_free_lines(const struct line_queue *q)
{
    uint32_t tail = __atomic_load_n(&q->tail, __ATOMIC_ACQUIRE);
    return LINE_QUEUE_DEPTH - (q->head - tail);
}

bool line_queue_has_room(const struct line_queue *q)
{
    return line_queue_free_lines(q) > 0;
}

uint64_t line_queue_dropped_total(const struct line_queue *q)
{
    return __atomic_load_n(&q->dropped, __ATOMIC_RELAXED);
}
