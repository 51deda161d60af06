/* hostile's IDT (SDM Vol. 3A, 6.10 IDT, 6.14.1 64-bit gate descriptors): 32 interrupt
 * gates to the stubs of traps.S, so the guest sees the faults it provokes instead of
 * triple-faulting on the loader's empty IDT. */
#include "guest/images/hostile/hostile.h"

#define IDT_VECTORS         32
#define GATE_INTERRUPT64    0x8E    /* present, DPL 0, type 0xE: 64-bit interrupt gate */

struct idt_gate {                   /* SDM Vol. 3A, figure 6-8 */
    uint16_t offset_low;
    uint16_t selector;
    uint8_t ist;
    uint8_t type_attr;
    uint16_t offset_mid;
    uint32_t offset_high;
    uint32_t reserved;
};
_Static_assert(sizeof(struct idt_gate) == 16, "64-bit IDT gates are 16 bytes");

struct idt_pointer {
    uint16_t limit;
    uint64_t base;
} __attribute__((packed));

extern const uint64_t trap_stubs[IDT_VECTORS];

static struct idt_gate idt[IDT_VECTORS] __attribute__((aligned(16)));

void traps_install(void)
{
    for (unsigned v = 0; v < IDT_VECTORS; v++) {
        uint64_t handler = trap_stubs[v];
        idt[v] = (struct idt_gate){
            .offset_low = (uint16_t)handler,
            .selector = TESSERA_GUEST_SEL_CODE,
            .type_attr = GATE_INTERRUPT64,
            .offset_mid = (uint16_t)(handler >> 16),
            .offset_high = (uint32_t)(handler >> 32),
        };
    }
    struct idt_pointer p = { .limit = sizeof(idt) - 1, .base = guest_gpa(idt) };
    __asm__ volatile("lidt %0" : : "m"(p) : "memory");
}

const char *trap_name(uint64_t vector)
{
    static const char *const names[IDT_VECTORS] = {
        "#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM", "#DF", "vector 9",
        "#TS", "#NP", "#SS", "#GP", "#PF", "vector 15", "#MF", "#AC", "#MC", "#XM",
        "#VE", "#CP", "vector 22", "vector 23", "vector 24", "vector 25", "vector 26",
        "vector 27", "#HV", "#VC", "#SX", "vector 31",
    };
    if (vector == TRAP_NONE)
        return "no exception";
    return vector < IDT_VECTORS ? names[vector] : "vector ?";
}

void hostile_unexpected_trap(void)
{
    guest_print("hostile: unexpected %s at rip 0x%llx, error 0x%llx: halting",
                trap_name(trap_vector), (unsigned long long)trap_rip,
                (unsigned long long)trap_error);
    halt_forever();
}
