/* The PC platform every partition is given: where its interrupt controllers, ACPI fixed
 * hardware and legacy devices sit, shared by the ACPI/MP table builders and the device models
 * (ACPI 6.5 sections 4.8 "ACPI Hardware Model" and 5.2.9 FADT; Intel 82093AA I/O APIC data
 * sheet; SDM Vol. 3A 11.4.1 for the local APIC base). Constants only. */
#ifndef GUEST_PC_PLATFORM_H
#define GUEST_PC_PLATFORM_H

/* Interrupt controllers: one local APIC per vCPU, one I/O APIC with 24 pins from GSI 0. */
#define PC_LAPIC_BASE           0xFEE00000ull
#define PC_LAPIC_SIZE           0x1000ull
#define PC_IOAPIC_BASE          0xFEC00000ull
#define PC_IOAPIC_SIZE          0x1000ull
#define PC_IOAPIC_ID            1u      /* the vCPU's local APIC has ID 0 */
#define PC_IOAPIC_PINS          24u
#define PC_IOAPIC_GSI_BASE      0u

/* ISA IRQs as wired on a PC: the timer's IRQ 0 arrives on GSI 2 (an interrupt source
 * override in the MADT); every other ISA IRQ n is GSI n, edge, active high. */
#define PC_ISA_IRQ_TIMER_GSI    2u
#define PC_IRQ_COM1             4u
#define PC_IRQ_COM2             3u
#define PC_IRQ_SCI              9u      /* ACPI SCI: level, active high (MADT override) */

/* ACPI fixed hardware in I/O space (FADT). No SMI command port: the platform is always in
 * ACPI mode, so PM1a control reads with SCI_EN set. */
#define PC_ACPI_PM1A_EVT_PORT   0x600u  /* 4 bytes: PM1 status (2), PM1 enable (2) */
#define PC_ACPI_PM1A_EVT_LEN    4u
#define PC_ACPI_PM1A_CNT_PORT   0x604u  /* 2 bytes: SCI_EN bit 0, SLP_TYP bits 12:10, SLP_EN 13 */
#define PC_ACPI_PM1A_CNT_LEN    2u
#define PC_ACPI_PM_TMR_PORT     0x608u  /* 4 bytes: the 3.579545 MHz ACPI PM timer, 24 bits */
#define PC_ACPI_PM_TMR_LEN      4u
#define PC_ACPI_PM_TMR_HZ       3579545u
#define PC_ACPI_S5_SLP_TYP      5u      /* the DSDT's \_S5 package: soft off */

/* Reset: the FADT's RESET_REG is the reset control register at 0xCF9, value 0x06 (full reset). */
#define PC_RESET_PORT           0xCF9u
#define PC_RESET_VALUE          0x06u

/* Legacy devices: the CMOS clock and the two 8259s (masked; the I/O APIC delivers). */
#define PC_CMOS_INDEX_PORT      0x70u
#define PC_CMOS_DATA_PORT       0x71u
#define PC_PIC_MASTER_PORT      0x20u
#define PC_PIC_SLAVE_PORT       0xA0u

#endif
