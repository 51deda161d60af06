/* Host unit tests for guest/vlapic.c and vlapic_msr.c, the virtual local APIC's registers
 * and interrupt flow (SDM Vol. 3A chapter 11): reset values, access sizes, TPR and PPR,
 * IRR -> ISR -> EOI with nesting, software disable, ESR, IPIs, I/O APIC messages, x2APIC
 * transitions and MSRs, and the APIC as vcpu/events.c's interrupt source. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "tests/unit/vlapic_fixture.h"

static const unsigned lvt_offsets[] = {
    VLAPIC_REG_LVT_CMCI, VLAPIC_REG_LVT_TIMER, VLAPIC_REG_LVT_THERMAL, VLAPIC_REG_LVT_PMC,
    VLAPIC_REG_LVT_LINT0, VLAPIC_REG_LVT_LINT1, VLAPIC_REG_LVT_ERROR,
};

static void test_reset_values(void **state)
{
    (void)state;
    struct fixture f;
    fixture_setup(&f);

    assert_int_equal(rd(&f, VLAPIC_REG_ID), 0);
    assert_int_equal(rd(&f, VLAPIC_REG_VERSION), 0x00060014);
    assert_int_equal(rd(&f, VLAPIC_REG_TPR), 0);
    assert_int_equal(rd(&f, VLAPIC_REG_APR), 0);
    assert_int_equal(rd(&f, VLAPIC_REG_PPR), 0);
    assert_int_equal(rd(&f, VLAPIC_REG_LDR), 0);
    assert_int_equal(rd(&f, VLAPIC_REG_DFR), 0xFFFFFFFF);
    assert_int_equal(rd(&f, VLAPIC_REG_SVR), 0xFF);
    assert_int_equal(rd(&f, VLAPIC_REG_ESR), 0);
    assert_int_equal(rd(&f, VLAPIC_REG_ICR_LOW), 0);
    assert_int_equal(rd(&f, VLAPIC_REG_ICR_HIGH), 0);
    for (unsigned i = 0; i < 7; i++)
        assert_int_equal(rd(&f, lvt_offsets[i]), 0x00010000);
    for (unsigned i = 0; i < 8; i++) {
        assert_int_equal(rd(&f, VLAPIC_REG_ISR + 16 * i), 0);
        assert_int_equal(rd(&f, VLAPIC_REG_TMR + 16 * i), 0);
        assert_int_equal(rd(&f, VLAPIC_REG_IRR + 16 * i), 0);
    }
    assert_int_equal(rd(&f, VLAPIC_REG_TIMER_INITIAL), 0);
    assert_int_equal(rd(&f, VLAPIC_REG_TIMER_CURRENT), 0);
    assert_int_equal(rd(&f, VLAPIC_REG_TIMER_DIVIDE), 0);
    assert_int_equal(msr_rd(&f, VLAPIC_MSR_APIC_BASE), 0xFEE00900);
    assert_int_equal(vlapic_highest_pending(&f.apic), -1);
    assert_int_equal(vlapic_next_deadline(&f.apic), UINT64_MAX);
    assert_int_equal(f.sink.count, 0);

    /* A reset after use brings the same values back. */
    software_enable(&f);
    wr(&f, VLAPIC_REG_TPR, 0x20);
    wr(&f, VLAPIC_REG_LVT_LINT0, 0x700);
    vlapic_accept(&f.apic, 0x40, false);
    vlapic_reset(&f.apic);
    assert_int_equal(rd(&f, VLAPIC_REG_SVR), 0xFF);
    assert_int_equal(rd(&f, VLAPIC_REG_TPR), 0);
    assert_int_equal(rd(&f, VLAPIC_REG_LVT_LINT0), 0x00010000);
    assert_false(irr_has(&f, 0x40));
}

/* Reads of 1, 2 and 8 bytes return the registers' bytes (bytes 4-15 of a slot read 0);
 * writes other than aligned 32-bit are ignored and reported once. */
static void test_access_sizes(void **state)
{
    (void)state;
    struct fixture f;
    fixture_setup(&f);
    wr(&f, VLAPIC_REG_SVR, 0x1A5);

    assert_int_equal(mmio_read_sized(&f, VLAPIC_REG_SVR, 1), 0xA5);
    assert_int_equal(mmio_read_sized(&f, VLAPIC_REG_SVR + 1, 1), 0x01);
    assert_int_equal(mmio_read_sized(&f, VLAPIC_REG_SVR + 1, 2), 0x01);
    assert_int_equal(mmio_read_sized(&f, VLAPIC_REG_SVR + 4, 4), 0);
    assert_int_equal(mmio_read_sized(&f, VLAPIC_REG_VERSION, 8), 0x00060014);
    assert_int_equal(mmio_read_sized(&f, VLAPIC_REG_SVR - 2, 4), 0x01A50000);
    assert_int_equal(mmio_read_sized(&f, VLAPIC_REG_SVR + 0xE, 4), 0);   /* ISR 0 */
    assert_int_equal(mmio_read_sized(&f, 0xFFC, 8), 0);
    assert_int_equal(mmio_read_sized(&f, 0x1000, 4), 0);
    assert_int_equal(mmio_read_sized(&f, UINT64_MAX - 1, 8), 0);
    assert_int_equal(mmio_read_sized(&f, VLAPIC_REG_SVR, 3), 0);

    wr_sized(&f, VLAPIC_REG_TPR, 1, 0x30);
    wr_sized(&f, VLAPIC_REG_TPR, 8, 0x30);
    wr_sized(&f, VLAPIC_REG_TPR + 4, 4, 0x30);
    wr_sized(&f, UINT64_MAX - 3, 4, 0x30);
    assert_int_equal(rd(&f, VLAPIC_REG_TPR), 0);
    assert_int_equal(f.apic.stats.accesses_ignored, 4);
    ASSERT_LINES(&f.sink, "vlapic: 1-byte access at page offset 0x80 ignored: registers take "
                          "aligned 32-bit writes");
}

/* Reserved offsets read 0; writes there and to read-only registers change nothing. */
static void test_reserved_and_read_only(void **state)
{
    (void)state;
    struct fixture f;
    fixture_setup(&f);
    struct vlapic before;

    assert_int_equal(rd(&f, 0x40), 0);
    assert_int_equal(rd(&f, VLAPIC_REG_SELF_IPI), 0);
    assert_int_equal(rd(&f, 0xFF0), 0);
    memcpy(&before, &f.apic, sizeof(before));
    wr(&f, 0x40, 0xFFFFFFFF);
    wr(&f, VLAPIC_REG_SELF_IPI, 0x40);      /* SELF IPI is x2APIC-only */
    wr(&f, VLAPIC_REG_ID, 0x05000000);
    wr(&f, VLAPIC_REG_VERSION, 0);
    wr(&f, VLAPIC_REG_PPR, 0xFF);
    wr(&f, VLAPIC_REG_IRR + 0x20, 0xFFFFFFFF);
    wr(&f, VLAPIC_REG_TIMER_CURRENT, 5);
    assert_memory_equal(&before, &f.apic, sizeof(before));
    assert_int_equal(rd(&f, VLAPIC_REG_ID), 0);
}

static void test_tpr_ppr_and_class_masking(void **state)
{
    (void)state;
    struct fixture f;
    fixture_setup(&f);
    software_enable(&f);

    wr(&f, VLAPIC_REG_TPR, 0x1FF);
    assert_int_equal(rd(&f, VLAPIC_REG_TPR), 0xFF);
    wr(&f, VLAPIC_REG_TPR, 0x45);
    assert_int_equal(rd(&f, VLAPIC_REG_PPR), 0x45);

    /* In service 0x5A: its class (5) is above TPR's (4), so PPR = 0x50. */
    vlapic_accept(&f.apic, 0x5A, false);
    assert_int_equal(vlapic_highest_pending(&f.apic), 0x5A);
    vlapic_acknowledge(&f.apic, 0x5A);
    assert_int_equal(rd(&f, VLAPIC_REG_PPR), 0x50);
    wr(&f, VLAPIC_REG_TPR, 0x65);
    assert_int_equal(rd(&f, VLAPIC_REG_PPR), 0x65);
    wr(&f, VLAPIC_REG_TPR, 0x55);                 /* same class as ISRV: TPR wins */
    assert_int_equal(rd(&f, VLAPIC_REG_PPR), 0x55);
    vlapic_eoi(&f.apic);
    assert_int_equal(rd(&f, VLAPIC_REG_PPR), 0x55);

    /* A vector waits unless its class is above PPR's class. */
    wr(&f, VLAPIC_REG_TPR, 0x50);
    vlapic_accept(&f.apic, 0x5F, false);
    assert_int_equal(vlapic_highest_pending(&f.apic), -1);
    vlapic_accept(&f.apic, 0x61, false);
    assert_int_equal(vlapic_highest_pending(&f.apic), 0x61);
    wr(&f, VLAPIC_REG_TPR, 0xF0);
    assert_int_equal(vlapic_highest_pending(&f.apic), -1);
    vlapic_set_tpr(&f.apic, 0x40);                /* what a CR8 write of 4 becomes */
    assert_int_equal(vlapic_tpr(&f.apic), 0x40);
    assert_int_equal(vlapic_highest_pending(&f.apic), 0x61);
    vlapic_acknowledge(&f.apic, 0x61);
    assert_int_equal(vlapic_highest_pending(&f.apic), -1);  /* 0x5F: class 5 < ISR's 6 */
    vlapic_eoi(&f.apic);
    assert_int_equal(vlapic_highest_pending(&f.apic), 0x5F);
}

/* Higher vectors preempt, lower ones wait for the EOI; only level-triggered vectors
 * reach the EOI callback. */
static void test_irr_isr_eoi_nesting(void **state)
{
    (void)state;
    struct fixture f;
    fixture_setup(&f);
    software_enable(&f);

    assert_true(vlapic_accept(&f.apic, 0x40, false));
    assert_true(vlapic_accept(&f.apic, 0x80, true));
    assert_int_equal(rd(&f, VLAPIC_REG_IRR + 0x20), 1u << 0);     /* 0x40: word 2 */
    assert_int_equal(rd(&f, VLAPIC_REG_IRR + 0x40), 1u << 0);     /* 0x80: word 4 */
    assert_int_equal(rd(&f, VLAPIC_REG_TMR + 0x40), 1u << 0);
    assert_int_equal(vlapic_highest_pending(&f.apic), 0x80);
    vlapic_acknowledge(&f.apic, 0x80);
    assert_true(isr_has(&f, 0x80));
    assert_false(irr_has(&f, 0x80));
    assert_int_equal(vlapic_highest_pending(&f.apic), -1);        /* 0x40 waits */

    assert_true(vlapic_accept(&f.apic, 0x91, false));
    assert_int_equal(vlapic_highest_pending(&f.apic), 0x91);      /* preempts 0x80 */
    vlapic_acknowledge(&f.apic, 0x91);
    assert_int_equal(rd(&f, VLAPIC_REG_ISR + 0x40), (1u << 0) | (1u << 17));
    assert_int_equal(rd(&f, VLAPIC_REG_PPR), 0x90);

    wr(&f, VLAPIC_REG_EOI, 0);                   /* ends 0x91, an edge interrupt */
    assert_false(isr_has(&f, 0x91));
    assert_true(isr_has(&f, 0x80));
    assert_int_equal(f.eois, 0);
    assert_int_equal(vlapic_highest_pending(&f.apic), -1);
    wr(&f, VLAPIC_REG_EOI, 0);                   /* ends 0x80, level: to the I/O APIC */
    assert_int_equal(f.eois, 1);
    assert_int_equal(f.eoi_vectors[0], 0x80);
    assert_int_equal(vlapic_highest_pending(&f.apic), 0x40);
    vlapic_acknowledge(&f.apic, 0x40);
    vlapic_eoi(&f.apic);
    vlapic_eoi(&f.apic);                         /* ISR empty: nothing happens */
    assert_int_equal(f.eois, 1);
    assert_int_equal(rd(&f, VLAPIC_REG_ISR + 0x20), 0);
    assert_int_equal(vlapic_highest_pending(&f.apic), -1);

    /* Acknowledging what is not pending is reported and changes nothing. */
    vlapic_acknowledge(&f.apic, 0x77);
    assert_false(isr_has(&f, 0x77));
    ASSERT_LINES(&f.sink, "vlapic: acknowledge of vector 119, which is not pending: ignored");
}

static void test_illegal_vectors_and_esr(void **state)
{
    (void)state;
    struct fixture f;
    fixture_setup(&f);
    software_enable(&f);

    assert_false(vlapic_accept(&f.apic, 15, false));
    assert_int_equal(f.apic.irr[0], 0);
    assert_int_equal(rd(&f, VLAPIC_REG_ESR), 0);      /* not latched yet */
    wr(&f, VLAPIC_REG_ESR, 0);
    assert_int_equal(rd(&f, VLAPIC_REG_ESR), VLAPIC_ESR_RECEIVE_ILLEGAL_VECTOR);
    wr(&f, VLAPIC_REG_ESR, 0);
    assert_int_equal(rd(&f, VLAPIC_REG_ESR), 0);

    /* A fixed self-IPI with vector 3: a send and a receive error, nothing pending. */
    wr(&f, VLAPIC_REG_ICR_LOW, VLAPIC_ICR_SELF | 3);
    wr(&f, VLAPIC_REG_ESR, 0);
    assert_int_equal(rd(&f, VLAPIC_REG_ESR), VLAPIC_ESR_SEND_ILLEGAL_VECTOR |
                                             VLAPIC_ESR_RECEIVE_ILLEGAL_VECTOR);
    assert_int_equal(vlapic_highest_pending(&f.apic), -1);
    assert_int_equal(f.apic.stats.illegal_vectors, 2);

    /* The error LVT raises its vector on a new error, not on a repeated one. */
    wr(&f, VLAPIC_REG_LVT_ERROR, 0xFE);
    vlapic_accept(&f.apic, 1, false);
    assert_int_equal(vlapic_highest_pending(&f.apic), 0xFE);
    drain(&f);
    vlapic_accept(&f.apic, 2, false);
    assert_int_equal(vlapic_highest_pending(&f.apic), -1);
    ASSERT_LINES(&f.sink, "vlapic: interrupt vector 15 dropped: vectors 0-15 are illegal");
}

/* SVR bit 8 clear: fixed interrupts are dropped, LVTs are masked and stay masked, pending
 * vectors are held and come back with the enable. */
static void test_software_disable(void **state)
{
    (void)state;
    struct fixture f;
    fixture_setup(&f);

    assert_false(vlapic_accept(&f.apic, 0x50, false));
    assert_int_equal(f.apic.stats.interrupts_dropped, 1);
    wr(&f, VLAPIC_REG_LVT_LINT0, 0x00000700);
    assert_int_equal(rd(&f, VLAPIC_REG_LVT_LINT0), 0x00010700);

    wr(&f, VLAPIC_REG_SVR, 0x1F0);
    assert_int_equal(rd(&f, VLAPIC_REG_SVR), 0x1F0);
    wr(&f, VLAPIC_REG_LVT_LINT0, 0x0000A7FF | 0xFFFE0000u);       /* reserved bits dropped */
    assert_int_equal(rd(&f, VLAPIC_REG_LVT_LINT0), 0x0000A7FF);
    wr(&f, VLAPIC_REG_LVT_ERROR, 0xFFFFFFFF);
    assert_int_equal(rd(&f, VLAPIC_REG_LVT_ERROR), 0x000100FF);
    assert_true(vlapic_accept(&f.apic, 0x50, false));
    assert_int_equal(vlapic_highest_pending(&f.apic), 0x50);

    wr(&f, VLAPIC_REG_SVR, 0x0F0);
    assert_int_equal(rd(&f, VLAPIC_REG_LVT_LINT0), 0x0001A7FF);
    assert_int_equal(vlapic_highest_pending(&f.apic), -1);
    assert_true(irr_has(&f, 0x50));
    wr(&f, VLAPIC_REG_LVT_LINT0, 0x00000720);
    assert_int_equal(rd(&f, VLAPIC_REG_LVT_LINT0), 0x00010720);

    wr(&f, VLAPIC_REG_SVR, 0x1F0);
    assert_int_equal(vlapic_highest_pending(&f.apic), 0x50);
    assert_int_equal(rd(&f, VLAPIC_REG_LVT_LINT0), 0x00010720);  /* masks stay set */
    ASSERT_LINES(&f.sink, "vlapic: interrupt vector 80 dropped: the APIC is disabled");
}

static void test_ipis(void **state)
{
    (void)state;
    struct fixture f;
    fixture_setup(&f);
    software_enable(&f);

    wr(&f, VLAPIC_REG_ICR_LOW, VLAPIC_ICR_SELF | VLAPIC_ICR_LEVEL_ASSERT | 0x41);
    assert_true(irr_has(&f, 0x41));
    assert_int_equal(rd(&f, VLAPIC_REG_ICR_LOW), VLAPIC_ICR_SELF | VLAPIC_ICR_LEVEL_ASSERT | 0x41);
    wr(&f, VLAPIC_REG_ICR_LOW, VLAPIC_ICR_ALL_INCLUDING_SELF | 0x42);
    assert_true(irr_has(&f, 0x42));
    wr(&f, VLAPIC_REG_ICR_HIGH, 0x00FFFFFF);
    assert_int_equal(rd(&f, VLAPIC_REG_ICR_HIGH), 0);
    wr(&f, VLAPIC_REG_ICR_LOW, 0x43);                            /* physical 0: us */
    assert_true(irr_has(&f, 0x43));
    wr(&f, VLAPIC_REG_ICR_HIGH, 0xFF000000);                     /* broadcast */
    wr(&f, VLAPIC_REG_ICR_LOW, 0x44);
    assert_true(irr_has(&f, 0x44));
    drain(&f);

    wr(&f, VLAPIC_REG_ICR_HIGH, 0x01000000);                     /* APIC 1: nobody */
    wr(&f, VLAPIC_REG_ICR_LOW, 0x45);
    wr(&f, VLAPIC_REG_ICR_LOW, VLAPIC_ICR_ALL_EXCLUDING_SELF | 0x46);
    assert_int_equal(vlapic_highest_pending(&f.apic), -1);
    assert_int_equal(f.apic.stats.ipis_ignored, 2);

    /* Logical, flat model: LDR bit 0 answers destination bits containing it. */
    wr(&f, VLAPIC_REG_LDR, 0x01FFFFFF);
    assert_int_equal(rd(&f, VLAPIC_REG_LDR), 0x01000000);
    wr(&f, VLAPIC_REG_ICR_HIGH, 0x03000000);
    wr(&f, VLAPIC_REG_ICR_LOW, VLAPIC_ICR_LOGICAL | 0x47);
    assert_true(irr_has(&f, 0x47));
    wr(&f, VLAPIC_REG_ICR_HIGH, 0x02000000);
    wr(&f, VLAPIC_REG_ICR_LOW, VLAPIC_ICR_LOGICAL | 0x48);
    assert_false(irr_has(&f, 0x48));
    /* Cluster model: cluster 0x1, member bit 0. */
    wr(&f, VLAPIC_REG_DFR, 0x0);
    assert_int_equal(rd(&f, VLAPIC_REG_DFR), 0x0FFFFFFF);
    wr(&f, VLAPIC_REG_LDR, 0x11000000);
    wr(&f, VLAPIC_REG_ICR_HIGH, 0x13000000);
    wr(&f, VLAPIC_REG_ICR_LOW, VLAPIC_ICR_LOGICAL | 0x49);
    assert_true(irr_has(&f, 0x49));
    wr(&f, VLAPIC_REG_ICR_HIGH, 0x21000000);
    wr(&f, VLAPIC_REG_ICR_LOW, VLAPIC_ICR_LOGICAL | 0x4A);
    assert_false(irr_has(&f, 0x4A));

    /* NMI to self reaches the callback; INIT and SIPI are ignored. */
    wr(&f, VLAPIC_REG_ICR_LOW, VLAPIC_ICR_SELF | VLAPIC_DELIVERY_NMI << 8);
    assert_int_equal(f.nmis, 1);
    wr(&f, VLAPIC_REG_ICR_LOW, VLAPIC_ICR_SELF | VLAPIC_DELIVERY_INIT << 8);
    wr(&f, VLAPIC_REG_ICR_LOW, VLAPIC_ICR_SELF | VLAPIC_DELIVERY_STARTUP << 8 | 0x9A);
    assert_int_equal(f.apic.stats.ipis_ignored, 6);
    ASSERT_LINES(&f.sink,
                 "vlapic: IPI to physical destination 0x1 ignored: no such CPU",
                 "vlapic: IPI with delivery mode 5 to 0x21 ignored: only fixed, "
                 "lowest-priority and NMI are delivered");
}

/* What the I/O APIC sends: 8-bit destinations, level-triggered vectors set TMR. */
static void test_external_messages(void **state)
{
    (void)state;
    struct fixture f;
    fixture_setup(&f);
    software_enable(&f);

    assert_true(vlapic_deliver(&f.apic, VLAPIC_DELIVERY_FIXED, 0x31, true, 0, false));
    assert_true(irr_has(&f, 0x31));
    assert_int_equal(f.apic.tmr[1], 1u << 17);
    assert_true(vlapic_deliver(&f.apic, VLAPIC_DELIVERY_LOWEST, 0x32, false, 0xFF, false));
    assert_false(vlapic_deliver(&f.apic, VLAPIC_DELIVERY_FIXED, 0x33, false, 1, false));
    assert_false(vlapic_deliver(&f.apic, VLAPIC_DELIVERY_FIXED, 0x34, false, 1, true));
    wr(&f, VLAPIC_REG_LDR, 0x01000000);
    assert_true(vlapic_deliver(&f.apic, VLAPIC_DELIVERY_FIXED, 0x35, false, 1, true));
    assert_true(vlapic_deliver(&f.apic, VLAPIC_DELIVERY_NMI, 0, false, 0, false));
    assert_int_equal(f.nmis, 1);
    assert_false(vlapic_deliver(&f.apic, VLAPIC_DELIVERY_EXTINT, 0x36, false, 0, false));
    assert_false(vlapic_deliver(&f.apic, VLAPIC_DELIVERY_SMI, 0, false, 0, false));
    assert_false(irr_has(&f, 0x33) || irr_has(&f, 0x34) || irr_has(&f, 0x36));
    assert_true(irr_has(&f, 0x35));
    assert_int_equal(f.apic.stats.ipis_ignored, 4);

    /* Level-triggered 0x31 in service: its EOI reaches the callback. */
    drain(&f);
    assert_int_equal(f.eois, 1);
    assert_int_equal(f.eoi_vectors[0], 0x31);
}

static void test_x2apic_transitions(void **state)
{
    (void)state;
    struct fixture f;
    uint64_t v;
    fixture_setup(&f);
    software_enable(&f);
    wr(&f, VLAPIC_REG_TPR, 0x30);

    /* Reserved bits, EXTD without EN, and an illegal base are refused. */
    assert_false(vlapic_msr_write(&f.apic, VLAPIC_MSR_APIC_BASE, 0xFEE00000 | VLAPIC_BASE_EN | 1));
    assert_false(vlapic_msr_write(&f.apic, VLAPIC_MSR_APIC_BASE, 0xFEE00000 | VLAPIC_BASE_EN |
                                                                (1ull << 9)));
    assert_false(vlapic_msr_write(&f.apic, VLAPIC_MSR_APIC_BASE, 0xFEE00000 | VLAPIC_BASE_EXTD));
    assert_false(vlapic_msr_read(&f.apic, 0x802, &v));           /* xAPIC mode: #GP */

    /* xAPIC -> x2APIC keeps the registers; the MMIO page goes dark. */
    msr_wr(&f, VLAPIC_MSR_APIC_BASE, 0xFEE00000 | VLAPIC_BASE_EN | VLAPIC_BASE_EXTD);
    assert_int_equal(msr_rd(&f, VLAPIC_MSR_APIC_BASE), 0xFEE00D00);
    assert_int_equal(msr_rd(&f, 0x808), 0x30);
    assert_int_equal(msr_rd(&f, 0x802), 0);
    assert_int_equal(msr_rd(&f, 0x80D), 1);                       /* LDR from ID 0 */
    assert_int_equal(rd(&f, VLAPIC_REG_TPR), 0);
    wr(&f, VLAPIC_REG_TPR, 0x70);
    assert_int_equal(msr_rd(&f, 0x808), 0x30);

    /* x2APIC -> xAPIC is illegal; x2APIC -> disabled resets everything but the ID. */
    assert_false(vlapic_msr_write(&f.apic, VLAPIC_MSR_APIC_BASE, 0xFEE00000 | VLAPIC_BASE_EN));
    msr_wr(&f, VLAPIC_MSR_APIC_BASE, 0xFEE00000);
    assert_int_equal(msr_rd(&f, VLAPIC_MSR_APIC_BASE), 0xFEE00100);
    assert_false(vlapic_accept(&f.apic, 0x40, false));
    assert_false(vlapic_msr_read(&f.apic, 0x808, &v));
    assert_int_equal(rd(&f, VLAPIC_REG_SVR), 0);                 /* disabled: reads 0 */

    /* disabled -> x2APIC is illegal; disabled -> xAPIC finds the reset state. */
    assert_false(vlapic_msr_write(&f.apic, VLAPIC_MSR_APIC_BASE, 0xFEE00000 | VLAPIC_BASE_EN |
                                                                VLAPIC_BASE_EXTD));
    msr_wr(&f, VLAPIC_MSR_APIC_BASE, 0xFEE00000 | VLAPIC_BASE_EN);
    assert_int_equal(rd(&f, VLAPIC_REG_SVR), 0xFF);
    assert_int_equal(rd(&f, VLAPIC_REG_TPR), 0);
    assert_int_equal(f.apic.stats.msr_faults, 7);

    /* A different base is kept at 0xFEE00000 and reported. */
    msr_wr(&f, VLAPIC_MSR_APIC_BASE, 0xFED00000 | VLAPIC_BASE_EN);
    assert_int_equal(msr_rd(&f, VLAPIC_MSR_APIC_BASE), 0xFEE00900);
    ASSERT_LINES(&f.sink,
                 "vlapic: wrmsr IA32_APIC_BASE 0x1b (0xfee00801): #GP: reserved bits",
                 "vlapic: 4-byte access at page offset 0x80 ignored: the APIC is not in "
                 "xAPIC mode",
                 "vlapic: interrupt vector 64 dropped: the APIC is disabled",
                 "vlapic: APIC base 0xfed00000 ignored: the APIC stays at 0xfee00000");
}

static void test_x2apic_not_offered(void **state)
{
    (void)state;
    struct fixture f;
    uint64_t v;
    fixture_setup_with(&f, FIXTURE_TSC_HZ, FIXTURE_TIMER_HZ, false, false);

    assert_false(vlapic_msr_write(&f.apic, VLAPIC_MSR_APIC_BASE, 0xFEE00000 | VLAPIC_BASE_EN |
                                                                VLAPIC_BASE_EXTD));
    assert_false(vlapic_msr_read(&f.apic, 0x802, &v));
    assert_false(vlapic_msr_write(&f.apic, 0x808, 0));
    assert_false(vlapic_msr_read(&f.apic, VLAPIC_MSR_TSC_DEADLINE, &v));
    assert_false(vlapic_msr_write(&f.apic, 0x7FF, 0));
    assert_int_equal(msr_rd(&f, VLAPIC_MSR_APIC_BASE), 0xFEE00900);
}

static void test_x2apic_registers(void **state)
{
    (void)state;
    struct fixture f;
    uint64_t v;
    fixture_setup(&f);
    msr_wr(&f, VLAPIC_MSR_APIC_BASE, 0xFEE00000 | VLAPIC_BASE_EN | VLAPIC_BASE_EXTD);
    msr_wr(&f, 0x80F, 0x1FF);

    assert_int_equal(msr_rd(&f, 0x803), 0x00060014);
    assert_int_equal(msr_rd(&f, 0x80F), 0x1FF);
    /* No APR, RRD, DFR or ICR high; ID, LDR, PPR and the vector sets are read-only. */
    assert_false(vlapic_msr_read(&f.apic, 0x809, &v));
    assert_false(vlapic_msr_read(&f.apic, 0x80C, &v));
    assert_false(vlapic_msr_read(&f.apic, 0x80E, &v));
    assert_false(vlapic_msr_read(&f.apic, 0x831, &v));
    assert_false(vlapic_msr_write(&f.apic, 0x802, 0));
    assert_false(vlapic_msr_write(&f.apic, 0x80D, 0));
    assert_false(vlapic_msr_write(&f.apic, 0x80A, 0));
    assert_false(vlapic_msr_write(&f.apic, 0x820, 0));
    assert_false(vlapic_msr_write(&f.apic, 0x8FF, 0));
    /* Reserved upper halves, non-zero EOI and ESR, SELF IPI beyond a vector. */
    assert_false(vlapic_msr_write(&f.apic, 0x808, 1ull << 32));
    assert_false(vlapic_msr_write(&f.apic, 0x80B, 1));
    assert_false(vlapic_msr_write(&f.apic, 0x828, 1));
    assert_false(vlapic_msr_write(&f.apic, 0x83F, 0x100));
    assert_false(vlapic_msr_read(&f.apic, 0x80B, &v));            /* EOI: write-only */
    assert_false(vlapic_msr_read(&f.apic, 0x83F, &v));            /* SELF IPI too */

    msr_wr(&f, 0x83F, 0x55);
    assert_int_equal(msr_rd(&f, 0x822), 1u << 21);                /* IRR word 2: 0x55 */
    msr_wr(&f, VLAPIC_MSR_X2APIC_ICR, 0x56);                      /* physical, dest 0 */
    msr_wr(&f, VLAPIC_MSR_X2APIC_ICR, 0xFFFFFFFF00000057ull);     /* broadcast */
    msr_wr(&f, VLAPIC_MSR_X2APIC_ICR, 0x0000000100000858ull);     /* logical cluster 0 bit 0 */
    msr_wr(&f, VLAPIC_MSR_X2APIC_ICR, 0x0000000200000859ull);     /* logical bit 1: nobody */
    msr_wr(&f, VLAPIC_MSR_X2APIC_ICR, 0x000000010000005Aull);     /* physical 1: nobody */
    assert_int_equal(msr_rd(&f, VLAPIC_MSR_X2APIC_ICR), 0x000000010000005Aull);
    assert_int_equal(msr_rd(&f, 0x822), 0x01E00000);              /* 0x55-0x58 */
    assert_int_equal(vlapic_highest_pending(&f.apic), 0x58);
    vlapic_acknowledge(&f.apic, 0x58);
    assert_int_equal(msr_rd(&f, 0x812), 1u << 24);
    assert_int_equal(msr_rd(&f, 0x80A), 0x50);
    msr_wr(&f, 0x80B, 0);
    assert_int_equal(msr_rd(&f, 0x812), 0);
    msr_wr(&f, 0x828, 0);
    assert_int_equal(msr_rd(&f, 0x828), 0);

    /* The timer through MSRs: 1 TSC GHz, 100 MHz input, divide by 1. */
    f.now = 1000;
    msr_wr(&f, 0x83E, 0xB);
    msr_wr(&f, 0x832, 0x20);
    msr_wr(&f, 0x838, 100);
    f.now = 1500;
    assert_int_equal(msr_rd(&f, 0x839), 50);
    assert_int_equal(msr_rd(&f, 0x838), 100);
    assert_false(vlapic_msr_write(&f.apic, 0x839, 0));
}

/* The APIC as vcpu/events.c's interrupt source: injected when IF allows, and the TPR (as
 * task priority) and the APIC's own PPR agree. */
static void test_events_source(void **state)
{
    (void)state;
    struct fixture f;
    struct vcpu_events ev;
    struct event_decision d;
    struct event_irq_source source;
    struct event_guest_state gs = { .interrupt_flag = true, .protected_mode = true,
                                    .activity_state = VMX_ACTIVITY_ACTIVE };
    fixture_setup(&f);
    software_enable(&f);
    events_init(&ev, NULL);
    source = vlapic_irq_source(&f.apic);
    events_set_irq_source(&ev, &source);

    vlapic_accept(&f.apic, 0x61, false);
    vlapic_accept(&f.apic, 0x30, false);
    events_decide(&ev, &gs, &d);
    assert_true(d.inject);
    assert_int_equal(d.interruption_info & 0xFF, 0x61);
    assert_true(isr_has(&f, 0x61));
    assert_false(d.interrupt_window);               /* 0x30 waits for the EOI */
    events_decide(&ev, &gs, &d);
    assert_false(d.inject);
    vlapic_eoi(&f.apic);

    gs.interrupt_flag = false;
    events_decide(&ev, &gs, &d);
    assert_false(d.inject);
    assert_true(d.interrupt_window);
    gs.interrupt_flag = true;
    events_decide(&ev, &gs, &d);
    assert_true(d.inject);
    assert_int_equal(d.interruption_info & 0xFF, 0x30);
}

static void test_bad_config(void **state)
{
    (void)state;
    struct sink s;
    struct vlapic apic;
    struct vlapic_config cfg = { .tsc_hz = 0, .timer_hz = VLAPIC_HZ_MAX + 1 };

    sink_reset(&s);
    cfg.diag = &s.diag;
    assert_false(vlapic_init(&apic, &cfg));
    assert_int_equal(apic.cfg.tsc_hz, 1);
    assert_int_equal(apic.cfg.timer_hz, 1);
    assert_int_equal(apic.svr, 0xFF);
    ASSERT_LINES(&s, "vlapic: TSC 0 Hz, timer 1099511627777 Hz: each must be 1..2^40 Hz; "
                     "timer runs at the TSC's rate");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reset_values),
        cmocka_unit_test(test_access_sizes),
        cmocka_unit_test(test_reserved_and_read_only),
        cmocka_unit_test(test_tpr_ppr_and_class_masking),
        cmocka_unit_test(test_irr_isr_eoi_nesting),
        cmocka_unit_test(test_illegal_vectors_and_esr),
        cmocka_unit_test(test_software_disable),
        cmocka_unit_test(test_ipis),
        cmocka_unit_test(test_external_messages),
        cmocka_unit_test(test_x2apic_transitions),
        cmocka_unit_test(test_x2apic_not_offered),
        cmocka_unit_test(test_x2apic_registers),
        cmocka_unit_test(test_events_source),
        cmocka_unit_test(test_bad_config),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
