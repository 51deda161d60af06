/* A ticket spinlock: fair between CPUs, and it records its owner so that an
 * exception report on the owning CPU can take the console over. */
#ifndef ARCH_X86_SPINLOCK_H
#define ARCH_X86_SPINLOCK_H

#include <stdint.h>

struct spinlock {
    volatile uint32_t next;
    volatile uint32_t serving;
    volatile int32_t owner;     /* CPU index, -1 when free */
};

#define SPINLOCK_INIT { 0, 0, -1 }

static inline void spin_lock(struct spinlock *l, int32_t cpu)
{
    uint32_t ticket = __atomic_fetch_add(&l->next, 1, __ATOMIC_RELAXED);
    while (__atomic_load_n(&l->serving, __ATOMIC_ACQUIRE) != ticket)
        __asm__ volatile("pause");
    l->owner = cpu;
}

static inline void spin_unlock(struct spinlock *l)
{
    l->owner = -1;
    __atomic_store_n(&l->serving, l->serving + 1, __ATOMIC_RELEASE);
}

#endif
