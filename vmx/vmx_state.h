/* Guest state as VMX holds it: segment access rights (SDM Vol. 3C 25.4.1, Table 25-2),
 * activity and interruptibility state (25.4.2, Tables 25-3, 25-4, 25-5), and the
 * interruption-information format shared by VM entry, VM exit and IDT vectoring (25.8.3,
 * 25.9.2, 25.9.3). Defined once here; pure. */
#ifndef VMX_VMX_STATE_H
#define VMX_VMX_STATE_H

#include <stdint.h>

/* ---- segment access rights as the VMCS holds them (25.4.1, Table 25-2) ----------------- */
#define VMX_SEG_AR_TYPE_MASK        0xFu            /* bits 3:0 */
#define VMX_SEG_AR_S                (1u << 4)       /* 1: code or data, 0: system */
#define VMX_SEG_AR_DPL_SHIFT        5               /* bits 6:5 */
#define VMX_SEG_AR_DPL_MASK         (3u << VMX_SEG_AR_DPL_SHIFT)
#define VMX_SEG_AR_P                (1u << 7)
#define VMX_SEG_AR_AVL              (1u << 12)
#define VMX_SEG_AR_L                (1u << 13)      /* CS only: 64-bit code */
#define VMX_SEG_AR_DB               (1u << 14)
#define VMX_SEG_AR_G                (1u << 15)
#define VMX_SEG_AR_UNUSABLE         (1u << 16)
#define VMX_SEG_AR_RESERVED         0xFFFE0F00u     /* bits 31:17 and 11:8 */

/* ---- activity and interruptibility state (25.4.2, Tables 25-3 and 25-4) ---------------- */
#define VMX_ACTIVITY_ACTIVE         0u
#define VMX_ACTIVITY_HLT            1u
#define VMX_ACTIVITY_SHUTDOWN       2u
#define VMX_ACTIVITY_WAIT_FOR_SIPI  3u

#define VMX_INTERRUPTIBILITY_STI        (1u << 0)
#define VMX_INTERRUPTIBILITY_MOV_SS     (1u << 1)
#define VMX_INTERRUPTIBILITY_SMI        (1u << 2)
#define VMX_INTERRUPTIBILITY_NMI        (1u << 3)
#define VMX_INTERRUPTIBILITY_ENCLAVE    (1u << 4)
#define VMX_INTERRUPTIBILITY_RESERVED   0xFFFFFFE0u  /* bits 31:5 */

/* Pending debug exceptions (Table 25-5): B3:0 in bits 3:0, enabled breakpoint 12, BS 14, RTM 16. */
#define VMX_PENDING_DBG_ENABLED_BP      (1ull << 12)
#define VMX_PENDING_DBG_BS              (1ull << 14)
#define VMX_PENDING_DBG_RTM             (1ull << 16)
#define VMX_PENDING_DBG_RESERVED        0xFFFFFFFFFFFEAFF0ull  /* 63:17, 15, 13, 11:4 */

/* VM-entry interruption-information field (25.8.3, Table 25-17). */
#define VMX_ENTRY_INTR_VALID            (1u << 31)
#define VMX_ENTRY_INTR_TYPE_SHIFT       8
#define VMX_ENTRY_INTR_TYPE_MASK        (7u << VMX_ENTRY_INTR_TYPE_SHIFT)   /* bits 10:8 */
#define VMX_ENTRY_INTR_VECTOR_MASK      0xFFu
#define VMX_INTR_TYPE_EXTERNAL          0u
#define VMX_INTR_TYPE_NMI               2u
#define VMX_INTR_TYPE_HW_EXCEPTION      3u
#define VMX_INTR_TYPE_OTHER_EVENT       7u

/* The same layout in the exit interruption information and the IDT-vectoring information
 * (25.9.2, 25.9.3), where bit 12 of the former reports NMI unblocking by IRET. */
#define VMX_INTR_INFO_VALID             (1u << 31)
#define VMX_INTR_INFO_NMI_UNBLOCKING    (1u << 12)
#define VMX_INTR_INFO_VECTOR(info)      ((uint32_t)(info) & 0xFFu)
#define VMX_INTR_INFO_TYPE(info)        (((uint32_t)(info) >> 8) & 7u)
#define VMX_INTR_TYPE_SOFTWARE_INTERRUPT        4u  /* INT n */
#define VMX_INTR_TYPE_PRIV_SOFTWARE_EXCEPTION   5u  /* INT1 (ICEBP) */
#define VMX_INTR_TYPE_SOFTWARE_EXCEPTION        6u  /* INT3, INTO */
#define VMX_INTR_DELIVER_ERROR_CODE             (1u << 11)
#define VMX_ENTRY_INTR_RESERVED                 0x7FFFF000u /* bits 30:12: must be 0 on entry */
#define VMX_ENTRY_INSTRUCTION_LENGTH_MAX        15u
/* Intel CPUs push 16-bit error codes; VM entry refuses bits 31:16 in the error-code field. */
#define VMX_ENTRY_ERROR_CODE_MASK               0xFFFFu


struct vmx_segment {
    uint16_t selector;
    uint64_t base;
    uint32_t limit;
    uint32_t access_rights;     /* as in the VMCS: bit 16 = unusable */
};

#endif
