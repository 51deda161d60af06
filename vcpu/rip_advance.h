/* The instruction boundary after an instruction the hypervisor emulated, as the CPU would have
 * left it (Intel SDM Vol. 1 3.5 and 3.6 instruction pointer and code size; Vol. 3A 6.8.3
 * interrupt shadows; Vol. 3B 17.3.1.4 single-step and 17.3.1.1 RF; Vol. 3C 26.3.1.5 checks on
 * pending debug exceptions, 26.6.3 their delivery after VM entry, 32.2 emulating with TF).
 * Pure: the caller reads the VMCS fields, passes them in and writes the decision out. */
#ifndef VCPU_RIP_ADVANCE_H
#define VCPU_RIP_ADVANCE_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/x86/cpu_regs.h"
#include "vcpu/insn_decode.h"
#include "vmx/vmx_state.h"

#define RFLAGS_RF                   (1u << 16)
#define DEBUGCTL_BTF                (1u << 1)   /* single-step on branches only */
#define INTERRUPT_SHADOWS           (VMX_INTERRUPTIBILITY_STI | VMX_INTERRUPTIBILITY_MOV_SS)

/* RIP after an instruction of `length` bytes at rip, wrapped to the code size: 64-bit code
 * does not wrap; 32-bit code wraps at 4 GiB (RIP's upper half is 0 outside 64-bit mode,
 * 26.3.1.4); 16-bit code wraps its IP (bits 15:0) at 64 KiB and leaves the bits above alone. */
uint64_t rip_next(uint64_t rip, unsigned length, enum insn_mode mode);

/* The guest state an emulated instruction ends with, from the exit's. */
struct rip_advance_in {
    uint64_t rip;
    unsigned length;                /* the VM-exit instruction length, 1-15 */
    enum insn_mode mode;            /* the code size the instruction ran with */
    uint64_t rflags;
    uint32_t interruptibility;
    uint64_t pending_debug;         /* the pending-debug-exceptions field the exit saved */
    uint64_t debugctl;              /* the guest's IA32_DEBUGCTL (BTF) */
};

struct rip_advance_out {
    uint64_t rip;
    uint64_t rflags;                /* RF cleared: it lasts one instruction, this one */
    uint32_t interruptibility;      /* STI and MOV-SS blocking ended by the instruction */
    uint64_t pending_debug;         /* BS set exactly when the single-step trap is due */
};

/* Completes the instruction: RIP past it, the interrupt shadow it sat in ended, RF cleared,
 * and with RFLAGS.TF (and not DEBUGCTL.BTF) the single-step trap pending as BS, which VM entry
 * delivers as a #DB with the priority of a trap on this instruction, and which VM entry
 * demands whenever TF is set in the HLT state. Debug exceptions held pending by a MOV SS
 * before the instruction stay pending: with the shadow ended they are delivered after it. */
void rip_advance(const struct rip_advance_in *in, struct rip_advance_out *out);

/* The pending-debug-exceptions field as VM entry accepts it (26.3.1.5): under an STI or MOV-SS
 * shadow, or in the HLT state, BS must be set exactly when TF is set and BTF is not; an exit
 * may have saved it otherwise (a #DB exit saves it clear, other exits in a MOV-SS shadow as
 * the CPU likes). Elsewhere the field is returned unchanged. */
uint64_t pending_debug_for_entry(uint64_t pending_debug, uint64_t rflags,
                                 uint32_t interruptibility, uint32_t activity, uint64_t debugctl);

/* The common case needs nothing but RIP + length: no TF or RF, no interrupt shadow (this
 * test), and no carry out of bit 15 of RIP + length (rip_add_carries16), since then RIP +
 * length is rip_next's result in every code size. Only then may a caller skip rip_advance.
 * One test for the flags: the shadows move to bits 15 (reserved, always 0 in RFLAGS) and 16
 * (RF), so the exit path pays one shift and one OR. */
static inline bool rip_advance_flags_plain(uint64_t rflags, uint64_t interruptibility)
{
    uint64_t slow_bits = RFLAGS_TF | RFLAGS_RF | (uint64_t)INTERRUPT_SHADOWS << 15;
    return !((rflags | interruptibility << 15) & slow_bits);
}

/* Whether IP's low 16 bits carry when length is added: the only case in which rip_next may
 * differ from rip + length. The exit path gets the same answer from the carry flag of one
 * 16-bit ADD (vcpu/exit.h). */
static inline bool rip_add_carries16(uint64_t rip, unsigned length)
{
    return (uint32_t)(uint16_t)rip + length > 0xFFFFu;
}

#endif
