/* CPUID exits (SDM Vol. 2A CPUID; Vol. 3C 27.1.2: CPUID always exits): the host's answer,
 * with VMX hidden, the hypervisor-present bit set and tessera's own leaves added. */
#include "arch/x86/cpu.h"
#include "vcpu/exit.h"
#include "vcpu/guest_abi.h"
#include "vmx/vmxon.h"

#define CPUID_1_ECX_MONITOR     (1u << 3)
#define CPUID_1_ECX_PDCM        (1u << 15)      /* IA32_PERF_CAPABILITIES */
#define CPUID_LEAF_MONITOR      0x5u
#define CPUID_LEAF_PMU          0xAu
#define CPUID_7_EBX_INVPCID     (1u << 10)
#define CPUID_D1_EAX_XSAVES     (1u << 3)

/* tessera's own leaves, 0x40000000-0x4FFFFFFF (the range the SDM leaves to hypervisors). */
__attribute__((noinline)) static struct cpuid_regs hypervisor_leaf(uint32_t leaf)
{
    if (leaf == TESSERA_CPUID_LEAF_SIGNATURE)
        return (struct cpuid_regs){ TESSERA_CPUID_LEAF_MAX, TESSERA_CPUID_SIGNATURE_EBX,
                                    TESSERA_CPUID_SIGNATURE_ECX, TESSERA_CPUID_SIGNATURE_EDX };
    if (leaf == TESSERA_CPUID_LEAF_VERSION)
        return (struct cpuid_regs){ TESSERA_BOOT_VERSION, 0, 0, 0 };
    return (struct cpuid_regs){ 0, 0, 0, 0 };
}

/* The leaves 1-0xD where the guest's view differs from the host's. */
__attribute__((noinline)) static void adjust_leaf(uint32_t leaf, uint32_t subleaf,
                                                  struct cpuid_regs *r)
{
    const struct vmx_controls *ctl = &vmx_config()->controls;
    if (leaf == 1) {
        /* No VMX, no MONITOR/MWAIT (they exit), no performance counters. */
        r->ecx &= ~(TESSERA_CPUID_1_ECX_VMX | CPUID_1_ECX_MONITOR | CPUID_1_ECX_PDCM);
        r->ecx |= TESSERA_CPUID_1_ECX_HYPERVISOR;
    } else if (leaf == CPUID_LEAF_MONITOR || leaf == CPUID_LEAF_PMU) {
        *r = (struct cpuid_regs){ 0, 0, 0, 0 };
    } else if (leaf == 7 && subleaf == 0 && !ctl->invpcid) {
        r->ebx &= ~CPUID_7_EBX_INVPCID;     /* it would #UD without "enable INVPCID" */
    } else if (leaf == 0xD && subleaf == 1 && !ctl->xsaves) {
        r->eax &= ~CPUID_D1_EAX_XSAVES;
    }
}

void vcpu_cpuid(uint32_t leaf, uint32_t subleaf, struct cpuid_regs *out)
{
    if ((leaf & 0xF0000000u) == TESSERA_CPUID_LEAF_SIGNATURE) {
        *out = hypervisor_leaf(leaf);
        return;
    }
    *out = vcpu_host_cpuid(leaf, subleaf);
    if (leaf - 1u < 0xDu)
        adjust_leaf(leaf, subleaf, out);
}

static void set_result(struct vcpu *v, struct cpuid_regs r)
{
    v->regs.rax = r.eax;
    v->regs.rbx = r.ebx;
    v->regs.rcx = r.ecx;
    v->regs.rdx = r.edx;
}

/* The uncommon leaves, out of line: the common exit keeps no stack frame of its own. */
__attribute__((noinline)) static enum vcpu_verdict cpuid_uncommon(struct vcpu *v, uint32_t leaf,
                                                                  uint32_t subleaf)
{
    struct cpuid_regs r;
    vcpu_cpuid(leaf, subleaf, &r);
    set_result(v, r);
    return vcpu_advance(v);
}

/* Every guest CPUID: two compares decide that most leaves are the host's unchanged. */
enum vcpu_verdict exit_cpuid(struct vcpu *v)
{
    uint32_t leaf = (uint32_t)v->regs.rax, subleaf = (uint32_t)v->regs.rcx;
    if ((leaf & 0xF0000000u) == TESSERA_CPUID_LEAF_SIGNATURE || leaf - 1u < 0xDu)
        return cpuid_uncommon(v, leaf, subleaf);
    set_result(v, vcpu_host_cpuid(leaf, subleaf));
    return vcpu_advance(v);
}
