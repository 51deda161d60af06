/* Global descriptor table and TSS of one CPU (SDM Vol. 3, 3.4.5 and 8.2.3). */
#include "arch/x86/gdt.h"

#include "arch/x86/cpu_regs.h"
#include "lib/string.h"

/* Code and data descriptors are fixed in 64-bit mode: only type, DPL, P, L matter. */
#define GDT_CODE64_KERNEL   0x00AF9A000000FFFFULL
#define GDT_DATA_KERNEL     0x00CF92000000FFFFULL
#define TSS_TYPE_AVAILABLE  0x9ULL

struct gdt_pointer {
    uint16_t limit;
    uint64_t base;
} __attribute__((packed));

static void gdt_set_tss(uint64_t *slot, const struct tss64 *tss)
{
    uint64_t base = (uint64_t)(uintptr_t)tss;
    uint64_t limit = sizeof(*tss) - 1;

    slot[0] = (limit & 0xFFFF) | ((base & 0xFFFFFF) << 16) | (TSS_TYPE_AVAILABLE << 40) |
              (1ULL << 47) /* present */ | (((limit >> 16) & 0xF) << 48) |
              (((base >> 24) & 0xFF) << 56);
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
    cpu->gdt[GDT_SEL_CODE64 / 8] = GDT_CODE64_KERNEL;
    cpu->gdt[GDT_SEL_DATA / 8] = GDT_DATA_KERNEL;
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
