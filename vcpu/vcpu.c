/* What every handler family shares: guest registers by index, exception injection, guest
 * memory translation and stop verdicts (SDM Vol. 3C 28.2.1 register numbering, 25.8.3). */
#include "vcpu/exit.h"

#include <stdarg.h>

#include "arch/x86/cpu.h"
#include "arch/x86/cpu_regs.h"
#include "lib/format.h"
#include "vmx/vmxon.h"

enum vcpu_verdict vcpu_stop_verdict(struct vcpu *v, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fmt_vsnprintf(v->stop_reason, sizeof(v->stop_reason), fmt, ap);
    va_end(ap);
    return VCPU_STOP;
}

void vcpu_request_stop(struct vcpu *v, const char *reason)
{
    v->stop_request_reason = reason;
    v->stop_requested = true;
    v->events_pending = 1;      /* the slow path, which honours it before any injection */
}

void *vcpu_gpa_to_host(const struct vcpu *v, uint64_t gpa, uint64_t size)
{
    if (gpa >= v->memory_size || size > v->memory_size - gpa)
        return 0;
    return (void *)(uintptr_t)(v->memory_hpa + gpa);
}

uint64_t vcpu_guest_cr4_allowed(void)
{
    return vmx_config()->caps.cr4_fixed1 & ~(uint64_t)CR4_VMXE;
}

#define MAXPHYADDR_WITHOUT_LEAF 36u

unsigned vcpu_maxphyaddr(void)
{
    if (vcpu_host_cpuid(0x80000000, 0).eax < 0x80000008)
        return MAXPHYADDR_WITHOUT_LEAF;
    return vcpu_host_cpuid(0x80000008, 0).eax & 0xFFu;
}

uint64_t vcpu_read_gpr(const struct vcpu *v, unsigned index)
{
    const struct guest_regs *r = &v->regs;
    const uint64_t by_index[16] = { r->rax, r->rcx, r->rdx, r->rbx, 0, r->rbp, r->rsi, r->rdi,
                                    r->r8, r->r9, r->r10, r->r11, r->r12, r->r13, r->r14, r->r15 };
    if ((index & 15) == 4)
        return vcpu_vmread(VMCS_GUEST_RSP);
    return by_index[index & 15];
}

void vcpu_write_gpr(struct vcpu *v, unsigned index, uint64_t value)
{
    struct guest_regs *r = &v->regs;
    uint64_t *by_index[16] = { &r->rax, &r->rcx, &r->rdx, &r->rbx, 0, &r->rbp, &r->rsi, &r->rdi,
                               &r->r8, &r->r9, &r->r10, &r->r11, &r->r12, &r->r13, &r->r14, &r->r15 };
    if ((index & 15) == 4) {
        vcpu_vmwrite(VMCS_GUEST_RSP, value);
        return;
    }
    *by_index[index & 15] = value;
    /* RBX, RBP and R12-R15 are reloaded only on the exit stub's slow path (vmx/exit_stub.S). */
    if ((index & 15) == 3 || (index & 15) == 5 || (index & 15) >= 12)
        v->events_pending = 1;
}

enum range_add_result vcpu_claim_ports(struct vcpu *v, uint16_t first, uint16_t count,
                                       const struct vcpu_port_ops *ops, void *ctx)
{
    if (!count || (uint32_t)first + count - 1 > 0xFFFFu)
        return RANGE_EMPTY;
    v->last_dropped_key = UINT64_MAX;       /* a dropped port may have just been claimed */
    return range_registry_add(&v->devices.ports, first, (uint64_t)first + count - 1, ops, ctx);
}

enum range_add_result vcpu_claim_mmio(struct vcpu *v, uint64_t gpa, uint64_t size,
                                      const struct vcpu_mmio_ops *ops, void *ctx)
{
    if (!size || gpa + size - 1 < gpa)
        return RANGE_EMPTY;
    return range_registry_add(&v->devices.mmio, gpa, gpa + size - 1, ops, ctx);
}

enum range_add_result vcpu_claim_msrs(struct vcpu *v, uint32_t first, uint32_t count,
                                      const struct vcpu_msr_ops *ops, void *ctx)
{
    if (!count)
        return RANGE_EMPTY;
    return range_registry_add(&v->devices.msrs, first, (uint64_t)first + count - 1, ops, ctx);
}

void vcpu_release_devices(struct vcpu *v)
{
    range_registry_clear(&v->devices.ports);
    range_registry_clear(&v->devices.mmio);
    range_registry_clear(&v->devices.msrs);
}

