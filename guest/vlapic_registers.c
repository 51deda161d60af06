/* The virtual local APIC's register file in xAPIC and x2APIC mode and its xAPIC MMIO page
 * (Intel SDM Vol. 3A 11.4.1 Table 11-1 register map, 11.5.1 LVT, 11.4.7.2 software disable,
 * 11.5.3 ESR, 11.12.1.2 Table 11-6 x2APIC register differences). Pure. */
#include "guest/vlapic_internal.h"

/* Writable bits of each LVT (Figure 11-8): vector, delivery mode, polarity, trigger, mask;
 * the timer's mode bits depend on TSC-deadline support. Delivery status and remote IRR are
 * read-only and stay 0: delivery is instant and LINT pins are not driven. */
static const uint32_t lvt_writable[VLAPIC_LVT_COUNT] = {
    [VLAPIC_LVT_CMCI] = 0x000107FFu,
    [VLAPIC_LVT_TIMER] = 0x000100FFu,
    [VLAPIC_LVT_THERMAL] = 0x000107FFu,
    [VLAPIC_LVT_PMC] = 0x000107FFu,
    [VLAPIC_LVT_LINT0] = 0x0001A7FFu,
    [VLAPIC_LVT_LINT1] = 0x0001A7FFu,
    [VLAPIC_LVT_ERROR] = 0x000100FFu,
};

static bool xapic_mode(const struct vlapic *apic)
{
    return vlapic_hw_enabled(apic) && !vlapic_x2apic_mode(apic);
}

/* ---- registers -------------------------------------------------------------------------- */

/* LVT index of a register offset, or -1. */
static int lvt_index(unsigned offset)
{
    if (offset == VLAPIC_REG_LVT_CMCI)
        return VLAPIC_LVT_CMCI;
    if (offset >= VLAPIC_REG_LVT_TIMER && offset <= VLAPIC_REG_LVT_ERROR)
        return (int)((offset - VLAPIC_REG_LVT_TIMER) / 16u) + VLAPIC_LVT_TIMER;
    return -1;
}

/* ISR, TMR or IRR word at offset, or NULL. */
static const uint32_t *vector_register(const struct vlapic *apic, unsigned offset)
{
    unsigned word = (offset / 16u) % 8u;

    if (offset >= VLAPIC_REG_ISR && offset < VLAPIC_REG_TMR)
        return &apic->isr[word];
    if (offset >= VLAPIC_REG_TMR && offset < VLAPIC_REG_IRR)
        return &apic->tmr[word];
    if (offset >= VLAPIC_REG_IRR && offset < VLAPIC_REG_IRR + 0x80u)
        return &apic->irr[word];
    return NULL;
}

bool vlapic_register_read(struct vlapic *apic, unsigned offset, uint64_t now, uint32_t *value)
{
    bool x2 = vlapic_x2apic_mode(apic);
    const uint32_t *vectors = vector_register(apic, offset);
    int lvt = lvt_index(offset);

    *value = 0;
    if (vectors) {
        *value = *vectors;
        return true;
    }
    if (lvt >= 0) {
        *value = apic->lvt[lvt];
        return true;
    }
    switch (offset) {
    case VLAPIC_REG_ID:
        *value = x2 ? apic->cfg.id : (uint32_t)apic->cfg.id << 24;
        return true;
    case VLAPIC_REG_VERSION:
        *value = VLAPIC_VERSION_VALUE;
        return true;
    case VLAPIC_REG_TPR:
        *value = apic->tpr;
        return true;
    case VLAPIC_REG_PPR:
        *value = vlapic_ppr(apic);
        return true;
    case VLAPIC_REG_APR:    /* arbitration among CPUs: one CPU, 0 (x2APIC has no APR) */
    case VLAPIC_REG_EOI:    /* write-only: xAPIC reads 0, x2APIC #GP */
    case VLAPIC_REG_RRD:    /* remote read is not supported: 0 */
        return !x2;
    case VLAPIC_REG_LDR:
        *value = x2 ? vlapic_x2apic_ldr(apic->cfg.id) : apic->ldr;
        return true;
    case VLAPIC_REG_DFR:
        *value = apic->dfr;
        return !x2;
    case VLAPIC_REG_SVR:
        *value = apic->svr;
        return true;
    case VLAPIC_REG_ESR:
        *value = apic->esr;
        return true;
    case VLAPIC_REG_ICR_LOW:
        *value = apic->icr_low;
        return true;
    case VLAPIC_REG_ICR_HIGH:
        *value = apic->icr_high;
        return !x2;
    case VLAPIC_REG_TIMER_INITIAL:
        *value = apic->timer.initial_count;
        return true;
    case VLAPIC_REG_TIMER_CURRENT:
        *value = vlapic_timer_current(apic, now);
        return true;
    case VLAPIC_REG_TIMER_DIVIDE:
        *value = apic->timer.divide_config;
        return true;
    default:
        return false;
    }
}

/* Software disable (11.4.7.2) sets every LVT mask, and while it lasts no LVT write clears
 * one; IRR and ISR keep their bits. */
static void write_svr(struct vlapic *apic, uint32_t value)
{
    apic->svr = value & VLAPIC_SVR_WRITABLE;
    if (vlapic_software_enabled(apic))
        return;
    for (unsigned i = 0; i < VLAPIC_LVT_COUNT; i++)
        apic->lvt[i] |= VLAPIC_LVT_MASKED;
}

static void write_lvt(struct vlapic *apic, int lvt, uint32_t value, uint64_t now)
{
    uint32_t writable = lvt_writable[lvt];

    if (lvt == VLAPIC_LVT_TIMER)
        writable |= apic->cfg.tsc_deadline_allowed ? VLAPIC_TIMER_MODE_MASK
                                                   : VLAPIC_TIMER_PERIODIC;
    value &= writable;
    if (!vlapic_software_enabled(apic))
        value |= VLAPIC_LVT_MASKED;
    if (lvt == VLAPIC_LVT_TIMER)
        vlapic_timer_write_lvt(apic, value, now);
    else
        apic->lvt[lvt] = value;
}

bool vlapic_register_write(struct vlapic *apic, unsigned offset, uint32_t value, uint64_t now)
{
    bool x2 = vlapic_x2apic_mode(apic);
    int lvt = lvt_index(offset);

    if (lvt >= 0) {
        write_lvt(apic, lvt, value, now);
        return true;
    }
    switch (offset) {
    case VLAPIC_REG_TPR:
        apic->tpr = value & 0xFFu;
        return true;
    case VLAPIC_REG_EOI:
        vlapic_eoi(apic);
        return true;
    case VLAPIC_REG_LDR:    /* x2APIC: read-only, derived from the ID */
        if (x2)
            return false;
        apic->ldr = value & 0xFF000000u;
        return true;
    case VLAPIC_REG_DFR:    /* bits 27:0 read as ones; x2APIC has no DFR */
        if (x2)
            return false;
        apic->dfr = value | 0x0FFFFFFFu;
        return true;
    case VLAPIC_REG_SVR:
        write_svr(apic, value);
        return true;
    case VLAPIC_REG_ESR:    /* the write latches the errors so far and clears them */
        apic->esr = apic->esr_pending;
        apic->esr_pending = 0;
        return true;
    case VLAPIC_REG_ICR_LOW:
        if (x2)
            return false;   /* MSR 0x830, 64 bits wide: vlapic_msr.c */
        apic->icr_low = value & VLAPIC_ICR_WRITABLE;
        vlapic_send_ipi(apic, apic->icr_low, apic->icr_high >> 24);
        return true;
    case VLAPIC_REG_ICR_HIGH:
        if (x2)
            return false;
        apic->icr_high = value & 0xFF000000u;
        return true;
    case VLAPIC_REG_TIMER_INITIAL:
        vlapic_timer_write_initial(apic, value, now);
        return true;
    case VLAPIC_REG_TIMER_DIVIDE:
        vlapic_timer_write_divide(apic, value, now);
        return true;
    case VLAPIC_REG_SELF_IPI:
        if (!x2)
            return false;
        vlapic_send_ipi(apic, VLAPIC_ICR_SELF | (value & VLAPIC_ICR_VECTOR), 0);
        return true;
    default:
        return false;       /* read-only (ID, version, PPR, ISR ...) or reserved */
    }
}

/* ---- the xAPIC page --------------------------------------------------------------------- */

/* Byte by byte: byte i of the access is byte (offset + i) % 16 of its 16-byte slot, whose
 * bytes 0-3 are the register and 4-15 read 0. Past the page: 0. */
static uint64_t mmio_read(struct vlapic *apic, uint64_t offset, unsigned size, uint64_t now)
{
    uint64_t result = 0;

    for (unsigned i = 0; i < size && offset + i < VLAPIC_PAGE_SIZE; i++) {
        unsigned at = (unsigned)(offset + i);
        uint32_t reg;
        if (at % 16u >= 4u)
            continue;
        vlapic_register_read(apic, at & ~0xFu, now, &reg);
        result |= (uint64_t)((reg >> (8u * (at % 4u))) & 0xFFu) << (8u * i);
    }
    return result;
}

static void mmio_ignored(struct vlapic *apic, enum vlapic_note note, const char *why,
                         uint64_t offset, unsigned size)
{
    apic->stats.accesses_ignored++;
    if (vlapic_first_note(apic, note))
        diag_report(apic->cfg.diag, "vlapic: %u-byte access at page offset 0x%llx ignored: %s",
                    size, (unsigned long long)offset, why);
}

void vlapic_mmio_access(void *ctx, uint64_t offset, unsigned size, bool write, uint64_t *value)
{
    struct vlapic *apic = ctx;
    uint64_t now = vlapic_now(apic);
    bool size_ok = size == 1 || size == 2 || size == 4 || size == 8;

    vlapic_timer_update(apic, now);
    if (!write)
        *value = 0;
    if (!xapic_mode(apic)) {
        mmio_ignored(apic, VLAPIC_NOTE_MMIO_MODE, "the APIC is not in xAPIC mode", offset, size);
        return;
    }
    if (!write) {
        if (size_ok && offset < VLAPIC_PAGE_SIZE)
            *value = mmio_read(apic, offset, size, now);
        return;
    }
    if (size != 4 || offset % 16u != 0 || offset >= VLAPIC_PAGE_SIZE) {
        mmio_ignored(apic, VLAPIC_NOTE_MMIO_SIZE, "registers take aligned 32-bit writes",
                     offset, size);
        return;
    }
    vlapic_register_write(apic, (unsigned)offset, (uint32_t)*value, now);
}

const struct vcpu_mmio_ops vlapic_mmio_ops = { .access = vlapic_mmio_access };
