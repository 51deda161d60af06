/* A readable dump of a VMCS by area (Intel SDM Vol. 3C, 25.3-25.9), in the order of
 * vmx/vmcs_fields.def. Pure: values come from a read callback, lines go to a print callback,
 * so the host tests feed it a fake VMCS and the hypervisor feeds it VMREAD. */
#ifndef VMX_VMCS_DUMP_H
#define VMX_VMCS_DUMP_H

#include <stdbool.h>
#include <stdint.h>

#include "vmx/vmcs_fields.h"

/* Longest line the dump prints, without the terminating NUL. */
#define VMCS_DUMP_LINE_MAX 100

/* Column where field names start ("vmcs:   ") and their padded width. */
#define VMCS_DUMP_NAME_COLUMN 8
#define VMCS_DUMP_NAME_WIDTH 34

/* Prints, for each area whose VMCS_AREA_BIT() is in area_mask, in enum vmcs_area order:
 *   vmcs: -- guest-state area --
 *   vmcs:   GUEST_CR0                          0x0000000080000031
 * then each field of the area that read() returns true for, its name without "VMCS_", its
 * value in the field's width (4, 8 or 16 hex digits). Control fields, the exit reason, the
 * VM-instruction error and the exit qualification are followed by what their bits mean,
 * wrapped onto lines indented to the value column. Fields that read() fails (not supported
 * by this CPU) are skipped; when there were any, a last line counts them:
 *   vmcs: 3 fields not readable, not shown
 * Returns that count. */
unsigned vmcs_dump(uint32_t area_mask,
                   bool (*read)(void *ctx, uint32_t encoding, uint64_t *value), void *ctx,
                   void (*print)(void *ctx, const char *line), void *print_ctx);

#endif
