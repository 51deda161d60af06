/* A guest vCPU's pending events and what to inject at each VM entry (Intel SDM Vol. 3C:
 * "Information for VM Exits During Event Delivery", "Event Injection", the VM-entry checks
 * "Checks on VM-Entry Control Fields" and "Checks on Guest Non-Register State", interrupt- and
 * NMI-window exiting; Vol. 3A 6.9 "Priority Among Concurrent Exceptions and Interrupts" and
 * 6.15 "Interrupt 8—Double Fault Exception", Table 6-5). Pure: the caller reads the VMCS
 * fields and passes them in, and writes the decision's fields out. */
#ifndef VCPU_EVENTS_H
#define VCPU_EVENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arch/x86/vectors.h"
#include "lib/diag.h"
#include "vmx/vmx_state.h"

/* External interrupts use vectors 16-255: the local APIC reports 0-15 as illegal vectors
 * (Vol. 3A "Valid Interrupt Vectors"), and the virtual interrupt controller that will feed
 * this module is a local APIC. */
#define EVENT_IRQ_VECTOR_MIN    16u

/* Where external interrupts come from. NULL callbacks: the vector set built into struct
 * vcpu_events, filled by events_raise_irq. A virtual interrupt controller plugs in its own. */
struct event_irq_source {
    int (*highest_pending)(void *ctx);              /* the vector to deliver next, or -1 */
    void (*acknowledge)(void *ctx, uint8_t vector); /* it was injected: no longer pending */
    void *ctx;
};

/* The event whose delivery the last VM exit interrupted (IDT-vectoring information). */
struct event_reinjection {
    bool valid;
    uint8_t type;                   /* VMX_INTR_TYPE_* */
    uint8_t vector;
    uint32_t error_code;            /* the IDT-vectoring error code, when it had one */
    uint32_t instruction_length;    /* software interrupts and exceptions: 1-15 */
};

struct vcpu_events {
    struct event_reinjection reinject;  /* first at the next entry */
    bool exception_pending;             /* one hardware exception the hypervisor raised */
    uint8_t exception_vector;
    uint32_t exception_error_code;      /* delivered only where the vector and mode push one */
    bool nmi_pending;                   /* one latched NMI, as a CPU latches one */
    uint64_t irq_pending[4];            /* the built-in source: bit v = vector v pending */
    struct event_irq_source irq_source;
    bool triple_fault;                  /* sticky until events_clear: the vCPU must stop */
    const struct diag *diag;            /* refused requests and malformed exit fields */
};

/* What decides whether an event can be delivered now, read from the guest-state area. */
struct event_guest_state {
    bool interrupt_flag;        /* RFLAGS.IF */
    uint32_t interruptibility;  /* the interruptibility-state field: STI, MOV-SS, SMI, NMI */
    uint32_t activity_state;    /* VMX_ACTIVITY_* */
    bool protected_mode;        /* CR0.PE: in real mode no exception pushes an error code */
    uint8_t task_priority;      /* the guest's TPR (CR8): interrupts of class <= it wait */
};

/* What to do before the next VM entry. */
struct event_decision {
    bool triple_fault;              /* stop the vCPU: an exception during #DF delivery */
    bool inject;                    /* write the three VM-entry event-injection fields */
    uint32_t interruption_info;     /* VM-entry interruption-information field */
    uint32_t error_code;            /* VM-entry exception error code (if bit 11 is set) */
    uint32_t instruction_length;    /* VM-entry instruction length (types 4, 5, 6) */
    bool interrupt_window;          /* the "interrupt-window exiting" control: 1 or 0 */
    bool nmi_window;                /* the "NMI-window exiting" control: 1 or 0 */
    bool wake;                      /* activity state HLT -> active: the event wakes it */
    bool clear_nmi_blocking;        /* clear interruptibility bit 3 (re-injected NMI) */
};

enum event_queue_result {
    EVENT_QUEUED,           /* pending; a benign predecessor is replaced (handled serially) */
    EVENT_DOUBLE_FAULT,     /* it and the exception before it became #DF */
    EVENT_TRIPLE_FAULT,     /* it came during #DF delivery: the vCPU must stop */
    EVENT_REFUSED,          /* not a hardware exception vector (reported) */
};

/* Empty, with the built-in interrupt source; diag may be NULL. */
void events_init(struct vcpu_events *ev, const struct diag *diag);

/* A restart: every pending and re-injected event and the triple-fault verdict are dropped.
 * The diag sink and the interrupt source stay (a plugged-in source keeps its own state). */
void events_clear(struct vcpu_events *ev);

/* Plug in an interrupt source; NULL restores the built-in vector set. */
void events_set_irq_source(struct vcpu_events *ev, const struct event_irq_source *source);

/* On every VM exit, with the IDT-vectoring information and error-code fields and the VM-exit
 * instruction length. A valid IDT-vectoring information means the exit interrupted the
 * delivery of that event: it is kept and re-injected before anything else. */
void events_exit_record(struct vcpu_events *ev, uint32_t idt_vectoring_info,
                        uint32_t idt_vectoring_error_code, uint32_t exit_instruction_length);

/* A hardware exception (0-31, not 2) for the guest, combined with the exception already
 * pending or being re-injected by Vol. 3A Table 6-5. */
enum event_queue_result events_queue_exception(struct vcpu_events *ev, uint8_t vector,
                                               uint32_t error_code);

/* An NMI for the guest. A second one while one is pending is lost, as on a CPU. */
void events_raise_nmi(struct vcpu_events *ev);

/* External interrupt `vector` (16-255) into the built-in source. Returns false, reported,
 * for vectors 0-15 or while another source is plugged in. */
bool events_raise_irq(struct vcpu_events *ev, unsigned vector);

/* Before each VM entry: at most one event to inject, the window exits to ask for, and the
 * stop verdict. An injected event leaves the pending state here; if its delivery exits, the
 * next exit's IDT-vectoring information brings it back through events_exit_record. */
void events_decide(struct vcpu_events *ev, const struct event_guest_state *gs,
                   struct event_decision *out);

/* Whether exception `vector` pushes an error code in protected mode (8, 10-14, 17, 21). */
bool event_exception_has_error_code(unsigned vector);

/* "#PF", "NMI", "irq 0x30", "INT 0x80", "INT1", "INT3", "INTO" for an interruption-
 * information value (the valid bit is not looked at). Returns what fmt_snprintf returns. */
int event_format(char *buf, size_t size, uint32_t interruption_info);

#endif
