/* What exit handlers touch outside the vCPU struct: the current VMCS's fields and the host
 * CPU (CPUID, MSRs, ports, caches). In the hypervisor these are the instructions, inlined; in
 * host tests (HOST_TEST) they are functions the test supplies, so every handler decision is
 * tested without a VMCS (tests/unit/vcpu_fakes.c). */
#ifndef VCPU_HW_H
#define VCPU_HW_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/x86/cpu_regs.h"
#include "vmx/vmcs_fields.h"

struct cpuid_regs;

#ifdef HOST_TEST

uint64_t vcpu_vmread(enum vmcs_field field);
void vcpu_vmwrite(enum vmcs_field field, uint64_t value);
struct cpuid_regs vcpu_host_cpuid(uint32_t leaf, uint32_t subleaf);
uint64_t vcpu_host_rdtsc(void);
uint64_t vcpu_host_cr4(void);
bool vcpu_host_rdmsr(uint32_t msr, uint64_t *value);
bool vcpu_host_wrmsr(uint32_t msr, uint64_t value);
uint32_t vcpu_host_in(uint16_t port, unsigned size);
void vcpu_host_out(uint16_t port, unsigned size, uint32_t value);
void vcpu_host_xsetbv(uint32_t xcr, uint64_t value);
uint64_t vcpu_host_xgetbv0(void);
void vcpu_host_invvpid_single(uint16_t vpid);
void vcpu_guest_write_cr2(uint64_t value);
uint64_t vcpu_guest_read_dr6(void);
void vcpu_guest_write_dr6(uint64_t value);
void vcpu_host_note_other_work(void);
bool vcpu_host_did_other_work(void);
void vcpu_host_clear_before_entry(void);
#define vcpu_vmread_hot vcpu_vmread
#define vcpu_vmwrite_hot vcpu_vmwrite

#else

#include "arch/x86/cpu.h"
#include "arch/x86/io.h"
#include "arch/x86/msr.h"
#include "arch/x86/percpu.h"
#include "vmx/mitigations_apply.h"
#include "vmx/vmcs.h"
#include "vmx/vmx_asm.h"
#include "vmx/vmxon.h"

#define VCPU_HW static inline __attribute__((always_inline))

/* Checked: a field this CPU lacks is reported by vmcs_access_failed and reads 0. */
VCPU_HW uint64_t vcpu_vmread(enum vmcs_field field) { return vmcs_read_any(field); }
VCPU_HW void vcpu_vmwrite(enum vmcs_field field, uint64_t value) { vmcs_write_any(field, value); }
/* Unchecked, for the fields every VMCS has on the common exit path (vmx/vmcs.h). */
VCPU_HW uint64_t vcpu_vmread_hot(enum vmcs_field field) { return vmcs_read_hot(field); }
VCPU_HW void vcpu_vmwrite_hot(enum vmcs_field field, uint64_t value) { vmcs_write_hot(field, value); }

VCPU_HW struct cpuid_regs vcpu_host_cpuid(uint32_t leaf, uint32_t subleaf) { return cpuid(leaf, subleaf); }
VCPU_HW uint64_t vcpu_host_rdtsc(void) { return rdtsc(); }
VCPU_HW uint64_t vcpu_host_cr4(void) { return read_cr4(); }
/* With a fault fixup: an MSR this CPU lacks reads as a failure, not a root-mode #GP. */
VCPU_HW bool vcpu_host_rdmsr(uint32_t msr, uint64_t *value) { return rdmsr_safe(msr, value); }
VCPU_HW bool vcpu_host_wrmsr(uint32_t msr, uint64_t value) { return wrmsr_safe(msr, value); }

VCPU_HW uint32_t vcpu_host_in(uint16_t port, unsigned size)
{
    return size == 1 ? inb(port) : size == 2 ? inw(port) : inl(port);
}

VCPU_HW void vcpu_host_out(uint16_t port, unsigned size, uint32_t value)
{
    if (size == 1)
        outb(port, (uint8_t)value);
    else if (size == 2)
        outw(port, (uint16_t)value);
    else
        outl(port, value);
}

VCPU_HW void vcpu_host_xsetbv(uint32_t xcr, uint64_t value)
{
    __asm__ volatile("xsetbv" : : "c"(xcr), "a"((uint32_t)value), "d"((uint32_t)(value >> 32)));
}

/* XCR0: the guest's while it runs (the hypervisor never loads its own). Needs CR4.OSXSAVE. */
VCPU_HW uint64_t vcpu_host_xgetbv0(void)
{
    uint32_t lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return ((uint64_t)hi << 32) | lo;
}

VCPU_HW void vcpu_host_invvpid_single(uint16_t vpid)
{
    struct vmx_invvpid_desc d = { vpid, { 0, 0, 0 }, 0 };
    invvpid(VMX_INVVPID_SINGLE_CONTEXT, &d);
}

/* CR2 is not in the VMCS: the guest's is the CPU's own while root code runs (the hypervisor
 * takes no page faults), so a #PF the hypervisor injects sets it here. */
VCPU_HW void vcpu_guest_write_cr2(uint64_t value) { write_cr2(value); }

/* DR6 likewise: the hypervisor never uses the debug registers, so the guest's DR6 is the CPU's
 * (vcpu/run.c resets it between guests); a #DB exit leaves it alone (SDM Vol. 3C 27.1). */
VCPU_HW uint64_t vcpu_guest_read_dr6(void)
{
    uint64_t v;
    __asm__ volatile("mov %%dr6, %0" : "=r"(v));
    return v;
}

VCPU_HW void vcpu_guest_write_dr6(uint64_t value) { __asm__ volatile("mov %0, %%dr6" : : "r"(value)); }

/* Work beyond this partition's own exits ran on this CPU (the management slot, an interrupt
 * handler, a cross-CPU call): the next entry clears the L1D or CPU buffers first where the
 * CPU needs it (vmx/mitigations_apply.h), which the exit stub's slow path does. */
VCPU_HW void vcpu_host_note_other_work(void) { this_cpu()->other_work_since_entry = true; }
VCPU_HW bool vcpu_host_did_other_work(void) { return this_cpu()->other_work_since_entry; }
VCPU_HW void vcpu_host_clear_before_entry(void) { mitigations_before_entry(&vmx_config()->mitigations); }

#undef VCPU_HW

#endif

#endif
