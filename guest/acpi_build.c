/* A partition's ACPI tables in its firmware area (ACPI 6.5: 5.2.5 RSDP, 5.2.7 RSDT, 5.2.8 XSDT,
 * 5.2.9 FADT, 5.2.10 FACS, 5.2.11.1 DSDT, 5.2.12 MADT; 6.4.2 resource descriptors). */
#include "guest/acpi_build.h"

#include "drivers/acpi.h"
#include "guest/acpi_fadt.h"
#include "guest/cmos_rtc.h"
#include "guest/aml_emit.h"
#include "guest/pc_platform.h"
#include "lib/string.h"

/* Fixed places in the area, so the addresses are the same in every partition and in the
 * documentation (docs/ARCHITECTURE.md, "A partition's firmware tables"). */
#define FACS_GPA        (ACPI_BUILD_AREA_BASE + 0x040)  /* 64-byte aligned (5.2.10) */
#define RSDT_GPA        (ACPI_BUILD_AREA_BASE + 0x080)
#define XSDT_GPA        (ACPI_BUILD_AREA_BASE + 0x0C0)
#define FADT_GPA        (ACPI_BUILD_AREA_BASE + 0x100)
#define MADT_GPA        (ACPI_BUILD_AREA_BASE + 0x300)
#define DSDT_GPA        (ACPI_BUILD_AREA_BASE + 0x400)
#define DSDT_MAX_SIZE   0x400u
#define DSDT_AML_MAX    256u        /* made on the stack first: \_S5_ and the UART take 66 */

#define ROOT_ENTRIES    2u          /* FADT, MADT */
#define RSDT_SIZE       (ACPI_SDT_HEADER_SIZE + ROOT_ENTRIES * 4u)
#define XSDT_SIZE       (ACPI_SDT_HEADER_SIZE + ROOT_ENTRIES * 8u)

#define MADT_MAX_SIZE   (ACPI_MADT_HEADER_SIZE +                                            \
                         ACPI_BUILD_MAX_VCPUS * sizeof(struct acpi_madt_local_apic) +       \
                         sizeof(struct acpi_madt_io_apic) +                                 \
                         2 * sizeof(struct acpi_madt_override) +                            \
                         sizeof(struct acpi_madt_lapic_nmi))

_Static_assert(ACPI_RSDP_V2_SIZE <= FACS_GPA - ACPI_BUILD_RSDP_GPA, "RSDP fits before the FACS");
_Static_assert(sizeof(struct acpi_facs) <= RSDT_GPA - FACS_GPA, "FACS fits before the RSDT");
_Static_assert(RSDT_SIZE <= XSDT_GPA - RSDT_GPA, "RSDT fits before the XSDT");
_Static_assert(XSDT_SIZE <= FADT_GPA - XSDT_GPA, "XSDT fits before the FADT");
_Static_assert(sizeof(struct acpi_fadt) <= MADT_GPA - FADT_GPA, "FADT fits before the MADT");
_Static_assert(MADT_MAX_SIZE <= DSDT_GPA - MADT_GPA, "the largest MADT fits before the DSDT");
_Static_assert(ACPI_SDT_HEADER_SIZE + DSDT_AML_MAX <= DSDT_MAX_SIZE, "the AML fits the DSDT");
_Static_assert(DSDT_GPA + DSDT_MAX_SIZE <= ACPI_BUILD_AREA_BASE + ACPI_BUILD_AREA_SIZE,
               "the DSDT fits in the area");

#define OEM_REVISION        1u
#define CREATOR_REVISION    1u
#define RSDP_REVISION       2u      /* ACPI 2.0 and later: length, XSDT */
#define RSDT_REVISION       1u
#define XSDT_REVISION       1u
#define DSDT_REVISION       2u      /* 2 and up: AML integers are 64 bits */
#define MADT_REVISION       6u      /* ACPI 6.5 */
#define HYPERVISOR_VENDOR   "tessera "

/* MPS INTI flags (5.2.12.5): polarity bits 1:0, trigger mode bits 3:2. */
#define INTI_ACTIVE_HIGH    0x1u
#define INTI_EDGE           0x4u
#define INTI_LEVEL          0xCu
#define ISA_BUS             0u
#define LINT1               1u

/* The UART's namespace object: a 16550-compatible COM port, 8 ports, one ISA IRQ. */
#define UART_DEVICE_NAME    "UAR0"
#define EISA_ID_PNP0501     0x0105D041u     /* EISAID("PNP0501") as AML stores it */
#define UART_PORT_COUNT     8u
#define UART_PORT_MAX       (0x10000u - UART_PORT_COUNT)
#define ISA_IRQ_COUNT       16u

/* Small resource descriptors (6.4.2): I/O port, IRQ without flags, end tag. */
#define RES_IO_PORT         0x47u   /* tag 0x08, 7 bytes */
#define RES_IO_DECODE16     0x01u
#define RES_IRQ_NO_FLAGS    0x22u   /* tag 0x04, 2 bytes */
#define RES_END_TAG         0x79u   /* tag 0x0F, 1 byte: checksum, 0 = none */
#define UART_RESOURCES_SIZE 13u

static uint8_t *at(uint8_t *memory, uint64_t gpa)
{
    return memory + gpa;
}

void acpi_build_checksum(uint8_t *checksum, const uint8_t *p, uint32_t n)
{
    *checksum = 0;
    *checksum = (uint8_t)-acpi_byte_sum(p, n);
}

bool acpi_build_check(uint64_t memory_size, const struct acpi_partition_desc *desc,
                      const char *who, const struct diag *d)
{
    if (memory_size < GUEST_FIRMWARE_BASE + GUEST_FIRMWARE_SIZE) {
        diag_report(d, "%s: memory size 0x%llx ends before the firmware area's end 0x%llx", who,
                    (unsigned long long)memory_size,
                    (unsigned long long)(GUEST_FIRMWARE_BASE + GUEST_FIRMWARE_SIZE));
        return false;
    }
    if (desc->vcpu_count == 0 || desc->vcpu_count > ACPI_BUILD_MAX_VCPUS) {
        diag_report(d, "%s: vcpu_count %u: not in 1..%u", who, desc->vcpu_count,
                    ACPI_BUILD_MAX_VCPUS);
        return false;
    }
    if (desc->uart_port > UART_PORT_MAX) {
        diag_report(d, "%s: uart_port 0x%x: its %u ports run past 0xffff", who,
                    desc->uart_port, UART_PORT_COUNT);
        return false;
    }
    if (desc->uart_port && desc->uart_irq >= ISA_IRQ_COUNT) {
        diag_report(d, "%s: uart_irq %u: not an ISA IRQ (0..%u)", who, desc->uart_irq,
                    ISA_IRQ_COUNT - 1);
        return false;
    }
    return true;
}

void acpi_build_name_field(char *field, size_t size, const char *name)
{
    size_t length = name ? strnlen(name, size) : 0;

    memset(field, ' ', size);
    if (length)
        memcpy(field, name, length);
}

/* The header every table but the FACS starts with (5.2.6); the checksum comes last. */
static void sdt_header(struct acpi_sdt_header *h, const char *signature, uint32_t length,
                       uint8_t revision, const struct acpi_partition_desc *desc)
{
    memcpy(h->signature, signature, sizeof(h->signature));
    h->length = length;
    h->revision = revision;
    memcpy(h->oem_id, ACPI_BUILD_OEM_ID, sizeof(h->oem_id));
    acpi_build_name_field(h->oem_table_id, sizeof(h->oem_table_id), desc->name);
    h->oem_revision = OEM_REVISION;
    memcpy(&h->creator_id, ACPI_BUILD_CREATOR_ID, sizeof(h->creator_id));
    h->creator_revision = CREATOR_REVISION;
}

static void sdt_checksum(struct acpi_sdt_header *h)
{
    acpi_build_checksum(&h->checksum, (const uint8_t *)h, h->length);
}

/* ---- DSDT (5.2.11.1) ------------------------------------------------------------------ */

/* IO(Decode16, port, port, 1, 8) and IRQNoFlags() { irq } and the end tag (6.4.2). */
static void uart_resources(uint8_t out[UART_RESOURCES_SIZE], uint16_t port, uint8_t irq)
{
    uint16_t irq_mask = (uint16_t)(1u << irq);
    const uint8_t bytes[UART_RESOURCES_SIZE] = {
        RES_IO_PORT, RES_IO_DECODE16,
        (uint8_t)port, (uint8_t)(port >> 8),        /* minimum base */
        (uint8_t)port, (uint8_t)(port >> 8),        /* maximum base: the port is fixed */
        1, UART_PORT_COUNT,                         /* alignment, length */
        RES_IRQ_NO_FLAGS, (uint8_t)irq_mask, (uint8_t)(irq_mask >> 8),
        RES_END_TAG, 0,
    };

    memcpy(out, bytes, sizeof(bytes));
}

/* The definition block: \_S5_ for soft-off (SLP_TYPa and SLP_TYPb, two reserved zeros) and
 * the UART, so an OS that enumerates the namespace finds it without probing. */
static void dsdt_aml(struct aml *a, const struct acpi_partition_desc *desc)
{
    uint32_t mark = aml_name_package_open(a, "_S5_", 4);
    aml_integer(a, PC_ACPI_S5_SLP_TYP);
    aml_integer(a, PC_ACPI_S5_SLP_TYP);
    aml_integer(a, 0);
    aml_integer(a, 0);
    aml_close(a, mark);

    if (!desc->uart_port)
        return;
    uint8_t resources[UART_RESOURCES_SIZE];
    uart_resources(resources, desc->uart_port, desc->uart_irq);
    uint32_t scope = aml_scope_open(a, "\\_SB_");
    uint32_t device = aml_device_open(a, UART_DEVICE_NAME);
    aml_name_integer(a, "_HID", EISA_ID_PNP0501);
    aml_name_integer(a, "_UID", 0);
    aml_name_buffer(a, "_CRS", resources, sizeof(resources));
    aml_close(a, device);
    aml_close(a, scope);
}

/* ---- FADT (5.2.9) and FACS (5.2.10) ----------------------------------------------------- */

static struct acpi_gas io_register(uint16_t port, uint8_t bytes, uint8_t access_size)
{
    return (struct acpi_gas){ ACPI_GAS_SYSTEM_IO, (uint8_t)(bytes * 8), 0, access_size, port };
}

static void build_facs(uint8_t *memory)
{
    struct acpi_facs *facs = (void *)at(memory, FACS_GPA);

    memcpy(facs->signature, "FACS", sizeof(facs->signature));
    facs->length = sizeof(*facs);
    facs->version = ACPI_FACS_VERSION;
}

/* Not hardware-reduced: the partition has the PM1a blocks, the PM timer (Linux's acpi_pm
 * clocksource and its TSC calibration) and the CMOS clock, and an OS told "reduced" skips the
 * PIT and legacy PIC set-up and wants a sleep control register for S5. No SMI command port:
 * the platform is always in ACPI mode. */
static void build_fadt(uint8_t *memory, const struct acpi_partition_desc *desc)
{
    struct acpi_fadt *f = (void *)at(memory, FADT_GPA);

    sdt_header(&f->header, "FACP", sizeof(*f), ACPI_FADT_REVISION, desc);
    f->firmware_ctrl = (uint32_t)FACS_GPA;  /* X_FIRMWARE_CTRL stays 0: below 4 GiB */
    f->dsdt = (uint32_t)DSDT_GPA;
    f->sci_int = PC_IRQ_SCI;
    f->pm1a_evt_blk = PC_ACPI_PM1A_EVT_PORT;
    f->pm1a_cnt_blk = PC_ACPI_PM1A_CNT_PORT;
    f->pm_tmr_blk = PC_ACPI_PM_TMR_PORT;
    f->pm1_evt_len = PC_ACPI_PM1A_EVT_LEN;
    f->pm1_cnt_len = PC_ACPI_PM1A_CNT_LEN;
    f->pm_tmr_len = PC_ACPI_PM_TMR_LEN;
    f->p_lvl2_lat = ACPI_FADT_NO_C2_LATENCY;
    f->p_lvl3_lat = ACPI_FADT_NO_C3_LATENCY;
    /* ISA devices exist (the CMOS clock, the 8259s, the UART); no 8042, no VGA controller
     * behind the text buffer's RAM, no MSI (no PCI); the CMOS RTC is there. */
    f->iapc_boot_arch = ACPI_IAPC_LEGACY_DEVICES | ACPI_IAPC_VGA_NOT_PRESENT |
                        ACPI_IAPC_MSI_NOT_SUPPORTED;
    f->flags = ACPI_FADT_WBINVD | ACPI_FADT_PROC_C1 | ACPI_FADT_PWR_BUTTON |
               ACPI_FADT_SLP_BUTTON | ACPI_FADT_FIX_RTC | ACPI_FADT_RESET_REG_SUP |
               ACPI_FADT_HEADLESS;
    f->century = CMOS_REG_CENTURY;    /* the CMOS clock keeps the century (cmos_rtc.c) */
    f->reset_reg = io_register(PC_RESET_PORT, 1, ACPI_GAS_ACCESS_BYTE);
    f->reset_value = PC_RESET_VALUE;
    f->minor_version = ACPI_FADT_MINOR_VERSION;
    f->x_dsdt = DSDT_GPA;
    /* PM1 registers are 16 bits wide (status and enable are two of them), the timer 32. */
    f->x_pm1a_evt_blk = io_register(PC_ACPI_PM1A_EVT_PORT, PC_ACPI_PM1A_EVT_LEN,
                                    ACPI_GAS_ACCESS_WORD);
    f->x_pm1a_cnt_blk = io_register(PC_ACPI_PM1A_CNT_PORT, PC_ACPI_PM1A_CNT_LEN,
                                    ACPI_GAS_ACCESS_WORD);
    f->x_pm_tmr_blk = io_register(PC_ACPI_PM_TMR_PORT, PC_ACPI_PM_TMR_LEN,
                                  ACPI_GAS_ACCESS_DWORD);
    memcpy(&f->hypervisor_vendor_id, HYPERVISOR_VENDOR, sizeof(f->hypervisor_vendor_id));
    sdt_checksum(&f->header);
}

/* ---- MADT (5.2.12) --------------------------------------------------------------------- */

static void madt_add(struct acpi_madt *madt, const void *entry, uint8_t length)
{
    memcpy((uint8_t *)madt + madt->header.length, entry, length);
    madt->header.length += length;
}

static void add_override(struct acpi_madt *madt, uint8_t irq, uint32_t gsi, uint16_t flags)
{
    struct acpi_madt_override o = { ACPI_MADT_OVERRIDE, sizeof(o), ISA_BUS, irq, gsi, flags };

    madt_add(madt, &o, sizeof(o));
}

/* PCAT_COMPAT: the two 8259s are there (masked), as on every PC; the I/O APIC delivers. */
static void build_madt(uint8_t *memory, const struct acpi_partition_desc *desc)
{
    struct acpi_madt *madt = (void *)at(memory, MADT_GPA);

    sdt_header(&madt->header, "APIC", ACPI_MADT_HEADER_SIZE, MADT_REVISION, desc);
    madt->lapic_address = (uint32_t)PC_LAPIC_BASE;
    madt->flags = ACPI_MADT_PCAT_COMPAT;
    for (uint32_t i = 0; i < desc->vcpu_count; i++) {
        struct acpi_madt_local_apic cpu = { ACPI_MADT_LOCAL_APIC, sizeof(cpu), (uint8_t)i,
                                            (uint8_t)i, ACPI_CPU_ENABLED };
        madt_add(madt, &cpu, sizeof(cpu));
    }
    struct acpi_madt_io_apic ioapic = { ACPI_MADT_IO_APIC, sizeof(ioapic), PC_IOAPIC_ID, 0,
                                        (uint32_t)PC_IOAPIC_BASE, PC_IOAPIC_GSI_BASE };
    madt_add(madt, &ioapic, sizeof(ioapic));
    add_override(madt, 0, PC_ISA_IRQ_TIMER_GSI, INTI_EDGE | INTI_ACTIVE_HIGH);
    add_override(madt, PC_IRQ_SCI, PC_IRQ_SCI, INTI_LEVEL | INTI_ACTIVE_HIGH);
    struct acpi_madt_lapic_nmi nmi = { ACPI_MADT_LOCAL_APIC_NMI, sizeof(nmi), ACPI_NMI_ALL_XAPIC,
                                       INTI_EDGE | INTI_ACTIVE_HIGH, LINT1 };
    madt_add(madt, &nmi, sizeof(nmi));
    sdt_checksum(&madt->header);
}

/* ---- RSDT, XSDT (5.2.7, 5.2.8) and RSDP (5.2.5) ----------------------------------------- */

static void build_roots(uint8_t *memory, const struct acpi_partition_desc *desc)
{
    static const uint64_t listed[ROOT_ENTRIES] = { FADT_GPA, MADT_GPA };
    struct acpi_sdt_header *rsdt = (void *)at(memory, RSDT_GPA);
    struct acpi_sdt_header *xsdt = (void *)at(memory, XSDT_GPA);

    sdt_header(rsdt, "RSDT", RSDT_SIZE, RSDT_REVISION, desc);
    sdt_header(xsdt, "XSDT", XSDT_SIZE, XSDT_REVISION, desc);
    for (uint32_t i = 0; i < ROOT_ENTRIES; i++) {
        uint32_t entry32 = (uint32_t)listed[i];
        memcpy(at(memory, RSDT_GPA + ACPI_SDT_HEADER_SIZE + i * 4u), &entry32, 4);
        memcpy(at(memory, XSDT_GPA + ACPI_SDT_HEADER_SIZE + i * 8u), &listed[i], 8);
    }
    sdt_checksum(rsdt);
    sdt_checksum(xsdt);

    struct acpi_rsdp *r = (void *)at(memory, ACPI_BUILD_RSDP_GPA);
    memcpy(r->signature, "RSD PTR ", sizeof(r->signature));
    memcpy(r->oem_id, ACPI_BUILD_OEM_ID, sizeof(r->oem_id));
    r->revision = RSDP_REVISION;
    r->rsdt_address = (uint32_t)RSDT_GPA;
    r->length = ACPI_RSDP_V2_SIZE;
    r->xsdt_address = XSDT_GPA;
    acpi_build_checksum(&r->checksum, (const uint8_t *)r, ACPI_RSDP_V1_SIZE);
    acpi_build_checksum(&r->extended_checksum, (const uint8_t *)r, ACPI_RSDP_V2_SIZE);
}

bool acpi_build_partition(uint8_t *memory, uint64_t memory_size,
                          const struct acpi_partition_desc *desc, uint64_t *rsdp_gpa,
                          const struct diag *d)
{
    if (!acpi_build_check(memory_size, desc, "acpi_build", d))
        return false;

    /* The AML is made aside first, so that a refusal leaves guest memory untouched. */
    uint8_t aml_bytes[DSDT_AML_MAX];
    struct aml a;
    aml_init(&a, aml_bytes, sizeof(aml_bytes));
    dsdt_aml(&a, desc);
    if (a.failed) {
        diag_report(d, "acpi_build: DSDT: the AML does not fit in %u bytes",
                    (unsigned)sizeof(aml_bytes));
        return false;
    }

    memset(at(memory, ACPI_BUILD_AREA_BASE), 0, ACPI_BUILD_AREA_SIZE);
    struct acpi_sdt_header *dsdt = (void *)at(memory, DSDT_GPA);
    sdt_header(dsdt, "DSDT", ACPI_SDT_HEADER_SIZE + a.length, DSDT_REVISION, desc);
    memcpy(dsdt + 1, aml_bytes, a.length);
    sdt_checksum(dsdt);
    build_facs(memory);
    build_fadt(memory, desc);
    build_madt(memory, desc);
    build_roots(memory, desc);
    *rsdp_gpa = ACPI_BUILD_RSDP_GPA;
    return true;
}
