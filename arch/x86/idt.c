/* Interrupt descriptor table (SDM Vol. 3, 7.14.1, figure 7-8): 64-bit interrupt gates. */
#include "arch/x86/idt.h"

#include <stdint.h>

#include "arch/x86/cpu_regs.h"
#include "arch/x86/lapic.h"
#include "drivers/pic.h"
#include "arch/x86/percpu.h"

#define GATE_TYPE_INTERRUPT 0xE
#define GATE_PRESENT        0x80

struct idt_gate {
    uint16_t offset_low;
    uint16_t selector;
    uint8_t ist;
    uint8_t type_attributes;
    uint16_t offset_mid;
    uint32_t offset_high;
    uint32_t reserved;
} __attribute__((packed));
_Static_assert(sizeof(struct idt_gate) == 16, "64-bit IDT gate is 16 bytes");

struct idt_pointer {
    uint16_t limit;
    uint64_t base;
} __attribute__((packed));

/* Entry stubs in arch/x86/exception_stubs.S, one per exception vector. */
extern const uint64_t exception_stub_table[IDT_EXCEPTIONS];
extern const char interrupt_stub_wakeup[], interrupt_stub_tick[], interrupt_stub_spurious[];
extern const char interrupt_stub_pic_spurious_master[], interrupt_stub_pic_spurious_slave[];

static struct idt_gate idt[IDT_VECTORS] __attribute__((aligned(16)));

static void idt_set_gate(unsigned vector, uint64_t handler, unsigned ist)
{
    struct idt_gate *g = &idt[vector];
    g->offset_low = (uint16_t)handler;
    g->selector = GDT_SEL_CODE64;
    g->ist = (uint8_t)ist;
    g->type_attributes = GATE_PRESENT | GATE_TYPE_INTERRUPT;
    g->offset_mid = (uint16_t)(handler >> 16);
    g->offset_high = (uint32_t)(handler >> 32);
    g->reserved = 0;
}

static unsigned ist_for_vector(unsigned vector)
{
    switch (vector) {
    case 2:  return IST_NMI;
    case 8:  return IST_DOUBLE_FAULT;
    case 18: return IST_MACHINE_CHECK;
    default: return 0;
    }
}

void idt_init(void)
{
    for (unsigned v = 0; v < IDT_EXCEPTIONS; v++)
        idt_set_gate(v, exception_stub_table[v], ist_for_vector(v));
    idt_set_gate(LAPIC_VECTOR_WAKEUP, (uint64_t)(uintptr_t)interrupt_stub_wakeup, 0);
    idt_set_gate(LAPIC_VECTOR_TICK, (uint64_t)(uintptr_t)interrupt_stub_tick, 0);
    /* A masked 8259A can still raise its spurious IRQ 7 or 15 (8259A data sheet). */
    idt_set_gate(PIC_SPURIOUS_MASTER, (uint64_t)(uintptr_t)interrupt_stub_pic_spurious_master, 0);
    idt_set_gate(PIC_SPURIOUS_SLAVE, (uint64_t)(uintptr_t)interrupt_stub_pic_spurious_slave, 0);
    idt_set_gate(LAPIC_VECTOR_SPURIOUS, (uint64_t)(uintptr_t)interrupt_stub_spurious, 0);
}

void idt_load(void)
{
    struct idt_pointer pointer = { sizeof(idt) - 1, (uint64_t)(uintptr_t)idt };
    __asm__ volatile("lidt %0" : : "m"(pointer));
}

uint64_t idt_base(void)
{
    return (uint64_t)(uintptr_t)idt;
}
