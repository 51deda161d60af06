/* A partition's CMOS clock and RAM: the Motorola MC146818A real-time clock as a PC wires it
 * (index port 0x70 with the NMI-disable bit 7, data port 0x71; data sheet "Address Map",
 * registers A-D) over a 128-byte RAM kept per partition. The clock is read-only: it shows the
 * wall clock the integrator supplies, in the format register B selects, and a guest cannot
 * change the host's time. Pure. Not thread-safe: one CPU at a time. */
#ifndef GUEST_CMOS_RTC_H
#define GUEST_CMOS_RTC_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/diag.h"
#include "vcpu/devices.h"

/* The claim: PC_CMOS_INDEX_PORT (0x70) and PC_CMOS_DATA_PORT (0x71). */
#define CMOS_RTC_PORTS          2u
#define CMOS_RTC_PORT_INDEX     0u      /* offset of the index port in the claim */
#define CMOS_RTC_PORT_DATA      1u
#define CMOS_RTC_INDEX_NMI_OFF  0x80u   /* index port bit 7: NMI disabled (kept, no effect) */
#define CMOS_RTC_INDEX_MASK     0x7Fu
#define CMOS_RTC_SIZE           128u

/* Clock registers (MC146818A address map) and the BIOS's century byte (ACPI FADT CENTURY). */
#define CMOS_REG_SECONDS        0x00u
#define CMOS_REG_SECONDS_ALARM  0x01u
#define CMOS_REG_MINUTES        0x02u
#define CMOS_REG_MINUTES_ALARM  0x03u
#define CMOS_REG_HOURS          0x04u
#define CMOS_REG_HOURS_ALARM    0x05u
#define CMOS_REG_WEEKDAY        0x06u   /* 1 = Sunday .. 7 = Saturday */
#define CMOS_REG_DAY            0x07u
#define CMOS_REG_MONTH          0x08u
#define CMOS_REG_YEAR           0x09u   /* 0-99 */
#define CMOS_REG_A              0x0Au
#define CMOS_REG_B              0x0Bu
#define CMOS_REG_C              0x0Cu
#define CMOS_REG_D              0x0Du
#define CMOS_REG_SHUTDOWN       0x0Fu   /* BIOS shutdown status: plain RAM here */
#define CMOS_REG_FLOPPY         0x10u
#define CMOS_REG_CENTURY        0x32u

/* Register A: UIP (read-only) and the divider and rate bits, stored. UIP reads 0: there is no
 * update cycle, and the registers never hold a half-updated time (see cmos_rtc_read). */
#define CMOS_A_UIP              0x80u
#define CMOS_A_POWER_ON         0x26u   /* 32.768 kHz base, 1024 Hz rate: as a BIOS leaves it */
/* Register B: all bits are kept and read back; DM and 24/12 select the format of the clock
 * registers; SET freezes the guest's view of the clock until cleared (the host's clock runs
 * on); the interrupt enables are kept but no interrupt is ever raised. */
#define CMOS_B_SET              0x80u
#define CMOS_B_PIE              0x40u
#define CMOS_B_AIE              0x20u
#define CMOS_B_UIE              0x10u
#define CMOS_B_SQWE             0x08u
#define CMOS_B_BINARY           0x04u   /* DM: 1 binary, 0 BCD */
#define CMOS_B_24_HOUR          0x02u
#define CMOS_B_DSE              0x01u
#define CMOS_B_POWER_ON         CMOS_B_24_HOUR
#define CMOS_HOURS_PM           0x80u   /* 12-hour mode: bit 7 of the hours register */
#define CMOS_D_VRT              0x80u   /* valid RAM and time: the battery is good */

/* The partition's wall clock: seconds since 1970-01-01 00:00:00 UTC, now. */
typedef uint64_t (*cmos_rtc_clock_fn)(void *ctx);

struct cmos_rtc {
    cmos_rtc_clock_fn clock;    /* NULL: the clock reads 1970-01-01 00:00:00 */
    void *clock_ctx;
    const struct diag *diag;
    uint8_t ram[CMOS_RTC_SIZE]; /* alarms, A (bits 6:0), B and the RAM; clock bytes unused */
    uint8_t index_port;         /* the last byte written to port 0x70 */
    bool snapshot_valid;
    uint64_t snapshot;          /* the instant the clock registers show */
    bool clock_write_reported;
};

/* Power-on state: RAM all zero (floppy type 0 at 0x10, shutdown status 0 at 0x0F), A 0x26,
 * B 0x02 (24-hour, BCD), index 0, NMI enabled. diag receives one line the first time the
 * guest writes a clock register (the write is ignored); it may be NULL. */
void cmos_rtc_init(struct cmos_rtc *rtc, cmos_rtc_clock_fn clock, void *clock_ctx,
                   const struct diag *diag);

/* Fills the memory-size bytes a BIOS leaves, for RAM of the given size from address 0:
 * 0x15/0x16 base memory in KiB (at most 640), 0x17/0x18 and 0x30/0x31 KiB above 1 MiB (at
 * most 0xFFFF), 0x34/0x35 64 KiB blocks above 16 MiB (at most 0xFFFF), and the checksum of
 * 0x10-0x2D at 0x2E (high) / 0x2F (low). Little-endian pairs. The guest may overwrite them. */
void cmos_rtc_set_memory_size(struct cmos_rtc *rtc, uint64_t bytes);

/* One byte from the index port (offset 0: the last byte written there) or the data port
 * (offset 1: the selected register); other offsets read 0xFF. The clock registers come from
 * one reading of the clock (a snapshot), renewed when register A or the seconds are read
 * (where a reader following the data sheet starts), when it is over a second old, or when
 * the clock went back; so a sequence of reads taking under a second never mixes two times.
 * While B.SET is 1 the snapshot is not renewed. */
uint8_t cmos_rtc_read(struct cmos_rtc *rtc, unsigned offset);

/* One byte to the index port or the data port; other offsets are ignored. Writes to the clock
 * registers (0x00, 0x02, 0x04, 0x06-0x09, 0x32) and to C and D are ignored; everything else
 * is stored in this instance's RAM. */
void cmos_rtc_write(struct cmos_rtc *rtc, unsigned offset, uint8_t value);

/* NMI-disable bit of the index port, as last written (it gates nothing). */
bool cmos_rtc_nmi_disabled(const struct cmos_rtc *rtc);

/* The device for vcpu_claim_ports(v, PC_CMOS_INDEX_PORT, CMOS_RTC_PORTS, &cmos_rtc_port_ops,
 * rtc): a wider access covers the next port, as on an ISA bus. */
extern const struct vcpu_port_ops cmos_rtc_port_ops;

#endif
