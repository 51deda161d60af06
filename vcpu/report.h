/* Reports of a stopping vCPU: the exit that stopped it, a failed VM entry (SDM Vol. 3C 27.8),
 * a failed VMLAUNCH/VMRESUME (31.4 VM-instruction errors). Each tells the owner, which
 * records the stop, then prints the details. */
#ifndef VCPU_REPORT_H
#define VCPU_REPORT_H

#include "vcpu/vcpu.h"

/* The vCPU is stopped for v->stop_reason: its state, and the owner told (which prints the
 * "stopped" line). Every stop goes through here. */
void vcpu_announce_stop(struct vcpu *v);

/* v->stop_reason says why: the owner's "stopped" line, then the exit decoded, guest RIP, RSP,
 * CR3, RFLAGS and, for EPT exits, the guest-physical and linear addresses. */
void vcpu_report_stop(struct vcpu *v, const struct vcpu_exit_record *x);
/* Exit reason with bit 31 set: the guest state or MSR-load list the CPU refused. */
void vcpu_report_entry_failure(struct vcpu *v, const struct vcpu_exit_record *x);
/* vmx_enter() returned: VMLAUNCH or VMRESUME itself failed. */
void vcpu_report_enter_failure(struct vcpu *v, int enter_result);

#endif
