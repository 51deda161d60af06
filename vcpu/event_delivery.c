/* Events between the events module (vcpu/events.c, pure) and the VMCS: what exits tell it
 * (IDT-vectoring information, SDM Vol. 3C 28.2.4), what it decides before each entry (the
 * VM-entry event-injection fields, 25.8.3; interrupt- and NMI-window exiting, 25.6.2; the
 * activity and interruptibility state, 25.4.2), and the window exits (27.2). */
#include "arch/x86/cpu_regs.h"
#include "drivers/console.h"
#include "vcpu/exit.h"
#include "vmx/vmx_controls.h"
#include "vmx/vmxon.h"

#define CR0_PE_BIT      1u

void vcpu_inject_exception(struct vcpu *v, uint8_t vector, uint32_t error_code)
{
    events_queue_exception(&v->events, vector, error_code);
    v->events_pending = 1;
}

bool vcpu_raise_irq(struct vcpu *v, unsigned vector)
{
    if (!events_raise_irq(&v->events, vector))
        return false;
    v->events_pending = 1;
    return true;
}

void vcpu_raise_nmi(struct vcpu *v)
{
    events_raise_nmi(&v->events);
    v->events_pending = 1;
}

void vcpu_clear_events(struct vcpu *v)
{
    events_clear(&v->events);
    v->events_pending = 0;
}

void vcpu_note_event_delivery(struct vcpu *v)
{
    uint32_t info = (uint32_t)vcpu_vmread(VMCS_EXIT_INFO_IDT_VECTORING_INFO);
    if (!(info & VMX_INTR_INFO_VALID))
        return;
    uint32_t error = (info & VMX_INTR_DELIVER_ERROR_CODE)
                         ? (uint32_t)vcpu_vmread(VMCS_EXIT_INFO_IDT_VECTORING_ERROR_CODE) : 0;
    events_exit_record(&v->events, info, error,
                       (uint32_t)vcpu_vmread(VMCS_EXIT_INFO_INSTRUCTION_LENGTH));
    v->events_pending = 1;
}

/* A window control this CPU lacks is never set (it would fail the entry): the event then
 * waits for the next exit of any kind. NMI-window exiting also needs "virtual NMIs"
 * (SDM 26.2.1.1). */
static bool window_available(uint32_t bit)
{
    const struct vmx_config *c = vmx_config();
    if (!(c->caps.ctl[VMX_CTL_PRIMARY].allowed1 & bit))
        return false;
    return bit != VMX_PROC_NMI_WINDOW_EXITING || (c->controls.pin & VMX_PIN_VIRTUAL_NMIS);
}

enum vcpu_verdict vcpu_deliver_events(struct vcpu *v)
{
    if (v->stop_requested)
        return vcpu_stop_verdict(v, "%s", v->stop_request_reason ? v->stop_request_reason
                                                                : "stopped from the shell");
    uint32_t interruptibility = (uint32_t)vcpu_vmread(VMCS_GUEST_INTERRUPTIBILITY_STATE);
    uint64_t rflags = vcpu_vmread(VMCS_GUEST_RFLAGS);
    const struct event_guest_state gs = {
        .interrupt_flag = (rflags & RFLAGS_IF) != 0,
        .interruptibility = interruptibility,
        .activity_state = (uint32_t)vcpu_vmread(VMCS_GUEST_ACTIVITY_STATE),
        .protected_mode = (vcpu_vmread(VMCS_CTRL_EXEC_CR0_READ_SHADOW) & CR0_PE_BIT) != 0,
        .task_priority = v->tpr,
    };
    struct event_decision d;
    events_decide(&v->events, &gs, &d);
    v->events_pending = 0;
    if (d.triple_fault) {
        v->shut_down = true;
        vcpu_stop_verdict(v, "triple fault (an exception while delivering a double fault)");
        return VCPU_STOP;
    }
    if (d.inject) {
        /* An event raised on an instruction in a shadow, with TF: the entry checks still want
         * BS (26.3.1.5), and a vectoring entry delivers no pending debug exception (26.6.3),
         * so setting it changes nothing the guest sees. */
        uint64_t pending = vcpu_vmread(VMCS_GUEST_PENDING_DEBUG_EXCEPTIONS);
        uint64_t wanted = pending_debug_for_entry(pending, rflags, interruptibility,
                                                  gs.activity_state,
                                                  vcpu_vmread(VMCS_GUEST_IA32_DEBUGCTL));
        if (wanted != pending)
            vcpu_vmwrite(VMCS_GUEST_PENDING_DEBUG_EXCEPTIONS, wanted);
        vcpu_vmwrite(VMCS_CTRL_ENTRY_INTERRUPTION_INFO, d.interruption_info);
        if (d.interruption_info & VMX_INTR_DELIVER_ERROR_CODE)
            vcpu_vmwrite(VMCS_CTRL_ENTRY_EXCEPTION_ERROR_CODE, d.error_code);
        vcpu_vmwrite(VMCS_CTRL_ENTRY_INSTRUCTION_LENGTH, d.instruction_length);
    }
    if (d.wake) {
        vcpu_vmwrite(VMCS_GUEST_ACTIVITY_STATE, VMX_ACTIVITY_ACTIVE);
        v->state = VCPU_RUNNING;
        vcpu_timer_rearm(v);        /* its management slots come every period again */
    }
    if (d.clear_nmi_blocking)
        vcpu_vmwrite(VMCS_GUEST_INTERRUPTIBILITY_STATE,
                     interruptibility & ~(uint32_t)VMX_INTERRUPTIBILITY_NMI);
    uint32_t primary = (uint32_t)vcpu_vmread(VMCS_CTRL_EXEC_PRIMARY_PROC_BASED);
    uint32_t wanted = primary & ~(uint32_t)(VMX_PROC_INTERRUPT_WINDOW_EXITING |
                                            VMX_PROC_NMI_WINDOW_EXITING);
    if (d.interrupt_window && window_available(VMX_PROC_INTERRUPT_WINDOW_EXITING))
        wanted |= VMX_PROC_INTERRUPT_WINDOW_EXITING;
    if (d.nmi_window && window_available(VMX_PROC_NMI_WINDOW_EXITING))
        wanted |= VMX_PROC_NMI_WINDOW_EXITING;
    if (wanted != primary)
        vcpu_vmwrite(VMCS_CTRL_EXEC_PRIMARY_PROC_BASED, wanted);
    return VCPU_RESUME;
}

/* The guest can now take what waited: decide again (the windows are cleared there). */
enum vcpu_verdict exit_interrupt_window(struct vcpu *v)
{
    (void)v;
    return VCPU_EVENTS;
}

enum vcpu_verdict exit_nmi_window(struct vcpu *v)
{
    (void)v;
    return VCPU_EVENTS;
}
