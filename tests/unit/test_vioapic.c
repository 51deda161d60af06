/* Host unit tests for guest/vioapic.c, the virtual I/O APIC (82093AA data sheet): the ID,
 * version and arbitration registers, redirection programming through IOREGSEL/IOWIN, edge
 * and level pins, masking, remote IRR and re-delivery at EOI, delivery modes, and hostile
 * accesses and pins. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "guest/vioapic.h"
#include "guest/vlapic.h"
#include "tests/unit/diag_sink.h"

struct fixture {
    struct vioapic io;
    struct vioapic_message sent[16];
    unsigned count;
    bool refuse;                /* the local APIC does not accept */
    struct sink sink;
};

static bool record(void *ctx, const struct vioapic_message *msg)
{
    struct fixture *f = ctx;

    if (f->count < 16)
        f->sent[f->count] = *msg;
    f->count++;
    return !f->refuse;
}

static void setup_io(struct fixture *f)
{
    memset(f, 0, sizeof(*f));
    sink_reset(&f->sink);
    vioapic_init(&f->io, 1, record, f, &f->sink.diag);
}

static uint32_t access(struct fixture *f, uint64_t offset, unsigned size, bool write,
                       uint32_t value)
{
    uint64_t v = write ? value : 0xDEADBEEFull;

    vioapic_mmio_ops.access(&f->io, offset, size, write, &v);
    return (uint32_t)v;
}

static uint32_t reg_read(struct fixture *f, uint8_t index)
{
    access(f, VIOAPIC_IOREGSEL, 4, true, index);
    return access(f, VIOAPIC_IOWIN, 4, false, 0);
}

static void reg_write(struct fixture *f, uint8_t index, uint32_t value)
{
    access(f, VIOAPIC_IOREGSEL, 4, true, index);
    access(f, VIOAPIC_IOWIN, 4, true, value);
}

/* Entry `pin`: high word (destination) first, then the low word, as Linux programs it. */
static void program(struct fixture *f, unsigned pin, uint32_t low, uint8_t dest)
{
    reg_write(f, (uint8_t)(VIOAPIC_REG_REDIR + 2 * pin + 1), (uint32_t)dest << 24);
    reg_write(f, (uint8_t)(VIOAPIC_REG_REDIR + 2 * pin), low);
}

static void assert_sent(const struct fixture *f, unsigned i, enum vioapic_kind kind,
                        uint8_t vector, bool level, bool logical, uint8_t dest)
{
    assert_true(i < f->count);
    assert_int_equal(f->sent[i].kind, kind);
    assert_int_equal(f->sent[i].vector, vector);
    assert_int_equal(f->sent[i].level_triggered, level);
    assert_int_equal(f->sent[i].logical, logical);
    assert_int_equal(f->sent[i].dest, dest);
}

static void test_id_version_and_reset(void **state)
{
    (void)state;
    struct fixture f;
    setup_io(&f);

    assert_int_equal(reg_read(&f, VIOAPIC_REG_ID), 0x01000000);
    assert_int_equal(reg_read(&f, VIOAPIC_REG_VERSION), 0x00170020);
    assert_int_equal(reg_read(&f, VIOAPIC_REG_ARBITRATION), 0x01000000);
    for (unsigned pin = 0; pin < VIOAPIC_PINS; pin++) {
        assert_int_equal(reg_read(&f, (uint8_t)(0x10 + 2 * pin)), 0x00010000);
        assert_int_equal(reg_read(&f, (uint8_t)(0x11 + 2 * pin)), 0);
    }
    assert_int_equal(reg_read(&f, 0x03), 0);
    assert_int_equal(reg_read(&f, 0x40), 0);                     /* past entry 23 */
    assert_int_equal(reg_read(&f, 0xFF), 0);

    /* ID bits 27:24 are writable; version and arbitration are not. */
    reg_write(&f, VIOAPIC_REG_ID, 0xFFFFFFFF);
    assert_int_equal(reg_read(&f, VIOAPIC_REG_ID), 0x0F000000);
    assert_int_equal(reg_read(&f, VIOAPIC_REG_ARBITRATION), 0x0F000000);
    reg_write(&f, VIOAPIC_REG_VERSION, 0);
    assert_int_equal(reg_read(&f, VIOAPIC_REG_VERSION), 0x00170020);
    program(&f, 5, 0x35, 0);
    access(&f, VIOAPIC_IOREGSEL, 4, true, 0x22);

    vioapic_reset(&f.io);
    assert_int_equal(access(&f, VIOAPIC_IOREGSEL, 4, false, 0), 0);
    assert_int_equal(reg_read(&f, VIOAPIC_REG_ID), 0x01000000);
    assert_int_equal(reg_read(&f, 0x1A), 0x00010000);
    assert_int_equal(f.sink.count, 0);
}

/* Writable bits of an entry; delivery status and remote IRR are read-only. */
static void test_redirection_programming(void **state)
{
    (void)state;
    struct fixture f;
    setup_io(&f);

    reg_write(&f, 0x10, 0xFFFFFFFF);
    assert_int_equal(reg_read(&f, 0x10), 0x0001AFFF);
    reg_write(&f, 0x11, 0xFFFFFFFF);
    assert_int_equal(reg_read(&f, 0x11), 0xFF000000);
    reg_write(&f, 0x3F, 0x12345678);                              /* entry 23 high */
    assert_int_equal(reg_read(&f, 0x3F), 0x12000000);
    assert_int_equal(f.io.redir[23], 0x1200000000010000ull);

    /* Byte and word reads of IOWIN return the selected register's bytes. */
    access(&f, VIOAPIC_IOREGSEL, 1, true, 0x10);
    assert_int_equal(access(&f, VIOAPIC_IOWIN + 1, 1, false, 0), 0xAF);
    assert_int_equal(access(&f, VIOAPIC_IOWIN + 2, 2, false, 0), 0x0001);
    assert_int_equal(access(&f, VIOAPIC_IOREGSEL, 1, false, 0), 0x10);
}

static void test_edge_pin(void **state)
{
    (void)state;
    struct fixture f;
    setup_io(&f);

    vioapic_set_irq(&f.io, 4, true);                              /* masked: lost */
    vioapic_set_irq(&f.io, 4, false);
    assert_int_equal(f.count, 0);
    program(&f, 4, 0x24, 0);
    assert_int_equal(f.count, 0);
    vioapic_set_irq(&f.io, 4, true);
    assert_int_equal(f.count, 1);
    assert_sent(&f, 0, VIOAPIC_KIND_FIXED, 0x24, false, false, 0);
    vioapic_set_irq(&f.io, 4, true);                              /* no new edge */
    assert_int_equal(f.count, 1);
    vioapic_set_irq(&f.io, 4, false);
    vioapic_set_irq(&f.io, 4, true);
    assert_int_equal(f.count, 2);
    assert_int_equal(reg_read(&f, 0x18) & VIOAPIC_RTE_REMOTE_IRR, 0);
    vioapic_eoi(&f.io, 0x24);                                     /* nothing to resend */
    assert_int_equal(f.count, 2);

    /* Lowest priority, logical, destination 0x01. */
    program(&f, 4, 0x24 | 1u << 8 | VIOAPIC_RTE_LOGICAL, 0x01);
    vioapic_set_irq(&f.io, 4, false);
    vioapic_set_irq(&f.io, 4, true);
    assert_sent(&f, 2, VIOAPIC_KIND_LOWEST, 0x24, false, true, 0x01);

    /* Masking while asserted: an edge during the mask is lost. */
    program(&f, 4, 0x24 | VIOAPIC_RTE_MASKED, 0);
    vioapic_set_irq(&f.io, 4, false);
    vioapic_set_irq(&f.io, 4, true);
    program(&f, 4, 0x24, 0);
    assert_int_equal(f.count, 3);
}

/* Level: one message per assertion until the EOI; the EOI resends while still asserted. */
static void test_level_pin_remote_irr(void **state)
{
    (void)state;
    struct fixture f;
    setup_io(&f);
    const uint32_t level = 0x39 | VIOAPIC_RTE_LEVEL | VIOAPIC_RTE_ACTIVE_LOW;

    program(&f, 9, level, 0);
    vioapic_set_irq(&f.io, 9, true);
    assert_int_equal(f.count, 1);
    assert_sent(&f, 0, VIOAPIC_KIND_FIXED, 0x39, true, false, 0);
    assert_int_equal(reg_read(&f, 0x22), level | VIOAPIC_RTE_REMOTE_IRR);
    vioapic_set_irq(&f.io, 9, true);
    vioapic_set_irq(&f.io, 9, false);
    vioapic_set_irq(&f.io, 9, true);
    assert_int_equal(f.count, 1);                                 /* remote IRR holds it */

    /* A write of the entry keeps remote IRR. EOI of another vector changes nothing. */
    reg_write(&f, 0x22, level | VIOAPIC_RTE_REMOTE_IRR);
    assert_int_equal(reg_read(&f, 0x22), level | VIOAPIC_RTE_REMOTE_IRR);
    vioapic_eoi(&f.io, 0x3A);
    assert_int_equal(f.count, 1);

    /* EOI with the line still asserted: sent again. */
    vioapic_eoi(&f.io, 0x39);
    assert_int_equal(f.count, 2);
    assert_int_equal(reg_read(&f, 0x22), level | VIOAPIC_RTE_REMOTE_IRR);

    /* Deasserted before the EOI (through the EOI register): remote IRR clears, no resend. */
    vioapic_set_irq(&f.io, 9, false);
    access(&f, VIOAPIC_EOI, 4, true, 0x39);
    assert_int_equal(f.count, 2);
    assert_int_equal(reg_read(&f, 0x22), level);

    /* Asserted while masked, then unmasked: sent at the unmask. */
    program(&f, 9, level | VIOAPIC_RTE_MASKED, 0);
    vioapic_set_irq(&f.io, 9, true);
    assert_int_equal(f.count, 2);
    program(&f, 9, level, 0);
    assert_int_equal(f.count, 3);

    /* Made edge-triggered, the entry drops its remote IRR (Linux's stale-IRR fix). */
    program(&f, 9, 0x39, 0);
    assert_int_equal(reg_read(&f, 0x22), 0x39);
}

/* A level message nobody accepts sets no remote IRR: it is sent again next time. */
static void test_level_not_accepted(void **state)
{
    (void)state;
    struct fixture f;
    setup_io(&f);

    f.refuse = true;
    program(&f, 10, 0x3A | VIOAPIC_RTE_LEVEL, 7);
    vioapic_set_irq(&f.io, 10, true);
    assert_int_equal(f.count, 1);
    assert_int_equal(reg_read(&f, 0x24) & VIOAPIC_RTE_REMOTE_IRR, 0);
    f.refuse = false;
    program(&f, 10, 0x3A | VIOAPIC_RTE_LEVEL, 0);
    assert_int_equal(f.count, 2);
    assert_int_equal(reg_read(&f, 0x24) & VIOAPIC_RTE_REMOTE_IRR, VIOAPIC_RTE_REMOTE_IRR);
}

static void test_delivery_modes(void **state)
{
    (void)state;
    struct fixture f;
    setup_io(&f);

    /* NMI is edge whatever the trigger bit says: no remote IRR. */
    program(&f, 1, 4u << 8 | VIOAPIC_RTE_LEVEL, 0);
    vioapic_set_irq(&f.io, 1, true);
    assert_sent(&f, 0, VIOAPIC_KIND_NMI, 0, false, false, 0);
    assert_int_equal(reg_read(&f, 0x12) & VIOAPIC_RTE_REMOTE_IRR, 0);
    vioapic_set_irq(&f.io, 1, true);
    assert_int_equal(f.count, 1);

    /* SMI, INIT, ExtINT: counted, never sent. */
    program(&f, 2, 2u << 8 | 0x22, 0);
    program(&f, 3, 5u << 8 | 0x23, 0);
    program(&f, 5, 7u << 8 | 0x25 | VIOAPIC_RTE_LEVEL, 0);
    vioapic_set_irq(&f.io, 2, true);
    vioapic_set_irq(&f.io, 3, true);
    vioapic_set_irq(&f.io, 5, true);
    assert_int_equal(f.count, 1);
    assert_int_equal(f.io.stats.modes_ignored, 3);
    assert_int_equal(f.io.stats.messages, 1);
    assert_int_equal(reg_read(&f, 0x1A) & VIOAPIC_RTE_REMOTE_IRR, 0);
    ASSERT_LINES(&f.sink, "vioapic: pin 2: delivery mode 2 not sent: only fixed, lowest "
                          "priority and NMI are");
}

/* Pins past 23, odd access sizes and offsets: ignored, counted, reported once each. */
static void test_hostile_accesses(void **state)
{
    (void)state;
    struct fixture f;
    struct vioapic before;
    setup_io(&f);
    program(&f, 0, 0x30, 0);
    f.count = 0;

    vioapic_set_irq(&f.io, 24, true);
    vioapic_set_irq(&f.io, ~0u, true);
    assert_int_equal(f.io.stats.bad_pins, 2);

    memcpy(&before, &f.io, sizeof(before));
    access(&f, VIOAPIC_IOREGSEL, 4, true, 0x10);
    before.index = 0x10;
    access(&f, VIOAPIC_IOWIN, 2, true, 0xFFFF);                   /* IOWIN: 32-bit writes */
    access(&f, VIOAPIC_IOWIN + 1, 4, true, 0);
    access(&f, VIOAPIC_IOWIN, 8, true, 0);
    access(&f, VIOAPIC_EOI, 1, true, 0x30);
    access(&f, 0x20, 4, true, 0);
    access(&f, UINT64_MAX, 4, true, 0);
    assert_int_equal(access(&f, VIOAPIC_IOWIN + 2, 4, false, 0), 0); /* crosses IOWIN's end */
    assert_int_equal(access(&f, UINT64_MAX - 1, 2, false, 0), 0);
    assert_int_equal(access(&f, VIOAPIC_IOWIN, 8, false, 0), 0);
    assert_int_equal(access(&f, VIOAPIC_EOI, 4, false, 0), 0);
    before.stats.accesses_ignored = 10;
    before.reported = f.io.reported;
    assert_memory_equal(&before, &f.io, sizeof(before));
    assert_int_equal(f.count, 0);
    ASSERT_LINES(&f.sink,
                 "vioapic: pin 24 does not exist (24 pins): ignored",
                 "vioapic: 2-byte write at page offset 0x10 ignored: IOREGSEL, IOWIN and EOI "
                 "take 32-bit accesses");
}

/* Both models wired as a partition will wire them: I/O APIC messages go to
 * vlapic_receive_ioapic, the local APIC's EOIs of level vectors come back to vioapic_eoi. */
struct platform {
    struct vlapic apic;
    struct vioapic io;
};

static void platform_eoi(void *ctx, uint8_t vector)
{
    vioapic_eoi(&((struct platform *)ctx)->io, vector);
}

static bool apic_irr(const struct platform *p, unsigned vector)
{
    return (p->apic.irr[vector / 32] >> (vector % 32)) & 1u;
}

static void test_wired_to_local_apic(void **state)
{
    (void)state;
    struct platform p;
    struct vlapic_config cfg = { .tsc_hz = 1, .timer_hz = 1, .eoi = platform_eoi, .ctx = &p };
    uint64_t svr = VLAPIC_SVR_ENABLE | 0xFF;

    memset(&p, 0, sizeof(p));
    assert_true(vlapic_init(&p.apic, &cfg));
    vioapic_init(&p.io, 1, vlapic_receive_ioapic, &p.apic, NULL);
    vlapic_mmio_ops.access(&p.apic, VLAPIC_REG_SVR, 4, true, &svr);

    /* The SCI: level, vector 0x39, physical destination 0. */
    vioapic_write_register(&p.io, 0x23, 0);
    vioapic_write_register(&p.io, 0x22, 0x39 | VIOAPIC_RTE_LEVEL);
    vioapic_set_irq(&p.io, 9, true);
    assert_int_equal(vlapic_highest_pending(&p.apic), 0x39);
    assert_true(p.io.redir[9] & VIOAPIC_RTE_REMOTE_IRR);
    vlapic_acknowledge(&p.apic, 0x39);
    vlapic_eoi(&p.apic);                       /* still asserted: sent again */
    assert_true(apic_irr(&p, 0x39));
    assert_true(p.io.redir[9] & VIOAPIC_RTE_REMOTE_IRR);
    vlapic_acknowledge(&p.apic, 0x39);
    vioapic_set_irq(&p.io, 9, false);
    vlapic_eoi(&p.apic);
    assert_false(apic_irr(&p, 0x39));
    assert_false(p.io.redir[9] & VIOAPIC_RTE_REMOTE_IRR);

    /* COM1 on pin 4, edge: one interrupt per rising edge, its EOI reaches no I/O APIC. */
    vioapic_write_register(&p.io, 0x18, 0x34);
    vioapic_set_irq(&p.io, 4, true);
    assert_int_equal(vlapic_highest_pending(&p.apic), 0x34);
    vlapic_acknowledge(&p.apic, 0x34);
    vlapic_eoi(&p.apic);
    assert_int_equal(vlapic_highest_pending(&p.apic), -1);

    /* A level entry aimed at APIC 5 is not accepted: no remote IRR to wait on. */
    vioapic_write_register(&p.io, 0x25, 0x05000000);
    vioapic_write_register(&p.io, 0x24, 0x3A | VIOAPIC_RTE_LEVEL);
    vioapic_set_irq(&p.io, 10, true);
    assert_false(apic_irr(&p, 0x3A));
    assert_false(p.io.redir[10] & VIOAPIC_RTE_REMOTE_IRR);
    assert_int_equal(p.apic.stats.ipis_ignored, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_id_version_and_reset),
        cmocka_unit_test(test_redirection_programming),
        cmocka_unit_test(test_edge_pin),
        cmocka_unit_test(test_level_pin_remote_irr),
        cmocka_unit_test(test_level_not_accepted),
        cmocka_unit_test(test_delivery_modes),
        cmocka_unit_test(test_hostile_accesses),
        cmocka_unit_test(test_wired_to_local_apic),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
