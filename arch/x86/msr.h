/* Model-specific registers used by the hypervisor (Intel SDM Vol. 4) and their accessors. */
#ifndef ARCH_X86_MSR_H
#define ARCH_X86_MSR_H

#define MSR_IA32_TSC                0x00000010
#define MSR_IA32_APIC_BASE          0x0000001B
#define MSR_IA32_FEATURE_CONTROL    0x0000003A
#define MSR_IA32_SPEC_CTRL          0x00000048
#define MSR_IA32_PRED_CMD           0x00000049
#define MSR_IA32_BIOS_UPDT_TRIG     0x00000079
#define MSR_IA32_BIOS_SIGN_ID       0x0000008B
#define MSR_IA32_SYSENTER_CS        0x00000174
#define MSR_IA32_SYSENTER_ESP       0x00000175
#define MSR_IA32_SYSENTER_EIP       0x00000176
#define MSR_IA32_MTRRCAP            0x000000FE
#define MSR_IA32_ARCH_CAPABILITIES  0x0000010A
#define MSR_IA32_FLUSH_CMD          0x0000010B
#define MSR_IA32_MISC_ENABLE        0x000001A0
#define MSR_IA32_DEBUGCTL           0x000001D9
#define MSR_IA32_PAT                0x00000277
#define MSR_IA32_MTRR_DEF_TYPE      0x000002FF
#define MSR_IA32_TSC_DEADLINE       0x000006E0
#define MSR_X2APIC_ID               0x00000802
#define MSR_IA32_XSS                0x00000DA0
#define MSR_IA32_EFER               0xC0000080
#define MSR_IA32_STAR               0xC0000081
#define MSR_IA32_LSTAR              0xC0000082
#define MSR_IA32_CSTAR              0xC0000083
#define MSR_IA32_FMASK              0xC0000084
#define MSR_IA32_FS_BASE            0xC0000100
#define MSR_IA32_GS_BASE            0xC0000101
#define MSR_IA32_KERNEL_GS_BASE     0xC0000102
#define MSR_IA32_TSC_AUX            0xC0000103

#define EFER_SCE    (1u << 0)
#define EFER_LME    (1u << 8)
#define EFER_LMA    (1u << 10)
#define EFER_NXE    (1u << 11)

/* Power-on default of IA32_PAT (SDM Vol. 3, 13.12.4): WB WT UC- UC, twice. */
#define PAT_POWER_ON_DEFAULT        0x0007040600070406ULL
/* The hypervisor's own IA32_PAT: the power-on default with PA7 = WC (01H), so a page whose
 * PAT, PCD and PWT bits are all set is write-combining (framebuffers); PCD|PWT alone is UC. */
#define PAT_HYPERVISOR              0x0107040600070406ULL

#ifndef __ASSEMBLY__
#include <stdbool.h>
#include <stdint.h>

static inline uint64_t rdmsr(uint32_t msr)
{
    uint32_t lo, hi;
    __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return ((uint64_t)hi << 32) | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t value)
{
    __asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)value), "d"((uint32_t)(value >> 32)));
}

/* RDMSR that survives the #GP of an MSR this CPU does not have (the shell's `rdmsr`):
 * the exception handler finds the fixup entry and resumes after it. */
static inline bool rdmsr_safe(uint32_t msr, uint64_t *value)
{
    uint32_t lo = 0, hi = 0, faulted = 0;
    __asm__ volatile("1: rdmsr\n"
                     "2:\n"
                     ".pushsection .rodata.fixup, \"a\"\n"
                     ".quad 1b, 3f\n"
                     ".popsection\n"
                     ".pushsection .text.fixup, \"ax\"\n"
                     "3: movl $1, %2\n"
                     "jmp 2b\n"
                     ".popsection"
                     : "+a"(lo), "+d"(hi), "+r"(faulted)
                     : "c"(msr));
    *value = ((uint64_t)hi << 32) | lo;
    return !faulted;
}

/* WRMSR with the same fixup: a value or MSR the CPU refuses (#GP) returns false. */
static inline bool wrmsr_safe(uint32_t msr, uint64_t value)
{
    uint32_t faulted = 0;
    __asm__ volatile("1: wrmsr\n"
                     "2:\n"
                     ".pushsection .rodata.fixup, \"a\"\n"
                     ".quad 1b, 3f\n"
                     ".popsection\n"
                     ".pushsection .text.fixup, \"ax\"\n"
                     "3: movl $1, %0\n"
                     "jmp 2b\n"
                     ".popsection"
                     : "+r"(faulted)
                     : "c"(msr), "a"((uint32_t)value), "d"((uint32_t)(value >> 32))
                     : "memory");
    return !faulted;
}
#endif

#endif
