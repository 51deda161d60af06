/* A virtual I/O APIC (Intel 82093AA data sheet, 3.0 "Register Description": IOREGSEL,
 * IOWIN, ID, version, arbitration, the redirection table; 2.4 and 3.2.4 for edge and level
 * interrupts and remote IRR; the EOI register of version 0x20 I/O APICs). Pure. */
#include "guest/vioapic.h"

#define PIN_BIT(pin)            (1u << (pin))
#define REDIR_HIGH_WRITABLE     0xFF000000u     /* bits 63:56, the destination */
#define REDIR_LAST              (VIOAPIC_REG_REDIR + 2u * VIOAPIC_PINS - 1u)

enum vioapic_note { NOTE_MODE = 1u << 0, NOTE_ACCESS = 1u << 1, NOTE_PIN = 1u << 2 };

static bool first_note(struct vioapic *io, enum vioapic_note note)
{
    bool first = !(io->reported & (uint32_t)note);

    io->reported |= (uint32_t)note;
    return first;
}

void vioapic_init(struct vioapic *io, uint8_t id, vioapic_deliver_fn deliver, void *ctx,
                  const struct diag *diag)
{
    *io = (struct vioapic){ .deliver = deliver, .ctx = ctx, .diag = diag,
                            .reset_id = (uint8_t)(id & 0xFu) };
    vioapic_reset(io);
}

void vioapic_reset(struct vioapic *io)
{
    io->id = io->reset_id;
    io->index = 0;
    io->asserted = 0;
    for (unsigned pin = 0; pin < VIOAPIC_PINS; pin++)
        io->redir[pin] = VIOAPIC_RTE_MASKED;
}

static unsigned delivery_mode(uint64_t entry)
{
    return (unsigned)(entry >> VIOAPIC_RTE_MODE_SHIFT) & 7u;
}

/* Level semantics (remote IRR, re-sending after EOI) apply to level-triggered entries
 * except NMI ones, which the data sheet says are edge-triggered whatever the bit says. */
static bool level_entry(uint64_t entry)
{
    return (entry & VIOAPIC_RTE_LEVEL) && delivery_mode(entry) != VIOAPIC_KIND_NMI;
}

/* One message for pin's entry. Returns whether a local APIC accepted it. */
static bool send(struct vioapic *io, unsigned pin)
{
    uint64_t entry = io->redir[pin];
    unsigned mode = delivery_mode(entry);
    struct vioapic_message msg = {
        .vector = (uint8_t)(entry & VIOAPIC_RTE_VECTOR),
        .level_triggered = level_entry(entry),
        .logical = (entry & VIOAPIC_RTE_LOGICAL) != 0,
        .dest = (uint8_t)(entry >> VIOAPIC_RTE_DEST_SHIFT),
    };

    switch (mode) {
    case VIOAPIC_KIND_FIXED:
    case VIOAPIC_KIND_LOWEST:
    case VIOAPIC_KIND_NMI:
        msg.kind = (enum vioapic_kind)mode;
        break;
    default:
        io->stats.modes_ignored++;
        if (first_note(io, NOTE_MODE))
            diag_report(io->diag, "vioapic: pin %u: delivery mode %u not sent: only fixed, "
                                  "lowest priority and NMI are", pin, mode);
        return false;
    }
    io->stats.messages++;
    return io->deliver && io->deliver(io->ctx, &msg);
}

/* A level entry sends while its line is asserted, it is unmasked and no EOI is awaited. */
static void level_check(struct vioapic *io, unsigned pin)
{
    uint64_t entry = io->redir[pin];

    if (!level_entry(entry) || (entry & (VIOAPIC_RTE_MASKED | VIOAPIC_RTE_REMOTE_IRR)) ||
        !(io->asserted & PIN_BIT(pin)))
        return;
    if (send(io, pin))
        io->redir[pin] |= VIOAPIC_RTE_REMOTE_IRR;
}

void vioapic_set_irq(struct vioapic *io, unsigned pin, bool asserted)
{
    bool was_asserted;

    if (pin >= VIOAPIC_PINS) {
        io->stats.bad_pins++;
        if (first_note(io, NOTE_PIN))
            diag_report(io->diag, "vioapic: pin %u does not exist (24 pins): ignored", pin);
        return;
    }
    was_asserted = (io->asserted & PIN_BIT(pin)) != 0;
    if (asserted)
        io->asserted |= PIN_BIT(pin);
    else
        io->asserted &= ~PIN_BIT(pin);
    if (level_entry(io->redir[pin]))
        level_check(io, pin);
    else if (asserted && !was_asserted && !(io->redir[pin] & VIOAPIC_RTE_MASKED))
        send(io, pin);
}

void vioapic_eoi(struct vioapic *io, uint8_t vector)
{
    for (unsigned pin = 0; pin < VIOAPIC_PINS; pin++) {
        uint64_t entry = io->redir[pin];
        if ((entry & VIOAPIC_RTE_VECTOR) != vector || !(entry & VIOAPIC_RTE_REMOTE_IRR))
            continue;
        io->redir[pin] = entry & ~(uint64_t)VIOAPIC_RTE_REMOTE_IRR;
        level_check(io, pin);
    }
}

/* ---- registers -------------------------------------------------------------------------- */

uint32_t vioapic_read_register(const struct vioapic *io, uint8_t index)
{
    switch (index) {
    case VIOAPIC_REG_ID:
    case VIOAPIC_REG_ARBITRATION:
        return (uint32_t)io->id << 24;
    case VIOAPIC_REG_VERSION:
        return VIOAPIC_VERSION_VALUE;
    default:
        break;
    }
    if (index < VIOAPIC_REG_REDIR || index > REDIR_LAST)
        return 0;
    uint64_t entry = io->redir[(index - VIOAPIC_REG_REDIR) / 2u];
    return (uint32_t)(index & 1u ? entry >> 32 : entry);
}

/* Delivery status and remote IRR are read-only; an entry made edge-triggered forgets its
 * remote IRR (Linux relies on this to clear a stale one). Unmasking an asserted level line
 * sends at once. */
static void write_redirection(struct vioapic *io, unsigned pin, bool high, uint32_t value)
{
    uint64_t entry = io->redir[pin];

    if (high) {
        io->redir[pin] = (uint32_t)entry | (uint64_t)(value & REDIR_HIGH_WRITABLE) << 32;
        return;
    }
    uint32_t low = (value & VIOAPIC_RTE_LOW_WRITABLE) | ((uint32_t)entry & VIOAPIC_RTE_REMOTE_IRR);
    if (!(value & VIOAPIC_RTE_LEVEL))
        low &= ~VIOAPIC_RTE_REMOTE_IRR;
    io->redir[pin] = (entry & 0xFFFFFFFF00000000ull) | low;
    level_check(io, pin);
}

void vioapic_write_register(struct vioapic *io, uint8_t index, uint32_t value)
{
    if (index == VIOAPIC_REG_ID) {
        io->id = (uint8_t)((value >> 24) & 0xFu);
        return;
    }
    if (index < VIOAPIC_REG_REDIR || index > REDIR_LAST)
        return;     /* version, arbitration: read-only; the rest does not exist */
    write_redirection(io, (index - VIOAPIC_REG_REDIR) / 2u, (index & 1u) != 0, value);
}

/* ---- the page --------------------------------------------------------------------------- */

static bool access_ok(unsigned size)
{
    return size == 1 || size == 2 || size == 4;
}

void vioapic_mmio_access(void *ctx, uint64_t offset, unsigned size, bool write, uint64_t *value)
{
    struct vioapic *io = ctx;

    if (!write)
        *value = 0;
    if (offset == VIOAPIC_IOREGSEL && access_ok(size)) {
        if (write)
            io->index = (uint8_t)*value;
        else
            *value = io->index;
        return;
    }
    if (!write && access_ok(size) && offset >= VIOAPIC_IOWIN && offset < VIOAPIC_IOWIN + 4u &&
        offset + size <= VIOAPIC_IOWIN + 4u) {
        uint32_t reg = vioapic_read_register(io, io->index);
        uint64_t mask = (1ull << (8u * size)) - 1u;
        *value = (reg >> (8u * (offset - VIOAPIC_IOWIN))) & mask;
        return;
    }
    if (write && size == 4 && offset == VIOAPIC_IOWIN) {
        vioapic_write_register(io, io->index, (uint32_t)*value);
        return;
    }
    if (write && size == 4 && offset == VIOAPIC_EOI) {
        vioapic_eoi(io, (uint8_t)*value);
        return;
    }
    io->stats.accesses_ignored++;
    if (first_note(io, NOTE_ACCESS))
        diag_report(io->diag, "vioapic: %u-byte %s at page offset 0x%llx ignored: IOREGSEL, "
                              "IOWIN and EOI take 32-bit accesses", size,
                    write ? "write" : "read", (unsigned long long)offset);
}

const struct vcpu_mmio_ops vioapic_mmio_ops = { .access = vioapic_mmio_access };
