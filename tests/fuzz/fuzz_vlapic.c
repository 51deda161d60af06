/* libFuzzer target for guest/vlapic*.c, the virtual local APIC (SDM Vol. 3A chapter 11): the
 * input picks the clocks and CPUID flags, then is a sequence of guest accesses (MMIO, MSRs),
 * time steps and interrupt traffic, applied as the vCPU's exit handlers and event injection
 * will apply them. After each operation the architectural invariants are checked.
 *
 * Input: byte 0 bit 0 x2apic_allowed, bit 1 tsc_deadline_allowed; then u64 tsc_hz and u64
 * timer_hz (masked to 41 bits: some are out of range on purpose). Then operations, one byte,
 * kind in bits 7:4, bits 3:0 a parameter p:
 *   0 MMIO read: u16 offset (13 bits), size byte (1,2,4,8,3,0,16,4)
 *   1 MMIO write: u16 offset, size byte, u32 value
 *   2 aligned 32-bit MMIO write to register byte (6 bits) << 4: u32 value
 *   3 MSR read: selector byte       4 MSR write: selector byte, u64 value
 *     selector: 0-0xEF x2APIC 0x800 + it, 0xF0-0xF7 APIC_BASE, 0xF8-0xFB TSC_DEADLINE,
 *     0xFC-0xFF a u32 MSR number that follows
 *   5 time: now += u32 << 2p (saturating), then vlapic_timer_update
 *   6 accept: vector byte, p bit 0 level   7 acknowledge what highest_pending gives
 *   8 EOI (p bit 0: through the MMIO EOI register)
 *   9 message: mode byte, vector byte, dest byte, p bit 0 logical
 *   10 reset   11 IA32_APIC_BASE with EN = p bit 0, EXTD = p bit 1   12 set TPR: byte
 *   13 acknowledge vector byte (a caller's mistake)   14 register read byte (6 bits) << 4
 *   15 LVT timer: mode p & 3, mask p bit 2, vector 0x30; initial count u16 */
#include "tests/fuzz/fuzz_common.h"

#include "guest/vlapic.h"

struct harness {
    struct vlapic apic;
    uint64_t now;
    unsigned acks;              /* acknowledges that moved a vector since the ISR was empty */
};

static uint64_t clock_now(void *ctx)
{
    return ((struct harness *)ctx)->now;
}

static void on_eoi(void *ctx, uint8_t vector)
{
    struct harness *h = ctx;
    unsigned v = vector;

    FUZZ_CHECK(v >= 16);
    FUZZ_CHECK((h->apic.tmr[v / 32] >> (v % 32)) & 1u);
}

static void on_nmi(void *ctx)
{
    (void)ctx;
}

static unsigned popcount8(const uint32_t set[8])
{
    unsigned n = 0;

    for (unsigned i = 0; i < 8; i++)
        n += (unsigned)__builtin_popcount(set[i]);
    return n;
}

static int highest(const uint32_t set[8])
{
    for (int w = 7; w >= 0; w--)
        if (set[w])
            return w * 32 + 31 - __builtin_clz(set[w]);
    return -1;
}

static uint32_t msr_for(struct fuzz_input *in)
{
    uint8_t sel = fuzz_u8(in);

    if (sel < 0xF0)
        return VLAPIC_MSR_X2APIC_FIRST + sel;
    if (sel < 0xF8)
        return VLAPIC_MSR_APIC_BASE;
    if (sel < 0xFC)
        return VLAPIC_MSR_TSC_DEADLINE;
    return fuzz_u32(in);
}

static void check_invariants(struct harness *h)
{
    const struct vlapic *a = &h->apic;
    int pending = vlapic_highest_pending(a);
    int isrv = highest(a->isr);
    uint32_t isr_class = isrv < 0 ? 0 : (uint32_t)isrv & 0xF0u;
    uint32_t ppr = (a->tpr & 0xF0u) >= isr_class ? a->tpr : isr_class;
    uint64_t deadline = vlapic_next_deadline(a);
    bool en = a->apic_base & VLAPIC_BASE_EN, extd = a->apic_base & VLAPIC_BASE_EXTD;

    FUZZ_CHECK(pending == -1 || (pending >= 16 && pending <= 255));
    if (pending >= 0) {
        FUZZ_CHECK((a->irr[pending / 32] >> (pending % 32)) & 1u);
        FUZZ_CHECK(((unsigned)pending & 0xF0u) > (ppr & 0xF0u));
        FUZZ_CHECK(pending == highest(a->irr));
    }
    FUZZ_CHECK((a->irr[0] & 0xFFFFu) == 0 && (a->isr[0] & 0xFFFFu) == 0);
    FUZZ_CHECK(vlapic_ppr(a) == ppr);
    FUZZ_CHECK(popcount8(a->isr) <= h->acks);
    FUZZ_CHECK(a->tpr <= 0xFF);
    FUZZ_CHECK(!(extd && !en));
    FUZZ_CHECK((a->apic_base & ~(uint64_t)0xD00) == VLAPIC_BASE_ADDRESS);
    FUZZ_CHECK(!extd || a->cfg.x2apic_allowed);
    if (!(a->svr & VLAPIC_SVR_ENABLE))
        for (unsigned i = 0; i < VLAPIC_LVT_COUNT; i++)
            FUZZ_CHECK(a->lvt[i] & VLAPIC_LVT_MASKED);
    /* Every expiry due at `now` has fired: the next one is later. */
    FUZZ_CHECK(deadline == UINT64_MAX || deadline > h->now);
    if (!a->cfg.tsc_deadline_allowed)
        FUZZ_CHECK((a->lvt[VLAPIC_LVT_TIMER] & VLAPIC_TIMER_DEADLINE) == 0);
    FUZZ_CHECK((a->lvt[VLAPIC_LVT_TIMER] & VLAPIC_TIMER_MODE_MASK) != VLAPIC_TIMER_MODE_MASK);
}

static void mmio_read_checked(struct harness *h, uint64_t offset, unsigned size)
{
    uint64_t v = 0x5555555555555555ull;
    bool xapic = (h->apic.apic_base & (VLAPIC_BASE_EN | VLAPIC_BASE_EXTD)) == VLAPIC_BASE_EN;
    bool size_ok = size == 1 || size == 2 || size == 4 || size == 8;

    vlapic_mmio_ops.access(&h->apic, offset, size, false, &v);
    if (!xapic || !size_ok || offset >= VLAPIC_PAGE_SIZE)
        FUZZ_CHECK(v == 0);
    if (size < 8 && size_ok)
        FUZZ_CHECK(v >> (8 * size) == 0);
    if (xapic && size == 4 && offset == VLAPIC_REG_VERSION)
        FUZZ_CHECK(v == VLAPIC_VERSION_VALUE);
    if (xapic && size == 4 && offset == VLAPIC_REG_TIMER_CURRENT)
        FUZZ_CHECK(v <= h->apic.timer.initial_count);
    if (xapic && size == 4 && offset == VLAPIC_REG_PPR)
        FUZZ_CHECK(v == vlapic_ppr(&h->apic));
}

static void acknowledge(struct harness *h, uint8_t vector)
{
    bool pending = (h->apic.irr[vector / 32] >> (vector % 32)) & 1u;

    vlapic_acknowledge(&h->apic, vector);
    if (pending) {
        h->acks++;
        FUZZ_CHECK((h->apic.isr[vector / 32] >> (vector % 32)) & 1u);
        FUZZ_CHECK(!((h->apic.irr[vector / 32] >> (vector % 32)) & 1u));
    }
}

/* One operation; returns false when it may empty the ISR wholesale (reset, disable). */
static bool step(struct harness *h, struct fuzz_input *in, uint8_t op)
{
    static const unsigned sizes[8] = { 1, 2, 4, 8, 3, 0, 16, 4 };
    unsigned p = op & 0xFu;
    struct vlapic *a = &h->apic;
    uint64_t v;

    switch (op >> 4) {
    case 0: {
        uint64_t offset = fuzz_u16(in) & 0x1FFFu;
        mmio_read_checked(h, offset, sizes[fuzz_u8(in) & 7u]);
        return true;
    }
    case 1: {
        uint64_t offset = fuzz_u16(in) & 0x1FFFu;
        unsigned size = sizes[fuzz_u8(in) & 7u];
        v = fuzz_u32(in);
        vlapic_mmio_ops.access(a, offset, size, true, &v);
        return true;
    }
    case 2: {
        unsigned offset = (fuzz_u8(in) & 0x3Fu) << 4;
        v = fuzz_u32(in);
        vlapic_mmio_ops.access(a, offset, 4, true, &v);
        return true;
    }
    case 3: {
        uint32_t msr = msr_for(in);
        if (vlapic_msr_ops.read(a, msr, &v) && msr == VLAPIC_MSR_APIC_BASE)
            FUZZ_CHECK(v == a->apic_base);
        return true;
    }
    case 4: {
        uint32_t msr = msr_for(in);
        vlapic_msr_ops.write(a, msr, fuzz_u64(in));
        return msr != VLAPIC_MSR_APIC_BASE;
    }
    case 5: {
        uint64_t delta = (uint64_t)fuzz_u32(in) << (2 * p);
        h->now = h->now > UINT64_MAX - delta ? UINT64_MAX : h->now + delta;
        vlapic_timer_update(a, h->now);
        return true;
    }
    case 6:
        vlapic_accept(a, fuzz_u8(in), p & 1u);
        return true;
    case 7: {
        int vector = vlapic_highest_pending(a);
        if (vector >= 0)
            acknowledge(h, (uint8_t)vector);
        return true;
    }
    case 8:
        if (p & 1u) {
            v = 0;
            vlapic_mmio_ops.access(a, VLAPIC_REG_EOI, 4, true, &v);
        } else {
            vlapic_eoi(a);
        }
        return true;
    case 9: {
        unsigned mode = fuzz_u8(in);
        uint8_t vector = fuzz_u8(in), dest = fuzz_u8(in);
        vlapic_deliver(a, mode, vector, p & 2u, dest, p & 1u);
        return true;
    }
    case 10:
        vlapic_reset(a);
        return false;
    case 11:
        vlapic_msr_ops.write(a, VLAPIC_MSR_APIC_BASE, VLAPIC_BASE_ADDRESS |
                             (p & 1u ? VLAPIC_BASE_EN : 0) | (p & 2u ? VLAPIC_BASE_EXTD : 0));
        return false;
    case 12:
        vlapic_set_tpr(a, fuzz_u8(in));
        return true;
    case 13:
        acknowledge(h, fuzz_u8(in));
        return true;
    case 14:
        mmio_read_checked(h, (fuzz_u8(in) & 0x3Fu) << 4, 4);
        return true;
    default: {
        uint32_t lvt = (p & 3u) << VLAPIC_TIMER_MODE_SHIFT | (p & 4u ? VLAPIC_LVT_MASKED : 0) |
                       0x30u;
        v = lvt;
        vlapic_mmio_ops.access(a, VLAPIC_REG_LVT_TIMER, 4, true, &v);
        v = fuzz_u16(in);
        vlapic_mmio_ops.access(a, VLAPIC_REG_TIMER_INITIAL, 4, true, &v);
        return true;
    }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_input in = fuzz_input(data, size);
    struct fuzz_diag diag;
    struct harness h = { .now = 0 };
    uint8_t flags = fuzz_u8(&in);
    struct vlapic_config cfg = {
        .tsc_hz = fuzz_u64(&in) & ((1ull << 41) - 1),
        .timer_hz = fuzz_u64(&in) & ((1ull << 41) - 1),
        .x2apic_allowed = flags & 1u, .tsc_deadline_allowed = flags & 2u,
        .read_tsc = clock_now, .eoi = on_eoi, .nmi = on_nmi, .ctx = &h, .diag = &diag.diag,
    };

    fuzz_diag_init(&diag);
    vlapic_init(&h.apic, &cfg);
    FUZZ_CHECK(h.apic.cfg.tsc_hz >= 1 && h.apic.cfg.tsc_hz <= VLAPIC_HZ_MAX);
    FUZZ_CHECK(h.apic.cfg.timer_hz >= 1 && h.apic.cfg.timer_hz <= VLAPIC_HZ_MAX);
    while (fuzz_left(&in) > 0) {
        unsigned before = popcount8(h.apic.isr);
        uint8_t op = fuzz_u8(&in);
        bool keeps_isr = step(&h, &in, op);
        unsigned after = popcount8(h.apic.isr);
        /* At most one bit leaves the ISR per EOI, and one enters per acknowledge. */
        if (keeps_isr)
            FUZZ_CHECK(after + 1 >= before);
        FUZZ_CHECK(after <= before + 1);
        if (after == 0)
            h.acks = 0;
        check_invariants(&h);
    }
    return 0;
}
