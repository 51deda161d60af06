/* Host unit tests for guest/mp_table.c (MultiProcessor Specification 1.4, chapter 4) and for
 * where both firmware-table builders write (the firmware area, guest/guest_memmap.h) and when
 * they refuse. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "firmware_fixture.h"

/* ---- the MP table ------------------------------------------------------------------------ */

static void test_mp_table_exactly(void **state)
{
    struct world *w = *state;
    build_mp(w, &one_cpu_uart);

    static const uint8_t pointer[16] = {
        '_', 'M', 'P', '_', 0x10, 0x00, 0x0F, 0x00, 0x01, 0x04, 0 /* checksum */, 0x00, 0x00,
        0x00, 0x00, 0x00,
    };
    assert_int_equal(sum(w, MPFP_AT, 16), 0);
    assert_bytes(w, MPFP_AT, pointer, 10);
    assert_bytes(w, MPFP_AT + 11, pointer + 11, 5);

    static const uint8_t entries[] = {
        /* processor: APIC ID 0, version 0x14, enabled and BSP, signature 0x6A9, features */
        0x00, 0x00, 0x14, 0x03, 0xA9, 0x06, 0x00, 0x00, 0xFF, 0xFB, 0xEB, 0xBF,
        0, 0, 0, 0, 0, 0, 0, 0,
        0x01, 0x00, 'I', 'S', 'A', ' ', ' ', ' ',               /* bus 0: ISA */
        0x02, 0x01, 0x20, 0x01, 0x00, 0x00, 0xC0, 0xFE,         /* I/O APIC 1, enabled */
        /* I/O interrupts: type, INT, flags, bus 0, IRQ, I/O APIC 1, pin */
        0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x02,         /* IRQ 0 -> pin 2 */
        0x03, 0x00, 0x00, 0x00, 0x00, 0x01, 0x01, 0x01,
        0x03, 0x00, 0x00, 0x00, 0x00, 0x03, 0x01, 0x03,
        0x03, 0x00, 0x00, 0x00, 0x00, 0x04, 0x01, 0x04,
        0x03, 0x00, 0x00, 0x00, 0x00, 0x05, 0x01, 0x05,
        0x03, 0x00, 0x00, 0x00, 0x00, 0x06, 0x01, 0x06,
        0x03, 0x00, 0x00, 0x00, 0x00, 0x07, 0x01, 0x07,
        0x03, 0x00, 0x00, 0x00, 0x00, 0x08, 0x01, 0x08,
        0x03, 0x00, 0x0D, 0x00, 0x00, 0x09, 0x01, 0x09,         /* SCI: level, active high */
        0x03, 0x00, 0x00, 0x00, 0x00, 0x0A, 0x01, 0x0A,
        0x03, 0x00, 0x00, 0x00, 0x00, 0x0B, 0x01, 0x0B,
        0x03, 0x00, 0x00, 0x00, 0x00, 0x0C, 0x01, 0x0C,
        0x03, 0x00, 0x00, 0x00, 0x00, 0x0D, 0x01, 0x0D,
        0x03, 0x00, 0x00, 0x00, 0x00, 0x0E, 0x01, 0x0E,
        0x03, 0x00, 0x00, 0x00, 0x00, 0x0F, 0x01, 0x0F,
        0x04, 0x03, 0x00, 0x00, 0x00, 0x00, 0xFF, 0x00,         /* ExtINT on LINT0 */
        0x04, 0x01, 0x00, 0x00, 0x00, 0x00, 0xFF, 0x01,         /* NMI on LINT1 */
    };
    uint32_t length = 44 + sizeof(entries);
    assert_int_equal(length, 216);

    assert_memory_equal(w->memory + MPCT_AT, "PCMP", 4);
    assert_int_equal(rd16(w, MPCT_AT + 4), length);
    assert_int_equal(rd8(w, MPCT_AT + 6), 4);           /* spec revision 1.4 */
    assert_int_equal(sum(w, MPCT_AT, length), 0);
    assert_memory_equal(w->memory + MPCT_AT + 8, "TESSERA ", 8);
    assert_memory_equal(w->memory + MPCT_AT + 16, "alpha       ", 12);
    assert_int_equal(rd32(w, MPCT_AT + 28), 0);         /* OEM table pointer */
    assert_int_equal(rd16(w, MPCT_AT + 32), 0);         /* OEM table size */
    assert_int_equal(rd16(w, MPCT_AT + 34), 20);        /* entry count */
    assert_int_equal(rd32(w, MPCT_AT + 36), 0xFEE00000u);
    assert_int_equal(rd16(w, MPCT_AT + 40), 0);         /* extended table length */
    assert_int_equal(rd8(w, MPCT_AT + 42), 0);          /* extended table checksum */
    assert_int_equal(rd8(w, MPCT_AT + 43), 0);
    assert_bytes(w, MPCT_AT + 44, entries, sizeof(entries));
}

static void test_mp_table_lists_every_vcpu_bsp_first(void **state)
{
    struct world *w = *state;
    struct acpi_partition_desc desc = one_cpu_uart;
    desc.vcpu_count = 3;
    desc.cpuid_1_eax = 0x000A0655u;     /* extended family/model bits are not MP signature */
    build_mp(w, &desc);

    uint32_t length = 216 + 2 * 20;
    assert_int_equal(rd16(w, MPCT_AT + 4), length);
    assert_int_equal(rd16(w, MPCT_AT + 34), 22);
    assert_int_equal(sum(w, MPCT_AT, length), 0);
    static const uint8_t flags[3] = { 0x03, 0x01, 0x01 };
    for (uint32_t i = 0; i < 3; i++) {
        uint64_t e = MPCT_AT + 44 + i * 20;
        assert_int_equal(rd8(w, e), 0);
        assert_int_equal(rd8(w, e + 1), i);
        assert_int_equal(rd8(w, e + 3), flags[i]);
        assert_int_equal(rd32(w, e + 4), 0x655);
    }
    assert_int_equal(rd8(w, MPCT_AT + 44 + 60), 1);     /* the bus entry follows */
}

/* ---- where the builders write, and when they refuse ---------------------------------------- */

static void test_nothing_written_outside_the_firmware_area(void **state)
{
    struct world *w = *state;
    struct acpi_partition_desc desc = one_cpu_uart;
    desc.vcpu_count = 8;

    build_acpi(w, &desc);
    assert_canary(w, 0, AREA_START);
    assert_canary(w, ACPI_HALF_END, MEMORY_SIZE);       /* the MP half too */
    build_mp(w, &desc);
    assert_canary(w, 0, AREA_START);
    assert_canary(w, AREA_END, MEMORY_SIZE);
    /* Inside, what no table holds is zero. */
    for (uint64_t gpa = DSDT_AT + rd32(w, DSDT_AT + 4); gpa < ACPI_HALF_END; gpa++)
        assert_int_equal(rd8(w, gpa), 0);
    for (uint64_t gpa = MPCT_AT + rd16(w, MPCT_AT + 4); gpa < AREA_END; gpa++)
        assert_int_equal(rd8(w, gpa), 0);
}

static void test_rebuild_leaves_nothing_of_the_last_build(void **state)
{
    struct world *w = *state;
    struct acpi_partition_desc big = one_cpu_uart;
    big.vcpu_count = 8;
    struct acpi_partition_desc small = one_cpu_uart;
    small.uart_port = 0;

    build_acpi(w, &big);
    build_mp(w, &big);
    build_acpi(w, &small);
    build_mp(w, &small);
    uint8_t *first = malloc(AREA_END - AREA_START);
    assert_non_null(first);
    memcpy(first, w->memory + AREA_START, AREA_END - AREA_START);

    for (uint64_t i = AREA_START; i < AREA_END; i++)
        w->memory[i] = canary(i);
    build_acpi(w, &small);
    build_mp(w, &small);
    assert_memory_equal(first, w->memory + AREA_START, AREA_END - AREA_START);
    free(first);
}

static void test_refuses_memory_without_the_whole_firmware_area(void **state)
{
    struct world *w = *state;
    uint64_t gpa = 0x1234;

    assert_false(acpi_build_partition(w->memory, 0xFFFFF, &one_cpu_uart, &gpa, &w->sink.diag));
    assert_false(mp_table_build(w->memory, 0xF0000, &one_cpu_uart, &gpa, &w->sink.diag));
    ASSERT_LINES(&w->sink,
                 "acpi_build: memory size 0xfffff ends before the firmware area's end 0x100000",
                 "mp_table: memory size 0xf0000 ends before the firmware area's end 0x100000");
    assert_int_equal(gpa, 0x1234);
    assert_canary(w, 0, MEMORY_SIZE);

    /* Exactly 1 MiB is enough. */
    sink_reset(&w->sink);
    assert_true(acpi_build_partition(w->memory, AREA_END, &one_cpu_uart, &gpa, &w->sink.diag));
    assert_true(mp_table_build(w->memory, AREA_END, &one_cpu_uart, &gpa, &w->sink.diag));
    assert_int_equal(w->sink.count, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_mp_table_exactly, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mp_table_lists_every_vcpu_bsp_first, setup, teardown),
        cmocka_unit_test_setup_teardown(test_nothing_written_outside_the_firmware_area, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_rebuild_leaves_nothing_of_the_last_build, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_refuses_memory_without_the_whole_firmware_area, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
