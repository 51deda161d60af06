/* RDMSR and WRMSR exits (SDM Vol. 3C 27.1.3; the MSR bitmap decides which exit). A guest sees
 * a virtual TSC, VMX hidden and feature control locked without VMX, no microcode revision (the
 * signature MSR reads 0, writes to it are accepted), its SYSENTER MSRs in the VMCS guest-state
 * area (25.4.2; a non-canonical address is #GP, as WRMSR does); MSRs its table grants in
 * one direction reach hardware in that direction, with a fault fixup (a #GP there becomes the
 * guest's #GP); everything else is #GP, as hardware does for an MSR that does not exist.
 * Feature control, the VMX capability MSRs, microcode and debug control never reach hardware
 * from a guest. */
#include "arch/x86/msr.h"
#include "drivers/console.h"
#include "vcpu/exit.h"
#include "vcpu/guest_walk.h"
#include "vmx/caps.h"

static bool msr_never_reaches_hardware(uint32_t msr)
{
    return msr == MSR_IA32_FEATURE_CONTROL || msr == MSR_IA32_BIOS_UPDT_TRIG ||
           msr == MSR_IA32_BIOS_SIGN_ID || msr == MSR_IA32_DEBUGCTL ||
           (msr >= VMX_CAPS_MSR_FIRST && msr <= VMX_CAPS_MSR_LAST);
}

static enum vcpu_verdict refuse(struct vcpu *v, uint32_t msr, bool write)
{
    if (report_once_first(&v->msrs_reported, report_key_msr(msr, write ? 1 : 0)))
        console_printf("partition %s: %s 0x%x refused: #GP injected\n", v->name,
                       write ? "wrmsr" : "rdmsr", msr);
    vcpu_inject_exception(v, X86_VECTOR_GP, 0);
    return vcpu_resume(v);
}

static void complete_rdmsr(struct vcpu *v, uint64_t value)
{
    v->regs.rax = (uint32_t)value;
    v->regs.rdx = value >> 32;
}

/* The SYSENTER MSRs live in the VMCS, loaded and saved with every entry and exit. */
static enum vmcs_field sysenter_field(uint32_t msr)
{
    return msr == MSR_IA32_SYSENTER_CS ? VMCS_GUEST_IA32_SYSENTER_CS
         : msr == MSR_IA32_SYSENTER_ESP ? VMCS_GUEST_IA32_SYSENTER_ESP
                                        : VMCS_GUEST_IA32_SYSENTER_EIP;
}


/* An MSR a device model claimed (a virtual local APIC's, say): the device answers; false
 * from it is #GP, as for an MSR the CPU lacks. */
__attribute__((noinline)) static enum vcpu_verdict msr_device(struct vcpu *v,
                                                              const struct range_entry *dev,
                                                              uint32_t msr, bool write)
{
    const struct vcpu_msr_ops *ops = dev->ops;
    uint64_t value = vcpu_edx_eax(v);
    bool ok = write ? ops->write(dev->ctx, msr, value) : ops->read(dev->ctx, msr, &value);
    if (!ok)
        return refuse(v, msr, write);
    if (!write)
        complete_rdmsr(v, value);
    return vcpu_advance(v);
}

static bool granted(struct vcpu *v, uint32_t msr, bool write)
{
    return !msr_never_reaches_hardware(msr) && v->owner->msr_granted(v->owner_ctx, msr, write);
}

enum vcpu_verdict exit_rdmsr(struct vcpu *v)
{
    uint32_t msr = (uint32_t)v->regs.rcx;
    uint64_t value;
    const struct range_entry *dev = range_registry_find(&v->devices.msrs, msr);
    if (dev)
        return msr_device(v, dev, msr, false);

    switch (msr) {
    case MSR_IA32_FEATURE_CONTROL:
        complete_rdmsr(v, IA32_FEATURE_CONTROL_LOCK);   /* locked, VMX off: no VMX here */
        return vcpu_advance(v);
    case MSR_IA32_TSC:
        complete_rdmsr(v, vcpu_host_rdtsc());           /* TSC offset is 0 */
        return vcpu_advance(v);
    case MSR_IA32_MISC_ENABLE:
        if (!vcpu_host_rdmsr(MSR_IA32_MISC_ENABLE, &value))
            value = 0;
        complete_rdmsr(v, value);
        return vcpu_advance(v);
    case MSR_IA32_BIOS_SIGN_ID:
        complete_rdmsr(v, 0);
        return vcpu_advance(v);
    case MSR_IA32_SYSENTER_CS:
    case MSR_IA32_SYSENTER_ESP:
    case MSR_IA32_SYSENTER_EIP:
        complete_rdmsr(v, vcpu_vmread(sysenter_field(msr)));
        return vcpu_advance(v);
    default:
        break;
    }
    if (granted(v, msr, false) && vcpu_host_rdmsr(msr, &value)) {
        complete_rdmsr(v, value);
        return vcpu_advance(v);
    }
    return refuse(v, msr, false);
}

enum vcpu_verdict exit_wrmsr(struct vcpu *v)
{
    uint32_t msr = (uint32_t)v->regs.rcx;
    const struct range_entry *dev = range_registry_find(&v->devices.msrs, msr);
    if (dev)
        return msr_device(v, dev, msr, true);

    uint64_t value = vcpu_edx_eax(v);
    switch (msr) {
    case MSR_IA32_BIOS_SIGN_ID:
        return vcpu_advance(v);         /* "latch the revision": there is none to latch */
    case MSR_IA32_SYSENTER_CS:
    case MSR_IA32_SYSENTER_ESP:
    case MSR_IA32_SYSENTER_EIP:
        if (msr != MSR_IA32_SYSENTER_CS && !guest_linear_canonical(value))
            return refuse(v, msr, true);
        vcpu_vmwrite(sysenter_field(msr), msr == MSR_IA32_SYSENTER_CS ? (uint32_t)value : value);
        return vcpu_advance(v);
    default:
        break;
    }
    if (granted(v, msr, true) && vcpu_host_wrmsr(msr, value))
        return vcpu_advance(v);
    return refuse(v, msr, true);
}
