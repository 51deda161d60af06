/* Containment reports: what a guest did wrong stops that guest only, and says exactly what it
 * was (SDM Vol. 3C 28.2.1 exit qualifications, 27.8 entry failures, 31.4 instruction errors). */
#include "vcpu/report.h"

#include "drivers/console.h"
#include "lib/format.h"
#include "vmx/exit_reasons.h"
#include "vmx/guest_state_report.h"
#include "vmx/vm_instruction_error.h"
#include "vmx/vmcs.h"

void vcpu_announce_stop(struct vcpu *v)
{
    v->state = VCPU_STOPPED;
    v->owner->stopped(v->owner_ctx, v, v->stop_reason);
}

void vcpu_report_stop(struct vcpu *v, const struct vcpu_exit_record *e)
{
    const char *name = v->name;
    char qualification[128];

    vmx_exit_qualification_format(qualification, sizeof(qualification), e->basic,
                                  vmcs_read_natural(VMCS_EXIT_INFO_QUALIFICATION));
    vcpu_announce_stop(v);
    console_printf("partition %s:   exit %s (%u) on cpu %u, qualification %s\n", name,
                   vmx_exit_reason_name(e->basic), e->basic, v->cpu, qualification);
    console_printf("partition %s:   rip 0x%llx rsp 0x%llx cr3 0x%llx rflags 0x%llx\n", name,
                   (unsigned long long)vmcs_read_natural(VMCS_GUEST_RIP),
                   (unsigned long long)vmcs_read_natural(VMCS_GUEST_RSP),
                   (unsigned long long)vmcs_read_natural(VMCS_GUEST_CR3),
                   (unsigned long long)vmcs_read_natural(VMCS_GUEST_RFLAGS));
    if (e->basic == VMX_EXIT_REASON_EPT_VIOLATION || e->basic == VMX_EXIT_REASON_EPT_MISCONFIG)
        console_printf("partition %s:   guest-physical 0x%llx linear 0x%llx\n", name,
                       (unsigned long long)vmcs_read64(VMCS_EXIT_INFO_GUEST_PHYSICAL_ADDRESS),
                       (unsigned long long)vmcs_read_natural(VMCS_EXIT_INFO_GUEST_LINEAR_ADDRESS));
}

void vcpu_report_entry_failure(struct vcpu *v, const struct vcpu_exit_record *e)
{
    vcpu_announce_stop(v);
    if (e->basic == VMX_EXIT_REASON_ENTRY_INVALID_GUEST)
        guest_state_report(v->name, console_line_sink, 0);
    else if (e->basic == VMX_EXIT_REASON_ENTRY_MSR_LOADING)
        console_printf("partition %s:   MSR-load list entry %llu\n", v->name,
                       (unsigned long long)vmcs_read_natural(VMCS_EXIT_INFO_QUALIFICATION));
}

void vcpu_report_enter_failure(struct vcpu *v, int enter_result)
{
    v->launched = (enter_result & VMX_ENTER_RESUMING) != 0;
    const char *instruction = v->launched ? "VMRESUME" : "VMLAUNCH";
    if ((enter_result & ~VMX_ENTER_RESUMING) == VMX_FAIL_VALID) {
        uint32_t error = vmcs_read32(VMCS_EXIT_INFO_VM_INSTRUCTION_ERROR);
        vcpu_stop_verdict(v, "%s failed: VM-instruction error %u (%s)", instruction, error,
                          vmx_instruction_error_name(error));
        vcpu_announce_stop(v);
        guest_state_dump_controls(v->name, console_line_sink, 0);
    } else {
        vcpu_stop_verdict(v, "%s failed: VMfailInvalid (no current VMCS)", instruction);
        vcpu_announce_stop(v);
    }
}
