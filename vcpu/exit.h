/* The VM-exit path after the assembly stub: one handler per basic exit reason (SDM Vol. 3C,
 * chapter 28 and Appendix C), each deciding from the exit and the vCPU, returning a verdict.
 * The helpers here are what the handler families share. */
#ifndef VCPU_EXIT_H
#define VCPU_EXIT_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/x86/vectors.h"
#include "vcpu/hw.h"
#include "vcpu/rip_advance.h"
#include "vcpu/vcpu.h"
#include "vmx/vmx_state.h"

typedef enum vcpu_verdict (*exit_handler_fn)(struct vcpu *v);

/* Every exit, from the stub (vmx_exit_handler): counts it and runs its handler (vcpu/dispatch.c);
 * one exit in VCPU_COST_SAMPLE is also recorded in the ring and timed. The handler's verdict
 * goes back to the stub unchanged. */
enum vcpu_verdict vcpu_exit_dispatch(struct vcpu *v);
/* A non-zero verdict (vmx_exit_slow_handler): events delivered, or the stop reported.
 * Returns VCPU_RESUME or VCPU_STOP. */
enum vcpu_verdict vcpu_exit_slow(struct vcpu *v, enum vcpu_verdict verdict);

/* The management slot, when its host deadline has passed, after another exit's handler (the
 * sampled exits: the preemption timer counts only guest time, so a guest that exits without
 * pause would otherwise stretch the slots by its exits' root-mode time). */
enum vcpu_verdict vcpu_management_slot_due(struct vcpu *v, enum vcpu_verdict verdict);

/* The preemption timer for the vCPU's deadlines as they are now (its state decides whether a
 * halted guest's CPU skips management slots: VCPU_IDLE_TICK_MS). */
void vcpu_timer_rearm(struct vcpu *v);

/* Injects what the events module decides (vcpu/events.h); VCPU_RESUME or VCPU_STOP. */
enum vcpu_verdict vcpu_deliver_events(struct vcpu *v);

/* After a handler that may have run other work (the management slot, an interrupt handler, a
 * cross-CPU call): the stub's slow path, which clears the L1D or CPU buffers before the entry
 * (vcpu_exit_slow). Exits that did no other work keep the fast path and pay nothing. */
static inline enum vcpu_verdict vcpu_slow_after_other_work(enum vcpu_verdict verdict)
{
    if (vcpu_host_did_other_work() && !(verdict & VCPU_STOP))
        verdict = (enum vcpu_verdict)(verdict | VCPU_EVENTS);
    return verdict;
}

/* Read by the handlers that use it, not by the dispatcher for every exit. */
static inline uint64_t exit_qualification(void)
{
    return vcpu_vmread_hot(VMCS_EXIT_INFO_QUALIFICATION);
}

/* The verdict after handling: resume, unless an event waits for delivery. */
static inline enum vcpu_verdict vcpu_resume(const struct vcpu *v)
{
    return (enum vcpu_verdict)v->events_pending;
}

/* rip_advance's whole rule, for the cases vcpu_advance's tests leave out (vcpu/exit_debug.c). */
enum vcpu_verdict vcpu_advance_slow(struct vcpu *v);

/* The instruction was emulated: the boundary after it as the CPU would have left it
 * (vcpu/rip_advance.h: RIP past it by the VM-exit instruction length (SDM 28.2.5), wrapped
 * to the code size, the interrupt shadow ended, RF cleared, a single-step trap for TF). The
 * common exit tests the flags once, then adds the length to RIP's low 16 bits alone: without
 * a carry out of them that is the whole sum, and with one rip_advance decides. */
static inline enum vcpu_verdict vcpu_advance(struct vcpu *v)
{
    uint64_t rflags = vcpu_vmread_hot(VMCS_GUEST_RFLAGS);
    uint64_t interruptibility = vcpu_vmread_hot(VMCS_GUEST_INTERRUPTIBILITY_STATE);
    if (__builtin_expect(!rip_advance_flags_plain(rflags, interruptibility), 0))
        return vcpu_advance_slow(v);
    uint64_t rip = vcpu_vmread_hot(VMCS_GUEST_RIP);
    uint64_t length = vcpu_vmread_hot(VMCS_EXIT_INFO_INSTRUCTION_LENGTH);
    bool carry;
    __asm__("addw %w[length], %w[rip]" : [rip] "+r"(rip), "=@ccc"(carry) : [length] "r"(length));
    if (__builtin_expect(carry, 0))
        return vcpu_advance_slow(v);
    vcpu_vmwrite_hot(VMCS_GUEST_RIP, rip);
    return vcpu_resume(v);
}

/* The same for an instruction whose length the hypervisor decoded itself (an exit that gives
 * none, as EPT violations do), run with code size mode. */
enum vcpu_verdict vcpu_advance_by(struct vcpu *v, unsigned length, enum insn_mode mode);

/* The code size the guest runs with now, from CS and EFER.LMA (SDM Vol. 3A 5.2.1). */
enum insn_mode vcpu_code_mode(void);

/* Queues a hardware exception (arch/x86/vectors.h) for the guest at the next VM entry; the
 * events module decides whether it pushes error_code (vcpu/event_delivery.c). */
void vcpu_inject_exception(struct vcpu *v, uint8_t vector, uint32_t error_code);
/* Events that may have interrupted the guest's own event delivery (SDM 28.2.4): handlers of
 * exits that are not caused by an instruction call this first, so an interrupted event is
 * delivered again and never lost. */
void vcpu_note_event_delivery(struct vcpu *v);

/* The physical-address width the guest's paging structures use: CPUID.80000008H:EAX[7:0],
 * 36 where the leaf is absent (SDM Vol. 3A 4.1.4). */
unsigned vcpu_maxphyaddr(void);

struct guest_paging_state;
struct guest_memory;
/* The guest's paging as the CPU has it now: CR0 and CR4 as the guest runs with them, and the
 * PDPTE registers EPT keeps in the VMCS for PAE paging (vcpu/exit_mmio.c). */
void vcpu_paging_state(struct guest_paging_state *s);
/* The partition's RAM for vcpu/guest_walk.c's reads. */
struct guest_memory vcpu_guest_memory(struct vcpu *v);

/* A port as IN and OUT find it, device, one-way grant or nothing, for an access the handler
 * performs itself (string I/O); vcpu/exit_io.c. */
uint32_t vcpu_port_read(struct vcpu *v, uint16_t port, unsigned size);
void vcpu_port_write(struct vcpu *v, uint16_t port, unsigned size, uint32_t value);

/* General register by the index exit qualifications use (0 RAX, 1 RCX, ... 4 RSP, ... 15 R15). */
uint64_t vcpu_read_gpr(const struct vcpu *v, unsigned index);
void vcpu_write_gpr(struct vcpu *v, unsigned index, uint64_t value);

/* The guest's current privilege level: SS.DPL (SDM 25.4.1). */
static inline unsigned vcpu_guest_cpl(void)
{
    return (unsigned)(vcpu_vmread_hot(VMCS_GUEST_SS_ACCESS_RIGHTS) >> 5) & 3;
}

/* The low and high halves of an MSR or XCR value from EDX:EAX. */
static inline uint64_t vcpu_edx_eax(const struct vcpu *v)
{
    return ((v->regs.rdx & 0xFFFFFFFFULL) << 32) | (v->regs.rax & 0xFFFFFFFFULL);
}

/* CR4 bits a guest may set: what VMX allows in non-root operation, VMXE excepted (VMX is
 * hidden). The CR4 write rules and the CPUID policy both follow it. */
uint64_t vcpu_guest_cr4_allowed(void);

struct cpuid_regs;
/* Builds v's CPUID table (vcpu/cpuid_policy.h) on its own CPU from the host's CPUID, the
 * negotiated controls and the devices and MSR grants it has now: at every (re)start, after its
 * devices are attached. */
void vcpu_cpuid_prepare(struct vcpu *v);
/* CPUID as a partition without devices or MSR grants sees it, CR4 and XCR0 at reset; for the
 * shell's `cpuid`. */
void vcpu_cpuid(uint32_t leaf, uint32_t subleaf, struct cpuid_regs *out);

/* Handlers, one family per file (vcpu/exit_*.c, vcpu/hypercall.c); x is this exit's record. */
enum vcpu_verdict exit_cpuid(struct vcpu *v);
enum vcpu_verdict exit_io(struct vcpu *v);
/* INS/OUTS to a port that exits (vcpu/exit_io_string.c); q is the exit qualification. */
enum vcpu_verdict exit_io_string(struct vcpu *v, uint64_t q);
enum vcpu_verdict exit_rdmsr(struct vcpu *v);
enum vcpu_verdict exit_wrmsr(struct vcpu *v);
enum vcpu_verdict exit_cr_access(struct vcpu *v);
enum vcpu_verdict exit_xsetbv(struct vcpu *v);
enum vcpu_verdict exit_vmcall(struct vcpu *v);
enum vcpu_verdict exit_hlt(struct vcpu *v);
enum vcpu_verdict exit_invd_wbinvd(struct vcpu *v);
enum vcpu_verdict exit_monitor_mwait(struct vcpu *v);
enum vcpu_verdict exit_rdpmc(struct vcpu *v);
enum vcpu_verdict exit_undefined_opcode(struct vcpu *v);
enum vcpu_verdict exit_triple_fault(struct vcpu *v);
enum vcpu_verdict exit_ept_violation(struct vcpu *v);
enum vcpu_verdict exit_ept_misconfig(struct vcpu *v);
enum vcpu_verdict exit_init_signal(struct vcpu *v);
enum vcpu_verdict exit_sipi(struct vcpu *v);
enum vcpu_verdict exit_exception_nmi(struct vcpu *v);
/* A hardware #DB the exception bitmap caught (vcpu/exit_debug.c). */
enum vcpu_verdict exit_debug_exception(struct vcpu *v);
enum vcpu_verdict exit_external_interrupt(struct vcpu *v);
enum vcpu_verdict exit_preemption_timer(struct vcpu *v);
enum vcpu_verdict exit_interrupt_window(struct vcpu *v);
enum vcpu_verdict exit_nmi_window(struct vcpu *v);

#endif
