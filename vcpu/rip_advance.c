/* The instruction boundary after an emulated instruction (SDM Vol. 1 3.5-3.6; Vol. 3A 6.8.3;
 * Vol. 3B 17.3.1.1, 17.3.1.4; Vol. 3C 26.3.1.5, 26.6.3, 32.2). Pure. */
#include "vcpu/rip_advance.h"

uint64_t rip_next(uint64_t rip, unsigned length, enum insn_mode mode)
{
    uint64_t next = rip + length;
    if (mode == INSN_MODE_64)
        return next;
    if (mode == INSN_MODE_32)
        return (uint32_t)next;
    return (rip & ~0xFFFFull) | (uint16_t)next;
}

static bool single_step_armed(uint64_t rflags, uint64_t debugctl)
{
    return (rflags & RFLAGS_TF) && !(debugctl & DEBUGCTL_BTF);
}

uint64_t pending_debug_for_entry(uint64_t pending_debug, uint64_t rflags,
                                 uint32_t interruptibility, uint32_t activity, uint64_t debugctl)
{
    if (!(interruptibility & INTERRUPT_SHADOWS) && activity != VMX_ACTIVITY_HLT)
        return pending_debug;
    return (pending_debug & ~VMX_PENDING_DBG_BS) |
           (single_step_armed(rflags, debugctl) ? VMX_PENDING_DBG_BS : 0);
}

void rip_advance(const struct rip_advance_in *in, struct rip_advance_out *out)
{
    /* 17.3.1.4: TF at the start of the instruction traps after it (the emulated ones never
     * change TF); with BTF only taken branches trap, and none of these is one. 26.3.1.5: with
     * TF and no BTF, BS must be 1 in the HLT state or under an interrupt shadow, and 0
     * otherwise there, so BS is decided here rather than kept from the exit. */
    bool single_step = single_step_armed(in->rflags, in->debugctl);
    *out = (struct rip_advance_out){
        .rip = rip_next(in->rip, in->length, in->mode),
        .rflags = in->rflags & ~(uint64_t)RFLAGS_RF,
        .interruptibility = in->interruptibility & ~(uint32_t)INTERRUPT_SHADOWS,
        .pending_debug = (in->pending_debug & ~(uint64_t)VMX_PENDING_DBG_BS) |
                         (single_step ? VMX_PENDING_DBG_BS : 0),
    };
}
