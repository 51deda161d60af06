/* A software re-run of the VM-entry checks on the guest-state area (Intel SDM Vol. 3C, 28.3.1
 * "Checks on the Guest State Area"; 26.3.1 before 2023), to explain exit reason 33 ("VM-entry
 * failure due to invalid guest state"), which the CPU reports without saying which check.
 * Pure: the caller reads the VMCS back into struct vmx_guest_state. */
#ifndef VMX_GUEST_STATE_CHECK_H
#define VMX_GUEST_STATE_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/diag.h"
#include "vmx/vmx_controls.h"
#include "vmx/vmx_state.h"

#define VMX_VMCS_LINK_POINTER_NONE      0xFFFFFFFFFFFFFFFFull

/* ---- the state under test ---------------------------------------------------------- */
struct vmx_guest_state {
    uint64_t cr0, cr3, cr4, dr7, rsp, rip, rflags;
    struct vmx_segment es, cs, ss, ds, fs, gs, ldtr, tr;
    uint64_t gdtr_base, idtr_base;
    uint32_t gdtr_limit, idtr_limit;
    uint64_t debugctl, sysenter_esp, sysenter_eip;
    uint32_t sysenter_cs;
    uint64_t pat, efer, perf_global_ctrl, bndcfgs;
    uint32_t activity_state, interruptibility;
    uint64_t pending_debug_exceptions, vmcs_link_pointer;
    /* With EPT: the GUEST_PDPTE0-3 fields. Without EPT the CPU reads the four entries at
     * CR3[31:5] from guest memory; the caller puts them here (only used for PAE paging). */
    uint64_t pdpte[4];
};

struct vmx_guest_check_context {
    uint32_t pin, primary, secondary, entry;    /* the controls that will be used */
    uint32_t entry_interruption_info;
    uint64_t cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1;
    unsigned physical_address_width;            /* CPUID.80000008H:EAX[7:0]; 0 or >52: 52 */
    unsigned linear_address_width;              /* CPUID.80000008H:EAX[15:8]; 0 or >64: 48 */
    uint64_t perf_global_ctrl_reserved;         /* reserved bits; 0: unknown, not checked */
    bool activity_hlt_supported, activity_shutdown_supported, activity_wait_for_sipi_supported;
};

/* ---- the checks, in SDM order: X(enumerator suffix, stable id, SDM section) ------------ */
#define VMX_GUEST_CHECKS(X)                                             \
    X(CR0_FIXED,            "cr0-fixed",            "28.3.1.1")         \
    X(CR0_PG_WITHOUT_PE,    "cr0-pg-without-pe",    "28.3.1.1")         \
    X(CR4_FIXED,            "cr4-fixed",            "28.3.1.1")         \
    X(CR4_CET_WITHOUT_WP,   "cr4-cet-without-wp",   "28.3.1.1")         \
    X(DEBUGCTL_RESERVED,    "debugctl-reserved",    "28.3.1.1")         \
    X(IA32E_CR0_PG,         "ia32e-cr0-pg",         "28.3.1.1")         \
    X(IA32E_CR4_PAE,        "ia32e-cr4-pae",        "28.3.1.1")         \
    X(CR4_PCIDE,            "cr4-pcide",            "28.3.1.1")         \
    X(CR3_WIDTH,            "cr3-width",            "28.3.1.1")         \
    X(DR7_HIGH,             "dr7-high",             "28.3.1.1")         \
    X(SYSENTER_CANONICAL,   "sysenter-canonical",   "28.3.1.1")         \
    X(PERF_GLOBAL_RESERVED, "perf-global-reserved", "28.3.1.1")         \
    X(PAT_ENTRY,            "pat-entry",            "28.3.1.1")         \
    X(EFER_RESERVED,        "efer-reserved",        "28.3.1.1")         \
    X(EFER_LMA,             "efer-lma",             "28.3.1.1")         \
    X(EFER_LME,             "efer-lme",             "28.3.1.1")         \
    X(BNDCFGS_RESERVED,     "bndcfgs-reserved",     "28.3.1.1")         \
    X(BNDCFGS_CANONICAL,    "bndcfgs-canonical",    "28.3.1.1")         \
    X(TR_TI,                "tr-ti",                "28.3.1.2")         \
    X(LDTR_TI,              "ldtr-ti",              "28.3.1.2")         \
    X(SS_RPL,               "ss-rpl",               "28.3.1.2")         \
    X(V8086_BASE,           "v8086-base",           "28.3.1.2")         \
    X(SEG_BASE_CANONICAL,   "seg-base-canonical",   "28.3.1.2")         \
    X(SEG_BASE_HIGH,        "seg-base-high",        "28.3.1.2")         \
    X(V8086_LIMIT,          "v8086-limit",          "28.3.1.2")         \
    X(V8086_ACCESS_RIGHTS,  "v8086-access-rights",  "28.3.1.2")         \
    X(CS_TYPE,              "cs-type",              "28.3.1.2")         \
    X(SS_TYPE,              "ss-type",              "28.3.1.2")         \
    X(SEG_ACCESSED,         "seg-accessed",         "28.3.1.2")         \
    X(SEG_CODE_READABLE,    "seg-code-readable",    "28.3.1.2")         \
    X(SEG_S,                "seg-s",                "28.3.1.2")         \
    X(CS_DPL,               "cs-dpl",               "28.3.1.2")         \
    X(SS_DPL_RPL,           "ss-dpl-rpl",           "28.3.1.2")         \
    X(SS_DPL_ZERO,          "ss-dpl-zero",          "28.3.1.2")         \
    X(SEG_DPL_RPL,          "seg-dpl-rpl",          "28.3.1.2")         \
    X(SEG_PRESENT,          "seg-present",          "28.3.1.2")         \
    X(SEG_AR_RESERVED,      "seg-ar-reserved",      "28.3.1.2")         \
    X(CS_L_DB,              "cs-l-db",              "28.3.1.2")         \
    X(SEG_LIMIT_G,          "seg-limit-g",          "28.3.1.2")         \
    X(TR_TYPE,              "tr-type",              "28.3.1.2")         \
    X(TR_UNUSABLE,          "tr-unusable",          "28.3.1.2")         \
    X(LDTR_TYPE,            "ldtr-type",            "28.3.1.2")         \
    X(DTR_BASE_CANONICAL,   "dtr-base-canonical",   "28.3.1.3")         \
    X(DTR_LIMIT,            "dtr-limit",            "28.3.1.3")         \
    X(RIP_HIGH,             "rip-high",             "28.3.1.4")         \
    X(RIP_CANONICAL,        "rip-canonical",        "28.3.1.4")         \
    X(RFLAGS_RESERVED,      "rflags-reserved",      "28.3.1.4")         \
    X(RFLAGS_VM_IA32E,      "rflags-vm-ia32e",      "28.3.1.4")         \
    X(RFLAGS_IF_INJECTION,  "rflags-if-injection",  "28.3.1.4")         \
    X(ACTIVITY_STATE,       "activity-state",       "28.3.1.5")         \
    X(ACTIVITY_HLT_DPL,     "activity-hlt-dpl",     "28.3.1.5")         \
    X(ACTIVITY_BLOCKING,    "activity-blocking",    "28.3.1.5")         \
    X(ACTIVITY_INJECTION,   "activity-injection",   "28.3.1.5")         \
    X(ACTIVITY_SIPI_SMM,    "activity-sipi-smm",    "28.3.1.5")         \
    X(INTR_RESERVED,        "intr-reserved",        "28.3.1.5")         \
    X(INTR_STI_MOV_SS,      "intr-sti-mov-ss",      "28.3.1.5")         \
    X(INTR_STI_IF,          "intr-sti-if",          "28.3.1.5")         \
    X(INTR_EXT_BLOCKING,    "intr-ext-blocking",    "28.3.1.5")         \
    X(INTR_NMI_MOV_SS,      "intr-nmi-mov-ss",      "28.3.1.5")         \
    X(INTR_SMI,             "intr-smi",             "28.3.1.5")         \
    X(INTR_VIRTUAL_NMI,     "intr-virtual-nmi",     "28.3.1.5")         \
    X(INTR_ENCLAVE_MOV_SS,  "intr-enclave-mov-ss",  "28.3.1.5")         \
    X(PENDING_DBG_RESERVED, "pending-dbg-reserved", "28.3.1.5")         \
    X(PENDING_DBG_BS,       "pending-dbg-bs",       "28.3.1.5")         \
    X(PENDING_DBG_RTM,      "pending-dbg-rtm",      "28.3.1.5")         \
    X(VMCS_LINK_ALIGN,      "vmcs-link-align",      "28.3.1.5")         \
    X(VMCS_LINK_WIDTH,      "vmcs-link-width",      "28.3.1.5")         \
    X(VMCS_LINK_UNUSED,     "vmcs-link-unused",     "28.3.1.5")         \
    X(PDPTE_RESERVED,       "pdpte-reserved",       "28.3.1.6")

enum vmx_guest_check {
    VMX_GC_NONE,
#define VMX_GUEST_CHECK_ENUM(name, id, section) VMX_GC_##name,
    VMX_GUEST_CHECKS(VMX_GUEST_CHECK_ENUM)
#undef VMX_GUEST_CHECK_ENUM
    VMX_GC_COUNT
};

struct vmx_guest_check_result {
    bool ok;
    enum vmx_guest_check failed;    /* VMX_GC_NONE when ok */
    char check[48];                 /* the failed check's id, e.g. "cs-l-db"; "" when ok */
    char detail[160];               /* field, value and rule, e.g. "GUEST_CS_ACCESS_RIGHTS
                                     * 0x0000e09b: CS.L set with D/B set in IA-32e mode" */
};

/* Runs the checks in SDM order and stops at the first failure, which *out describes.
 * Not checked: what needs guest memory or the CPU beyond *c (the VMCS a link pointer names,
 * RTM/SGX support, model-specific RTIT_CTL bits), CET, PKRS, UINV and SMM-only rules;
 * blocking by SMI is taken as reserved because tessera never runs in SMM. */
bool vmx_guest_state_check(const struct vmx_guest_state *g,
                           const struct vmx_guest_check_context *c,
                           struct vmx_guest_check_result *out);

/* "cr0-fixed" etc.; "none" for VMX_GC_NONE, NULL when out of range. */
const char *vmx_guest_check_id(enum vmx_guest_check check);
/* "28.3.1.1" .. "28.3.1.6" (2023+ numbering); NULL when out of range or VMX_GC_NONE. */
const char *vmx_guest_check_section(enum vmx_guest_check check);

/* Two lines on d for a failure, e.g.
 *   vmx: invalid guest state: cs-l-db (SDM 28.3.1.2)
 *   vmx:   GUEST_CS_ACCESS_RIGHTS 0x0000e09b: CS.L set with D/B set in IA-32e mode
 * and nothing when r->ok. */
void vmx_guest_check_report(const struct vmx_guest_check_result *r, const struct diag *d);

#endif
