/* CPUID exits (SDM Vol. 2A CPUID; Vol. 3C 27.1.2: CPUID always exits): the partition's table
 * (vcpu/cpuid_policy.c), built at each vCPU start from this CPU's CPUID, the negotiated VMX
 * controls and what the partition's devices and MSR grants really give it; an exit only looks
 * it up. */
#include "arch/x86/cpu_regs.h"
#include "arch/x86/msr.h"
#include "drivers/timer.h"
#include "vcpu/cpuid_policy.h"
#include "vcpu/exit.h"
#include "vcpu/xcr0.h"
#include "vmx/vmxon.h"

/* XCR0 components a guest may enable: those the restart reset clears (vcpu/run.c: x87 to
 * AVX-512). MPX would need BNDCFGS switched, AMX the XFD MSRs, PKRU a reset of its own. */
#define VCPU_XCR0_ALLOWED   (XCR0_X87 | XCR0_SSE | XCR0_AVX | XCR0_AVX512)
#define VCPU_EPT_PHYS_BITS  48u             /* 4-level EPT: 48-bit guest-physical addresses */
#define XAPIC_MMIO_BASE     0xFEE00000ull   /* the local APIC's default page (SDM Vol. 3A 11.4.1) */

static bool device_msr(const struct vcpu *v, uint32_t msr)
{
    return range_registry_find(&v->devices.msrs, msr) != 0;
}

/* A device answers the MSR, or the partition's table grants it in the directions asked. */
static bool msr_reachable(const struct vcpu *v, uint32_t msr, bool read, bool write)
{
    if (device_msr(v, msr))
        return true;
    return (!read || v->owner->msr_granted(v->owner_ctx, msr, false)) &&
           (!write || v->owner->msr_granted(v->owner_ctx, msr, true));
}

static struct cpuid_partition_facts base_facts(void)
{
    return (struct cpuid_partition_facts){
        .secondary_controls = vmx_config()->controls.secondary,
        .cr4_allowed = vcpu_guest_cr4_allowed(),
        .xcr0_allowed = VCPU_XCR0_ALLOWED,
        .host_osxsave = (vcpu_host_cr4() & CR4_OSXSAVE) != 0,
        .tsc_hz = timer_calibration()->tsc_hz,
        .guest_phys_bits = VCPU_EPT_PHYS_BITS,
    };
}

static struct cpuid_regs host_cpuid(void *ctx, uint32_t leaf, uint32_t subleaf)
{
    (void)ctx;
    return vcpu_host_cpuid(leaf, subleaf);
}

void vcpu_cpuid_prepare(struct vcpu *v)
{
    struct cpuid_partition_facts f = base_facts();
    f.local_apic = range_registry_find(&v->devices.mmio, XAPIC_MMIO_BASE) != 0;
    f.x2apic = device_msr(v, MSR_X2APIC_ID);
    f.tsc_deadline = device_msr(v, MSR_IA32_TSC_DEADLINE);
    f.mtrr = msr_reachable(v, MSR_IA32_MTRRCAP, true, false) &&
             msr_reachable(v, MSR_IA32_MTRR_DEF_TYPE, true, true);
    f.spec_ctrl = msr_reachable(v, MSR_IA32_SPEC_CTRL, true, true);
    f.pred_cmd = msr_reachable(v, MSR_IA32_PRED_CMD, false, true);
    f.flush_cmd = msr_reachable(v, MSR_IA32_FLUSH_CMD, false, true);
    f.arch_capabilities = msr_reachable(v, MSR_IA32_ARCH_CAPABILITIES, true, false);
    f.xss = msr_reachable(v, MSR_IA32_XSS, true, true);
    cpuid_policy_build(&v->cpuid, host_cpuid, 0, &f);
    v->cr4_allowed = cpuid_policy_cr4_allowed(&v->cpuid, f.cr4_allowed);
}

/* The shell's view: a partition without devices or MSR grants, CR4 and XCR0 at reset. One
 * table, rebuilt on each call from the calling CPU; the shell runs on one CPU at a time. */
void vcpu_cpuid(uint32_t leaf, uint32_t subleaf, struct cpuid_regs *out)
{
    static struct cpuid_table table;
    const struct cpuid_partition_facts f = base_facts();
    cpuid_policy_build(&table, host_cpuid, 0, &f);
    *out = cpuid_policy_lookup(&table, leaf, subleaf, 0, XCR0_X87);
}

static void set_result(struct vcpu *v, struct cpuid_regs r)
{
    v->regs.rax = r.eax;
    v->regs.rbx = r.ebx;
    v->regs.rcx = r.ecx;
    v->regs.rdx = r.edx;
}

/* CPUID is done: the instruction completed, and the exit stub told that RBX changed. */
static enum vcpu_verdict cpuid_done(struct vcpu *v)
{
    return (enum vcpu_verdict)(vcpu_advance(v) | VCPU_RBX_REWRITTEN);
}

/* Leaves that depend on the subleaf or the guest's state, and every range but the basic one:
 * out of line, so the common exit keeps no stack frame of its own. XCR0 is the guest's while
 * it runs; it is read only for leaf 0xD, and only where XSAVE is offered at all. */
__attribute__((noinline)) static enum vcpu_verdict cpuid_uncommon(struct vcpu *v, uint32_t leaf)
{
    const struct cpuid_table *t = &v->cpuid;
    uint64_t cr4 = vcpu_vmread(VMCS_GUEST_CR4), xcr0 = 0;
    if (t->xcr0_supported && (leaf == 0xD || (leaf > t->max_basic && t->max_basic == 0xD)))
        xcr0 = vcpu_host_xgetbv0();
    set_result(v, cpuid_policy_lookup(t, leaf, (uint32_t)v->regs.rcx, cr4, xcr0));
    return cpuid_done(v);
}

/* Every guest CPUID: a basic leaf that depends on nothing but itself is one table entry. */
enum vcpu_verdict exit_cpuid(struct vcpu *v)
{
    uint32_t leaf = (uint32_t)v->regs.rax;
    if (leaf < CPUID_BASIC_LEAVES && ((v->cpuid.direct >> leaf) & 1)) {
        set_result(v, v->cpuid.basic[leaf]);
        return cpuid_done(v);
    }
    return cpuid_uncommon(v, leaf);
}
