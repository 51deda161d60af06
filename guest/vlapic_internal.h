/* What the files of the virtual local APIC share (guest/vlapic.c interrupts, vlapic_registers.c
 * the registers and the xAPIC page, vlapic_timer.c the timer, vlapic_msr.c the MSRs; Intel
 * SDM Vol. 3A chapter 11).
 * Not for other modules: they use guest/vlapic.h. */
#ifndef GUEST_VLAPIC_INTERNAL_H
#define GUEST_VLAPIC_INTERNAL_H

#include "guest/vlapic.h"

/* Kinds of note reported once each (struct vlapic.reported). */
enum vlapic_note {
    VLAPIC_NOTE_IPI_OTHER = 1u << 0,
    VLAPIC_NOTE_IPI_MODE = 1u << 1,
    VLAPIC_NOTE_MMIO_MODE = 1u << 2,
    VLAPIC_NOTE_MMIO_SIZE = 1u << 3,
    VLAPIC_NOTE_DROPPED = 1u << 4,
    VLAPIC_NOTE_ILLEGAL_VECTOR = 1u << 5,
    VLAPIC_NOTE_ACK = 1u << 6,
    VLAPIC_NOTE_MSR = 1u << 7,
    VLAPIC_NOTE_RELOCATE = 1u << 8,
    VLAPIC_NOTE_TIMER_MODE = 1u << 9,
};

/* True the first time a note of this kind comes: report it then. */
bool vlapic_first_note(struct vlapic *apic, enum vlapic_note note);

bool vlapic_hw_enabled(const struct vlapic *apic);
bool vlapic_x2apic_mode(const struct vlapic *apic);
bool vlapic_software_enabled(const struct vlapic *apic);     /* SVR bit 8 */
uint32_t vlapic_x2apic_ldr(uint32_t id);                      /* 11.12.10.2 */
uint64_t vlapic_now(const struct vlapic *apic);

/* Power-up values of every register but IA32_APIC_BASE (a global disable does this too). */
void vlapic_reset_registers(struct vlapic *apic);

/* The register at `offset` (a multiple of 16 below 0x1000) in the current mode. false: no
 * such register in this mode (reads as 0 in xAPIC mode, #GP in x2APIC mode). */
bool vlapic_register_read(struct vlapic *apic, unsigned offset, uint64_t now, uint32_t *value);

/* false: no such register, or read-only, in this mode; nothing changed. */
bool vlapic_register_write(struct vlapic *apic, unsigned offset, uint32_t value, uint64_t now);

/* An IPI by the ICR (or SELF IPI): low word as written, destination in the mode's format. */
void vlapic_send_ipi(struct vlapic *apic, uint32_t icr_low, uint32_t dest);

/* The timer (vlapic_timer.c). */
void vlapic_timer_reset(struct vlapic *apic);
void vlapic_timer_write_lvt(struct vlapic *apic, uint32_t lvt, uint64_t now);
void vlapic_timer_write_initial(struct vlapic *apic, uint32_t count, uint64_t now);
void vlapic_timer_write_divide(struct vlapic *apic, uint32_t value, uint64_t now);
uint32_t vlapic_timer_current(const struct vlapic *apic, uint64_t now);
void vlapic_timer_write_deadline(struct vlapic *apic, uint64_t tsc, uint64_t now);
uint64_t vlapic_timer_read_deadline(const struct vlapic *apic);

#endif
