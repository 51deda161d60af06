/* What guest/partition_run.c shares with guest/partition_control.c, and no one else. */
#ifndef GUEST_PARTITION_INTERNAL_H
#define GUEST_PARTITION_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "guest/guest_boot.h"
#include "guest/partition_run.h"
#include "lib/diag.h"

extern const struct diag partition_report;

/* Its CPU online and in VMX root operation, its module loaded (then p->module is set). */
bool partition_check_this_machine(struct partition *p);
/* Memory, image, boot environment, EPT and VMCS pages, first time. */
bool partition_prepare(struct partition *p);
bool partition_load_image(struct partition *p, struct guest_boot_info *bi);
bool partition_build_ept(struct partition *p);
void partition_fill_vcpu_pages(struct partition *p);
/* The virtual UART's transmitter: a byte into the partition's line queue. */
void partition_vuart_transmit(void *ctx, uint8_t byte);
/* Runs on the partition's CPU until it stops. */
void partition_vcpu_main(void *arg);

#endif
