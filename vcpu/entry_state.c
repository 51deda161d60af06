/* Entry states by CPU mode (SDM Vol. 3A 9.1.1 processor state after reset, 10.8.5 long mode
 * initialisation; Vol. 3C 28.3.1.2 the guest segment checks these must pass). Pure. */
#include "vcpu/entry_state.h"

#include "arch/x86/cpu_regs.h"
#include "arch/x86/msr.h"

#define RFLAGS_RESERVED_1   0x2u

static struct vmx_segment segment(uint16_t selector, uint64_t base, uint32_t limit, uint32_t ar)
{
    return (struct vmx_segment){ .selector = selector, .base = base, .limit = limit,
                                 .access_rights = ar };
}

static void set_data_segments(struct vcpu_entry *e, struct vmx_segment data)
{
    e->cpu.ss = e->cpu.ds = e->cpu.es = e->cpu.fs = e->cpu.gs = data;
}

void entry_state_long_mode(struct vcpu_entry *e, const struct entry_long_mode *m)
{
    *e = (struct vcpu_entry){ 0 };
    e->cpu.cr0 = CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_WP | CR0_PG;
    e->cpu.cr3 = m->cr3;
    e->cpu.cr4 = CR4_PAE;
    e->cpu.efer = EFER_LME | EFER_LMA;
    e->cpu.rip = m->rip;
    e->cpu.rsp = m->rsp;
    e->cpu.rflags = RFLAGS_RESERVED_1;
    e->cpu.cs = segment(m->cs, 0, 0xFFFFFFFF, ENTRY_AR_CODE64);
    set_data_segments(e, segment(m->ds, 0, 0xFFFFFFFF, ENTRY_AR_DATA32));
    e->cpu.tr = segment(m->tr, m->tr_base, m->tr_limit, ENTRY_AR_TSS64_BUSY);
    e->cpu.ldtr = segment(0, 0, 0, ENTRY_AR_UNUSABLE);
    e->cpu.gdtr_base = m->gdtr_base;
    e->cpu.gdtr_limit = m->gdtr_limit;
}

/* Protected and real mode have no TSS of their own: TR must still hold a busy TSS for VM
 * entry (28.3.1.2), so it gets a minimal one at base 0 that the guest never uses. */
void entry_state_protected_flat(struct vcpu_entry *e, uint32_t eip, uint16_t cs, uint16_t ds)
{
    *e = (struct vcpu_entry){ 0 };
    e->cpu.cr0 = CR0_PE | CR0_ET;
    e->cpu.rip = eip;
    e->cpu.rflags = RFLAGS_RESERVED_1;
    e->cpu.cs = segment(cs, 0, 0xFFFFFFFF, ENTRY_AR_CODE32);
    set_data_segments(e, segment(ds, 0, 0xFFFFFFFF, ENTRY_AR_DATA32));
    e->cpu.tr = segment(0, 0, 0xFFFF, ENTRY_AR_TSS64_BUSY);
    e->cpu.ldtr = segment(0, 0, 0, ENTRY_AR_UNUSABLE);
    e->cpu.gdtr_limit = 0xFFFF;
    e->cpu.idtr_limit = 0xFFFF;
}

void entry_state_real_mode(struct vcpu_entry *e, uint16_t cs, uint16_t ip, uint16_t ds)
{
    *e = (struct vcpu_entry){ 0 };
    e->cpu.cr0 = CR0_ET;
    e->cpu.rip = ip;
    e->cpu.rflags = RFLAGS_RESERVED_1;
    e->cpu.cs = segment(cs, (uint64_t)cs << 4, 0xFFFF, ENTRY_AR_CODE16);
    set_data_segments(e, segment(ds, (uint64_t)ds << 4, 0xFFFF, ENTRY_AR_DATA16));
    e->cpu.tr = segment(0, 0, 0xFFFF, ENTRY_AR_TSS16_BUSY);
    e->cpu.ldtr = segment(0, 0, 0, ENTRY_AR_UNUSABLE);
    e->cpu.gdtr_limit = 0xFFFF;
    e->cpu.idtr_limit = 0xFFFF;
}
