/* libFuzzer target for guest/line_queue.c: a partition's console output (putc, flush) and
 * the console draining it (pop), in any interleaving, checked against a plain model of
 * the rules line_queue.h states: lines split at LINE_QUEUE_LINE_MAX, controls shown as '?',
 * lines completed into a full ring dropped and reported before the next line popped.
 *
 * Each operation is one byte, kind in bits 1:0:
 *   0 putc the next byte
 *   1 pop into a buffer of (next byte mod LINE_QUEUE_OUT_MAX + 4) bytes; bit 2: no drop count
 *   2 flush the partial line; bit 2: ask has_room instead
 *   3 putc the next byte as many times as the byte after it says */
#include "tests/fuzz/fuzz_common.h"

#include "guest/line_queue.h"

struct model_line {
    char text[LINE_QUEUE_LINE_MAX];
    unsigned len;
    bool continued;
    uint64_t drops_before;
};

struct model {
    char partial[LINE_QUEUE_LINE_MAX];
    unsigned partial_len;
    bool partial_continued;
    struct model_line lines[LINE_QUEUE_DEPTH];     /* a ring: lines[first] is the oldest */
    unsigned first, count;
    uint64_t dropped, reported;
};

static void model_push(struct model *m)
{
    if (m->count == LINE_QUEUE_DEPTH) {
        m->dropped++;
    } else {
        struct model_line *l = &m->lines[(m->first + m->count++) % LINE_QUEUE_DEPTH];
        memcpy(l->text, m->partial, m->partial_len);
        l->len = m->partial_len;
        l->continued = m->partial_continued;
        l->drops_before = m->dropped;
    }
    m->partial_len = 0;
}

static void model_putc(struct model *m, unsigned char c)
{
    if (c == '\r')
        return;
    if (c == '\n') {
        model_push(m);
        m->partial_continued = false;
        return;
    }
    if ((c < 0x20 && c != '\t') || c >= 0x7F)
        c = '?';
    if (m->partial_len == LINE_QUEUE_LINE_MAX) {
        model_push(m);
        m->partial_continued = true;
    }
    m->partial[m->partial_len++] = (char)c;
}

static void putc_both(struct line_queue *q, struct model *m, uint8_t c)
{
    line_queue_putc(q, (char)c);
    model_putc(m, c);
}

static void pop_both(struct line_queue *q, struct model *m, size_t size, bool want_drops)
{
    char *out = malloc(size);   /* exact size: ASan sees a write past it */
    uint32_t drops = 0xDEADBEEF;
    uint64_t unreported = 0;
    char expect[LINE_QUEUE_OUT_MAX];
    size_t expect_len = 0;

    if (!out && size)
        abort();
    bool got = line_queue_pop(q, out, size, want_drops ? &drops : NULL);
    FUZZ_CHECK(got == (m->count > 0));
    if (m->count == 0) {
        unreported = m->dropped > m->reported ? m->dropped - m->reported : 0;
        if (m->dropped > m->reported)
            m->reported = m->dropped;
    } else {
        const struct model_line *l = &m->lines[m->first];
        if (l->drops_before > m->reported) {
            unreported = l->drops_before - m->reported;
            m->reported = l->drops_before;
        }
        if (l->continued) {
            memcpy(expect, LINE_QUEUE_CONTINUATION, sizeof(LINE_QUEUE_CONTINUATION) - 1);
            expect_len = sizeof(LINE_QUEUE_CONTINUATION) - 1;
        }
        memcpy(expect + expect_len, l->text, l->len);
        expect_len += l->len;
        m->first = (m->first + 1) % LINE_QUEUE_DEPTH;
        m->count--;
    }
    if (want_drops)
        FUZZ_CHECK(drops == (unreported > UINT32_MAX ? UINT32_MAX : unreported));
    if (size) {
        size_t shown = expect_len < size - 1 ? expect_len : size - 1;
        FUZZ_CHECK(strnlen(out, size) == shown);
        FUZZ_CHECK(memcmp(out, expect, shown) == 0);
    }
    free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_input in = fuzz_input(data, size);
    static struct line_queue q;
    static struct model m;

    line_queue_init(&q);
    memset(&m, 0, sizeof(m));
    while (fuzz_left(&in) > 0) {
        uint8_t op = fuzz_u8(&in);

        switch (op & 3) {
        case 0:
            putc_both(&q, &m, fuzz_u8(&in));
            break;
        case 1:
            pop_both(&q, &m, fuzz_u8(&in) % (LINE_QUEUE_OUT_MAX + 4), !(op & 4));
            break;
        case 2:
            if (op & 4) {
                FUZZ_CHECK(line_queue_has_room(&q) == (m.count < LINE_QUEUE_DEPTH));
            } else {
                line_queue_flush_partial(&q);
                if (m.partial_len) {
                    model_push(&m);
                    m.partial_continued = false;
                }
            }
            break;
        default: {
            uint8_t c = fuzz_u8(&in);
            for (unsigned n = fuzz_u8(&in); n > 0; n--)
                putc_both(&q, &m, c);
            break;
        }
        }
        FUZZ_CHECK(line_queue_dropped_total(&q) == m.dropped);
    }
    /* Draining empties it and reports the drops still owed. */
    while (m.count > 0)
        pop_both(&q, &m, LINE_QUEUE_OUT_MAX, true);
    pop_both(&q, &m, LINE_QUEUE_OUT_MAX, true);
    return 0;
}
