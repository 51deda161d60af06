/* CPUID exits (SDM Vol. 2A CPUID; Vol. 3C 27.1.2: CPUID always exits): the host's answer,
 * with VMX hidden, the hypervisor-present bit set and tessera's own leaves added. */
#include "arch/x86/cpu.h"
#include "vcpu/exit.h"
#include "vcpu/guest_abi.h"
#include "vmx/vmxon.h"

#define CPUID_7_EBX_INVPCID     (1u << 10)
#define CPUID_D1_EAX_XSAVES     (1u << 3)

/* Inlined into the exit handler, which runs on every guest CPUID. */
static inline __attribute__((always_inline)) void guest_cpuid(uint32_t leaf, uint32_t subleaf,
                                                             struct cpuid_regs *out)
{
    struct cpuid_regs r;

    if (leaf == TESSERA_CPUID_LEAF_SIGNATURE) {
        r = (struct cpuid_regs){ TESSERA_CPUID_LEAF_MAX, TESSERA_CPUID_SIGNATURE_EBX,
                                 TESSERA_CPUID_SIGNATURE_ECX, TESSERA_CPUID_SIGNATURE_EDX };
    } else if (leaf == TESSERA_CPUID_LEAF_VERSION) {
        r = (struct cpuid_regs){ TESSERA_BOOT_VERSION, 0, 0, 0 };
    } else if (leaf > TESSERA_CPUID_LEAF_MAX && leaf < 0x80000000u && leaf >= 0x40000000u) {
        r = (struct cpuid_regs){ 0, 0, 0, 0 };
    } else {
        r = vcpu_host_cpuid(leaf, subleaf);
        const struct vmx_controls *ctl = &vmx_config()->controls;
        if (leaf == 1) {
            r.ecx &= ~TESSERA_CPUID_1_ECX_VMX;
            r.ecx |= TESSERA_CPUID_1_ECX_HYPERVISOR;
        } else if (leaf == 7 && subleaf == 0 && !ctl->invpcid) {
            r.ebx &= ~CPUID_7_EBX_INVPCID;     /* it would #UD without "enable INVPCID" */
        } else if (leaf == 0xD && subleaf == 1 && !ctl->xsaves) {
            r.eax &= ~CPUID_D1_EAX_XSAVES;
        }
    }
    *out = r;
}

void vcpu_cpuid(uint32_t leaf, uint32_t subleaf, struct cpuid_regs *out)
{
    guest_cpuid(leaf, subleaf, out);
}

enum vcpu_verdict exit_cpuid(struct vcpu *v)
{
    struct cpuid_regs r;
    guest_cpuid((uint32_t)v->regs.rax, (uint32_t)v->regs.rcx, &r);
    v->regs.rax = r.eax;
    v->regs.rbx = r.ebx;
    v->regs.rcx = r.ecx;
    v->regs.rdx = r.edx;
    return vcpu_advance(v);
}
