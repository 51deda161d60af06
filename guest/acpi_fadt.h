/* FADT, FACS and Generic Address Structure layouts with their flag bits (ACPI 6.5: GAS 5.2.3.2,
 * FADT 5.2.9 with flags Table 5.10 and IA-PC boot flags 5.2.9.3, FACS 5.2.10), for the
 * partition table builder. Layouts and constants only. */
#ifndef GUEST_ACPI_FADT_H
#define GUEST_ACPI_FADT_H

#include <stddef.h>
#include <stdint.h>

#include "drivers/acpi.h"

/* Generic Address Structure (5.2.3.2). */
struct acpi_gas {
    uint8_t space_id;
    uint8_t bit_width;
    uint8_t bit_offset;
    uint8_t access_size;
    uint64_t address;
} __attribute__((packed));
_Static_assert(sizeof(struct acpi_gas) == 12, "GAS is 12 bytes");

#define ACPI_GAS_SYSTEM_IO      1u
#define ACPI_GAS_ACCESS_BYTE    1u
#define ACPI_GAS_ACCESS_WORD    2u
#define ACPI_GAS_ACCESS_DWORD   3u

/* Fixed ACPI Description Table, "FACP" (5.2.9): revision 6 is ACPI 6.x, length 276. */
struct acpi_fadt {
    struct acpi_sdt_header header;
    uint32_t firmware_ctrl;         /* FACS */
    uint32_t dsdt;
    uint8_t reserved0;              /* INT_MODEL in ACPI 1.0 */
    uint8_t preferred_pm_profile;
    uint16_t sci_int;
    uint32_t smi_cmd;
    uint8_t acpi_enable, acpi_disable, s4bios_req, pstate_cnt;
    uint32_t pm1a_evt_blk, pm1b_evt_blk, pm1a_cnt_blk, pm1b_cnt_blk;
    uint32_t pm2_cnt_blk, pm_tmr_blk, gpe0_blk, gpe1_blk;
    uint8_t pm1_evt_len, pm1_cnt_len, pm2_cnt_len, pm_tmr_len;
    uint8_t gpe0_blk_len, gpe1_blk_len, gpe1_base, cst_cnt;
    uint16_t p_lvl2_lat, p_lvl3_lat;
    uint16_t flush_size, flush_stride;
    uint8_t duty_offset, duty_width;
    uint8_t day_alrm, mon_alrm, century;
    uint16_t iapc_boot_arch;
    uint8_t reserved1;
    uint32_t flags;
    struct acpi_gas reset_reg;
    uint8_t reset_value;
    uint16_t arm_boot_arch;
    uint8_t minor_version;
    uint64_t x_firmware_ctrl;
    uint64_t x_dsdt;
    struct acpi_gas x_pm1a_evt_blk, x_pm1b_evt_blk, x_pm1a_cnt_blk, x_pm1b_cnt_blk;
    struct acpi_gas x_pm2_cnt_blk, x_pm_tmr_blk, x_gpe0_blk, x_gpe1_blk;
    struct acpi_gas sleep_control_reg, sleep_status_reg;
    uint64_t hypervisor_vendor_id;
} __attribute__((packed));
_Static_assert(sizeof(struct acpi_fadt) == 276, "FADT revision 6 is 276 bytes");
_Static_assert(offsetof(struct acpi_fadt, sci_int) == 46, "SCI_INT at 46");
_Static_assert(offsetof(struct acpi_fadt, pm1a_evt_blk) == 56, "PM1a_EVT_BLK at 56");
_Static_assert(offsetof(struct acpi_fadt, pm1_evt_len) == 88, "PM1_EVT_LEN at 88");
_Static_assert(offsetof(struct acpi_fadt, iapc_boot_arch) == 109, "IAPC_BOOT_ARCH at 109");
_Static_assert(offsetof(struct acpi_fadt, flags) == 112, "Flags at 112");
_Static_assert(offsetof(struct acpi_fadt, reset_reg) == 116, "RESET_REG at 116");
_Static_assert(offsetof(struct acpi_fadt, x_firmware_ctrl) == 132, "X_FIRMWARE_CTRL at 132");
_Static_assert(offsetof(struct acpi_fadt, x_pm1a_evt_blk) == 148, "X_PM1a_EVT_BLK at 148");
_Static_assert(offsetof(struct acpi_fadt, sleep_control_reg) == 244, "SLEEP_CONTROL_REG at 244");

#define ACPI_FADT_REVISION          6u
#define ACPI_FADT_MINOR_VERSION     5u      /* ACPI 6.5 */

/* FADT Flags (Table 5.10). */
#define ACPI_FADT_WBINVD            (1u << 0)
#define ACPI_FADT_PROC_C1           (1u << 2)
#define ACPI_FADT_PWR_BUTTON        (1u << 4)   /* set: no fixed-hardware power button */
#define ACPI_FADT_SLP_BUTTON        (1u << 5)   /* set: no fixed-hardware sleep button */
#define ACPI_FADT_FIX_RTC           (1u << 6)   /* set: no RTC wake status in PM1 */
#define ACPI_FADT_TMR_VAL_EXT       (1u << 8)   /* set: 32-bit PM timer; clear: 24 bits */
#define ACPI_FADT_RESET_REG_SUP     (1u << 10)
#define ACPI_FADT_HEADLESS          (1u << 12)
#define ACPI_FADT_HW_REDUCED_ACPI   (1u << 20)

/* IA-PC Boot Architecture Flags (5.2.9.3). */
#define ACPI_IAPC_LEGACY_DEVICES    (1u << 0)
#define ACPI_IAPC_8042              (1u << 1)
#define ACPI_IAPC_VGA_NOT_PRESENT   (1u << 2)
#define ACPI_IAPC_MSI_NOT_SUPPORTED (1u << 3)
#define ACPI_IAPC_PCIE_ASPM         (1u << 4)
#define ACPI_IAPC_CMOS_RTC_ABSENT   (1u << 5)

/* P_LVL2_LAT above 100 and P_LVL3_LAT above 1000 say: no C2, no C3 (5.2.9). */
#define ACPI_FADT_NO_C2_LATENCY     101u
#define ACPI_FADT_NO_C3_LATENCY     1001u

/* Firmware ACPI Control Structure (5.2.10): 64 bytes, 64-byte aligned, no checksum. */
struct acpi_facs {
    char signature[4];              /* "FACS" */
    uint32_t length;
    uint32_t hardware_signature;
    uint32_t firmware_waking_vector;
    uint32_t global_lock;
    uint32_t flags;
    uint64_t x_firmware_waking_vector;
    uint8_t version;
    uint8_t reserved0[3];
    uint32_t ospm_flags;
    uint8_t reserved1[24];
} __attribute__((packed));
_Static_assert(sizeof(struct acpi_facs) == 64, "FACS is 64 bytes");

#define ACPI_FACS_VERSION           2u
#define ACPI_FACS_ALIGN             64u

#endif
