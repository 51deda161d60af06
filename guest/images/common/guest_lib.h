/* The guest images' shared library: one-instruction wrappers (CPUID, TSC, VMCALL; port
 * I/O is arch/x86/io.h, plain x86 wrappers any code may use) and the COM1 line printer.
 * Guest code only: besides that header it includes guest/guest_abi.h and lib/. */
#ifndef GUEST_IMAGES_COMMON_GUEST_LIB_H
#define GUEST_IMAGES_COMMON_GUEST_LIB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arch/x86/io.h"
#include "vcpu/guest_abi.h"

#define MIB (1024ull * 1024ull)

struct cpuid_regs {
    uint32_t eax, ebx, ecx, edx;
};

static inline struct cpuid_regs guest_cpuid(uint32_t leaf, uint32_t subleaf)
{
    struct cpuid_regs r;
    __asm__ volatile("cpuid"
                     : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx)
                     : "a"(leaf), "c"(subleaf));
    return r;
}

/* RDTSC between LFENCEs: the first waits for earlier instructions, the second
 * keeps later ones from starting before the read (SDM Vol. 2B, "RDTSC").
 * RDTSCP is avoided: it raises #UD in a guest unless the hypervisor enables it. */
static inline uint64_t guest_tsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("lfence\n\trdtsc\n\tlfence" : "=a"(lo), "=d"(hi) : : "memory");
    return ((uint64_t)hi << 32) | lo;
}

static inline void guest_pause(void)
{
    __asm__ volatile("pause");
}

/* VMCALL per guest/guest_abi.h: RAX = number, RDI RSI RDX = arguments, result in RAX. */
static inline int64_t guest_hypercall(uint64_t number, uint64_t arg0, uint64_t arg1,
                                      uint64_t arg2)
{
    int64_t result;
    __asm__ volatile("vmcall"
                     : "=a"(result)
                     : "a"(number), "D"(arg0), "S"(arg1), "d"(arg2)
                     : "memory");
    return result;
}

/* Guest-physical address of a guest object: memory is identity-mapped. */
static inline uint64_t guest_gpa(const void *p)
{
    return (uint64_t)(uintptr_t)p;
}

static inline uint64_t read_cr3(void)
{
    uint64_t v;
    __asm__ volatile("mov %%cr3, %0" : "=r"(v));
    return v;
}

/* paging.c: maps the 2 MiB page at `linear` to `phys` in the guest's own tables (uncached for
 * a device); false when no table is left or a larger page maps it already. */
bool paging_map_2m(uint64_t linear, uint64_t phys, bool uncached);

/* console.c: bytes to COM1 as they are, each after polling LSR. */
void guest_write(const char *bytes, size_t length);

/* console.c: one line on COM1 (the format, then '\n'), each byte after polling LSR. */
void guest_print(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
