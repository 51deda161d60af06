/* A guest vCPU's pending events and the choice, before each VM entry, of what to inject
 * (Intel SDM Vol. 3C "Information for VM Exits During Event Delivery", "Event Injection",
 * "Checks on VM-Entry Control Fields", "Checks on Guest Non-Register State", interrupt- and
 * NMI-window exiting; Vol. 3A 6.9 priorities and 6.15 Tables 6-4 and 6-5). Pure. */
#include "vcpu/events.h"

#include "lib/format.h"

#define INTR_TYPE(info)     (((info) & VMX_ENTRY_INTR_TYPE_MASK) >> VMX_ENTRY_INTR_TYPE_SHIFT)
#define INTR_VECTOR(info)   ((info) & VMX_ENTRY_INTR_VECTOR_MASK)
#define BLOCKING_STI_MOV_SS (VMX_INTERRUPTIBILITY_STI | VMX_INTERRUPTIBILITY_MOV_SS)

/* ---- exception classes (Vol. 3A 6.15, Table 6-4) --------------------------------------- */

enum exception_class { CLASS_BENIGN, CLASS_CONTRIBUTORY, CLASS_PAGE_FAULT };

/* Everything not listed is benign, NMI, INT n and external interrupts included. #CP joined
 * the contributory class with CET; #VE is classed with page faults. */
static enum exception_class exception_class(unsigned vector)
{
    switch (vector) {
    case X86_VECTOR_DE:
    case X86_VECTOR_TS:
    case X86_VECTOR_NP:
    case X86_VECTOR_SS:
    case X86_VECTOR_GP:
    case X86_VECTOR_CP:
        return CLASS_CONTRIBUTORY;
    case X86_VECTOR_PF:
    case X86_VECTOR_VE:
        return CLASS_PAGE_FAULT;
    default:
        return CLASS_BENIGN;
    }
}

/* Table 6-5 "Conditions for Generating a Double Fault": what `second`, raised while `first`
 * is delivered, becomes. A fault while delivering #DF shuts the CPU down (triple fault). The
 * benign combinations are handled serially: the second exception is delivered and the first
 * is not kept; a fault comes back when its instruction is executed again, which is also what
 * the SDM's advice on reflecting exceptions to guest software says a VMM should do. */
static enum event_queue_result combine(unsigned first, unsigned second)
{
    enum exception_class a = exception_class(first), b = exception_class(second);

    if (first == X86_VECTOR_DF)
        return EVENT_TRIPLE_FAULT;
    if (a == CLASS_CONTRIBUTORY && b == CLASS_CONTRIBUTORY)
        return EVENT_DOUBLE_FAULT;
    if (a == CLASS_PAGE_FAULT && b != CLASS_BENIGN)
        return EVENT_DOUBLE_FAULT;
    return EVENT_QUEUED;
}

bool event_exception_has_error_code(unsigned vector)
{
    switch (vector) {
    case X86_VECTOR_DF:
    case X86_VECTOR_TS:
    case X86_VECTOR_NP:
    case X86_VECTOR_SS:
    case X86_VECTOR_GP:
    case X86_VECTOR_PF:
    case X86_VECTOR_AC:
    case X86_VECTOR_CP:
        return true;
    default:
        return false;
    }
}

/* "Checks on VM-Entry Control Fields": deliver-error-code is 1 exactly for a hardware
 * exception that pushes one, and only when CR0.PE is 1 (with "unrestricted guest" 0, PE is 1
 * anyway). Software exceptions never push one. */
static bool pushes_error_code(unsigned type, unsigned vector, const struct event_guest_state *gs)
{
    return type == VMX_INTR_TYPE_HW_EXCEPTION && gs->protected_mode &&
           event_exception_has_error_code(vector);
}

/* Types whose injection uses the VM-entry instruction length: the CPU pushes RIP plus that
 * length, as the instruction would have ("Event Injection"). */
static bool is_software_event(unsigned type)
{
    return type == VMX_INTR_TYPE_SOFTWARE_INTERRUPT ||
           type == VMX_INTR_TYPE_PRIV_SOFTWARE_EXCEPTION ||
           type == VMX_INTR_TYPE_SOFTWARE_EXCEPTION;
}

/* ---- state ------------------------------------------------------------------------------ */

void events_init(struct vcpu_events *ev, const struct diag *diag)
{
    *ev = (struct vcpu_events){ .diag = diag };
}

void events_clear(struct vcpu_events *ev)
{
    struct event_irq_source source = ev->irq_source;
    const struct diag *diag = ev->diag;

    *ev = (struct vcpu_events){ .irq_source = source, .diag = diag };
}

void events_set_irq_source(struct vcpu_events *ev, const struct event_irq_source *source)
{
    if (source && (!source->highest_pending || !source->acknowledge)) {
        diag_report(ev->diag, "events: an interrupt source needs both callbacks: "
                              "keeping the built-in one");
        source = NULL;
    }
    ev->irq_source = source ? *source : (struct event_irq_source){ 0 };
}

/* ---- exits: the event whose delivery was interrupted ------------------------------------ */

/* The hardware never writes a malformed IDT-vectoring field; one that is refused here is not
 * re-injected, because an entry with it would fail. A software interrupt or exception whose
 * instruction length is unusable is still not lost: the guest's RIP is at the instruction,
 * which raises it again when it runs. */
static bool idt_vectoring_usable(const struct vcpu_events *ev, uint32_t info, uint32_t length)
{
    unsigned type = INTR_TYPE(info), vector = INTR_VECTOR(info);
    const char *why = NULL;

    if (type == 1 || type == VMX_INTR_TYPE_OTHER_EVENT)
        why = "not an event delivered through the IDT";
    else if (type == VMX_INTR_TYPE_NMI && vector != X86_VECTOR_NMI)
        why = "an NMI is vector 2";
    else if (type == VMX_INTR_TYPE_HW_EXCEPTION && vector >= X86_EXCEPTION_VECTORS)
        why = "a hardware exception is vector 0-31";
    else if (is_software_event(type) && (length == 0 || length > VMX_ENTRY_INSTRUCTION_LENGTH_MAX))
        why = "a software event's instruction length is 1-15";
    if (why)
        diag_report(ev->diag, "events: IDT-vectoring information 0x%08x (instruction length "
                              "%u) not re-injected: %s", info, length, why);
    return why == NULL;
}

/* An exit during event delivery ("Information for VM Exits During Event Delivery": an EPT
 * violation on the guest's IDT or stack, an exception-bitmap exit, a task switch, an APIC
 * access) has not delivered the event: it must be injected again, before anything else. Its
 * error code and, for software interrupts and exceptions, the instruction length (the VM-exit
 * instruction length holds it for exactly these exits) come back with it.
 *
 * NMIs: when the previous entry injected the NMI, "virtual NMIs" set virtual-NMI blocking at
 * that entry and the exit saves it as 1 in the interruptibility state, though the guest's NMI
 * handler never ran. So a re-injected NMI is not held back by NMI blocking: it is injected
 * again and the decision asks to clear blocking bit 3, without which the entry fails (no NMI
 * injection under virtual-NMI blocking, "Checks on Guest Non-Register State"). */
void events_exit_record(struct vcpu_events *ev, uint32_t idt_vectoring_info,
                        uint32_t idt_vectoring_error_code, uint32_t exit_instruction_length)
{
    unsigned type = INTR_TYPE(idt_vectoring_info);

    if (!(idt_vectoring_info & VMX_ENTRY_INTR_VALID))
        return;
    if (!idt_vectoring_usable(ev, idt_vectoring_info, exit_instruction_length))
        return;
    /* Bit 12 of the field is undefined and bits 30:12 must be 0 on entry: only the vector
     * and type are kept; the error-code bit is decided again from vector and mode. */
    ev->reinject = (struct event_reinjection){
        .valid = true,
        .type = (uint8_t)type,
        .vector = (uint8_t)INTR_VECTOR(idt_vectoring_info),
        .error_code = (idt_vectoring_info & VMX_INTR_DELIVER_ERROR_CODE)
                          ? idt_vectoring_error_code : 0,
        .instruction_length = is_software_event(type) ? exit_instruction_length : 0,
    };
}

/* ---- raising events --------------------------------------------------------------------- */

/* The new exception meets the event being delivered (a re-injection) or, failing that, the
 * exception still pending. A re-injected event that is not a hardware exception is benign
 * (NMI, INT n, INTR, and INT1/INT3/INTO: vectors 1, 3 and 4), so it is dropped for the new
 * exception, as the SDM's reflection advice does. */
enum event_queue_result events_queue_exception(struct vcpu_events *ev, uint8_t vector,
                                               uint32_t error_code)
{
    const struct event_reinjection *r = &ev->reinject;
    enum event_queue_result result = EVENT_QUEUED;

    if (vector >= X86_EXCEPTION_VECTORS || vector == X86_VECTOR_NMI) {
        diag_report(ev->diag, "events: vector %u is not a hardware exception: refused", vector);
        return EVENT_REFUSED;
    }
    if (ev->triple_fault)
        return EVENT_TRIPLE_FAULT;
    if (r->valid && r->type == VMX_INTR_TYPE_HW_EXCEPTION)
        result = combine(r->vector, vector);
    else if (!r->valid && ev->exception_pending)
        result = combine(ev->exception_vector, vector);

    ev->reinject.valid = false;
    if (result == EVENT_TRIPLE_FAULT) {
        ev->triple_fault = true;
        ev->exception_pending = false;
        return result;
    }
    ev->exception_pending = true;
    ev->exception_vector = result == EVENT_DOUBLE_FAULT ? X86_VECTOR_DF : vector;
    ev->exception_error_code = result == EVENT_DOUBLE_FAULT ? 0 : error_code;
    return result;
}

void events_raise_nmi(struct vcpu_events *ev)
{
    ev->nmi_pending = true;
}

bool events_raise_irq(struct vcpu_events *ev, unsigned vector)
{
    if (vector < EVENT_IRQ_VECTOR_MIN || vector > 0xFF) {
        diag_report(ev->diag, "events: irq vector %u refused: external interrupts use 16-255",
                    vector);
        return false;
    }
    if (ev->irq_source.highest_pending) {
        diag_report(ev->diag, "events: irq 0x%02x refused: another interrupt source is plugged in",
                    vector);
        return false;
    }
    ev->irq_pending[vector / 64] |= 1ull << (vector % 64);
    return true;
}

/* ---- the interrupt source --------------------------------------------------------------- */

static void irq_acknowledge(struct vcpu_events *ev, unsigned vector)
{
    if (ev->irq_source.acknowledge)
        ev->irq_source.acknowledge(ev->irq_source.ctx, (uint8_t)vector);
    else
        ev->irq_pending[vector / 64] &= ~(1ull << (vector % 64));
}

/* The vector to deliver next, or -1. The built-in set delivers the highest vector first. A
 * plugged-in source's illegal vector is reported and acknowledged, which drops it, as a
 * local APIC drops an illegal vector. */
static int irq_highest(struct vcpu_events *ev)
{
    if (ev->irq_source.highest_pending) {
        int vector = ev->irq_source.highest_pending(ev->irq_source.ctx);
        if (vector < 0)
            return -1;
        if (vector >= (int)EVENT_IRQ_VECTOR_MIN && vector <= 0xFF)
            return vector;
        diag_report(ev->diag, "events: the interrupt source gave vector %d: dropped", vector);
        if (vector < (int)EVENT_IRQ_VECTOR_MIN)
            ev->irq_source.acknowledge(ev->irq_source.ctx, (uint8_t)vector);
        return -1;
    }
    for (int word = 3; word >= 0; word--)
        if (ev->irq_pending[word])
            return word * 64 + 63 - __builtin_clzll(ev->irq_pending[word]);
    return -1;
}

/* ---- the decision before each entry ----------------------------------------------------- */

static void inject(struct event_decision *out, const struct event_guest_state *gs,
                   unsigned type, unsigned vector, uint32_t error_code,
                   uint32_t instruction_length)
{
    bool with_error = pushes_error_code(type, vector, gs);

    out->inject = true;
    out->interruption_info = VMX_ENTRY_INTR_VALID | type << VMX_ENTRY_INTR_TYPE_SHIFT | vector |
                             (with_error ? VMX_INTR_DELIVER_ERROR_CODE : 0);
    out->error_code = with_error ? (error_code & VMX_ENTRY_ERROR_CODE_MASK) : 0;
    out->instruction_length = is_software_event(type) ? instruction_length : 0;
}

/* The interrupted event goes first, whatever else is pending: its delivery had already begun
 * in the guest. Only the entry checks can hold it back, and for an event the CPU was
 * delivering they do not fail (an external interrupt was delivered with IF = 1 and no STI or
 * MOV-SS blocking); the checks are kept so that a caller's mistake waits for its window
 * instead of failing the entry. */
static void decide_reinjection(struct vcpu_events *ev, const struct event_guest_state *gs,
                               struct event_decision *out)
{
    struct event_reinjection *r = &ev->reinject;
    bool sti_mov_ss = (gs->interruptibility & BLOCKING_STI_MOV_SS) != 0;

    if (r->type == VMX_INTR_TYPE_NMI) {
        out->clear_nmi_blocking = true;     /* see events_exit_record */
        if (sti_mov_ss) {
            out->nmi_window = true;
            return;
        }
    } else if (r->type == VMX_INTR_TYPE_EXTERNAL && (!gs->interrupt_flag || sti_mov_ss)) {
        out->interrupt_window = true;
        return;
    }
    inject(out, gs, r->type, r->vector, r->error_code, r->instruction_length);
    r->valid = false;
}

/* "Checks on Guest Non-Register State": an NMI cannot be injected under MOV-SS blocking, nor
 * under virtual-NMI blocking; some CPUs also refuse it under STI blocking, so that counts as
 * blocking too. A blocked NMI waits for its NMI-window exit. */
static bool decide_nmi(struct vcpu_events *ev, const struct event_guest_state *gs,
                       struct event_decision *out)
{
    if (!ev->nmi_pending)
        return false;
    if (gs->interruptibility & (BLOCKING_STI_MOV_SS | VMX_INTERRUPTIBILITY_NMI))
        return false;
    inject(out, gs, VMX_INTR_TYPE_NMI, X86_VECTOR_NMI, 0, 0);
    ev->nmi_pending = false;
    return true;
}

/* An external interrupt needs RFLAGS.IF = 1 and no STI or MOV-SS blocking (the same checks);
 * otherwise it waits for its interrupt-window exit. The source forgets the vector now: if
 * delivery exits, the IDT-vectoring information carries it back, so it is acknowledged
 * exactly once. */
static void decide_irq(struct vcpu_events *ev, const struct event_guest_state *gs,
                       struct event_decision *out)
{
    int vector = irq_highest(ev);

    if (vector < 0 || !gs->interrupt_flag || (gs->interruptibility & BLOCKING_STI_MOV_SS))
        return;
    /* The task priority holds back every class at or below it (Vol. 3A 11.8.3.1); a MOV to
     * CR8 that lowers it exits, and the events are decided again then. */
    if (((unsigned)vector >> 4) <= gs->task_priority)
        return;
    inject(out, gs, VMX_INTR_TYPE_EXTERNAL, (unsigned)vector, 0, 0);
    irq_acknowledge(ev, (unsigned)vector);
}

/* One event per entry, by priority: the interrupted event; then the hypervisor's pending
 * exception, which belongs to the instruction just emulated or reflected, while NMIs and
 * interrupts are recognised at the next instruction boundary, the handler's first
 * (Vol. 3A 6.9); then an NMI; then the highest external interrupt. An NMI held back by NMI
 * blocking does not hold back an interrupt.
 *
 * Whatever is still pending asks for its window exit ("interrupt-window exiting" and
 * "NMI-window exiting", primary processor-based controls): the exit comes at the first
 * instruction boundary where the event could be delivered, right after this entry's delivery
 * if nothing blocks it, and it wakes a guest in HLT. NMI-window exiting needs the "virtual
 * NMIs" control.
 *
 * Only the active and HLT states take events here: shutdown and wait-for-SIPI run no guest
 * code (the hypervisor stops a partition on a triple fault and starts no guest in
 * wait-for-SIPI), so events wait and no window is asked for. An injected event wakes HLT:
 * VM entry accepts only some events in HLT, and an event the guest takes leaves HLT anyway. */
void events_decide(struct vcpu_events *ev, const struct event_guest_state *gs,
                   struct event_decision *out)
{
    *out = (struct event_decision){ 0 };
    if (ev->triple_fault) {
        out->triple_fault = true;
        return;
    }
    if (gs->activity_state != VMX_ACTIVITY_ACTIVE && gs->activity_state != VMX_ACTIVITY_HLT)
        return;

    if (ev->reinject.valid) {
        decide_reinjection(ev, gs, out);
    } else if (ev->exception_pending) {
        inject(out, gs, VMX_INTR_TYPE_HW_EXCEPTION, ev->exception_vector,
               ev->exception_error_code, 0);
        ev->exception_pending = false;
    } else if (!decide_nmi(ev, gs, out)) {
        decide_irq(ev, gs, out);
    }

    out->nmi_window |= ev->nmi_pending;
    out->interrupt_window |= irq_highest(ev) >= 0 &&
                             ((unsigned)irq_highest(ev) >> 4) > gs->task_priority;
    out->wake = out->inject && gs->activity_state == VMX_ACTIVITY_HLT;
}

/* ---- names for reports ------------------------------------------------------------------ */

static const char *const exception_mnemonics[X86_EXCEPTION_VECTORS] = {
    [X86_VECTOR_DE] = "#DE", [X86_VECTOR_DB] = "#DB", [X86_VECTOR_NMI] = "NMI",
    [X86_VECTOR_BP] = "#BP", [X86_VECTOR_OF] = "#OF", [X86_VECTOR_BR] = "#BR",
    [X86_VECTOR_UD] = "#UD", [X86_VECTOR_NM] = "#NM", [X86_VECTOR_DF] = "#DF",
    [X86_VECTOR_TS] = "#TS", [X86_VECTOR_NP] = "#NP", [X86_VECTOR_SS] = "#SS",
    [X86_VECTOR_GP] = "#GP", [X86_VECTOR_PF] = "#PF", [X86_VECTOR_MF] = "#MF",
    [X86_VECTOR_AC] = "#AC", [X86_VECTOR_MC] = "#MC", [X86_VECTOR_XM] = "#XM",
    [X86_VECTOR_VE] = "#VE", [X86_VECTOR_CP] = "#CP",
};

int event_format(char *buf, size_t size, uint32_t interruption_info)
{
    unsigned type = INTR_TYPE(interruption_info), vector = INTR_VECTOR(interruption_info);

    switch (type) {
    case VMX_INTR_TYPE_EXTERNAL:
        return fmt_snprintf(buf, size, "irq 0x%02x", vector);
    case VMX_INTR_TYPE_NMI:
        return fmt_snprintf(buf, size, "NMI");
    case VMX_INTR_TYPE_HW_EXCEPTION:
        if (vector < X86_EXCEPTION_VECTORS && exception_mnemonics[vector])
            return fmt_snprintf(buf, size, "%s", exception_mnemonics[vector]);
        return fmt_snprintf(buf, size, "exception %u", vector);
    case VMX_INTR_TYPE_SOFTWARE_INTERRUPT:
        return fmt_snprintf(buf, size, "INT 0x%02x", vector);
    case VMX_INTR_TYPE_PRIV_SOFTWARE_EXCEPTION:
        return fmt_snprintf(buf, size, "INT1");
    case VMX_INTR_TYPE_SOFTWARE_EXCEPTION:
        if (vector == X86_VECTOR_BP || vector == X86_VECTOR_OF)
            return fmt_snprintf(buf, size, "%s", vector == X86_VECTOR_BP ? "INT3" : "INTO");
        return fmt_snprintf(buf, size, "software exception %u", vector);
    default:
        return fmt_snprintf(buf, size, "event type %u vector %u", type, vector);
    }
}
