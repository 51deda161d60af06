/* The #GP rules of MOV to CR0 and CR4 (SDM Vol. 2B MOV CRn, Vol. 3A 2.5, 4.10.1 PCIDs, 10.8.5
 * IA-32e mode). Pure. */
#include "vcpu/cr_rules.h"

#include "arch/x86/cpu_regs.h"
#include "arch/x86/msr.h"

#define CR4_PCIDE           (1u << 17)
#define CR3_PCID_MASK       0xFFFull

const char *cr0_write_refusal(uint64_t value, const struct cr_write_context *c)
{
    if (value >> 32)
        return "a reserved bit (63:32)";
    if ((value & CR0_PG) && !(value & CR0_PE))
        return "paging without protection";
    if ((value & CR0_NW) && !(value & CR0_CD))
        return "not-write-through without cache disable";
    if ((value & CR0_PG) && !(c->cr0 & CR0_PG) && (c->efer & EFER_LME) && !(c->cr4 & CR4_PAE))
        return "long mode without PAE";
    if (!(value & CR0_PG) && c->code64)
        return "paging off in 64-bit mode";
    if (!(value & CR0_PE) && c->code64)
        return "protection off in 64-bit mode";
    return 0;
}

const char *cr4_write_refusal(uint64_t value, const struct cr_write_context *c)
{
    bool ia32e = (c->efer & EFER_LMA) != 0;
    if (value & ~c->cr4_allowed)
        return "a reserved or hidden bit";
    if (ia32e && !(value & CR4_PAE))
        return "PAE off in IA-32e mode";
    if (ia32e && ((value ^ c->cr4) & CR4_LA57))
        return "LA57 changed in IA-32e mode";
    if ((value & CR4_PCIDE) && !(c->cr4 & CR4_PCIDE) && (!ia32e || (c->cr3 & CR3_PCID_MASK)))
        return "PCIDE outside IA-32e mode or with a PCID in CR3";
    return 0;
}
