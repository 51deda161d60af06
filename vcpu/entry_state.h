/* Entry states a loader can ask for: the register state of a CPU in 64-bit long mode, 32-bit
 * protected mode with paging off and flat segments (multiboot), or real mode (SDM Vol. 3A 9.1
 * reset state, 3.4.5 segment descriptors, 10.8 mode switching). Pure: host-tested against the
 * software VM-entry checker. */
#ifndef VCPU_ENTRY_STATE_H
#define VCPU_ENTRY_STATE_H

#include <stdint.h>

#include "vcpu/vcpu.h"

/* Segment access rights as the VMCS holds them (SDM 25.4.1, table 25-2). */
#define ENTRY_AR_CODE64         0xA09Bu     /* execute/read, accessed, S, P, L, G */
#define ENTRY_AR_CODE32         0xC09Bu     /* execute/read, accessed, S, P, D, G */
#define ENTRY_AR_DATA32         0xC093u     /* read/write, accessed, S, P, D/B, G */
#define ENTRY_AR_CODE16         0x009Bu     /* execute/read, accessed, S, P (real mode) */
#define ENTRY_AR_DATA16         0x0093u     /* read/write, accessed, S, P (real mode) */
#define ENTRY_AR_TSS64_BUSY     0x008Bu     /* busy 64-bit TSS, P */
#define ENTRY_AR_TSS16_BUSY     0x0083u     /* busy 16-bit TSS, P: what real mode's TR holds */
#define ENTRY_AR_LDT            0x0082u     /* LDT, P */
#define ENTRY_AR_UNUSABLE       0x10000u

/* What a 64-bit guest is given: its page tables, GDT (with the selectors to load) and TSS. */
struct entry_long_mode {
    uint64_t rip, rsp, cr3;
    uint64_t gdtr_base, tr_base;
    uint32_t gdtr_limit, tr_limit;
    uint16_t cs, ds, tr;
};

/* Long mode: CR0 PE PG (with MP, ET, NE, WP), CR4.PAE, EFER LME LMA, 64-bit CS. */
void entry_state_long_mode(struct vcpu_entry *e, const struct entry_long_mode *m);
/* 32-bit protected mode, paging off, flat 4 GiB code and data segments with selectors cs
 * and ds (multiboot's machine state: the guest must load its own GDT before reloading a
 * segment register). */
void entry_state_protected_flat(struct vcpu_entry *e, uint32_t eip, uint16_t cs, uint16_t ds);
/* Real mode at cs:ip with every data segment at ds (64 KiB limits). */
void entry_state_real_mode(struct vcpu_entry *e, uint16_t cs, uint16_t ip, uint16_t ds);

#endif
