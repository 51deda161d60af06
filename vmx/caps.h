/* VMX capability reporting (Intel SDM Vol. 3D, Appendix A): raw MSR values, their decoding,
 * and negotiation of the five control fields. Pure: the hardware reader lives elsewhere. */
#ifndef VMX_CAPS_H
#define VMX_CAPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/diag.h"
#include "vmx/vmx_controls.h"

/* ---- CPUID and IA32_FEATURE_CONTROL (SDM Vol. 3C, 24.7 "Enabling and entering VMX") ---- */
#define CPUID_1_ECX_VMX                         (1u << 5)
#define IA32_FEATURE_CONTROL_LOCK               (1ull << 0)
#define IA32_FEATURE_CONTROL_VMX_INSIDE_SMX     (1ull << 1)
#define IA32_FEATURE_CONTROL_VMX_OUTSIDE_SMX    (1ull << 2)

/* ---- capability MSRs (Appendix A) -------------------------------------------------- */
#define MSR_IA32_VMX_BASIC                  0x480
#define MSR_IA32_VMX_PINBASED_CTLS          0x481
#define MSR_IA32_VMX_PROCBASED_CTLS         0x482
#define MSR_IA32_VMX_EXIT_CTLS              0x483
#define MSR_IA32_VMX_ENTRY_CTLS             0x484
#define MSR_IA32_VMX_MISC                   0x485
#define MSR_IA32_VMX_CR0_FIXED0             0x486
#define MSR_IA32_VMX_CR0_FIXED1             0x487
#define MSR_IA32_VMX_CR4_FIXED0             0x488
#define MSR_IA32_VMX_CR4_FIXED1             0x489
#define MSR_IA32_VMX_VMCS_ENUM              0x48A
#define MSR_IA32_VMX_PROCBASED_CTLS2        0x48B
#define MSR_IA32_VMX_EPT_VPID_CAP           0x48C
#define MSR_IA32_VMX_TRUE_PINBASED_CTLS     0x48D
#define MSR_IA32_VMX_TRUE_PROCBASED_CTLS    0x48E
#define MSR_IA32_VMX_TRUE_EXIT_CTLS         0x48F
#define MSR_IA32_VMX_TRUE_ENTRY_CTLS        0x490
#define MSR_IA32_VMX_VMFUNC                 0x491
#define VMX_CAPS_MSR_FIRST                  MSR_IA32_VMX_BASIC
#define VMX_CAPS_MSR_LAST                   MSR_IA32_VMX_VMFUNC
#define VMX_CAPS_MSR_COUNT                  (VMX_CAPS_MSR_LAST - VMX_CAPS_MSR_FIRST + 1)

/* A control MSR: allowed 0-settings in bits 31:0 (a 1 there forces the control to 1),
 * allowed 1-settings in bits 63:32 (a 0 there forces it to 0). A.3.1. */
#define VMX_CTLS_ALLOWED1_SHIFT             32

/* IA32_VMX_BASIC (A.1) */
#define VMX_BASIC_REVISION_MASK             0x7FFFFFFFull
#define VMX_BASIC_VMCS_SIZE_SHIFT           32
#define VMX_BASIC_VMCS_SIZE_MASK            0x1FFFull          /* bits 44:32 */
#define VMX_BASIC_PHYS_ADDR_32BIT           (1ull << 48)
#define VMX_BASIC_DUAL_MONITOR_SMM          (1ull << 49)
#define VMX_BASIC_MEMORY_TYPE_SHIFT         50
#define VMX_BASIC_MEMORY_TYPE_MASK          0xFull             /* bits 53:50 */
#define VMX_BASIC_INS_OUTS_INFO             (1ull << 54)
#define VMX_BASIC_TRUE_CONTROLS             (1ull << 55)
#define VMX_BASIC_ENTRY_EXCEPTION_ANY_ERROR (1ull << 56)
#define VMX_MEMORY_TYPE_UC                  0u
#define VMX_MEMORY_TYPE_WB                  6u
#define VMX_VMCS_SIZE_MAX                   4096u

/* IA32_VMX_MISC (A.6) */
#define VMX_MISC_PREEMPTION_TIMER_RATE_MASK 0x1Full            /* bits 4:0 */
#define VMX_MISC_STORES_EFER_LMA            (1ull << 5)
#define VMX_MISC_ACTIVITY_HLT               (1ull << 6)
#define VMX_MISC_ACTIVITY_SHUTDOWN          (1ull << 7)
#define VMX_MISC_ACTIVITY_WAIT_FOR_SIPI     (1ull << 8)
#define VMX_MISC_PT_IN_VMX                  (1ull << 14)
#define VMX_MISC_SMBASE_READABLE_IN_SMM     (1ull << 15)
#define VMX_MISC_CR3_TARGET_SHIFT           16
#define VMX_MISC_CR3_TARGET_MASK            0x1FFull           /* bits 24:16 */
#define VMX_MISC_MSR_LIST_SHIFT             25
#define VMX_MISC_MSR_LIST_MASK              0x7ull             /* bits 27:25 */
#define VMX_MISC_MSR_LIST_UNIT              512u               /* 512 * (N + 1) entries */
#define VMX_MISC_SMM_MONITOR_CTL_BIT2       (1ull << 28)
#define VMX_MISC_VMWRITE_ANY_FIELD          (1ull << 29)
#define VMX_MISC_INJECT_ZERO_LENGTH         (1ull << 30)
#define VMX_MISC_MSEG_REVISION_SHIFT        32

/* IA32_VMX_VMCS_ENUM (A.9) */
#define VMX_VMCS_ENUM_MAX_INDEX_SHIFT       1
#define VMX_VMCS_ENUM_MAX_INDEX_MASK        0x1FFull           /* bits 9:1 */

/* IA32_VMX_EPT_VPID_CAP (A.10) */
#define VMX_EPT_EXECUTE_ONLY                (1ull << 0)
#define VMX_EPT_WALK_4                      (1ull << 6)
#define VMX_EPT_WALK_5                      (1ull << 7)
#define VMX_EPT_MEMORY_UC                   (1ull << 8)
#define VMX_EPT_MEMORY_WB                   (1ull << 14)
#define VMX_EPT_PAGE_2M                     (1ull << 16)
#define VMX_EPT_PAGE_1G                     (1ull << 17)
#define VMX_EPT_INVEPT                      (1ull << 20)
#define VMX_EPT_ACCESSED_DIRTY              (1ull << 21)
#define VMX_EPT_ADVANCED_EXIT_INFO          (1ull << 22)
#define VMX_EPT_SUPERVISOR_SHADOW_STACK     (1ull << 23)
#define VMX_EPT_INVEPT_SINGLE_CONTEXT       (1ull << 25)
#define VMX_EPT_INVEPT_ALL_CONTEXT          (1ull << 26)
#define VMX_VPID_INVVPID                    (1ull << 32)
#define VMX_VPID_INVVPID_ADDRESS            (1ull << 40)
#define VMX_VPID_INVVPID_SINGLE_CONTEXT     (1ull << 41)
#define VMX_VPID_INVVPID_ALL_CONTEXT        (1ull << 42)
#define VMX_VPID_INVVPID_SINGLE_KEEP_GLOBAL (1ull << 43)

/* IA32_VMX_VMFUNC (A.11) */
#define VMX_VMFUNC_EPTP_SWITCHING           (1ull << 0)

/* Guests with "unrestricted guest" may clear CR0.PE (bit 0) and CR0.PG (bit 31) although
 * IA32_VMX_CR0_FIXED0 reports them fixed to 1 (A.7); VMXON itself gets no such relief. */
#define VMX_CR0_UNRESTRICTED_RELAXED        ((1ull << 0) | (1ull << 31))

/* What the hardware reader collects. msr[] is indexed by msr - VMX_CAPS_MSR_FIRST; present
 * has the same bit set for each MSR read. Read them in ascending order, each only when
 * vmx_caps_msr_exists() says so (later MSRs exist only when earlier ones say they do). */
struct vmx_caps_raw {
    uint32_t cpuid1_ecx;
    uint64_t feature_control;
    uint64_t msr[VMX_CAPS_MSR_COUNT];
    uint32_t present;
};

bool vmx_caps_msr_exists(const struct vmx_caps_raw *raw, uint32_t msr);
void vmx_caps_raw_set(struct vmx_caps_raw *raw, uint32_t msr, uint64_t value);

/* ---- IA32_FEATURE_CONTROL ---------------------------------------------------------- */
enum vmx_feature_control_verdict {
    VMX_FC_OK,                  /* locked with VMX outside SMX enabled */
    VMX_FC_ENABLE_AND_LOCK,     /* unlocked: write vmx_feature_control_enable_value() */
    VMX_FC_NO_VMX,              /* CPUID.1:ECX.VMX = 0 */
    VMX_FC_DISABLED,            /* locked by firmware with VMX off */
};

/* Reports the two failures on err, one line each, with the exact texts
 * "vmx: this CPU has no VMX (CPUID.1:ECX[5] = 0)" and
 * "vmx: IA32_FEATURE_CONTROL is locked with VMX disabled: enable Intel Virtualization
 *  Technology (VT-x) in the firmware setup" (one line: the setting the user must change). */
enum vmx_feature_control_verdict vmx_feature_control_check(uint32_t cpuid1_ecx,
                                                           uint64_t feature_control,
                                                           const struct diag *err);
uint64_t vmx_feature_control_enable_value(uint64_t feature_control);
/* After VMX_FC_ENABLE_AND_LOCK wrote `written` over `before`: true when the MSR reads back
 * locked with VMX outside SMX (said on debug); else reports on err what it reads. */
bool vmx_feature_control_enabled(uint64_t before, uint64_t written, uint64_t read_back,
                                 const struct diag *err, const struct diag *debug);

/* ---- decoded capabilities ---------------------------------------------------------- */
enum vmx_ctl_field {
    VMX_CTL_PIN,
    VMX_CTL_PRIMARY,
    VMX_CTL_SECONDARY,
    VMX_CTL_EXIT,
    VMX_CTL_ENTRY,
    VMX_CTL_FIELD_COUNT
};

/* Effective settings of one control field: a 1 in allowed0 forces the bit to 1, a 0 in
 * allowed1 forces it to 0. Taken from the TRUE_* MSR when BASIC says so, else from the plain
 * one with the default1 class forced to 1; reserved default1 bits stay 1 either way (A.2). */
struct vmx_ctl_caps {
    uint32_t allowed0;
    uint32_t allowed1;
};

struct vmx_caps {
    /* IA32_VMX_BASIC */
    uint32_t revision_id;
    uint32_t vmcs_size;
    bool phys_addr_32bit;
    bool dual_monitor_smm;
    uint8_t vmcs_memory_type;
    bool ins_outs_info;
    bool true_controls;
    bool entry_exception_any_error_code;

    struct vmx_ctl_caps ctl[VMX_CTL_FIELD_COUNT];

    /* IA32_VMX_MISC */
    uint8_t preemption_timer_rate;      /* timer ticks when TSC bit <rate> changes */
    bool stores_efer_lma;
    bool activity_hlt, activity_shutdown, activity_wait_for_sipi;
    uint32_t cr3_target_count;
    uint32_t max_msr_list;

    uint64_t cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1;
    uint32_t vmcs_max_index;

    /* IA32_VMX_EPT_VPID_CAP (all 0 when absent), IA32_VMX_VMFUNC */
    uint64_t ept_vpid;
    bool ept_execute_only, ept_walk_4, ept_walk_5, ept_uc, ept_wb, ept_2m, ept_1g;
    bool invept, invept_single, invept_all, ept_accessed_dirty;
    bool invvpid, invvpid_address, invvpid_single, invvpid_all, invvpid_single_keep_global;
    uint64_t vmfunc;
};

/* Fails (reporting why) when an MSR that exists was not read, the VMCS region is larger than
 * a page, or the VMCS memory type is not write-back. */
bool vmx_caps_decode(const struct vmx_caps_raw *raw, struct vmx_caps *out,
                     const struct diag *err);
const char *vmx_ept_vpid_cap_name(unsigned bit);                        /* NULL: reserved */

/* ---- negotiation (A.2, 32.5.1) ----------------------------------------------------- */
const char *vmx_ctl_field_name(enum vmx_ctl_field field);
const char *vmx_ctl_bit_name(enum vmx_ctl_field field, unsigned bit);   /* NULL: reserved */
uint32_t vmx_ctl_default1(enum vmx_ctl_field field);
uint32_t vmx_ctl_reserved_default1(enum vmx_ctl_field field);          /* default1, unnamed */

/* *out = required | (optional & allowed1) | allowed0. Reports on err, one line per bit,
 * each required bit the CPU lacks, e.g.
 *   vmx: secondary controls: required "enable EPT" (bit 1) not supported
 * and on debug each optional bit dropped and each bit forced to 1 that nobody asked for. */
bool vmx_ctl_negotiate(enum vmx_ctl_field field, const struct vmx_ctl_caps *caps,
                       uint32_t required, uint32_t optional, uint32_t *out,
                       const struct diag *err, const struct diag *debug);

/* The final control values all CPUs load, plus which optional features were obtained. */
struct vmx_controls {
    uint32_t pin, primary, secondary, exit, entry;
    bool preemption_timer, save_preemption_timer, virtual_nmis, hlt_exiting;
    bool cr3_exiting;           /* MOV to/from CR3 exit: forced by a CPU without TRUE MSRs */
    bool unrestricted_guest, vpid, invpcid, xsaves;
    bool ia32e_mode_guest;      /* may be set per guest; not part of entry */
    bool ept_2m, ept_1g, ept_accessed_dirty, ept_execute_only;
    uint8_t preemption_timer_rate;
};

bool vmx_negotiate_hypervisor_controls(const struct vmx_caps *caps, struct vmx_controls *out,
                                       const struct diag *err, const struct diag *debug);

/* All CPUs must agree with the boot CPU; reports the first difference, e.g.
 *   vmx: cpu 1: secondary controls 0x000000aa differ from the boot CPU's 0x000000ab */
bool vmx_controls_compare(const struct vmx_controls *boot, const struct vmx_controls *cpu,
                          unsigned cpu_index, const struct diag *err);

/* One summary line (fits DIAG_LINE_MAX); returns what fmt_snprintf returns. */
int vmx_controls_format(char *buf, size_t size, const struct vmx_caps *caps,
                        const struct vmx_controls *ctl);

/* ---- CR0/CR4 fixed bits (A.7, A.8) ------------------------------------------------- */
struct vmx_cr_adjust {
    uint64_t value;     /* (input | fixed0) & fixed1 */
    uint64_t set;       /* bits forced to 1 */
    uint64_t cleared;   /* bits the input had that must be 0 */
};

/* False when the input had a bit that must be 0, or the MSRs demand a bit both ways. */
bool vmx_cr_apply_fixed(uint64_t value, uint64_t fixed0, uint64_t fixed1,
                        struct vmx_cr_adjust *out);
bool vmx_cr0_apply_fixed_host(const struct vmx_caps *caps, uint64_t cr0,
                              struct vmx_cr_adjust *out);
bool vmx_cr4_apply_fixed(const struct vmx_caps *caps, uint64_t cr4,      /* host and guest */
                         struct vmx_cr_adjust *out);
bool vmx_cr0_apply_fixed_guest(const struct vmx_caps *caps, bool unrestricted_guest,
                               uint64_t cr0, struct vmx_cr_adjust *out);

#endif
