/* Interrupt descriptor table (SDM Vol. 3, 7.10 and 7.14): shared by all CPUs. */
#ifndef ARCH_X86_IDT_H
#define ARCH_X86_IDT_H

#include <stdint.h>

#define IDT_VECTORS         256
#define IDT_EXCEPTIONS      32

/* Fills the 32 exception gates (once, on the boot CPU). */
void idt_init(void);
/* Base of the shared IDT (the VMCS's host IDTR). */
uint64_t idt_base(void);
/* Loads the IDT on the calling CPU. */
void idt_load(void);

#endif
