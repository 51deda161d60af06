/* Local APIC in xAPIC (MMIO) or x2APIC (MSR) mode (SDM Vol. 3, chapter 11). */
#ifndef ARCH_X86_LAPIC_H
#define ARCH_X86_LAPIC_H

#include <stdbool.h>
#include <stdint.h>

#define LAPIC_DEFAULT_BASE      0xFEE00000ULL
#define LAPIC_VECTOR_WAKEUP     0xF0    /* IPI that only wakes a halted CPU */
#define LAPIC_VECTOR_TICK       0xF1    /* the boot CPU's periodic timer while it has no guest */
#define LAPIC_VECTOR_SPURIOUS   0xFF

/* Decides the mode once on the boot CPU: x2APIC when CPUID.1:ECX[21] offers it. */
void lapic_init_global(void);
bool lapic_x2apic_mode(void);
/* Enables this CPU's local APIC in the chosen mode, software-enabled with the spurious vector. */
void lapic_enable_this_cpu(void);
uint32_t lapic_id(void);
void lapic_eoi(void);

/* Inter-processor interrupts; false when the xAPIC never reported delivery. */
bool lapic_send_init(uint32_t apic_id);
bool lapic_send_startup(uint32_t apic_id, uint8_t vector_page);
bool lapic_send_fixed(uint32_t apic_id, uint8_t vector);
/* An NMI to this CPU itself (destination shorthand "self"). */
bool lapic_send_nmi_self(void);

/* One-shot timer, divide by 1, masked: the count reads how many bus clocks pass. */
void lapic_timer_start_count(uint32_t initial);
uint32_t lapic_timer_current(void);
void lapic_timer_stop(void);
/* Periodic timer interrupt on vector `vector` every `ticks` bus clocks (divide by 1). */
void lapic_timer_periodic(uint8_t vector, uint32_t ticks);

#endif
