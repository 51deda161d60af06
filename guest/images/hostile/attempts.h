/* hostile's attempts: one instruction each that may fault, armed so a fault becomes a
 * recorded vector (traps.c), and the plain register reads the scenarios compare with. SDM
 * Vol. 2 for each instruction's faults. Guest code only. */
#ifndef HOSTILE_ATTEMPTS_H
#define HOSTILE_ATTEMPTS_H

#include "guest/images/hostile/hostile.h"

static inline uint64_t try_outb(uint16_t port, uint8_t value)
{
    trap_arm();
    __asm__ volatile(TRAP_TRY "outb %0, %1" TRAP_END
                     : : "a"(value), "Nd"(port) : "r11", "memory");
    return trap_taken();
}

/* IN of each size into *value (left 0 if it faults). */
#define TRY_IN(name, type, insn)                                                            \
    static inline uint64_t name(uint16_t port, type *value)                                 \
    {                                                                                       \
        type v = 0;                                                                         \
        trap_arm();                                                                         \
        __asm__ volatile(TRAP_TRY insn " %1, %0" TRAP_END                                   \
                         : "+a"(v) : "Nd"(port) : "r11", "memory");                         \
        *value = v;                                                                         \
        return trap_taken();                                                                \
    }
TRY_IN(try_inb, uint8_t, "inb")
TRY_IN(try_inw, uint16_t, "inw")
TRY_IN(try_inl, uint32_t, "inl")

/* RDMSR, RDPMC, XGETBV: ECX selects, EDX:EAX receives. */
#define TRY_READ_EDX_EAX(name, insn)                                                        \
    static inline uint64_t name(uint32_t ecx, uint64_t *value)                              \
    {                                                                                       \
        uint32_t lo = 0, hi = 0;                                                            \
        trap_arm();                                                                         \
        __asm__ volatile(TRAP_TRY insn TRAP_END                                             \
                         : "+a"(lo), "+d"(hi) : "c"(ecx) : "r11", "memory");                \
        *value = ((uint64_t)hi << 32) | lo;                                                 \
        return trap_taken();                                                                \
    }
TRY_READ_EDX_EAX(try_rdmsr, "rdmsr")
TRY_READ_EDX_EAX(try_rdpmc, "rdpmc")
TRY_READ_EDX_EAX(try_xgetbv, "xgetbv")

/* WRMSR, XSETBV: ECX selects, EDX:EAX is written. */
#define TRY_WRITE_EDX_EAX(name, insn)                                                       \
    static inline uint64_t name(uint32_t ecx, uint64_t value)                               \
    {                                                                                       \
        trap_arm();                                                                         \
        __asm__ volatile(TRAP_TRY insn TRAP_END                                             \
                         : : "c"(ecx), "a"((uint32_t)value), "d"((uint32_t)(value >> 32))   \
                         : "r11", "memory");                                                \
        return trap_taken();                                                                \
    }
TRY_WRITE_EDX_EAX(try_wrmsr, "wrmsr")
TRY_WRITE_EDX_EAX(try_xsetbv, "xsetbv")

/* MOV to a control register. */
#define TRY_WRITE_CR(name, cr)                                                              \
    static inline uint64_t name(uint64_t value)                                             \
    {                                                                                       \
        trap_arm();                                                                         \
        __asm__ volatile(TRAP_TRY "mov %0, %%" cr TRAP_END : : "r"(value) : "r11", "memory"); \
        return trap_taken();                                                                \
    }
TRY_WRITE_CR(try_write_cr0, "cr0")
TRY_WRITE_CR(try_write_cr4, "cr4")
TRY_WRITE_CR(try_write_cr8, "cr8")

static inline uint64_t read_cr0(void)
{
    uint64_t v;
    __asm__ volatile("mov %%cr0, %0" : "=r"(v));
    return v;
}

static inline uint64_t read_cr8(void)
{
    uint64_t v;
    __asm__ volatile("mov %%cr8, %0" : "=r"(v));
    return v;
}

#endif
