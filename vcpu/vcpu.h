/* A guest CPU: the registers the exit stub saves, the pages its VMCS points to, what its owner
 * (a partition) lends it, the exit statistics, and the verdicts exit handlers return. */
#ifndef VCPU_VCPU_H
#define VCPU_VCPU_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/ratelimit.h"
#include "vcpu/cpuid_policy.h"
#include "vcpu/devices.h"
#include "vcpu/events.h"
#include "vmx/caps.h"
#include "vmx/exit_reasons.h"
#include "vmx/vmcs_setup.h"
#include "vmx/vmx_entry.h"

#define VCPU_SWITCHED_MSRS_MAX  8
/* IA32_VMX_MISC bits 27:25 recommend at most 512 * (N + 1) entries per MSR list (SDM Vol. 3D
 * A.6), so never fewer than 512: a list this short is within every CPU's limit, N = 0 included. */
_Static_assert(VCPU_SWITCHED_MSRS_MAX <= VMX_MISC_MSR_LIST_UNIT, "MSR lists within IA32_VMX_MISC");
#define VCPU_TIMER_PERIOD_MS    10      /* the preemption timer's period */
/* While its guest halts and its owner has no periodic work for it (idle_tick_ok), the slot
 * comes this often instead: an idle tickless guest costs a few exits a second, and anything
 * that needs the CPU sooner (a keystroke, a stop, a remote command) sends an IPI. */
#define VCPU_IDLE_TICK_MS       1000
#define VCPU_EXIT_REASONS       (VMX_EXIT_REASON_MAX + 1)
#define VCPU_COST_BUCKETS       24      /* up to 2^24 TSC ticks; longer lands in the last */
#define VCPU_EXIT_RING          16      /* a power of two */
#define VCPU_COST_SAMPLE        64      /* one exit in this many is recorded and timed */
#define VCPU_EXIT_TICK          (256 / VCPU_COST_SAMPLE)    /* an exit in a count's low byte */
#define VCPU_EXIT_LAP           256u    /* VCPU_COST_SAMPLE exits in bits 63:8 of a count */
#define VCPU_STOP_REASON_MAX    96
/* Exceptions that exit (SDM Vol. 3C 25.6.3): #DB and #AC, which a guest can make recur during
 * or right after their own delivery so that the CPU loops in microcode (CVE-2015-8104,
 * CVE-2015-5307), and #MC, which the host handles. Vectors from arch/x86/vectors.h. */
#define VCPU_EXCEPTION_BITMAP   ((1u << 1) | (1u << 17) | (1u << 18))

enum vcpu_state {
    VCPU_NOT_STARTED,
    VCPU_RUNNING,
    VCPU_HALTED,        /* HLT: waiting in the guest's activity state */
    VCPU_STOPPED,       /* stopped by the hypervisor; the VMCS is kept for inspection */
};

/* What an exit handler decided, returned through the exit stub: 0 resumes the guest at once,
 * the rest take the slow path (vcpu/dispatch.c). A handler that emulated an instruction has
 * already moved RIP past it (vcpu_advance); only the owner stops a vCPU. */
enum vcpu_verdict {
    VCPU_RESUME = 0,    /* re-enter the guest */
    VCPU_EVENTS = 1,    /* deliver pending events (vcpu/events.h), then re-enter */
    VCPU_STOP = 2,      /* stop the vCPU; vcpu->stop_reason says why */
    /* ORed into another verdict by CPUID, which rewrites RBX: the exit stub's common resume
     * leaves RBX as the C call preserved it and reloads it only for this. */
    VCPU_RBX_REWRITTEN = VMX_EXIT_RESUME_RBX,
};

/* One exit as the handlers see it and the exit ring keeps it: written once per exit. The
 * qualification is filled in by the handlers that read it (exit_qualification()). */
struct vcpu_exit_record {
    uint32_t reason;            /* the whole exit-reason field */
    uint32_t basic;             /* bits 15:0 */
    uint64_t rip;
    uint64_t qualification;
};

struct vcpu;

/* What the vCPU asks of its owner (guest/partition_run.c), so that this layer knows nothing
 * of partitions: policy for ports and MSRs no device claims, the guest's console, and the
 * end of its life. ctx is vcpu->owner_ctx. */
struct vcpu_owner_ops {
    /* The vCPU stopped (reason given): the owner records and announces it. */
    void (*stopped)(void *ctx, struct vcpu *v, const char *reason);
    /* The hypervisor's regular slot on this CPU (every VCPU_TIMER_PERIOD_MS). */
    void (*timer_tick)(void *ctx, struct vcpu *v);
    /* Grants of ports and MSRs in one direction only, which the bitmaps cannot express. */
    bool (*port_granted)(void *ctx, uint16_t port, bool write);
    bool (*msr_granted)(void *ctx, uint32_t msr, bool write);
    /* A byte of guest console output (the console hypercall). */
    void (*console_putc)(void *ctx, char c);
    /* Maps a device's backing page into the guest-physical space (EPT) and invalidates the
     * cached translations; false when it cannot. */
    bool (*map_device_page)(void *ctx, uint64_t gpa, uint64_t hpa);
    /* The device deadline set with vcpu_set_device_deadline has passed (TSC now); the owner
     * runs its device timers and may set the next one. NULL: the owner has none. */
    void (*device_timer)(void *ctx, struct vcpu *v, uint64_t now);
};

struct vcpu {
    struct guest_regs regs;             /* first: the exit stub's pointer is the vcpu's */
    const char *name;                   /* for reports: its partition's name */
    uint32_t id;                        /* its partition's index */
    uint32_t cpu;                       /* physical CPU (logical index) it is pinned to */
    enum vcpu_state state;
    bool launched;                      /* set from vmx_enter's result when an entry fails */
    bool shut_down;                     /* stopped by a triple fault: the CPU shut down */
    const struct vcpu_owner_ops *owner;
    void *owner_ctx;

    /* Guest-physical 0..memory_size is host-physical memory_hpa.. (identity-mapped). */
    uint64_t memory_hpa, memory_size;

    /* Pages (physical = virtual in the hypervisor's identity map). */
    uint64_t vmcs_phys;
    uint8_t *io_bitmap_a, *io_bitmap_b; /* ports 0x0000-0x7fff, 0x8000-0xffff */
    uint8_t *msr_bitmap;
    struct vmx_msr_entry *msr_guest;    /* exit-store and entry-load list: guest values */
    struct vmx_msr_entry *msr_host;     /* exit-load list: the hypervisor's values */
    uint32_t msr_count;
    uint64_t eptp;
    uint16_t vpid;

    struct vcpu_devices devices;        /* ports, MMIO ranges and MSRs claimed by device models */
    bool has_one_way_port_grants;       /* read-only or write-only ports: exits check them */
    uint32_t watchdog_ms;               /* 0: none */

    uint32_t preemption_timer_value;    /* the first entry's: one management period */
    /* The VMX-preemption timer serves two host deadlines, in TSC ticks: the management tick
     * (every VCPU_TIMER_PERIOD_MS of host time, whatever the guest does) and the owner's
     * device deadline (a virtual local APIC's timer), whichever comes first. */
    uint64_t tick_period_tsc, next_tick_tsc;
    uint64_t device_deadline;           /* UINT64_MAX: none */
    bool idle_tick_ok;                  /* the owner's: no management tick needed while halted */
    uint64_t watchdog_last_activity;    /* exits other than the timer's, at the last check */
    uint32_t watchdog_quiet_periods;    /* timer periods since that count last moved */
    volatile bool stop_requested;       /* the shell asked; honoured at the next exit that checks */
    const char *stop_request_reason;    /* vcpu_request_stop's; NULL: the shell's */
    char stop_reason[VCPU_STOP_REASON_MAX];

    /* Policy accounting: trapped accesses to ports it was not granted, one report line per
     * port or MSR and direction. */
    uint64_t io_dropped;
    uint64_t last_dropped_key;          /* the port and direction dropped last */
    struct report_once ports_reported;
    struct report_once msrs_reported;

    /* Pending and interrupted events (vcpu/events.h); events_pending is set whenever one
     * waits for delivery, and when a handler rewrote RBX, RBP or R12-R15, which only the exit
     * stub's slow path reloads: the cheap test every exit's verdict makes. */
    struct vcpu_events events;
    uint8_t events_pending;
    uint8_t tpr;                        /* the guest's CR8: virtual, the host's TPR stays 0 */

    /* Its CPUID, built at each start (vcpu_cpuid_prepare): every exit only looks it up. */
    struct cpuid_table cpuid;
    /* The CR4 bits it may set: VMX's and its CPUID's (cpuid_policy_cr4_allowed); the others
     * are in the CR4 guest/host mask, so setting one exits and is #GP. */
    uint64_t cr4_allowed;

    /* Statistics: exits by basic reason, every one counted (vcpu_exit_count). One exit of a
     * reason in VCPU_COST_SAMPLE, and every exit that stops the vCPU, is recorded in the ring
     * of the last VCPU_EXIT_RING such exits; the sampled ones are timed, into a histogram of
     * power-of-two TSC buckets per reason (bucket b counts costs in [2^b, 2^(b+1))). Sampling
     * keeps the statistics from slowing every exit. A count is kept in two parts so that the
     * common exit counts and decides on sampling with one instruction: its low byte gains
     * VCPU_EXIT_TICK per exit and carries out every VCPU_COST_SAMPLE exits, and that exit is
     * sampled and adds a lap (VCPU_EXIT_LAP) to bits 63:8. */
    uint64_t exits[VCPU_EXIT_REASONS];
    uint32_t ring_next;
    struct vcpu_exit_record ring[VCPU_EXIT_RING];
    uint32_t exit_cost[VCPU_EXIT_REASONS][VCPU_COST_BUCKETS];
};

/* Exits of basic reason `reason` since the vCPU was made. */
static inline uint64_t vcpu_exit_count(const struct vcpu *v, unsigned reason)
{
    uint64_t count = v->exits[reason];
    return count / VCPU_EXIT_LAP * VCPU_COST_SAMPLE + (count % VCPU_EXIT_LAP) / VCPU_EXIT_TICK;
}

/* Records why the vCPU must stop and returns VCPU_STOP, for handlers to return. */
enum vcpu_verdict vcpu_stop_verdict(struct vcpu *v, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* A device's interrupt (vector 16-255) or an NMI for this vCPU; delivered at the next entry
 * at which the guest can take it. Called on the vCPU's own CPU. */
bool vcpu_raise_irq(struct vcpu *v, unsigned vector);
void vcpu_raise_nmi(struct vcpu *v);
/* Drops every pending event (a stopped or restarted vCPU). */
void vcpu_clear_events(struct vcpu *v);

/* Translates a guest-physical range to a host pointer; NULL if not wholly inside memory. */
void *vcpu_gpa_to_host(const struct vcpu *v, uint64_t gpa, uint64_t size);

/* On the vCPU's own CPU, inside one of its exits: the owner's next device deadline (TSC;
 * UINT64_MAX for none); the preemption timer is programmed for it if it comes first
 * (vcpu/exit_events.c). */
void vcpu_set_device_deadline(struct vcpu *v, uint64_t tsc);

/* On the vCPU's own CPU, from a device its guest just used (a power-off register, say): the
 * vCPU stops when the current exit ends, with reason (a string that outlives the stop). */
void vcpu_request_stop(struct vcpu *v, const char *reason);

/* Where and how a guest starts: what a loader produces (guest/loader.h). */
struct vcpu_entry {
    struct vmx_entry_state cpu;     /* control registers, EFER, segments, RIP, RSP, RFLAGS */
    struct guest_regs regs;         /* general registers at the first instruction */
};

/* On the vCPU's own CPU: makes its VMCS current there and fills it from entry (the host's
 * switched-MSR values, every VMCS area), then flushes the guest's TLB entries. False, with
 * the reason reported through the owner, when the VMCS cannot be set up. */
bool vcpu_prepare(struct vcpu *v, const struct vcpu_entry *entry);
/* Runs the prepared guest until it stops (a handler's verdict or a failed entry, both
 * reported through the owner). */
void vcpu_enter(struct vcpu *v);

#endif
