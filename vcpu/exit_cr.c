/* Control-register and XSETBV exits (SDM Vol. 3C 27.1.3, 28.2.1 table 28-3; Vol. 1 13.3).
 * The guest owns every CR0/CR4 bit except those VMX fixes; writing one of those exits here,
 * and the guest keeps seeing the value it wrote through the read shadow. MOV to and from CR3
 * exit only on a CPU that forces CR3-load/store exiting (no TRUE controls MSRs). */
#include "arch/x86/cpu.h"
#include "arch/x86/cpu_regs.h"
#include "arch/x86/msr.h"
#include "vcpu/cr_rules.h"
#include "vcpu/exit.h"
#include "vcpu/xcr0.h"
#include "vmx/cr3_write.h"
#include "vmx/exit_reasons.h"
#include "vmx/vmcs_setup.h"
#include "vmx/vmx_controls.h"
#include "vmx/vmxon.h"

#define CR0_TS          (1u << 3)
#define CR0_LOW_FOUR    0xFu        /* what LMSW can change: PE MP EM TS */
#define CR4_PCIDE       (1u << 17)

/* "IA-32e mode guest" must match EFER.LMA at the next entry, and LMA follows CR0.PG while
 * EFER.LME is set (SDM Vol. 3A 10.8.5): a CR0 write the hypervisor emulates can change it. */
static void follow_long_mode(uint64_t cr0)
{
    uint64_t efer = vcpu_vmread(VMCS_GUEST_IA32_EFER);
    uint64_t want = (efer & EFER_LME) && (cr0 & CR0_PG) ? efer | EFER_LMA : efer & ~(uint64_t)EFER_LMA;
    if (want == efer)
        return;
    vcpu_vmwrite(VMCS_GUEST_IA32_EFER, want);
    uint64_t entry = vcpu_vmread(VMCS_CTRL_ENTRY_CONTROLS);
    entry = (want & EFER_LMA) ? entry | VMX_ENTRY_IA32E_MODE_GUEST
                              : entry & ~(uint64_t)VMX_ENTRY_IA32E_MODE_GUEST;
    vcpu_vmwrite(VMCS_CTRL_ENTRY_CONTROLS, entry);
}

/* The guest's state for the #GP rules of vcpu/cr_rules.c. */
static struct cr_write_context cr_context(const struct vcpu *v)
{
    uint64_t efer = vcpu_vmread(VMCS_GUEST_IA32_EFER);
    uint32_t cs_ar = (uint32_t)vcpu_vmread(VMCS_GUEST_CS_ACCESS_RIGHTS);
    return (struct cr_write_context){
        .cr0 = vcpu_vmread(VMCS_CTRL_EXEC_CR0_READ_SHADOW),
        .cr3 = vcpu_vmread(VMCS_GUEST_CR3),
        .cr4 = vcpu_vmread(VMCS_CTRL_EXEC_CR4_READ_SHADOW),
        .efer = efer,
        .code64 = (efer & EFER_LMA) && (cs_ar & VMX_SEG_AR_L),
        .cr4_allowed = v->cr4_allowed,
    };
}

static enum vcpu_verdict guest_write_cr0(struct vcpu *v, uint64_t value)
{
    const struct cr_write_context c = cr_context(v);
    if (cr0_write_refusal(value, &c)) {
        vcpu_inject_exception(v, X86_VECTOR_GP, 0);
        return vcpu_resume(v);
    }
    /* Without "unrestricted guest" VMX keeps PE and PG set: a guest leaving protected mode or
     * paging would run on as if it had not, so it is stopped, saying why. */
    uint64_t actual = vmcs_guest_cr0_actual(value);
    if ((actual ^ value) & (CR0_PE | CR0_PG))
        return vcpu_stop_verdict(v, "CR0 0x%llx turns off protected mode or paging, which "
                                    "needs the VMX control \"unrestricted guest\" this "
                                    "machine lacks", (unsigned long long)value);
    vcpu_vmwrite(VMCS_CTRL_EXEC_CR0_READ_SHADOW, value);
    vcpu_vmwrite(VMCS_GUEST_CR0, actual);
    follow_long_mode(value);
    return vcpu_advance(v);
}

static enum vcpu_verdict guest_write_cr4(struct vcpu *v, uint64_t value)
{
    const struct cr_write_context c = cr_context(v);
    if (cr4_write_refusal(value, &c)) {
        vcpu_inject_exception(v, X86_VECTOR_GP, 0);
        return vcpu_resume(v);
    }
    vcpu_vmwrite(VMCS_CTRL_EXEC_CR4_READ_SHADOW, value);
    vcpu_vmwrite(VMCS_GUEST_CR4, vmcs_guest_cr4_actual(value));
    return vcpu_advance(v);
}

/* The CPU would have flushed the guest's linear and combined mappings for its VPID; without
 * VPID every VM entry does that anyway (SDM Vol. 3C 29.4.3.3). */
static void flush_guest_vpid(const struct vcpu *v)
{
    if (v->vpid)
        vcpu_host_invvpid_single(v->vpid);
}

static enum vcpu_verdict guest_access_cr3(struct vcpu *v, bool to_cr3, unsigned gpr)
{
    uint64_t cr0 = vcpu_vmread(VMCS_GUEST_CR0), cr4 = vcpu_vmread(VMCS_GUEST_CR4);
    bool ia32e = (vcpu_vmread(VMCS_GUEST_IA32_EFER) & EFER_LMA) != 0;
    const struct cr3_write_mode mode = {
        ia32e, ia32e && (vcpu_vmread(VMCS_GUEST_CS_ACCESS_RIGHTS) & VMX_SEG_AR_L),
        !ia32e && (cr0 & CR0_PG) && (cr4 & CR4_PAE), (cr4 & CR4_PCIDE) != 0, vcpu_maxphyaddr(),
    };
    struct cr3_write w;

    if (!to_cr3) {
        uint64_t cr3 = vcpu_vmread(VMCS_GUEST_CR3);
        vcpu_write_gpr(v, gpr, mode.code64 ? cr3 : (cr3 & 0xFFFFFFFFull));
        return vcpu_advance(v);
    }
    switch (vmx_guest_cr3_write(vcpu_read_gpr(v, gpr), &mode, &w)) {
    case CR3_WRITE_GP:
        vcpu_inject_exception(v, X86_VECTOR_GP, 0);
        return vcpu_resume(v);
    case CR3_WRITE_PAE_LEGACY:
        return vcpu_stop_verdict(v, "MOV to CR3 under PAE paging outside IA-32e mode "
                                    "(forced CR3-load exiting): not emulated");
    case CR3_WRITE_LOAD:
        break;
    }
    vcpu_vmwrite(VMCS_GUEST_CR3, w.cr3);
    if (w.flush)
        flush_guest_vpid(v);
    return vcpu_advance(v);
}

/* CR8 is the task priority (SDM Vol. 3A 11.8.6): a virtual one, so a guest never raises the
 * physical TPR and holds back the host's interrupts. Bits 63:4 are reserved (#GP). A lower
 * priority may let a waiting interrupt through: events are decided again. */
static enum vcpu_verdict guest_access_cr8(struct vcpu *v, bool to_cr8, unsigned gpr)
{
    if (!to_cr8) {
        vcpu_write_gpr(v, gpr, v->tpr);
        return vcpu_advance(v);
    }
    uint64_t value = vcpu_read_gpr(v, gpr);
    if (value >> 4) {
        vcpu_inject_exception(v, X86_VECTOR_GP, 0);
        return vcpu_resume(v);
    }
    if (value < v->tpr)
        v->events_pending = 1;
    v->tpr = (uint8_t)value;
    return vcpu_advance(v);
}

enum vcpu_verdict exit_cr_access(struct vcpu *v)
{
    uint64_t q = exit_qualification();
    unsigned cr = VMX_QUAL_CR_NUMBER(q);
    unsigned type = VMX_QUAL_CR_ACCESS_TYPE(q);
    uint64_t shadow0 = vcpu_vmread(VMCS_CTRL_EXEC_CR0_READ_SHADOW);

    if (type == VMX_QUAL_CR_MOV_TO_CR && cr == 0)
        return guest_write_cr0(v, vcpu_read_gpr(v, VMX_QUAL_CR_GPR(q)));
    if (type == VMX_QUAL_CR_MOV_TO_CR && cr == 4)
        return guest_write_cr4(v, vcpu_read_gpr(v, VMX_QUAL_CR_GPR(q)));
    if ((type == VMX_QUAL_CR_MOV_TO_CR || type == VMX_QUAL_CR_MOV_FROM_CR) && cr == 8)
        return guest_access_cr8(v, type == VMX_QUAL_CR_MOV_TO_CR, VMX_QUAL_CR_GPR(q));
    if ((type == VMX_QUAL_CR_MOV_TO_CR || type == VMX_QUAL_CR_MOV_FROM_CR) && cr == 3)
        return guest_access_cr3(v, type == VMX_QUAL_CR_MOV_TO_CR, VMX_QUAL_CR_GPR(q));
    if (type == VMX_QUAL_CR_CLTS)
        return guest_write_cr0(v, shadow0 & ~(uint64_t)CR0_TS);
    if (type == VMX_QUAL_CR_LMSW) {
        /* LMSW sets PE but never clears it (SDM Vol. 2A, LMSW). */
        uint64_t low = VMX_QUAL_CR_LMSW_DATA(q) & CR0_LOW_FOUR;
        return guest_write_cr0(v, (shadow0 & ~(uint64_t)(CR0_LOW_FOUR & ~CR0_PE)) | low);
    }
    return vcpu_stop_verdict(v, "control-register access not emulated");
}

enum vcpu_verdict exit_xsetbv(struct vcpu *v)
{
    uint64_t value = vcpu_edx_eax(v);

    /* Only XCR 0 exists, and its value must follow every rule of vcpu/xcr0.c with the
     * components the partition's CPUID offers (leaf 0xD); anything else is #GP (SDM Vol. 2C,
     * XSETBV), never a fault in root mode. */
    bool valid = (uint32_t)v->regs.rcx == 0 && !xcr0_refusal(value, v->cpuid.xcr0_supported);
    if (!valid || !(vcpu_host_cr4() & CR4_OSXSAVE)) {
        vcpu_inject_exception(v, X86_VECTOR_GP, 0);
        return vcpu_resume(v);
    }
    /* The hypervisor never uses extended state, so the guest's XCR0 can stay loaded. */
    vcpu_host_xsetbv(0, value);
    return vcpu_advance(v);
}
