/* libFuzzer targets: what every tests/fuzz/fuzz_<name>.c shares: reading fields from the
 * input, a diagnostics sink that discards lines (counting them), and invariant checks. */
#ifndef TESTS_FUZZ_FUZZ_COMMON_H
#define TESTS_FUZZ_FUZZ_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/diag.h"

/* An invariant broke: say which and crash, so libFuzzer keeps the input as a crash. */
#define FUZZ_CHECK(cond)                                                                \
    do {                                                                                \
        if (!(cond)) {                                                                  \
            fprintf(stderr, "fuzz invariant failed: %s (%s:%d)\n", #cond, __FILE__,     \
                    __LINE__);                                                          \
            abort();                                                                    \
        }                                                                               \
    } while (0)

/* The input consumed field by field; reads past its end give zeros, so every input is a
 * complete (if short) scenario. */
struct fuzz_input {
    const uint8_t *data;
    size_t size;
    size_t pos;
};

static inline struct fuzz_input fuzz_input(const uint8_t *data, size_t size)
{
    return (struct fuzz_input){ data, size, 0 };
}

static inline size_t fuzz_left(const struct fuzz_input *in)
{
    return in->size - in->pos;
}

/* Little-endian, n <= 8 bytes. */
static inline uint64_t fuzz_bytes_le(struct fuzz_input *in, unsigned n)
{
    uint64_t v = 0;

    for (unsigned i = 0; i < n; i++) {
        uint64_t b = in->pos < in->size ? in->data[in->pos++] : 0;
        v |= b << (8 * i);
    }
    return v;
}

static inline uint8_t fuzz_u8(struct fuzz_input *in)
{
    return (uint8_t)fuzz_bytes_le(in, 1);
}

static inline uint16_t fuzz_u16(struct fuzz_input *in)
{
    return (uint16_t)fuzz_bytes_le(in, 2);
}

static inline uint32_t fuzz_u32(struct fuzz_input *in)
{
    return (uint32_t)fuzz_bytes_le(in, 4);
}

static inline uint64_t fuzz_u64(struct fuzz_input *in)
{
    return fuzz_bytes_le(in, 8);
}

/* Up to n bytes of the input in place (fewer at its end); *got says how many. */
static inline const uint8_t *fuzz_take(struct fuzz_input *in, size_t n, size_t *got)
{
    const uint8_t *p = in->data + in->pos;

    *got = n < fuzz_left(in) ? n : fuzz_left(in);
    in->pos += *got;
    return p;
}

/* Copies bytes into their own exact-size heap block so AddressSanitizer sees any read
 * past them; nul adds a terminating NUL (not counted in n). Never NULL. */
static inline uint8_t *fuzz_dup(const uint8_t *bytes, size_t n, bool nul)
{
    size_t room = n + (nul ? 1 : 0);
    uint8_t *p = malloc(room ? room : 1);

    if (!p)
        abort();
    if (n)
        memcpy(p, bytes, n);
    if (nul)
        p[n] = '\0';
    return p;
}

/* The sink the hypervisor's pure code reports through: lines are discarded, but counted
 * and checked for the promised shape (shorter than DIAG_LINE_MAX, NUL-terminated). With
 * FUZZ_DIAG=1 in the environment they are printed, to see what an input does. */
struct fuzz_diag {
    struct diag diag;
    unsigned lines;
};

static inline bool fuzz_diag_shown(void)
{
    static int shown = -1;

    if (shown < 0)
        shown = getenv("FUZZ_DIAG") != NULL;
    return shown;
}

static inline void fuzz_diag_line(void *ctx, const char *line)
{
    struct fuzz_diag *s = ctx;

    FUZZ_CHECK(line != NULL);
    FUZZ_CHECK(strnlen(line, DIAG_LINE_MAX) < DIAG_LINE_MAX);
    if (fuzz_diag_shown())
        fprintf(stderr, "diag: %s\n", line);
    s->lines++;
}

static inline void fuzz_diag_init(struct fuzz_diag *s)
{
    s->diag.fn = fuzz_diag_line;
    s->diag.ctx = s;
    s->lines = 0;
}

/* True when all n bytes at p equal byte. */
static inline bool fuzz_all_equal(const uint8_t *p, uint64_t n, uint8_t byte)
{
    for (uint64_t i = 0; i < n; i++)
        if (p[i] != byte)
            return false;
    return true;
}

/* True when p[0..n) lies inside [base, base + size). */
static inline bool fuzz_inside(const void *p, size_t n, const void *base, size_t size)
{
    uintptr_t a = (uintptr_t)p, b = (uintptr_t)base;

    return a >= b && a - b <= size && n <= size - (a - b);
}

#endif
