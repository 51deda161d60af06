/* libFuzzer target for guest/vioapic.c, the virtual I/O APIC (82093AA data sheet): the input
 * is a sequence of guest MMIO accesses, device line changes and EOIs. Before each operation
 * the harness predicts from the redirection table and the lines how many messages it must
 * send, and checks the messages and the table's invariants afterwards.
 *
 * Operations, one byte, kind in bits 7:5, bits 4:0 a parameter p:
 *   0 MMIO access: u16 offset (12 bits), size byte (1,2,4,8,3,0 by bits 2:0), bit 3 write,
 *     u32 value
 *   1 register write through IOREGSEL/IOWIN: index byte, u32 value
 *   2 line: pin p (24-31 do not exist), asserted = next byte bit 0
 *   3 EOI: vector byte (p bit 0: through the EOI register)
 *   4 register read: index byte        5 the local APIC refuses from now on: p bit 0
 *   6 reset                            7 program entry p % 24: u32 low, dest byte */
#include "tests/fuzz/fuzz_common.h"

#include "guest/vioapic.h"

struct harness {
    struct vioapic io;
    unsigned sent;
    bool refuse;
    bool refused;       /* refused since the last reset: a line may be left waiting */
    struct vioapic_message last;
};

static bool deliver(void *ctx, const struct vioapic_message *msg)
{
    struct harness *h = ctx;

    FUZZ_CHECK(msg->kind == VIOAPIC_KIND_FIXED || msg->kind == VIOAPIC_KIND_LOWEST ||
               msg->kind == VIOAPIC_KIND_NMI);
    if (msg->kind == VIOAPIC_KIND_NMI)
        FUZZ_CHECK(!msg->level_triggered);
    h->sent++;
    h->last = *msg;
    return !h->refuse;
}

static unsigned mode_of(uint64_t entry)
{
    return (unsigned)(entry >> VIOAPIC_RTE_MODE_SHIFT) & 7u;
}

static bool sendable(uint64_t entry)
{
    unsigned mode = mode_of(entry);
    return mode == 0 || mode == 1 || mode == 4;
}

static bool is_level(uint64_t entry)
{
    return (entry & VIOAPIC_RTE_LEVEL) && mode_of(entry) != 4;
}

/* Messages a level entry sends now: asserted, unmasked, no EOI awaited. */
static unsigned level_due(const struct vioapic *io, unsigned pin)
{
    uint64_t e = io->redir[pin];

    return is_level(e) && !(e & (VIOAPIC_RTE_MASKED | VIOAPIC_RTE_REMOTE_IRR)) &&
           ((io->asserted >> pin) & 1u) && sendable(e);
}

static unsigned predict_line(const struct vioapic *io, unsigned pin, bool asserted)
{
    uint64_t e;

    if (pin >= VIOAPIC_PINS)
        return 0;
    e = io->redir[pin];
    if (is_level(e))
        return asserted && !(e & (VIOAPIC_RTE_MASKED | VIOAPIC_RTE_REMOTE_IRR)) && sendable(e);
    return asserted && !((io->asserted >> pin) & 1u) && !(e & VIOAPIC_RTE_MASKED) &&
           sendable(e);
}

static unsigned predict_eoi(const struct vioapic *io, uint8_t vector)
{
    unsigned n = 0;

    for (unsigned pin = 0; pin < VIOAPIC_PINS; pin++) {
        uint64_t e = io->redir[pin];
        if ((e & VIOAPIC_RTE_VECTOR) == vector && (e & VIOAPIC_RTE_REMOTE_IRR))
            n += is_level(e) && !(e & VIOAPIC_RTE_MASKED) && ((io->asserted >> pin) & 1u) &&
                 sendable(e);
    }
    return n;
}

static void check_table(const struct harness *h)
{
    const struct vioapic *io = &h->io;

    FUZZ_CHECK(io->id <= 0xF);
    FUZZ_CHECK(vioapic_read_register(io, VIOAPIC_REG_VERSION) == VIOAPIC_VERSION_VALUE);
    FUZZ_CHECK(vioapic_read_register(io, VIOAPIC_REG_ID) == (uint32_t)io->id << 24);
    for (unsigned pin = 0; pin < VIOAPIC_PINS; pin++) {
        uint64_t e = io->redir[pin];
        FUZZ_CHECK((e & VIOAPIC_RTE_PENDING) == 0);
        FUZZ_CHECK((e & 0x00FFFFFFFFFE0000ull) == 0);       /* reserved bits 55:17 */
        if (e & VIOAPIC_RTE_REMOTE_IRR)
            FUZZ_CHECK(e & VIOAPIC_RTE_LEVEL);
        /* A level line that could send has: only a refusing APIC leaves it waiting. */
        if (!h->refused)
            FUZZ_CHECK(!level_due(io, pin));
    }
}

static void line(struct harness *h, unsigned pin, bool asserted)
{
    unsigned want = predict_line(&h->io, pin, asserted);
    unsigned sent = h->sent;
    uint32_t before_asserted = h->io.asserted;

    vioapic_set_irq(&h->io, pin, asserted);
    FUZZ_CHECK(h->sent - sent == want);
    if (pin >= VIOAPIC_PINS) {
        FUZZ_CHECK(h->io.asserted == before_asserted);
        return;
    }
    FUZZ_CHECK(((h->io.asserted >> pin) & 1u) == asserted);
    if (want && is_level(h->io.redir[pin]))
        FUZZ_CHECK(!(h->io.redir[pin] & VIOAPIC_RTE_REMOTE_IRR) == h->refuse);
    if (want) {
        FUZZ_CHECK(h->last.vector == (h->io.redir[pin] & VIOAPIC_RTE_VECTOR));
        FUZZ_CHECK(h->last.dest == h->io.redir[pin] >> VIOAPIC_RTE_DEST_SHIFT);
    }
}

static void eoi(struct harness *h, uint8_t vector, bool through_register)
{
    unsigned want = predict_eoi(&h->io, vector);
    unsigned sent = h->sent;

    if (through_register) {
        uint64_t v = vector;
        vioapic_mmio_ops.access(&h->io, VIOAPIC_EOI, 4, true, &v);
    } else {
        vioapic_eoi(&h->io, vector);
    }
    FUZZ_CHECK(h->sent - sent == want);
    for (unsigned pin = 0; pin < VIOAPIC_PINS && !h->refuse; pin++)
        if ((h->io.redir[pin] & VIOAPIC_RTE_VECTOR) == vector && is_level(h->io.redir[pin]))
            FUZZ_CHECK(!(h->io.redir[pin] & VIOAPIC_RTE_REMOTE_IRR) ||
                       ((h->io.asserted >> pin) & 1u));
}

static void mmio(struct harness *h, struct fuzz_input *in, unsigned p)
{
    static const unsigned sizes[8] = { 1, 2, 4, 8, 3, 0, 4, 4 };
    uint64_t offset = fuzz_u16(in) & 0xFFFu;
    uint8_t how = fuzz_u8(in);
    unsigned size = sizes[how & 7u];
    bool write = how & 8u;
    uint64_t v = fuzz_u32(in);
    unsigned sent = h->sent;

    (void)p;
    vioapic_mmio_ops.access(&h->io, offset, size, write, &v);
    if (!write) {
        if (size <= 4 && size > 0 && size != 3)
            FUZZ_CHECK(v >> (8 * size) == 0);
        if (offset == VIOAPIC_IOREGSEL && size == 4)
            FUZZ_CHECK(v == h->io.index);
        if (offset != VIOAPIC_IOREGSEL && (offset < VIOAPIC_IOWIN || offset >= VIOAPIC_IOWIN + 4))
            FUZZ_CHECK(v == 0);
        FUZZ_CHECK(h->sent == sent);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_input in = fuzz_input(data, size);
    struct fuzz_diag diag;
    struct harness h = { .sent = 0 };

    fuzz_diag_init(&diag);
    vioapic_init(&h.io, 1, deliver, &h, &diag.diag);
    while (fuzz_left(&in) > 0) {
        uint8_t op = fuzz_u8(&in);
        unsigned p = op & 0x1Fu;

        switch (op >> 5) {
        case 0:
            mmio(&h, &in, p);
            break;
        case 1: {
            uint8_t index = fuzz_u8(&in);
            uint32_t value = fuzz_u32(&in);
            unsigned sent = h.sent;
            vioapic_write_register(&h.io, index, value);
            FUZZ_CHECK(h.sent - sent <= 1);
            break;
        }
        case 2:
            line(&h, p, fuzz_u8(&in) & 1u);
            break;
        case 3:
            eoi(&h, fuzz_u8(&in), p & 1u);
            break;
        case 4: {
            uint8_t index = fuzz_u8(&in);
            uint32_t v = vioapic_read_register(&h.io, index);
            if (index >= 0x10 && index < 0x40)
                FUZZ_CHECK(v == (uint32_t)(h.io.redir[(index - 0x10) / 2] >> (index & 1 ? 32 : 0)));
            else if (index > 2)
                FUZZ_CHECK(v == 0);
            break;
        }
        case 5:
            h.refuse = p & 1u;
            h.refused |= h.refuse;
            break;
        case 6:
            vioapic_reset(&h.io);
            h.refused = h.refuse;
            FUZZ_CHECK(h.io.asserted == 0 && h.io.index == 0 && h.io.id == 1);
            break;
        default: {
            unsigned pin = p % VIOAPIC_PINS;
            uint32_t low = fuzz_u32(&in);
            uint8_t dest = fuzz_u8(&in);
            unsigned sent = h.sent;
            vioapic_write_register(&h.io, (uint8_t)(VIOAPIC_REG_REDIR + 2 * pin + 1),
                                   (uint32_t)dest << 24);
            vioapic_write_register(&h.io, (uint8_t)(VIOAPIC_REG_REDIR + 2 * pin), low);
            FUZZ_CHECK(h.sent - sent <= 1);
            FUZZ_CHECK((uint8_t)(h.io.redir[pin] >> VIOAPIC_RTE_DEST_SHIFT) == dest);
            break;
        }
        }
        check_table(&h);
    }
    return 0;
}
