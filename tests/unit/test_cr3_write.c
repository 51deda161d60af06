/* Host unit tests for vmx/cr3_write.c: a guest's MOV to CR3 under forced CR3-load exiting, by
 * paging mode (SDM Vol. 2B MOV to CR3; Vol. 3A 4.5.2 tables 4-12/4-13, 4.10.4.1). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "vmx/cr3_write.h"

/*                                     ia32e  code64 pae_paging pcide maxphyaddr */
static const struct cr3_write_mode long64 = { true, true, false, false, 46 };
static const struct cr3_write_mode long64_pcid = { true, true, false, true, 46 };
static const struct cr3_write_mode compat = { true, false, false, false, 46 };
static const struct cr3_write_mode paging32 = { false, false, false, false, 46 };
static const struct cr3_write_mode pae32 = { false, false, true, false, 46 };

static void test_long_mode(void **state)
{
    struct cr3_write w;

    (void)state;
    assert_int_equal(vmx_guest_cr3_write(0x1234018, &long64, &w), CR3_WRITE_LOAD);
    assert_int_equal(w.cr3, 0x1234018);                  /* PWT/PCD and ignored bits kept */
    assert_true(w.flush);
    assert_int_equal(vmx_guest_cr3_write(0x3ffffffff000ull, &long64, &w), CR3_WRITE_LOAD);
    assert_int_equal(vmx_guest_cr3_write(0x400000000000ull, &long64, &w), CR3_WRITE_GP);
    /* Bit 63 without CR4.PCIDE is reserved like the other high bits. */
    assert_int_equal(vmx_guest_cr3_write(0x8000000001000000ull, &long64, &w), CR3_WRITE_GP);
}

static void test_pcid_no_flush(void **state)
{
    struct cr3_write w;

    (void)state;
    assert_int_equal(vmx_guest_cr3_write(0x8000000001000005ull, &long64_pcid, &w),
                     CR3_WRITE_LOAD);
    assert_int_equal(w.cr3, 0x1000005);                  /* bit 63 never stored */
    assert_false(w.flush);
    assert_int_equal(vmx_guest_cr3_write(0x1000005, &long64_pcid, &w), CR3_WRITE_LOAD);
    assert_true(w.flush);
    assert_int_equal(vmx_guest_cr3_write(0xc000000001000005ull, &long64_pcid, &w),
                     CR3_WRITE_GP);                      /* bit 62 stays reserved */
}

static void test_compatibility_and_legacy_modes(void **state)
{
    struct cr3_write w;

    (void)state;
    assert_int_equal(vmx_guest_cr3_write(0xdeadbeef00345000ull, &compat, &w), CR3_WRITE_LOAD);
    assert_int_equal(w.cr3, 0x00345000);                 /* a 32-bit operand */
    assert_int_equal(vmx_guest_cr3_write(0xffffffffffffffffull, &paging32, &w), CR3_WRITE_LOAD);
    assert_int_equal(w.cr3, 0xffffffff);
    assert_true(w.flush);
    assert_int_equal(vmx_guest_cr3_write(0x345000, &pae32, &w), CR3_WRITE_PAE_LEGACY);
}

static void test_maxphyaddr_edges(void **state)
{
    struct cr3_write_mode wide = long64, narrow = long64;
    struct cr3_write w;

    (void)state;
    wide.maxphyaddr = 52;
    narrow.maxphyaddr = 36;
    assert_int_equal(vmx_guest_cr3_write(0x000ffffffffff000ull, &wide, &w), CR3_WRITE_LOAD);
    assert_int_equal(vmx_guest_cr3_write(0x0010000000000000ull, &wide, &w), CR3_WRITE_GP);
    assert_int_equal(vmx_guest_cr3_write(0x0000000ffffff000ull, &narrow, &w), CR3_WRITE_LOAD);
    assert_int_equal(vmx_guest_cr3_write(0x0000001000000000ull, &narrow, &w), CR3_WRITE_GP);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_long_mode),
        cmocka_unit_test(test_pcid_no_flush),
        cmocka_unit_test(test_compatibility_and_legacy_modes),
        cmocka_unit_test(test_maxphyaddr_edges),
    };

    return cmocka_run_group_tests_name("cr3_write", tests, NULL, NULL);
}
