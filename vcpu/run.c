/* The vCPU run loop: VMCS set-up from an entry state, TLB flush, VM entry, and the report when
 * entry itself fails (SDM Vol. 3C 25 VMCS areas, 29.4.3 INVEPT/INVVPID, 31.3 VMLAUNCH). Every
 * exit is then handled in vcpu/dispatch.c without returning here until the vCPU stops. */
#include "arch/x86/cpu.h"
#include "arch/x86/cpu_regs.h"
#include "arch/x86/msr.h"
#include "arch/x86/percpu.h"
#include "vcpu/exit.h"
#include "vcpu/report.h"
#include "vcpu/vcpu.h"
#include "vcpu/xcr0.h"
#include "vmx/mitigations_apply.h"
#include "vmx/vmx_asm.h"
#include "vmx/vmxon.h"

static void flush_guest_tlbs(const struct vcpu *v)
{
    const struct vmx_caps *caps = &vmx_config()->caps;
    if (caps->invept_single) {
        struct vmx_invept_desc d = { v->eptp, 0 };
        invept(VMX_INVEPT_SINGLE_CONTEXT, &d);
    }
    if (v->vpid && caps->invvpid_single) {
        struct vmx_invvpid_desc d = { v->vpid, { 0, 0, 0 }, 0 };
        invvpid(VMX_INVVPID_SINGLE_CONTEXT, &d);
    }
}

/* Extended-state components an init image of this size can hold (SDM Vol. 1 13.4: x87 and
 * SSE in the legacy area, AVX, AVX-512 and PKRU after the header; AMX's tile data would not
 * fit, and no guest may enable AMX). */
#define INIT_IMAGE_SIZE     4096u
#define XCR0_RESET          1ull    /* x87 alone, the power-up value (Vol. 1 13.3) */
#define DR6_RESET           0xFFFF0FF0ull
#define MXCSR_OFFSET        24u     /* in the legacy area (Vol. 1 table 10-2) */
#define MXCSR_RESET         0x1F80u /* all SSE exceptions masked: the power-up value */

/* XRSTOR loads MXCSR from the legacy area whenever it restores SSE or AVX, even into their
 * init state (Vol. 1 13.8.1), so the image holds MXCSR's reset value; the rest is zero. */
static uint8_t init_image[INIT_IMAGE_SIZE] __attribute__((aligned(64))) = {
    [MXCSR_OFFSET] = (uint8_t)MXCSR_RESET, [MXCSR_OFFSET + 1] = (uint8_t)(MXCSR_RESET >> 8),
};

/* The components the init image resets here (vcpu/xcr0.c decides, from leaf 0DH). */
static uint64_t reset_components(void)
{
    struct cpuid_regs x = cpuid(0xD, 0);
    uint64_t supported = (uint64_t)x.edx << 32 | x.eax;
    struct xsave_area areas[XCR0_COMPONENTS] = { { 0, 0 } };
    for (unsigned i = 2; i < XCR0_COMPONENTS; i++) {
        if (supported & (1ull << i)) {
            struct cpuid_regs c = cpuid(0xD, i);
            areas[i] = (struct xsave_area){ c.ebx, c.eax };
        }
    }
    return xcr0_reset_components(supported, areas, INIT_IMAGE_SIZE);
}

/* Everything a guest could have left in this CPU outside the VMCS, back to its power-up state
 * before a (re)start: the x87/SSE/AVX/AVX-512 registers, MXCSR and PKRU (XRSTOR of an image
 * whose XSTATE_BV is 0 initialises each component it names, Vol. 1 13.8.1), XCR0, DR0-DR3 and
 * DR6 (DR7 is in the VMCS). PKRU is reset too, though a guest reaches it only if its CPUID
 * offers PKU (CR4.PKE is refused otherwise). The hypervisor never uses these itself, so the
 * next guest finds only the reset state. */
static void reset_guest_cpu_state(void)
{
    if (read_cr4() & CR4_OSXSAVE) {
        uint64_t components = reset_components();
        __asm__ volatile("xsetbv" : : "c"(0), "a"((uint32_t)components),
                         "d"((uint32_t)(components >> 32)));
        __asm__ volatile("xrstor %0" : : "m"(*(uint8_t(*)[INIT_IMAGE_SIZE])init_image),
                         "a"((uint32_t)components), "d"((uint32_t)(components >> 32)) : "memory");
        __asm__ volatile("xsetbv" : : "c"(0), "a"((uint32_t)XCR0_RESET), "d"(0));
    } else {
        __asm__ volatile("fninit");
    }
    uint64_t zero = 0, dr6 = DR6_RESET;
    __asm__ volatile("mov %0, %%dr0\n\tmov %0, %%dr1\n\tmov %0, %%dr2\n\tmov %0, %%dr3\n\t"
                     "mov %1, %%dr6" : : "r"(zero), "r"(dr6));
}

bool vcpu_prepare(struct vcpu *v, const struct vcpu_entry *entry)
{
    this_cpu()->vcpu = v;
    reset_guest_cpu_state();
    for (uint32_t i = 0; i < v->msr_count; i++)
        v->msr_host[i].value = rdmsr(v->msr_host[i].index);
    vcpu_cpuid_prepare(v);
    const struct vmcs_setup_params params = {
        .entry = &entry->cpu,
        .vmcs_phys = v->vmcs_phys,
        .eptp = v->eptp,
        .vpid = v->vpid,
        .io_bitmap_a = v->io_bitmap_a,
        .io_bitmap_b = v->io_bitmap_b,
        .msr_bitmap = v->msr_bitmap,
        .msr_guest = v->msr_guest,
        .msr_host = v->msr_host,
        .msr_count = v->msr_count,
        .preemption_timer_value = v->preemption_timer_value,
        .exception_bitmap = VCPU_EXCEPTION_BITMAP,
        /* CR4 bits VMX allows but the partition's CPUID hides: writing one exits, and is #GP. */
        .cr4_owned_extra = vcpu_guest_cr4_allowed() & ~v->cr4_allowed,
    };
    v->launched = false;
    v->shut_down = false;
    if (!vmcs_setup(&params)) {
        vcpu_stop_verdict(v, "its VMCS could not be set up");
        vcpu_announce_stop(v);
        return false;
    }
    flush_guest_tlbs(v);
    v->device_deadline = UINT64_MAX;
    v->next_tick_tsc = rdtsc() + v->tick_period_tsc;
    v->regs = entry->regs;
    return true;
}

void vcpu_enter(struct vcpu *v)
{
    struct percpu *cpu = this_cpu();
    v->state = VCPU_RUNNING;
    v->regs.host_rsp = 0;           /* vmx_enter writes it before the first entry */
    cpu->fault_resume_rsp = &v->regs.host_rsp;
    cpu->fault_resume_rip = (uint64_t)(uintptr_t)vmx_enter_fault_resume;
    mitigations_partition_start(&vmx_config()->mitigations);
    int result = vmx_enter(&v->regs);
    cpu->fault_resume_rip = 0;
    if (result == VMX_ENTER_FAULTED) {
        vcpu_stop_verdict(v, "hypervisor exception while handling its exit");
        vcpu_announce_stop(v);
    } else if (result != VMX_ENTER_STOPPED) {
        vcpu_report_enter_failure(v, result);
    }
}
