/* Host unit tests for drivers/acpi_spcr.c: SPCR tables of every revision naming I/O and MMIO
 * UARTs with 8- and 32-bit registers, and malformed ones (Microsoft SPCR specification). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "tests/unit/diag_sink.h"
#include "drivers/acpi_spcr.h"

static struct sink sink;
static uint8_t table[SPCR_REV4_LENGTH + 8];
static struct spcr_uart uart;

static int reset(void **state)
{
    (void)state;
    sink_reset(&sink);
    memset(&uart, 0xA5, sizeof(uart));
    return 0;
}

static void put32(size_t off, uint32_t v)
{
    memcpy(table + off, &v, sizeof(v));
}

static void put64(size_t off, uint64_t v)
{
    memcpy(table + off, &v, sizeof(v));
}

/* A well-formed table: interface type, GAS (space, bit width, access size, address), baud code. */
static uint32_t build(uint8_t revision, uint8_t type, uint8_t space, uint8_t bit_width,
                      uint8_t access_size, uint64_t address, uint8_t baud_code)
{
    uint32_t length = revision >= 4 ? SPCR_REV4_LENGTH : SPCR_MIN_LENGTH;
    memset(table, 0, sizeof(table));
    memcpy(table, "SPCR", 4);
    put32(4, length);
    table[8] = revision;
    table[36] = type;
    table[40] = space;
    table[41] = bit_width;
    table[43] = access_size;
    put64(44, address);
    table[58] = baud_code;
    table[60] = 1;                              /* one stop bit */
    put32(64, 0xFFFFFFFF);                      /* not a PCI device */
    return length;
}

static bool parse(uint32_t length)
{
    return spcr_parse(table, length, &uart, &sink.diag);
}

static void test_com1_io_port(void **state)
{
    (void)state;
    assert_true(parse(build(2, SPCR_TYPE_16550, SPCR_SPACE_IO, 8, 1, 0x3F8, 7)));
    assert_int_equal(sink.count, 0);
    assert_true(uart.io);
    assert_int_equal(uart.address, 0x3F8);
    assert_int_equal(uart.register_bytes, 1);
    assert_int_equal(uart.baud, 115200);
    assert_int_equal(uart.clock_hz, 1843200);
    assert_int_equal(uart.revision, 2);
    assert_false(uart.pci);
}

static void test_mmio_32bit_registers(void **state)
{
    (void)state;
    assert_true(parse(build(2, SPCR_TYPE_16550_GAS, SPCR_SPACE_MEMORY, 32, 3, 0xFE030000, 7)));
    assert_int_equal(sink.count, 0);
    assert_false(uart.io);
    assert_int_equal(uart.address, 0xFE030000);
    assert_int_equal(uart.register_bytes, 4);
    assert_int_equal(uart.baud, 115200);
    assert_int_equal(uart.clock_hz, 0);         /* unknown: the divisor stays as it is */
    assert_int_equal(uart.interface_type, 0x12);
}

static void test_mmio_8bit_registers(void **state)
{
    (void)state;
    assert_true(parse(build(2, SPCR_TYPE_16550, SPCR_SPACE_MEMORY, 8, 1, 0xFED00001, 0)));
    assert_int_equal(uart.register_bytes, 1);
    assert_int_equal(uart.address, 0xFED00001);
    assert_int_equal(uart.baud, 0);             /* "as is" */
    assert_int_equal(sink.count, 0);
}

/* Access size 0 ("undefined", older tables): the register bit width decides. */
static void test_mmio_width_from_bit_width(void **state)
{
    (void)state;
    assert_true(parse(build(2, SPCR_TYPE_16450, SPCR_SPACE_MEMORY, 32, 0, 0xC0000000, 6)));
    assert_int_equal(uart.register_bytes, 4);
    assert_int_equal(uart.baud, 57600);
    assert_true(parse(build(1, SPCR_TYPE_16550, SPCR_SPACE_MEMORY, 8, 0, 0xC0000000, 3)));
    assert_int_equal(uart.register_bytes, 1);
    assert_int_equal(uart.baud, 9600);
    assert_int_equal(sink.count, 0);
}

static void test_revision3_clock_and_revision4_precise_baud(void **state)
{
    (void)state;
    uint32_t length = build(3, SPCR_TYPE_16550_GAS, SPCR_SPACE_MEMORY, 32, 3, 0xFE040000, 7);
    put32(76, 48000000);
    assert_true(parse(length));
    assert_int_equal(uart.clock_hz, 48000000);
    assert_int_equal(uart.baud, 115200);
    length = build(4, SPCR_TYPE_16550_GAS, SPCR_SPACE_MEMORY, 32, 3, 0xFE040000, 7);
    put32(76, 48000000);
    put32(80, 1500000);
    assert_true(parse(length));
    assert_int_equal(uart.baud, 1500000);
    /* Revision 2 calls offset 76 reserved: a value there is not a clock. */
    length = build(2, SPCR_TYPE_16550, SPCR_SPACE_IO, 8, 1, 0x2F8, 7);
    put32(76, 48000000);
    assert_true(parse(length));
    assert_int_equal(uart.clock_hz, 1843200);
    assert_int_equal(sink.count, 0);
}

static void test_pci_device_named(void **state)
{
    (void)state;
    uint32_t length = build(2, SPCR_TYPE_16550, SPCR_SPACE_IO, 8, 1, 0xC000, 7);
    put32(64, 0x80860002);                      /* device 0x0002, vendor 0x8086 */
    table[68] = 2, table[69] = 3, table[70] = 1;
    assert_true(parse(length));
    assert_true(uart.pci);
    assert_int_equal(uart.pci_bus, 2);
    assert_int_equal(uart.pci_device, 3);
    assert_int_equal(uart.pci_function, 1);
}

static void test_settings_reported_but_used(void **state)
{
    (void)state;
    uint32_t length = build(2, SPCR_TYPE_16550, SPCR_SPACE_IO, 8, 1, 0x3F8, 5);
    table[59] = 1;                              /* odd parity */
    assert_true(parse(length));
    assert_int_equal(uart.baud, 0);
    ASSERT_LINES(&sink, "acpi: SPCR: baud rate code 5 unknown; keeping the firmware's",
                 "acpi: SPCR: parity 1, stop bits 1: using 8N1");
}

static void expect_rejected(uint32_t length, const char *line)
{
    sink.count = 0;
    assert_false(parse(length));
    assert_lines(&sink, 1, (const char *const[]){ line });
}

static void test_malformed_tables(void **state)
{
    (void)state;
    uint32_t n;

    n = build(2, SPCR_TYPE_16550, SPCR_SPACE_IO, 8, 1, 0x3F8, 7);
    expect_rejected(SPCR_MIN_LENGTH - 1, "acpi: SPCR: length 79 < 80");
    sink.count = 0;
    assert_false(spcr_parse(NULL, 100, &uart, &sink.diag));
    ASSERT_LINES(&sink, "acpi: SPCR: length 0 < 80");
    table[0] = 'X';
    expect_rejected(n, "acpi: SPCR: signature is not \"SPCR\"");
    n = build(2, 0x03, SPCR_SPACE_MEMORY, 32, 3, 0x9000000, 7);     /* an ARM PL011 */
    expect_rejected(n, "acpi: SPCR: interface type 0x3 is not a 16550");
    n = build(2, SPCR_TYPE_16550, SPCR_SPACE_IO, 8, 1, 0, 7);
    expect_rejected(n, "acpi: SPCR: base address 0 (console redirection disabled)");
    n = build(2, SPCR_TYPE_16550, 2, 8, 1, 0x3F8, 7);               /* PCI configuration space */
    expect_rejected(n, "acpi: SPCR: address space 2 is neither memory nor I/O");
    n = build(2, SPCR_TYPE_16550, SPCR_SPACE_IO, 8, 1, 0xFFFA, 7);
    expect_rejected(n, "acpi: SPCR: I/O port 0xfffa out of range");
    n = build(2, SPCR_TYPE_16550, SPCR_SPACE_IO, 8, 1, 0x100003F8ull, 7);
    expect_rejected(n, "acpi: SPCR: I/O port 0x100003f8 out of range");
    n = build(2, SPCR_TYPE_16550_GAS, SPCR_SPACE_MEMORY, 16, 2, 0xFE030000, 7);
    expect_rejected(n, "acpi: SPCR: register access size 2, bit width 16: not 8 or 32 bits");
    n = build(2, SPCR_TYPE_16550_GAS, SPCR_SPACE_MEMORY, 64, 4, 0xFE030000, 7);
    expect_rejected(n, "acpi: SPCR: register access size 4, bit width 64: not 8 or 32 bits");
    n = build(2, SPCR_TYPE_16550_GAS, SPCR_SPACE_MEMORY, 0, 0, 0xFE030000, 7);
    expect_rejected(n, "acpi: SPCR: register access size 0, bit width 0: not 8 or 32 bits");
    n = build(2, SPCR_TYPE_16550_GAS, SPCR_SPACE_MEMORY, 32, 3, 0xFE030002, 7);
    expect_rejected(n, "acpi: SPCR: MMIO address 0xfe030002 unusable for 4-byte registers");
    n = build(2, SPCR_TYPE_16550_GAS, SPCR_SPACE_MEMORY, 32, 3, 0xFFFFFFFFFFFFFFF0ull, 7);
    expect_rejected(n, "acpi: SPCR: MMIO address 0xfffffffffffffff0 unusable for 4-byte "
                       "registers");
}

/* A revision 4 table cut before the precise baud rate: the field is not read. */
static void test_short_revision4(void **state)
{
    (void)state;
    build(4, SPCR_TYPE_16550, SPCR_SPACE_IO, 8, 1, 0x3F8, 7);
    put32(80, 9600);
    assert_true(parse(SPCR_MIN_LENGTH));
    assert_int_equal(uart.baud, 115200);
}

#define T(name) cmocka_unit_test_setup(name, reset)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_com1_io_port),
        T(test_mmio_32bit_registers),
        T(test_mmio_8bit_registers),
        T(test_mmio_width_from_bit_width),
        T(test_revision3_clock_and_revision4_precise_baud),
        T(test_pci_device_named),
        T(test_settings_reported_but_used),
        T(test_malformed_tables),
        T(test_short_revision4),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
