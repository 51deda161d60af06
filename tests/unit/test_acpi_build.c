/* Host unit tests for guest/acpi_build.c and guest/aml_emit.c: the tables are read back through
 * drivers/acpi.c as an OS would find them, and byte by byte at the offsets of ACPI 6.5
 * (5.2.5-5.2.12; AML 20.2). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "firmware_fixture.h"
#include "guest/aml_emit.h"

static void assert_table(const struct acpi_table *t, const char *sig, uint64_t address,
                         uint32_t length)
{
    assert_string_equal(t->signature, sig);
    assert_int_equal(t->address, address);
    assert_int_equal(t->length, length);
}

/* ---- found and parsed as an OS would --------------------------------------------------- */

/* What drivers/acpi.c must find in a one-vCPU partition, however it found the RSDP. */
static void assert_parsed_one_cpu(const struct world *w)
{
    const struct acpi_info *i = &w->info;

    assert_int_equal(i->errors, 0);
    assert_int_equal(w->sink.count, 0);
    assert_int_equal(i->rsdp_length, 36);
    assert_int_equal(i->rsdp_revision, 2);
    assert_string_equal(i->oem_id, "TESSRA");
    assert_true(i->using_xsdt);
    assert_int_equal(i->table_count, 4);
    assert_table(&i->tables[0], "XSDT", XSDT_AT, 52);
    assert_table(&i->tables[1], "RSDT", RSDT_AT, 44);
    assert_table(&i->tables[2], "FACP", FADT_AT, 276);
    assert_table(&i->tables[3], "APIC", MADT_AT, 90);
    assert_true(i->madt_found);
    assert_int_equal(i->madt_address, MADT_AT);
    assert_int_equal(i->lapic_address, 0xFEE00000u);
    assert_true(i->pcat_compat);
    assert_int_equal(i->cpu_count, 1);
    assert_int_equal(i->cpus[0].apic_id, 0);
    assert_int_equal(i->cpus[0].uid, 0);
    assert_true(i->cpus[0].enabled);
    assert_false(i->cpus[0].x2apic);
    assert_int_equal(i->ioapic_count, 1);
    assert_int_equal(i->ioapics[0].id, 1);
    assert_int_equal(i->ioapics[0].address, 0xFEC00000u);
    assert_int_equal(i->ioapics[0].gsi_base, 0);
    assert_int_equal(i->override_count, 2);
    assert_int_equal(i->overrides[0].bus, 0);
    assert_int_equal(i->overrides[0].source, 0);
    assert_int_equal(i->overrides[0].gsi, 2);
    assert_int_equal(i->overrides[0].flags, 0x5);     /* edge, active high */
    assert_int_equal(i->overrides[1].source, 9);
    assert_int_equal(i->overrides[1].gsi, 9);
    assert_int_equal(i->overrides[1].flags, 0xD);     /* level, active high */
    assert_int_equal(i->nmi_count, 1);
    assert_true(i->nmis[0].all_cpus);
    assert_int_equal(i->nmis[0].lint, 1);
    assert_int_equal(i->nmis[0].flags, 0x5);
}

static void test_rsdp_found_by_scanning_the_bios_area(void **state)
{
    struct world *w = *state;
    build_acpi(w, &one_cpu_uart);

    w->boot.bios = true;            /* no multiboot2 copy: scan the EBDA, then 0xE0000-0xFFFFF */
    assert_true(acpi_parse(&w->mem, &w->boot, &w->info, &w->sink.diag));
    assert_int_equal(w->info.rsdp_source, ACPI_RSDP_BIOS_AREA);
    assert_int_equal(w->info.rsdp_address, RSDP_AT);
    assert_parsed_one_cpu(w);
}

static void test_rsdp_from_the_returned_gpa(void **state)
{
    struct world *w = *state;
    build_acpi(w, &one_cpu_uart);

    /* As a multiboot2 loader hands it over: a copy of the 36 bytes at the returned gpa. */
    w->boot.rsdp_new = w->memory + RSDP_AT;
    w->boot.rsdp_new_size = 36;
    assert_true(acpi_parse(&w->mem, &w->boot, &w->info, &w->sink.diag));
    assert_int_equal(w->info.rsdp_source, ACPI_RSDP_MB2_NEW);
    assert_parsed_one_cpu(w);
}

static void test_four_cpus_parse_with_ids_in_order(void **state)
{
    struct world *w = *state;
    struct acpi_partition_desc desc = one_cpu_uart;
    desc.vcpu_count = 4;
    build_acpi(w, &desc);

    w->boot.bios = true;
    assert_true(acpi_parse(&w->mem, &w->boot, &w->info, &w->sink.diag));
    assert_int_equal(w->info.errors, 0);
    assert_int_equal(w->info.cpu_count, 4);
    for (uint32_t i = 0; i < 4; i++) {
        assert_int_equal(w->info.cpus[i].apic_id, i);
        assert_int_equal(w->info.cpus[i].uid, i);
        assert_true(w->info.cpus[i].enabled);
    }
    assert_int_equal(w->info.tables[3].length, 90 + 3 * 8);
}

/* ---- each table, byte by byte ----------------------------------------------------------- */

static void test_rsdp_and_roots(void **state)
{
    struct world *w = *state;
    build_acpi(w, &one_cpu_uart);

    assert_memory_equal(w->memory + RSDP_AT, "RSD PTR ", 8);
    assert_int_equal(sum(w, RSDP_AT, 20), 0);
    assert_int_equal(sum(w, RSDP_AT, 36), 0);
    assert_memory_equal(w->memory + RSDP_AT + 9, "TESSRA", 6);
    assert_int_equal(rd8(w, RSDP_AT + 15), 2);                 /* revision */
    assert_int_equal(rd32(w, RSDP_AT + 16), RSDT_AT);
    assert_int_equal(rd32(w, RSDP_AT + 20), 36);                /* length */
    assert_int_equal(rd64(w, RSDP_AT + 24), XSDT_AT);
    assert_int_equal(rd32(w, RSDP_AT + 33) & 0xFFFFFF, 0);      /* reserved */

    assert_memory_equal(w->memory + RSDT_AT, "RSDT", 4);
    assert_int_equal(rd32(w, RSDT_AT + 4), 44);
    assert_int_equal(sum(w, RSDT_AT, 44), 0);
    assert_int_equal(rd32(w, RSDT_AT + 36), FADT_AT);
    assert_int_equal(rd32(w, RSDT_AT + 40), MADT_AT);

    assert_memory_equal(w->memory + XSDT_AT, "XSDT", 4);
    assert_int_equal(rd32(w, XSDT_AT + 4), 52);
    assert_int_equal(rd8(w, XSDT_AT + 8), 1);
    assert_int_equal(sum(w, XSDT_AT, 52), 0);
    assert_int_equal(rd64(w, XSDT_AT + 36), FADT_AT);
    assert_int_equal(rd64(w, XSDT_AT + 44), MADT_AT);
}

static void test_table_headers_carry_the_partition_name(void **state)
{
    struct world *w = *state;
    static const uint32_t tables[] = { RSDT_AT, XSDT_AT, FADT_AT, MADT_AT, DSDT_AT };
    build_acpi(w, &one_cpu_uart);

    for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
        assert_memory_equal(w->memory + tables[i] + 10, "TESSRA", 6);
        assert_memory_equal(w->memory + tables[i] + 16, "alpha   ", 8);
        assert_int_equal(rd32(w, tables[i] + 24), 1);           /* OEM revision */
        assert_memory_equal(w->memory + tables[i] + 28, "TESS", 4);
        assert_int_equal(rd32(w, tables[i] + 32), 1);           /* creator revision */
    }

    struct acpi_partition_desc desc = one_cpu_uart;
    desc.name = "longer-than-eight";
    build_acpi(w, &desc);
    assert_memory_equal(w->memory + FADT_AT + 16, "longer-t", 8);
    assert_int_equal(sum(w, FADT_AT, 276), 0);
    desc.name = NULL;
    build_acpi(w, &desc);
    assert_memory_equal(w->memory + MADT_AT + 16, "        ", 8);
}

static void test_fadt_fields_at_their_offsets(void **state)
{
    struct world *w = *state;
    build_acpi(w, &one_cpu_uart);
    const uint64_t f = FADT_AT;

    assert_memory_equal(w->memory + f, "FACP", 4);
    assert_int_equal(rd32(w, f + 4), 276);
    assert_int_equal(rd8(w, f + 8), 6);                 /* revision */
    assert_int_equal(sum(w, f, 276), 0);
    assert_int_equal(rd32(w, f + 36), FACS_AT);         /* FIRMWARE_CTRL */
    assert_int_equal(rd32(w, f + 40), DSDT_AT);         /* DSDT */
    assert_int_equal(rd8(w, f + 45), 0);                /* Preferred_PM_Profile: unspecified */
    assert_int_equal(rd16(w, f + 46), 9);               /* SCI_INT */
    assert_int_equal(rd32(w, f + 48), 0);               /* SMI_CMD: always in ACPI mode */
    assert_int_equal(rd8(w, f + 52), 0);                /* ACPI_ENABLE */
    assert_int_equal(rd8(w, f + 53), 0);                /* ACPI_DISABLE */
    assert_int_equal(rd32(w, f + 56), 0x600);           /* PM1a_EVT_BLK */
    assert_int_equal(rd32(w, f + 60), 0);               /* PM1b_EVT_BLK */
    assert_int_equal(rd32(w, f + 64), 0x604);           /* PM1a_CNT_BLK */
    assert_int_equal(rd32(w, f + 68), 0);
    assert_int_equal(rd32(w, f + 72), 0);               /* PM2_CNT_BLK */
    assert_int_equal(rd32(w, f + 76), 0x608);           /* PM_TMR_BLK */
    assert_int_equal(rd32(w, f + 80), 0);               /* GPE0_BLK */
    assert_int_equal(rd32(w, f + 84), 0);               /* GPE1_BLK */
    assert_int_equal(rd8(w, f + 88), 4);                /* PM1_EVT_LEN */
    assert_int_equal(rd8(w, f + 89), 2);                /* PM1_CNT_LEN */
    assert_int_equal(rd8(w, f + 90), 0);                /* PM2_CNT_LEN */
    assert_int_equal(rd8(w, f + 91), 4);                /* PM_TMR_LEN */
    assert_int_equal(rd8(w, f + 92), 0);                /* GPE0_BLK_LEN */
    assert_int_equal(rd16(w, f + 96), 101);             /* P_LVL2_LAT: no C2 */
    assert_int_equal(rd16(w, f + 98), 1001);            /* P_LVL3_LAT: no C3 */
    assert_int_equal(rd8(w, f + 108), 0);               /* CENTURY */
    /* IAPC_BOOT_ARCH: legacy devices, VGA not present, MSI not supported; no 8042, CMOS RTC
     * present. */
    assert_int_equal(rd16(w, f + 109), 0x000D);
    /* WBINVD, PROC_C1, PWR_BUTTON, SLP_BUTTON, FIX_RTC, RESET_REG_SUP, HEADLESS; 24-bit timer,
     * not HW_REDUCED_ACPI. */
    assert_int_equal(rd32(w, f + 112), 0x00001475);
    static const uint8_t reset_reg[12] = { 1, 8, 0, 1, 0xF9, 0x0C, 0, 0, 0, 0, 0, 0 };
    assert_bytes(w, f + 116, reset_reg, sizeof(reset_reg));
    assert_int_equal(rd8(w, f + 128), 6);               /* RESET_VALUE */
    assert_int_equal(rd16(w, f + 129), 0);              /* ARM_BOOT_ARCH */
    assert_int_equal(rd8(w, f + 131), 5);               /* FADT minor version: 6.5 */
    assert_int_equal(rd64(w, f + 132), 0);              /* X_FIRMWARE_CTRL: the 32-bit one */
    assert_int_equal(rd64(w, f + 140), DSDT_AT);        /* X_DSDT */
    static const uint8_t pm1a_evt[12] = { 1, 32, 0, 2, 0x00, 0x06, 0, 0, 0, 0, 0, 0 };
    static const uint8_t pm1a_cnt[12] = { 1, 16, 0, 2, 0x04, 0x06, 0, 0, 0, 0, 0, 0 };
    static const uint8_t pm_tmr[12] = { 1, 32, 0, 3, 0x08, 0x06, 0, 0, 0, 0, 0, 0 };
    static const uint8_t absent[12] = { 0 };
    assert_bytes(w, f + 148, pm1a_evt, 12);             /* X_PM1a_EVT_BLK */
    assert_bytes(w, f + 160, absent, 12);               /* X_PM1b_EVT_BLK */
    assert_bytes(w, f + 172, pm1a_cnt, 12);             /* X_PM1a_CNT_BLK */
    assert_bytes(w, f + 184, absent, 12);               /* X_PM1b_CNT_BLK */
    assert_bytes(w, f + 196, absent, 12);               /* X_PM2_CNT_BLK */
    assert_bytes(w, f + 208, pm_tmr, 12);               /* X_PM_TMR_BLK */
    assert_bytes(w, f + 220, absent, 12);               /* X_GPE0_BLK */
    assert_bytes(w, f + 232, absent, 12);               /* X_GPE1_BLK */
    assert_bytes(w, f + 244, absent, 12);               /* SLEEP_CONTROL_REG */
    assert_bytes(w, f + 256, absent, 12);               /* SLEEP_STATUS_REG */
    assert_memory_equal(w->memory + f + 268, "tessera ", 8);
}

static void test_facs(void **state)
{
    struct world *w = *state;
    build_acpi(w, &one_cpu_uart);

    assert_int_equal(FACS_AT % 64, 0);
    assert_memory_equal(w->memory + FACS_AT, "FACS", 4);
    assert_int_equal(rd32(w, FACS_AT + 4), 64);
    assert_int_equal(rd32(w, FACS_AT + 8), 0);          /* hardware signature */
    assert_int_equal(rd32(w, FACS_AT + 12), 0);         /* no waking vector: no S3 */
    assert_int_equal(rd32(w, FACS_AT + 16), 0);         /* global lock free */
    assert_int_equal(rd32(w, FACS_AT + 20), 0);         /* flags: no S4BIOS */
    assert_int_equal(rd8(w, FACS_AT + 32), 2);          /* version */
}

/* Name(_S5_, Package(4) { 5, 5, 0, 0 }) */
static const uint8_t s5_aml[] = {
    0x08, '_', 'S', '5', '_', 0x12, 0x08, 0x04, 0x0A, 0x05, 0x0A, 0x05, 0x00, 0x00,
};

static void test_dsdt_without_uart_holds_s5_alone(void **state)
{
    struct world *w = *state;
    struct acpi_partition_desc desc = one_cpu_uart;
    desc.uart_port = 0;
    build_acpi(w, &desc);

    assert_memory_equal(w->memory + DSDT_AT, "DSDT", 4);
    assert_int_equal(rd32(w, DSDT_AT + 4), 36 + sizeof(s5_aml));
    assert_int_equal(rd8(w, DSDT_AT + 8), 2);           /* revision 2: 64-bit integers */
    assert_int_equal(sum(w, DSDT_AT, 36 + sizeof(s5_aml)), 0);
    assert_bytes(w, DSDT_AT + 36, s5_aml, sizeof(s5_aml));
}

static void test_dsdt_describes_the_uart(void **state)
{
    struct world *w = *state;
    /* Scope(\_SB_) { Device(UAR0) { Name(_HID, EisaId("PNP0501")) Name(_UID, 0)
     *   Name(_CRS, ResourceTemplate() { IO(Decode16, 0x3F8, 0x3F8, 1, 8) IRQNoFlags() {4} }) } } */
    static const uint8_t uart_aml[] = {
        0x10, 0x33, '\\', '_', 'S', 'B', '_',
        0x5B, 0x82, 0x2B, 'U', 'A', 'R', '0',
        0x08, '_', 'H', 'I', 'D', 0x0C, 0x41, 0xD0, 0x05, 0x01,
        0x08, '_', 'U', 'I', 'D', 0x00,
        0x08, '_', 'C', 'R', 'S', 0x11, 0x10, 0x0A, 0x0D,
        0x47, 0x01, 0xF8, 0x03, 0xF8, 0x03, 0x01, 0x08,
        0x22, 0x10, 0x00,
        0x79, 0x00,
    };
    build_acpi(w, &one_cpu_uart);

    uint32_t length = 36 + sizeof(s5_aml) + sizeof(uart_aml);
    assert_int_equal(rd32(w, DSDT_AT + 4), length);
    assert_int_equal(sum(w, DSDT_AT, length), 0);
    assert_bytes(w, DSDT_AT + 36, s5_aml, sizeof(s5_aml));
    assert_bytes(w, DSDT_AT + 36 + sizeof(s5_aml), uart_aml, sizeof(uart_aml));

    /* COM2: the port and the IRQ mask follow desc. */
    struct acpi_partition_desc desc = one_cpu_uart;
    desc.uart_port = 0x2F8;
    desc.uart_irq = 3;
    build_acpi(w, &desc);
    static const uint8_t com2_resources[] = {
        0x47, 0x01, 0xF8, 0x02, 0xF8, 0x02, 0x01, 0x08, 0x22, 0x08, 0x00, 0x79, 0x00,
    };
    assert_bytes(w, DSDT_AT + 36 + sizeof(s5_aml) + 39, com2_resources, sizeof(com2_resources));
    assert_int_equal(sum(w, DSDT_AT, length), 0);
}

static void test_madt_entries_exactly(void **state)
{
    struct world *w = *state;
    struct acpi_partition_desc desc = one_cpu_uart;
    desc.vcpu_count = 2;
    build_acpi(w, &desc);
    static const uint8_t entries[] = {
        0x00, 0x08, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,         /* local APIC: UID 0, ID 0 */
        0x00, 0x08, 0x01, 0x01, 0x01, 0x00, 0x00, 0x00,         /* local APIC: UID 1, ID 1 */
        0x01, 0x0C, 0x01, 0x00, 0x00, 0x00, 0xC0, 0xFE, 0x00, 0x00, 0x00, 0x00, /* I/O APIC */
        0x02, 0x0A, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x05, 0x00, /* IRQ 0 -> GSI 2 */
        0x02, 0x0A, 0x00, 0x09, 0x09, 0x00, 0x00, 0x00, 0x0D, 0x00, /* IRQ 9 level high */
        0x04, 0x06, 0xFF, 0x05, 0x00, 0x01,                     /* NMI on every LINT1 */
    };
    uint32_t length = 44 + sizeof(entries);

    assert_memory_equal(w->memory + MADT_AT, "APIC", 4);
    assert_int_equal(rd32(w, MADT_AT + 4), length);
    assert_int_equal(rd8(w, MADT_AT + 8), 6);           /* revision: ACPI 6.5 */
    assert_int_equal(sum(w, MADT_AT, length), 0);
    assert_int_equal(rd32(w, MADT_AT + 36), 0xFEE00000u);
    assert_int_equal(rd32(w, MADT_AT + 40), 1);         /* PCAT_COMPAT */
    assert_bytes(w, MADT_AT + 44, entries, sizeof(entries));
}

/* ---- refusals ------------------------------------------------------------------------------ */

static void test_refuses_a_bad_description(void **state)
{
    struct world *w = *state;
    uint64_t gpa = 0;
    struct acpi_partition_desc none = one_cpu_uart, many = one_cpu_uart, irq = one_cpu_uart,
                               port = one_cpu_uart;
    none.vcpu_count = 0;
    many.vcpu_count = 9;
    irq.uart_irq = 16;
    port.uart_port = 0xFFF9;

    assert_false(acpi_build_partition(w->memory, MEMORY_SIZE, &none, &gpa, &w->sink.diag));
    assert_false(acpi_build_partition(w->memory, MEMORY_SIZE, &many, &gpa, &w->sink.diag));
    assert_false(acpi_build_partition(w->memory, MEMORY_SIZE, &irq, &gpa, &w->sink.diag));
    assert_false(acpi_build_partition(w->memory, MEMORY_SIZE, &port, &gpa, &w->sink.diag));
    assert_false(mp_table_build(w->memory, MEMORY_SIZE, &many, &gpa, &w->sink.diag));
    ASSERT_LINES(&w->sink,
                 "acpi_build: vcpu_count 0: not in 1..8",
                 "acpi_build: vcpu_count 9: not in 1..8",
                 "acpi_build: uart_irq 16: not an ISA IRQ (0..15)",
                 "acpi_build: uart_port 0xfff9: its 8 ports run past 0xffff",
                 "mp_table: vcpu_count 9: not in 1..8");
    assert_int_equal(gpa, 0);
    assert_canary(w, 0, MEMORY_SIZE);

    /* Without a UART its IRQ does not matter. */
    irq.uart_port = 0;
    sink_reset(&w->sink);
    assert_true(acpi_build_partition(w->memory, MEMORY_SIZE, &irq, &gpa, &w->sink.diag));
}

/* ---- the AML emitter's edges --------------------------------------------------------------- */

static void test_aml_long_package_takes_a_two_byte_length(void **state)
{
    (void)state;
    uint8_t out[128];
    uint8_t payload[70];
    struct aml a;
    for (size_t i = 0; i < sizeof(payload); i++)
        payload[i] = (uint8_t)i;

    aml_init(&a, out, sizeof(out));
    aml_name_buffer(&a, "BUF0", payload, sizeof(payload));
    assert_false(a.failed);
    /* NameOp, name, BufferOp, PkgLength (2 bytes: 2 + 2 + 70 = 74 = 0x4A), BufferSize 70 */
    static const uint8_t head[] = { 0x08, 'B', 'U', 'F', '0', 0x11, 0x4A, 0x04, 0x0A, 70 };
    assert_int_equal(a.length, sizeof(head) + sizeof(payload));
    assert_memory_equal(out, head, sizeof(head));
    assert_memory_equal(out + sizeof(head), payload, sizeof(payload));

    /* The edge: 63 fits one byte (1 + BufferSize 2 + 60), 64 does not (2 + 2 + 61 = 65). */
    aml_init(&a, out, sizeof(out));
    aml_name_buffer(&a, "BUF0", payload, 60);
    assert_int_equal(out[6], 0x3F);
    assert_int_equal(out[7], 0x0A);
    assert_int_equal(a.length, 6 + 1 + 2 + 60);
    aml_init(&a, out, sizeof(out));
    aml_name_buffer(&a, "BUF0", payload, 61);
    assert_int_equal(out[6], 0x41);
    assert_int_equal(out[7], 0x04);
    assert_int_equal(out[8], 0x0A);
    assert_int_equal(a.length, 6 + 2 + 2 + 61);

    /* Integers take the shortest form. */
    aml_init(&a, out, sizeof(out));
    aml_integer(&a, 0);
    aml_integer(&a, 1);
    aml_integer(&a, 2);
    aml_integer(&a, 0x1234);
    aml_integer(&a, 0x12345678);
    static const uint8_t integers[] = { 0x00, 0x01, 0x0A, 0x02, 0x0B, 0x34, 0x12,
                                        0x0C, 0x78, 0x56, 0x34, 0x12 };
    assert_int_equal(a.length, sizeof(integers));
    assert_memory_equal(out, integers, sizeof(integers));
}

static void test_aml_overflow_and_bad_names_fail(void **state)
{
    (void)state;
    uint8_t out[16];
    uint8_t payload[20] = { 0 };
    struct aml a;

    aml_init(&a, out, sizeof(out));
    aml_name_buffer(&a, "BUF0", payload, sizeof(payload));
    assert_true(a.failed);
    assert_true(a.length <= sizeof(out));

    aml_init(&a, out, sizeof(out));
    aml_name_integer(&a, "_S5", 1);
    assert_true(a.failed);

    /* A package that needs a second length byte when the buffer has no room for it. */
    uint8_t tight[67];
    aml_init(&a, tight, sizeof(tight));
    uint32_t mark = aml_scope_open(&a, "SCOP");     /* 1 + 1 + 4 = 6 bytes */
    uint8_t filler[61] = { 0 };
    aml_bytes(&a, filler, sizeof(filler));
    assert_false(a.failed);
    assert_int_equal(a.length, sizeof(tight));
    aml_close(&a, mark);
    assert_true(a.failed);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_rsdp_found_by_scanning_the_bios_area, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rsdp_from_the_returned_gpa, setup, teardown),
        cmocka_unit_test_setup_teardown(test_four_cpus_parse_with_ids_in_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rsdp_and_roots, setup, teardown),
        cmocka_unit_test_setup_teardown(test_table_headers_carry_the_partition_name, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_fadt_fields_at_their_offsets, setup, teardown),
        cmocka_unit_test_setup_teardown(test_facs, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dsdt_without_uart_holds_s5_alone, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dsdt_describes_the_uart, setup, teardown),
        cmocka_unit_test_setup_teardown(test_madt_entries_exactly, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refuses_a_bad_description, setup, teardown),
        cmocka_unit_test(test_aml_long_package_takes_a_two_byte_length),
        cmocka_unit_test(test_aml_overflow_and_bad_names_fail),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
