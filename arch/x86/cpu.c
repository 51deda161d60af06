/* CPU set-up the hypervisor does not leave to the firmware (SDM Vol. 3, 2.5 and 13.12). */
#include "arch/x86/cpu.h"

#include "arch/x86/cpu_regs.h"
#include "arch/x86/msr.h"

void cpu_setup_control_registers(void)
{
    uint64_t cr0 = read_cr0();
    cr0 &= ~(uint64_t)(CR0_CD | CR0_NW | CR0_AM);
    cr0 |= CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_WP | CR0_PG;
    write_cr0(cr0);
    wrmsr(MSR_IA32_PAT, PAT_HYPERVISOR);
    /* Guests may use extended state; XSETBV on their behalf needs CR4.OSXSAVE here. */
    if (cpuid(1, 0).ecx & CPUID_1_ECX_XSAVE)
        write_cr4(read_cr4() | CR4_OSXSAVE);
}

void cpu_halt_forever(void)
{
    for (;;)
        __asm__ volatile("cli; hlt" ::: "memory");
}
