/* Exit-handler decisions without a VMCS (vcpu/exit_*.c, vcpu/hypercall.c, vcpu/dispatch.c):
 * each test sets the fake VMCS and host (tests/unit/vcpu_fakes.c), dispatches one exit and
 * checks the verdict, the guest registers and the fields written (SDM Vol. 3C chapter 28). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "arch/x86/cpu_regs.h"
#include "arch/x86/msr.h"
#include "tests/unit/vcpu_exit_fixture.h"
#include "vcpu/exit.h"
#include "vcpu/guest_abi.h"
#include "vmx/exit_reasons.h"
#include "vmx/vmx_controls.h"
#include "vmx/vmxon.h"

/* ---- dispatch ----------------------------------------------------------------------------- */

static void test_unhandled_reason_stops(void **state)
{
    (void)state;
    assert_int_equal(run_exit(VMX_EXIT_REASON_RDTSC, 0), VCPU_STOP);
    assert_string_equal(fake.stopped_reason, "unhandled exit reason 16");
    assert_int_equal(vcpu.state, VCPU_STOPPED);
}

static void test_entry_failure_stops(void **state)
{
    (void)state;
    assert_int_equal(run_exit(VMX_EXIT_REASON_ENTRY_FAILURE | VMX_EXIT_REASON_ENTRY_INVALID_GUEST, 0),
                     VCPU_STOP);
    assert_int_equal(fake.stopped_calls, 1);
}

static void test_exits_counted_and_sampled(void **state)
{
    (void)state;
    vcpu.exits[VMX_EXIT_REASON_VMCALL] = 256 - VCPU_EXIT_TICK;  /* 63 VMCALLs so far */
    run_exit(VMX_EXIT_REASON_CPUID, 0);
    assert_int_equal(vcpu.ring_next, 0);            /* not sampled: counted only */
    fake_vmcs_set(VMCS_GUEST_RIP, 0x4444);
    run_exit(VMX_EXIT_REASON_VMCALL, 0);
    assert_int_equal(vcpu_exit_count(&vcpu, VMX_EXIT_REASON_CPUID), 1);
    assert_int_equal(vcpu_exit_count(&vcpu, VMX_EXIT_REASON_VMCALL), VCPU_COST_SAMPLE);
    assert_int_equal(vcpu.ring_next, 1);            /* the 64th VMCALL was sampled */
    assert_int_equal(vcpu.ring[0].basic, VMX_EXIT_REASON_VMCALL);
    assert_int_equal(vcpu.ring[0].rip, 0x4444);
    assert_int_equal(vcpu.exits[VMX_EXIT_REASON_VMCALL], VCPU_EXIT_LAP);   /* one lap, 0 ticks */
    unsigned timed = 0;
    for (unsigned b = 0; b < VCPU_COST_BUCKETS; b++)
        timed += vcpu.exit_cost[VMX_EXIT_REASON_VMCALL][b];
    assert_int_equal(timed, 1);
}

static void test_stop_recorded_in_ring(void **state)
{
    (void)state;
    fake_vmcs_set(VMCS_GUEST_RIP, 0x5555);
    run_exit(VMX_EXIT_REASON_TRIPLE_FAULT, 0);
    assert_int_equal(vcpu.ring[0].basic, VMX_EXIT_REASON_TRIPLE_FAULT);
    assert_int_equal(vcpu.ring[0].rip, 0x5555);
    assert_string_equal(fake.stopped_reason, "triple fault");
}

static void test_exit_reason_flag_bits_still_dispatch(void **state)
{
    (void)state;
    vcpu.regs.rax = TESSERA_CPUID_LEAF_VERSION;
    assert_int_equal(run_exit(VMX_EXIT_REASON_PENDING_MTF | VMX_EXIT_REASON_CPUID, 0), VCPU_RESUME);
    assert_int_equal(vcpu.regs.rax, TESSERA_BOOT_VERSION);
    assert_int_equal(vcpu_exit_count(&vcpu, VMX_EXIT_REASON_CPUID), 1);
    assert_int_equal(run_exit(0xFFFF, 0), VCPU_STOP);
    assert_string_equal(fake.stopped_reason, "unhandled exit reason 65535");
}

/* ---- CPUID ------------------------------------------------------------------------------ */

static struct cpuid_regs cpuid_all_ones(uint32_t leaf, uint32_t subleaf)
{
    (void)leaf;
    (void)subleaf;
    return (struct cpuid_regs){ 0xFFFFFFFFu, 0xFFFFFFFFu, 0xFFFFFFFFu, 0xFFFFFFFFu };
}

static void test_cpuid_leaf1_hides_vmx(void **state)
{
    (void)state;
    fake.cpuid = cpuid_all_ones;
    vcpu_cpuid_prepare(&vcpu);
    vcpu.regs.rax = 1;
    assert_int_equal(run_exit(VMX_EXIT_REASON_CPUID, 0), VCPU_RESUME);
    assert_false(vcpu.regs.rcx & TESSERA_CPUID_1_ECX_VMX);
    assert_true(vcpu.regs.rcx & TESSERA_CPUID_1_ECX_HYPERVISOR);
    assert_advanced();
}

static void test_cpuid_signature_and_unused_leaves(void **state)
{
    (void)state;
    vcpu.regs.rax = TESSERA_CPUID_LEAF_SIGNATURE;
    run_exit(VMX_EXIT_REASON_CPUID, 0);
    assert_int_equal(vcpu.regs.rax, TESSERA_CPUID_LEAF_MAX);
    assert_int_equal(vcpu.regs.rbx, TESSERA_CPUID_SIGNATURE_EBX);
    vcpu.regs.rax = 0x40000005;
    run_exit(VMX_EXIT_REASON_CPUID, 0);
    assert_int_equal(vcpu.regs.rax | vcpu.regs.rbx | vcpu.regs.rcx | vcpu.regs.rdx, 0);
}

static void test_cpuid_invpcid_follows_control(void **state)
{
    (void)state;
    fake.cpuid = cpuid_all_ones;
    vcpu_cpuid_prepare(&vcpu);
    vcpu.regs.rax = 7;
    vcpu.regs.rcx = 0;
    run_exit(VMX_EXIT_REASON_CPUID, 0);
    assert_false(vcpu.regs.rbx & (1u << 10));
    vmx_negotiated.controls.secondary |= VMX_PROC2_INVPCID;    /* the table follows the */
    vcpu_cpuid_prepare(&vcpu);                                  /* control at the next start */
    vcpu.regs.rax = 7;
    vcpu.regs.rcx = 0;
    run_exit(VMX_EXIT_REASON_CPUID, 0);
    assert_true(vcpu.regs.rbx & (1u << 10));
}

/* MONITOR/MWAIT exit and the PMU is absent: CPUID must not advertise them. */
static void test_cpuid_hides_monitor_and_pmu(void **state)
{
    (void)state;
    fake.cpuid = cpuid_all_ones;
    vcpu_cpuid_prepare(&vcpu);
    vcpu.regs.rax = 1;
    run_exit(VMX_EXIT_REASON_CPUID, 0);
    assert_false(vcpu.regs.rcx & (1u << 3));        /* MONITOR */
    assert_false(vcpu.regs.rcx & (1u << 15));       /* PDCM */
    for (uint32_t leaf = 5; leaf <= 0xA; leaf += 5) {
        vcpu.regs.rax = leaf;
        fake_vmcs_set(VMCS_GUEST_RIP, RIP0);
        run_exit(VMX_EXIT_REASON_CPUID, 0);
        assert_int_equal(vcpu.regs.rax | vcpu.regs.rbx | vcpu.regs.rcx | vcpu.regs.rdx, 0);
    }
}

/* ---- control registers -------------------------------------------------------------------- */

/* MOV to CRn from RAX: qualification bits 3:0 = n, 5:4 = 0, 11:8 = 0. */
static void test_cr0_pg_without_pe_is_gp(void **state)
{
    (void)state;
    vcpu.regs.rax = CR0_PG;
    assert_int_equal(run_exit(VMX_EXIT_REASON_CR_ACCESS, 0), VCPU_RESUME);
    assert_gp_injected();
}

static void test_cr0_write_sets_shadow_and_fixed_bits(void **state)
{
    (void)state;
    vcpu.regs.rbx = CR0_PE | CR0_ET;
    assert_int_equal(run_exit(VMX_EXIT_REASON_CR_ACCESS, 0x300), VCPU_RESUME);   /* from RBX */
    assert_int_equal(fake_vmcs_get(VMCS_CTRL_EXEC_CR0_READ_SHADOW), CR0_PE | CR0_ET);
    assert_int_equal(fake_vmcs_get(VMCS_GUEST_CR0), CR0_PE | CR0_ET | CR0_NE);
    assert_advanced();
}

/* A CPU without "unrestricted guest" forces PE and PG: turning either off stops the guest
 * with the reason instead of letting it run on in a mode it did not ask for. */
static void test_cr0_leaving_protected_mode_without_unrestricted_guest(void **state)
{
    (void)state;
    fake.cr0_forced = CR0_PE | CR0_PG;
    vcpu.regs.rbx = CR0_ET;
    assert_int_equal(run_exit(VMX_EXIT_REASON_CR_ACCESS, 0x300), VCPU_STOP);
    assert_non_null(strstr(fake.stopped_reason, "needs the VMX control \"unrestricted guest\""));
    assert_int_equal(fake_vmcs_get(VMCS_CTRL_EXEC_CR0_READ_SHADOW), CR0_PE | CR0_PG);
    vcpu.regs.rbx = CR0_PE | CR0_PG | CR0_ET;               /* keeping both is fine */
    vcpu.state = VCPU_RUNNING;
    assert_int_equal(run_exit(VMX_EXIT_REASON_CR_ACCESS, 0x300), VCPU_RESUME);
}

static void test_cr0_paging_with_lme_sets_lma_and_ia32e(void **state)
{
    (void)state;
    fake_vmcs_set(VMCS_GUEST_IA32_EFER, EFER_LME);
    vcpu.regs.rax = CR0_PE | CR0_PG;
    run_exit(VMX_EXIT_REASON_CR_ACCESS, 0);
    assert_int_equal(fake_vmcs_get(VMCS_GUEST_IA32_EFER), EFER_LME | EFER_LMA);
    assert_true(fake_vmcs_get(VMCS_CTRL_ENTRY_CONTROLS) & VMX_ENTRY_IA32E_MODE_GUEST);
    vcpu.regs.rax = CR0_PE;
    fake_vmcs_set(VMCS_GUEST_RIP, RIP0);
    run_exit(VMX_EXIT_REASON_CR_ACCESS, 0);
    assert_int_equal(fake_vmcs_get(VMCS_GUEST_IA32_EFER), EFER_LME);
    assert_false(fake_vmcs_get(VMCS_CTRL_ENTRY_CONTROLS) & VMX_ENTRY_IA32E_MODE_GUEST);
}

static void test_lmsw_cannot_clear_pe(void **state)
{
    (void)state;
    fake_vmcs_set(VMCS_CTRL_EXEC_CR0_READ_SHADOW, CR0_PE | CR0_ET | (1u << 3));
    /* LMSW with source 0: type 3, data 0 in bits 31:16. */
    run_exit(VMX_EXIT_REASON_CR_ACCESS, 0x30);
    assert_int_equal(fake_vmcs_get(VMCS_CTRL_EXEC_CR0_READ_SHADOW), CR0_PE | CR0_ET);
}

static void test_clts_clears_ts(void **state)
{
    (void)state;
    fake_vmcs_set(VMCS_CTRL_EXEC_CR0_READ_SHADOW, CR0_PE | (1u << 3));
    run_exit(VMX_EXIT_REASON_CR_ACCESS, 0x20);
    assert_int_equal(fake_vmcs_get(VMCS_CTRL_EXEC_CR0_READ_SHADOW), CR0_PE);
}

static void test_cr4_reserved_and_vmxe_are_gp(void **state)
{
    (void)state;
    vcpu.regs.rax = CR4_VMXE;
    run_exit(VMX_EXIT_REASON_CR_ACCESS, 4);
    assert_gp_injected();
    fake_vmcs_set(VMCS_CTRL_ENTRY_INTERRUPTION_INFO, 0);
    vcpu.regs.rax = 1ull << 40;
    run_exit(VMX_EXIT_REASON_CR_ACCESS, 4);
    assert_gp_injected();
}

/* A CR4 bit VMX allows but the partition's CPUID hides (vcpu.cr4_allowed) is reserved: PKE
 * with PKU hidden is #GP, and accepted once the table enumerates PKU. */
static void test_cr4_bit_hidden_by_cpuid_is_gp(void **state)
{
    (void)state;
    const uint64_t pke = 1ull << 22;
    vcpu.cr4_allowed = CR4_PAE | pke;
    vcpu.regs.rax = CR4_PAE | pke;
    vcpu.cr4_allowed &= ~pke;
    run_exit(VMX_EXIT_REASON_CR_ACCESS, 4);
    assert_gp_injected();
    assert_int_equal(fake_vmcs_get(VMCS_CTRL_EXEC_CR4_READ_SHADOW), 0);
    fake_vmcs_set(VMCS_CTRL_ENTRY_INTERRUPTION_INFO, 0);
    vcpu.cr4_allowed |= pke;
    run_exit(VMX_EXIT_REASON_CR_ACCESS, 4);
    assert_int_equal(fake_vmcs_get(VMCS_CTRL_EXEC_CR4_READ_SHADOW), CR4_PAE | pke);
}

static void test_cr4_write_keeps_vmxe_hidden(void **state)
{
    (void)state;
    vcpu.regs.rax = CR4_PAE;
    run_exit(VMX_EXIT_REASON_CR_ACCESS, 4);
    assert_int_equal(fake_vmcs_get(VMCS_CTRL_EXEC_CR4_READ_SHADOW), CR4_PAE);
    assert_int_equal(fake_vmcs_get(VMCS_GUEST_CR4), CR4_PAE | CR4_VMXE);
    assert_advanced();
}

/* Forced CR3-store exiting (a CPU without TRUE controls): the low 32 bits outside 64-bit code. */
static void test_mov_from_cr3(void **state)
{
    (void)state;
    fake_vmcs_set(VMCS_GUEST_CR3, 0x1234567890ull);
    assert_int_equal(run_exit(VMX_EXIT_REASON_CR_ACCESS, 0x13), VCPU_RESUME);   /* to RAX */
    assert_int_equal(vcpu.regs.rax, 0x34567890ull);
    assert_advanced();
}

static void test_other_cr_access_stops(void **state)
{
    (void)state;
    assert_int_equal(run_exit(VMX_EXIT_REASON_CR_ACCESS, 0x02), VCPU_STOP);   /* MOV to CR2 */
    assert_string_equal(fake.stopped_reason, "control-register access not emulated");
}

/* CR8 is virtual: the guest reads back what it wrote, reserved bits are #GP, and the task
 * priority holds back interrupts of its class and below until it is lowered. */
static void test_cr8_is_a_virtual_tpr(void **state)
{
    (void)state;
    vcpu.regs.rax = 5;
    run_exit(VMX_EXIT_REASON_CR_ACCESS, 0x08);                  /* MOV to CR8 from RAX */
    assert_int_equal(vcpu.tpr, 5);
    assert_advanced();
    fake_vmcs_set(VMCS_GUEST_RIP, RIP0);
    run_exit(VMX_EXIT_REASON_CR_ACCESS, 0x318);                 /* MOV from CR8 to RBX */
    assert_int_equal(vcpu.regs.rbx, 5);
    fake_vmcs_set(VMCS_GUEST_RIP, RIP0);
    fake_vmcs_set(VMCS_GUEST_RFLAGS, 0x202);
    vcpu_raise_irq(&vcpu, 0x50);                                /* class 5: held back */
    run_exit(VMX_EXIT_REASON_CPUID, 0);
    assert_int_equal(fake_vmcs_get(VMCS_CTRL_ENTRY_INTERRUPTION_INFO), 0);
    fake_vmcs_set(VMCS_GUEST_RIP, RIP0);
    vcpu.regs.rax = 4;
    run_exit(VMX_EXIT_REASON_CR_ACCESS, 0x08);                  /* lowered: it goes through */
    assert_int_equal(fake_vmcs_get(VMCS_CTRL_ENTRY_INTERRUPTION_INFO), VMX_INTR_INFO_VALID | 0x50);
    fake_vmcs_set(VMCS_GUEST_RIP, RIP0);
    fake_vmcs_set(VMCS_CTRL_ENTRY_INTERRUPTION_INFO, 0);
    vcpu.regs.rax = 16;
    run_exit(VMX_EXIT_REASON_CR_ACCESS, 0x08);
    assert_gp_injected();
    assert_int_equal(vcpu.tpr, 4);
}

/* ---- XSETBV ----------------------------------------------------------------------------- */

/* A host with XSAVE (leaf 1) whose leaf 0xD offers x87, SSE and AVX; the partition's table is
 * built from it, so XSETBV follows what its CPUID offers. */
static struct cpuid_regs cpuid_xsave_x87_sse_avx(uint32_t leaf, uint32_t subleaf)
{
    if (leaf == 0)
        return (struct cpuid_regs){ 0xD, 0, 0, 0 };
    if (leaf == 1)
        return (struct cpuid_regs){ 0, 0, CPUID_1_ECX_XSAVE | (1u << 28), 0 };
    if (leaf == 0xD && subleaf == 0)
        return (struct cpuid_regs){ 7, 0x340, 0x340, 0 };
    if (leaf == 0xD && subleaf == 2)
        return (struct cpuid_regs){ 0x100, 0x240, 0, 0 };
    return (struct cpuid_regs){ 0, 0, 0, 0 };
}

static void test_xsetbv_rules(void **state)
{
    (void)state;
    fake.cpuid = cpuid_xsave_x87_sse_avx;
    fake.cr4 = CR4_OSXSAVE;
    static const struct { uint64_t value; uint32_t xcr; bool ok; } cases[] = {
        { 1, 0, true }, { 3, 0, true }, { 7, 0, true },
        { 0, 0, false },        /* x87 off */
        { 5, 0, false },        /* AVX without SSE */
        { 0xF, 0, false },      /* a component the CPU lacks */
        { 1, 1, false },        /* XCR1 */
    };
    for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        setup(0);
        fake.cpuid = cpuid_xsave_x87_sse_avx;
        fake.cr4 = CR4_OSXSAVE;
        vcpu_cpuid_prepare(&vcpu);
        vcpu.regs.rax = cases[i].value;
        vcpu.regs.rcx = cases[i].xcr;
        run_exit(VMX_EXIT_REASON_XSETBV, 0);
        if (cases[i].ok) {
            assert_int_equal(fake.xcr0, cases[i].value);
            assert_advanced();
        } else {
            assert_int_equal(fake.xsetbv_calls, 0);
            assert_gp_injected();
        }
    }
}

/* ---- MSRs ------------------------------------------------------------------------------- */

static void test_feature_control_reads_locked_without_vmx(void **state)
{
    (void)state;
    vcpu.regs.rcx = MSR_IA32_FEATURE_CONTROL;
    run_exit(VMX_EXIT_REASON_RDMSR, 0);
    assert_int_equal(vcpu.regs.rax, 1);
    assert_int_equal(vcpu.regs.rdx, 0);
    assert_advanced();
}

/* Linux latches and reads the microcode revision and writes its SYSENTER MSRs at boot. */
static void test_microcode_and_sysenter_msrs(void **state)
{
    (void)state;
    vcpu.regs.rcx = MSR_IA32_BIOS_SIGN_ID;
    vcpu.regs.rax = vcpu.regs.rdx = 0;
    run_exit(VMX_EXIT_REASON_WRMSR, 0);
    assert_advanced();
    vcpu.regs.rax = vcpu.regs.rdx = 0x55;
    fake_vmcs_set(VMCS_GUEST_RIP, RIP0);
    run_exit(VMX_EXIT_REASON_RDMSR, 0);
    assert_int_equal(vcpu.regs.rax, 0);
    assert_int_equal(vcpu.regs.rdx, 0);

    vcpu.regs.rcx = MSR_IA32_SYSENTER_EIP;
    vcpu.regs.rax = 0x81234560;
    vcpu.regs.rdx = 0xFFFFFFFF;
    fake_vmcs_set(VMCS_GUEST_RIP, RIP0);
    run_exit(VMX_EXIT_REASON_WRMSR, 0);
    assert_advanced();
    assert_true(fake_vmcs_get(VMCS_GUEST_IA32_SYSENTER_EIP) == 0xFFFFFFFF81234560ull);
    vcpu.regs.rax = vcpu.regs.rdx = 0;
    fake_vmcs_set(VMCS_GUEST_RIP, RIP0);
    run_exit(VMX_EXIT_REASON_RDMSR, 0);
    assert_int_equal(vcpu.regs.rax, 0x81234560);
    assert_int_equal(vcpu.regs.rdx, 0xFFFFFFFF);

    vcpu.regs.rcx = MSR_IA32_SYSENTER_ESP;      /* non-canonical: #GP, the field unchanged */
    vcpu.regs.rax = 0;
    vcpu.regs.rdx = 0x00008000;
    fake_vmcs_set(VMCS_GUEST_RIP, RIP0);
    run_exit(VMX_EXIT_REASON_WRMSR, 0);
    assert_gp_injected();
    assert_int_equal(fake_vmcs_get(VMCS_GUEST_IA32_SYSENTER_ESP), 0);
}

static void test_ungranted_msr_is_gp_reported_once(void **state)
{
    (void)state;
    fake_msr_set(0x123, 5);
    for (int i = 0; i < 3; i++) {
        fake_vmcs_set(VMCS_CTRL_ENTRY_INTERRUPTION_INFO, 0);
        vcpu.regs.rcx = 0x123;
        run_exit(VMX_EXIT_REASON_RDMSR, 0);
        assert_gp_injected();
    }
    assert_non_null(strstr(fake.printed, "rdmsr 0x123 refused"));
    assert_null(strstr(strstr(fake.printed, "rdmsr 0x123 refused") + 1, "rdmsr 0x123"));
}

static void test_granted_msr_reaches_hardware(void **state)
{
    (void)state;
    fake.grant_msrs = true;
    fake_msr_set(0x123, 0x1122334455667788ull);
    vcpu.regs.rcx = 0x123;
    run_exit(VMX_EXIT_REASON_RDMSR, 0);
    assert_int_equal(vcpu.regs.rax, 0x55667788);
    assert_int_equal(vcpu.regs.rdx, 0x11223344);
    setup(0);
    fake.grant_msrs = true;
    fake_msr_set(0x123, 0);
    vcpu.regs.rcx = 0x123;
    vcpu.regs.rdx = 0xFFFFFFFF00000001ull;     /* the high halves of RDX and RAX are ignored */
    vcpu.regs.rax = 0xFFFFFFFF00000002ull;
    run_exit(VMX_EXIT_REASON_WRMSR, 0);
    uint64_t value = 0;
    vcpu_host_rdmsr(0x123, &value);
    assert_int_equal(value, 0x100000002ull);
}

static void test_granted_msr_the_cpu_lacks_is_gp_not_a_crash(void **state)
{
    (void)state;
    fake.grant_msrs = true;
    vcpu.regs.rcx = 0x4242;
    run_exit(VMX_EXIT_REASON_WRMSR, 0);
    assert_gp_injected();
}

static void test_debugctl_never_reaches_hardware(void **state)
{
    (void)state;
    fake.grant_msrs = true;
    fake_msr_set(MSR_IA32_DEBUGCTL, 0);
    vcpu.regs.rcx = MSR_IA32_DEBUGCTL;
    vcpu.regs.rax = 1;
    run_exit(VMX_EXIT_REASON_WRMSR, 0);
    assert_gp_injected();
}

static uint64_t claimed_msr_value;

static bool claimed_read(void *ctx, uint32_t msr, uint64_t *value)
{
    (void)ctx;
    *value = claimed_msr_value + msr;
    return true;
}

static bool claimed_write(void *ctx, uint32_t msr, uint64_t value)
{
    (void)ctx;
    claimed_msr_value = value;
    return msr != 0x80F;        /* one MSR of the range refuses writes */
}

static const struct vcpu_msr_ops claimed_msrs = { claimed_read, claimed_write };

/* A device's MSRs are answered by the device, before any policy (x2APIC's 0x800-0x8FF). */
static void test_claimed_msrs_reach_their_device(void **state)
{
    (void)state;
    assert_int_equal(vcpu_claim_msrs(&vcpu, 0x800, 0x100, &claimed_msrs, 0), RANGE_ADDED);
    vcpu.regs.rcx = 0x808;
    vcpu.regs.rdx = 0x1;
    vcpu.regs.rax = 0x20;
    run_exit(VMX_EXIT_REASON_WRMSR, 0);
    assert_int_equal(claimed_msr_value, 0x100000020ull);
    assert_advanced();
    fake_vmcs_set(VMCS_GUEST_RIP, RIP0);
    run_exit(VMX_EXIT_REASON_RDMSR, 0);
    assert_int_equal(vcpu.regs.rax, 0x28 + 0x800);
    assert_int_equal(vcpu.regs.rdx, 1);
    fake_vmcs_set(VMCS_GUEST_RIP, RIP0);
    vcpu.regs.rcx = 0x80F;
    run_exit(VMX_EXIT_REASON_WRMSR, 0);
    assert_gp_injected();
}

/* A host with XSAVE, AVX, x2APIC and PKRU state; leaf 7 reports nothing. */
static struct cpuid_regs cpuid_xsave_pkru_x2apic(uint32_t leaf, uint32_t subleaf)
{
    if (leaf == 0)
        return (struct cpuid_regs){ 0xD, 0, 0, 0 };
    if (leaf == 1)
        return (struct cpuid_regs){ 0, 0, CPUID_1_ECX_XSAVE | (1u << 28) | (1u << 21), 0 };
    if (leaf == 0xD && subleaf == 0)
        return (struct cpuid_regs){ 0x207, 0x240, 0xA88, 0 };
    if (leaf == 0xD && subleaf == 2)
        return (struct cpuid_regs){ 0x100, 0x240, 0, 0 };
    if (leaf == 0xD && subleaf == 9)
        return (struct cpuid_regs){ 8, 0xA80, 0, 0 };
    return (struct cpuid_regs){ 0, 0, 0, 0 };
}

static void cpuid_exit(uint32_t leaf, uint32_t subleaf)
{
    fake_vmcs_set(VMCS_GUEST_RIP, RIP0);
    vcpu.regs.rax = leaf;
    vcpu.regs.rcx = subleaf;
    assert_int_equal(run_exit(VMX_EXIT_REASON_CPUID, 0), VCPU_RESUME);
    assert_advanced();
}

/* The table is the partition's at its start: OSXSAVE follows the guest's CR4 and leaf 0xD's
 * size its XCR0; x2APIC shows once a device claims the x2APIC MSRs; XSETBV takes only the
 * components leaf 0xD offers (PKRU is the host's, not the partition's). */
static void test_cpuid_follows_guest_and_devices(void **state)
{
    (void)state;
    fake.cpuid = cpuid_xsave_pkru_x2apic;
    fake.cr4 = CR4_OSXSAVE;
    vcpu_cpuid_prepare(&vcpu);
    cpuid_exit(1, 0);
    assert_int_equal(vcpu.regs.rcx & ((1u << 21) | (1u << 27)), 0);
    fake_vmcs_set(VMCS_GUEST_CR4, CR4_OSXSAVE);
    cpuid_exit(1, 0);
    assert_true(vcpu.regs.rcx & (1u << 27));
    fake.xcr0 = 7;
    cpuid_exit(0xD, 0);
    assert_int_equal(vcpu.regs.rax, 7);
    assert_int_equal(vcpu.regs.rbx, 0x340);
    assert_int_equal(vcpu.regs.rcx, 0x340);
    fake.xcr0 = 3;
    cpuid_exit(0xD, 0);
    assert_int_equal(vcpu.regs.rbx, 0x240);
    fake_vmcs_set(VMCS_GUEST_RIP, RIP0);
    vcpu.regs.rax = 0x207;
    vcpu.regs.rcx = 0;
    run_exit(VMX_EXIT_REASON_XSETBV, 0);
    assert_gp_injected();
    assert_int_equal(fake.xsetbv_calls, 0);
    fake_vmcs_set(VMCS_CTRL_ENTRY_INTERRUPTION_INFO, 0);
    vcpu.regs.rax = 7;
    run_exit(VMX_EXIT_REASON_XSETBV, 0);
    assert_int_equal(fake.xcr0, 7);
    assert_int_equal(fake.xsetbv_calls, 1);

    assert_int_equal(vcpu_claim_msrs(&vcpu, 0x800, 0x100, &claimed_msrs, 0), RANGE_ADDED);
    vcpu_cpuid_prepare(&vcpu);
    cpuid_exit(1, 0);
    assert_true(vcpu.regs.rcx & (1u << 21));
}

/* ---- I/O -------------------------------------------------------------------------------- */

static uint16_t device_offset;
static unsigned device_size;
static bool device_write;
static uint32_t device_value;

static uint32_t test_device_read(void *ctx, uint16_t offset, unsigned size)
{
    (void)ctx;
    device_offset = offset;
    device_size = size;
    device_write = false;
    return 0xA5A5;
}

static void test_device_write(void *ctx, uint16_t offset, unsigned size, uint32_t value)
{
    (void)ctx;
    device_offset = offset;
    device_size = size;
    device_write = true;
    device_value = value;
}

static const struct vcpu_port_ops test_device = { test_device_read, test_device_write };

/* Qualification: size-1 in 2:0, IN in bit 3, port in 31:16. */
static uint64_t io_qual(uint16_t port, unsigned size, bool in)
{
    return ((uint64_t)port << 16) | (in ? VMX_QUAL_IO_IN : 0) | (size - 1);
}

static void test_io_claimed_port_reaches_device(void **state)
{
    (void)state;
    assert_int_equal(vcpu_claim_ports(&vcpu, 0x3F8, 8, &test_device, 0), RANGE_ADDED);
    vcpu.regs.rax = 0x12345678;
    run_exit(VMX_EXIT_REASON_IO_INSTRUCTION, io_qual(0x3FB, 2, false));
    assert_int_equal(device_offset, 3);
    assert_int_equal(device_size, 2);
    assert_true(device_write);
    assert_int_equal(device_value, 0x5678);
    assert_advanced();
    vcpu.regs.rax = 0xFFFFFFFFFFFFFFFFull;
    run_exit(VMX_EXIT_REASON_IO_INSTRUCTION, io_qual(0x3F8, 1, true));
    assert_int_equal(vcpu.regs.rax, 0xFFFFFFFFFFFFFFA5ull);    /* IN AL merges */
}

static void test_io_unclaimed_reads_ones_and_drops_writes(void **state)
{
    (void)state;
    vcpu.regs.rax = 0x1111111122222222ull;
    run_exit(VMX_EXIT_REASON_IO_INSTRUCTION, io_qual(0x80, 4, true));
    assert_int_equal(vcpu.regs.rax, 0xFFFFFFFFull);      /* IN EAX zero-extends */
    run_exit(VMX_EXIT_REASON_IO_INSTRUCTION, io_qual(0x80, 1, false));
    run_exit(VMX_EXIT_REASON_IO_INSTRUCTION, io_qual(0x80, 1, false));
    assert_int_equal(vcpu.io_dropped, 3);
    assert_non_null(strstr(fake.printed, "port 0x80 write not granted"));
    assert_null(strstr(strstr(fake.printed, "port 0x80 write") + 1, "port 0x80 write"));
}

/* A port dropped, then claimed by a device: the next access reaches the device. */
static void test_io_dropped_then_claimed(void **state)
{
    (void)state;
    run_exit(VMX_EXIT_REASON_IO_INSTRUCTION, io_qual(0x3F9, 1, false));
    assert_int_equal(vcpu.io_dropped, 1);
    assert_int_equal(vcpu_claim_ports(&vcpu, 0x3F8, 8, &test_device, 0), RANGE_ADDED);
    vcpu.regs.rax = 0x5A;
    device_size = 0;
    run_exit(VMX_EXIT_REASON_IO_INSTRUCTION, io_qual(0x3F9, 1, false));
    assert_int_equal(vcpu.io_dropped, 1);
    assert_int_equal(device_offset, 1);
    assert_int_equal(device_value, 0x5A);
}

/* A string access to the port dropped last takes the string path, never the fast drop (its
 * memory operand must still be checked: here the CPU gives no instruction information). */
static void test_io_string_on_dropped_port(void **state)
{
    (void)state;
    run_exit(VMX_EXIT_REASON_IO_INSTRUCTION, io_qual(0x80, 1, false));
    assert_int_equal(run_exit(VMX_EXIT_REASON_IO_INSTRUCTION,
                              io_qual(0x80, 1, false) | VMX_QUAL_IO_STRING), VCPU_STOP);
    assert_non_null(strstr(fake.stopped_reason, "string I/O"));
}

static void test_io_one_way_grant(void **state)
{
    (void)state;
    vcpu.has_one_way_port_grants = true;
    fake.grant_ports_read = true;
    fake.in_value = 0x42;
    run_exit(VMX_EXIT_REASON_IO_INSTRUCTION, io_qual(0x60, 1, true));
    assert_int_equal(vcpu.regs.rax & 0xFF, 0x42);
    vcpu.regs.rax = 0x99;
    run_exit(VMX_EXIT_REASON_IO_INSTRUCTION, io_qual(0x60, 1, false));
    assert_int_equal(fake.last_out_port, 0);               /* write not granted: dropped */
    assert_int_equal(vcpu.io_dropped, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_unhandled_reason_stops, setup),
        cmocka_unit_test_setup(test_entry_failure_stops, setup),
        cmocka_unit_test_setup(test_exits_counted_and_sampled, setup),
        cmocka_unit_test_setup(test_stop_recorded_in_ring, setup),
        cmocka_unit_test_setup(test_exit_reason_flag_bits_still_dispatch, setup),
        cmocka_unit_test_setup(test_cpuid_leaf1_hides_vmx, setup),
        cmocka_unit_test_setup(test_cpuid_signature_and_unused_leaves, setup),
        cmocka_unit_test_setup(test_cpuid_invpcid_follows_control, setup),
        cmocka_unit_test_setup(test_cpuid_hides_monitor_and_pmu, setup),
        cmocka_unit_test_setup(test_cr0_pg_without_pe_is_gp, setup),
        cmocka_unit_test_setup(test_cr0_write_sets_shadow_and_fixed_bits, setup),
        cmocka_unit_test_setup(test_cr0_leaving_protected_mode_without_unrestricted_guest, setup),
        cmocka_unit_test_setup(test_cr0_paging_with_lme_sets_lma_and_ia32e, setup),
        cmocka_unit_test_setup(test_lmsw_cannot_clear_pe, setup),
        cmocka_unit_test_setup(test_clts_clears_ts, setup),
        cmocka_unit_test_setup(test_cr4_reserved_and_vmxe_are_gp, setup),
        cmocka_unit_test_setup(test_cr4_write_keeps_vmxe_hidden, setup),
        cmocka_unit_test_setup(test_cr4_bit_hidden_by_cpuid_is_gp, setup),
        cmocka_unit_test_setup(test_mov_from_cr3, setup),
        cmocka_unit_test_setup(test_other_cr_access_stops, setup),
        cmocka_unit_test_setup(test_cr8_is_a_virtual_tpr, setup),
        cmocka_unit_test_setup(test_xsetbv_rules, setup),
        cmocka_unit_test_setup(test_feature_control_reads_locked_without_vmx, setup),
        cmocka_unit_test_setup(test_microcode_and_sysenter_msrs, setup),
        cmocka_unit_test_setup(test_ungranted_msr_is_gp_reported_once, setup),
        cmocka_unit_test_setup(test_granted_msr_reaches_hardware, setup),
        cmocka_unit_test_setup(test_granted_msr_the_cpu_lacks_is_gp_not_a_crash, setup),
        cmocka_unit_test_setup(test_debugctl_never_reaches_hardware, setup),
        cmocka_unit_test_setup(test_claimed_msrs_reach_their_device, setup),
        cmocka_unit_test_setup(test_cpuid_follows_guest_and_devices, setup),
        cmocka_unit_test_setup(test_io_claimed_port_reaches_device, setup),
        cmocka_unit_test_setup(test_io_unclaimed_reads_ones_and_drops_writes, setup),
        cmocka_unit_test_setup(test_io_dropped_then_claimed, setup),
        cmocka_unit_test_setup(test_io_string_on_dropped_port, setup),
        cmocka_unit_test_setup(test_io_one_way_grant, setup),
    };
    return cmocka_run_group_tests(tests, 0, 0);
}
