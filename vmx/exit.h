/* The VM-exit path after the assembly stub: dispatch by basic exit reason to one handler per
 * reason (SDM Vol. 3C, chapter 28 and Appendix C). Handlers say what happens next. */
#ifndef VMX_EXIT_H
#define VMX_EXIT_H

#include <stdbool.h>
#include <stdint.h>

#include "vmx/vcpu.h"
#include "vmx/vmcs.h"

enum exit_action {
    EXIT_RESUME = 0,    /* re-enter at the same RIP (e.g. after injecting a fault); the
                         * exit stub tests for 0 */
    EXIT_ADVANCE,       /* the instruction was emulated: skip it, then re-enter */
    EXIT_STOP,          /* the partition was stopped (and reported) */
};


/* Read by the handlers that use it, not by the dispatcher for every exit. */
static inline uint64_t exit_qualification(void)
{
    return vmcs_read_hot(VMCS_EXIT_INFO_QUALIFICATION);
}

typedef enum exit_action (*exit_handler_fn)(struct vcpu *v, const struct exit_info *e);

/* Called by vmx/exit_stub.S on every exit: reads the exit, counts it, runs its handler,
 * advances RIP when asked. Returns EXIT_RESUME or EXIT_STOP. */
enum exit_action vmx_exit_dispatch(struct vcpu *v);

/* Reports a failed VMLAUNCH/VMRESUME (vmx_enter's result) and stops the partition. */
void vmx_entry_failed(struct vcpu *v, int enter_result);

/* Stops the partition with the full report: reason by name, qualification decoded,
 * guest RIP, RSP, CR3, and the guest-physical and linear addresses where they apply. */
enum exit_action exit_stop_with_report(struct vcpu *v, const struct exit_info *e,
                                       const char *why);

/* Event injection through the VM-entry interruption-information field (SDM 25.8.3). */
void vmx_inject_hw_exception(uint8_t vector, bool has_error_code, uint32_t error_code);
#define VECTOR_UD 6
#define VECTOR_GP 13

/* General register by the index exit qualifications use (0 RAX, 1 RCX, ... 4 RSP, ... 15 R15). */
uint64_t exit_read_gpr(const struct vcpu *v, unsigned index);
void exit_write_gpr(struct vcpu *v, unsigned index, uint64_t value);

/* The guest's current privilege level: SS.DPL (SDM 25.4.1). */
static inline unsigned exit_guest_cpl(void)
{
    return (unsigned)(vmcs_read_hot(VMCS_GUEST_SS_ACCESS_RIGHTS) >> 5) & 3;
}

struct cpuid_regs;
/* CPUID as every partition sees it (vmx/exit_cpuid.c); the shell's `cpuid` shows it too. */
void vcpu_cpuid(uint32_t leaf, uint32_t subleaf, struct cpuid_regs *out);

/* Handlers, one family per file (vmx/exit_*.c, vmx/vmcall.c). */
enum exit_action exit_cpuid(struct vcpu *v, const struct exit_info *e);
enum exit_action exit_io(struct vcpu *v, const struct exit_info *e);
enum exit_action exit_rdmsr(struct vcpu *v, const struct exit_info *e);
enum exit_action exit_wrmsr(struct vcpu *v, const struct exit_info *e);
enum exit_action exit_cr_access(struct vcpu *v, const struct exit_info *e);
enum exit_action exit_xsetbv(struct vcpu *v, const struct exit_info *e);
enum exit_action exit_vmcall(struct vcpu *v, const struct exit_info *e);
enum exit_action exit_hlt(struct vcpu *v, const struct exit_info *e);
enum exit_action exit_invd_wbinvd(struct vcpu *v, const struct exit_info *e);
enum exit_action exit_undefined_opcode(struct vcpu *v, const struct exit_info *e);
enum exit_action exit_triple_fault(struct vcpu *v, const struct exit_info *e);
enum exit_action exit_ept_violation(struct vcpu *v, const struct exit_info *e);
enum exit_action exit_ept_misconfig(struct vcpu *v, const struct exit_info *e);
enum exit_action exit_init_signal(struct vcpu *v, const struct exit_info *e);
enum exit_action exit_sipi(struct vcpu *v, const struct exit_info *e);
enum exit_action exit_exception_nmi(struct vcpu *v, const struct exit_info *e);
enum exit_action exit_external_interrupt(struct vcpu *v, const struct exit_info *e);
enum exit_action exit_preemption_timer(struct vcpu *v, const struct exit_info *e);

#endif
