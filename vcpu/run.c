/* The vCPU run loop: VMCS set-up from an entry state, TLB flush, VM entry, and the report when
 * entry itself fails (SDM Vol. 3C 25 VMCS areas, 29.4.3 INVEPT/INVVPID, 31.3 VMLAUNCH). Every
 * exit is then handled in vcpu/dispatch.c without returning here until the vCPU stops. */
#include "arch/x86/msr.h"
#include "arch/x86/percpu.h"
#include "vcpu/report.h"
#include "vcpu/vcpu.h"
#include "vmx/vmx_asm.h"
#include "vmx/vmxon.h"

static void flush_guest_tlbs(const struct vcpu *v)
{
    const struct vmx_caps *caps = &vmx_config()->caps;
    if (caps->invept_single) {
        struct vmx_invept_desc d = { v->eptp, 0 };
        invept(VMX_INVEPT_SINGLE_CONTEXT, &d);
    }
    if (v->vpid && caps->invvpid_single) {
        struct vmx_invvpid_desc d = { v->vpid, { 0, 0, 0 }, 0 };
        invvpid(VMX_INVVPID_SINGLE_CONTEXT, &d);
    }
}

bool vcpu_prepare(struct vcpu *v, const struct vcpu_entry *entry)
{
    this_cpu()->vcpu = v;
    for (uint32_t i = 0; i < v->msr_count; i++)
        v->msr_host[i].value = rdmsr(v->msr_host[i].index);
    const struct vmcs_setup_params params = {
        .entry = &entry->cpu,
        .vmcs_phys = v->vmcs_phys,
        .eptp = v->eptp,
        .vpid = v->vpid,
        .io_bitmap_a = v->io_bitmap_a,
        .io_bitmap_b = v->io_bitmap_b,
        .msr_bitmap = v->msr_bitmap,
        .msr_guest = v->msr_guest,
        .msr_host = v->msr_host,
        .msr_count = v->msr_count,
        .preemption_timer_value = v->preemption_timer_value,
        .exception_bitmap = VCPU_EXCEPTION_BITMAP,
    };
    v->launched = false;
    if (!vmcs_setup(&params)) {
        vcpu_stop_verdict(v, "its VMCS could not be set up");
        v->state = VCPU_STOPPED;
        v->owner->stopped(v->owner_ctx, v, v->stop_reason);
        return false;
    }
    flush_guest_tlbs(v);
    v->regs = entry->regs;
    v->sample_countdown = VCPU_COST_SAMPLE;
    return true;
}

void vcpu_enter(struct vcpu *v)
{
    v->state = VCPU_RUNNING;
    int result = vmx_enter(&v->regs);
    if (result != VMX_ENTER_STOPPED)
        vcpu_report_enter_failure(v, result);
}
