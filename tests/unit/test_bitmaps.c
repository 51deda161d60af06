/* Host unit tests for the VMX I/O and MSR bitmap builders (guest/io_bitmap.c,
 * guest/msr_bitmap.c; Intel SDM Vol. 3C, 25.6.4 and 25.6.9): bit positions at the edges,
 * direction handling, and agreement with the policy functions the exit handlers call. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "guest/io_bitmap.h"
#include "guest/msr_bitmap.h"

static uint8_t io_a[IO_BITMAP_SIZE], io_b[IO_BITMAP_SIZE], msr[MSR_BITMAP_SIZE];

static unsigned count_clear_bits(const uint8_t *bytes, size_t size)
{
    unsigned n = 0;

    for (size_t i = 0; i < size; i++)
        n += 8u - (unsigned)__builtin_popcount(bytes[i]);
    return n;
}

static void build_io(const struct port_range *ranges, uint32_t count)
{
    memset(io_a, 0, sizeof(io_a));
    memset(io_b, 0, sizeof(io_b));
    io_bitmap_build(io_a, io_b, ranges, count);
}

/* ---- I/O bitmaps --------------------------------------------------------------------------- */

static void test_io_nothing_granted_all_trap(void **state)
{
    (void)state;
    build_io(NULL, 0);
    assert_int_equal(count_clear_bits(io_a, IO_BITMAP_SIZE), 0);
    assert_int_equal(count_clear_bits(io_b, IO_BITMAP_SIZE), 0);
    assert_true(io_bitmap_traps(io_a, io_b, 0x3f8));
}

static void test_io_boundary_ports(void **state)
{
    static const struct port_range ranges[] = {
        PORT_RANGE(0x0000, 0x0000, PORT_RW), PORT_RANGE(0x7fff, 0x7fff, PORT_RW),
        PORT_RANGE(0x8000, 0x8000, PORT_RW), PORT_RANGE(0xffff, 0xffff, PORT_RW),
    };

    (void)state;
    build_io(ranges, 4);
    assert_int_equal(io_a[0], 0xfe);        /* port 0: bitmap A byte 0 bit 0 */
    assert_int_equal(io_a[4095], 0x7f);     /* port 0x7fff: bitmap A byte 4095 bit 7 */
    assert_int_equal(io_b[0], 0xfe);        /* port 0x8000: bitmap B byte 0 bit 0 */
    assert_int_equal(io_b[4095], 0x7f);     /* port 0xffff: bitmap B byte 4095 bit 7 */
    assert_int_equal(count_clear_bits(io_a, IO_BITMAP_SIZE), 2);
    assert_int_equal(count_clear_bits(io_b, IO_BITMAP_SIZE), 2);
    assert_false(io_bitmap_traps(io_a, io_b, 0x0000));
    assert_false(io_bitmap_traps(io_a, io_b, 0x7fff));
    assert_false(io_bitmap_traps(io_a, io_b, 0x8000));
    assert_false(io_bitmap_traps(io_a, io_b, 0xffff));
    assert_true(io_bitmap_traps(io_a, io_b, 0x0001));
    assert_true(io_bitmap_traps(io_a, io_b, 0x7ffe));
    assert_true(io_bitmap_traps(io_a, io_b, 0x8001));
    assert_true(io_bitmap_traps(io_a, io_b, 0xfffe));
}

static void test_io_range_spans_a_and_b(void **state)
{
    static const struct port_range ranges[] = { PORT_RANGE(0x7ffd, 0x8002, PORT_RW) };

    (void)state;
    build_io(ranges, 1);
    assert_int_equal(io_a[4095], 0x1f);     /* 0x7ffd-0x7fff: bits 5-7 */
    assert_int_equal(io_b[0], 0xf8);        /* 0x8000-0x8002: bits 0-2 */
    assert_int_equal(count_clear_bits(io_a, IO_BITMAP_SIZE), 3);
    assert_int_equal(count_clear_bits(io_b, IO_BITMAP_SIZE), 3);
    assert_true(io_bitmap_traps(io_a, io_b, 0x7ffc));
    assert_true(io_bitmap_traps(io_a, io_b, 0x8003));
}

static void test_io_one_direction_still_traps(void **state)
{
    const struct partition_config p = {
        PORTS(PORT_RANGE(0x60, 0x60, PORT_READ), PORT_RANGE(0x64, 0x64, PORT_WRITE),
              PORT_RANGE(0x70, 0x71, PORT_RW)),
    };

    (void)state;
    build_io(p.ports, p.port_count);
    assert_true(io_bitmap_traps(io_a, io_b, 0x60));
    assert_true(io_bitmap_traps(io_a, io_b, 0x64));
    assert_false(io_bitmap_traps(io_a, io_b, 0x70));
    assert_false(io_bitmap_traps(io_a, io_b, 0x71));
    assert_int_equal(count_clear_bits(io_a, IO_BITMAP_SIZE), 2);
    /* The exit handler decides the direction. */
    assert_true(io_policy_allows(&p, 0x60, false));
    assert_false(io_policy_allows(&p, 0x60, true));
    assert_false(io_policy_allows(&p, 0x64, false));
    assert_true(io_policy_allows(&p, 0x64, true));
    assert_true(io_policy_allows(&p, 0x71, true));
    assert_false(io_policy_allows(&p, 0x72, false));
}

static void test_io_bitmap_matches_policy(void **state)
{
    const struct partition_config p = {
        PORTS(PORT_RANGE(0x0000, 0x0007, PORT_RW), PORT_RANGE(0x0020, 0x0021, PORT_READ),
              PORT_RANGE(0x7ff0, 0x800f, PORT_RW), PORT_RANGE(0xcf8, 0xcff, PORT_WRITE),
              PORT_RANGE(0xfff8, 0xffff, PORT_RW)),
    };

    (void)state;
    build_io(p.ports, p.port_count);
    for (uint32_t port = 0; port <= 0xffff; port++) {
        bool both = io_policy_allows(&p, (uint16_t)port, false) &&
                    io_policy_allows(&p, (uint16_t)port, true);

        if (io_bitmap_traps(io_a, io_b, (uint16_t)port) == both)
            fail_msg("port 0x%x: bitmap and policy disagree", port);
    }
}

/* ---- MSR bitmap ------------------------------------------------------------------------------ */

static void build_msr(const struct msr_range *ranges, uint32_t count)
{
    memset(msr, 0, sizeof(msr));
    msr_bitmap_build(msr, ranges, count);
}

static void test_msr_nothing_granted_all_trap(void **state)
{
    (void)state;
    build_msr(NULL, 0);
    assert_int_equal(count_clear_bits(msr, MSR_BITMAP_SIZE), 0);
}

static void test_msr_range_edges(void **state)
{
    static const struct msr_range ranges[] = {
        MSR_RANGE(0x0, 0x0, MSR_RW), MSR_RANGE(0x1fff, 0x1fff, MSR_RW),
        MSR_RANGE(0xc0000000, 0xc0000000, MSR_RW), MSR_RANGE(0xc0001fff, 0xc0001fff, MSR_RW),
    };
    static const uint32_t offsets[] = { MSR_BITMAP_READ_LOW, MSR_BITMAP_READ_HIGH,
                                        MSR_BITMAP_WRITE_LOW, MSR_BITMAP_WRITE_HIGH };

    (void)state;
    build_msr(ranges, 4);
    for (unsigned i = 0; i < 4; i++) {
        assert_int_equal(msr[offsets[i]], 0xfe);            /* first MSR: bit 0 */
        assert_int_equal(msr[offsets[i] + 0x3ff], 0x7f);    /* last MSR: byte 0x3ff bit 7 */
    }
    assert_int_equal(count_clear_bits(msr, MSR_BITMAP_SIZE), 8);
    for (unsigned w = 0; w < 2; w++) {
        assert_false(msr_bitmap_traps(msr, 0x0, w));
        assert_false(msr_bitmap_traps(msr, 0x1fff, w));
        assert_false(msr_bitmap_traps(msr, 0xc0000000, w));
        assert_false(msr_bitmap_traps(msr, 0xc0001fff, w));
        assert_true(msr_bitmap_traps(msr, 0x1, w));
        assert_true(msr_bitmap_traps(msr, 0x1ffe, w));
        assert_true(msr_bitmap_traps(msr, 0xc0000001, w));
        assert_true(msr_bitmap_traps(msr, 0xc0001ffe, w));
    }
}

static void test_msr_outside_ranges_always_trap(void **state)
{
    static const uint32_t outside[] = { 0x2000, 0x3fff, 0xbfffffff, 0xc0002000, 0xc0003fff,
                                        0xffffffff };

    (void)state;
    memset(msr, 0, sizeof(msr));            /* even a bitmap of zeros cannot let them pass */
    for (unsigned i = 0; i < sizeof(outside) / sizeof(outside[0]); i++) {
        assert_true(msr_bitmap_traps(msr, outside[i], false));
        assert_true(msr_bitmap_traps(msr, outside[i], true));
    }
    assert_false(msr_bitmap_traps(msr, 0x1fff, false));
}

static void test_msr_out_of_range_part_is_clipped(void **state)
{
    static const struct msr_range ranges[] = { MSR_RANGE(0x1ff8, 0x2010, MSR_READ),
                                               MSR_RANGE(0xbffffff0, 0xc0000007, MSR_WRITE) };

    (void)state;
    build_msr(ranges, 2);
    assert_int_equal(msr[MSR_BITMAP_READ_LOW + 0x3ff], 0x00);
    assert_int_equal(msr[MSR_BITMAP_WRITE_HIGH], 0x00);
    assert_int_equal(count_clear_bits(msr, MSR_BITMAP_SIZE), 16);
}

static void test_msr_read_only_and_write_only(void **state)
{
    const struct partition_config p = {
        MSRS(MSR_RANGE(0x10, 0x10, MSR_READ), MSR_RANGE(0x1b, 0x1b, MSR_WRITE),
             MSR_RANGE(0xc0000100, 0xc0000102, MSR_RW), MSR_RANGE(0xc0000080, 0xc0000080,
                                                                   MSR_READ)),
    };

    (void)state;
    build_msr(p.msrs, p.msr_count);
    assert_false(msr_bitmap_traps(msr, 0x10, false));
    assert_true(msr_bitmap_traps(msr, 0x10, true));
    assert_true(msr_bitmap_traps(msr, 0x1b, false));
    assert_false(msr_bitmap_traps(msr, 0x1b, true));
    assert_false(msr_bitmap_traps(msr, 0xc0000101, true));
    assert_false(msr_bitmap_traps(msr, 0xc0000080, false));
    assert_true(msr_bitmap_traps(msr, 0xc0000080, true));
    assert_int_equal(msr[MSR_BITMAP_READ_LOW + 2], 0xfe);   /* 0x10 */
    assert_int_equal(msr[MSR_BITMAP_WRITE_LOW + 3], 0xf7);  /* 0x1b */
    assert_true(msr_policy_allows(&p, 0x10, false));
    assert_false(msr_policy_allows(&p, 0x10, true));
    assert_false(msr_policy_allows(&p, 0x1b, false));
    assert_true(msr_policy_allows(&p, 0x1b, true));
}

static void test_msr_bitmap_matches_policy(void **state)
{
    const struct partition_config p = {
        MSRS(MSR_RANGE(0x0, 0x7, MSR_RW), MSR_RANGE(0x174, 0x176, MSR_READ),
             MSR_RANGE(0x1ff0, 0x1fff, MSR_WRITE), MSR_RANGE(0xc0000080, 0xc0000084, MSR_RW),
             MSR_RANGE(0xc0001ffe, 0xc0001fff, MSR_READ)),
    };
    static const uint32_t bases[] = { MSR_BITMAP_LOW_FIRST, MSR_BITMAP_HIGH_FIRST, 0x2000,
                                      0xc0002000 };

    (void)state;
    build_msr(p.msrs, p.msr_count);
    for (unsigned b = 0; b < 4; b++)
        for (uint32_t n = 0; n <= 0x1fff; n++)
            for (unsigned w = 0; w < 2; w++)
                if (msr_bitmap_traps(msr, bases[b] + n, w) ==
                    msr_policy_allows(&p, bases[b] + n, w))
                    fail_msg("msr 0x%x %s: bitmap and policy disagree", bases[b] + n,
                             w ? "write" : "read");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_io_nothing_granted_all_trap),
        cmocka_unit_test(test_io_boundary_ports),
        cmocka_unit_test(test_io_range_spans_a_and_b),
        cmocka_unit_test(test_io_one_direction_still_traps),
        cmocka_unit_test(test_io_bitmap_matches_policy),
        cmocka_unit_test(test_msr_nothing_granted_all_trap),
        cmocka_unit_test(test_msr_range_edges),
        cmocka_unit_test(test_msr_outside_ranges_always_trap),
        cmocka_unit_test(test_msr_out_of_range_part_is_clipped),
        cmocka_unit_test(test_msr_read_only_and_write_only),
        cmocka_unit_test(test_msr_bitmap_matches_policy),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
