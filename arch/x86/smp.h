/* Bringing up the application processors (INIT-SIPI-SIPI, SDM Vol. 3, 10.4.4) and running work on them. */
#ifndef ARCH_X86_SMP_H
#define ARCH_X86_SMP_H

#include <stdbool.h>
#include <stdint.h>

#include "boot/multiboot2.h"

/* How long an AP gets to reach ap_main after its SIPIs. */
#define SMP_AP_START_TIMEOUT_US     200000

struct smp_cpu_candidate {
    uint32_t apic_id;
};

/* Starts every candidate that is not the boot CPU, one at a time, and prints
 * `cpu: N online (apic A)` per AP, `cpu: apic A did not start` on timeout,
 * and the summary `cpu: N of M online: apic ...`. info supplies the memory
 * map for choosing the trampoline page and the ranges that must not be used. */
void smp_start_aps(const struct smp_cpu_candidate *cpus, uint32_t count,
                   const struct mb2_info *info, uint64_t mbi_phys);

/* Runs fn(arg) on CPU `index` (an online AP, or the caller itself) and waits
 * for it to finish. False when that CPU is not online. */
typedef void (*smp_work_fn)(void *arg);
bool smp_run_on(uint32_t index, smp_work_fn fn, void *arg);

/* Hands fn(arg) to CPU `index` without waiting: for work that runs for a long time (a
 * partition's vCPU loop). False when that CPU is not online or is the caller. */
bool smp_start_on(uint32_t index, smp_work_fn fn, void *arg);

/* Runs fn(arg) on CPU `index` and waits, whether that CPU is idle or running a guest (its
 * VMCS is then current, so fn may read it). False if the CPU is not online or did not
 * answer within timeout_us. One call at a time machine-wide. */
bool smp_call(uint32_t index, smp_work_fn fn, void *arg, uint64_t timeout_us);

/* Runs a call another CPU posted for this one, if any (polled from guest exits). */
void smp_serve_pending_call(void);

/* Called by the interrupt path for LAPIC_VECTOR_WAKEUP and the spurious vector. */
void smp_handle_interrupt(uint64_t vector);

#endif
