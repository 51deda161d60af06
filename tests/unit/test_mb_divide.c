/* Host unit tests for guest/images/multiboot/divide.c: the 64-bit division helpers the 32-bit
 * multiboot kernels link instead of libgcc, against the host's own 64-bit division. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

uint64_t __udivdi3(uint64_t n, uint64_t d);
uint64_t __umoddi3(uint64_t n, uint64_t d);
uint64_t __udivmoddi4(uint64_t n, uint64_t d, uint64_t *remainder);

static void check(uint64_t n, uint64_t d)
{
    uint64_t r = 0xdeadbeef;
    assert_int_equal(__udivmoddi4(n, d, &r), n / d);
    assert_int_equal(r, n % d);
    assert_int_equal(__udivdi3(n, d), n / d);
    assert_int_equal(__umoddi3(n, d), n % d);
    assert_int_equal(__udivmoddi4(n, d, NULL), n / d);
}

static void test_edges(void **state)
{
    (void)state;
    static const uint64_t values[] = {
        0, 1, 2, 7, 10, 16, 639, 15360, 0xFFFFFFFFull, 0x100000000ull, 0x123456789ull,
        0x8000000000000000ull, 0x8000000000000001ull, 0xFFFFFFFFFFFFFFFEull, UINT64_MAX,
        0x89abcdef01234567ull,
    };
    const size_t count = sizeof(values) / sizeof(values[0]);
    for (size_t i = 0; i < count; i++)
        for (size_t j = 0; j < count; j++)
            if (values[j])
                check(values[i], values[j]);
}

/* A pseudo-random sweep (xorshift), divisors of every width. */
static void test_sweep(void **state)
{
    (void)state;
    uint64_t x = 0x9E3779B97F4A7C15ull;
    for (unsigned i = 0; i < 20000; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        uint64_t d = x >> (i % 64);
        if (d)
            check(x * 0x2545F4914F6CDD1Dull, d);
    }
}

/* Division by zero cannot trap in these helpers: all ones, the dividend as remainder. */
static void test_divide_by_zero(void **state)
{
    (void)state;
    uint64_t r = 0;
    assert_int_equal(__udivmoddi4(12345, 0, &r), UINT64_MAX);
    assert_int_equal(r, 12345);
    assert_int_equal(__udivdi3(1, 0), UINT64_MAX);
    assert_int_equal(__umoddi3(99, 0), 99);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_edges),
        cmocka_unit_test(test_sweep),
        cmocka_unit_test(test_divide_by_zero),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
