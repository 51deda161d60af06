/* Freestanding memory and string primitives (hypervisor build only; host tests use libc). */
#include "lib/string.h"

#include <stdint.h>

/* In 64-bit code the bulk moves as 8-byte words by one REP MOVSQ/STOSQ (SDM Vol. 1 7.3.9.3,
 * fast-string operation), the rest by REP MOVSB/STOSB: zeroing or loading a partition of
 * hundreds of MiB takes a fraction of the instructions of a byte loop. The 32-bit guest
 * images that share this file keep the loops. */
void *memcpy(void *dst, const void *src, size_t n)
{
#if defined(__x86_64__)
    void *d = dst;
    const void *s = src;
    size_t words = n / 8, rest = n % 8;
    __asm__ volatile("rep movsq\n\tmov %3, %%rcx\n\trep movsb"
                     : "+D"(d), "+S"(s), "+c"(words) : "r"(rest) : "memory");
#else
    unsigned char *d = dst;
    const unsigned char *s = src;
    while (n--)
        *d++ = *s++;
#endif
    return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;
    if (d == s || n == 0)
        return dst;
    if ((uintptr_t)d < (uintptr_t)s) {
        while (n--)
            *d++ = *s++;
    } else {
        d += n;
        s += n;
        while (n--)
            *--d = *--s;
    }
    return dst;
}

void *memset(void *dst, int c, size_t n)
{
#if defined(__x86_64__)
    void *d = dst;
    size_t words = n / 8, rest = n % 8;
    uint64_t pattern = (uint64_t)(unsigned char)c * 0x0101010101010101ull;
    __asm__ volatile("rep stosq\n\tmov %2, %%rcx\n\trep stosb"
                     : "+D"(d), "+c"(words) : "r"(rest), "a"(pattern) : "memory");
#else
    unsigned char *d = dst;
    while (n--)
        *d++ = (unsigned char)c;
#endif
    return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
    const unsigned char *x = a, *y = b;
    for (; n; n--, x++, y++)
        if (*x != *y)
            return *x - *y;
    return 0;
}

size_t strlen(const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    return n;
}

size_t strnlen(const char *s, size_t max)
{
    size_t n = 0;
    while (n < max && s[n])
        n++;
    return n;
}

int strcmp(const char *a, const char *b)
{
    while (*a && *a == *b) {
        a++;
        b++;
    }
    return (unsigned char)*a - (unsigned char)*b;
}

int strncmp(const char *a, const char *b, size_t n)
{
    for (; n; n--, a++, b++) {
        if (*a != *b)
            return (unsigned char)*a - (unsigned char)*b;
        if (!*a)
            return 0;
    }
    return 0;
}
