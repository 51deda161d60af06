/* A partition's ACPI tables, built into its memory's firmware area: RSDP, RSDT, XSDT, FADT,
 * FACS, DSDT and MADT describing the PC of guest/pc_platform.h (ACPI 6.5: RSDP 5.2.5, RSDT
 * 5.2.7, XSDT 5.2.8, FADT 5.2.9, FACS 5.2.10, DSDT 5.2.11.1, MADT 5.2.12). Pure: compiled into
 * the hypervisor and into the host tests. */
#ifndef GUEST_ACPI_BUILD_H
#define GUEST_ACPI_BUILD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "guest/guest_memmap.h"
#include "lib/diag.h"

/* vCPUs a partition's tables can describe. Local APIC IDs are 0..n-1; with more than one,
 * ID 1 is also the I/O APIC's (PC_IOAPIC_ID), which xAPIC systems allow: local and I/O APIC
 * IDs only had to differ on the P6's serial APIC bus. */
#define ACPI_BUILD_MAX_VCPUS    8u

/* The ACPI tables own the firmware area's lower half, the MP table (guest/mp_table.h) the
 * upper one; each builder zeroes its half and writes nothing else. */
#define ACPI_BUILD_AREA_BASE    GUEST_FIRMWARE_BASE                     /* 0xE0000 */
#define ACPI_BUILD_AREA_SIZE    (GUEST_FIRMWARE_SIZE / 2)               /* 64 KiB */
#define ACPI_BUILD_RSDP_GPA     ACPI_BUILD_AREA_BASE                    /* first in the area */

#define ACPI_BUILD_OEM_ID       "TESSRA"    /* 6 characters: RSDP and every table header */
#define ACPI_BUILD_CREATOR_ID   "TESS"

/* What differs between partitions. Trusted: it comes from the compiled-in partition table. */
struct acpi_partition_desc {
    const char *name;           /* OEM table ID (first 8 characters, space-padded); NULL = "" */
    uint32_t vcpu_count;        /* 1..ACPI_BUILD_MAX_VCPUS; APIC IDs and UIDs 0..n-1 */
    uint16_t uart_port;         /* base of the partition's 16550 (e.g. 0x3F8); 0 = none */
    uint8_t uart_irq;           /* its ISA IRQ (4 for COM1), below 16 */
    /* For the MP table's processor entries (guest/mp_table.h): CPUID leaf 1 as the guest
     * sees it. Unused by the ACPI tables. */
    uint32_t cpuid_1_eax;       /* family, model, stepping */
    uint32_t cpuid_1_edx;       /* feature flags */
};

/* What both builders refuse: memory_size not reaching past the firmware area, desc out of
 * range (vcpu_count, and with a UART its ports and IRQ). Reports the first problem through d as
 * "<who>: <what>" and returns false. */
bool acpi_build_check(uint64_t memory_size, const struct acpi_partition_desc *desc,
                      const char *who, const struct diag *d);

/* Copies name (NULL = "") into an OEM string field of size bytes, cut or padded with spaces. */
void acpi_build_name_field(char *field, size_t size, const char *name);

/* Sets *checksum, one of the n bytes at p, so that they sum to 0 modulo 256: the rule of
 * every ACPI table and of the MP table's structures. */
void acpi_build_checksum(uint8_t *checksum, const uint8_t *p, uint32_t n);

/* Builds the partition's ACPI tables into memory[ACPI_BUILD_AREA_BASE, +ACPI_BUILD_AREA_SIZE),
 * where memory is the host's view of guest-physical 0 .. memory_size. That range is zeroed
 * first; nothing outside it is written. On success *rsdp_gpa = ACPI_BUILD_RSDP_GPA (16-byte
 * aligned, inside 0xE0000-0xFFFFF where an OS scanning the BIOS area finds it) and true is
 * returned. Refused with one "acpi_build: ..." line through d and nothing written when
 * memory_size does not reach past the firmware area or desc fails acpi_build_check.
 *
 * The tables: RSDP revision 2 (both checksums) naming an RSDT and an XSDT, each listing the
 * FADT and the MADT; FADT revision 6.5 (not hardware-reduced; PM1a event, PM1a control and PM
 * timer blocks in both forms, SCI 9, no SMI command port, reset register 0xCF9 value 6, FACS
 * and DSDT); DSDT with \_S5_ and, when desc has a UART, \_SB_.UAR0 (PNP0501, its ports and
 * IRQ); MADT with PCAT_COMPAT, one local APIC per vCPU, the I/O APIC, the IRQ 0 -> GSI 2 and
 * SCI overrides and the LINT1 NMI. */
bool acpi_build_partition(uint8_t *memory, uint64_t memory_size,
                          const struct acpi_partition_desc *desc, uint64_t *rsdp_gpa,
                          const struct diag *d);

#endif
