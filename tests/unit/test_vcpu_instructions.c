/* Instruction exits without a device (vcpu/hypercall.c, vcpu/exit_misc.c): the hypercall ABI
 * of vcpu/guest_abi.h by number, and MONITOR, MWAIT, RDPMC, INVD and WBINVD, which the
 * partition's CPUID does not offer or which must not reach the host (SDM Vol. 2, Vol. 3C
 * 27.1). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "tests/unit/vcpu_exit_fixture.h"
#include "vcpu/guest_abi.h"
#include "vmx/vmx_state.h"

/* ---- hypercalls ------------------------------------------------------------------------- */

static int64_t hypercall(uint64_t number, uint64_t a0, uint64_t a1)
{
    vcpu.regs.rax = number;
    vcpu.regs.rdi = a0;
    vcpu.regs.rsi = a1;
    fake_vmcs_set(VMCS_GUEST_RIP, RIP0);
    assert_int_equal(run_exit(VMX_EXIT_REASON_VMCALL, 0), VCPU_RESUME);
    assert_advanced();
    return (int64_t)vcpu.regs.rax;
}

static void test_hypercalls_by_number(void **state)
{
    (void)state;
    assert_int_equal(hypercall(TESSERA_HC_PARTITION_ID, 0, 0), 3);
    assert_int_equal(hypercall(TESSERA_HC_NOP, 0, 0), 0);
    assert_int_equal(hypercall(TESSERA_HC_TSC_KHZ, 0, 0), 2000000);
    assert_int_equal(hypercall(TESSERA_HC_COUNT, 0, 0), TESSERA_HC_ENOSYS);
    assert_int_equal(hypercall(0xFFFFFFFFFFFFFFFFull, 0, 0), TESSERA_HC_ENOSYS);
}

static void test_hypercall_console_write(void **state)
{
    (void)state;
    memcpy(memory + 0x100, "hello", 5);
    assert_int_equal(hypercall(TESSERA_HC_CONSOLE_WRITE, 0x100, 5), 5);
    assert_memory_equal(fake.console, "hello", 5);
    assert_int_equal(hypercall(TESSERA_HC_CONSOLE_WRITE, GUEST_MEM - 2, 5), TESSERA_HC_EFAULT);
    assert_int_equal(hypercall(TESSERA_HC_CONSOLE_WRITE, 0xFFFFFFFFFFFFFFF0ull, 32),
                     TESSERA_HC_EFAULT);
    assert_int_equal(hypercall(TESSERA_HC_CONSOLE_WRITE, 0, TESSERA_HC_CONSOLE_WRITE_MAX + 1),
                     TESSERA_HC_EINVAL);
    assert_int_equal(fake.console_len, 5);
}

static void test_hypercall_from_user_mode_refused(void **state)
{
    (void)state;
    fake_vmcs_set(VMCS_GUEST_SS_ACCESS_RIGHTS, 3u << 5);
    assert_int_equal(hypercall(TESSERA_HC_PARTITION_ID, 0, 0), TESSERA_HC_EINVAL);
}

static void test_hypercall_report_figure_names(void **state)
{
    (void)state;
    memcpy(memory + 0x200, "cpuid_ticks", 12);
    assert_int_equal(hypercall(TESSERA_HC_REPORT_FIGURE, 0x200, 97), 0);
    assert_non_null(strstr(fake.printed, "bench: test cpuid_ticks 97"));
    memcpy(memory + 0x300, "bad name", 9);
    assert_int_equal(hypercall(TESSERA_HC_REPORT_FIGURE, 0x300, 1), TESSERA_HC_EINVAL);
    assert_int_equal(hypercall(TESSERA_HC_REPORT_FIGURE, 0x400, 1), TESSERA_HC_EINVAL);   /* "" */
    memset(memory + GUEST_MEM - 4, 'a', 4);     /* runs off the end of memory */
    assert_int_equal(hypercall(TESSERA_HC_REPORT_FIGURE, GUEST_MEM - 4, 1), TESSERA_HC_EFAULT);
}

static void test_gpr_index_4_is_the_vmcs_rsp(void **state)
{
    (void)state;
    fake_vmcs_set(VMCS_GUEST_RSP, 0x7000);
    assert_int_equal(vcpu_read_gpr(&vcpu, 4), 0x7000);
    vcpu_write_gpr(&vcpu, 4, 0x8000);
    assert_int_equal(fake_vmcs_get(VMCS_GUEST_RSP), 0x8000);
    vcpu_write_gpr(&vcpu, 15, 7);
    assert_int_equal(vcpu.regs.r15, 7);
}

/* ---- MONITOR, MWAIT, RDPMC, cache flushes ---------------------------------------------- */

static void test_monitor_mwait_are_no_ops(void **state)
{
    (void)state;
    assert_int_equal(run_exit(VMX_EXIT_REASON_MONITOR, 0), VCPU_RESUME);
    assert_advanced();
    fake_vmcs_set(VMCS_GUEST_RIP, RIP0);
    assert_int_equal(run_exit(VMX_EXIT_REASON_MWAIT, 0), VCPU_RESUME);
    assert_advanced();
    assert_int_equal(fake_vmcs_get(VMCS_GUEST_ACTIVITY_STATE), VMX_ACTIVITY_ACTIVE);
}

static void test_rdpmc_is_gp(void **state)
{
    (void)state;
    run_exit(VMX_EXIT_REASON_RDPMC, 0);
    assert_gp_injected();
}

static void test_wbinvd_is_a_counted_no_op(void **state)
{
    (void)state;
    run_exit(VMX_EXIT_REASON_WBINVD, 0);
    fake_vmcs_set(VMCS_GUEST_RIP, RIP0);
    run_exit(VMX_EXIT_REASON_INVD, 0);
    assert_int_equal(vcpu_exit_count(&vcpu, VMX_EXIT_REASON_WBINVD), 1);
    assert_int_equal(vcpu_exit_count(&vcpu, VMX_EXIT_REASON_INVD), 1);
    assert_advanced();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_hypercalls_by_number, setup),
        cmocka_unit_test_setup(test_hypercall_console_write, setup),
        cmocka_unit_test_setup(test_hypercall_from_user_mode_refused, setup),
        cmocka_unit_test_setup(test_hypercall_report_figure_names, setup),
        cmocka_unit_test_setup(test_gpr_index_4_is_the_vmcs_rsp, setup),
        cmocka_unit_test_setup(test_monitor_mwait_are_no_ops, setup),
        cmocka_unit_test_setup(test_rdpmc_is_gp, setup),
        cmocka_unit_test_setup(test_wbinvd_is_a_counted_no_op, setup),
    };
    return cmocka_run_group_tests(tests, 0, 0);
}
