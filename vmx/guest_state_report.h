/* Explaining a failed VM entry: the current VMCS read back, checked in software and dumped. */
#ifndef VMX_GUEST_STATE_REPORT_H
#define VMX_GUEST_STATE_REPORT_H

typedef void (*report_line_fn)(void *ctx, const char *line);

/* Reads the guest-state area of the current VMCS, runs vmx/guest_state_check.c on it and
 * prints the verdict (the first failing check, or that software found none), then the
 * guest-state area by field name. Each line starts "partition <name>: ". */
void guest_state_report(const char *partition, report_line_fn print, void *ctx);

/* Prints the control areas and the host-state area (for VMfailValid on entry). */
void guest_state_dump_controls(const char *partition, report_line_fn print, void *ctx);

/* Prints the areas in area_mask (bits VMCS_AREA_BIT(...)) of the current VMCS. */
void vmcs_dump_current(unsigned area_mask, report_line_fn print, void *ctx);

#endif
