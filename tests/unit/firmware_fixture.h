/* The fixture both firmware-table test programs share (test_acpi_build.c, test_mp_table.c):
 * 32 MiB of partition memory filled with a canary pattern, where the builders' tables are
 * expected, and readers of little-endian fields. Included once per program, after cmocka.h. */
#ifndef TESTS_UNIT_FIRMWARE_FIXTURE_H
#define TESTS_UNIT_FIRMWARE_FIXTURE_H

#include <stdlib.h>
#include <string.h>

#include "diag_sink.h"
#include "drivers/acpi.h"
#include "guest/acpi_build.h"
#include "guest/mp_table.h"

#define MEMORY_SIZE     (32ull << 20)
#define AREA_START      0xE0000ull
#define AREA_END        0x100000ull
#define ACPI_HALF_END   0xF0000ull

/* Where the tables are expected (the builder's fixed layout). */
#define RSDP_AT 0xE0000u
#define FACS_AT 0xE0040u
#define RSDT_AT 0xE0080u
#define XSDT_AT 0xE00C0u
#define FADT_AT 0xE0100u
#define MADT_AT 0xE0300u
#define DSDT_AT 0xE0400u
#define MPFP_AT 0xF0000u
#define MPCT_AT 0xF0010u

struct world {
    uint8_t *memory;
    struct sink sink;
    struct acpi_memory mem;
    struct acpi_boot boot;
    struct acpi_info info;
};

/* A byte pattern that differs from its neighbours, so a misplaced write shows. */
static inline uint8_t canary(uint64_t gpa)
{
    return (uint8_t)(gpa * 131u + 0x5Au);
}

static inline const void *memory_map(void *ctx, uint64_t phys, uint64_t len)
{
    struct world *w = ctx;

    if (phys > MEMORY_SIZE || len > MEMORY_SIZE - phys)
        return NULL;
    return w->memory + phys;
}

static inline int setup(void **state)
{
    struct world *w = calloc(1, sizeof(*w));

    if (!w || !(w->memory = malloc(MEMORY_SIZE)))
        return -1;
    for (uint64_t i = 0; i < MEMORY_SIZE; i++)
        w->memory[i] = canary(i);
    sink_reset(&w->sink);
    w->mem.map = memory_map;
    w->mem.ctx = w;
    *state = w;
    return 0;
}

static inline int teardown(void **state)
{
    struct world *w = *state;

    free(w->memory);
    free(w);
    return 0;
}

static const struct acpi_partition_desc one_cpu_uart = {
    .name = "alpha", .vcpu_count = 1, .uart_port = 0x3F8, .uart_irq = 4,
    .cpuid_1_eax = 0x000306A9u, .cpuid_1_edx = 0xBFEBFBFFu,
};

/* A little-endian field of `bytes` bytes at gpa. */
static inline uint64_t rd(const struct world *w, uint64_t gpa, unsigned bytes)
{
    uint64_t v = 0;
    for (unsigned i = bytes; i-- > 0;)
        v = v << 8 | w->memory[gpa + i];
    return v;
}
#define rd8(w, gpa)  rd((w), (gpa), 1)
#define rd16(w, gpa) rd((w), (gpa), 2)
#define rd32(w, gpa) rd((w), (gpa), 4)
#define rd64(w, gpa) rd((w), (gpa), 8)

static inline uint8_t sum(const struct world *w, uint64_t gpa, uint32_t n)
{
    uint8_t s = 0;
    for (uint32_t i = 0; i < n; i++)
        s = (uint8_t)(s + w->memory[gpa + i]);
    return s;
}

static inline void build_acpi(struct world *w, const struct acpi_partition_desc *desc)
{
    uint64_t rsdp = 0;
    assert_true(acpi_build_partition(w->memory, MEMORY_SIZE, desc, &rsdp, &w->sink.diag));
    assert_int_equal(rsdp, RSDP_AT);
    assert_int_equal(w->sink.count, 0);
}

static inline void build_mp(struct world *w, const struct acpi_partition_desc *desc)
{
    uint64_t fp = 0;
    assert_true(mp_table_build(w->memory, MEMORY_SIZE, desc, &fp, &w->sink.diag));
    assert_int_equal(fp, MPFP_AT);
    assert_int_equal(w->sink.count, 0);
}

/* Every byte in [start, end) still holds the canary. */
static inline void assert_canary(const struct world *w, uint64_t start, uint64_t end)
{
    for (uint64_t i = start; i < end; i++)
        if (w->memory[i] != canary(i))
            fail_msg("byte at 0x%llx changed", (unsigned long long)i);
}

static inline void assert_bytes(const struct world *w, uint64_t gpa, const uint8_t *expected,
                                size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (w->memory[gpa + i] != expected[i])
            fail_msg("byte at 0x%llx is 0x%02x, expected 0x%02x", (unsigned long long)(gpa + i),
                     w->memory[gpa + i], expected[i]);
}

#endif
