/* Per-CPU state: one page-aligned structure per physical CPU, reached through the GS base. */
#ifndef ARCH_X86_PERCPU_H
#define ARCH_X86_PERCPU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CPU_MAX                 64
#define CPU_STACK_SIZE          (16 * 1024)
#define CPU_IST_STACK_SIZE      4096
#define GDT_ENTRIES             5       /* null, code64, data, TSS (two slots) */

/* Interrupt-stack-table slots (SDM Vol. 3, 7.14.5): faults that must not
 * run on a possibly broken stack get their own. */
enum ist_slot {
    IST_DOUBLE_FAULT = 1,
    IST_NMI = 2,
    IST_MACHINE_CHECK = 3,
    IST_SLOTS_USED = 3,
};

/* 64-bit task-state segment (SDM Vol. 3, 8.7, figure 8-11). */
struct tss64 {
    uint32_t reserved0;
    uint64_t rsp[3];
    uint64_t reserved1;
    uint64_t ist[7];
    uint64_t reserved2;
    uint16_t reserved3;
    uint16_t io_map_base;
} __attribute__((packed));
_Static_assert(sizeof(struct tss64) == 104, "64-bit TSS is 104 bytes");

struct vcpu;

struct percpu {
    struct percpu *self;            /* offset 0: %gs:0 yields the structure's address */
    uint32_t index;                 /* logical CPU number, 0 = boot CPU */
    uint32_t apic_id;
    bool in_exception;              /* an exception report is being printed */
    bool online;                    /* reached its idle loop (APs) */

    /* Work mailbox (arch/x86/smp.c): another CPU stores fn, then wakes this one. */
    void (*volatile work_fn)(void *arg);
    void *volatile work_arg;
    /* Call mailbox (smp_call): short work served from the wakeup interrupt, so it reaches a
     * CPU that is running a guest (the IPI makes it exit) as well as an idle one. */
    void (*volatile call_fn)(void *arg);
    void *volatile call_arg;
    volatile bool call_taken;       /* the CPU started running call_fn */

    /* VMX root operation (vmx/vmxon.c) and the vCPU this CPU runs, if any */
    bool vmx_on;
    struct vcpu *vcpu;
    /* Where a fault in root mode resumes instead of halting the CPU (vcpu/run.c sets it while
     * a guest runs): RIP, and the address of the word holding the RSP to resume with. */
    uint64_t fault_resume_rip;
    const uint64_t *fault_resume_rsp;
    /* Since its last VM entry this CPU ran work beyond its partition's own exits (the console
     * and shell, a cross-CPU call, an interrupt handler): the next entry clears the L1D or CPU
     * buffers first where the CPU needs it (vmx/mitigations_apply.h). Counted for `cpus`. */
    bool other_work_since_entry;
    uint64_t entry_clears;
    uint64_t rsb_fills;             /* the exit stub's return-stack fills */

    uint64_t gdt[GDT_ENTRIES] __attribute__((aligned(16)));
    struct tss64 tss __attribute__((aligned(16)));

    /* The VMXON region (SDM 25.11.5): 4 KiB-aligned, revision ID in its first word. */
    uint8_t vmxon_region[4096] __attribute__((aligned(4096)));

    uint8_t ist_stacks[IST_SLOTS_USED][CPU_IST_STACK_SIZE] __attribute__((aligned(16)));
    uint8_t stack[CPU_STACK_SIZE] __attribute__((aligned(16)));
} __attribute__((aligned(4096)));

_Static_assert(offsetof(struct percpu, self) == 0, "percpu.self must be first");
_Static_assert(sizeof(struct percpu) % 4096 == 0, "percpu must be a whole number of pages");

extern struct percpu percpu_area[CPU_MAX];

/* Points GS at this CPU's structure and fills its identity. */
void percpu_init(struct percpu *cpu, uint32_t index, uint32_t apic_id);

static inline struct percpu *this_cpu(void)
{
    struct percpu *cpu;
    __asm__ volatile("mov %%gs:0, %0" : "=r"(cpu));
    return cpu;
}

/* This CPU's logical index, for a spinlock's owner; 0 before the GS base is set. */
static inline int32_t this_cpu_index(void)
{
    struct percpu *cpu = this_cpu();
    return cpu ? (int32_t)cpu->index : 0;
}

#endif
