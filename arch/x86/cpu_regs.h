/* Control-register bits (Intel SDM Vol. 3, 2.5); defines only, shared with assembly. */
#ifndef ARCH_X86_CPU_REGS_H
#define ARCH_X86_CPU_REGS_H

/* RFLAGS (Vol. 1 3.4.3) */
#define RFLAGS_TF   (1u << 8)
#define RFLAGS_IF   (1u << 9)
#define RFLAGS_DF   (1u << 10)

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
#define CR4_MCE     (1u << 6)
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

/* Flat segment descriptors (SDM Vol. 3A, 3.4.5), defined once for the boot GDT, the AP
 * trampoline, each CPU's GDT and the guests' boot GDT: base 0, limit 4 GiB, DPL 0, present. */
#define GDT_DESC_CODE64     0x00AF9A000000FFFF  /* L, G; execute/read */
#define GDT_DESC_CODE32     0x00CF9A000000FFFF  /* D, G; execute/read */
#define GDT_DESC_DATA       0x00CF92000000FFFF  /* D/B, G; read/write */
#define GDT_DESC_ACCESSED   0x0000010000000000  /* type bit 0: set, the CPU writes nothing */

#define TSS_TYPE_AVAILABLE  0x9
#define TSS_TYPE_BUSY       0xB

#ifndef __ASSEMBLY__
#include <stdint.h>

/* The low eight bytes of a 64-bit TSS descriptor (3.4.5, 8.2.3); the high eight hold base
 * bits 63:32. */
static inline uint64_t gdt_tss_descriptor_low(uint64_t base, uint32_t limit, uint64_t type)
{
    return (limit & 0xFFFFull) | ((base & 0xFFFFFFull) << 16) | (type << 40) |
           (1ull << 47) /* present */ | (((uint64_t)(limit >> 16) & 0xF) << 48) |
           (((base >> 24) & 0xFF) << 56);
}
#endif

#endif
