/* Control-register bits (Intel SDM Vol. 3, 2.5); defines only, shared with assembly. */
#ifndef ARCH_X86_CPU_REGS_H
#define ARCH_X86_CPU_REGS_H

#define CR0_PE  (1u << 0)
#define CR0_MP  (1u << 1)
#define CR0_ET  (1u << 4)
#define CR0_NE  (1u << 5)
#define CR0_WP  (1u << 16)
#define CR0_AM  (1u << 18)
#define CR0_NW  (1u << 29)
#define CR0_CD  (1u << 30)
#define CR0_PG  (1u << 31)

#define CR4_PSE     (1u << 4)
#define CR4_PAE     (1u << 5)
#define CR4_PGE     (1u << 7)
#define CR4_LA57    (1u << 12)
#define CR4_VMXE    (1u << 13)
#define CR4_OSXSAVE (1u << 18)
#define CR4_SMEP    (1u << 20)

#define CPUID_1_ECX_XSAVE   (1u << 26)

#define PTE_PRESENT (1u << 0)
#define PTE_WRITE   (1u << 1)
#define PTE_LARGE   (1u << 7)

/* Selectors of the hypervisor's GDT (arch/x86/gdt.c and boot/entry.S agree on these). */
#define GDT_SEL_CODE64  0x08
#define GDT_SEL_DATA    0x10
#define GDT_SEL_TSS     0x18

#endif
