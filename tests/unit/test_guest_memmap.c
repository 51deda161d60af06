/* The partition's PC memory map (guest/guest_memmap.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "guest/guest_memmap.h"

static void test_map_covers_memory_without_gaps(void **state)
{
    (void)state;
    struct guest_mem_range map[GUEST_MEMMAP_MAX];
    uint32_t n = guest_memmap(64ull << 20, map);
    assert_int_equal(n, 3);
    uint64_t next = 0;
    for (uint32_t i = 0; i < n; i++) {
        assert_true(map[i].base == next);
        next = map[i].base + map[i].size;
    }
    assert_true(next == 64ull << 20);
    assert_int_equal(map[0].type, GUEST_MEM_RAM);
    assert_true(map[0].size == 0x9FC00);
    assert_int_equal(map[1].type, GUEST_MEM_RESERVED);
    assert_int_equal(map[2].type, GUEST_MEM_RAM);
    assert_true(map[2].base == 0x100000);
}

static void test_ram_check(void **state)
{
    (void)state;
    uint64_t mem = 4ull << 20;
    assert_true(guest_memmap_is_ram(mem, 0x1000, 0x1000));
    assert_true(guest_memmap_is_ram(mem, 0x100000, mem - 0x100000));
    assert_false(guest_memmap_is_ram(mem, 0x100000, mem - 0x100000 + 1));
    assert_false(guest_memmap_is_ram(mem, GUEST_VGA_TEXT_BASE, 1));
    assert_false(guest_memmap_is_ram(mem, GUEST_FIRMWARE_BASE, 16));
    assert_false(guest_memmap_is_ram(mem, 0x9F000, 0x2000));      /* runs into the EBDA */
    assert_false(guest_memmap_is_ram(mem, 0x1000, 0));
    assert_false(guest_memmap_is_ram(mem, UINT64_MAX - 8, 16));    /* wraps */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_map_covers_memory_without_gaps),
        cmocka_unit_test(test_ram_check),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
