/* VMX basic exit reasons (Intel SDM Vol. 3D, Appendix C), the exit-reason field (Vol. 3C,
 * 25.9.1, Table 25-17) and the exit qualifications the reports decode (28.2.1). Pure. */
#ifndef VMX_EXIT_REASONS_H
#define VMX_EXIT_REASONS_H

#include <stddef.h>
#include <stdint.h>

/* ---- basic exit reasons (Appendix C, Table C-1); 35, 38 and 42 are unused -------------- */
#define VMX_EXIT_REASON_EXCEPTION_NMI           0
#define VMX_EXIT_REASON_EXTERNAL_INTERRUPT      1
#define VMX_EXIT_REASON_TRIPLE_FAULT            2
#define VMX_EXIT_REASON_INIT                    3
#define VMX_EXIT_REASON_SIPI                    4
#define VMX_EXIT_REASON_IO_SMI                  5
#define VMX_EXIT_REASON_OTHER_SMI               6
#define VMX_EXIT_REASON_INTERRUPT_WINDOW        7
#define VMX_EXIT_REASON_NMI_WINDOW              8
#define VMX_EXIT_REASON_TASK_SWITCH             9
#define VMX_EXIT_REASON_CPUID                   10
#define VMX_EXIT_REASON_GETSEC                  11
#define VMX_EXIT_REASON_HLT                     12
#define VMX_EXIT_REASON_INVD                    13
#define VMX_EXIT_REASON_INVLPG                  14
#define VMX_EXIT_REASON_RDPMC                   15
#define VMX_EXIT_REASON_RDTSC                   16
#define VMX_EXIT_REASON_RSM                     17
#define VMX_EXIT_REASON_VMCALL                  18
#define VMX_EXIT_REASON_VMCLEAR                 19
#define VMX_EXIT_REASON_VMLAUNCH                20
#define VMX_EXIT_REASON_VMPTRLD                 21
#define VMX_EXIT_REASON_VMPTRST                 22
#define VMX_EXIT_REASON_VMREAD                  23
#define VMX_EXIT_REASON_VMRESUME                24
#define VMX_EXIT_REASON_VMWRITE                 25
#define VMX_EXIT_REASON_VMXOFF                  26
#define VMX_EXIT_REASON_VMXON                   27
#define VMX_EXIT_REASON_CR_ACCESS               28
#define VMX_EXIT_REASON_MOV_DR                  29
#define VMX_EXIT_REASON_IO_INSTRUCTION          30
#define VMX_EXIT_REASON_RDMSR                   31
#define VMX_EXIT_REASON_WRMSR                   32
#define VMX_EXIT_REASON_ENTRY_INVALID_GUEST     33
#define VMX_EXIT_REASON_ENTRY_MSR_LOADING       34
#define VMX_EXIT_REASON_MWAIT                   36
#define VMX_EXIT_REASON_MONITOR_TRAP_FLAG       37
#define VMX_EXIT_REASON_MONITOR                 39
#define VMX_EXIT_REASON_PAUSE                   40
#define VMX_EXIT_REASON_ENTRY_MACHINE_CHECK     41
#define VMX_EXIT_REASON_TPR_BELOW_THRESHOLD     43
#define VMX_EXIT_REASON_APIC_ACCESS             44
#define VMX_EXIT_REASON_VIRTUALIZED_EOI         45
#define VMX_EXIT_REASON_GDTR_IDTR_ACCESS        46
#define VMX_EXIT_REASON_LDTR_TR_ACCESS          47
#define VMX_EXIT_REASON_EPT_VIOLATION           48
#define VMX_EXIT_REASON_EPT_MISCONFIG           49
#define VMX_EXIT_REASON_INVEPT                  50
#define VMX_EXIT_REASON_RDTSCP                  51
#define VMX_EXIT_REASON_PREEMPTION_TIMER        52
#define VMX_EXIT_REASON_INVVPID                 53
#define VMX_EXIT_REASON_WBINVD                  54
#define VMX_EXIT_REASON_XSETBV                  55
#define VMX_EXIT_REASON_APIC_WRITE              56
#define VMX_EXIT_REASON_RDRAND                  57
#define VMX_EXIT_REASON_INVPCID                 58
#define VMX_EXIT_REASON_VMFUNC                  59
#define VMX_EXIT_REASON_ENCLS                   60
#define VMX_EXIT_REASON_RDSEED                  61
#define VMX_EXIT_REASON_PML_FULL                62
#define VMX_EXIT_REASON_XSAVES                  63
#define VMX_EXIT_REASON_XRSTORS                 64
#define VMX_EXIT_REASON_PCONFIG                 65
#define VMX_EXIT_REASON_SPP_EVENT               66
#define VMX_EXIT_REASON_UMWAIT                  67
#define VMX_EXIT_REASON_TPAUSE                  68
#define VMX_EXIT_REASON_LOADIWKEY               69
#define VMX_EXIT_REASON_ENCLV                   70
#define VMX_EXIT_REASON_SGX_CONFLICT            71
#define VMX_EXIT_REASON_ENQCMD_PASID_FAILURE    72
#define VMX_EXIT_REASON_ENQCMDS_PASID_FAILURE   73
#define VMX_EXIT_REASON_BUS_LOCK                74
#define VMX_EXIT_REASON_INSTRUCTION_TIMEOUT     75
#define VMX_EXIT_REASON_SEAMCALL                76
#define VMX_EXIT_REASON_TDCALL                  77
#define VMX_EXIT_REASON_RDMSRLIST               78
#define VMX_EXIT_REASON_WRMSRLIST               79
#define VMX_EXIT_REASON_MAX                     79
#define VMX_EXIT_REASON_COUNT                   (VMX_EXIT_REASON_MAX + 1)  /* dispatch table size */

/* ---- the exit-reason field (25.9.1, Table 25-17) --------------------------------------- */
#define VMX_EXIT_REASON_BASIC_MASK              0xFFFFu     /* bits 15:0 */
#define VMX_EXIT_REASON_ENCLAVE                 (1u << 27)  /* exit incident to enclave mode */
#define VMX_EXIT_REASON_PENDING_MTF             (1u << 28)  /* pending MTF VM exit */
#define VMX_EXIT_REASON_FROM_VMX_ROOT           (1u << 29)  /* exit from VMX root operation */
#define VMX_EXIT_REASON_ENTRY_FAILURE           (1u << 31)  /* VM-entry failure: check first */
#define VMX_EXIT_REASON_BASIC(field)            ((uint32_t)(field) & VMX_EXIT_REASON_BASIC_MASK)

/* The SDM's name of a basic exit reason ("CPUID", "EPT violation", "triple fault"), or
 * "unknown exit reason" for an unused or newer number. */
const char *vmx_exit_reason_name(uint32_t basic);

/* The whole exit-reason field, e.g. "EPT violation (48)" or
 * "VM-entry failure due to invalid guest state (33), VM-entry failure".
 * Returns what fmt_snprintf returns. */
int vmx_exit_reason_format(char *buf, size_t size, uint32_t exit_reason);

/* ---- exit qualifications (28.2.1) ------------------------------------------------------ */
/* Control-register accesses (Table 28-3) */
#define VMX_QUAL_CR_NUMBER(q)                   ((unsigned)(q) & 0xFu)          /* 3:0 */
#define VMX_QUAL_CR_ACCESS_TYPE(q)              (((unsigned)(q) >> 4) & 0x3u)   /* 5:4 */
#define VMX_QUAL_CR_MOV_TO_CR                   0u
#define VMX_QUAL_CR_MOV_FROM_CR                 1u
#define VMX_QUAL_CR_CLTS                        2u
#define VMX_QUAL_CR_LMSW                        3u
#define VMX_QUAL_CR_LMSW_MEMORY                 (1u << 6)   /* LMSW operand in memory */
#define VMX_QUAL_CR_GPR(q)                      (((unsigned)(q) >> 8) & 0xFu)   /* 11:8 */
#define VMX_QUAL_CR_LMSW_DATA(q)                (((unsigned)(q) >> 16) & 0xFFFFu)

/* MOV DR (Table 28-4) */
#define VMX_QUAL_DR_NUMBER(q)                   ((unsigned)(q) & 0x7u)          /* 2:0 */
#define VMX_QUAL_DR_FROM_DR                     (1u << 4)   /* 0: MOV to DR */
#define VMX_QUAL_DR_GPR(q)                      (((unsigned)(q) >> 8) & 0xFu)   /* 11:8 */

/* I/O instructions (Table 28-5) */
#define VMX_QUAL_IO_SIZE(q)                     ((unsigned)(q) & 0x7u) /* 0, 1, 3: 1, 2, 4 bytes */
#define VMX_QUAL_IO_IN                          (1u << 3)   /* 0: OUT */
#define VMX_QUAL_IO_STRING                      (1u << 4)
#define VMX_QUAL_IO_REP                         (1u << 5)
#define VMX_QUAL_IO_IMMEDIATE                   (1u << 6)   /* 0: port in DX */
#define VMX_QUAL_IO_PORT(q)                     (((unsigned)(q) >> 16) & 0xFFFFu)

/* EPT violations (Table 28-7) */
#define VMX_QUAL_EPT_READ                       (1u << 0)
#define VMX_QUAL_EPT_WRITE                      (1u << 1)
#define VMX_QUAL_EPT_FETCH                      (1u << 2)
#define VMX_QUAL_EPT_READABLE                   (1u << 3)   /* the EPT entries' bits, ANDed */
#define VMX_QUAL_EPT_WRITABLE                   (1u << 4)
#define VMX_QUAL_EPT_EXECUTABLE                 (1u << 5)   /* supervisor-mode with MBEC */
#define VMX_QUAL_EPT_USER_EXECUTABLE            (1u << 6)   /* MBEC only */
#define VMX_QUAL_EPT_LINEAR_VALID               (1u << 7)   /* guest-linear address field */
#define VMX_QUAL_EPT_TRANSLATION                (1u << 8)   /* with bit 7: 0 = paging walk */
#define VMX_QUAL_EPT_NMI_UNBLOCKING             (1u << 12)  /* NMI unblocking due to IRET */

/* The decoding alone, for control-register accesses, MOV DR, I/O instructions and EPT
 * violations, e.g. "MOV from CR3 to RAX", "IN byte from port 0x3f8 (DX)",
 * "read, EPT entry ---, linear-address translation"; "" (returning 0) for other reasons.
 * Returns what fmt_snprintf returns. */
int vmx_exit_qualification_decode(char *buf, size_t size, uint32_t basic_reason,
                                  uint64_t qualification);

/* One line for a report: "0x<qualification>: <decoding>", or "0x<qualification>" when the
 * reason has no decoding, e.g. "0x103: MOV from CR3 to RAX". */
int vmx_exit_qualification_format(char *buf, size_t size, uint32_t basic_reason,
                                  uint64_t qualification);

#endif
