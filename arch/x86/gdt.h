/* Global descriptor table and TSS of one CPU (SDM Vol. 3, 3.4.5 and 8.2.3). */
#ifndef ARCH_X86_GDT_H
#define ARCH_X86_GDT_H

#include "arch/x86/percpu.h"

/* Builds cpu's GDT and TSS (with IST stacks for #DF, NMI and #MC) and loads them. */
void gdt_load(struct percpu *cpu);

#endif
