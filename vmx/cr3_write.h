/* A guest's MOV to CR3 that exits (CR3-load exiting, which a CPU without the TRUE controls MSRs
 * forces to 1): the value CR3 gets, a #GP, and whether its TLB entries go (Intel SDM Vol. 2B
 * "MOV - Move to/from Control Registers"; Vol. 3A 4.5.2 table 4-12/4-13, 4.10.4.1). Pure. */
#ifndef VMX_CR3_WRITE_H
#define VMX_CR3_WRITE_H

#include <stdbool.h>
#include <stdint.h>

#define CR3_PCID_NO_FLUSH   (1ull << 63)    /* with CR4.PCIDE: keep the new PCID's TLB entries */

/* The guest's paging mode at the MOV. */
struct cr3_write_mode {
    bool ia32e;             /* IA32_EFER.LMA */
    bool code64;            /* CS.L in IA-32e mode: a 64-bit operand; else the low 32 bits */
    bool pae_paging;        /* CR0.PG and CR4.PAE outside IA-32e mode (PDPTEs in registers) */
    bool pcide;             /* CR4.PCIDE */
    unsigned maxphyaddr;    /* CPUID.80000008H:EAX[7:0] */
};

enum cr3_write_verdict {
    CR3_WRITE_LOAD,         /* CR3 = out->cr3; drop the guest's TLB entries if out->flush */
    CR3_WRITE_GP,           /* a reserved bit is 1: #GP(0), CR3 unchanged */
    CR3_WRITE_PAE_LEGACY,   /* would also load the four PDPTEs from guest memory: not emulated */
};

struct cr3_write {
    uint64_t cr3;
    bool flush;
};

enum cr3_write_verdict vmx_guest_cr3_write(uint64_t value, const struct cr3_write_mode *mode,
                                           struct cr3_write *out);

#endif
