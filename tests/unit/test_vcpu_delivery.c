/* Event delivery and device memory without a VMCS (vcpu/event_delivery.c, vcpu/exit_events.c,
 * vcpu/exit_mmio.c, guest/testdev.c): HLT and the timer, re-injection after an exit during
 * delivery, interrupt windows, and MMIO instructions performed on the test device (SDM Vol. 3C
 * 28.2.4, 27.6; Vol. 2 for the instruction forms). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "arch/x86/vectors.h"
#include "guest/testdev.h"
#include "tests/unit/vcpu_exit_fixture.h"
#include "vmx/vmx_controls.h"

/* ---- events, HLT, timer -------------------------------------------------------------------- */

static void test_hlt_with_if_clear_stops(void **state)
{
    (void)state;
    fake_vmcs_set(VMCS_GUEST_RFLAGS, 0x2);
    assert_int_equal(run_exit(VMX_EXIT_REASON_HLT, 0), VCPU_STOP);
}

static void test_hlt_in_sti_shadow_enters_hlt_state(void **state)
{
    (void)state;
    fake_vmcs_set(VMCS_GUEST_RFLAGS, 0x202);
    fake_vmcs_set(VMCS_GUEST_INTERRUPTIBILITY_STATE, VMX_INTERRUPTIBILITY_STI);
    assert_int_equal(run_exit(VMX_EXIT_REASON_HLT, 0), VCPU_RESUME);
    assert_int_equal(fake_vmcs_get(VMCS_GUEST_INTERRUPTIBILITY_STATE), 0);
    assert_int_equal(fake_vmcs_get(VMCS_GUEST_ACTIVITY_STATE), VMX_ACTIVITY_HLT);
    assert_advanced();
}

/* The fake TSC reads 1000. A due management tick runs and the timer is programmed for the
 * next one, a period of host time later; a nearer device deadline wins. */
static void test_timer_reloads_and_ticks(void **state)
{
    (void)state;
    vcpu.tick_period_tsc = 12345;
    vcpu.next_tick_tsc = 1000;
    vcpu.device_deadline = UINT64_MAX;
    assert_int_equal(run_exit(VMX_EXIT_REASON_PREEMPTION_TIMER, 0), VCPU_RESUME);
    assert_int_equal(fake_vmcs_get(VMCS_GUEST_PREEMPTION_TIMER_VALUE), 12345);
    assert_int_equal(fake.ticks, 1);
    assert_int_equal(vcpu.next_tick_tsc, 1000 + 12345);

    /* Not due yet: no tick, the timer set for what is left. */
    vcpu.next_tick_tsc = 1500;
    run_exit(VMX_EXIT_REASON_PREEMPTION_TIMER, 0);
    assert_int_equal(fake.ticks, 1);
    assert_int_equal(fake_vmcs_get(VMCS_GUEST_PREEMPTION_TIMER_VALUE), 500);

    vcpu_set_device_deadline(&vcpu, 1100);
    assert_int_equal(fake_vmcs_get(VMCS_GUEST_PREEMPTION_TIMER_VALUE), 100);
    vcpu_set_device_deadline(&vcpu, 900);                   /* already passed: exit at once */
    assert_int_equal(fake_vmcs_get(VMCS_GUEST_PREEMPTION_TIMER_VALUE), 0);
}

/* Data other than the partition's can reach this CPU's L1D and buffers only through other
 * work: the management slot and interrupt handlers take the stub's slow path, which clears
 * them before the entry; a plain exit keeps the fast path and clears nothing. */
static void test_other_work_clears_before_entry(void **state)
{
    (void)state;
    vcpu.tick_period_tsc = 12345;
    vcpu.next_tick_tsc = 1500;
    vcpu.device_deadline = UINT64_MAX;
    fake_vmcs_set(VMCS_EXIT_INFO_EXIT_REASON, VMX_EXIT_REASON_PREEMPTION_TIMER);
    assert_int_equal(vcpu_exit_dispatch(&vcpu), VCPU_RESUME);     /* not due: nothing ran */
    fake_vmcs_set(VMCS_EXIT_INFO_EXIT_REASON, VMX_EXIT_REASON_CPUID);
    assert_int_equal(vcpu_exit_dispatch(&vcpu) & ~VCPU_RBX_REWRITTEN, VCPU_RESUME);
    assert_int_equal(fake.entry_clears, 0);

    vcpu.next_tick_tsc = 1000;                                    /* due: the slot runs */
    fake_vmcs_set(VMCS_EXIT_INFO_EXIT_REASON, VMX_EXIT_REASON_PREEMPTION_TIMER);
    enum vcpu_verdict verdict = vcpu_exit_dispatch(&vcpu);
    assert_int_equal(verdict, VCPU_EVENTS);
    assert_true(fake.other_work);
    assert_int_equal(vcpu_exit_slow(&vcpu, verdict), VCPU_RESUME);
    assert_int_equal(fake.entry_clears, 1);
    assert_false(fake.other_work);

    assert_int_equal(run_exit(VMX_EXIT_REASON_EXTERNAL_INTERRUPT, 0), VCPU_RESUME);
    assert_int_equal(fake.entry_clears, 2);

    /* A stop stays a stop: no entry follows, so nothing is cleared. */
    vcpu.stop_requested = true;
    assert_int_equal(run_exit(VMX_EXIT_REASON_EXTERNAL_INTERRUPT, 0), VCPU_STOP);
    assert_int_equal(fake.entry_clears, 2);
}

static void test_watchdog_stops_a_spinning_guest(void **state)
{
    (void)state;
    vcpu.watchdog_ms = 5 * VCPU_TIMER_PERIOD_MS;
    run_exit(VMX_EXIT_REASON_CPUID, 0);     /* some activity first */
    unsigned timer_exits = 0;
    while (run_exit(VMX_EXIT_REASON_PREEMPTION_TIMER, 0) == VCPU_RESUME && timer_exits < 100)
        timer_exits++;
    assert_int_equal(timer_exits, 5);
    assert_non_null(strstr(fake.stopped_reason, "watchdog"));
}

static void test_stop_requested_at_interrupt_exit(void **state)
{
    (void)state;
    vcpu.stop_requested = true;
    assert_int_equal(run_exit(VMX_EXIT_REASON_EXTERNAL_INTERRUPT, 0), VCPU_STOP);
    assert_string_equal(fake.stopped_reason, "stopped from the shell");
}

static void test_vmx_instructions_are_ud(void **state)
{
    (void)state;
    run_exit(VMX_EXIT_REASON_VMXON, 0);
    assert_int_equal(fake_vmcs_get(VMCS_CTRL_ENTRY_INTERRUPTION_INFO),
                     VMX_INTR_INFO_VALID | (VMX_INTR_TYPE_HW_EXCEPTION << 8) | X86_VECTOR_UD);
}

/* ---- event delivery through the VMCS (vcpu/event_delivery.c) ------------------------------ */

static void test_gp_in_real_mode_has_no_error_code(void **state)
{
    (void)state;
    fake_vmcs_set(VMCS_CTRL_EXEC_CR0_READ_SHADOW, 0);
    vcpu.regs.rcx = 0x123;
    run_exit(VMX_EXIT_REASON_RDMSR, 0);
    assert_int_equal(fake_vmcs_get(VMCS_CTRL_ENTRY_INTERRUPTION_INFO),
                     VMX_INTR_INFO_VALID | (VMX_INTR_TYPE_HW_EXCEPTION << 8) | X86_VECTOR_GP);
}

/* An exit in the middle of delivering an interrupt (IDT-vectoring information valid) gives
 * that interrupt back at the next entry: it is not lost. */
static void test_interrupted_delivery_is_reinjected(void **state)
{
    (void)state;
    fake_vmcs_set(VMCS_EXIT_INFO_IDT_VECTORING_INFO, VMX_INTR_INFO_VALID | 0x41);
    fake_vmcs_set(VMCS_EXIT_INFO_INTERRUPTION_INFO,
                  VMX_INTR_INFO_VALID | (VMX_INTR_TYPE_NMI << 8) | 2);     /* the host's NMI */
    fake_vmcs_set(VMCS_GUEST_RFLAGS, 0x202);    /* as when the CPU began delivering it */
    assert_int_equal(run_exit(VMX_EXIT_REASON_EXCEPTION_NMI, 0), VCPU_RESUME);
    assert_int_equal(fake_vmcs_get(VMCS_CTRL_ENTRY_INTERRUPTION_INFO), VMX_INTR_INFO_VALID | 0x41);
    assert_int_equal(vcpu.events_pending, 0);
}

static void test_irq_waits_for_interrupt_window(void **state)
{
    (void)state;
    fake_vmcs_set(VMCS_GUEST_RFLAGS, 0x2);
    assert_true(vcpu_raise_irq(&vcpu, 0x30));
    assert_int_equal(run_exit(VMX_EXIT_REASON_CPUID, 0), VCPU_RESUME);
    assert_int_equal(fake_vmcs_get(VMCS_CTRL_ENTRY_INTERRUPTION_INFO), 0);
    assert_true(fake_vmcs_get(VMCS_CTRL_EXEC_PRIMARY_PROC_BASED) & VMX_PROC_INTERRUPT_WINDOW_EXITING);
    fake_vmcs_set(VMCS_GUEST_RFLAGS, 0x202);    /* the guest did STI: the window opens */
    assert_int_equal(run_exit(VMX_EXIT_REASON_INTERRUPT_WINDOW, 0), VCPU_RESUME);
    assert_int_equal(fake_vmcs_get(VMCS_CTRL_ENTRY_INTERRUPTION_INFO), VMX_INTR_INFO_VALID | 0x30);
    assert_false(fake_vmcs_get(VMCS_CTRL_EXEC_PRIMARY_PROC_BASED) & VMX_PROC_INTERRUPT_WINDOW_EXITING);
    assert_false(vcpu_raise_irq(&vcpu, 3));     /* an exception vector is no interrupt */
}

static void test_irq_wakes_a_halted_guest(void **state)
{
    (void)state;
    fake_vmcs_set(VMCS_GUEST_RFLAGS, 0x202);
    run_exit(VMX_EXIT_REASON_HLT, 0);
    assert_int_equal(fake_vmcs_get(VMCS_GUEST_ACTIVITY_STATE), VMX_ACTIVITY_HLT);
    vcpu_raise_irq(&vcpu, 0x40);
    run_exit(VMX_EXIT_REASON_PREEMPTION_TIMER, 0);
    assert_int_equal(fake_vmcs_get(VMCS_GUEST_ACTIVITY_STATE), VMX_ACTIVITY_ACTIVE);
    assert_int_equal(fake_vmcs_get(VMCS_CTRL_ENTRY_INTERRUPTION_INFO), VMX_INTR_INFO_VALID | 0x40);
    assert_int_equal(vcpu.state, VCPU_RUNNING);
}

/* ---- MMIO (vcpu/exit_mmio.c) with the test device (guest/testdev.c) -------------------- */

#define DEV_GPA     0x40000000ull
#define CODE_GPA    0x2000u

static struct testdev dev;

/* Paging off, 64-bit code would need paging: a 32-bit flat guest (CS.D), RIP = CODE_GPA. */
static void mmio_setup(const uint8_t *code, size_t n)
{
    memcpy(memory + CODE_GPA, code, n);
    fake_vmcs_set(VMCS_GUEST_RIP, CODE_GPA);
    fake_vmcs_set(VMCS_GUEST_CR0, CR0_PE);
    fake_vmcs_set(VMCS_GUEST_CS_ACCESS_RIGHTS, 0xC09B);
    assert_int_equal(testdev_attach(&dev, &vcpu, DEV_GPA, 0), RANGE_ADDED);
}

static enum vcpu_verdict ept_violation_at(uint64_t gpa)
{
    fake_vmcs_set(VMCS_EXIT_INFO_GUEST_PHYSICAL_ADDRESS, gpa);
    return run_exit(VMX_EXIT_REASON_EPT_VIOLATION, 0);
}

static void test_mmio_store_reaches_device(void **state)
{
    (void)state;
    static const uint8_t code[] = { 0x89, 0x43, 0x02 };      /* mov %eax, 2(%ebx) */
    mmio_setup(code, sizeof(code));
    vcpu.regs.rax = 0xAABBCCDD;
    assert_int_equal(ept_violation_at(DEV_GPA + 2), VCPU_RESUME);
    assert_memory_equal(dev.scratch + 2, "\xDD\xCC\xBB\xAA", 4);
    assert_int_equal(fake_vmcs_get(VMCS_GUEST_RIP), CODE_GPA + 3);
}

static void test_mmio_load_sign_extends(void **state)
{
    (void)state;
    static const uint8_t code[] = { 0x0F, 0xBE, 0x0B };      /* movsbl (%ebx), %ecx */
    mmio_setup(code, sizeof(code));
    dev.scratch[0] = 0x80;
    vcpu.regs.rcx = 0x1111111111111111ull;
    assert_int_equal(ept_violation_at(DEV_GPA), VCPU_RESUME);
    assert_int_equal(vcpu.regs.rcx, 0xFFFFFF80ull);
    assert_int_equal(dev.accesses, 1);
}

static void test_mmio_string_instruction_stops(void **state)
{
    (void)state;
    static const uint8_t code[] = { 0xF3, 0xAB };            /* rep stosl */
    mmio_setup(code, sizeof(code));
    assert_int_equal(ept_violation_at(DEV_GPA), VCPU_STOP);
    assert_non_null(strstr(fake.stopped_reason, "string instruction (STOS)"));
}

static void test_mmio_unknown_instruction_stops(void **state)
{
    (void)state;
    static const uint8_t code[] = { 0x0F, 0xC7, 0x0B };      /* cmpxchg8b (%ebx) */
    mmio_setup(code, sizeof(code));
    assert_int_equal(ept_violation_at(DEV_GPA), VCPU_STOP);
    assert_non_null(strstr(fake.stopped_reason, "not emulated"));
}

static void test_ept_violation_outside_devices_stops(void **state)
{
    (void)state;
    mmio_setup((const uint8_t *)"\x89\x03", 2);
    assert_int_equal(ept_violation_at(DEV_GPA + TESTDEV_SIZE), VCPU_STOP);
    assert_string_equal(fake.stopped_reason, "access outside its memory (EPT violation)");
}

static void test_event_delivery_into_device_stops(void **state)
{
    (void)state;
    mmio_setup((const uint8_t *)"\x89\x03", 2);
    fake_vmcs_set(VMCS_EXIT_INFO_IDT_VECTORING_INFO,
                  VMX_INTR_INFO_VALID | (VMX_INTR_TYPE_HW_EXCEPTION << 8) | X86_VECTOR_UD);
    assert_int_equal(ept_violation_at(DEV_GPA), VCPU_STOP);
    assert_non_null(strstr(fake.stopped_reason, "event delivery touched device memory"));
}

/* The case the window page exists for: an interrupt's delivery pushes onto a stack in it,
 * the page is mapped on that first touch, and the interrupt is delivered again. */
static void test_window_mapped_during_delivery_reinjects(void **state)
{
    (void)state;
    mmio_setup((const uint8_t *)"\x90", 1);
    assert_int_equal(testdev_attach(&dev, &vcpu, DEV_GPA + 0x10000, 0x7654000), RANGE_ADDED);
    fake_vmcs_set(VMCS_GUEST_RFLAGS, 0x202);
    fake_vmcs_set(VMCS_EXIT_INFO_IDT_VECTORING_INFO, VMX_INTR_INFO_VALID | 0x40);
    assert_int_equal(ept_violation_at(DEV_GPA + 0x10000 + TESTDEV_WINDOW + 0xFF8), VCPU_RESUME);
    assert_int_equal(fake.mapped_gpa, DEV_GPA + 0x10000 + TESTDEV_WINDOW);
    assert_int_equal(fake.mapped_hpa, 0x7654000);
    assert_int_equal(fake_vmcs_get(VMCS_CTRL_ENTRY_INTERRUPTION_INFO), VMX_INTR_INFO_VALID | 0x40);
    assert_int_equal(fake_vmcs_get(VMCS_GUEST_RIP), CODE_GPA);      /* nothing skipped */
    assert_non_null(strstr(fake.printed, "mapped on its first use, during delivery of irq 0x40"));
}

static void test_testdev_raises_interrupts(void **state)
{
    (void)state;
    static const uint8_t code[] = { 0x89, 0x03 };            /* mov %eax, (%ebx) */
    mmio_setup(code, sizeof(code));
    vcpu.regs.rax = 0x45;
    fake_vmcs_set(VMCS_GUEST_RFLAGS, 0x202);
    assert_int_equal(ept_violation_at(DEV_GPA + TESTDEV_REG_RAISE_IRQ), VCPU_RESUME);
    assert_int_equal(fake_vmcs_get(VMCS_CTRL_ENTRY_INTERRUPTION_INFO), VMX_INTR_INFO_VALID | 0x45);
}

/* ---- intercepted exceptions (exit reason 0) ------------------------------------------------ */

#define HW_EXCEPTION(v)     (VMX_INTR_INFO_VALID | (VMX_INTR_TYPE_HW_EXCEPTION << 8) | (v))

/* A guest's #AC is given back to it unchanged (with its error code, in protected mode). */
static void test_alignment_check_reflected(void **state)
{
    (void)state;
    fake_vmcs_set(VMCS_EXIT_INFO_INTERRUPTION_INFO,
                  HW_EXCEPTION(X86_VECTOR_AC) | VMX_INTR_DELIVER_ERROR_CODE);
    assert_int_equal(run_exit(VMX_EXIT_REASON_EXCEPTION_NMI, 0), VCPU_RESUME);
    assert_int_equal(fake_vmcs_get(VMCS_CTRL_ENTRY_INTERRUPTION_INFO),
                     HW_EXCEPTION(X86_VECTOR_AC) | VMX_INTR_DELIVER_ERROR_CODE);
    assert_int_equal(fake_vmcs_get(VMCS_CTRL_ENTRY_EXCEPTION_ERROR_CODE), 0);
}

/* #AC while delivering #AC (a misaligned stack for its own frame): the CPU would loop for
 * ever; the partition is stopped instead. */
static void test_alignment_check_recurring_stops(void **state)
{
    (void)state;
    fake_vmcs_set(VMCS_EXIT_INFO_INTERRUPTION_INFO,
                  HW_EXCEPTION(X86_VECTOR_AC) | VMX_INTR_DELIVER_ERROR_CODE);
    fake_vmcs_set(VMCS_EXIT_INFO_IDT_VECTORING_INFO,
                  HW_EXCEPTION(X86_VECTOR_AC) | VMX_INTR_DELIVER_ERROR_CODE);
    assert_int_equal(run_exit(VMX_EXIT_REASON_EXCEPTION_NMI, 0), VCPU_STOP);
    assert_string_equal(fake.stopped_reason, "exception 17 recurred during its own delivery");
}

static void test_machine_check_logged_and_stopped(void **state)
{
    (void)state;
    fake_msr_set(0x179, 3);                         /* MCG_CAP: three banks */
    fake_msr_set(0x17A, 0x5);                       /* MCG_STATUS: RIPV, MCIP */
    fake_msr_set(0x401, 0);
    fake_msr_set(0x405, 0xB000000000000135ull);     /* bank 1: VAL, UC, EN */
    fake_vmcs_set(VMCS_EXIT_INFO_INTERRUPTION_INFO, HW_EXCEPTION(X86_VECTOR_MC));
    assert_int_equal(run_exit(VMX_EXIT_REASON_EXCEPTION_NMI, 0), VCPU_STOP);
    assert_string_equal(fake.stopped_reason, "machine check while it ran");
    assert_non_null(strstr(fake.printed, "MCG_STATUS 0x5"));
    assert_non_null(strstr(fake.printed, "MC1_STATUS 0xb000000000000135"));
    assert_null(strstr(fake.printed, "MC0_STATUS"));
}

/* A stop decided while delivering events (a triple fault) is reported to the owner like a
 * handler's stop: the partition must learn why its vCPU left. */
static void test_stop_from_event_delivery_is_reported(void **state)
{
    (void)state;
    vcpu.events.triple_fault = true;
    vcpu.events_pending = 1;
    assert_int_equal(vcpu_exit_slow(&vcpu, VCPU_EVENTS), VCPU_STOP);
    assert_int_equal(fake.stopped_calls, 1);
    assert_non_null(strstr(fake.stopped_reason, "triple fault"));
}

/* A device's stop request (a power-off register) ends the vCPU when the current exit ends,
 * with the device's words, and nothing is injected on the way out. */
static void test_device_stop_request(void **state)
{
    (void)state;
    vcpu_request_stop(&vcpu, "powered off");
    assert_int_equal(run_exit(VMX_EXIT_REASON_IO_INSTRUCTION,
                              ((uint64_t)0x604 << 16) | 1u), VCPU_STOP);
    assert_int_equal(fake.stopped_calls, 1);
    assert_string_equal(fake.stopped_reason, "powered off");
    assert_int_equal(fake_vmcs_get(VMCS_CTRL_ENTRY_INTERRUPTION_INFO), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_alignment_check_reflected, setup),
        cmocka_unit_test_setup(test_alignment_check_recurring_stops, setup),
        cmocka_unit_test_setup(test_machine_check_logged_and_stopped, setup),
        cmocka_unit_test_setup(test_hlt_with_if_clear_stops, setup),
        cmocka_unit_test_setup(test_hlt_in_sti_shadow_enters_hlt_state, setup),
        cmocka_unit_test_setup(test_timer_reloads_and_ticks, setup),
        cmocka_unit_test_setup(test_other_work_clears_before_entry, setup),
        cmocka_unit_test_setup(test_watchdog_stops_a_spinning_guest, setup),
        cmocka_unit_test_setup(test_stop_requested_at_interrupt_exit, setup),
        cmocka_unit_test_setup(test_vmx_instructions_are_ud, setup),
        cmocka_unit_test_setup(test_gp_in_real_mode_has_no_error_code, setup),
        cmocka_unit_test_setup(test_interrupted_delivery_is_reinjected, setup),
        cmocka_unit_test_setup(test_irq_waits_for_interrupt_window, setup),
        cmocka_unit_test_setup(test_irq_wakes_a_halted_guest, setup),
        cmocka_unit_test_setup(test_mmio_store_reaches_device, setup),
        cmocka_unit_test_setup(test_mmio_load_sign_extends, setup),
        cmocka_unit_test_setup(test_mmio_string_instruction_stops, setup),
        cmocka_unit_test_setup(test_mmio_unknown_instruction_stops, setup),
        cmocka_unit_test_setup(test_ept_violation_outside_devices_stops, setup),
        cmocka_unit_test_setup(test_event_delivery_into_device_stops, setup),
        cmocka_unit_test_setup(test_window_mapped_during_delivery_reinjects, setup),
        cmocka_unit_test_setup(test_testdev_raises_interrupts, setup),
        cmocka_unit_test_setup(test_stop_from_event_delivery_is_reported, setup),
        cmocka_unit_test_setup(test_device_stop_request, setup),
    };
    return cmocka_run_group_tests(tests, 0, 0);
}
