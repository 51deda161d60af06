/* ACPI table discovery and MADT parsing (ACPI 6.5: RSDP 5.2.5, RSDT 5.2.7, XSDT 5.2.8, MADT 5.2.12).
 * acpi_parse() is pure C, compiled into the hypervisor and into the host unit tests;
 * acpi_init() and acpi_dump() (drivers/acpi_dump.c) are the hypervisor's side. */
#ifndef DRIVERS_ACPI_H
#define DRIVERS_ACPI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/diag.h"

#define ACPI_MAX_CPUS       256
#define ACPI_MAX_IOAPICS    32
#define ACPI_MAX_OVERRIDES  48      /* 16 ISA IRQs, plus room for firmware that lists more */
#define ACPI_MAX_NMIS       ACPI_MAX_CPUS   /* firmware often lists one per processor */
#define ACPI_MAX_TABLES     64
#define ACPI_TABLE_MAX_LENGTH   (1024u * 1024u)   /* larger is taken as garbage */

/* ---- hardware layouts (ACPI 6.5), shared with later readers of these tables ------- */

#define ACPI_RSDP_V1_SIZE        20      /* the ACPI 1.0 part, covered by the first checksum */
#define ACPI_RSDP_V2_SIZE        36
#define ACPI_SDT_HEADER_SIZE     36
#define ACPI_MADT_HEADER_SIZE    44
#define ACPI_MADT_PCAT_COMPAT    0x1u    /* MADT flags bit 0 (5.2.12) */
#define ACPI_CPU_ENABLED         0x1u    /* Local APIC flags (5.2.12.2) */
#define ACPI_CPU_ONLINE_CAPABLE  0x2u    /* ACPI 6.3+: disabled now, may be started later */
#define ACPI_NMI_ALL_XAPIC       0xFFu   /* processor UID meaning "every processor" */
#define ACPI_NMI_ALL_X2APIC      0xFFFFFFFFu

/* Root System Description Pointer (5.2.5.3). */
struct acpi_rsdp {
    char signature[8];              /* "RSD PTR " */
    uint8_t checksum;               /* bytes 0-19 sum to 0 */
    char oem_id[6];
    uint8_t revision;               /* 0: ACPI 1.0, 20 bytes; 2: ACPI 2.0 and later */
    uint32_t rsdt_address;
    uint32_t length;                /* revision 2 and later from here on */
    uint64_t xsdt_address;
    uint8_t extended_checksum;      /* all `length` bytes sum to 0 */
    uint8_t reserved[3];
} __attribute__((packed));
_Static_assert(sizeof(struct acpi_rsdp) == ACPI_RSDP_V2_SIZE, "RSDP 2.0 is 36 bytes");

/* System Description Table Header (5.2.6), shared by every table. */
struct acpi_sdt_header {
    char signature[4];
    uint32_t length;                /* of the whole table, header included */
    uint8_t revision;
    uint8_t checksum;               /* all `length` bytes sum to 0 */
    char oem_id[6];
    char oem_table_id[8];
    uint32_t oem_revision;
    uint32_t creator_id;
    uint32_t creator_revision;
} __attribute__((packed));
_Static_assert(sizeof(struct acpi_sdt_header) == ACPI_SDT_HEADER_SIZE, "SDT header is 36 bytes");

/* MADT fixed part (5.2.12); interrupt controller structures follow. */
struct acpi_madt {
    struct acpi_sdt_header header;  /* "APIC" */
    uint32_t lapic_address;
    uint32_t flags;
} __attribute__((packed));
_Static_assert(sizeof(struct acpi_madt) == ACPI_MADT_HEADER_SIZE, "MADT fixed part is 44 bytes");

enum acpi_madt_type {
    ACPI_MADT_LOCAL_APIC = 0,
    ACPI_MADT_IO_APIC = 1,
    ACPI_MADT_OVERRIDE = 2,
    ACPI_MADT_LOCAL_APIC_NMI = 4,
    ACPI_MADT_LAPIC_ADDRESS = 5,
    ACPI_MADT_LOCAL_X2APIC = 9,
    ACPI_MADT_LOCAL_X2APIC_NMI = 0xA,
};

/* Processor Local APIC (5.2.12.2). */
struct acpi_madt_local_apic {
    uint8_t type, length;
    uint8_t uid;
    uint8_t apic_id;
    uint32_t flags;
} __attribute__((packed));
_Static_assert(sizeof(struct acpi_madt_local_apic) == 8, "Processor Local APIC is 8 bytes");

/* I/O APIC (5.2.12.3). */
struct acpi_madt_io_apic {
    uint8_t type, length;
    uint8_t id;
    uint8_t reserved;
    uint32_t address;
    uint32_t gsi_base;
} __attribute__((packed));
_Static_assert(sizeof(struct acpi_madt_io_apic) == 12, "I/O APIC is 12 bytes");

/* Interrupt Source Override (5.2.12.5). */
struct acpi_madt_override {
    uint8_t type, length;
    uint8_t bus;
    uint8_t source;
    uint32_t gsi;
    uint16_t flags;
} __attribute__((packed));
_Static_assert(sizeof(struct acpi_madt_override) == 10, "Interrupt Source Override is 10 bytes");

/* Local APIC NMI (5.2.12.7). */
struct acpi_madt_lapic_nmi {
    uint8_t type, length;
    uint8_t uid;
    uint16_t flags;
    uint8_t lint;
} __attribute__((packed));
_Static_assert(sizeof(struct acpi_madt_lapic_nmi) == 6, "Local APIC NMI is 6 bytes");

/* Local APIC Address Override (5.2.12.8). */
struct acpi_madt_lapic_address {
    uint8_t type, length;
    uint16_t reserved;
    uint64_t address;
} __attribute__((packed));
_Static_assert(sizeof(struct acpi_madt_lapic_address) == 12, "Local APIC Address Override is 12 bytes");

/* Processor Local x2APIC (5.2.12.12). */
struct acpi_madt_x2apic {
    uint8_t type, length;
    uint16_t reserved;
    uint32_t x2apic_id;
    uint32_t flags;                 /* as for the Local APIC */
    uint32_t uid;
} __attribute__((packed));
_Static_assert(sizeof(struct acpi_madt_x2apic) == 16, "Processor Local x2APIC is 16 bytes");

/* Local x2APIC NMI (5.2.12.13). */
struct acpi_madt_x2apic_nmi {
    uint8_t type, length;
    uint16_t flags;
    uint32_t uid;
    uint8_t lint;
    uint8_t reserved[3];
} __attribute__((packed));
_Static_assert(sizeof(struct acpi_madt_x2apic_nmi) == 12, "Local x2APIC NMI is 12 bytes");


/* How physical memory is read: the hypervisor passes its identity map, the host
 * tests a fake memory. map() returns NULL when [phys, phys + len) is not readable
 * in one piece (above what is mapped, wrapping, or simply absent). */
struct acpi_memory {
    const void *(*map)(void *ctx, uint64_t phys, uint64_t len);
    void *ctx;
};

/* Where the RSDP may come from. The multiboot2 copies live in the boot information
 * (read directly, sizes as checked by mb2_parse). */
struct acpi_boot {
    const void *rsdp_new;       /* ACPI 2.0+ copy, or NULL */
    uint32_t rsdp_new_size;
    const void *rsdp_old;       /* ACPI 1.0 copy, or NULL */
    uint32_t rsdp_old_size;
    bool bios;                  /* legacy BIOS boot: scanning the EBDA and 0xE0000-0xFFFFF is allowed */
};

enum acpi_rsdp_source {
    ACPI_RSDP_NONE,
    ACPI_RSDP_MB2_NEW,
    ACPI_RSDP_MB2_OLD,
    ACPI_RSDP_EBDA,
    ACPI_RSDP_BIOS_AREA,
};

struct acpi_table {
    char signature[5];          /* NUL-terminated */
    uint64_t address;
    uint32_t length;
};

struct acpi_cpu {
    uint32_t apic_id;           /* xAPIC IDs fit 8 bits; x2APIC IDs use all 32 */
    uint32_t uid;               /* ACPI processor UID */
    bool enabled;               /* usable now */
    bool online_capable;        /* disabled, but may be brought online later (ACPI 6.3+) */
    bool x2apic;                /* from a Local x2APIC entry (type 9) */
};

struct acpi_ioapic {
    uint8_t id;
    uint32_t address;
    uint32_t gsi_base;
};

struct acpi_override {
    uint8_t bus;                /* 0: ISA */
    uint8_t source;             /* bus-relative IRQ */
    uint32_t gsi;
    uint16_t flags;             /* MPS INTI flags: polarity bits 1:0, trigger mode bits 3:2 */
};

struct acpi_nmi {
    uint32_t uid;               /* processor UID, meaningless when all_cpus */
    bool all_cpus;              /* UID 0xFF (type 4) or 0xFFFFFFFF (type 0xA) */
    uint16_t flags;             /* MPS INTI flags */
    uint8_t lint;               /* LINT0 or LINT1 */
};

struct acpi_info {
    enum acpi_rsdp_source rsdp_source;
    uint64_t rsdp_address;      /* where the RSDP (or its multiboot2 copy) was read */
    uint32_t rsdp_length;       /* bytes of it that were checked: 20 for ACPI 1.0 */
    uint8_t rsdp_revision;
    char oem_id[7];             /* NUL-terminated, padding spaces kept */
    bool using_xsdt;            /* the table list came from the XSDT */

    struct acpi_table tables[ACPI_MAX_TABLES];  /* RSDT/XSDT first, then what they list */
    uint32_t table_count;

    bool madt_found;            /* also when listed after tables[] filled up */
    uint64_t madt_address;
    uint64_t lapic_address;     /* the 32-bit field, or the type 5 override */
    bool pcat_compat;           /* dual 8259s present: mask them before using the I/O APIC */
    struct acpi_cpu cpus[ACPI_MAX_CPUS];
    uint32_t cpu_count;
    uint32_t cpus_disabled;     /* entries neither enabled nor online-capable (not listed) */
    uint32_t cpus_dropped;      /* beyond ACPI_MAX_CPUS */
    struct acpi_ioapic ioapics[ACPI_MAX_IOAPICS];
    uint32_t ioapic_count;
    struct acpi_override overrides[ACPI_MAX_OVERRIDES];
    uint32_t override_count;
    struct acpi_nmi nmis[ACPI_MAX_NMIS];
    uint32_t nmi_count;

    uint32_t errors;            /* problems reported */
};

/* Finds the RSDP (multiboot2 new copy, old copy, then, for BIOS boots only, the
 * EBDA and 0xE0000-0xFFFFF), walks the XSDT (or RSDT), validates every table and
 * parses the MADT into out. Each problem is reported once through d as
 *   "acpi: <table>: <entry or field>: <what>"
 * and the walk goes on with what is still trustworthy. Returns true when a MADT
 * listing at least one usable CPU was found; false means: run on the boot CPU. */
bool acpi_parse(const struct acpi_memory *mem, const struct acpi_boot *boot,
                struct acpi_info *out, const struct diag *d);

/* "multiboot2 new tag", "EBDA", ... */
const char *acpi_rsdp_source_name(enum acpi_rsdp_source source);

/* ---- hypervisor only (drivers/acpi_dump.c) ------------------------------------------ */
struct mb2_info;

/* Parses the firmware's tables through the identity map (nothing at or above 4 GiB),
 * logs the `acpi:` summary lines and, when the command line has `acpidump`, dumps
 * every table found. The result stays valid for the whole run. */
const struct acpi_info *acpi_init(const struct mb2_info *info);
/* The first table with this 4-byte signature (checksum verified), found without any report:
 * for console discovery, which runs before there is a console. NULL when there is none;
 * *length is set otherwise. */
const uint8_t *acpi_find_table_quietly(const struct mb2_info *info, const char *signature,
                                       uint32_t *length);

/* Prints the RSDP and every table in info as greppable lines:
 *   acpidump: <SIG> 0x<phys> <length>
 *   acpidump: <hex bytes, 32 per line>
 *   ...
 *   acpidump: end */
void acpi_dump(const struct acpi_info *info, const struct acpi_memory *mem);

/* The 8-bit sum of n bytes: every ACPI (and MP) checksum makes its structure's sum 0. */
uint8_t acpi_byte_sum(const uint8_t *p, uint64_t n);

#endif
