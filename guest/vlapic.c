/* The virtual local APIC's registers and interrupt flow (Intel SDM Vol. 3A chapter 11: 11.4
 * register map and reset state, 11.5 LVT and ESR, 11.6 ICR and destinations, 11.8 IRR, ISR,
 * TMR, TPR, PPR and EOI, 11.9 spurious vector and software disable, 11.12 x2APIC register
 * differences) and its xAPIC MMIO page. Pure. */
#include "guest/vlapic_internal.h"

#include "guest/vioapic.h"

#define VECTOR_WORD(v)  ((v) / 32u)
#define VECTOR_BIT(v)   (1u << ((v) % 32u))
#define ILLEGAL_VECTORS 16u     /* 0-15: never set in IRR (11.5.3) */

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

bool vlapic_first_note(struct vlapic *apic, enum vlapic_note note)
{
    bool first = !(apic->reported & (uint32_t)note);

    apic->reported |= (uint32_t)note;
    return first;
}

bool vlapic_hw_enabled(const struct vlapic *apic)
{
    return (apic->apic_base & VLAPIC_BASE_EN) != 0;
}

bool vlapic_x2apic_mode(const struct vlapic *apic)
{
    return (apic->apic_base & VLAPIC_BASE_EXTD) != 0;
}

static bool xapic_mode(const struct vlapic *apic)
{
    return vlapic_hw_enabled(apic) && !vlapic_x2apic_mode(apic);
}

static bool software_enabled(const struct vlapic *apic)
{
    return (apic->svr & VLAPIC_SVR_ENABLE) != 0;
}

uint64_t vlapic_now(const struct vlapic *apic)
{
    return apic->cfg.read_tsc ? apic->cfg.read_tsc(apic->cfg.ctx) : 0;
}

/* ---- state ------------------------------------------------------------------------------ */

void vlapic_reset_registers(struct vlapic *apic)
{
    apic->tpr = apic->ldr = 0;
    apic->dfr = 0xFFFFFFFFu;
    apic->svr = VLAPIC_SVR_RESET;
    apic->esr = apic->esr_pending = 0;
    apic->icr_low = apic->icr_high = 0;
    for (unsigned i = 0; i < VLAPIC_LVT_COUNT; i++)
        apic->lvt[i] = VLAPIC_LVT_MASKED;
    for (unsigned i = 0; i < 8; i++)
        apic->irr[i] = apic->isr[i] = apic->tmr[i] = 0;
    vlapic_timer_reset(apic);
}

void vlapic_reset(struct vlapic *apic)
{
    apic->apic_base = VLAPIC_BASE_ADDRESS | VLAPIC_BASE_BSP | VLAPIC_BASE_EN;
    vlapic_reset_registers(apic);
}

static bool hz_usable(uint64_t hz)
{
    return hz >= 1 && hz <= VLAPIC_HZ_MAX;
}

bool vlapic_init(struct vlapic *apic, const struct vlapic_config *cfg)
{
    bool usable = hz_usable(cfg->tsc_hz) && hz_usable(cfg->timer_hz);

    *apic = (struct vlapic){ .cfg = *cfg };
    if (!usable) {
        diag_report(cfg->diag, "vlapic: TSC %llu Hz, timer %llu Hz: each must be 1..2^40 Hz; "
                               "timer runs at the TSC's rate", (unsigned long long)cfg->tsc_hz,
                    (unsigned long long)cfg->timer_hz);
        apic->cfg.tsc_hz = apic->cfg.timer_hz = 1;
    }
    vlapic_reset(apic);
    return usable;
}

/* ---- vector sets and priorities (11.8) -------------------------------------------------- */

static int highest_vector(const uint32_t set[8])
{
    for (int word = 7; word >= 0; word--)
        if (set[word])
            return word * 32 + 31 - __builtin_clz(set[word]);
    return -1;
}

uint8_t vlapic_tpr(const struct vlapic *apic)
{
    return (uint8_t)apic->tpr;
}

void vlapic_set_tpr(struct vlapic *apic, uint8_t tpr)
{
    apic->tpr = tpr;
}

/* 11.8.3.1: PPR = TPR when TPR[7:4] >= ISRV[7:4], else ISRV[7:4] with 3:0 clear. */
uint8_t vlapic_ppr(const struct vlapic *apic)
{
    int isrv = highest_vector(apic->isr);
    uint32_t isr_class = isrv < 0 ? 0 : (uint32_t)isrv & 0xF0u;

    return (uint8_t)((apic->tpr & 0xF0u) >= isr_class ? apic->tpr : isr_class);
}

/* Errors accumulate until the next ESR write latches them; a new one raises the error LVT's
 * interrupt (11.5.3). An illegal error vector only adds its own error. */
static void raise_error(struct vlapic *apic, uint32_t bits)
{
    uint32_t fresh = bits & ~apic->esr_pending;
    uint32_t lvt = apic->lvt[VLAPIC_LVT_ERROR];
    uint32_t vector = lvt & VLAPIC_LVT_VECTOR;

    apic->esr_pending |= bits;
    if (!fresh || (lvt & VLAPIC_LVT_MASKED) || !software_enabled(apic))
        return;
    if (vector < ILLEGAL_VECTORS) {
        apic->esr_pending |= VLAPIC_ESR_RECEIVE_ILLEGAL_VECTOR;
        return;
    }
    apic->irr[VECTOR_WORD(vector)] |= VECTOR_BIT(vector);
    apic->tmr[VECTOR_WORD(vector)] &= ~VECTOR_BIT(vector);
}

static void note_illegal_vector(struct vlapic *apic, uint8_t vector, uint32_t errors)
{
    apic->stats.illegal_vectors++;
    if (vlapic_first_note(apic, VLAPIC_NOTE_ILLEGAL_VECTOR))
        diag_report(apic->cfg.diag, "vlapic: interrupt vector %u dropped: vectors 0-15 are "
                                    "illegal", vector);
    raise_error(apic, errors);
}

bool vlapic_accept(struct vlapic *apic, uint8_t vector, bool level_triggered)
{
    if (!vlapic_hw_enabled(apic) || !software_enabled(apic)) {
        apic->stats.interrupts_dropped++;
        if (vlapic_first_note(apic, VLAPIC_NOTE_DROPPED))
            diag_report(apic->cfg.diag, "vlapic: interrupt vector %u dropped: the APIC is "
                                        "disabled", vector);
        return false;
    }
    if (vector < ILLEGAL_VECTORS) {
        note_illegal_vector(apic, vector, VLAPIC_ESR_RECEIVE_ILLEGAL_VECTOR);
        return false;
    }
    apic->irr[VECTOR_WORD(vector)] |= VECTOR_BIT(vector);
    if (level_triggered)
        apic->tmr[VECTOR_WORD(vector)] |= VECTOR_BIT(vector);
    else
        apic->tmr[VECTOR_WORD(vector)] &= ~VECTOR_BIT(vector);
    return true;
}

int vlapic_highest_pending(const struct vlapic *apic)
{
    int irrv = highest_vector(apic->irr);

    if (irrv < (int)ILLEGAL_VECTORS || !vlapic_hw_enabled(apic) || !software_enabled(apic))
        return -1;
    return ((unsigned)irrv & 0xF0u) > (vlapic_ppr(apic) & 0xF0u) ? irrv : -1;
}

void vlapic_acknowledge(struct vlapic *apic, uint8_t vector)
{
    if (!(apic->irr[VECTOR_WORD(vector)] & VECTOR_BIT(vector))) {
        if (vlapic_first_note(apic, VLAPIC_NOTE_ACK))
            diag_report(apic->cfg.diag, "vlapic: acknowledge of vector %u, which is not "
                                        "pending: ignored", vector);
        return;
    }
    apic->irr[VECTOR_WORD(vector)] &= ~VECTOR_BIT(vector);
    apic->isr[VECTOR_WORD(vector)] |= VECTOR_BIT(vector);
}

void vlapic_eoi(struct vlapic *apic)
{
    int isrv = highest_vector(apic->isr);
    unsigned vector = (unsigned)isrv;

    if (isrv < 0)
        return;
    apic->isr[VECTOR_WORD(vector)] &= ~VECTOR_BIT(vector);
    if ((apic->tmr[VECTOR_WORD(vector)] & VECTOR_BIT(vector)) && apic->cfg.eoi)
        apic->cfg.eoi(apic->cfg.ctx, (uint8_t)vector);
}

static int source_highest(void *ctx)
{
    return vlapic_highest_pending(ctx);
}

static void source_acknowledge(void *ctx, uint8_t vector)
{
    vlapic_acknowledge(ctx, vector);
}

struct event_irq_source vlapic_irq_source(struct vlapic *apic)
{
    return (struct event_irq_source){ source_highest, source_acknowledge, apic };
}

/* ---- messages: IPIs and the I/O APIC (11.6) --------------------------------------------- */

static uint32_t x2apic_ldr(uint32_t id)
{
    return (id >> 4) << 16 | 1u << (id & 0xFu);
}

/* Whether a destination names this APIC (11.6.2). `wide`: an x2APIC ICR's 32-bit field;
 * otherwise 8 bits (xAPIC ICR, I/O APIC), whose 0xFF is the broadcast in both modes. */
static bool destination_matches(const struct vlapic *apic, uint32_t dest, bool logical,
                                bool wide)
{
    if (vlapic_x2apic_mode(apic)) {
        uint32_t ldr = x2apic_ldr(apic->cfg.id);
        if (dest == (wide ? 0xFFFFFFFFu : 0xFFu))
            return true;
        if (!logical)
            return dest == apic->cfg.id;
        return dest >> 16 == ldr >> 16 && (dest & ldr & 0xFFFFu) != 0;
    }
    dest &= 0xFFu;
    if (dest == 0xFFu)
        return true;
    if (!logical)
        return dest == apic->cfg.id;
    uint32_t mine = apic->ldr >> 24;
    switch (apic->dfr >> 28) {
    case 0xFu:      /* flat: one bit per APIC */
        return (dest & mine) != 0;
    case 0x0u:      /* cluster: bits 7:4 the cluster, 3:0 a bit per APIC in it */
        return dest >> 4 == mine >> 4 && (dest & mine & 0xFu) != 0;
    default:
        return false;
    }
}

static void ignore_message(struct vlapic *apic, const char *what, unsigned mode, uint32_t dest)
{
    apic->stats.ipis_ignored++;
    if (vlapic_first_note(apic, VLAPIC_NOTE_IPI_MODE))
        diag_report(apic->cfg.diag, "vlapic: %s with delivery mode %u to 0x%x ignored: only "
                                    "fixed, lowest-priority and NMI are delivered", what, mode,
                    dest);
}

/* A message that named this APIC. */
static bool take_message(struct vlapic *apic, const char *what, unsigned mode, uint8_t vector,
                         bool level_triggered, uint32_t dest)
{
    switch (mode) {
    case VLAPIC_DELIVERY_FIXED:
    case VLAPIC_DELIVERY_LOWEST:
        return vlapic_accept(apic, vector, level_triggered);
    case VLAPIC_DELIVERY_NMI:
        if (apic->cfg.nmi)
            apic->cfg.nmi(apic->cfg.ctx);
        return true;
    default:
        ignore_message(apic, what, mode, dest);
        return false;
    }
}

static void no_destination(struct vlapic *apic, const char *what, uint32_t dest, bool logical)
{
    apic->stats.ipis_ignored++;
    if (vlapic_first_note(apic, VLAPIC_NOTE_IPI_OTHER))
        diag_report(apic->cfg.diag, "vlapic: %s to %s destination 0x%x ignored: no such CPU",
                    what, logical ? "logical" : "physical", dest);
}

bool vlapic_deliver(struct vlapic *apic, unsigned delivery_mode, uint8_t vector,
                    bool level_triggered, uint8_t dest, bool logical)
{
    if (!destination_matches(apic, dest, logical, false)) {
        no_destination(apic, "interrupt message", dest, logical);
        return false;
    }
    return take_message(apic, "interrupt message", delivery_mode & 7u, vector,
                        level_triggered, dest);
}

bool vlapic_receive_ioapic(void *apic, const struct vioapic_message *msg)
{
    return vlapic_deliver(apic, msg->kind, msg->vector, msg->level_triggered, msg->dest,
                          msg->logical);
}

/* The shorthands (11.6.1): self and all-including-self reach this APIC, all-excluding-self
 * nobody (there is no other CPU); else the destination field decides. An illegal vector in
 * a fixed IPI is a send error as well as a receive error. */
void vlapic_send_ipi(struct vlapic *apic, uint32_t icr_low, uint32_t dest)
{
    unsigned mode = (icr_low >> VLAPIC_ICR_MODE_SHIFT) & 7u;
    uint8_t vector = (uint8_t)(icr_low & VLAPIC_ICR_VECTOR);
    bool logical = (icr_low & VLAPIC_ICR_LOGICAL) != 0;
    bool to_self;

    switch ((icr_low >> VLAPIC_ICR_SHORTHAND_SHIFT) & 3u) {
    case 0:
        to_self = destination_matches(apic, dest, logical, vlapic_x2apic_mode(apic));
        break;
    case 3:
        to_self = false;
        break;
    default:
        to_self = true;
        break;
    }
    if (!to_self) {
        no_destination(apic, "IPI", dest, logical);
        return;
    }
    if ((mode == VLAPIC_DELIVERY_FIXED || mode == VLAPIC_DELIVERY_LOWEST) &&
        vector < ILLEGAL_VECTORS) {
        note_illegal_vector(apic, vector, VLAPIC_ESR_SEND_ILLEGAL_VECTOR |
                                          VLAPIC_ESR_RECEIVE_ILLEGAL_VECTOR);
        return;
    }
    take_message(apic, "IPI", mode, vector, false, dest);
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
        *value = x2 ? x2apic_ldr(apic->cfg.id) : apic->ldr;
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
    if (software_enabled(apic))
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
    if (!software_enabled(apic))
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
