/* When a MOV to CR0 or CR4 raises #GP(0) (Intel SDM Vol. 2B "MOV—Move to/from Control
 * Registers", Vol. 3A 2.5 and 10.8.5 on entering and leaving IA-32e mode): what the hypervisor
 * checks before it emulates a write the guest/host masks made exit, so a guest gets the fault
 * hardware gives instead of a VM entry that fails. Pure. */
#ifndef VCPU_CR_RULES_H
#define VCPU_CR_RULES_H

#include <stdbool.h>
#include <stdint.h>

/* The guest's state at the write. */
struct cr_write_context {
    uint64_t cr0, cr3, cr4;     /* as the guest sees them (the read shadows for CR0/CR4) */
    uint64_t efer;
    bool code64;                /* in 64-bit mode: EFER.LMA and CS.L */
    uint64_t cr4_allowed;       /* CR4 bits this CPU has and the guest may set */
};

/* NULL when the write is allowed; else the rule it breaks, for reports. */
const char *cr0_write_refusal(uint64_t value, const struct cr_write_context *c);
const char *cr4_write_refusal(uint64_t value, const struct cr_write_context *c);

#endif
