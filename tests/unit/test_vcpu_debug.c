/* Debug exceptions through the exit handlers without a VMCS (vcpu/exit_debug.c,
 * vcpu/exit_events.c, vcpu/exit.h's vcpu_advance): the boundary after an emulated instruction
 * (TF, interrupt shadows, RF, RIP wrap; SDM Vol. 3C 26.3.1.5) and intercepted #DB (27.1,
 * 28.2.1), including the delivery loops of the CVE-2015-8104 class. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "arch/x86/msr.h"
#include "arch/x86/vectors.h"
#include "tests/unit/vcpu_exit_fixture.h"
#include "vcpu/db_reflect.h"

#define HW_EXCEPTION(v)     (VMX_INTR_INFO_VALID | (VMX_INTR_TYPE_HW_EXCEPTION << 8) | (v))
#define INT1_INFO           (VMX_INTR_INFO_VALID | (VMX_INTR_TYPE_PRIV_SOFTWARE_EXCEPTION << 8) | \
                             X86_VECTOR_DB)
#define RFLAGS_BASE         0x202ull        /* IF and the fixed bit */
#define CS_AR_32BIT         0xC09Bu         /* present code, D/B set, G */
#define IDT_GPA             0x2000u
#define DB_HANDLER          0x5678ABCDu
#define DR6_AT_RESET        0xFFFF0FF0ull

/* CPUID's verdict says RBX changed: the stub reloads it on the common resume. */
static void test_cpuid_says_rbx_rewritten(void **state)
{
    (void)state;
    fake_vmcs_set(VMCS_EXIT_INFO_EXIT_REASON, VMX_EXIT_REASON_CPUID);
    assert_int_equal(vcpu_exit_dispatch(&vcpu), VCPU_RBX_REWRITTEN);
    assert_int_equal(vcpu_exit_slow(&vcpu, VCPU_RBX_REWRITTEN), VCPU_RESUME);
    vcpu.events_pending = 1;
    fake_vmcs_set(VMCS_GUEST_RIP, RIP0);
    assert_int_equal(vcpu_exit_dispatch(&vcpu), VCPU_EVENTS | VCPU_RBX_REWRITTEN);
}

static void test_cpuid_with_tf_pends_single_step(void **state)
{
    (void)state;
    fake_vmcs_set(VMCS_GUEST_RFLAGS, RFLAGS_BASE | RFLAGS_TF);
    assert_int_equal(run_exit(VMX_EXIT_REASON_CPUID, 0), VCPU_RESUME);
    assert_advanced();
    assert_int_equal(fake_vmcs_get(VMCS_GUEST_PENDING_DEBUG_EXCEPTIONS), VMX_PENDING_DBG_BS);
    assert_int_equal(fake_vmcs_get(VMCS_GUEST_RFLAGS), RFLAGS_BASE | RFLAGS_TF);
}

static void test_cpuid_ends_sti_shadow_and_rf(void **state)
{
    (void)state;
    fake_vmcs_set(VMCS_GUEST_RFLAGS, RFLAGS_BASE | RFLAGS_RF);
    fake_vmcs_set(VMCS_GUEST_INTERRUPTIBILITY_STATE,
                  VMX_INTERRUPTIBILITY_STI | VMX_INTERRUPTIBILITY_NMI);
    assert_int_equal(run_exit(VMX_EXIT_REASON_CPUID, 0), VCPU_RESUME);
    assert_advanced();
    assert_int_equal(fake_vmcs_get(VMCS_GUEST_INTERRUPTIBILITY_STATE), VMX_INTERRUPTIBILITY_NMI);
    assert_int_equal(fake_vmcs_get(VMCS_GUEST_RFLAGS), RFLAGS_BASE);
    assert_int_equal(fake_vmcs_get(VMCS_GUEST_PENDING_DEBUG_EXCEPTIONS), 0);
}

static void test_cpuid_at_4gib_wraps_in_32bit_code(void **state)
{
    (void)state;
    fake_vmcs_set(VMCS_GUEST_RIP, 0xFFFFFFFFull);
    fake_vmcs_set(VMCS_GUEST_CS_ACCESS_RIGHTS, CS_AR_32BIT);
    fake_vmcs_set(VMCS_GUEST_RFLAGS, RFLAGS_BASE);
    assert_int_equal(run_exit(VMX_EXIT_REASON_CPUID, 0), VCPU_RESUME);
    assert_int_equal(fake_vmcs_get(VMCS_GUEST_RIP), 1);
    /* 64-bit code does not wrap there. */
    fake_vmcs_set(VMCS_GUEST_RIP, 0xFFFFFFFFull);
    fake_vmcs_set(VMCS_GUEST_CS_ACCESS_RIGHTS, CS_AR_32BIT ^ (VMX_SEG_AR_DB | VMX_SEG_AR_L));
    fake_vmcs_set(VMCS_GUEST_IA32_EFER, EFER_LMA | EFER_LME);
    assert_int_equal(run_exit(VMX_EXIT_REASON_CPUID, 0), VCPU_RESUME);
    assert_int_equal(fake_vmcs_get(VMCS_GUEST_RIP), 0x100000001ull);
}

/* The exit path's 16-bit add: a carry out of IP's low 16 bits goes through the whole rule. */
static void test_carry_out_of_ip_low16(void **state)
{
    (void)state;
    fake_vmcs_set(VMCS_GUEST_RFLAGS, RFLAGS_BASE);
    fake_vmcs_set(VMCS_GUEST_CS_ACCESS_RIGHTS, 0x809Bu);     /* 16-bit code */
    fake_vmcs_set(VMCS_GUEST_RIP, 0xFFFE);
    assert_int_equal(run_exit(VMX_EXIT_REASON_CPUID, 0), VCPU_RESUME);
    assert_int_equal(fake_vmcs_get(VMCS_GUEST_RIP), 0);
    fake_vmcs_set(VMCS_GUEST_CS_ACCESS_RIGHTS, CS_AR_32BIT);
    fake_vmcs_set(VMCS_GUEST_RIP, 0x1FFFE);
    assert_int_equal(run_exit(VMX_EXIT_REASON_CPUID, 0), VCPU_RESUME);
    assert_int_equal(fake_vmcs_get(VMCS_GUEST_RIP), 0x20000);
    fake_vmcs_set(VMCS_GUEST_RIP, 0x1FFFD);                  /* no carry: the plain sum */
    assert_int_equal(run_exit(VMX_EXIT_REASON_CPUID, 0), VCPU_RESUME);
    assert_int_equal(fake_vmcs_get(VMCS_GUEST_RIP), 0x1FFFF);
    fake_vmcs_set(VMCS_GUEST_RIP, 0x123456789ABCFFF0ull);     /* upper bits kept */
    fake_vmcs_set(VMCS_EXIT_INFO_INSTRUCTION_LENGTH, 15);
    assert_int_equal(run_exit(VMX_EXIT_REASON_CPUID, 0), VCPU_RESUME);
    assert_int_equal(fake_vmcs_get(VMCS_GUEST_RIP), 0x123456789ABCFFFFull);
}

/* "sti; hlt" with TF: HLT state, shadow ended, and the BS VM entry demands there. */
static void test_hlt_with_tf_pends_single_step(void **state)
{
    (void)state;
    fake_vmcs_set(VMCS_GUEST_RFLAGS, RFLAGS_BASE | RFLAGS_TF);
    fake_vmcs_set(VMCS_GUEST_INTERRUPTIBILITY_STATE, VMX_INTERRUPTIBILITY_STI);
    assert_int_equal(run_exit(VMX_EXIT_REASON_HLT, 0), VCPU_RESUME);
    assert_int_equal(fake_vmcs_get(VMCS_GUEST_ACTIVITY_STATE), VMX_ACTIVITY_HLT);
    assert_int_equal(fake_vmcs_get(VMCS_GUEST_INTERRUPTIBILITY_STATE), 0);
    assert_int_equal(fake_vmcs_get(VMCS_GUEST_PENDING_DEBUG_EXCEPTIONS), VMX_PENDING_DBG_BS);
    assert_advanced();
    /* With IF clear the single-step trap still wakes it: not stopped. */
    setup(NULL);
    fake_vmcs_set(VMCS_GUEST_RFLAGS, 0x2 | RFLAGS_TF);
    assert_int_equal(run_exit(VMX_EXIT_REASON_HLT, 0), VCPU_RESUME);
    assert_int_equal(fake_vmcs_get(VMCS_GUEST_PENDING_DEBUG_EXCEPTIONS), VMX_PENDING_DBG_BS);
}

/* A single-step #DB the bitmap caught: DR6.BS written (the exit did not), #DB injected as a
 * hardware exception with RIP left where the trap put it. */
static void test_db_reflected_with_dr6(void **state)
{
    (void)state;
    fake.dr6 = DR6_AT_RESET | 0x3;
    fake_vmcs_set(VMCS_GUEST_RFLAGS, RFLAGS_BASE | RFLAGS_TF);
    fake_vmcs_set(VMCS_EXIT_INFO_INTERRUPTION_INFO, HW_EXCEPTION(X86_VECTOR_DB));
    assert_int_equal(run_exit(VMX_EXIT_REASON_EXCEPTION_NMI, DR6_BS), VCPU_RESUME);
    assert_int_equal(fake.dr6, DR6_AT_RESET | DR6_BS);
    assert_int_equal(fake_vmcs_get(VMCS_CTRL_ENTRY_INTERRUPTION_INFO),
                     HW_EXCEPTION(X86_VECTOR_DB));
    assert_int_equal(fake_vmcs_get(VMCS_GUEST_RIP), RIP0);
    assert_int_equal(fake_vmcs_get(VMCS_GUEST_RFLAGS), RFLAGS_BASE | RFLAGS_TF);
}

/* General detect: DR7.GD goes as the CPU's own delivery would clear it. */
static void test_db_general_detect_clears_gd(void **state)
{
    (void)state;
    fake.dr6 = DR6_AT_RESET;
    fake_vmcs_set(VMCS_GUEST_DR7, 0x400 | DR7_GD);
    fake_vmcs_set(VMCS_EXIT_INFO_INTERRUPTION_INFO, HW_EXCEPTION(X86_VECTOR_DB));
    assert_int_equal(run_exit(VMX_EXIT_REASON_EXCEPTION_NMI, DR6_BD), VCPU_RESUME);
    assert_int_equal(fake_vmcs_get(VMCS_GUEST_DR7), 0x400);
    assert_int_equal(fake.dr6, DR6_AT_RESET | DR6_BD);
}

/* INT1 exits before it runs: delivered again as a privileged software exception with its
 * length, DR6 untouched. */
static void test_int1_redelivered(void **state)
{
    (void)state;
    fake.dr6 = DR6_AT_RESET;
    fake_vmcs_set(VMCS_EXIT_INFO_INTERRUPTION_INFO, INT1_INFO);
    fake_vmcs_set(VMCS_EXIT_INFO_INSTRUCTION_LENGTH, 1);
    assert_int_equal(run_exit(VMX_EXIT_REASON_EXCEPTION_NMI, 0), VCPU_RESUME);
    assert_int_equal(fake_vmcs_get(VMCS_CTRL_ENTRY_INTERRUPTION_INFO), INT1_INFO);
    assert_int_equal(fake_vmcs_get(VMCS_CTRL_ENTRY_INSTRUCTION_LENGTH), 1);
    assert_int_equal(fake.dr6, DR6_AT_RESET);
}

/* A #GP injected for an instruction in a MOV-SS shadow with TF: BS set for the entry checks. */
static void test_injection_under_shadow_with_tf_sets_bs(void **state)
{
    (void)state;
    fake_vmcs_set(VMCS_GUEST_RFLAGS, RFLAGS_BASE | RFLAGS_TF);
    fake_vmcs_set(VMCS_GUEST_INTERRUPTIBILITY_STATE, VMX_INTERRUPTIBILITY_MOV_SS);
    vcpu_inject_exception(&vcpu, X86_VECTOR_GP, 0);
    assert_int_equal(vcpu_exit_slow(&vcpu, VCPU_EVENTS), VCPU_RESUME);
    assert_int_equal(fake_vmcs_get(VMCS_CTRL_ENTRY_INTERRUPTION_INFO), EXC_GP_INFO);
    assert_int_equal(fake_vmcs_get(VMCS_GUEST_PENDING_DEBUG_EXCEPTIONS), VMX_PENDING_DBG_BS);
}

static void test_db_during_own_delivery_stops(void **state)
{
    (void)state;
    fake_vmcs_set(VMCS_EXIT_INFO_INTERRUPTION_INFO, HW_EXCEPTION(X86_VECTOR_DB));
    fake_vmcs_set(VMCS_EXIT_INFO_IDT_VECTORING_INFO, HW_EXCEPTION(X86_VECTOR_DB));
    assert_int_equal(run_exit(VMX_EXIT_REASON_EXCEPTION_NMI, 0x1), VCPU_STOP);
    assert_string_equal(fake.stopped_reason, "exception 1 recurred during its own delivery");
}

/* A 32-bit protected-mode IDT without paging whose #DB gate points at DB_HANDLER. */
static void install_idt(void)
{
    uint8_t *gate = memory + IDT_GPA + 8 * X86_VECTOR_DB;
    gate[0] = (uint8_t)DB_HANDLER;
    gate[1] = (uint8_t)(DB_HANDLER >> 8);
    gate[6] = (uint8_t)(DB_HANDLER >> 16);
    gate[7] = (uint8_t)(DB_HANDLER >> 24);
    fake_vmcs_set(VMCS_GUEST_IDTR_BASE, IDT_GPA);
    fake_vmcs_set(VMCS_GUEST_IDTR_LIMIT, 0xFF);
    fake_vmcs_set(VMCS_GUEST_CR0, CR0_PE);
    fake_vmcs_set(VMCS_GUEST_DR7, 0x401 | (1ull << 16));    /* DR0: data writes */
    fake_vmcs_set(VMCS_EXIT_INFO_INTERRUPTION_INFO, HW_EXCEPTION(X86_VECTOR_DB));
    fake.dr6 = DR6_AT_RESET;
}

/* A data breakpoint reported at the guest's own #DB handler: the delivery hit it, and so will
 * every delivery of the #DB about to be given back. Stopped, not looped. */
static void test_db_raised_by_own_delivery_stops(void **state)
{
    (void)state;
    install_idt();
    fake_vmcs_set(VMCS_GUEST_RIP, DB_HANDLER);
    assert_int_equal(run_exit(VMX_EXIT_REASON_EXCEPTION_NMI, 0x1), VCPU_STOP);
    assert_non_null(strstr(fake.stopped_reason, "#DB raised by the delivery of its own #DB"));
}

/* The same breakpoint anywhere else, or a single step onto the handler, is a plain #DB. */
static void test_db_elsewhere_reflected(void **state)
{
    (void)state;
    install_idt();
    fake_vmcs_set(VMCS_GUEST_RIP, DB_HANDLER + 3);
    assert_int_equal(run_exit(VMX_EXIT_REASON_EXCEPTION_NMI, 0x1), VCPU_RESUME);
    assert_int_equal(fake.dr6, DR6_AT_RESET | 0x1);
    fake_vmcs_set(VMCS_GUEST_RIP, DB_HANDLER);
    assert_int_equal(run_exit(VMX_EXIT_REASON_EXCEPTION_NMI, DR6_BS), VCPU_RESUME);
    assert_int_equal(fake_vmcs_get(VMCS_CTRL_ENTRY_INTERRUPTION_INFO),
                     HW_EXCEPTION(X86_VECTOR_DB));
}

/* The exit stub reloads RBX, RBP and R12-R15 only on its slow path (RBX also after CPUID):
 * writing one asks for it. */
static void test_callee_saved_write_takes_slow_path(void **state)
{
    (void)state;
    vcpu_write_gpr(&vcpu, 0, 7);                /* RAX */
    assert_int_equal(vcpu.events_pending, 0);
    vcpu_write_gpr(&vcpu, 11, 7);               /* R11: reloaded on every resume */
    assert_int_equal(vcpu.events_pending, 0);
    vcpu_write_gpr(&vcpu, 3, 7);                /* RBX: only CPUID's is reloaded there */
    assert_int_equal(vcpu.events_pending, 1);
    vcpu.events_pending = 0;
    vcpu_write_gpr(&vcpu, 13, 7);               /* R13 */
    assert_int_equal(vcpu.events_pending, 1);
    assert_int_equal(vcpu.regs.r13, 7);
    vcpu.events_pending = 0;
    vcpu_write_gpr(&vcpu, 5, 9);                /* RBP */
    assert_int_equal(vcpu.events_pending, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_cpuid_says_rbx_rewritten, setup),
        cmocka_unit_test_setup(test_cpuid_with_tf_pends_single_step, setup),
        cmocka_unit_test_setup(test_cpuid_ends_sti_shadow_and_rf, setup),
        cmocka_unit_test_setup(test_cpuid_at_4gib_wraps_in_32bit_code, setup),
        cmocka_unit_test_setup(test_carry_out_of_ip_low16, setup),
        cmocka_unit_test_setup(test_hlt_with_tf_pends_single_step, setup),
        cmocka_unit_test_setup(test_db_reflected_with_dr6, setup),
        cmocka_unit_test_setup(test_db_general_detect_clears_gd, setup),
        cmocka_unit_test_setup(test_int1_redelivered, setup),
        cmocka_unit_test_setup(test_injection_under_shadow_with_tf_sets_bs, setup),
        cmocka_unit_test_setup(test_db_during_own_delivery_stops, setup),
        cmocka_unit_test_setup(test_db_raised_by_own_delivery_stops, setup),
        cmocka_unit_test_setup(test_db_elsewhere_reflected, setup),
        cmocka_unit_test_setup(test_callee_saved_write_takes_slow_path, setup),
    };

    return cmocka_run_group_tests_name("vcpu_debug", tests, NULL, NULL);
}
