/* Explaining a failed VM entry (SDM Vol. 3C, 27.8): read the guest-state area back, run the
 * software checker on it, and dump the VMCS by area. Hardware says only "invalid guest
 * state"; this names the field and the rule. */
#include "vmx/guest_state_report.h"

#include "arch/x86/cpu.h"
#include "lib/diag.h"
#include "lib/format.h"
#include "vmx/guest_state_check.h"
#include "vmx/vmcs.h"
#include "vmx/vmcs_dump.h"
#include "vmx/vmxon.h"

static bool read_field(void *ctx, uint32_t encoding, uint64_t *value)
{
    (void)ctx;
    return vmread(encoding, value) == VMX_SUCCEED;
}

void vmcs_dump_current(unsigned area_mask, report_line_fn print, void *ctx)
{
    vmcs_dump(area_mask, read_field, 0, print, ctx);
}

#define READ_SEGMENT(seg, NAME)                                                     \
    do {                                                                            \
        (seg).selector = vmcs_read16(VMCS_GUEST_##NAME##_SELECTOR);                 \
        (seg).base = vmcs_read_natural(VMCS_GUEST_##NAME##_BASE);                   \
        (seg).limit = vmcs_read32(VMCS_GUEST_##NAME##_LIMIT);                       \
        (seg).access_rights = vmcs_read32(VMCS_GUEST_##NAME##_ACCESS_RIGHTS);       \
    } while (0)

static void read_guest_state(struct vmx_guest_state *g)
{
    g->cr0 = vmcs_read_natural(VMCS_GUEST_CR0);
    g->cr3 = vmcs_read_natural(VMCS_GUEST_CR3);
    g->cr4 = vmcs_read_natural(VMCS_GUEST_CR4);
    g->dr7 = vmcs_read_natural(VMCS_GUEST_DR7);
    g->rsp = vmcs_read_natural(VMCS_GUEST_RSP);
    g->rip = vmcs_read_natural(VMCS_GUEST_RIP);
    g->rflags = vmcs_read_natural(VMCS_GUEST_RFLAGS);
    READ_SEGMENT(g->es, ES);
    READ_SEGMENT(g->cs, CS);
    READ_SEGMENT(g->ss, SS);
    READ_SEGMENT(g->ds, DS);
    READ_SEGMENT(g->fs, FS);
    READ_SEGMENT(g->gs, GS);
    READ_SEGMENT(g->ldtr, LDTR);
    READ_SEGMENT(g->tr, TR);
    g->gdtr_base = vmcs_read_natural(VMCS_GUEST_GDTR_BASE);
    g->gdtr_limit = vmcs_read32(VMCS_GUEST_GDTR_LIMIT);
    g->idtr_base = vmcs_read_natural(VMCS_GUEST_IDTR_BASE);
    g->idtr_limit = vmcs_read32(VMCS_GUEST_IDTR_LIMIT);
    g->debugctl = vmcs_read64(VMCS_GUEST_IA32_DEBUGCTL);
    g->sysenter_cs = vmcs_read32(VMCS_GUEST_IA32_SYSENTER_CS);
    g->sysenter_esp = vmcs_read_natural(VMCS_GUEST_IA32_SYSENTER_ESP);
    g->sysenter_eip = vmcs_read_natural(VMCS_GUEST_IA32_SYSENTER_EIP);
    g->pat = vmcs_read64(VMCS_GUEST_IA32_PAT);
    g->efer = vmcs_read64(VMCS_GUEST_IA32_EFER);
    g->activity_state = vmcs_read32(VMCS_GUEST_ACTIVITY_STATE);
    g->interruptibility = vmcs_read32(VMCS_GUEST_INTERRUPTIBILITY_STATE);
    g->pending_debug_exceptions = vmcs_read_natural(VMCS_GUEST_PENDING_DEBUG_EXCEPTIONS);
    g->vmcs_link_pointer = vmcs_read64(VMCS_GUEST_VMCS_LINK_POINTER);
}

static void read_check_context(struct vmx_guest_check_context *c)
{
    const struct vmx_caps *caps = &vmx_config()->caps;
    c->pin = vmcs_read32(VMCS_CTRL_EXEC_PIN_BASED);
    c->primary = vmcs_read32(VMCS_CTRL_EXEC_PRIMARY_PROC_BASED);
    c->secondary = vmcs_read32(VMCS_CTRL_EXEC_SECONDARY_PROC_BASED);
    c->entry = vmcs_read32(VMCS_CTRL_ENTRY_CONTROLS);
    c->entry_interruption_info = vmcs_read32(VMCS_CTRL_ENTRY_INTERRUPTION_INFO);
    c->cr0_fixed0 = caps->cr0_fixed0;
    c->cr0_fixed1 = caps->cr0_fixed1;
    c->cr4_fixed0 = caps->cr4_fixed0;
    c->cr4_fixed1 = caps->cr4_fixed1;
    uint32_t widths = cpuid(0x80000000, 0).eax >= 0x80000008 ? cpuid(0x80000008, 0).eax : 0;
    c->physical_address_width = widths & 0xFF;
    c->linear_address_width = (widths >> 8) & 0xFF;
    c->activity_hlt_supported = caps->activity_hlt;
    c->activity_shutdown_supported = caps->activity_shutdown;
    c->activity_wait_for_sipi_supported = caps->activity_wait_for_sipi;
}

struct prefixed {
    const char *partition;
    report_line_fn print;
    void *ctx;
};

static void print_prefixed(void *ctx, const char *line)
{
    const struct prefixed *p = ctx;
    char buf[DIAG_LINE_MAX + 48];
    fmt_snprintf(buf, sizeof(buf), "partition %s: %s", p->partition, line);
    p->print(p->ctx, buf);
}

void guest_state_report(const char *partition, report_line_fn print, void *ctx)
{
    struct prefixed out = { partition, print, ctx };
    struct vmx_guest_state g = { 0 };
    struct vmx_guest_check_context c = { 0 };
    struct vmx_guest_check_result r;

    read_guest_state(&g);
    read_check_context(&c);
    if (vmx_guest_state_check(&g, &c, &r)) {
        print_prefixed(&out, "vmx: the software checker finds no invalid guest state "
                             "(a check it does not model failed)");
    } else {
        const struct diag d = { print_prefixed, &out };
        vmx_guest_check_report(&r, &d);
    }
    vmcs_dump(VMCS_AREA_BIT(VMCS_AREA_GUEST), read_field, 0, print_prefixed, &out);
}

void guest_state_dump_controls(const char *partition, report_line_fn print, void *ctx)
{
    struct prefixed out = { partition, print, ctx };
    vmcs_dump(VMCS_AREA_BIT(VMCS_AREA_HOST) | VMCS_AREA_BIT(VMCS_AREA_CTRL_EXEC) |
                  VMCS_AREA_BIT(VMCS_AREA_CTRL_EXIT) | VMCS_AREA_BIT(VMCS_AREA_CTRL_ENTRY),
              read_field, 0, print_prefixed, &out);
}
