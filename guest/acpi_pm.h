/* A partition's ACPI fixed hardware (ACPI 6.5 section 4.8.3 "Fixed Hardware Registers" and
 * 4.8.3.3 the power management timer): the PM1a event block (status, enable), the PM1a control
 * block and the 24-bit, 3.579545 MHz PM timer, at the ports of guest/pc_platform.h. The
 * platform is always in ACPI mode (SCI_EN reads 1); SLP_EN with SLP_TYP 5 (the DSDT's \_S5)
 * asks for power-off; the timer counts from the TSC. Pure; one CPU at a time. */
#ifndef GUEST_ACPI_PM_H
#define GUEST_ACPI_PM_H

#include <stdbool.h>
#include <stdint.h>

#include "guest/pc_platform.h"
#include "guest/platform_request.h"
#include "lib/diag.h"
#include "vcpu/devices.h"

/* One claim of ACPI_PM_PORTS ports from PC_ACPI_PM1A_EVT_PORT (0x600-0x60B): the blocks at
 * these offsets, a two-port gap that reads 0xFF. */
#define ACPI_PM_PORTS           12u
#define ACPI_PM_OFFSET_STATUS   0u      /* PM1_STS, 2 bytes */
#define ACPI_PM_OFFSET_ENABLE   2u      /* PM1_EN, 2 bytes */
#define ACPI_PM_OFFSET_CONTROL  4u      /* PM1_CNT, 2 bytes */
#define ACPI_PM_OFFSET_TIMER    8u      /* PM_TMR, 4 bytes */

_Static_assert(PC_ACPI_PM1A_CNT_PORT - PC_ACPI_PM1A_EVT_PORT == ACPI_PM_OFFSET_CONTROL,
               "PM1a control follows the event block");
_Static_assert(PC_ACPI_PM_TMR_PORT - PC_ACPI_PM1A_EVT_PORT == ACPI_PM_OFFSET_TIMER,
               "the PM timer sits at offset 8 of the claim");

/* PM1 status (write 1 to clear) and enable bits (ACPI tables 4.16-4.19). */
#define ACPI_PM1_TMR            0x0001u
#define ACPI_PM1_BM_STS         0x0010u
#define ACPI_PM1_GBL            0x0020u
#define ACPI_PM1_PWRBTN         0x0100u
#define ACPI_PM1_SLPBTN         0x0200u
#define ACPI_PM1_RTC            0x0400u
#define ACPI_PM1_PCIEXP_WAKE    0x4000u /* status; in the enable register: PCIEXP_WAKE_DIS */
#define ACPI_PM1_WAK_STS        0x8000u
#define ACPI_PM1_ENABLE_BITS    (ACPI_PM1_TMR | ACPI_PM1_GBL | ACPI_PM1_PWRBTN | \
                                 ACPI_PM1_SLPBTN | ACPI_PM1_RTC | ACPI_PM1_PCIEXP_WAKE)
/* Status bits that raise the SCI when their enable bit is set. */
#define ACPI_PM1_SCI_SOURCES    (ACPI_PM1_TMR | ACPI_PM1_GBL | ACPI_PM1_PWRBTN | \
                                 ACPI_PM1_SLPBTN | ACPI_PM1_RTC)

/* PM1 control bits (ACPI table 4.20). SLP_EN and GBL_RLS are write-only and read 0. */
#define ACPI_PM1_CNT_SCI_EN     0x0001u
#define ACPI_PM1_CNT_BM_RLD     0x0002u
#define ACPI_PM1_CNT_GBL_RLS    0x0004u
#define ACPI_PM1_CNT_SLP_TYP    0x1C00u
#define ACPI_PM1_CNT_SLP_SHIFT  10u
#define ACPI_PM1_CNT_SLP_EN     0x2000u

#define ACPI_PM_TIMER_MASK      0xFFFFFFu       /* 24 bits (FADT flag TMR_VAL_EXT clear) */

/* The CPU's time stamp counter now. */
typedef uint64_t (*acpi_pm_tsc_fn)(void *ctx);

struct acpi_pm_config {
    acpi_pm_tsc_fn read_tsc;
    void *tsc_ctx;
    uint64_t tsc_hz;            /* the TSC's frequency: 1 .. UINT64_MAX / 3579545 */
    platform_request_fn request;        /* PLATFORM_POWER_OFF; NULL: requests are lost */
    void *request_ctx;
    const struct diag *diag;    /* may be NULL */
};

struct acpi_pm {
    struct acpi_pm_config config;
    bool counting;              /* initialized with a TSC: else the timer stays 0 */
    uint64_t tsc_base;          /* the TSC when the timer read 0 */
    uint16_t status, enable;
    uint16_t control;           /* BM_RLD and SLP_TYP as written */
    uint32_t timer_sample;      /* the timer as one access sees it */
    bool sleep_reported;
};

/* Power-on state: status, enable and control 0 (SCI_EN reads 1), the timer 0 now. False, with
 * a diag line, when read_tsc is NULL or tsc_hz is out of range; the timer then reads 0. */
bool acpi_pm_init(struct acpi_pm *pm, const struct acpi_pm_config *config);

/* PM timer ticks after elapsed TSC ticks at tsc_hz (in range, as above), 24 bits:
 * elapsed * 3579545 / tsc_hz truncated, modulo 2^24, in 64-bit integer arithmetic. */
uint32_t acpi_pm_timer_ticks(uint64_t elapsed, uint64_t tsc_hz);

/* The PM timer now. */
uint32_t acpi_pm_timer(const struct acpi_pm *pm);

/* An access of size bytes at offset in the claim, split into byte lanes (the registers are
 * 16- and 32-bit, so a narrower access reaches part of one, a wider one the next); a read
 * sees the timer sampled once for the whole access. Timer, gap and past-the-end writes are
 * ignored; gap and past-the-end reads are 0xFF. A control write with SLP_EN set calls the
 * request function with PLATFORM_POWER_OFF for SLP_TYP 5; any other type is reported once
 * and ignored, with WAK_STS set so a guest waiting to wake goes on at once. */
uint32_t acpi_pm_read(struct acpi_pm *pm, unsigned offset, unsigned size);
void acpi_pm_write(struct acpi_pm *pm, unsigned offset, unsigned size, uint32_t value);

/* The fixed power button pressed: PWRBTN_STS set, for the guest to shut down on its own. */
void acpi_pm_press_power_button(struct acpi_pm *pm);

/* True while an enabled status bit is set: the SCI (PC_IRQ_SCI, level) should be asserted. */
bool acpi_pm_sci_asserted(const struct acpi_pm *pm);

/* The device for vcpu_claim_ports(v, PC_ACPI_PM1A_EVT_PORT, ACPI_PM_PORTS, &acpi_pm_port_ops,
 * pm). */
extern const struct vcpu_port_ops acpi_pm_port_ops;

#endif
