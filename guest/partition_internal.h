/* What guest/partition_run.c, partition_prepare.c and partition_control.c share, and no one
 * else. */
#ifndef GUEST_PARTITION_INTERNAL_H
#define GUEST_PARTITION_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "guest/loader.h"
#include "guest/partition_run.h"
#include "lib/diag.h"

extern const struct diag partition_report;

/* Records why p is not started and says so on the console. */
void partition_not_started(struct partition *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* A zeroed page for the partition's own structures, counted in *overhead. */
uint64_t partition_alloc_page(uint64_t *overhead);
/* Page sizes for its EPT: 4 KiB only for executable RAM where the CPU needs it. */
struct ept_options partition_ept_options(void);

/* Its CPU online and in VMX root operation, its module loaded (then p->module is set). */
bool partition_check_this_machine(struct partition *p);
/* Memory, image, boot environment, EPT and VMCS pages, first time. */
bool partition_prepare(struct partition *p);
/* The image through its format's loader; p->entry is where it starts. */
bool partition_load_image(struct partition *p, struct loader_output *out);
bool partition_build_ept(struct partition *p);
/* Operating-system formats (multiboot, bzImage) get a PC platform: firmware tables now,
 * built into the partition's memory before its image (guest/partition_platform.c). */
bool partition_wants_platform(const struct partition_config *cfg);
bool partition_build_firmware(struct partition *p, uint64_t *rsdp_gpa);
/* The vCPU's device deadline passed: the interrupt controllers' timers run (owner op). */
void partition_device_timer(void *ctx, struct vcpu *v, uint64_t now);
/* Its UART's state changed (a register access, input arriving): its IRQ line follows. True
 * while its THRE interrupt is held back until the line queue drains. */
bool partition_platform_uart_changed(struct partition *p);
/* Its PC devices claimed on the vCPU, fresh (every start); true for other formats. */
bool partition_platform_attach(struct partition *p);
void partition_fill_vcpu_pages(struct partition *p);
/* The vCPU's identity, owner, memory and devices, its accounting cleared (every start). */
bool partition_vcpu_reset(struct partition *p);
/* The virtual UART (a fresh one) claims its ports on the vCPU (guest/partition_console.c). */
bool partition_console_attach(struct partition *p);
/* A stopped partition from scratch, in the memory it has (guest/partition_control.c). */
bool partition_reload(struct partition *p);
/* Runs on the partition's CPU until it stops. */
void partition_vcpu_main(void *arg);

#endif
