/* Host unit tests for vcpu/events.c, exceptions and re-injection: the double-fault table
 * (Intel SDM Vol. 3A 6.15, Tables 6-4 and 6-5), triple faults, error codes by vector and mode
 * (Vol. 3C "Checks on VM-Entry Control Fields"), and the re-injection of every IDT-vectoring
 * type (Vol. 3C "Information for VM Exits During Event Delivery"). */
#include "tests/unit/events_helpers.h"   /* cmocka, vcpu/events.h, the fixture */

/* ---- the double-fault table (Vol. 3A Tables 6-4 and 6-5) -------------------------------- */

static const uint8_t benign_vectors[] = { 1, 3, 4, 5, 6, 7, 9, 16, 17, 18, 19 };
static const uint8_t contributory_vectors[] = { 0, 10, 11, 12, 13, 21 };
static const uint8_t page_fault_vectors[] = { 14, 20 };

struct vector_class {
    const char *name;
    const uint8_t *vectors;
    size_t count;
};

static const struct vector_class classes[3] = {
    { "benign", benign_vectors, ARRAY_SIZE(benign_vectors) },
    { "contributory", contributory_vectors, ARRAY_SIZE(contributory_vectors) },
    { "page fault", page_fault_vectors, ARRAY_SIZE(page_fault_vectors) },
};

/* Table 6-5, rows = first exception's class, columns = second's. */
static const enum event_queue_result table_6_5[3][3] = {
    /* benign */       { EVENT_QUEUED, EVENT_QUEUED, EVENT_QUEUED },
    /* contributory */ { EVENT_QUEUED, EVENT_DOUBLE_FAULT, EVENT_QUEUED },
    /* page fault */   { EVENT_QUEUED, EVENT_DOUBLE_FAULT, EVENT_DOUBLE_FAULT },
};

/* The first exception is being delivered (IDT-vectoring information) or still pending. */
static void put_first(struct vcpu_events *ev, uint8_t first, bool being_delivered)
{
    if (being_delivered) {
        uint32_t info = HW(first);
        if (event_exception_has_error_code(first))
            info |= VMX_INTR_DELIVER_ERROR_CODE;
        events_exit_record(ev, info, 0x18, 0);
    } else {
        assert_int_equal(events_queue_exception(ev, first, 0x18), EVENT_QUEUED);
    }
}

static void check_combination(uint8_t first, uint8_t second, enum event_queue_result expected,
                              bool being_delivered)
{
    struct fixture f;
    struct event_decision d;

    fixture_init(&f);
    put_first(&f.ev, first, being_delivered);
    assert_int_equal(events_queue_exception(&f.ev, second, 0x7), expected);
    d = decide(&f.ev, &open_guest);
    if (expected == EVENT_DOUBLE_FAULT)
        assert_injects(&d, HW_ERR(8), 0, 0);
    else if (event_exception_has_error_code(second))
        assert_injects(&d, HW_ERR(second), 0x7, 0);
    else
        assert_injects(&d, HW(second), 0, 0);
    assert_nothing_pending(&f.ev);      /* handled serially: the first is not kept */
    assert_int_equal(f.sink.count, 0);
}

static void test_double_fault_table_every_row(void **state)
{
    (void)state;
    for (unsigned row = 0; row < 3; row++)
        for (unsigned col = 0; col < 3; col++) {
            const struct vector_class *a = &classes[row], *b = &classes[col];
            print_message("  %s, then %s: %s\n", a->name, b->name,
                          table_6_5[row][col] == EVENT_DOUBLE_FAULT ? "#DF" : "serially");
            for (size_t i = 0; i < a->count; i++)
                for (size_t j = 0; j < b->count; j++) {
                    check_combination(a->vectors[i], b->vectors[j], table_6_5[row][col], false);
                    check_combination(a->vectors[i], b->vectors[j], table_6_5[row][col], true);
                }
        }
}

/* The same rows by name, as the SDM states them. */
static void test_double_fault_named_rows(void **state)
{
    (void)state;
    check_combination(X86_VECTOR_GP, X86_VECTOR_NP, EVENT_DOUBLE_FAULT, true);
    check_combination(X86_VECTOR_DE, X86_VECTOR_TS, EVENT_DOUBLE_FAULT, false);
    check_combination(X86_VECTOR_PF, X86_VECTOR_PF, EVENT_DOUBLE_FAULT, true);
    check_combination(X86_VECTOR_PF, X86_VECTOR_SS, EVENT_DOUBLE_FAULT, true);
    check_combination(X86_VECTOR_GP, X86_VECTOR_PF, EVENT_QUEUED, true);
    check_combination(X86_VECTOR_UD, X86_VECTOR_GP, EVENT_QUEUED, true);
    check_combination(X86_VECTOR_PF, X86_VECTOR_UD, EVENT_QUEUED, true);
    check_combination(X86_VECTOR_DB, X86_VECTOR_BP, EVENT_QUEUED, false);
}

static void test_triple_fault(void **state)
{
    struct fixture *f = *state;
    struct event_decision d;

    /* Any exception during #DF delivery, whatever its class. */
    const uint8_t seconds[] = { X86_VECTOR_UD, X86_VECTOR_GP, X86_VECTOR_PF, X86_VECTOR_DF };
    for (size_t i = 0; i < ARRAY_SIZE(seconds); i++) {
        fixture_init(f);
        events_exit_record(&f->ev, HW_ERR(8), 0, 0);
        assert_int_equal(events_queue_exception(&f->ev, seconds[i], 0), EVENT_TRIPLE_FAULT);
        d = decide(&f->ev, &open_guest);
        assert_true(d.triple_fault);
        assert_false(d.inject);
    }

    /* #GP, #GP again (#DF), then #PF while that #DF is still pending. */
    fixture_init(f);
    events_raise_nmi(&f->ev);
    assert_true(events_raise_irq(&f->ev, 0x30));
    assert_int_equal(events_queue_exception(&f->ev, X86_VECTOR_GP, 0), EVENT_QUEUED);
    assert_int_equal(events_queue_exception(&f->ev, X86_VECTOR_GP, 0), EVENT_DOUBLE_FAULT);
    assert_int_equal(events_queue_exception(&f->ev, X86_VECTOR_PF, 2), EVENT_TRIPLE_FAULT);
    /* The verdict stays: nothing else is injected, later exceptions change nothing. */
    for (int i = 0; i < 2; i++) {
        d = decide(&f->ev, &open_guest);
        assert_true(d.triple_fault);
        assert_false(d.inject);
        assert_false(d.interrupt_window);
        assert_false(d.nmi_window);
    }
    assert_int_equal(events_queue_exception(&f->ev, X86_VECTOR_UD, 0), EVENT_TRIPLE_FAULT);

    /* A #DF re-injected after an exit that was not an exception goes in again. */
    fixture_init(f);
    events_exit_record(&f->ev, HW_ERR(8), 0, 0);
    d = decide(&f->ev, &open_guest);
    assert_injects(&d, HW_ERR(8), 0, 0);
}

/* ---- error codes ------------------------------------------------------------------------ */

static void test_error_code_presence_by_vector(void **state)
{
    (void)state;
    const uint8_t with_code[] = { 8, 10, 11, 12, 13, 14, 17, 21 };

    for (unsigned v = 0; v < X86_EXCEPTION_VECTORS; v++) {
        bool expected = memchr(with_code, (int)v, sizeof(with_code)) != NULL;
        struct fixture f;
        struct event_decision d;

        assert_int_equal(event_exception_has_error_code(v), expected);
        if (v == X86_VECTOR_NMI)
            continue;
        fixture_init(&f);
        assert_int_equal(events_queue_exception(&f.ev, (uint8_t)v, 0xBEEF), EVENT_QUEUED);
        d = decide(&f.ev, &open_guest);
        if (expected)
            assert_injects(&d, HW_ERR(v), 0xBEEF, 0);
        else
            assert_injects(&d, HW(v), 0, 0);
    }
}

static void test_no_error_code_in_real_mode(void **state)
{
    struct fixture *f = *state;
    struct event_guest_state real_mode = open_guest;

    struct event_decision d;

    real_mode.protected_mode = false;
    for (unsigned v = 0; v < X86_EXCEPTION_VECTORS; v++) {
        if (v == X86_VECTOR_NMI)
            continue;
        events_queue_exception(&f->ev, (uint8_t)v, 0x10);
        d = decide(&f->ev, &real_mode);
        assert_injects(&d, HW(v), 0, 0);
    }
    /* Also when the exit's IDT-vectoring information had one. */
    events_exit_record(&f->ev, HW_ERR(13), 0x10, 0);
    d = decide(&f->ev, &real_mode);
    assert_injects(&d, HW(13), 0, 0);
    assert_nothing_pending(&f->ev);
}

/* VM entry refuses error-code bits 31:16; Intel CPUs only push 16 bits. */
static void test_error_code_high_bits_dropped(void **state)
{
    struct fixture *f = *state;
    struct event_decision d;

    events_queue_exception(&f->ev, X86_VECTOR_GP, 0xDEAD0018);
    d = decide(&f->ev, &open_guest);
    assert_injects(&d, HW_ERR(13), 0x0018, 0);
}

static void test_queue_refuses_non_exceptions(void **state)
{
    struct fixture *f = *state;

    assert_int_equal(events_queue_exception(&f->ev, X86_VECTOR_NMI, 0), EVENT_REFUSED);
    assert_int_equal(events_queue_exception(&f->ev, 32, 0), EVENT_REFUSED);
    assert_int_equal(events_queue_exception(&f->ev, 0xFF, 0), EVENT_REFUSED);
    ASSERT_LINES(&f->sink, "events: vector 2 is not a hardware exception: refused",
                 "events: vector 32 is not a hardware exception: refused",
                 "events: vector 255 is not a hardware exception: refused");
    assert_nothing_pending(&f->ev);
}

/* ---- re-injection (IDT-vectoring information) ------------------------------------------- */

static void check_reinjection(uint32_t idt_info, uint32_t idt_error, uint32_t exit_length,
                              uint32_t expected_info, uint32_t expected_error,
                              uint32_t expected_length)
{
    struct fixture f;
    struct event_decision d;

    fixture_init(&f);
    fill_pending(&f.ev);
    events_exit_record(&f.ev, idt_info, idt_error, exit_length);
    d = decide(&f.ev, &open_guest);
    assert_injects(&d, expected_info, expected_error, expected_length);
    assert_true(d.nmi_window);
    assert_true(d.interrupt_window);
    assert_int_equal(d.clear_nmi_blocking, IS_NMI(expected_info));
    assert_rest_in_order(&f.ev);
    assert_int_equal(f.sink.count, 0);
}

static void test_reinject_external_interrupt(void **state)
{
    (void)state;
    check_reinjection(IRQ(0x31), 0, 3, IRQ(0x31), 0, 0);
}

static void test_reinject_nmi(void **state)
{
    (void)state;
    check_reinjection(NMI, 0, 0, NMI, 0, 0);
}

/* The exit saved virtual-NMI blocking from the entry that injected the NMI: the NMI goes in
 * again all the same, with bit 3 cleared. */
static void test_reinject_nmi_despite_saved_nmi_blocking(void **state)
{
    struct fixture *f = *state;
    struct event_guest_state gs = open_guest;
    struct event_decision d;

    events_raise_nmi(&f->ev);
    d = decide(&f->ev, &gs);
    assert_injects(&d, NMI, 0, 0);
    assert_false(d.clear_nmi_blocking);
    /* Delivery hit an EPT violation on the guest's stack. */
    gs.interruptibility = VMX_INTERRUPTIBILITY_NMI;
    events_exit_record(&f->ev, NMI, 0, 0);
    d = decide(&f->ev, &gs);
    assert_injects(&d, NMI, 0, 0);
    assert_true(d.clear_nmi_blocking);
    assert_false(d.nmi_window);
    assert_nothing_pending(&f->ev);
}

static void test_reinject_hardware_exception_with_error_code(void **state)
{
    (void)state;
    check_reinjection(HW_ERR(14), 0x6, 0, HW_ERR(14), 0x6, 0);
}

static void test_reinject_hardware_exception_without_error_code(void **state)
{
    (void)state;
    check_reinjection(HW(6), 0xFFFF, 0, HW(6), 0, 0);
}

/* INT n, INT1 (privileged software exception), INT3 and INTO (software exceptions) go in
 * again with their instruction length: the CPU pushes RIP plus that length. */
static void test_reinject_software_events(void **state)
{
    const struct {
        unsigned type, vector;
        uint32_t length;
    } rows[] = {
        { VMX_INTR_TYPE_SOFTWARE_INTERRUPT, 0x80, 2 },
        { VMX_INTR_TYPE_SOFTWARE_INTERRUPT, 0x21, 3 },     /* with a prefix */
        { VMX_INTR_TYPE_PRIV_SOFTWARE_EXCEPTION, 1, 1 },
        { VMX_INTR_TYPE_SOFTWARE_EXCEPTION, 3, 1 },
        { VMX_INTR_TYPE_SOFTWARE_EXCEPTION, 4, 1 },
    };

    (void)state;
    for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
        uint32_t info = INFO(rows[i].type, rows[i].vector);
        check_reinjection(info, 0, rows[i].length, info, 0, rows[i].length);
    }
}

/* Bit 12 of the IDT-vectoring information is undefined: it must not reach the entry. */
static void test_reinject_drops_undefined_bit_12(void **state)
{
    (void)state;
    check_reinjection(IRQ(0x55) | (1u << 12), 0, 0, IRQ(0x55), 0, 0);
}

static void test_no_idt_vectoring_no_reinjection(void **state)
{
    struct fixture *f = *state;

    events_exit_record(&f->ev, IRQ(0x31) & ~VMX_ENTRY_INTR_VALID, 0, 0);
    events_exit_record(&f->ev, 0, 0, 0);
    assert_nothing_pending(&f->ev);
}

static void test_malformed_idt_vectoring_refused(void **state)
{
    struct fixture *f = *state;

    events_exit_record(&f->ev, INFO(1, 0x30), 0, 0);
    events_exit_record(&f->ev, INFO(VMX_INTR_TYPE_OTHER_EVENT, 0), 0, 0);
    events_exit_record(&f->ev, INFO(VMX_INTR_TYPE_NMI, 3), 0, 0);
    events_exit_record(&f->ev, HW(40), 0, 0);
    events_exit_record(&f->ev, INFO(VMX_INTR_TYPE_SOFTWARE_INTERRUPT, 0x80), 0, 0);
    events_exit_record(&f->ev, INFO(VMX_INTR_TYPE_SOFTWARE_EXCEPTION, 3), 0, 16);
    ASSERT_LINES(&f->sink,
                 "events: IDT-vectoring information 0x80000130 (instruction length 0) not "
                 "re-injected: not an event delivered through the IDT",
                 "events: IDT-vectoring information 0x80000700 (instruction length 0) not "
                 "re-injected: not an event delivered through the IDT",
                 "events: IDT-vectoring information 0x80000203 (instruction length 0) not "
                 "re-injected: an NMI is vector 2",
                 "events: IDT-vectoring information 0x80000328 (instruction length 0) not "
                 "re-injected: a hardware exception is vector 0-31",
                 "events: IDT-vectoring information 0x80000480 (instruction length 0) not "
                 "re-injected: a software event's instruction length is 1-15",
                 "events: IDT-vectoring information 0x80000603 (instruction length 16) not "
                 "re-injected: a software event's instruction length is 1-15");
    assert_nothing_pending(&f->ev);
}

/* The CPU delivered these with IF = 1 and no STI or MOV-SS blocking, so the entry checks do
 * not stop their re-injection; if a caller's state says otherwise, they wait for their window
 * rather than fail the entry. */
static void test_reinjection_held_by_entry_checks(void **state)
{
    struct fixture *f = *state;
    struct event_guest_state gs = open_guest;
    struct event_decision d;

    gs.interrupt_flag = false;
    events_exit_record(&f->ev, IRQ(0x33), 0, 0);
    d = decide(&f->ev, &gs);
    assert_waits(&d, true, false);
    d = decide(&f->ev, &open_guest);
    assert_injects(&d, IRQ(0x33), 0, 0);
    assert_nothing_pending(&f->ev);

    gs = open_guest;
    gs.interruptibility = VMX_INTERRUPTIBILITY_MOV_SS | VMX_INTERRUPTIBILITY_NMI;
    events_exit_record(&f->ev, NMI, 0, 0);
    d = decide(&f->ev, &gs);
    assert_waits(&d, false, true);
    assert_true(d.clear_nmi_blocking);  /* or the NMI window would never open */
    d = decide(&f->ev, &open_guest);
    assert_injects(&d, NMI, 0, 0);
    assert_nothing_pending(&f->ev);
}

/* An exception raised while an interrupt was being delivered: benign, handled serially, so
 * the exception is delivered and the interrupt is not kept (the SDM's reflection advice). */
static void test_exception_during_interrupt_delivery(void **state)
{
    struct fixture *f = *state;
    struct event_decision d;

    events_exit_record(&f->ev, IRQ(0x30), 0, 0);
    assert_int_equal(events_queue_exception(&f->ev, X86_VECTOR_PF, 0x2), EVENT_QUEUED);
    d = decide(&f->ev, &open_guest);
    assert_injects(&d, HW_ERR(14), 0x2, 0);
    assert_nothing_pending(&f->ev);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_double_fault_table_every_row, setup),
        cmocka_unit_test_setup(test_double_fault_named_rows, setup),
        cmocka_unit_test_setup(test_triple_fault, setup),
        cmocka_unit_test_setup(test_error_code_presence_by_vector, setup),
        cmocka_unit_test_setup(test_no_error_code_in_real_mode, setup),
        cmocka_unit_test_setup(test_error_code_high_bits_dropped, setup),
        cmocka_unit_test_setup(test_queue_refuses_non_exceptions, setup),
        cmocka_unit_test_setup(test_reinject_external_interrupt, setup),
        cmocka_unit_test_setup(test_reinject_nmi, setup),
        cmocka_unit_test_setup(test_reinject_nmi_despite_saved_nmi_blocking, setup),
        cmocka_unit_test_setup(test_reinject_hardware_exception_with_error_code, setup),
        cmocka_unit_test_setup(test_reinject_hardware_exception_without_error_code, setup),
        cmocka_unit_test_setup(test_reinject_software_events, setup),
        cmocka_unit_test_setup(test_reinject_drops_undefined_bit_12, setup),
        cmocka_unit_test_setup(test_no_idt_vectoring_no_reinjection, setup),
        cmocka_unit_test_setup(test_malformed_idt_vectoring_refused, setup),
        cmocka_unit_test_setup(test_reinjection_held_by_entry_checks, setup),
        cmocka_unit_test_setup(test_exception_during_interrupt_delivery, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
