/* The virtual local APIC's state and interrupt flow (Intel SDM Vol. 3A chapter 11: 11.4.7.1
 * reset state, 11.5.3 errors, 11.6 IPIs and destinations, 11.8 IRR, ISR, TMR, TPR, PPR and
 * EOI, 11.12.10 x2APIC logical destinations). Pure. */
#include "guest/vlapic_internal.h"

#include "guest/vioapic.h"

#define VECTOR_WORD(v)  ((v) / 32u)
#define VECTOR_BIT(v)   (1u << ((v) % 32u))
#define ILLEGAL_VECTORS 16u     /* 0-15: never set in IRR (11.5.3) */

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

bool vlapic_software_enabled(const struct vlapic *apic)
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
    if (!fresh || (lvt & VLAPIC_LVT_MASKED) || !vlapic_software_enabled(apic))
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
    if (!vlapic_hw_enabled(apic) || !vlapic_software_enabled(apic)) {
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

    if (irrv < (int)ILLEGAL_VECTORS || !vlapic_hw_enabled(apic) || !vlapic_software_enabled(apic))
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

uint32_t vlapic_x2apic_ldr(uint32_t id)
{
    return (id >> 4) << 16 | 1u << (id & 0xFu);
}

/* Whether a destination names this APIC (11.6.2). `wide`: an x2APIC ICR's 32-bit field;
 * otherwise 8 bits (xAPIC ICR, I/O APIC), whose 0xFF is the broadcast in both modes. */
static bool destination_matches(const struct vlapic *apic, uint32_t dest, bool logical,
                                bool wide)
{
    if (vlapic_x2apic_mode(apic)) {
        uint32_t ldr = vlapic_x2apic_ldr(apic->cfg.id);
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
