/* A partition's MP table, built into its memory's firmware area: the floating pointer and the
 * base configuration table an OS without ACPI (Linux's acpi=off) reads (Intel MultiProcessor
 * Specification 1.4, chapter 4). Pure: compiled into the hypervisor and into the host tests. */
#ifndef GUEST_MP_TABLE_H
#define GUEST_MP_TABLE_H

#include <stdbool.h>
#include <stdint.h>

#include "guest/acpi_build.h"
#include "guest/guest_memmap.h"
#include "lib/diag.h"

/* The upper half of the firmware area (the ACPI tables have the lower one): an OS scans
 * 0xF0000-0xFFFFF for the floating pointer (MP spec 4.1). */
#define MP_TABLE_AREA_BASE      (GUEST_FIRMWARE_BASE + GUEST_FIRMWARE_SIZE / 2)     /* 0xF0000 */
#define MP_TABLE_AREA_SIZE      (GUEST_FIRMWARE_SIZE / 2)
#define MP_FLOATING_POINTER_GPA MP_TABLE_AREA_BASE
#define MP_CONFIG_TABLE_GPA     (MP_TABLE_AREA_BASE + 16)

/* Builds the MP table for desc (the same description the ACPI tables use: vCPU count and
 * CPUID leaf 1 for the processor entries) into memory[MP_TABLE_AREA_BASE, +MP_TABLE_AREA_SIZE),
 * memory being guest-physical 0 .. memory_size. That range is zeroed first; nothing outside it
 * is written. On success *floating_pointer_gpa = MP_FLOATING_POINTER_GPA and true is returned;
 * refused with one "mp_table: ..." line through d and nothing written when acpi_build_check
 * fails.
 *
 * The table: spec revision 1.4, virtual wire mode (no IMCR); a processor entry per vCPU (APIC
 * ID i, vCPU 0 the bootstrap processor), the ISA bus, the I/O APIC (ID 1, enabled), ISA IRQs
 * 0-15 but 2 on I/O APIC pins (IRQ 0 on pin 2, IRQ n on pin n; IRQ 9 level, active high, like
 * the MADT's SCI override; the rest conforming to ISA), ExtINT on every local APIC's LINT0 and
 * NMI on LINT1. */
bool mp_table_build(uint8_t *memory, uint64_t memory_size, const struct acpi_partition_desc *desc,
                    uint64_t *floating_pointer_gpa, const struct diag *d);

#endif
