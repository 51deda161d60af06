/* The virtual local APIC's MSRs: IA32_APIC_BASE and its state transitions (Intel SDM Vol. 3A
 * 11.4.4 and 11.12.5, Figure 11-27), IA32_TSC_DEADLINE (11.5.4.1) and the x2APIC registers
 * at 0x800-0x8FF (11.12.1.2 Table 11-6, 11.12.9 the 64-bit ICR, 11.12.11 SELF IPI). Pure. */
#include "guest/vlapic_internal.h"

/* IA32_APIC_BASE bits 7:0 and 9 are reserved, and so is everything from bit 52, the
 * architectural MAXPHYADDR limit. */
#define APIC_BASE_RESERVED      (0xFFull | 1ull << 9 | ~0ull << 52)
#define APIC_BASE_ADDRESS_MASK  (~0ull << 12 & ~(~0ull << 52))

static bool fault(struct vlapic *apic, const char *op, uint32_t msr, uint64_t value,
                  const char *why)
{
    apic->stats.msr_faults++;
    if (vlapic_first_note(apic, VLAPIC_NOTE_MSR))
        diag_report(apic->cfg.diag, "vlapic: %s 0x%x (0x%llx): #GP: %s", op, msr,
                    (unsigned long long)value, why);
    return false;
}

/* Disabled, xAPIC and x2APIC; EN = 0 with EXTD = 1 is invalid. Leaving x2APIC only goes to
 * disabled, and disabled only goes to xAPIC. Disabling loses the registers' state: they
 * come back in their reset state. The base stays 0xFEE00000: relocation is not emulated. */
static bool write_apic_base(struct vlapic *apic, uint64_t value)
{
    const char *op = "wrmsr IA32_APIC_BASE";
    bool en = (value & VLAPIC_BASE_EN) != 0, extd = (value & VLAPIC_BASE_EXTD) != 0;
    bool was_en = vlapic_hw_enabled(apic), was_x2 = vlapic_x2apic_mode(apic);

    if (value & APIC_BASE_RESERVED)
        return fault(apic, op, VLAPIC_MSR_APIC_BASE, value, "reserved bits");
    if (extd && !apic->cfg.x2apic_allowed)
        return fault(apic, op, VLAPIC_MSR_APIC_BASE, value, "no x2APIC on this CPU");
    if (extd && !en)
        return fault(apic, op, VLAPIC_MSR_APIC_BASE, value, "EXTD without EN is invalid");
    if (was_x2 && en && !extd)
        return fault(apic, op, VLAPIC_MSR_APIC_BASE, value, "x2APIC to xAPIC directly");
    if (!was_en && extd)
        return fault(apic, op, VLAPIC_MSR_APIC_BASE, value, "disabled to x2APIC directly");
    if ((value & APIC_BASE_ADDRESS_MASK) != VLAPIC_BASE_ADDRESS &&
        vlapic_first_note(apic, VLAPIC_NOTE_RELOCATE))
        diag_report(apic->cfg.diag, "vlapic: APIC base 0x%llx ignored: the APIC stays at "
                                    "0x%x", (unsigned long long)(value & APIC_BASE_ADDRESS_MASK),
                    VLAPIC_BASE_ADDRESS);
    apic->apic_base = (apic->apic_base & ~(uint64_t)(VLAPIC_BASE_EN | VLAPIC_BASE_EXTD)) |
                      (en ? VLAPIC_BASE_EN : 0) | (extd ? VLAPIC_BASE_EXTD : 0);
    if (was_en && !en)
        vlapic_reset_registers(apic);
    return true;
}

static bool x2apic_msr(const struct vlapic *apic, uint32_t msr)
{
    return msr >= VLAPIC_MSR_X2APIC_FIRST &&
           msr < VLAPIC_MSR_X2APIC_FIRST + VLAPIC_MSR_X2APIC_COUNT && apic->cfg.x2apic_allowed;
}

static unsigned x2apic_offset(uint32_t msr)
{
    return (msr - VLAPIC_MSR_X2APIC_FIRST) * 16u;
}

bool vlapic_msr_read(void *ctx, uint32_t msr, uint64_t *value)
{
    struct vlapic *apic = ctx;
    uint64_t now = vlapic_now(apic);
    uint32_t reg;

    vlapic_timer_update(apic, now);
    *value = 0;
    if (msr == VLAPIC_MSR_APIC_BASE) {
        *value = apic->apic_base;
        return true;
    }
    if (msr == VLAPIC_MSR_TSC_DEADLINE && apic->cfg.tsc_deadline_allowed) {
        *value = vlapic_timer_read_deadline(apic);
        return true;
    }
    if (!x2apic_msr(apic, msr))
        return fault(apic, "rdmsr", msr, 0, "no such MSR on this CPU");
    if (!vlapic_x2apic_mode(apic))
        return fault(apic, "rdmsr", msr, 0, "the APIC is not in x2APIC mode");
    if (msr == VLAPIC_MSR_X2APIC_ICR) {
        *value = (uint64_t)apic->icr_high << 32 | apic->icr_low;
        return true;
    }
    if (!vlapic_register_read(apic, x2apic_offset(msr), now, &reg))
        return fault(apic, "rdmsr", msr, 0, "no such x2APIC register, or write-only");
    *value = reg;
    return true;
}

/* x2APIC writes: the upper half of a 32-bit register is reserved, EOI and ESR take only 0,
 * SELF IPI only a vector (11.12.1.2, 11.12.11). */
static bool write_x2apic(struct vlapic *apic, uint32_t msr, uint64_t value, uint64_t now)
{
    unsigned offset = x2apic_offset(msr);

    if (msr == VLAPIC_MSR_X2APIC_ICR) {
        apic->icr_low = (uint32_t)value & VLAPIC_ICR_WRITABLE;
        apic->icr_high = (uint32_t)(value >> 32);
        vlapic_send_ipi(apic, apic->icr_low, apic->icr_high);
        return true;
    }
    if (value >> 32)
        return fault(apic, "wrmsr", msr, value, "reserved bits 63:32");
    if ((offset == VLAPIC_REG_EOI || offset == VLAPIC_REG_ESR) && value != 0)
        return fault(apic, "wrmsr", msr, value, "EOI and ESR take 0");
    if (offset == VLAPIC_REG_SELF_IPI && value > VLAPIC_ICR_VECTOR)
        return fault(apic, "wrmsr", msr, value, "SELF IPI takes a vector");
    if (!vlapic_register_write(apic, offset, (uint32_t)value, now))
        return fault(apic, "wrmsr", msr, value, "no such x2APIC register, or read-only");
    return true;
}

bool vlapic_msr_write(void *ctx, uint32_t msr, uint64_t value)
{
    struct vlapic *apic = ctx;
    uint64_t now = vlapic_now(apic);

    vlapic_timer_update(apic, now);
    if (msr == VLAPIC_MSR_APIC_BASE)
        return write_apic_base(apic, value);
    if (msr == VLAPIC_MSR_TSC_DEADLINE && apic->cfg.tsc_deadline_allowed) {
        vlapic_timer_write_deadline(apic, value, now);
        return true;
    }
    if (!x2apic_msr(apic, msr))
        return fault(apic, "wrmsr", msr, value, "no such MSR on this CPU");
    if (!vlapic_x2apic_mode(apic))
        return fault(apic, "wrmsr", msr, value, "the APIC is not in x2APIC mode");
    return write_x2apic(apic, msr, value, now);
}

const struct vcpu_msr_ops vlapic_msr_ops = { .read = vlapic_msr_read, .write = vlapic_msr_write };
