/* Host unit tests of guest/vlapic*.c: one virtual local APIC with a settable clock, counted
 * EOI and NMI callbacks, captured reports, and register accessors through the MMIO page and
 * the MSRs as the vCPU's device dispatch calls them. Include after <cmocka.h>. */
#ifndef TESTS_UNIT_VLAPIC_FIXTURE_H
#define TESTS_UNIT_VLAPIC_FIXTURE_H

#include "guest/vlapic.h"
#include "tests/unit/diag_sink.h"

struct fixture {
    struct vlapic apic;
    uint64_t now;                   /* the guest TSC the clock callback returns */
    unsigned eois;
    uint8_t eoi_vectors[8];
    unsigned nmis;
    struct sink sink;
};

static inline uint64_t fixture_clock(void *ctx)
{
    return ((struct fixture *)ctx)->now;
}

static inline void fixture_eoi(void *ctx, uint8_t vector)
{
    struct fixture *f = ctx;

    if (f->eois < 8)
        f->eoi_vectors[f->eois] = vector;
    f->eois++;
}

static inline void fixture_nmi(void *ctx)
{
    ((struct fixture *)ctx)->nmis++;
}

/* TSC 1 GHz, timer input 100 MHz: one timer tick is 10 TSC ticks. */
#define FIXTURE_TSC_HZ      1000000000ull
#define FIXTURE_TIMER_HZ    100000000ull

static inline void fixture_setup_with(struct fixture *f, uint64_t tsc_hz, uint64_t timer_hz,
                               bool x2apic, bool deadline)
{
    memset(f, 0, sizeof(*f));
    sink_reset(&f->sink);
    struct vlapic_config cfg = {
        .id = 0, .tsc_hz = tsc_hz, .timer_hz = timer_hz,
        .x2apic_allowed = x2apic, .tsc_deadline_allowed = deadline,
        .read_tsc = fixture_clock, .eoi = fixture_eoi, .nmi = fixture_nmi, .ctx = f,
        .diag = &f->sink.diag,
    };
    assert_true(vlapic_init(&f->apic, &cfg));
}

static inline void fixture_setup(struct fixture *f)
{
    fixture_setup_with(f, FIXTURE_TSC_HZ, FIXTURE_TIMER_HZ, true, true);
}

static inline uint64_t mmio_read_sized(struct fixture *f, uint64_t offset, unsigned size)
{
    uint64_t value = 0xDEADBEEFDEADBEEFull;

    vlapic_mmio_ops.access(&f->apic, offset, size, false, &value);
    return value;
}

static inline uint32_t rd(struct fixture *f, unsigned offset)
{
    return (uint32_t)mmio_read_sized(f, offset, 4);
}

static inline void wr_sized(struct fixture *f, uint64_t offset, unsigned size, uint64_t value)
{
    vlapic_mmio_ops.access(&f->apic, offset, size, true, &value);
}

static inline void wr(struct fixture *f, unsigned offset, uint32_t value)
{
    wr_sized(f, offset, 4, value);
}

static inline uint64_t msr_rd(struct fixture *f, uint32_t msr)
{
    uint64_t value = 0;

    assert_true(vlapic_msr_ops.read(&f->apic, msr, &value));
    return value;
}

static inline void msr_wr(struct fixture *f, uint32_t msr, uint64_t value)
{
    assert_true(vlapic_msr_ops.write(&f->apic, msr, value));
}

static inline bool irr_has(const struct fixture *f, unsigned vector)
{
    return (f->apic.irr[vector / 32] >> (vector % 32)) & 1u;
}

static inline bool isr_has(const struct fixture *f, unsigned vector)
{
    return (f->apic.isr[vector / 32] >> (vector % 32)) & 1u;
}

/* SVR with the software-enable bit and spurious vector 0xFF, as Linux writes it. */
static inline void software_enable(struct fixture *f)
{
    wr(f, VLAPIC_REG_SVR, VLAPIC_SVR_ENABLE | 0xFFu);
}

/* Acknowledge and EOI whatever is pending, so IRR and ISR are empty again. */
static inline void drain(struct fixture *f)
{
    int v;

    while ((v = vlapic_highest_pending(&f->apic)) >= 0) {
        vlapic_acknowledge(&f->apic, (uint8_t)v);
        vlapic_eoi(&f->apic);
    }
}

#endif
