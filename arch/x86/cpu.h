/* CPU primitives: CPUID, TSC, control registers, halting. */
#ifndef ARCH_X86_CPU_H
#define ARCH_X86_CPU_H

#include <stdint.h>

struct cpuid_regs {
    uint32_t eax, ebx, ecx, edx;
};

static inline struct cpuid_regs cpuid(uint32_t leaf, uint32_t subleaf)
{
    struct cpuid_regs r;
    __asm__ volatile("cpuid" : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx)
                     : "a"(leaf), "c"(subleaf));
    return r;
}

static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

#define DEFINE_CR_ACCESSORS(n)                                              \
    static inline uint64_t read_cr##n(void)                                 \
    {                                                                       \
        uint64_t v;                                                         \
        __asm__ volatile("mov %%cr" #n ", %0" : "=r"(v));                   \
        return v;                                                           \
    }                                                                       \
    static inline void write_cr##n(uint64_t v)                              \
    {                                                                       \
        __asm__ volatile("mov %0, %%cr" #n : : "r"(v) : "memory");          \
    }
DEFINE_CR_ACCESSORS(0)
DEFINE_CR_ACCESSORS(2)
DEFINE_CR_ACCESSORS(3)
DEFINE_CR_ACCESSORS(4)
#undef DEFINE_CR_ACCESSORS

static inline void cpu_relax(void)
{
    __asm__ volatile("pause" ::: "memory");
}

/* Sets CR0 and IA32_PAT to known values instead of inheriting the firmware's
 * (Bochs' BIOS leaves CD and NW set, i.e. caches off). */
void cpu_setup_control_registers(void);

/* Stops this CPU for good: interrupts off, HLT in a loop (NMIs return to it). */
__attribute__((noreturn)) void cpu_halt_forever(void);

#endif
