/* Helpers for the host tests of vcpu/events.c (tests/unit/test_events.c and
 * tests/unit/test_event_faults.c): a fixture, the decision's expected shapes and a full set of
 * pending events. Included once per test. */
#ifndef TESTS_UNIT_EVENTS_HELPERS_H
#define TESTS_UNIT_EVENTS_HELPERS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "vcpu/events.h"

#include "tests/unit/diag_sink.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define INFO(type, vector)  (VMX_ENTRY_INTR_VALID | (uint32_t)(type) << 8 | (uint32_t)(vector))
#define HW(vector)          INFO(VMX_INTR_TYPE_HW_EXCEPTION, vector)
#define HW_ERR(vector)      (HW(vector) | VMX_INTR_DELIVER_ERROR_CODE)
#define IRQ(vector)         INFO(VMX_INTR_TYPE_EXTERNAL, vector)
#define NMI                 INFO(VMX_INTR_TYPE_NMI, 2)
#define IS_NMI(info)        ((((info) >> 8) & 7u) == VMX_INTR_TYPE_NMI)

/* A guest that can take anything: IF = 1, no blocking, active, protected mode. */
static const struct event_guest_state open_guest = {
    .interrupt_flag = true,
    .interruptibility = 0,
    .activity_state = VMX_ACTIVITY_ACTIVE,
    .protected_mode = true,
};

struct fixture {
    struct sink sink;
    struct vcpu_events ev;
};

static void fixture_init(struct fixture *f)
{
    memset(f, 0, sizeof(*f));
    f->sink.diag = (struct diag){ capture_line, &f->sink };
    events_init(&f->ev, &f->sink.diag);
}

/* Each test starts from empty events; tests that need more start their own. */
static int setup(void **state)
{
    static struct fixture fixture;

    fixture_init(&fixture);
    *state = &fixture;
    return 0;
}

static struct event_decision decide(struct vcpu_events *ev, const struct event_guest_state *gs)
{
    struct event_decision d;

    memset(&d, 0xA5, sizeof(d));    /* every field must be written */
    events_decide(ev, gs, &d);
    return d;
}

static void assert_injects(const struct event_decision *d, uint32_t info, uint32_t error_code,
                           uint32_t instruction_length)
{
    assert_false(d->triple_fault);
    assert_true(d->inject);
    assert_int_equal(d->interruption_info, info);
    assert_int_equal(d->error_code, error_code);
    assert_int_equal(d->instruction_length, instruction_length);
    assert_int_equal(d->interruption_info & VMX_ENTRY_INTR_RESERVED, 0);
}

/* Nothing injected, and these window exits asked for. */
static void assert_waits(const struct event_decision *d, bool interrupt_window, bool nmi_window)
{
    assert_false(d->triple_fault);
    assert_false(d->inject);
    assert_false(d->wake);
    assert_int_equal(d->interrupt_window, interrupt_window);
    assert_int_equal(d->nmi_window, nmi_window);
}

static void assert_nothing_pending(struct vcpu_events *ev)
{
    struct event_decision d = decide(ev, &open_guest);

    assert_waits(&d, false, false);
    assert_false(d.clear_nmi_blocking);
}

/* One of each kind pending at once: an exception, an NMI and an irq. */
static void fill_pending(struct vcpu_events *ev)
{
    assert_int_equal(events_queue_exception(ev, X86_VECTOR_UD, 0), EVENT_QUEUED);
    events_raise_nmi(ev);
    assert_true(events_raise_irq(ev, 0x40));
}

/* fill_pending's events come out in priority order, one per entry, each asking for the
 * windows of those after it. */
static void assert_rest_in_order(struct vcpu_events *ev)
{
    struct event_decision d = decide(ev, &open_guest);
    assert_injects(&d, HW(X86_VECTOR_UD), 0, 0);
    assert_true(d.nmi_window);
    assert_true(d.interrupt_window);
    d = decide(ev, &open_guest);
    assert_injects(&d, NMI, 0, 0);
    assert_false(d.nmi_window);
    assert_true(d.interrupt_window);
    d = decide(ev, &open_guest);
    assert_injects(&d, IRQ(0x40), 0, 0);
    assert_false(d.interrupt_window);
    assert_nothing_pending(ev);
}

#endif
