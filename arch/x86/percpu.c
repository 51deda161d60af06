/* Per-CPU structures, one per possible CPU, and how a CPU finds its own. */
#include "arch/x86/percpu.h"

#include "arch/x86/msr.h"

struct percpu percpu_area[CPU_MAX];

void percpu_init(struct percpu *cpu, uint32_t index, uint32_t apic_id)
{
    cpu->self = cpu;
    cpu->index = index;
    cpu->apic_id = apic_id;
    cpu->in_exception = false;
    wrmsr(MSR_IA32_GS_BASE, (uint64_t)(uintptr_t)cpu);
}
