/* Which speculative-execution and platform-hazard mitigations a CPU needs around VM entry and
 * exit, decided from CPUID.(EAX=7,ECX=0):EDX and IA32_ARCH_CAPABILITIES (SDM Vol. 4 table 2-2,
 * MSR 10AH; Intel's "Affected Processors" guidance for L1TF, MDS, RSB underflow and the
 * machine-check on page-size change). Pure: the boot code reads the inputs and prints the plan. */
#ifndef VMX_MITIGATIONS_H
#define VMX_MITIGATIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* CPUID.(EAX=7,ECX=0):EDX */
#define CPUID7_EDX_MD_CLEAR             (1u << 10)  /* VERW clears CPU buffers */
#define CPUID7_EDX_IBRS_IBPB            (1u << 26)  /* IA32_SPEC_CTRL.IBRS and IA32_PRED_CMD */
#define CPUID7_EDX_STIBP                (1u << 27)
#define CPUID7_EDX_L1D_FLUSH            (1u << 28)  /* IA32_FLUSH_CMD */
#define CPUID7_EDX_ARCH_CAPABILITIES    (1u << 29)

/* IA32_ARCH_CAPABILITIES */
#define ARCH_CAP_RDCL_NO                (1ull << 0)   /* not affected by L1TF / Meltdown */
#define ARCH_CAP_IBRS_ALL               (1ull << 1)   /* enhanced IBRS */
#define ARCH_CAP_RSBA                   (1ull << 2)   /* RET may predict from the BTB */
#define ARCH_CAP_SKIP_L1DFL_VMENTRY     (1ull << 3)   /* no L1D flush needed before entry */
#define ARCH_CAP_SSB_NO                 (1ull << 4)
#define ARCH_CAP_MDS_NO                 (1ull << 5)
#define ARCH_CAP_PSCHANGE_MC_NO         (1ull << 6)   /* no #MC on page-size change */
#define ARCH_CAP_TAA_NO                 (1ull << 8)
#define ARCH_CAP_PBRSB_NO               (1ull << 24)  /* no post-barrier RSB predictions */

struct mitigation_inputs {
    uint32_t cpuid7_edx;
    uint64_t arch_capabilities;     /* 0 when CPUID does not enumerate the MSR */
};

enum spectre_v2_mode {
    SPECTRE_V2_NONE,        /* the CPU offers nothing: reported as exposed */
    SPECTRE_V2_IBRS,        /* IBRS written on every VM exit */
    SPECTRE_V2_EIBRS,       /* enhanced IBRS set once at boot */
};

struct mitigation_plan {
    enum spectre_v2_mode spectre_v2;
    bool ibpb_on_vcpu_switch;       /* IA32_PRED_CMD when a CPU changes partitions */
    bool rsb_fill_after_exit;       /* stuff the return stack buffer after every VM exit */
    bool l1d_flush_before_entry;    /* L1TF: IA32_FLUSH_CMD (or a software flush) */
    bool l1d_flush_in_software;     /* no IA32_FLUSH_CMD: flush by reading a 64 KiB buffer */
    bool verw_before_entry;         /* MDS/TAA: VERW clears buffers (covered by an L1D flush) */
    bool executable_huge_pages_forbidden;   /* iTLB multihit: executable EPT pages are 4 KiB */
    bool ssb_exposed;               /* no SSB_NO: the guest should get SSBD (reported only) */
};

void mitigation_plan_decide(const struct mitigation_inputs *in, struct mitigation_plan *out);

/* What clears the L1D and CPU buffers before a VM entry. A CPU runs one partition, and its
 * exits handled without other work touch only that partition's data and the hypervisor's
 * public state, so the clear is due only after the CPU did other work since its last entry
 * (the console and shell, a cross-CPU call, an interrupt, a partition's (re)start): what L1TF
 * and MDS could leak to the guest is then in the CPU's L1D and buffers. */
enum entry_buffer_clear {
    ENTRY_CLEAR_NONE,
    ENTRY_CLEAR_L1D_FLUSH_CMD,      /* IA32_FLUSH_CMD.L1D_FLUSH (clears the buffers too) */
    ENTRY_CLEAR_L1D_SOFTWARE,       /* read a buffer twice the L1D's size */
    ENTRY_CLEAR_VERW,               /* MD_CLEAR: VERW of a writable data selector */
};

enum entry_buffer_clear mitigation_entry_clear(const struct mitigation_plan *plan,
                                               bool other_work_since_entry);

/* Legacy IBRS protects only when written after the move to the more privileged mode: the
 * VM-exit MSR-load list writes IA32_SPEC_CTRL.IBRS on every exit and the entry list gives
 * the guest its own value (0), so the guest does not run with IBRS's cost. eIBRS is set once. */
static inline bool mitigation_switches_spec_ctrl(const struct mitigation_plan *plan)
{
    return plan->spectre_v2 == SPECTRE_V2_IBRS;
}

/* One line for the boot log, e.g. "eIBRS, RSB fill on exit, 4 KiB executable EPT pages";
 * returns the length written (truncated to fit). */
size_t mitigation_plan_describe(const struct mitigation_plan *plan, char *buf, size_t size);

#endif
