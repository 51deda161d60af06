/* VMX root operation on every CPU (SDM Vol. 3C, 24.7 enabling and entering VMX, 25.11.5 VMXON region). */
#include "vmx/vmxon.h"

#include "arch/x86/cpu.h"
#include "arch/x86/cpu_regs.h"
#include "arch/x86/msr.h"
#include "arch/x86/percpu.h"
#include "arch/x86/smp.h"
#include "drivers/console.h"
#include "lib/format.h"
#include "vmx/vm_instruction_error.h"
#include "vmx/mitigations_apply.h"
#include "vmx/vmcs.h"
#include "vmx/vmx_asm.h"

struct vmx_config vmx_negotiated;

static void report_debug_line(void *ctx, const char *line)
{
    (void)ctx;
    console_log(LOG_DEBUG, "%s\n", line);
}

static const struct diag vmx_err = { console_line_sink, 0 };
static const struct diag vmx_debug = { report_debug_line, 0 };

/* Reads CPUID and the capability MSRs in ascending order, each only if it exists:
 * reading one that does not would #GP. */
static void vmx_read_caps_raw(struct vmx_caps_raw *raw)
{
    *raw = (struct vmx_caps_raw){ 0 };
    raw->cpuid1_ecx = cpuid(1, 0).ecx;
    if (!(raw->cpuid1_ecx & CPUID_1_ECX_VMX))
        return;
    raw->feature_control = rdmsr(MSR_IA32_FEATURE_CONTROL);
    for (uint32_t msr = VMX_CAPS_MSR_FIRST; msr <= VMX_CAPS_MSR_LAST; msr++)
        if (vmx_caps_msr_exists(raw, msr))
            vmx_caps_raw_set(raw, msr, rdmsr(msr));
}

/* Feature control: lock it with VMX on if the firmware left it open. */
static bool vmx_feature_control_enable(struct vmx_caps_raw *raw)
{
    switch (vmx_feature_control_check(raw->cpuid1_ecx, raw->feature_control, &vmx_err)) {
    case VMX_FC_OK:
        return true;
    case VMX_FC_ENABLE_AND_LOCK: {
        uint64_t before = raw->feature_control;
        uint64_t value = vmx_feature_control_enable_value(before);
        wrmsr(MSR_IA32_FEATURE_CONTROL, value);
        raw->feature_control = rdmsr(MSR_IA32_FEATURE_CONTROL);
        return vmx_feature_control_enabled(before, value, raw->feature_control, &vmx_err,
                                           &vmx_debug);
    }
    default:
        return false;
    }
}

/* Reads, checks and negotiates on the calling CPU. */
static bool vmx_negotiate_this_cpu(struct vmx_caps *caps, struct vmx_controls *controls)
{
    struct vmx_caps_raw raw;
    vmx_read_caps_raw(&raw);
    return vmx_feature_control_enable(&raw) && vmx_caps_decode(&raw, caps, &vmx_err) &&
           vmx_negotiate_hypervisor_controls(caps, controls, &vmx_err, &vmx_debug);
}

static void vmx_report_failure(const struct percpu *cpu, const char *what, enum vmx_result r)
{
    if (r == VMX_FAIL_VALID) {
        uint64_t error = 0;
        vmread(VMCS_EXIT_INFO_VM_INSTRUCTION_ERROR, &error);
        console_printf("vmx: cpu %u (apic %u): %s failed: VM-instruction error %llu (%s)\n",
                       cpu->index, cpu->apic_id, what, (unsigned long long)error,
                       vmx_instruction_error_name((uint32_t)error));
    } else {
        console_printf("vmx: cpu %u (apic %u): %s failed: VMfailInvalid\n", cpu->index,
                       cpu->apic_id, what);
    }
}

/* The plan from this CPU's enumeration; printed so a user sees what the machine needs. */
static void decide_mitigations(struct mitigation_plan *plan)
{
    struct mitigation_inputs in = { 0, 0 };
    if (cpuid(0, 0).eax >= 7)
        in.cpuid7_edx = cpuid(7, 0).edx;
    if (in.cpuid7_edx & CPUID7_EDX_ARCH_CAPABILITIES)
        in.arch_capabilities = rdmsr(MSR_IA32_ARCH_CAPABILITIES);
    mitigation_plan_decide(&in, plan);
    char line[DIAG_LINE_MAX];
    mitigation_plan_describe(plan, line, sizeof(line));
    console_printf("mitigations: %s\n", line);
    mitigations_adopt(plan);
}

static void vmx_enter_root_this_cpu(void *arg)
{
    (void)arg;
    struct percpu *cpu = this_cpu();
    struct vmx_caps caps;
    struct vmx_controls controls;

    if (!vmx_negotiate_this_cpu(&caps, &controls)) {
        console_printf("vmx: cpu %u (apic %u): left out\n", cpu->index, cpu->apic_id);
        return;
    }
    if (cpu->index != 0 && !vmx_controls_compare(&vmx_negotiated.controls, &controls, cpu->index,
                                                 &vmx_err)) {
        console_printf("vmx: cpu %u (apic %u): left out\n", cpu->index, cpu->apic_id);
        return;
    }

    struct vmx_cr_adjust cr0, cr4;
    if (!vmx_cr0_apply_fixed_host(&caps, read_cr0(), &cr0) ||
        !vmx_cr4_apply_fixed(&caps, read_cr4() | CR4_VMXE, &cr4)) {
        console_printf("vmx: cpu %u (apic %u): CR0 0x%llx or CR4 0x%llx cannot meet the VMX "
                       "fixed bits; left out\n", cpu->index, cpu->apic_id,
                       (unsigned long long)read_cr0(), (unsigned long long)read_cr4());
        return;
    }
    write_cr0(cr0.value);
    write_cr4(cr4.value);

    *(volatile uint32_t *)cpu->vmxon_region = caps.revision_id;   /* bit 31 clear */
    enum vmx_result r = vmxon((uint64_t)(uintptr_t)cpu->vmxon_region);
    if (r != VMX_SUCCEED) {
        vmx_report_failure(cpu, "vmxon", r);
        write_cr4(read_cr4() & ~(uint64_t)CR4_VMXE);
        return;
    }
    cpu->vmx_on = true;
    mitigations_apply_this_cpu(&vmx_negotiated.mitigations);
    console_printf("vmx: cpu %u (apic %u): vmxon ok\n", cpu->index, cpu->apic_id);
}

void vmx_bring_up(void)
{
    if (!vmx_negotiate_this_cpu(&vmx_negotiated.caps, &vmx_negotiated.controls)) {
        console_printf("vmx: not available; tessera stays up without partitions\n");
        return;
    }
    char summary[DIAG_LINE_MAX];
    vmx_controls_format(summary, sizeof(summary), &vmx_negotiated.caps, &vmx_negotiated.controls);
    console_printf("%s\n", summary);
    decide_mitigations(&vmx_negotiated.mitigations);

    uint32_t in_root = 0, online = 0;
    for (uint32_t i = 0; i < CPU_MAX; i++) {
        if (i != 0 && !percpu_area[i].online)
            continue;
        online++;
        smp_run_on(i, vmx_enter_root_this_cpu, 0);
        if (percpu_area[i].vmx_on)
            in_root++;
    }
    vmx_negotiated.usable = percpu_area[0].vmx_on;
    console_printf("vmx: %u of %u cpus in VMX root operation\n", in_root, online);
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
