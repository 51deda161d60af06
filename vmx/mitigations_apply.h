/* The mitigation plan (vmx/mitigations.h) applied on this CPU: IA32_SPEC_CTRL at VMXON, IBPB
 * when a partition starts, the L1D or buffer clear before an entry that follows other work,
 * and the return-stack fill before vmx_enter returns (SDM Vol. 4 MSRs 48H, 49H, 10BH). */
#ifndef VMX_MITIGATIONS_APPLY_H
#define VMX_MITIGATIONS_APPLY_H

#include <stdint.h>

#include "vmx/mitigations.h"

/* Read by the exit stub before its only return below the exit's call depth. */
extern uint8_t vmx_rsb_fill_on_return;

/* On the boot CPU once the plan is decided: the stub's flag, and one clear timed and printed
 * (`mitigations: clear before entry: L1D flush (software), N TSC ticks`). */
void mitigations_adopt(const struct mitigation_plan *plan);
/* On every CPU after VMXON: IA32_SPEC_CTRL.IBRS when the CPU has IBRS. */
void mitigations_apply_this_cpu(const struct mitigation_plan *plan);
/* Before a partition's first entry on this CPU: IBPB, and the entry clear as after other work. */
void mitigations_partition_start(const struct mitigation_plan *plan);
/* Before an entry: the clear the plan asks for if this CPU did other work since its last
 * entry (percpu.other_work_since_entry, which this resets). */
void mitigations_before_entry(const struct mitigation_plan *plan);

#endif
