/* INS/OUTS element addresses, segment checks and register updates (vcpu/string_io.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "vcpu/string_io.h"
#include "vmx/vmx_state.h"

#define AR_DATA_RW      0xC093u     /* read/write data, 4 GiB, D/B */
#define AR_DATA_RO      0xC091u
#define AR_DATA_DOWN    0x4097u     /* read/write expand-down, B set, byte granular */
#define AR_CODE_RX      0xC09Bu
#define AR_CODE_X       0xC099u     /* execute-only */

static struct string_io_request flat32(bool in, unsigned size)
{
    return (struct string_io_request){ .in = in, .size = size, .address_size = 4,
                                       .segment = in ? SIO_ES : SIO_DS, .seg_base = 0,
                                       .seg_limit = 0xFFFFFFFFu, .seg_ar = AR_DATA_RW };
}

static void test_count(void **state)
{
    (void)state;
    struct string_io_request r = flat32(false, 1);
    r.rcx = 0x1234567800000005ull;
    assert_int_equal(string_io_count(&r), 1);           /* no REP: one element */
    r.rep = true;
    assert_int_equal(string_io_count(&r), 5);           /* ECX only */
    r.address_size = 2;
    r.rcx = 0xFFFF0000ull;
    assert_int_equal(string_io_count(&r), 0);           /* CX = 0: nothing */
    r.address_size = 8;
    r.rcx = 0x100000000ull;
    assert_true(string_io_count(&r) == 0x100000000ull);
}

static void test_elements_forward_and_backward(void **state)
{
    (void)state;
    struct string_io_request r = flat32(true, 4);
    r.index = 0x1000;
    r.seg_base = 0x20000;
    uint64_t linear;
    assert_int_equal(string_io_element(&r, 0, &linear), STRING_IO_OK);
    assert_true(linear == 0x21000);
    assert_int_equal(string_io_element(&r, 3, &linear), STRING_IO_OK);
    assert_true(linear == 0x2100C);
    r.decrement = true;
    assert_int_equal(string_io_element(&r, 3, &linear), STRING_IO_OK);
    assert_true(linear == 0x20FF4);
}

/* 16-bit addressing wraps the offset inside the segment; 32-bit linear addresses wrap at 4 GiB. */
static void test_wraps(void **state)
{
    (void)state;
    struct string_io_request r = flat32(false, 1);
    r.address_size = 2;
    r.index = 0xFFFF;
    r.seg_base = 0x10000;
    r.seg_limit = 0xFFFF;
    r.seg_ar = 0x0093u;
    uint64_t linear;
    assert_int_equal(string_io_element(&r, 1, &linear), STRING_IO_OK);
    assert_true(linear == 0x10000);
    r = flat32(false, 1);
    r.seg_base = 0xFFFFF000u;
    r.index = 0x2000;
    assert_int_equal(string_io_element(&r, 0, &linear), STRING_IO_OK);
    assert_true(linear == 0x1000);
}

static void test_segment_checks(void **state)
{
    (void)state;
    uint64_t linear;
    struct string_io_request r = flat32(false, 2);
    r.seg_limit = 0xFFF;
    r.index = 0xFFE;
    assert_int_equal(string_io_element(&r, 0, &linear), STRING_IO_OK);
    r.index = 0xFFF;                                    /* second byte past the limit */
    assert_int_equal(string_io_element(&r, 0, &linear), STRING_IO_GP);
    r.segment = SIO_SS;
    assert_int_equal(string_io_element(&r, 0, &linear), STRING_IO_SS);

    r = flat32(true, 1);
    r.seg_ar = AR_DATA_RO;                              /* INS writes: read-only ES faults */
    assert_int_equal(string_io_element(&r, 0, &linear), STRING_IO_GP);
    r.seg_ar = AR_CODE_RX;                              /* and so does code */
    assert_int_equal(string_io_element(&r, 0, &linear), STRING_IO_GP);
    r.seg_ar = AR_DATA_RW | VMX_SEG_AR_UNUSABLE;
    assert_int_equal(string_io_element(&r, 0, &linear), STRING_IO_GP);

    r = flat32(false, 1);
    r.segment = SIO_CS;
    r.seg_ar = AR_CODE_RX;                              /* OUTS from readable code is fine */
    assert_int_equal(string_io_element(&r, 0, &linear), STRING_IO_OK);
    r.seg_ar = AR_CODE_X;
    assert_int_equal(string_io_element(&r, 0, &linear), STRING_IO_GP);
}

/* Expand-down: valid offsets are above the limit, up to 64 KiB - 1 or 4 GiB - 1 by B. */
static void test_expand_down(void **state)
{
    (void)state;
    uint64_t linear;
    struct string_io_request r = flat32(false, 4);
    r.seg_ar = AR_DATA_DOWN;
    r.seg_limit = 0x0FFF;
    r.index = 0x0FFF;
    assert_int_equal(string_io_element(&r, 0, &linear), STRING_IO_GP);
    r.index = 0x1000;
    assert_int_equal(string_io_element(&r, 0, &linear), STRING_IO_OK);
    r.index = 0xFFFFFFFCu;
    assert_int_equal(string_io_element(&r, 0, &linear), STRING_IO_OK);
    r.seg_ar = AR_DATA_DOWN & ~VMX_SEG_AR_DB;           /* B clear: the top is 0xFFFF */
    r.index = 0xFFFE;
    assert_int_equal(string_io_element(&r, 0, &linear), STRING_IO_GP);
}

/* 64-bit mode: no limits, no base except FS/GS, canonical addresses only. */
static void test_64bit(void **state)
{
    (void)state;
    uint64_t linear;
    struct string_io_request r = flat32(false, 1);
    r.mode64 = true;
    r.address_size = 8;
    r.seg_base = 0x5000;
    r.seg_limit = 0;
    r.index = 0x7FFFFFFFFFFFull;
    assert_int_equal(string_io_element(&r, 0, &linear), STRING_IO_OK);
    assert_true(linear == 0x7FFFFFFFFFFFull);           /* DS base ignored */
    assert_int_equal(string_io_element(&r, 1, &linear), STRING_IO_GP);
    r.segment = SIO_GS;
    r.index = 0x10;
    assert_int_equal(string_io_element(&r, 0, &linear), STRING_IO_OK);
    assert_true(linear == 0x5010);
}

static void test_registers_after(void **state)
{
    (void)state;
    uint64_t rcx, index;
    struct string_io_request r = flat32(false, 2);
    r.rep = true;
    r.rcx = 0xAAAAAAAA00000010ull;
    r.index = 0xBBBBBBBB00001000ull;
    string_io_registers_after(&r, 4, &rcx, &index);
    assert_true(rcx == 0xC);                            /* ECX written: zero-extended */
    assert_true(index == 0x1008);
    r.address_size = 2;
    r.decrement = true;
    r.index = 0xBBBB0002;
    r.rcx = 0x12340003;
    string_io_registers_after(&r, 3, &rcx, &index);
    assert_true(index == 0xBBBBFFFCull);                /* SI wraps; the rest stays */
    assert_true(rcx == 0x12340000);
    r.rep = false;
    string_io_registers_after(&r, 1, &rcx, &index);
    assert_true(rcx == 0x12340003);                     /* no REP: the count is untouched */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_count),
        cmocka_unit_test(test_elements_forward_and_backward),
        cmocka_unit_test(test_wraps),
        cmocka_unit_test(test_segment_checks),
        cmocka_unit_test(test_expand_down),
        cmocka_unit_test(test_64bit),
        cmocka_unit_test(test_registers_after),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
