/* VM-exit dispatch (SDM Vol. 3C, 28.2 exit information, 27.8 entry failures) and the
 * containment report: what a guest did wrong stops that guest only. */
#include "vmx/exit.h"

#include "arch/x86/percpu.h"
#include "drivers/console.h"
#include "guest/partition_run.h"
#include "lib/format.h"
#include "vmx/exit_reasons.h"
#include "vmx/guest_state_report.h"
#include "vmx/vm_instruction_error.h"
#include "vmx/vmcs.h"

/* Indexed by basic exit reason; a reason without a handler stops the guest. */
static const exit_handler_fn exit_handlers[VMX_EXIT_REASON_COUNT] = {
    [VMX_EXIT_REASON_EXCEPTION_NMI] = exit_exception_nmi,
    [VMX_EXIT_REASON_EXTERNAL_INTERRUPT] = exit_external_interrupt,
    [VMX_EXIT_REASON_TRIPLE_FAULT] = exit_triple_fault,
    [VMX_EXIT_REASON_INIT] = exit_init_signal,
    [VMX_EXIT_REASON_SIPI] = exit_sipi,
    [VMX_EXIT_REASON_CPUID] = exit_cpuid,
    [VMX_EXIT_REASON_GETSEC] = exit_undefined_opcode,
    [VMX_EXIT_REASON_HLT] = exit_hlt,
    [VMX_EXIT_REASON_INVD] = exit_invd_wbinvd,
    [VMX_EXIT_REASON_VMCALL] = exit_vmcall,
    [VMX_EXIT_REASON_VMCLEAR] = exit_undefined_opcode,
    [VMX_EXIT_REASON_VMLAUNCH] = exit_undefined_opcode,
    [VMX_EXIT_REASON_VMPTRLD] = exit_undefined_opcode,
    [VMX_EXIT_REASON_VMPTRST] = exit_undefined_opcode,
    [VMX_EXIT_REASON_VMREAD] = exit_undefined_opcode,
    [VMX_EXIT_REASON_VMRESUME] = exit_undefined_opcode,
    [VMX_EXIT_REASON_VMWRITE] = exit_undefined_opcode,
    [VMX_EXIT_REASON_VMXOFF] = exit_undefined_opcode,
    [VMX_EXIT_REASON_VMXON] = exit_undefined_opcode,
    [VMX_EXIT_REASON_CR_ACCESS] = exit_cr_access,
    [VMX_EXIT_REASON_IO_INSTRUCTION] = exit_io,
    [VMX_EXIT_REASON_RDMSR] = exit_rdmsr,
    [VMX_EXIT_REASON_WRMSR] = exit_wrmsr,
    [VMX_EXIT_REASON_EPT_VIOLATION] = exit_ept_violation,
    [VMX_EXIT_REASON_EPT_MISCONFIG] = exit_ept_misconfig,
    [VMX_EXIT_REASON_INVEPT] = exit_undefined_opcode,
    [VMX_EXIT_REASON_PREEMPTION_TIMER] = exit_preemption_timer,
    [VMX_EXIT_REASON_INVVPID] = exit_undefined_opcode,
    [VMX_EXIT_REASON_WBINVD] = exit_invd_wbinvd,
    [VMX_EXIT_REASON_XSETBV] = exit_xsetbv,
    [VMX_EXIT_REASON_VMFUNC] = exit_undefined_opcode,
};

static void vmcs_report_line(void *ctx, const char *line)
{
    (void)ctx;
    console_printf("%s\n", line);
}

enum exit_action exit_stop_with_report(struct vcpu *v, const struct exit_info *e,
                                       const char *why)
{
    struct partition *p = v->partition;
    const char *name = p->config->name;
    char qualification[128];

    vmx_exit_qualification_format(qualification, sizeof(qualification), e->basic,
                                  exit_qualification());
    partition_stop(p, "%s", why);
    console_printf("partition %s:   exit %s (%u) on cpu %u, qualification %s\n", name,
                   vmx_exit_reason_name(e->basic), e->basic, v->cpu, qualification);
    console_printf("partition %s:   rip 0x%llx rsp 0x%llx cr3 0x%llx rflags 0x%llx\n", name,
                   (unsigned long long)vmcs_read_natural(VMCS_GUEST_RIP),
                   (unsigned long long)vmcs_read_natural(VMCS_GUEST_RSP),
                   (unsigned long long)vmcs_read_natural(VMCS_GUEST_CR3),
                   (unsigned long long)vmcs_read_natural(VMCS_GUEST_RFLAGS));
    if (e->basic == VMX_EXIT_REASON_EPT_VIOLATION || e->basic == VMX_EXIT_REASON_EPT_MISCONFIG)
        console_printf("partition %s:   guest-physical 0x%llx linear 0x%llx\n", name,
                       (unsigned long long)vmcs_read64(VMCS_EXIT_INFO_GUEST_PHYSICAL_ADDRESS),
                       (unsigned long long)vmcs_read_natural(VMCS_EXIT_INFO_GUEST_LINEAR_ADDRESS));
    return EXIT_STOP;
}

/* Out of line, like the entry-failure path: the common exit needs no stack frame. */
__attribute__((noinline)) static enum exit_action exit_unhandled(struct vcpu *v,
                                                                 const struct exit_info *e)
{
    char why[64];
    fmt_snprintf(why, sizeof(why), "unhandled exit reason %u", e->basic);
    return exit_stop_with_report(v, e, why);
}

__attribute__((noinline)) static enum exit_action exit_entry_failure(struct vcpu *v, const struct exit_info *e)
{
    const char *name = v->partition->config->name;
    partition_stop(v->partition, "VM entry failed: %s (%u)", vmx_exit_reason_name(e->basic),
                   e->basic);
    if (e->basic == VMX_EXIT_REASON_ENTRY_INVALID_GUEST)
        guest_state_report(name, vmcs_report_line, 0);
    else if (e->basic == VMX_EXIT_REASON_ENTRY_MSR_LOADING)
        console_printf("partition %s:   MSR-load list entry %llu\n", name,
                       (unsigned long long)exit_qualification());
    return EXIT_STOP;
}

void vmx_entry_failed(struct vcpu *v, int enter_result)
{
    const char *name = v->partition->config->name;
    v->launched = (enter_result & VMX_ENTER_RESUMING) != 0;
    if ((enter_result & ~VMX_ENTER_RESUMING) == VMX_FAIL_VALID) {
        uint32_t error = vmcs_read32(VMCS_EXIT_INFO_VM_INSTRUCTION_ERROR);
        partition_stop(v->partition, "%s failed: VM-instruction error %u (%s)",
                       v->launched ? "VMRESUME" : "VMLAUNCH", error,
                       vmx_instruction_error_name(error));
        guest_state_dump_controls(name, vmcs_report_line, 0);
    } else {
        partition_stop(v->partition, "%s failed: VMfailInvalid (no current VMCS)",
                       v->launched ? "VMRESUME" : "VMLAUNCH");
    }
}

/* The low half of the TSC: an exit's cost always fits, and it is cheaper to combine. */
static inline uint32_t tsc_low(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return lo;
}

/* What the dispatcher needs after the handler is in *v and the ring record, so little has
 * to survive the handler call: the common exit keeps a tiny stack frame. */
enum exit_action vmx_exit_dispatch(struct vcpu *v)
{
    v->exit_start_tsc = tsc_low();
    struct vcpu_exit_record *rec = &v->ring[v->ring_next++ % VCPU_EXIT_RING];
    uint32_t reason = (uint32_t)vmcs_read_hot(VMCS_EXIT_INFO_EXIT_REASON);
    uint32_t basic = VMX_EXIT_REASON_BASIC(reason);
    rec->info.reason = reason;
    rec->info.basic = basic;
    rec->rip = vmcs_read_hot(VMCS_GUEST_RIP);
    rec->qualification = vmcs_read_hot(VMCS_EXIT_INFO_QUALIFICATION);

    if (reason & VMX_EXIT_REASON_ENTRY_FAILURE)
        return exit_entry_failure(v, &rec->info);
    if (basic >= VMX_EXIT_REASON_COUNT || !exit_handlers[basic])
        return exit_unhandled(v, &rec->info);
    v->exits[basic]++;

    enum exit_action action = exit_handlers[basic](v, &rec->info);
    if (action == EXIT_ADVANCE) {
        vmcs_write_hot(VMCS_GUEST_RIP,
                       rec->rip + vmcs_read_hot(VMCS_EXIT_INFO_INSTRUCTION_LENGTH));
        action = EXIT_RESUME;
    }
    /* Root-mode cost, from here to just before the stub resumes the guest. */
    uint32_t cost = tsc_low() - v->exit_start_tsc;
    unsigned bucket = cost ? 31u - (unsigned)__builtin_clz(cost) : 0;
    v->exit_cost[rec->info.basic][bucket < VCPU_COST_BUCKETS ? bucket : VCPU_COST_BUCKETS - 1]++;
    return action;
}

/* ---- helpers the handlers share ----------------------------------------------------------- */

#define INTR_INFO_VALID             (1u << 31)
#define INTR_INFO_DELIVER_ERROR     (1u << 11)
#define INTR_TYPE_HW_EXCEPTION      (3u << 8)

void vmx_inject_hw_exception(uint8_t vector, bool has_error_code, uint32_t error_code)
{
    uint32_t info = INTR_INFO_VALID | INTR_TYPE_HW_EXCEPTION | vector;
    if (has_error_code) {
        info |= INTR_INFO_DELIVER_ERROR;
        vmcs_write32(VMCS_CTRL_ENTRY_EXCEPTION_ERROR_CODE, error_code);
    }
    vmcs_write32(VMCS_CTRL_ENTRY_INTERRUPTION_INFO, info);
}

uint64_t exit_read_gpr(const struct vcpu *v, unsigned index)
{
    const struct guest_regs *r = &v->regs;
    const uint64_t by_index[16] = { r->rax, r->rcx, r->rdx, r->rbx, 0, r->rbp, r->rsi, r->rdi,
                                    r->r8, r->r9, r->r10, r->r11, r->r12, r->r13, r->r14, r->r15 };
    if (index == 4)
        return vmcs_read_natural(VMCS_GUEST_RSP);
    return by_index[index & 15];
}

void exit_write_gpr(struct vcpu *v, unsigned index, uint64_t value)
{
    struct guest_regs *r = &v->regs;
    uint64_t *by_index[16] = { &r->rax, &r->rcx, &r->rdx, &r->rbx, 0, &r->rbp, &r->rsi, &r->rdi,
                               &r->r8, &r->r9, &r->r10, &r->r11, &r->r12, &r->r13, &r->r14, &r->r15 };
    if ((index & 15) == 4)
        vmcs_write_natural(VMCS_GUEST_RSP, value);
    else
        *by_index[index & 15] = value;
}


/* Called by the VMCS accessors when VMREAD/VMWRITE fails: a programming error, so say
 * which field, but only a few times per CPU so a loop cannot flood the console. */
void vmcs_access_failed(enum vmcs_field field, bool is_write, enum vmx_result result)
{
    static uint32_t reported[CPU_MAX];
    uint32_t cpu = this_cpu()->index;
    if (reported[cpu]++ >= 8)
        return;
    const struct vmcs_field_info *info = vmcs_field_lookup(field);
    console_printf("vmx: cpu %u: %s of %s (0x%x) failed: %s\n", cpu,
                   is_write ? "VMWRITE" : "VMREAD", info ? info->name : "unknown field",
                   (unsigned)field, result == VMX_FAIL_INVALID ? "no current VMCS" : "invalid field");
}
