/* Global descriptor table and TSS of one CPU (SDM Vol. 3, 3.4.5 and 8.2.3). */
#include "arch/x86/gdt.h"

#include "arch/x86/cpu_regs.h"
#include "lib/string.h"


struct gdt_pointer {
    uint16_t limit;
    uint64_t base;
} __attribute__((packed));

static void gdt_set_tss(uint64_t *slot, const struct tss64 *tss)
{
    uint64_t base = (uint64_t)(uintptr_t)tss;
    uint64_t limit = sizeof(*tss) - 1;

    slot[0] = gdt_tss_descriptor_low(base, (uint32_t)limit, TSS_TYPE_AVAILABLE);
    slot[1] = base >> 32;
}

void gdt_load(struct percpu *cpu)
{
    memset(&cpu->tss, 0, sizeof(cpu->tss));
    for (int slot = 1; slot <= IST_SLOTS_USED; slot++)
        cpu->tss.ist[slot - 1] =
            (uint64_t)(uintptr_t)(cpu->ist_stacks[slot - 1] + CPU_IST_STACK_SIZE);
    cpu->tss.rsp[0] = (uint64_t)(uintptr_t)(cpu->stack + CPU_STACK_SIZE);
    cpu->tss.io_map_base = sizeof(cpu->tss);   /* no I/O permission bitmap */

    cpu->gdt[0] = 0;
    cpu->gdt[GDT_SEL_CODE64 / 8] = GDT_DESC_CODE64;
    cpu->gdt[GDT_SEL_DATA / 8] = GDT_DESC_DATA;
    gdt_set_tss(&cpu->gdt[GDT_SEL_TSS / 8], &cpu->tss);

    struct gdt_pointer pointer = { sizeof(cpu->gdt) - 1, (uint64_t)(uintptr_t)cpu->gdt };
    __asm__ volatile(
        "lgdt %0\n\t"
        "pushq %[code]\n\t"
        "leaq 1f(%%rip), %%rax\n\t"
        "pushq %%rax\n\t"
        "lretq\n"
        "1:\n\t"
        "movw %[data], %%ax\n\t"
        "movw %%ax, %%ds\n\t"
        "movw %%ax, %%es\n\t"
        "movw %%ax, %%ss\n\t"
        :
        : "m"(pointer), [code] "i"(GDT_SEL_CODE64), [data] "i"(GDT_SEL_DATA)
        : "rax", "memory");
    __asm__ volatile("ltr %w0" : : "r"(GDT_SEL_TSS));
}
