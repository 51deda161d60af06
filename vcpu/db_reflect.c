/* Reflecting an intercepted #DB (SDM Vol. 3C 27.1, 27.3.3, 28.2.1; Vol. 3B 17.2.3, 17.2.4,
 * 17.3.1.1; Vol. 3C 26.3.1.5; Vol. 3A 6.11, 6.14.1). Pure. */
#include "vcpu/db_reflect.h"

#include "vcpu/rip_advance.h"
#include "vmx/vmx_state.h"

/* An execute breakpoint reported in B0-B3 (R/Wn = 00) makes the #DB fault-class; data, I/O,
 * single-step and general-detect conditions are traps or, for BD, a fault reported before the
 * MOV DR (17.2.4), which the same rule covers: RIP is at the instruction. */
static bool is_fault(uint64_t qualification, uint64_t dr7)
{
    if (qualification & DR6_BD)
        return true;
    for (unsigned n = 0; n < 4; n++)
        if ((qualification & (1ull << n)) && ((dr7 >> (DR7_RW_SHIFT + 4 * n)) & 3) == 0)
            return true;
    return false;
}

void db_exit_reflect(const struct db_exit_in *in, struct db_exit_out *out)
{
    uint64_t q = in->qualification;
    uint64_t dr6 = (in->dr6 & ~DR6_B0_B3) | (q & (DR6_B0_B3 | DR6_BD | DR6_BS));
    dr6 = (q & DR6_RTM) ? dr6 & ~DR6_RTM : dr6 | DR6_RTM;
    *out = (struct db_exit_out){
        .dr6 = (uint32_t)dr6,
        .dr7 = (q & DR6_BD) ? in->dr7 & ~DR7_GD : in->dr7,
        .pending_debug = pending_debug_for_entry(in->pending_debug, in->rflags,
                                                 in->interruptibility, VMX_ACTIVITY_ACTIVE,
                                                 in->debugctl),
        .fault = is_fault(q, in->dr7),
    };
}

static uint64_t le(const uint8_t *p, unsigned bytes)
{
    uint64_t v = 0;
    for (unsigned i = bytes; i-- > 0;)
        v = v << 8 | p[i];
    return v;
}

uint64_t idt_gate_offset(const uint8_t *gate, bool long_mode)
{
    uint64_t offset = le(gate, 2) | le(gate + 6, 2) << 16;
    return long_mode ? offset | le(gate + 8, 4) << 32 : offset;
}
