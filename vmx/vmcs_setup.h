/* Filling a vCPU's VMCS, one function per SDM area (Vol. 3C, chapter 25). */
#ifndef VMX_VMCS_SETUP_H
#define VMX_VMCS_SETUP_H

#include <stdbool.h>
#include <stdint.h>

#include "vmx/vmx_entry.h"
#include "vmx/vmx_state.h"

/* Segment access rights as the VMCS holds them (SDM 25.4.1, table 25-2). */
#define VMX_AR_CODE64       0xA09Bu     /* execute/read, accessed, S, P, L, G */
#define VMX_AR_DATA         0xC093u     /* read/write, accessed, S, P, D/B, G */
#define VMX_AR_TSS_BUSY     0x008Bu     /* busy 64-bit TSS, P */
#define VMX_AR_UNUSABLE     0x10000u

#define VMX_GUEST_EFER_LONG_MODE    0x500u  /* LME | LMA */
#define VMX_GUEST_RFLAGS_RESET      0x2u
#define VMX_GUEST_DR7_RESET         0x400u
#define VMX_VMCS_LINK_NONE          0xFFFFFFFFFFFFFFFFULL

/* The architectural state a guest starts in (real, protected or long mode), from which the
 * guest-state area is loaded. CR0 and CR4 are the values the guest sees (the read shadows);
 * VMX's fixed bits are applied on top. "IA-32e mode guest" follows EFER.LMA. */
struct vmx_entry_state {
    uint64_t cr0, cr3, cr4, efer;
    uint64_t rip, rsp, rflags;
    struct vmx_segment cs, ss, ds, es, fs, gs, tr, ldtr;
    uint64_t gdtr_base, idtr_base;
    uint32_t gdtr_limit, idtr_limit;
};

/* Everything one VMCS points to or starts from. */
struct vmcs_setup_params {
    const struct vmx_entry_state *entry;
    uint64_t vmcs_phys;
    uint64_t eptp;
    uint16_t vpid;                      /* 0: VPID not used */
    const uint8_t *io_bitmap_a, *io_bitmap_b, *msr_bitmap;
    const struct vmx_msr_entry *msr_guest, *msr_host;
    uint32_t msr_count;
    uint32_t preemption_timer_value;
    uint32_t exception_bitmap;          /* vectors whose exceptions exit (25.6.3) */
    uint64_t cr4_owned_extra;           /* CR4 bits the host owns besides VMX's fixed ones */
};

/* Makes the VMCS current on this CPU (VMCLEAR, revision ID, VMPTRLD) and fills all five
 * areas from p. False (reported) on a VMX failure. */
bool vmcs_setup(const struct vmcs_setup_params *p);

/* The host-state area again: what a CPU that did not set the VMCS up must refresh. */
void vmcs_setup_host_state(void);

/* The guest's CR0/CR4 as the VMX fixed bits allow, and the guest/host masks that make
 * the guest exit when it writes a bit it does not own (vmx/exit_cr.c uses these). */
uint64_t vmcs_guest_cr0_mask(void);
uint64_t vmcs_guest_cr4_mask(void);
uint64_t vmcs_guest_cr0_actual(uint64_t wanted);
uint64_t vmcs_guest_cr4_actual(uint64_t wanted);

#endif
