/* A vCPU's VMCS, area by area in the SDM's order (Vol. 3C, 25.4 guest state, 25.5 host
 * state, 25.6 execution controls, 25.7 exit controls, 25.8 entry controls). */
#include "vmx/vmcs_setup.h"

#include "arch/x86/cpu.h"
#include "arch/x86/cpu_regs.h"
#include "arch/x86/idt.h"
#include "arch/x86/msr.h"
#include "arch/x86/percpu.h"
#include "drivers/console.h"
#include "lib/string.h"
#include "vmx/vmcs.h"
#include "vmx/vmxon.h"

/* ---- CR0 and CR4 ownership ----------------------------------------------------------- */

static bool unrestricted(void)
{
    return vmx_config()->controls.unrestricted_guest;
}

/* A bit is the hypervisor's when VMX fixes it; the guest sees its own value in the
 * read shadow and exits when it writes a different one. */
uint64_t vmcs_guest_cr0_mask(void)
{
    const struct vmx_caps *caps = &vmx_config()->caps;
    uint64_t fixed1_to_0 = ~caps->cr0_fixed1 & 0xFFFFFFFFULL;
    uint64_t fixed0 = caps->cr0_fixed0;
    if (unrestricted())
        fixed0 &= ~VMX_CR0_UNRESTRICTED_RELAXED;
    return fixed0 | fixed1_to_0;
}

/* Besides VMX's fixed bits the host owns CR4.MCE: a guest that cleared it would turn the next
 * machine check on this CPU into a processor shutdown (SDM Vol. 3B 16.5), so it stays 1 while
 * the guest sees its own value in the read shadow. */
#define CR4_HOST_OWNED  CR4_MCE

uint64_t vmcs_guest_cr4_mask(void)
{
    const struct vmx_caps *caps = &vmx_config()->caps;
    return caps->cr4_fixed0 | (~caps->cr4_fixed1 & 0xFFFFFFFFULL) | CR4_HOST_OWNED;
}

uint64_t vmcs_guest_cr0_actual(uint64_t wanted)
{
    struct vmx_cr_adjust adj;
    vmx_cr0_apply_fixed_guest(&vmx_config()->caps, unrestricted(), wanted, &adj);
    return adj.value;
}

uint64_t vmcs_guest_cr4_actual(uint64_t wanted)
{
    struct vmx_cr_adjust adj;
    vmx_cr4_apply_fixed(&vmx_config()->caps, wanted | CR4_HOST_OWNED, &adj);
    return adj.value;
}

/* ---- guest-state area (25.4) ----------------------------------------------------------- */

static void write_segment(enum vmcs_field selector, const struct vmx_segment *seg)
{
    /* Each segment's four fields are laid out alike: selector, limit, access rights and base
     * differ only in their width and index (Appendix B), so one table names them. */
    static const struct {
        enum vmcs_field selector, base, limit, access_rights;
    } fields[] = {
        { VMCS_GUEST_ES_SELECTOR, VMCS_GUEST_ES_BASE, VMCS_GUEST_ES_LIMIT, VMCS_GUEST_ES_ACCESS_RIGHTS },
        { VMCS_GUEST_CS_SELECTOR, VMCS_GUEST_CS_BASE, VMCS_GUEST_CS_LIMIT, VMCS_GUEST_CS_ACCESS_RIGHTS },
        { VMCS_GUEST_SS_SELECTOR, VMCS_GUEST_SS_BASE, VMCS_GUEST_SS_LIMIT, VMCS_GUEST_SS_ACCESS_RIGHTS },
        { VMCS_GUEST_DS_SELECTOR, VMCS_GUEST_DS_BASE, VMCS_GUEST_DS_LIMIT, VMCS_GUEST_DS_ACCESS_RIGHTS },
        { VMCS_GUEST_FS_SELECTOR, VMCS_GUEST_FS_BASE, VMCS_GUEST_FS_LIMIT, VMCS_GUEST_FS_ACCESS_RIGHTS },
        { VMCS_GUEST_GS_SELECTOR, VMCS_GUEST_GS_BASE, VMCS_GUEST_GS_LIMIT, VMCS_GUEST_GS_ACCESS_RIGHTS },
        { VMCS_GUEST_LDTR_SELECTOR, VMCS_GUEST_LDTR_BASE, VMCS_GUEST_LDTR_LIMIT, VMCS_GUEST_LDTR_ACCESS_RIGHTS },
        { VMCS_GUEST_TR_SELECTOR, VMCS_GUEST_TR_BASE, VMCS_GUEST_TR_LIMIT, VMCS_GUEST_TR_ACCESS_RIGHTS },
    };
    for (unsigned i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
        if (fields[i].selector != selector)
            continue;
        vmcs_write_any(fields[i].selector, seg->selector);
        vmcs_write_any(fields[i].base, seg->base);
        vmcs_write_any(fields[i].limit, seg->limit);
        vmcs_write_any(fields[i].access_rights, seg->access_rights);
    }
}

static void vmcs_setup_guest_state(const struct vmcs_setup_params *p)
{
    const struct vmx_entry_state *es = p->entry;

    vmcs_write_natural(VMCS_GUEST_CR0, vmcs_guest_cr0_actual(es->cr0));
    vmcs_write_natural(VMCS_GUEST_CR3, es->cr3);
    vmcs_write_natural(VMCS_GUEST_CR4, vmcs_guest_cr4_actual(es->cr4));
    vmcs_write_natural(VMCS_CTRL_EXEC_CR0_READ_SHADOW, es->cr0);
    vmcs_write_natural(VMCS_CTRL_EXEC_CR4_READ_SHADOW, es->cr4);
    vmcs_write_natural(VMCS_GUEST_DR7, VMX_GUEST_DR7_RESET);
    vmcs_write_natural(VMCS_GUEST_RSP, es->rsp);
    vmcs_write_natural(VMCS_GUEST_RIP, es->rip);
    vmcs_write_natural(VMCS_GUEST_RFLAGS, es->rflags | VMX_GUEST_RFLAGS_RESET);

    write_segment(VMCS_GUEST_CS_SELECTOR, &es->cs);
    write_segment(VMCS_GUEST_SS_SELECTOR, &es->ss);
    write_segment(VMCS_GUEST_DS_SELECTOR, &es->ds);
    write_segment(VMCS_GUEST_ES_SELECTOR, &es->es);
    write_segment(VMCS_GUEST_FS_SELECTOR, &es->fs);
    write_segment(VMCS_GUEST_GS_SELECTOR, &es->gs);
    write_segment(VMCS_GUEST_LDTR_SELECTOR, &es->ldtr);
    write_segment(VMCS_GUEST_TR_SELECTOR, &es->tr);
    vmcs_write_natural(VMCS_GUEST_GDTR_BASE, es->gdtr_base);
    vmcs_write32(VMCS_GUEST_GDTR_LIMIT, es->gdtr_limit);
    vmcs_write_natural(VMCS_GUEST_IDTR_BASE, es->idtr_base);
    vmcs_write32(VMCS_GUEST_IDTR_LIMIT, es->idtr_limit);

    vmcs_write64(VMCS_GUEST_IA32_DEBUGCTL, 0);
    vmcs_write32(VMCS_GUEST_IA32_SYSENTER_CS, 0);
    vmcs_write_natural(VMCS_GUEST_IA32_SYSENTER_ESP, 0);
    vmcs_write_natural(VMCS_GUEST_IA32_SYSENTER_EIP, 0);
    vmcs_write64(VMCS_GUEST_IA32_PAT, PAT_POWER_ON_DEFAULT);
    vmcs_write64(VMCS_GUEST_IA32_EFER, es->efer);

    vmcs_write32(VMCS_GUEST_ACTIVITY_STATE, 0);
    vmcs_write32(VMCS_GUEST_INTERRUPTIBILITY_STATE, 0);
    vmcs_write_natural(VMCS_GUEST_PENDING_DEBUG_EXCEPTIONS, 0);
    vmcs_write64(VMCS_GUEST_VMCS_LINK_POINTER, VMX_VMCS_LINK_NONE);
    vmcs_write32(VMCS_GUEST_PREEMPTION_TIMER_VALUE, p->preemption_timer_value);
}

/* ---- host-state area (25.5) ------------------------------------------------------------ */

void vmcs_setup_host_state(void)
{
    struct percpu *cpu = this_cpu();

    vmcs_write_natural(VMCS_HOST_CR0, read_cr0());
    vmcs_write_natural(VMCS_HOST_CR3, read_cr3());
    vmcs_write_natural(VMCS_HOST_CR4, read_cr4());
    vmcs_write16(VMCS_HOST_ES_SELECTOR, GDT_SEL_DATA);
    vmcs_write16(VMCS_HOST_CS_SELECTOR, GDT_SEL_CODE64);
    vmcs_write16(VMCS_HOST_SS_SELECTOR, GDT_SEL_DATA);
    vmcs_write16(VMCS_HOST_DS_SELECTOR, GDT_SEL_DATA);
    vmcs_write16(VMCS_HOST_FS_SELECTOR, 0);
    vmcs_write16(VMCS_HOST_GS_SELECTOR, 0);
    vmcs_write16(VMCS_HOST_TR_SELECTOR, GDT_SEL_TSS);
    vmcs_write_natural(VMCS_HOST_FS_BASE, rdmsr(MSR_IA32_FS_BASE));
    vmcs_write_natural(VMCS_HOST_GS_BASE, (uint64_t)(uintptr_t)cpu);
    vmcs_write_natural(VMCS_HOST_TR_BASE, (uint64_t)(uintptr_t)&cpu->tss);
    vmcs_write_natural(VMCS_HOST_GDTR_BASE, (uint64_t)(uintptr_t)cpu->gdt);
    vmcs_write_natural(VMCS_HOST_IDTR_BASE, idt_base());
    vmcs_write32(VMCS_HOST_IA32_SYSENTER_CS, 0);
    vmcs_write_natural(VMCS_HOST_IA32_SYSENTER_ESP, 0);
    vmcs_write_natural(VMCS_HOST_IA32_SYSENTER_EIP, 0);
    vmcs_write64(VMCS_HOST_IA32_PAT, rdmsr(MSR_IA32_PAT));
    vmcs_write64(VMCS_HOST_IA32_EFER, rdmsr(MSR_IA32_EFER));
    vmcs_write_natural(VMCS_HOST_RIP, (uint64_t)(uintptr_t)vmx_exit_entry);
    /* VMCS_HOST_RSP: written by vmx_enter(), which knows the stack position. */
}

/* ---- VM-execution control fields (25.6) ------------------------------------------------ */

static void vmcs_setup_exec_controls(const struct vmcs_setup_params *p)
{
    uint16_t vpid = p->vpid;
    const struct vmx_controls *ctl = &vmx_config()->controls;
    uint32_t secondary = ctl->secondary;
    if (!vpid)
        secondary &= ~VMX_PROC2_VPID;   /* VPID 0 is the host's: entry would fail */

    vmcs_write32(VMCS_CTRL_EXEC_PIN_BASED, ctl->pin);
    vmcs_write32(VMCS_CTRL_EXEC_PRIMARY_PROC_BASED, ctl->primary);
    vmcs_write32(VMCS_CTRL_EXEC_SECONDARY_PROC_BASED, secondary);
    vmcs_write32(VMCS_CTRL_EXEC_EXCEPTION_BITMAP, p->exception_bitmap);
    vmcs_write32(VMCS_CTRL_EXEC_PF_ERROR_CODE_MASK, 0);
    vmcs_write32(VMCS_CTRL_EXEC_PF_ERROR_CODE_MATCH, 0);
    vmcs_write64(VMCS_CTRL_EXEC_IO_BITMAP_A, (uint64_t)(uintptr_t)p->io_bitmap_a);
    vmcs_write64(VMCS_CTRL_EXEC_IO_BITMAP_B, (uint64_t)(uintptr_t)p->io_bitmap_b);
    vmcs_write64(VMCS_CTRL_EXEC_MSR_BITMAP, (uint64_t)(uintptr_t)p->msr_bitmap);
    vmcs_write64(VMCS_CTRL_EXEC_TSC_OFFSET, 0);
    vmcs_write_natural(VMCS_CTRL_EXEC_CR0_GUEST_HOST_MASK, vmcs_guest_cr0_mask());
    vmcs_write_natural(VMCS_CTRL_EXEC_CR4_GUEST_HOST_MASK,
                       vmcs_guest_cr4_mask() | p->cr4_owned_extra);
    vmcs_write32(VMCS_CTRL_EXEC_CR3_TARGET_COUNT, 0);
    vmcs_write64(VMCS_CTRL_EXEC_EPTP, p->eptp);
    if (vpid)
        vmcs_write16(VMCS_CTRL_EXEC_VPID, vpid);
}

/* ---- VM-exit control fields (25.7) ----------------------------------------------------- */

static void vmcs_setup_exit_controls(const struct vmcs_setup_params *p)
{
    vmcs_write32(VMCS_CTRL_EXIT_CONTROLS, vmx_config()->controls.exit);
    vmcs_write32(VMCS_CTRL_EXIT_MSR_STORE_COUNT, p->msr_count);
    vmcs_write64(VMCS_CTRL_EXIT_MSR_STORE_ADDRESS, (uint64_t)(uintptr_t)p->msr_guest);
    vmcs_write32(VMCS_CTRL_EXIT_MSR_LOAD_COUNT, p->msr_count);
    vmcs_write64(VMCS_CTRL_EXIT_MSR_LOAD_ADDRESS, (uint64_t)(uintptr_t)p->msr_host);
}

/* ---- VM-entry control fields (25.8) ---------------------------------------------------- */

static void vmcs_setup_entry_controls(const struct vmcs_setup_params *p)
{
    uint32_t entry = vmx_config()->controls.entry & ~(uint32_t)VMX_ENTRY_IA32E_MODE_GUEST;
    if (p->entry->efer & EFER_LMA)
        entry |= VMX_ENTRY_IA32E_MODE_GUEST;
    vmcs_write32(VMCS_CTRL_ENTRY_CONTROLS, entry);
    vmcs_write32(VMCS_CTRL_ENTRY_MSR_LOAD_COUNT, p->msr_count);
    vmcs_write64(VMCS_CTRL_ENTRY_MSR_LOAD_ADDRESS, (uint64_t)(uintptr_t)p->msr_guest);
    vmcs_write32(VMCS_CTRL_ENTRY_INTERRUPTION_INFO, 0);
    vmcs_write32(VMCS_CTRL_ENTRY_EXCEPTION_ERROR_CODE, 0);
    vmcs_write32(VMCS_CTRL_ENTRY_INSTRUCTION_LENGTH, 0);
}

static bool vmx_check(const char *what, enum vmx_result r)
{
    if (r == VMX_SUCCEED)
        return true;
    console_printf("vmx: cpu %u: %s failed (%s)\n", this_cpu()->index, what,
                   r == VMX_FAIL_INVALID ? "VMfailInvalid" : "VMfailValid");
    return false;
}

bool vmcs_setup(const struct vmcs_setup_params *p)
{
    *(volatile uint32_t *)(uintptr_t)p->vmcs_phys = vmx_config()->caps.revision_id;
    if (!vmx_check("vmclear", vmclear(p->vmcs_phys)) ||
        !vmx_check("vmptrld", vmptrld(p->vmcs_phys)))
        return false;
    vmcs_setup_guest_state(p);
    vmcs_setup_host_state();
    vmcs_setup_exec_controls(p);
    vmcs_setup_exit_controls(p);
    vmcs_setup_entry_controls(p);
    return true;
}
