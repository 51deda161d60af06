/* A virtual local APIC for a one-vCPU partition: xAPIC registers (MMIO), x2APIC registers
 * (MSRs 0x800-0x8FF), IA32_APIC_BASE and IA32_TSC_DEADLINE, interrupt acceptance, priorities
 * and the timer (Intel SDM Vol. 3A chapter 11 "Advanced Programmable Interrupt Controller").
 * Pure: time comes from the caller (a clock callback and vlapic_timer_update), interrupts
 * leave through vlapic_highest_pending/vlapic_acknowledge (vcpu/events.h's irq source).
 * Not thread-safe: one CPU at a time (the partition's own). */
#ifndef GUEST_VLAPIC_H
#define GUEST_VLAPIC_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/diag.h"
#include "vcpu/devices.h"
#include "vcpu/events.h"

/* Register offsets in the xAPIC page (Table 11-1); x2APIC MSR = 0x800 + offset / 16. */
#define VLAPIC_REG_ID           0x020u
#define VLAPIC_REG_VERSION      0x030u
#define VLAPIC_REG_TPR          0x080u
#define VLAPIC_REG_APR          0x090u
#define VLAPIC_REG_PPR          0x0A0u
#define VLAPIC_REG_EOI          0x0B0u
#define VLAPIC_REG_RRD          0x0C0u
#define VLAPIC_REG_LDR          0x0D0u
#define VLAPIC_REG_DFR          0x0E0u
#define VLAPIC_REG_SVR          0x0F0u
#define VLAPIC_REG_ISR          0x100u  /* 8 registers, 0x10 apart: vectors 32n..32n+31 */
#define VLAPIC_REG_TMR          0x180u
#define VLAPIC_REG_IRR          0x200u
#define VLAPIC_REG_ESR          0x280u
#define VLAPIC_REG_LVT_CMCI     0x2F0u
#define VLAPIC_REG_ICR_LOW      0x300u
#define VLAPIC_REG_ICR_HIGH     0x310u
#define VLAPIC_REG_LVT_TIMER    0x320u
#define VLAPIC_REG_LVT_THERMAL  0x330u
#define VLAPIC_REG_LVT_PMC      0x340u
#define VLAPIC_REG_LVT_LINT0    0x350u
#define VLAPIC_REG_LVT_LINT1    0x360u
#define VLAPIC_REG_LVT_ERROR    0x370u
#define VLAPIC_REG_TIMER_INITIAL 0x380u
#define VLAPIC_REG_TIMER_CURRENT 0x390u
#define VLAPIC_REG_TIMER_DIVIDE 0x3E0u
#define VLAPIC_REG_SELF_IPI     0x3F0u  /* x2APIC only (MSR 0x83F) */
#define VLAPIC_PAGE_SIZE        0x1000u

/* MSRs (Vol. 4 Table 2-2; Vol. 3A 11.12.1.2). */
#define VLAPIC_MSR_APIC_BASE    0x01Bu
#define VLAPIC_MSR_TSC_DEADLINE 0x6E0u
#define VLAPIC_MSR_X2APIC_FIRST 0x800u
#define VLAPIC_MSR_X2APIC_COUNT 0x100u
#define VLAPIC_MSR_X2APIC_ICR   0x830u

#define VLAPIC_BASE_ADDRESS     0xFEE00000u
#define VLAPIC_BASE_BSP         (1u << 8)
#define VLAPIC_BASE_EXTD        (1u << 10)    /* x2APIC mode */
#define VLAPIC_BASE_EN          (1u << 11)    /* APIC globally enabled */

/* Version register (11.4.8): version 0x14, max LVT entry 6 (seven LVTs, CMCI included),
 * bit 24 (EOI-broadcast suppression) absent. */
#define VLAPIC_VERSION_VALUE    0x00060014u

#define VLAPIC_SVR_ENABLE       (1u << 8)     /* APIC software enable */
#define VLAPIC_SVR_WRITABLE     0x3FFu        /* vector, enable, focus-check disable */
#define VLAPIC_SVR_RESET        0xFFu

#define VLAPIC_LVT_MASKED       (1u << 16)
#define VLAPIC_LVT_VECTOR       0xFFu
#define VLAPIC_TIMER_MODE_SHIFT 17
#define VLAPIC_TIMER_ONE_SHOT   (0u << VLAPIC_TIMER_MODE_SHIFT)
#define VLAPIC_TIMER_PERIODIC   (1u << VLAPIC_TIMER_MODE_SHIFT)
#define VLAPIC_TIMER_DEADLINE   (2u << VLAPIC_TIMER_MODE_SHIFT)
#define VLAPIC_TIMER_MODE_MASK  (3u << VLAPIC_TIMER_MODE_SHIFT)

/* ESR bits (11.5.3). */
#define VLAPIC_ESR_SEND_ILLEGAL_VECTOR    (1u << 5)
#define VLAPIC_ESR_RECEIVE_ILLEGAL_VECTOR (1u << 6)
#define VLAPIC_ESR_ILLEGAL_REGISTER       (1u << 7)

/* ICR (11.6.1): fields of the low word; delivery modes are also those of I/O APIC
 * redirection entries and MSI messages. */
#define VLAPIC_ICR_VECTOR       0xFFu
#define VLAPIC_ICR_MODE_SHIFT   8
#define VLAPIC_ICR_LOGICAL      (1u << 11)
#define VLAPIC_ICR_LEVEL_ASSERT (1u << 14)
#define VLAPIC_ICR_LEVEL_TRIGGER (1u << 15)
#define VLAPIC_ICR_SHORTHAND_SHIFT 18
#define VLAPIC_ICR_WRITABLE     0x000CCFFFu   /* bit 12 (delivery status) reads 0 */
#define VLAPIC_ICR_SELF         (1u << VLAPIC_ICR_SHORTHAND_SHIFT)
#define VLAPIC_ICR_ALL_INCLUDING_SELF (2u << VLAPIC_ICR_SHORTHAND_SHIFT)
#define VLAPIC_ICR_ALL_EXCLUDING_SELF (3u << VLAPIC_ICR_SHORTHAND_SHIFT)

enum vlapic_delivery_mode {
    VLAPIC_DELIVERY_FIXED = 0,
    VLAPIC_DELIVERY_LOWEST = 1,
    VLAPIC_DELIVERY_SMI = 2,
    VLAPIC_DELIVERY_NMI = 4,
    VLAPIC_DELIVERY_INIT = 5,
    VLAPIC_DELIVERY_STARTUP = 6,
    VLAPIC_DELIVERY_EXTINT = 7,
};

/* The LVT registers, in register order (CMCI first, at 0x2F0). */
enum vlapic_lvt {
    VLAPIC_LVT_CMCI, VLAPIC_LVT_TIMER, VLAPIC_LVT_THERMAL, VLAPIC_LVT_PMC,
    VLAPIC_LVT_LINT0, VLAPIC_LVT_LINT1, VLAPIC_LVT_ERROR, VLAPIC_LVT_COUNT
};

/* Frequencies are 1 .. VLAPIC_HZ_MAX (1 THz), so every time product fits 128 bits. */
#define VLAPIC_HZ_MAX           (1ull << 40)

struct vlapic_config {
    uint8_t id;                 /* the APIC ID (0 for the partition's one vCPU) */
    uint64_t tsc_hz;            /* the guest TSC's frequency */
    uint64_t timer_hz;          /* the APIC timer's input clock, before the divider */
    bool x2apic_allowed;        /* CPUID.1:ECX.x2APIC offered: EXTD and MSRs 0x800+ usable */
    bool tsc_deadline_allowed;  /* CPUID.1:ECX.TSC_Deadline offered: timer mode 2, MSR 0x6E0 */
    uint64_t (*read_tsc)(void *ctx);    /* the guest's TSC now; NULL: time stands at 0 */
    /* The EOI of a level-triggered vector (its TMR bit set): for the I/O APIC's remote IRR. */
    void (*eoi)(void *ctx, uint8_t vector);
    void (*nmi)(void *ctx);     /* an NMI sent to this APIC (ICR or an I/O APIC message) */
    void *ctx;                  /* passed to the three callbacks; each may be NULL */
    const struct diag *diag;
};

/* What the guest did that the model ignores or refuses, counted (the first of each kind is
 * also reported). */
struct vlapic_stats {
    uint64_t ipis_ignored;          /* INIT, SIPI, SMI, ExtINT, and IPIs to other APIC IDs */
    uint64_t accesses_ignored;      /* MMIO outside xAPIC mode, writes not aligned 32-bit */
    uint64_t interrupts_dropped;    /* arrived while the APIC was disabled */
    uint64_t illegal_vectors;       /* vectors 0-15 sent or received */
    uint64_t msr_faults;            /* MSR accesses answered with #GP */
};

struct vlapic_timer {
    uint32_t initial_count;
    uint32_t divide_config;         /* bits 3 and 1:0 as written */
    bool armed;                     /* one-shot/periodic counting, or a deadline set */
    /* The next expiry in units of 1 / (tsc_hz * timer_hz) seconds: TSC ticks times
     * timer_hz, exact for any count and divisor, so periods never drift. */
    unsigned __int128 expiry;
    uint64_t deadline_tsc;          /* the first TSC value at or after expiry */
    uint64_t tsc_deadline;          /* IA32_TSC_DEADLINE as the guest reads it */
};

struct vlapic {
    struct vlapic_config cfg;
    uint64_t apic_base;             /* IA32_APIC_BASE: base, BSP, EXTD, EN */
    uint32_t tpr, ldr, dfr, svr;
    uint32_t esr;                   /* what ESR reads: latched by the last ESR write */
    uint32_t esr_pending;           /* errors since that write */
    uint32_t icr_low, icr_high;
    uint32_t lvt[VLAPIC_LVT_COUNT];
    uint32_t irr[8], isr[8], tmr[8];
    struct vlapic_timer timer;
    struct vlapic_stats stats;
    uint32_t reported;              /* kinds of note already reported once */
};

/* Checks the configuration (frequencies in 1..VLAPIC_HZ_MAX; reported and false otherwise,
 * and the APIC is left reset with a 1:1 clock) and resets. */
bool vlapic_init(struct vlapic *apic, const struct vlapic_config *cfg);

/* Power-up state (11.4.7.1): xAPIC mode, enabled, BSP; IRR, ISR, TMR, ICR, LDR, TPR, ESR,
 * timer counts and divide configuration 0; DFR all ones; every LVT masked; SVR 0xFF (the
 * APIC software-disabled). The configuration and the statistics stay. */
void vlapic_reset(struct vlapic *apic);

/* An interrupt arriving at the APIC. Sets IRR (and TMR when level-triggered, clears it
 * when edge). Vector 0-15: receive-illegal-vector error, dropped. A globally or software
 * disabled APIC drops it too. Returns whether it was accepted. */
bool vlapic_accept(struct vlapic *apic, uint8_t vector, bool level_triggered);

/* An interrupt message from the I/O APIC (or MSI): delivery mode (enum
 * vlapic_delivery_mode), an 8-bit destination, physical or logical. Fixed and lowest
 * priority are accepted when the destination names this APIC; NMI calls cfg.nmi; the other
 * modes are counted and ignored. Returns whether this APIC took it. */
bool vlapic_deliver(struct vlapic *apic, unsigned delivery_mode, uint8_t vector,
                    bool level_triggered, uint8_t dest, bool logical);

/* vlapic_deliver for guest/vioapic.h's deliver callback, with ctx = the struct vlapic. */
struct vioapic_message;
bool vlapic_receive_ioapic(void *apic, const struct vioapic_message *msg);

/* The highest IRR vector whose priority class is above the PPR's (11.8.3.1), or -1: also -1
 * while the APIC is disabled. Never 0-15. */
int vlapic_highest_pending(const struct vlapic *apic);

/* The CPU took `vector`: IRR -> ISR. A vector not in IRR is reported and ignored. */
void vlapic_acknowledge(struct vlapic *apic, uint8_t vector);

/* The guest's EOI: the highest ISR bit is cleared; when that vector was level-triggered,
 * cfg.eoi(vector) is called (after the ISR bit is cleared). An empty ISR is ignored. */
void vlapic_eoi(struct vlapic *apic);

/* TPR (bits 7:0) and PPR; CR8 is TPR bits 7:4 (Vol. 3A 11.8.6). */
uint8_t vlapic_tpr(const struct vlapic *apic);
void vlapic_set_tpr(struct vlapic *apic, uint8_t tpr);
uint8_t vlapic_ppr(const struct vlapic *apic);

/* The callbacks for events_set_irq_source (vcpu/events.h), with ctx = apic. */
struct event_irq_source vlapic_irq_source(struct vlapic *apic);

/* Fires the timer's expirations due at TSC `now`: one-shot once, periodic re-armed from
 * the previous expiry (expirations missed while nobody called coalesce into one interrupt,
 * as IRR holds one), TSC-deadline once then disarmed. A masked LVT fires without an
 * interrupt. Returns whether an interrupt was accepted. */
bool vlapic_timer_update(struct vlapic *apic, uint64_t now);

/* The TSC of the next expiry that raises an interrupt, UINT64_MAX for none (disarmed,
 * masked LVT, APIC disabled). After vlapic_timer_update(apic, now) it is above now. Ask
 * again after every APIC access: registers and MSRs change it. */
uint64_t vlapic_next_deadline(const struct vlapic *apic);

/* The registers as the guest reaches them. The MMIO page (vcpu_mmio_ops): offset 0-0xFFF,
 * size 1/2/4/8. Reads return the bytes of the 32-bit registers (bytes 4-15 of each 16-byte
 * slot and reserved registers read 0); only aligned 32-bit writes take effect, others are
 * counted and ignored. Outside xAPIC mode the page reads 0 and ignores writes (11.12.2: as a
 * globally disabled xAPIC). */
void vlapic_mmio_access(void *apic, uint64_t offset, unsigned size, bool write,
                        uint64_t *value);

/* MSRs IA32_APIC_BASE (0x1B), IA32_TSC_DEADLINE (0x6E0) and the x2APIC range 0x800-0x8FF
 * (vcpu_msr_ops). false = #GP: x2APIC registers outside x2APIC mode or that do not exist,
 * reads of write-only and writes of read-only registers, reserved bits, illegal APIC_BASE
 * transitions (11.12.5), EXTD or 0x800+ without x2apic_allowed, 0x6E0 without
 * tsc_deadline_allowed. */
bool vlapic_msr_read(void *apic, uint32_t msr, uint64_t *value);
bool vlapic_msr_write(void *apic, uint32_t msr, uint64_t value);

extern const struct vcpu_mmio_ops vlapic_mmio_ops;
extern const struct vcpu_msr_ops vlapic_msr_ops;

#endif
