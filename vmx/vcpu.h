/* A partition's virtual CPU: guest registers the exit stub saves, the VMCS and the pages it
 * points to (I/O and MSR bitmaps, MSR switch lists), and the exit statistics. */
#ifndef VMX_VCPU_H
#define VMX_VCPU_H

#include <stdbool.h>
#include <stdint.h>

#include "vmx/caps.h"
#include "vmx/exit_reasons.h"

/* General registers the CPU does not keep in the VMCS (RSP and RIP are there).
 * vmx/exit_stub.S stores and loads them at offsets generated from this struct. */
struct guest_regs {
    uint64_t rax, rcx, rdx, rbx, rbp, rsi, rdi;
    uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
    uint64_t host_rsp;      /* the HOST_RSP vmx_enter wrote (for reports) */
};

/* One entry of a VM-exit/VM-entry MSR list (SDM Vol. 3C, 25.7.2, table 25-15). */
struct vmx_msr_entry {
    uint32_t index;
    uint32_t reserved;
    uint64_t value;
};
_Static_assert(sizeof(struct vmx_msr_entry) == 16, "MSR list entries are 16 bytes");

#define VCPU_SWITCHED_MSRS_MAX  8
/* IA32_VMX_MISC bits 27:25 recommend at most 512 * (N + 1) entries per MSR list (SDM Vol. 3D
 * A.6), so never fewer than 512: a list this short is within every CPU's limit, N = 0 included. */
_Static_assert(VCPU_SWITCHED_MSRS_MAX <= VMX_MISC_MSR_LIST_UNIT, "MSR lists within IA32_VMX_MISC");
#define VCPU_TIMER_PERIOD_MS    10      /* the preemption timer's period (guest/partition_run.c) */
#define VCPU_EXIT_REASONS       (VMX_EXIT_REASON_MAX + 1)

enum vcpu_state {
    VCPU_NOT_STARTED,
    VCPU_RUNNING,
    VCPU_HALTED,        /* HLT: waiting in the guest's activity state */
    VCPU_STOPPED,       /* stopped by the hypervisor; the VMCS is kept for inspection */
};

#define VCPU_COST_BUCKETS   24      /* up to 2^24 TSC ticks; longer lands in the last */
#define VCPU_EXIT_RING      16      /* a power of two */

/* What the handlers are told about the exit they handle. */
struct exit_info {
    uint32_t reason;            /* the whole exit-reason field */
    uint32_t basic;             /* bits 15:0 */
};

/* The exit ring's entries; the handler of the current exit gets a pointer to its `info`,
 * so the exit is written down once. */
struct vcpu_exit_record {
    struct exit_info info;
    uint64_t rip;
    uint64_t qualification;
};

struct partition;

struct vcpu {
    struct guest_regs regs;             /* first: the exit stub's pointer is the vcpu's */
    struct partition *partition;
    uint32_t cpu;                       /* physical CPU (logical index) it is pinned to */
    enum vcpu_state state;
    bool launched;                      /* set from vmx_enter's result when an entry fails */

    /* Pages (physical = virtual in the hypervisor's identity map). */
    uint64_t vmcs_phys;
    uint8_t *io_bitmap_a, *io_bitmap_b; /* ports 0x0000-0x7fff, 0x8000-0xffff */
    uint8_t *msr_bitmap;
    struct vmx_msr_entry *msr_guest;    /* exit-store and entry-load list: guest values */
    struct vmx_msr_entry *msr_host;     /* exit-load list: the hypervisor's values */
    uint32_t msr_count;

    uint32_t preemption_timer_value;    /* reloaded on each timer exit */
    uint64_t watchdog_last_activity;    /* exits other than the timer's, at the last check */
    uint32_t watchdog_quiet_periods;    /* timer periods since that count last moved */
    volatile bool stop_requested;       /* the shell asked; honoured at the next exit that checks */

    /* Statistics: exits by basic reason (the total is their sum), the root-mode cost of
     * each reason as a histogram of power-of-two TSC buckets (bucket b counts costs in
     * [2^b, 2^(b+1))), and the last VCPU_EXIT_RING exits. */
    uint64_t exits[VCPU_EXIT_REASONS];
    uint32_t exit_cost[VCPU_EXIT_REASONS][VCPU_COST_BUCKETS];
    struct vcpu_exit_record ring[VCPU_EXIT_RING];
    uint32_t ring_next;
    uint32_t exit_start_tsc;            /* low half of the TSC when this exit's dispatch began */
};

/* vmx/exit_stub.S: loads guest registers and VMLAUNCHes; every exit is then dispatched
 * (vmx_exit_dispatch) and resumed inside the stub. Returns VMX_ENTER_STOPPED once the
 * dispatcher stopped the partition, or VMX_FAIL_INVALID / VMX_FAIL_VALID when VMLAUNCH
 * failed, with VMX_ENTER_RESUMING added when it was a VMRESUME that failed. */
#define VMX_ENTER_STOPPED   3
#define VMX_ENTER_RESUMING  4
int vmx_enter(struct guest_regs *regs);
/* The VMCS's host RIP: where every VM exit lands. */
void vmx_exit_entry(void);

#endif
