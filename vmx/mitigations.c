/* The mitigation plan for a CPU (vmx/mitigations.h): each rule follows an enumerated "not
 * affected" bit, so a CPU that enumerates nothing is treated as affected by everything. */
#include "vmx/mitigations.h"

#include "lib/format.h"

void mitigation_plan_decide(const struct mitigation_inputs *in, struct mitigation_plan *out)
{
    uint64_t caps = (in->cpuid7_edx & CPUID7_EDX_ARCH_CAPABILITIES) ? in->arch_capabilities : 0;
    bool ibrs = in->cpuid7_edx & CPUID7_EDX_IBRS_IBPB;

    out->spectre_v2 = !ibrs ? SPECTRE_V2_NONE
                    : (caps & ARCH_CAP_IBRS_ALL) ? SPECTRE_V2_EIBRS : SPECTRE_V2_IBRS;
    out->ibpb_on_vcpu_switch = ibrs;
    /* A guest can fill the RSB with its own targets; only eIBRS CPUs that also promise no
     * post-barrier RSB predictions (PBRSB_NO) may skip refilling it after an exit. */
    out->rsb_fill_after_exit = !(out->spectre_v2 == SPECTRE_V2_EIBRS && (caps & ARCH_CAP_PBRSB_NO));
    /* L1TF: a guest can read the L1D through a non-present EPT-less PTE unless the CPU says
     * RDCL_NO or that the flush is unnecessary before VM entry. */
    out->l1d_flush_before_entry = !(caps & (ARCH_CAP_RDCL_NO | ARCH_CAP_SKIP_L1DFL_VMENTRY));
    out->l1d_flush_in_software = out->l1d_flush_before_entry &&
                                 !(in->cpuid7_edx & CPUID7_EDX_L1D_FLUSH);
    /* MDS and TAA leak through fill, store and load buffers; the L1D flush clears those too
     * on affected parts that have it, so VERW is only for the ones without the flush. */
    bool buffers_exposed = !(caps & ARCH_CAP_MDS_NO) || !(caps & ARCH_CAP_TAA_NO);
    out->verw_before_entry = buffers_exposed && (in->cpuid7_edx & CPUID7_EDX_MD_CLEAR) &&
                             !out->l1d_flush_before_entry;
    out->executable_huge_pages_forbidden = !(caps & ARCH_CAP_PSCHANGE_MC_NO);
    out->ssb_exposed = !(caps & ARCH_CAP_SSB_NO);
}

enum entry_buffer_clear mitigation_entry_clear(const struct mitigation_plan *plan,
                                               bool other_work_since_entry)
{
    if (!other_work_since_entry)
        return ENTRY_CLEAR_NONE;
    if (plan->l1d_flush_before_entry)
        return plan->l1d_flush_in_software ? ENTRY_CLEAR_L1D_SOFTWARE : ENTRY_CLEAR_L1D_FLUSH_CMD;
    return plan->verw_before_entry ? ENTRY_CLEAR_VERW : ENTRY_CLEAR_NONE;
}

size_t mitigation_plan_describe(const struct mitigation_plan *plan, char *buf, size_t size)
{
    static const char *const v2[] = { "no IBRS (Spectre v2 exposed)", "IBRS on exit", "eIBRS" };
    int n = fmt_snprintf(buf, size, "%s%s%s%s%s%s%s", v2[plan->spectre_v2],
                        plan->ibpb_on_vcpu_switch ? ", IBPB between partitions" : "",
                        plan->rsb_fill_after_exit ? ", RSB fill on exit" : "",
                        !plan->l1d_flush_before_entry ? ""
                        : plan->l1d_flush_in_software ? ", L1D flush (software) before entry"
                                                      : ", L1D flush before entry",
                        plan->verw_before_entry ? ", VERW before entry" : "",
                        plan->executable_huge_pages_forbidden ? ", 4 KiB executable EPT pages"
                                                              : "",
                        plan->ssb_exposed ? ", SSB exposed" : "");
    if (n < 0 || size == 0)
        return 0;
    return (size_t)n < size ? (size_t)n : size - 1;
}
