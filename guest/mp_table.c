/* A partition's MP table (Intel MultiProcessor Specification 1.4: 4.1 floating pointer, 4.2
 * configuration table header, 4.3 base table entries). */
#include "guest/mp_table.h"

#include "guest/pc_platform.h"
#include "lib/string.h"

/* MP Floating Pointer Structure (4.1, Table 4-1). */
struct mp_floating_pointer {
    char signature[4];              /* "_MP_" */
    uint32_t config_table;          /* physical address of the configuration table */
    uint8_t length;                 /* in 16-byte paragraphs: 1 */
    uint8_t spec_rev;               /* 4: version 1.4 */
    uint8_t checksum;               /* all 16 bytes sum to 0 */
    uint8_t feature1;               /* 0: a configuration table is present */
    uint8_t feature2;               /* bit 7 IMCRP: PIC mode; clear: virtual wire mode */
    uint8_t feature3_5[3];
} __attribute__((packed));
_Static_assert(sizeof(struct mp_floating_pointer) == 16, "MP floating pointer is 16 bytes");

/* MP Configuration Table Header (4.2, Table 4-2). */
struct mp_config_header {
    char signature[4];              /* "PCMP" */
    uint16_t base_table_length;     /* header and base entries */
    uint8_t spec_rev;
    uint8_t checksum;               /* the base table sums to 0 */
    char oem_id[8];
    char product_id[12];
    uint32_t oem_table_pointer;
    uint16_t oem_table_size;
    uint16_t entry_count;
    uint32_t lapic_address;
    uint16_t extended_table_length;
    uint8_t extended_table_checksum;
    uint8_t reserved;
} __attribute__((packed));
_Static_assert(sizeof(struct mp_config_header) == 44, "MP configuration table header is 44 bytes");

/* Processor Entry (4.3.1, Table 4-4). */
struct mp_processor {
    uint8_t type;                   /* 0 */
    uint8_t lapic_id;
    uint8_t lapic_version;
    uint8_t cpu_flags;              /* bit 0 EN, bit 1 BP */
    uint32_t cpu_signature;         /* stepping 3:0, model 7:4, family 11:8 */
    uint32_t feature_flags;         /* CPUID.1:EDX */
    uint8_t reserved[8];
} __attribute__((packed));
_Static_assert(sizeof(struct mp_processor) == 20, "MP processor entry is 20 bytes");

/* Bus Entry (4.3.2, Table 4-6). */
struct mp_bus {
    uint8_t type;                   /* 1 */
    uint8_t bus_id;
    char bus_type[6];               /* "ISA   " */
} __attribute__((packed));
_Static_assert(sizeof(struct mp_bus) == 8, "MP bus entry is 8 bytes");

/* I/O APIC Entry (4.3.3, Table 4-8). */
struct mp_ioapic {
    uint8_t type;                   /* 2 */
    uint8_t id;
    uint8_t version;
    uint8_t flags;                  /* bit 0 EN */
    uint32_t address;
} __attribute__((packed));
_Static_assert(sizeof(struct mp_ioapic) == 8, "MP I/O APIC entry is 8 bytes");

/* I/O (type 3) and Local (type 4) Interrupt Assignment Entries (4.3.4, 4.3.5): the same
 * layout, the destination an I/O APIC pin or a local APIC's LINTIN. */
struct mp_interrupt {
    uint8_t type;
    uint8_t interrupt_type;         /* 0 INT, 1 NMI, 2 SMI, 3 ExtINT */
    uint16_t flags;                 /* polarity bits 1:0, trigger mode bits 3:2 */
    uint8_t source_bus_id;
    uint8_t source_bus_irq;
    uint8_t dest_apic_id;           /* 0xFF for a local interrupt: every local APIC */
    uint8_t dest_pin;               /* INTIN# or LINTIN# */
} __attribute__((packed));
_Static_assert(sizeof(struct mp_interrupt) == 8, "MP interrupt assignment entry is 8 bytes");

enum mp_entry_type {
    MP_ENTRY_PROCESSOR = 0,
    MP_ENTRY_BUS = 1,
    MP_ENTRY_IOAPIC = 2,
    MP_ENTRY_IO_INTERRUPT = 3,
    MP_ENTRY_LOCAL_INTERRUPT = 4,
};

enum mp_interrupt_type {
    MP_INT = 0,
    MP_NMI = 1,
    MP_EXTINT = 3,
};

#define MP_SPEC_REV_1_4         4u
#define MP_CPU_ENABLED          0x1u
#define MP_CPU_BOOTSTRAP        0x2u
#define MP_IOAPIC_ENABLED       0x1u
#define MP_CPU_SIGNATURE_MASK   0xFFFu  /* stepping, model, family; the rest is reserved */
#define MP_ALL_LOCAL_APICS      0xFFu
#define MP_INTI_CONFORMING      0x0u    /* the bus's default: ISA is edge, active high */
#define MP_INTI_LEVEL_HIGH      0xDu    /* active high (01), level (11) */

/* The version registers the partition's interrupt controllers report: an integrated xAPIC
 * (0x14, which also tells an OS the APIC IDs need not be unique across I/O APICs) and an
 * I/O APIC of version 0x20. */
#define LAPIC_VERSION           0x14u
#define IOAPIC_VERSION          0x20u

#define ISA_BUS_ID              0u
#define ISA_IRQ_COUNT           16u
#define ISA_CASCADE_IRQ         2u      /* the slave 8259: no device behind it */
#define LINT0                   0u
#define LINT1                   1u

#define MP_OEM_ID               "TESSERA "

#define MP_MAX_ENTRIES_SIZE     (ACPI_BUILD_MAX_VCPUS * sizeof(struct mp_processor) +       \
                                 sizeof(struct mp_bus) + sizeof(struct mp_ioapic) +         \
                                 (ISA_IRQ_COUNT - 1 + 2) * sizeof(struct mp_interrupt))
_Static_assert(MP_CONFIG_TABLE_GPA - MP_FLOATING_POINTER_GPA >= sizeof(struct mp_floating_pointer),
               "the floating pointer fits before the configuration table");
_Static_assert(MP_CONFIG_TABLE_GPA + sizeof(struct mp_config_header) + MP_MAX_ENTRIES_SIZE <=
               MP_TABLE_AREA_BASE + MP_TABLE_AREA_SIZE, "the largest table fits in the area");

/* Appends one base-table entry after the header's current length. */
static void add_entry(struct mp_config_header *h, const void *entry, uint16_t length)
{
    memcpy((uint8_t *)h + h->base_table_length, entry, length);
    h->base_table_length = (uint16_t)(h->base_table_length + length);
    h->entry_count++;
}

static void add_interrupt(struct mp_config_header *h, enum mp_entry_type type,
                          enum mp_interrupt_type interrupt, uint16_t flags, uint8_t irq,
                          uint8_t dest_apic, uint8_t pin)
{
    struct mp_interrupt e = { (uint8_t)type, (uint8_t)interrupt, flags, ISA_BUS_ID, irq,
                              dest_apic, pin };

    add_entry(h, &e, sizeof(e));
}

static void header(struct mp_config_header *h, const struct acpi_partition_desc *desc)
{
    memcpy(h->signature, "PCMP", sizeof(h->signature));
    h->base_table_length = sizeof(*h);
    h->spec_rev = MP_SPEC_REV_1_4;
    memcpy(h->oem_id, MP_OEM_ID, sizeof(h->oem_id));
    acpi_build_name_field(h->product_id, sizeof(h->product_id), desc->name);
    h->lapic_address = (uint32_t)PC_LAPIC_BASE;
}

/* Entries in the order 4.3 requires: processors, buses, I/O APICs, I/O interrupts, local
 * interrupts. */
static void entries(struct mp_config_header *h, const struct acpi_partition_desc *desc)
{
    for (uint32_t i = 0; i < desc->vcpu_count; i++) {
        struct mp_processor cpu = {
            .type = MP_ENTRY_PROCESSOR,
            .lapic_id = (uint8_t)i,
            .lapic_version = LAPIC_VERSION,
            .cpu_flags = MP_CPU_ENABLED | (i == 0 ? MP_CPU_BOOTSTRAP : 0),
            .cpu_signature = desc->cpuid_1_eax & MP_CPU_SIGNATURE_MASK,
            .feature_flags = desc->cpuid_1_edx,
        };
        add_entry(h, &cpu, sizeof(cpu));
    }
    struct mp_bus isa = { MP_ENTRY_BUS, ISA_BUS_ID, { 'I', 'S', 'A', ' ', ' ', ' ' } };
    add_entry(h, &isa, sizeof(isa));
    struct mp_ioapic ioapic = { MP_ENTRY_IOAPIC, PC_IOAPIC_ID, IOAPIC_VERSION, MP_IOAPIC_ENABLED,
                                (uint32_t)PC_IOAPIC_BASE };
    add_entry(h, &ioapic, sizeof(ioapic));
    for (uint8_t irq = 0; irq < ISA_IRQ_COUNT; irq++) {
        if (irq == ISA_CASCADE_IRQ)
            continue;
        uint8_t pin = irq == 0 ? PC_ISA_IRQ_TIMER_GSI : irq;
        uint16_t flags = irq == PC_IRQ_SCI ? MP_INTI_LEVEL_HIGH : MP_INTI_CONFORMING;
        add_interrupt(h, MP_ENTRY_IO_INTERRUPT, MP_INT, flags, irq, PC_IOAPIC_ID,
                      (uint8_t)(pin - PC_IOAPIC_GSI_BASE));
    }
    add_interrupt(h, MP_ENTRY_LOCAL_INTERRUPT, MP_EXTINT, MP_INTI_CONFORMING, 0,
                  MP_ALL_LOCAL_APICS, LINT0);
    add_interrupt(h, MP_ENTRY_LOCAL_INTERRUPT, MP_NMI, MP_INTI_CONFORMING, 0,
                  MP_ALL_LOCAL_APICS, LINT1);
}

bool mp_table_build(uint8_t *memory, uint64_t memory_size, const struct acpi_partition_desc *desc,
                    uint64_t *floating_pointer_gpa, const struct diag *d)
{
    if (!acpi_build_check(memory_size, desc, "mp_table", d))
        return false;

    memset(memory + MP_TABLE_AREA_BASE, 0, MP_TABLE_AREA_SIZE);
    struct mp_config_header *h = (void *)(memory + MP_CONFIG_TABLE_GPA);
    header(h, desc);
    entries(h, desc);
    acpi_build_checksum(&h->checksum, (const uint8_t *)h, h->base_table_length);

    struct mp_floating_pointer *fp = (void *)(memory + MP_FLOATING_POINTER_GPA);
    memcpy(fp->signature, "_MP_", sizeof(fp->signature));
    fp->config_table = (uint32_t)MP_CONFIG_TABLE_GPA;
    fp->length = sizeof(*fp) / 16;
    fp->spec_rev = MP_SPEC_REV_1_4;
    acpi_build_checksum(&fp->checksum, (const uint8_t *)fp, sizeof(*fp));
    *floating_pointer_gpa = MP_FLOATING_POINTER_GPA;
    return true;
}
