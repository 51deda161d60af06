/* Partitions at run time: memory carved at boot, the image loaded, EPT and bitmaps built,
 * the vCPU launched on its CPU, and stopped (with a report) when its guest misbehaves. */
#ifndef GUEST_PARTITION_RUN_H
#define GUEST_PARTITION_RUN_H

#include <stdbool.h>
#include <stdint.h>

#include "boot/multiboot2.h"
#include "guest/guest_boot.h"
#include "guest/partition.h"
#include "vmx/ept.h"
#include "vmx/vcpu.h"

#define PARTITION_MAX           16
#define PARTITION_LINE_MAX      160     /* console line buffer per partition */
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

    struct ept ept;
    uint64_t eptp;
    uint16_t vpid;                      /* 0: VPID not used */
    uint64_t overhead_bytes;            /* VMCS, bitmaps, MSR lists, EPT tables */

    struct guest_entry_state entry;     /* where and how the guest starts */
    bool prepared;                      /* memory, image, EPT and VMCS pages ready */
    struct vcpu vcpu;

    /* Guest console output, flushed a line at a time with the "[name] " prefix. */
    char line[PARTITION_LINE_MAX];
    uint32_t line_len;
    uint64_t io_dropped;                /* trapped accesses to ports it was not granted */
    bool has_one_way_port_grants;       /* read-only or write-only ports: exits check them */
};

/* Prepares every partition of the table named on the command line (partitions=...,
 * default "demo"): validation against this machine, memory, image, EPT, bitmaps.
 * Partitions that cannot run are reported and left out; the others are started on
 * their CPUs. A partition on the boot CPU is started last, by partitions_run_boot_cpu(). */
void partitions_start(const char *cmdline, const struct mb2_info *info);
/* Runs the boot CPU's partition, if any; returns when there is none or it stops. */
void partitions_run_boot_cpu(void);

/* Stops p's vCPU from its own CPU, inside an exit handler: prints the report. */
void partition_stop(struct partition *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Translates a guest-physical range to a host pointer; NULL if not wholly inside memory. */
void *partition_gpa_to_host(const struct partition *p, uint64_t gpa, uint64_t size);

/* Guest console: one byte written to its COM1 THR. */
void partition_console_putc(struct partition *p, char c);

uint32_t partition_count(void);
struct partition *partition_get(uint32_t id);

#endif
