/* Filling a vCPU's VMCS, one function per SDM area (Vol. 3C, chapter 25). */
#ifndef VMX_VMCS_SETUP_H
#define VMX_VMCS_SETUP_H

#include <stdbool.h>
#include <stdint.h>

#include "guest/guest_boot.h"
#include "vmx/vcpu.h"

/* Segment access rights as the VMCS holds them (SDM 25.4.1, table 25-2). */
#define VMX_AR_CODE64       0xA09Bu     /* execute/read, accessed, S, P, L, G */
#define VMX_AR_DATA         0xC093u     /* read/write, accessed, S, P, D/B, G */
#define VMX_AR_TSS_BUSY     0x008Bu     /* busy 64-bit TSS, P */
#define VMX_AR_UNUSABLE     0x10000u

#define VMX_GUEST_EFER_LONG_MODE    0x500u  /* LME | LMA */
#define VMX_GUEST_RFLAGS_RESET      0x2u
#define VMX_GUEST_DR7_RESET         0x400u
#define VMX_VMCS_LINK_NONE          0xFFFFFFFFFFFFFFFFULL

/* Makes v's VMCS current on this CPU (VMCLEAR, revision ID, VMPTRLD) and fills all
 * five areas for a 64-bit guest entering at es. False (reported) on a VMX failure. */
bool vmcs_setup(struct vcpu *v, const struct guest_entry_state *es, uint64_t eptp,
                uint16_t vpid);

/* The host-state area again: what a CPU that did not set the VMCS up must refresh. */
void vmcs_setup_host_state(void);

/* The guest's CR0/CR4 as the VMX fixed bits allow, and the guest/host masks that make
 * the guest exit when it writes a bit it does not own (vmx/exit_cr.c uses these). */
uint64_t vmcs_guest_cr0_mask(void);
uint64_t vmcs_guest_cr4_mask(void);
uint64_t vmcs_guest_cr0_actual(uint64_t wanted);
uint64_t vmcs_guest_cr4_actual(uint64_t wanted);

#endif
