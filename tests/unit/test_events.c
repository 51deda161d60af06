/* Host unit tests for vcpu/events.c, the decision before each entry: blocking and window
 * exits (Intel SDM Vol. 3C "Checks on Guest Non-Register State", interrupt- and NMI-window
 * exiting), priorities (Vol. 3A 6.9), HLT wake-up, the pluggable interrupt source, restart and
 * event names. Exceptions and re-injection: tests/unit/test_event_faults.c. */
#include "tests/unit/events_helpers.h"   /* cmocka, vcpu/events.h, the fixture */

/* ---- blocking and windows --------------------------------------------------------------- */

static void test_if_clear_asks_for_interrupt_window(void **state)
{
    struct fixture *f = *state;
    struct event_guest_state gs = open_guest;
    struct event_decision d;

    events_raise_irq(&f->ev, 0x30);
    gs.interrupt_flag = false;
    for (int i = 0; i < 2; i++) {       /* nothing is consumed while it waits */
        d = decide(&f->ev, &gs);
        assert_waits(&d, true, false);
    }
    d = decide(&f->ev, &open_guest);    /* the interrupt-window exit: IF = 1 */
    assert_injects(&d, IRQ(0x30), 0, 0);
    assert_false(d.interrupt_window);
    assert_nothing_pending(&f->ev);
}

static void test_sti_and_mov_ss_blocking(void **state)
{
    struct fixture *f = *state;
    const uint32_t blocking[] = { VMX_INTERRUPTIBILITY_STI, VMX_INTERRUPTIBILITY_MOV_SS };

    for (size_t i = 0; i < ARRAY_SIZE(blocking); i++) {
        struct event_guest_state gs = open_guest;
        struct event_decision d;

        fixture_init(f);
        gs.interruptibility = blocking[i];
        events_raise_irq(&f->ev, 0x30);
        d = decide(&f->ev, &gs);
        assert_waits(&d, true, false);

        events_raise_nmi(&f->ev);       /* blocked too (STI: as some CPUs require) */
        d = decide(&f->ev, &gs);
        assert_waits(&d, true, true);

        /* A hardware exception is not held back by STI or MOV-SS blocking. */
        events_queue_exception(&f->ev, X86_VECTOR_GP, 0);
        d = decide(&f->ev, &gs);
        assert_injects(&d, HW_ERR(13), 0, 0);

        d = decide(&f->ev, &open_guest);    /* the window opened */
        assert_injects(&d, NMI, 0, 0);
        d = decide(&f->ev, &open_guest);
        assert_injects(&d, IRQ(0x30), 0, 0);
        assert_nothing_pending(&f->ev);
    }
}

static void test_nmi_blocking_asks_for_nmi_window(void **state)
{
    struct fixture *f = *state;
    struct event_guest_state gs = open_guest;
    struct event_decision d;

    gs.interruptibility = VMX_INTERRUPTIBILITY_NMI;     /* in its NMI handler */
    events_raise_nmi(&f->ev);
    d = decide(&f->ev, &gs);
    assert_waits(&d, false, true);
    assert_false(d.clear_nmi_blocking);

    /* NMI blocking does not hold back an interrupt. */
    events_raise_irq(&f->ev, 0x41);
    d = decide(&f->ev, &gs);
    assert_injects(&d, IRQ(0x41), 0, 0);
    assert_true(d.nmi_window);

    d = decide(&f->ev, &open_guest);    /* IRET: the NMI window */
    assert_injects(&d, NMI, 0, 0);
    assert_false(d.nmi_window);
    assert_nothing_pending(&f->ev);
}

/* One latched NMI: a second while one is pending is the same NMI. */
static void test_nmi_latched_once(void **state)
{
    struct fixture *f = *state;
    struct event_decision d;

    events_raise_nmi(&f->ev);
    events_raise_nmi(&f->ev);
    d = decide(&f->ev, &open_guest);
    assert_injects(&d, NMI, 0, 0);
    assert_nothing_pending(&f->ev);
}

/* ---- priority ----------------------------------------------------------------------------- */

static void test_nmi_before_irq(void **state)
{
    struct fixture *f = *state;
    struct event_decision d;

    events_raise_irq(&f->ev, 0xEF);
    events_raise_nmi(&f->ev);
    d = decide(&f->ev, &open_guest);
    assert_injects(&d, NMI, 0, 0);
    assert_true(d.interrupt_window);
    assert_false(d.nmi_window);
    d = decide(&f->ev, &open_guest);
    assert_injects(&d, IRQ(0xEF), 0, 0);
    assert_nothing_pending(&f->ev);
}

static void test_exception_before_nmi_and_irq(void **state)
{
    struct fixture *f = *state;

    fill_pending(&f->ev);
    assert_rest_in_order(&f->ev);
}

static void test_highest_vector_first(void **state)
{
    struct fixture *f = *state;
    const unsigned raised[] = { 0x30, 0xEF, 0x41, 0x80, 0x10, 0xFF, 0x3F, 0x40, 0x30 };
    const unsigned order[] = { 0xFF, 0xEF, 0x80, 0x41, 0x40, 0x3F, 0x30, 0x10 };

    for (size_t i = 0; i < ARRAY_SIZE(raised); i++)
        assert_true(events_raise_irq(&f->ev, raised[i]));
    for (size_t i = 0; i < ARRAY_SIZE(order); i++) {
        struct event_decision d = decide(&f->ev, &open_guest);
        assert_injects(&d, IRQ(order[i]), 0, 0);
        assert_int_equal(d.interrupt_window, i + 1 < ARRAY_SIZE(order));
    }
    assert_nothing_pending(&f->ev);
}

static void test_irq_vector_range(void **state)
{
    struct fixture *f = *state;

    for (unsigned v = 0; v < EVENT_IRQ_VECTOR_MIN; v++)
        assert_false(events_raise_irq(&f->ev, v));
    assert_false(events_raise_irq(&f->ev, 256));
    assert_int_equal(f->sink.count, 17);
    assert_string_equal(f->sink.lines[0],
                        "events: irq vector 0 refused: external interrupts use 16-255");
    assert_string_equal(f->sink.lines[15],
                        "events: irq vector 15 refused: external interrupts use 16-255");
    assert_nothing_pending(&f->ev);
    assert_true(events_raise_irq(&f->ev, 16));
    assert_true(events_raise_irq(&f->ev, 255));
}

/* ---- activity state ----------------------------------------------------------------------- */

static void test_hlt_woken_by_injected_event(void **state)
{
    struct fixture *f = *state;
    struct event_guest_state halted = open_guest;
    struct event_decision d;

    halted.activity_state = VMX_ACTIVITY_HLT;
    d = decide(&f->ev, &halted);         /* nothing to deliver: it sleeps on */
    assert_waits(&d, false, false);

    events_raise_irq(&f->ev, 0x30);
    d = decide(&f->ev, &halted);
    assert_injects(&d, IRQ(0x30), 0, 0);
    assert_true(d.wake);

    events_raise_nmi(&f->ev);
    d = decide(&f->ev, &halted);
    assert_injects(&d, NMI, 0, 0);
    assert_true(d.wake);

    /* An exception HLT would refuse at entry: woken too. */
    events_queue_exception(&f->ev, X86_VECTOR_GP, 0);
    d = decide(&f->ev, &halted);
    assert_injects(&d, HW_ERR(13), 0, 0);
    assert_true(d.wake);

    /* IF = 0: the interrupt waits, the window exit will wake it. */
    halted.interrupt_flag = false;
    events_raise_irq(&f->ev, 0x31);
    d = decide(&f->ev, &halted);
    assert_waits(&d, true, false);

    d = decide(&f->ev, &open_guest);    /* active: no wake-up to ask for */
    assert_injects(&d, IRQ(0x31), 0, 0);
    assert_false(d.wake);
}

static void test_shutdown_and_wait_for_sipi_take_nothing(void **state)
{
    struct fixture *f = *state;
    const uint32_t states[] = { VMX_ACTIVITY_SHUTDOWN, VMX_ACTIVITY_WAIT_FOR_SIPI };

    for (size_t i = 0; i < ARRAY_SIZE(states); i++) {
        struct event_guest_state gs = open_guest;
        struct event_decision d;

        fixture_init(f);
        gs.activity_state = states[i];
        fill_pending(&f->ev);
        d = decide(&f->ev, &gs);
        assert_waits(&d, false, false);
        assert_rest_in_order(&f->ev);    /* kept for when it runs again */
    }
}

/* ---- the pluggable interrupt source ----------------------------------------------------- */

struct fake_source {
    bool pending[256];
    unsigned acknowledged[256];
    int forced;                 /* != 0: what highest_pending returns */
};

static int fake_highest(void *ctx)
{
    struct fake_source *s = ctx;

    if (s->forced)
        return s->forced;
    for (int v = 0; v < 256; v++)       /* lowest first: the source decides the order */
        if (s->pending[v])
            return v;
    return -1;
}

static void fake_acknowledge(void *ctx, uint8_t vector)
{
    struct fake_source *s = ctx;

    s->acknowledged[vector]++;
    s->pending[vector] = false;
    s->forced = 0;
}

static void test_source_acknowledged_once_per_injection(void **state)
{
    struct fixture *f = *state;
    struct fake_source src;
    struct event_irq_source source = { fake_highest, fake_acknowledge, &src };
    struct event_decision d;

    memset(&src, 0, sizeof(src));
    events_set_irq_source(&f->ev, &source);
    src.pending[0x50] = src.pending[0x90] = true;

    d = decide(&f->ev, &open_guest);
    assert_injects(&d, IRQ(0x50), 0, 0);        /* the source's order, not the bitmap's */
    assert_true(d.interrupt_window);
    assert_int_equal(src.acknowledged[0x50], 1);
    assert_int_equal(src.acknowledged[0x90], 0);

    /* Its delivery exits: re-injected without a second acknowledge. */
    events_exit_record(&f->ev, IRQ(0x50), 0, 0);
    d = decide(&f->ev, &open_guest);
    assert_injects(&d, IRQ(0x50), 0, 0);
    assert_int_equal(src.acknowledged[0x50], 1);

    /* IF = 0: asked, not acknowledged. */
    struct event_guest_state closed = open_guest;
    closed.interrupt_flag = false;
    d = decide(&f->ev, &closed);
    assert_waits(&d, true, false);
    assert_int_equal(src.acknowledged[0x90], 0);
    d = decide(&f->ev, &open_guest);
    assert_injects(&d, IRQ(0x90), 0, 0);
    assert_int_equal(src.acknowledged[0x90], 1);
    assert_false(d.interrupt_window);

    for (unsigned v = 0; v < 256; v++)
        assert_true(src.acknowledged[v] == ((v == 0x50 || v == 0x90) ? 1u : 0u));
    assert_int_equal(f->sink.count, 0);
}

static void test_source_plugging(void **state)
{
    struct fixture *f = *state;
    struct fake_source src;
    struct event_irq_source source = { fake_highest, fake_acknowledge, &src };
    struct event_irq_source half = { fake_highest, NULL, &src };
    struct event_decision d;

    memset(&src, 0, sizeof(src));
    assert_true(events_raise_irq(&f->ev, 0x60));    /* stays in the built-in set */
    events_set_irq_source(&f->ev, &source);
    assert_false(events_raise_irq(&f->ev, 0x61));
    assert_nothing_pending(&f->ev);

    /* An illegal vector from the source is reported and dropped. */
    src.forced = 7;
    d = decide(&f->ev, &open_guest);
    assert_waits(&d, false, false);
    assert_int_equal(src.acknowledged[7], 1);

    events_set_irq_source(&f->ev, &half);            /* refused: built-in again */
    d = decide(&f->ev, &open_guest);
    assert_injects(&d, IRQ(0x60), 0, 0);
    ASSERT_LINES(&f->sink, "events: irq 0x61 refused: another interrupt source is plugged in",
                 "events: the interrupt source gave vector 7: dropped",
                 "events: an interrupt source needs both callbacks: keeping the built-in one");

    events_set_irq_source(&f->ev, &source);
    events_set_irq_source(&f->ev, NULL);
    assert_true(events_raise_irq(&f->ev, 0x61));
    d = decide(&f->ev, &open_guest);
    assert_injects(&d, IRQ(0x61), 0, 0);
}

/* ---- restart and names -------------------------------------------------------------------- */

static void test_events_clear(void **state)
{
    struct fixture *f = *state;
    struct fake_source src;
    struct event_irq_source source = { fake_highest, fake_acknowledge, &src };
    struct event_decision d;

    fill_pending(&f->ev);
    events_exit_record(&f->ev, NMI, 0, 0);
    events_clear(&f->ev);
    assert_nothing_pending(&f->ev);

    /* The verdict goes too. */
    events_exit_record(&f->ev, HW_ERR(8), 0, 0);
    assert_int_equal(events_queue_exception(&f->ev, X86_VECTOR_GP, 0), EVENT_TRIPLE_FAULT);
    events_clear(&f->ev);
    assert_nothing_pending(&f->ev);

    /* The plugged-in source and the diag sink stay. */
    memset(&src, 0, sizeof(src));
    events_set_irq_source(&f->ev, &source);
    events_clear(&f->ev);
    src.pending[0x70] = true;
    d = decide(&f->ev, &open_guest);
    assert_injects(&d, IRQ(0x70), 0, 0);
    assert_false(events_raise_irq(&f->ev, 3));
    assert_int_equal(f->sink.count, 1);
}

static void check_name(uint32_t info, const char *expected)
{
    char buf[32];

    assert_int_equal(event_format(buf, sizeof(buf), info), (int)strlen(expected));
    assert_string_equal(buf, expected);
}

static void test_event_names(void **state)
{
    (void)state;
    check_name(HW(14), "#PF");
    check_name(HW_ERR(13), "#GP");
    check_name(HW(0), "#DE");
    check_name(HW(8), "#DF");
    check_name(HW(21), "#CP");
    check_name(HW(15), "exception 15");
    check_name(NMI, "NMI");
    check_name(IRQ(0x30), "irq 0x30");
    check_name(IRQ(0xEF), "irq 0xef");
    check_name(INFO(VMX_INTR_TYPE_SOFTWARE_INTERRUPT, 0x80), "INT 0x80");
    check_name(INFO(VMX_INTR_TYPE_PRIV_SOFTWARE_EXCEPTION, 1), "INT1");
    check_name(INFO(VMX_INTR_TYPE_SOFTWARE_EXCEPTION, 3), "INT3");
    check_name(INFO(VMX_INTR_TYPE_SOFTWARE_EXCEPTION, 4), "INTO");
    check_name(INFO(1, 5), "event type 1 vector 5");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_if_clear_asks_for_interrupt_window, setup),
        cmocka_unit_test_setup(test_sti_and_mov_ss_blocking, setup),
        cmocka_unit_test_setup(test_nmi_blocking_asks_for_nmi_window, setup),
        cmocka_unit_test_setup(test_nmi_latched_once, setup),
        cmocka_unit_test_setup(test_nmi_before_irq, setup),
        cmocka_unit_test_setup(test_exception_before_nmi_and_irq, setup),
        cmocka_unit_test_setup(test_highest_vector_first, setup),
        cmocka_unit_test_setup(test_irq_vector_range, setup),
        cmocka_unit_test_setup(test_hlt_woken_by_injected_event, setup),
        cmocka_unit_test_setup(test_shutdown_and_wait_for_sipi_take_nothing, setup),
        cmocka_unit_test_setup(test_source_acknowledged_once_per_injection, setup),
        cmocka_unit_test_setup(test_source_plugging, setup),
        cmocka_unit_test_setup(test_events_clear, setup),
        cmocka_unit_test_setup(test_event_names, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
