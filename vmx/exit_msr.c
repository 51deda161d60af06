/* RDMSR and WRMSR exits (SDM Vol. 3C 27.1.3; the MSR bitmap decides which exit). A guest sees
 * a virtual TSC, VMX hidden and feature control locked without VMX; MSRs its table grants in
 * one direction reach hardware in that direction; everything else is #GP, as hardware does
 * for an MSR that does not exist. Feature control, the VMX capability MSRs, microcode and
 * debug control never reach hardware from a guest. */
#include "arch/x86/cpu.h"
#include "arch/x86/msr.h"
#include "drivers/console.h"
#include "guest/msr_bitmap.h"
#include "guest/partition_run.h"
#include "vmx/caps.h"
#include "vmx/exit.h"

#define MSR_IA32_TSC                0x10
#define MSR_IA32_BIOS_UPDT_TRIG     0x79
#define MSR_IA32_BIOS_SIGN_ID       0x8B
#define MSR_IA32_MISC_ENABLE        0x1A0
#define MSR_IA32_DEBUGCTL           0x1D9
#define FEATURE_CONTROL_LOCKED      IA32_FEATURE_CONTROL_LOCK

static bool msr_never_reaches_hardware(uint32_t msr)
{
    return msr == MSR_IA32_FEATURE_CONTROL || msr == MSR_IA32_BIOS_UPDT_TRIG ||
           msr == MSR_IA32_BIOS_SIGN_ID || msr == MSR_IA32_DEBUGCTL ||
           (msr >= VMX_CAPS_MSR_FIRST && msr <= VMX_CAPS_MSR_LAST);
}

static enum exit_action refuse(struct vcpu *v, uint32_t msr, bool write)
{
    struct partition *p = v->partition;
    if (report_once_first(&p->msrs_reported, report_key_msr(msr, write ? 1 : 0)))
        console_printf("partition %s: %s 0x%x refused: #GP injected\n", p->config->name,
                       write ? "wrmsr" : "rdmsr", msr);
    vmx_inject_hw_exception(VECTOR_GP, true, 0);
    return EXIT_RESUME;
}

static void complete_rdmsr(struct vcpu *v, uint64_t value)
{
    v->regs.rax = (uint32_t)value;
    v->regs.rdx = value >> 32;
}

enum exit_action exit_rdmsr(struct vcpu *v, const struct exit_info *e)
{
    (void)e;
    uint32_t msr = (uint32_t)v->regs.rcx;

    switch (msr) {
    case MSR_IA32_FEATURE_CONTROL:
        complete_rdmsr(v, FEATURE_CONTROL_LOCKED);     /* locked, VMX off: no VMX here */
        return EXIT_ADVANCE;
    case MSR_IA32_TSC:
        complete_rdmsr(v, rdtsc());                     /* TSC offset is 0 */
        return EXIT_ADVANCE;
    case MSR_IA32_MISC_ENABLE:
        complete_rdmsr(v, rdmsr(MSR_IA32_MISC_ENABLE));
        return EXIT_ADVANCE;
    default:
        break;
    }
    if (!msr_never_reaches_hardware(msr) && msr_policy_allows(v->partition->config, msr, false)) {
        complete_rdmsr(v, rdmsr(msr));
        return EXIT_ADVANCE;
    }
    return refuse(v, msr, false);
}

enum exit_action exit_wrmsr(struct vcpu *v, const struct exit_info *e)
{
    (void)e;
    uint32_t msr = (uint32_t)v->regs.rcx;
    uint64_t value = ((v->regs.rdx & 0xFFFFFFFFULL) << 32) | (v->regs.rax & 0xFFFFFFFFULL);

    if (!msr_never_reaches_hardware(msr) && msr_policy_allows(v->partition->config, msr, true)) {
        wrmsr(msr, value);
        return EXIT_ADVANCE;
    }
    return refuse(v, msr, true);
}
