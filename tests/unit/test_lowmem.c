/* Host unit tests for mm/lowmem.c: where the AP trampoline may go. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "mm/lowmem.h"

#define N(a) ((uint32_t)(sizeof(a) / sizeof((a)[0])))

static void test_seabios_map_highest_free_page(void **state)
{
    (void)state;
    const struct mb2_mmap_entry map[] = {
        { 0x0, 0x9fc00, MB2_MEMORY_AVAILABLE },
        { 0x9fc00, 0x400, MB2_MEMORY_RESERVED },
        { 0xf0000, 0x10000, MB2_MEMORY_RESERVED },
        { 0x100000, 0x3ee0000, MB2_MEMORY_AVAILABLE },
    };
    assert_int_equal(lowmem_pick_page(map, N(map), NULL, 0), 0x9e000);
}

static void test_partial_page_at_end_is_not_used(void **state)
{
    (void)state;
    /* Available only to 0x8f800: the page at 0x8f000 is not whole. */
    const struct mb2_mmap_entry map[] = { { 0x0, 0x8f800, MB2_MEMORY_AVAILABLE } };
    assert_int_equal(lowmem_pick_page(map, N(map), NULL, 0), 0x8e000);
}

static void test_busy_ranges_are_skipped(void **state)
{
    (void)state;
    const struct mb2_mmap_entry map[] = { { 0x0, 0xa0000, MB2_MEMORY_AVAILABLE } };
    /* UEFI GRUB put a module here, and the boot information above it. */
    const struct frame_range busy[] = { { 0x90000, 0x9f000 }, { 0x8e800, 0x8f001 } };
    assert_int_equal(lowmem_pick_page(map, N(map), busy, N(busy)), 0x8d000);
}

static void test_reserved_overlap_wins(void **state)
{
    (void)state;
    const struct mb2_mmap_entry map[] = {
        { 0x0, 0xa0000, MB2_MEMORY_AVAILABLE },
        { 0x9d000, 0x3000, MB2_MEMORY_RESERVED },   /* firmware claims part of the RAM entry */
    };
    assert_int_equal(lowmem_pick_page(map, N(map), NULL, 0), 0x9c000);
}

static void test_nothing_available_returns_zero(void **state)
{
    (void)state;
    const struct mb2_mmap_entry only_high[] = { { 0x100000, 0x1000000, MB2_MEMORY_AVAILABLE } };
    assert_int_equal(lowmem_pick_page(only_high, N(only_high), NULL, 0), 0);
    /* Only page 0 is free: it holds the IVT and is never chosen. */
    const struct mb2_mmap_entry page0[] = { { 0x0, 0x1000, MB2_MEMORY_AVAILABLE } };
    assert_int_equal(lowmem_pick_page(page0, N(page0), NULL, 0), 0);
    assert_int_equal(lowmem_pick_page(NULL, 0, NULL, 0), 0);
}

static void test_lowest_page_can_be_chosen(void **state)
{
    (void)state;
    const struct mb2_mmap_entry map[] = {
        { 0x0, 0x2000, MB2_MEMORY_AVAILABLE },
        { 0x2000, 0x9e000, MB2_MEMORY_RESERVED },
    };
    assert_int_equal(lowmem_pick_page(map, N(map), NULL, 0), 0x1000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_seabios_map_highest_free_page),
        cmocka_unit_test(test_partial_page_at_end_is_not_used),
        cmocka_unit_test(test_busy_ranges_are_skipped),
        cmocka_unit_test(test_reserved_overlap_wins),
        cmocka_unit_test(test_nothing_available_returns_zero),
        cmocka_unit_test(test_lowest_page_can_be_chosen),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
