/* Partitions at run time: memory carved at boot, the image loaded, EPT and bitmaps built,
 * the vCPU launched on its CPU, and stopped (with a report) when its guest misbehaves. */
#ifndef GUEST_PARTITION_RUN_H
#define GUEST_PARTITION_RUN_H

#include <stdbool.h>
#include <stdint.h>

#include "boot/multiboot2.h"
#include "guest/acpi_pm.h"
#include "guest/cmos_rtc.h"
#include "guest/line_queue.h"
#include "guest/partition.h"
#include "guest/pic8259.h"
#include "guest/platform_request.h"
#include "guest/reset_control.h"
#include "guest/vioapic.h"
#include "guest/vlapic.h"
#include "guest/testdev.h"
#include "guest/vuart.h"
#include "lib/ratelimit.h"
#include "vmx/ept.h"
#include "vcpu/vcpu.h"

#define PARTITION_MAX           16
#define PARTITION_INPUT_MAX     64      /* keyboard bytes waiting for the guest; a power of two */
#define PARTITION_REASON_MAX    96

enum partition_state {
    PARTITION_NOT_STARTED,      /* reason says why */
    PARTITION_RUNNING,
    PARTITION_STOPPED,          /* the hypervisor stopped it; reason says why */
};

struct partition {
    const struct partition_config *config;
    uint32_t id;                        /* index in the table */
    enum partition_state state;
    char reason[PARTITION_REASON_MAX];

    uint64_t memory_hpa;                /* host-physical base of guest-physical 0 */
    uint64_t memory_size;
    const struct mb2_module *module;
    const struct mb2_module *guest_modules[PARTITION_GUEST_MODULES_MAX];  /* the config's */

    struct ept ept;                     /* its pointer and VPID are the vCPU's */
    uint64_t overhead_bytes;            /* VMCS, bitmaps, MSR lists, EPT tables */

    struct vcpu_entry entry;            /* where and how the guest starts (its loader's) */
    bool prepared;                      /* memory, image, EPT and VMCS pages ready */
    bool restart_pending;               /* restart asked on its own CPU: start once stopped */
    volatile bool starting;             /* a start was handed to its CPU, not yet running */
    bool needs_reload;                  /* it ran: a start reloads it first, on its own CPU */
    uint64_t start_asked_tsc;           /* when the shell asked for this start; 0: at boot */
    struct vcpu vcpu;

    /* Its COM1: a 16550 model; output lines queue up for the boot CPU to print with the
     * "[name] " prefix, fairly between partitions; keyboard bytes come the other way
     * through `input` (one producer: the boot CPU; one consumer: this partition's CPU). */
    struct vuart vuart;
    struct testdev testdev;             /* when the table places one (testdev_gpa) */
    uint64_t testdev_window_hpa;        /* the page backing its window */
    /* The PC devices of an operating-system partition (guest/partition_platform.c), and the
     * power-off or reset its guest asked for through them. */
    struct {
        struct cmos_rtc rtc;
        struct pic8259_pair pic;
        struct acpi_pm pm;
        struct reset_control reset;
        struct vlapic lapic;
        struct vioapic ioapic;
        uint8_t uart_irq;               /* the I/O APIC pin of its COM port */
        uint8_t tpr_synced;             /* CR8 and the APIC's TPR agreed on this (4 bits) */
    } pc;
    enum platform_request platform_request;
    bool restart_after_reset;           /* its reset restarts it (restart_on_reset) */
    uint32_t resets_in_window;          /* restarts since reset_window_tsc */
    uint64_t reset_window_tsc;
    struct line_queue output;
    uint8_t input[PARTITION_INPUT_MAX];
    uint32_t input_head, input_tail;
    bool uart_tx_held;                  /* its UART's LSR read busy (line queue full) */

};

/* Prepares every partition of the table named on the command line (partitions=...,
 * default "demo"): validation against this machine, memory, image, EPT, bitmaps.
 * Partitions that cannot run are reported and left out; the others are started on
 * their CPUs. A partition on the boot CPU is started last, by partitions_run_boot_cpu(). */
void partitions_start(const char *cmdline, const struct mb2_info *info);
/* Runs the boot CPU's partition, if any; returns when there is none or it stops. */
void partitions_run_boot_cpu(void);

/* Translates a guest-physical range to a host pointer; NULL if not wholly inside memory. */
void *partition_gpa_to_host(const struct partition *p, uint64_t gpa, uint64_t size);

/* Guest console: one byte written to its COM1 THR (the vuart's transmitter), and the
 * keyboard's way in: queued by the boot CPU, moved into the vuart by the partition's CPU
 * when the guest reads its UART. */
void partition_console_putc(struct partition *p, char c);
void partition_console_input(struct partition *p, uint8_t byte);
void partition_console_pull_input(struct partition *p);

uint32_t partition_count(void);
struct partition *partition_get(uint32_t id);
struct partition *partition_find(const char *name);

/* What the partition's EPT, I/O bitmap and MSR bitmap must hold, derived from its table
 * entry (for building them, and for the shell's `verify`). */
#define PARTITION_EPT_MAPPINGS_MAX  9
#define PARTITION_MSR_ALLOW_MAX     64
uint32_t partition_ept_mappings(const struct partition *p, struct ept_mapping *maps,
                                uint32_t max);
uint32_t partition_msr_allow_list(const struct partition *p, struct msr_range *out, uint32_t max);
struct ept_memory partition_ept_memory(struct partition *p);

/* The shell's controls. Each prints one line saying what happened and returns false (with
 * the reason printed) when it cannot. stop waits until the partition has stopped, unless
 * it runs on the calling CPU (then it stops when the current exit returns). */
bool partition_request_stop(struct partition *p);
bool partition_request_start(struct partition *p);
bool partition_request_restart(struct partition *p);
/* The boot CPU's loop calls this between console rounds: a start the shell asked for. */
void partition_run_pending_boot_cpu(void);

#endif
