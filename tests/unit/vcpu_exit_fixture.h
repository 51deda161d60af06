/* The fixture both vCPU exit test programs share (test_vcpu_exits.c, test_vcpu_delivery.c):
 * one vCPU over a fake VMCS, host and owner (tests/unit/vcpu_fakes.h), 64 KiB of guest
 * memory, and one exit run through the dispatcher and the stub's slow path. Included once per
 * program, after cmocka.h. */
#ifndef TESTS_UNIT_VCPU_EXIT_FIXTURE_H
#define TESTS_UNIT_VCPU_EXIT_FIXTURE_H

#include <string.h>

#include "arch/x86/cpu_regs.h"
#include "tests/unit/vcpu_fakes.h"
#include "vcpu/exit.h"
#include "vmx/exit_reasons.h"

#define GUEST_MEM   0x10000u
#define RIP0        0x1000u
#define EXC_GP_INFO (VMX_INTR_INFO_VALID | (VMX_INTR_TYPE_HW_EXCEPTION << 8) | \
                     VMX_INTR_DELIVER_ERROR_CODE | X86_VECTOR_GP)

static struct vcpu vcpu;
static uint8_t memory[GUEST_MEM];

static inline int setup(void **state)
{
    (void)state;
    fake_reset(&vcpu, memory, sizeof(memory));
    memset(memory, 0, sizeof(memory));
    fake_vmcs_set(VMCS_GUEST_RIP, RIP0);
    fake_vmcs_set(VMCS_EXIT_INFO_INSTRUCTION_LENGTH, 2);
    fake_vmcs_set(VMCS_CTRL_EXEC_CR0_READ_SHADOW, CR0_PE | CR0_PG);   /* protected mode */
    return 0;
}

/* One exit through the dispatcher and, for a non-zero verdict, the stub's slow path. */
static inline enum vcpu_verdict run_exit(uint32_t reason, uint64_t qualification)
{
    fake_vmcs_set(VMCS_EXIT_INFO_EXIT_REASON, reason);
    fake_vmcs_set(VMCS_EXIT_INFO_QUALIFICATION, qualification);
    enum vcpu_verdict verdict = vcpu_exit_dispatch(&vcpu);
    return verdict == VCPU_RESUME ? verdict : vcpu_exit_slow(&vcpu, verdict);
}

static inline void assert_advanced(void)
{
    assert_int_equal(fake_vmcs_get(VMCS_GUEST_RIP), RIP0 + 2);
}

static inline void assert_gp_injected(void)
{
    assert_int_equal(fake_vmcs_get(VMCS_CTRL_ENTRY_INTERRUPTION_INFO), EXC_GP_INFO);
    assert_int_equal(fake_vmcs_get(VMCS_GUEST_RIP), RIP0);
}

#endif
