/* A guest's MOV to CR3, decided without touching the VMCS (SDM Vol. 2B MOV to CR3; Vol. 3A
 * 4.5.2 tables 4-12 and 4-13 for the reserved bits, 4.10.4.1 for the TLB). */
#include "vmx/cr3_write.h"

#define LOW_32_BITS     0xFFFFFFFFull

enum cr3_write_verdict vmx_guest_cr3_write(uint64_t value, const struct cr3_write_mode *mode,
                                           struct cr3_write *out)
{
    *out = (struct cr3_write){ 0, true };
    if (!mode->ia32e) {
        if (mode->pae_paging)
            return CR3_WRITE_PAE_LEGACY;
        out->cr3 = value & LOW_32_BITS;        /* 32-bit paging or none: nothing reserved */
        return CR3_WRITE_LOAD;
    }
    if (!mode->code64)
        value &= LOW_32_BITS;                  /* compatibility mode: a 32-bit operand */
    if (mode->pcide && (value & CR3_PCID_NO_FLUSH)) {
        out->flush = false;                     /* bit 63 is a hint, never stored */
        value &= ~CR3_PCID_NO_FLUSH;
    }
    /* Bits 63:MAXPHYADDR are reserved in IA-32e mode; 63 too without CR4.PCIDE. */
    if (mode->maxphyaddr < 64 && (value >> mode->maxphyaddr) != 0)
        return CR3_WRITE_GP;
    out->cr3 = value;
    return CR3_WRITE_LOAD;
}
