/* 64-bit unsigned division for 32-bit code: gcc calls __udivdi3, __umoddi3 or __udivmoddi4
 * for a uint64_t / or % on i386 (GCC internals, "Integer library routines"); lib/format.c
 * needs them and the build has no 32-bit libgcc. Shift-and-subtract, one quotient bit a step. */
#include <stdint.h>

uint64_t __udivdi3(uint64_t n, uint64_t d);
uint64_t __umoddi3(uint64_t n, uint64_t d);
uint64_t __udivmoddi4(uint64_t n, uint64_t d, uint64_t *remainder);

uint64_t __udivmoddi4(uint64_t n, uint64_t d, uint64_t *remainder)
{
    uint64_t q = 0, r = 0;
    if (d == 0) {           /* what a divide by zero gives here: no trap, all ones */
        if (remainder)
            *remainder = n;
        return ~0ull;
    }
    for (int bit = 63; bit >= 0; bit--) {
        uint64_t carry = r >> 63;       /* the shifted remainder would need 65 bits */
        r = (r << 1) | ((n >> bit) & 1);
        if (carry || r >= d) {
            r -= d;
            q |= 1ull << bit;
        }
    }
    if (remainder)
        *remainder = r;
    return q;
}

uint64_t __udivdi3(uint64_t n, uint64_t d)
{
    return __udivmoddi4(n, d, 0);
}

uint64_t __umoddi3(uint64_t n, uint64_t d)
{
    uint64_t r;
    __udivmoddi4(n, d, &r);
    return r;
}
