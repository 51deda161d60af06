/* Host unit tests for drivers/pci_serial.c: which PCI function and BAR the console uses,
 * from configuration spaces described in tables (PCI Local Bus 3.0, 6.1; class 07h/00h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "tests/unit/diag_sink.h"
#include "drivers/pci_serial.h"

/* One function's first 24 bytes: id, command, class, header, BAR0, BAR1. */
struct fake_function {
    uint8_t bus, device, function;
    uint32_t id, command, class, header, bar0, bar1;
};

struct fake_bus {
    const struct fake_function *functions;
    size_t count;
    unsigned long reads;
};

static struct sink sink;

static int reset(void **state)
{
    (void)state;
    sink_reset(&sink);
    return 0;
}

static uint32_t fake_read(void *ctx, uint8_t bus, uint8_t device, uint8_t function,
                          uint8_t offset)
{
    struct fake_bus *b = ctx;
    b->reads++;
    assert_int_equal(offset % 4, 0);
    assert_true(device < 32 && function < 8);
    for (size_t i = 0; i < b->count; i++) {
        const struct fake_function *f = &b->functions[i];
        if (f->bus != bus || f->device != device || f->function != function)
            continue;
        switch (offset) {
        case 0x00: return f->id;
        case 0x04: return f->command;
        case 0x08: return f->class;
        case 0x0C: return f->header;
        case 0x10: return f->bar0;
        case 0x14: return f->bar1;
        default: return 0;
        }
    }
    return 0xFFFFFFFF;
}

#define HOST_BRIDGE { 0, 0, 0, 0x12378086, 0x0007, 0x06000002, 0x00000000, 0, 0 }
#define QEMU_PCI_SERIAL(dev, bar) { 0, dev, 0, 0x00021b36, 0x0003, 0x07000200, 0, bar, 0 }
#define MULTI_FUNCTION  0x00800000

static uint32_t find(const struct fake_function *fns, size_t count, struct pci_serial *out,
                     uint32_t max, struct fake_bus *bus)
{
    *bus = (struct fake_bus){ fns, count, 0 };
    return pci_serial_find(fake_read, bus, out, max, &sink.diag);
}

static void test_no_serial_controller(void **state)
{
    (void)state;
    const struct fake_function fns[] = { HOST_BRIDGE };
    struct pci_serial out[2];
    struct fake_bus bus;
    assert_int_equal(find(fns, 1, out, 2, &bus), 0);
    assert_int_equal(sink.count, 0);
    /* An empty slot costs one read: function 0 absent means no other function. */
    assert_true(bus.reads < 256 * 32 + 8);
}

static void test_qemu_pci_serial_io_bar(void **state)
{
    (void)state;
    const struct fake_function fns[] = { HOST_BRIDGE, QEMU_PCI_SERIAL(3, 0xC001) };
    struct pci_serial out[2];
    struct fake_bus bus;
    assert_int_equal(find(fns, 2, out, 2, &bus), 1);
    assert_int_equal(sink.count, 0);
    assert_int_equal(out[0].bus, 0);
    assert_int_equal(out[0].device, 3);
    assert_int_equal(out[0].function, 0);
    assert_int_equal(out[0].vendor, 0x1b36);
    assert_int_equal(out[0].device_id, 0x0002);
    assert_int_equal(out[0].prog_if, 2);
    assert_true(out[0].io);
    assert_int_equal(out[0].address, 0xC000);
    assert_int_equal(out[0].command_enable, 0);
}

static void test_decoding_off_is_switched_on(void **state)
{
    (void)state;
    struct fake_function fns[] = { QEMU_PCI_SERIAL(4, 0xD001) };
    struct pci_serial out[1];
    struct fake_bus bus;
    fns[0].command = 0x0002;                    /* memory on, I/O off */
    assert_int_equal(find(fns, 1, out, 1, &bus), 1);
    assert_int_equal(out[0].command_enable, PCI_COMMAND_IO);
}

static void test_memory_bars(void **state)
{
    (void)state;
    const struct fake_function fns[] = {
        { 0, 5, 0, 0x950c1415, 0x0000, 0x07000600, 0, 0xFE000000, 0 },        /* 32-bit */
        { 2, 0, 0, 0x950c1415, 0x0002, 0x07000200, 0, 0x0000000C, 0x00000040 }, /* 64-bit */
    };
    struct pci_serial out[2];
    struct fake_bus bus;
    assert_int_equal(find(fns, 2, out, 2, &bus), 2);
    assert_false(out[0].io);
    assert_int_equal(out[0].address, 0xFE000000);
    assert_int_equal(out[0].prog_if, 6);
    assert_int_equal(out[0].command_enable, PCI_COMMAND_MEMORY);
    assert_false(out[1].io);
    assert_int_equal(out[1].bus, 2);
    assert_int_equal(out[1].address, 0x4000000000ull);
    assert_int_equal(out[1].command_enable, 0);
    assert_int_equal(sink.count, 0);
}

static void test_functions_of_multi_function_devices(void **state)
{
    (void)state;
    const struct fake_function fns[] = {
        /* A multi-function device: an SMBus controller, then the UART at function 2. */
        { 0, 0x1F, 0, 0x22928086, 0, 0x0C050000, MULTI_FUNCTION, 0, 0 },
        { 0, 0x1F, 2, 0x22938086, 1, 0x07000200, 0, 0x2F9, 0 },
        /* A single-function device whose function 1 answers anyway: not scanned. */
        { 0, 7, 0, 0x10001af4, 1, 0x02000000, 0, 0, 0 },
        { 0, 7, 1, 0x00021b36, 1, 0x07000200, 0, 0xE001, 0 },
    };
    struct pci_serial out[4];
    struct fake_bus bus;
    assert_int_equal(find(fns, 4, out, 4, &bus), 1);
    assert_int_equal(out[0].device, 0x1F);
    assert_int_equal(out[0].function, 2);
    assert_int_equal(out[0].address, 0x2F8);
}

static void test_other_serial_kinds_ignored_or_reported(void **state)
{
    (void)state;
    const struct fake_function fns[] = {
        { 0, 1, 0, 0x11118086, 1, 0x07010000, 0, 0x379, 0 },    /* parallel port: ignored */
        { 0, 2, 0, 0x22228086, 1, 0x07800000, 0, 0x3F9, 0 },    /* "other" comms: ignored */
        { 0, 3, 0, 0x33338086, 1, 0x07000700, 0, 0x3F9, 0 },    /* prog-if 7: reported */
    };
    struct pci_serial out[1];
    struct fake_bus bus;
    assert_int_equal(find(fns, 3, out, 1, &bus), 0);
    ASSERT_LINES(&sink, "pci: 00:03.0 [8086:3333]: serial controller: programming interface "
                        "0x07 is not 16550-compatible");
}

static void test_unusable_bars_reported(void **state)
{
    (void)state;
    const struct fake_function fns[] = {
        { 0, 1, 0, 0x00011415, 1, 0x07000200, 0, 0x00000001, 0 },   /* I/O BAR at 0 */
        { 0, 2, 0, 0x00021415, 2, 0x07000200, 0, 0x00000000, 0 },   /* memory BAR at 0 */
        { 0, 3, 0, 0x00031415, 2, 0x07000200, 0, 0xFE000006, 0 },   /* memory type 3 */
        { 0, 4, 0, 0x00041415, 1, 0x07000200, 0x00010000, 0x3F9, 0 }, /* a bridge header */
        { 0, 5, 0, 0x00051415, 1, 0x07000200, 0, 0xFFFD, 0 },       /* I/O past 0xfff8 */
    };
    struct pci_serial out[1];
    struct fake_bus bus;
    assert_int_equal(find(fns, 5, out, 1, &bus), 0);
    ASSERT_LINES(&sink,
                 "pci: 00:01.0 [1415:0001]: serial controller: BAR0 I/O 0x0 not assigned",
                 "pci: 00:02.0 [1415:0002]: serial controller: BAR0 memory not assigned",
                 "pci: 00:03.0 [1415:0003]: serial controller: BAR0 memory type 3 reserved",
                 "pci: 00:04.0 [1415:0004]: serial controller: header type 1, not a device",
                 "pci: 00:05.0 [1415:0005]: serial controller: BAR0 I/O 0xfffc not assigned");
}

static void test_at_most_max_in_scan_order(void **state)
{
    (void)state;
    const struct fake_function fns[] = {
        QEMU_PCI_SERIAL(9, 0xC101), QEMU_PCI_SERIAL(4, 0xC201),
        { 255, 31, 0, 0x00021b36, 1, 0x07000200, 0, 0xC301, 0 },
    };
    struct pci_serial out[2] = { 0 };
    struct fake_bus bus;
    assert_int_equal(find(fns, 3, out, 2, &bus), 2);
    assert_int_equal(out[0].device, 4);
    assert_int_equal(out[1].device, 9);
    assert_int_equal(find(fns, 3, NULL, 0, &bus), 0);
}

#define T(name) cmocka_unit_test_setup(name, reset)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_no_serial_controller),
        T(test_qemu_pci_serial_io_bar),
        T(test_decoding_off_is_switched_on),
        T(test_memory_bars),
        T(test_functions_of_multi_function_devices),
        T(test_other_serial_kinds_ignored_or_reported),
        T(test_unusable_bars_reported),
        T(test_at_most_max_in_scan_order),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
