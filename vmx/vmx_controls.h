/* Named bits of the five VMX control fields (Intel SDM Vol. 3C, 25.6.1, 25.6.2, 25.7.1, 25.8.1;
 * 24.x in editions before 2023) and their default1 classes (Appendix A.3-A.5). Defines only. */
#ifndef VMX_VMX_CONTROLS_H
#define VMX_VMX_CONTROLS_H

/* ---- pin-based VM-execution controls (25.6.1) --------------------------------------- */
#define VMX_PIN_EXTERNAL_INTERRUPT_EXITING      (1u << 0)
#define VMX_PIN_NMI_EXITING                     (1u << 3)
#define VMX_PIN_VIRTUAL_NMIS                    (1u << 5)
#define VMX_PIN_PREEMPTION_TIMER                (1u << 6)
#define VMX_PIN_POSTED_INTERRUPTS               (1u << 7)

/* A.3.1: bits 1, 2 and 4 are reserved and default to 1. */
#define VMX_PIN_DEFAULT1    ((1u << 1) | (1u << 2) | (1u << 4))

/* ---- primary processor-based VM-execution controls (25.6.2) ------------------------- */
#define VMX_PROC_INTERRUPT_WINDOW_EXITING       (1u << 2)
#define VMX_PROC_TSC_OFFSETTING                 (1u << 3)
#define VMX_PROC_HLT_EXITING                    (1u << 7)
#define VMX_PROC_INVLPG_EXITING                 (1u << 9)
#define VMX_PROC_MWAIT_EXITING                  (1u << 10)
#define VMX_PROC_RDPMC_EXITING                  (1u << 11)
#define VMX_PROC_RDTSC_EXITING                  (1u << 12)
#define VMX_PROC_CR3_LOAD_EXITING               (1u << 15)
#define VMX_PROC_CR3_STORE_EXITING              (1u << 16)
#define VMX_PROC_TERTIARY_CONTROLS              (1u << 17)
#define VMX_PROC_CR8_LOAD_EXITING               (1u << 19)
#define VMX_PROC_CR8_STORE_EXITING              (1u << 20)
#define VMX_PROC_TPR_SHADOW                     (1u << 21)
#define VMX_PROC_NMI_WINDOW_EXITING             (1u << 22)
#define VMX_PROC_MOV_DR_EXITING                 (1u << 23)
#define VMX_PROC_UNCONDITIONAL_IO_EXITING       (1u << 24)
#define VMX_PROC_IO_BITMAPS                     (1u << 25)
#define VMX_PROC_MONITOR_TRAP_FLAG              (1u << 27)
#define VMX_PROC_MSR_BITMAPS                    (1u << 28)
#define VMX_PROC_MONITOR_EXITING                (1u << 29)
#define VMX_PROC_PAUSE_EXITING                  (1u << 30)
#define VMX_PROC_SECONDARY_CONTROLS             (1u << 31)

/* A.3.2: bits 1, 4-6, 8, 13-16 and 26 default to 1 (15 and 16 are the CR3 exits). */
#define VMX_PROC_DEFAULT1   ((1u << 1) | (1u << 4) | (1u << 5) | (1u << 6) | (1u << 8) | \
                             (1u << 13) | (1u << 14) | (1u << 15) | (1u << 16) | (1u << 26))

/* ---- secondary processor-based VM-execution controls (25.6.2) ----------------------- */
#define VMX_PROC2_VIRTUALIZE_APIC_ACCESSES      (1u << 0)
#define VMX_PROC2_EPT                           (1u << 1)
#define VMX_PROC2_DESCRIPTOR_TABLE_EXITING      (1u << 2)
#define VMX_PROC2_RDTSCP                        (1u << 3)
#define VMX_PROC2_VIRTUALIZE_X2APIC             (1u << 4)
#define VMX_PROC2_VPID                          (1u << 5)
#define VMX_PROC2_WBINVD_EXITING                (1u << 6)
#define VMX_PROC2_UNRESTRICTED_GUEST            (1u << 7)
#define VMX_PROC2_APIC_REGISTER_VIRTUALIZATION  (1u << 8)
#define VMX_PROC2_VIRTUAL_INTERRUPT_DELIVERY    (1u << 9)
#define VMX_PROC2_PAUSE_LOOP_EXITING            (1u << 10)
#define VMX_PROC2_RDRAND_EXITING                (1u << 11)
#define VMX_PROC2_INVPCID                       (1u << 12)
#define VMX_PROC2_VM_FUNCTIONS                  (1u << 13)
#define VMX_PROC2_VMCS_SHADOWING                (1u << 14)
#define VMX_PROC2_ENCLS_EXITING                 (1u << 15)
#define VMX_PROC2_RDSEED_EXITING                (1u << 16)
#define VMX_PROC2_PML                           (1u << 17)
#define VMX_PROC2_EPT_VIOLATION_VE              (1u << 18)
#define VMX_PROC2_CONCEAL_VMX_FROM_PT           (1u << 19)
#define VMX_PROC2_XSAVES                        (1u << 20)
#define VMX_PROC2_PASID_TRANSLATION             (1u << 21)
#define VMX_PROC2_MODE_BASED_EXECUTE            (1u << 22)
#define VMX_PROC2_SUBPAGE_WRITE                 (1u << 23)
#define VMX_PROC2_PT_GUEST_PHYSICAL             (1u << 24)
#define VMX_PROC2_TSC_SCALING                   (1u << 25)
#define VMX_PROC2_USER_WAIT_PAUSE               (1u << 26)
#define VMX_PROC2_PCONFIG                       (1u << 27)
#define VMX_PROC2_ENCLV_EXITING                 (1u << 28)
#define VMX_PROC2_BUS_LOCK_DETECTION            (1u << 30)
#define VMX_PROC2_INSTRUCTION_TIMEOUT           (1u << 31)

/* A.3.3: no default1 class; every reserved bit is 0. */
#define VMX_PROC2_DEFAULT1  0u

/* ---- primary VM-exit controls (25.7.1) ---------------------------------------------- */
#define VMX_EXIT_SAVE_DEBUG_CONTROLS            (1u << 2)
#define VMX_EXIT_HOST_ADDRESS_SPACE_SIZE        (1u << 9)
#define VMX_EXIT_LOAD_PERF_GLOBAL_CTRL          (1u << 12)
#define VMX_EXIT_ACK_INTERRUPT_ON_EXIT          (1u << 15)
#define VMX_EXIT_SAVE_PAT                       (1u << 18)
#define VMX_EXIT_LOAD_PAT                       (1u << 19)
#define VMX_EXIT_SAVE_EFER                      (1u << 20)
#define VMX_EXIT_LOAD_EFER                      (1u << 21)
#define VMX_EXIT_SAVE_PREEMPTION_TIMER          (1u << 22)
#define VMX_EXIT_CLEAR_BNDCFGS                  (1u << 23)
#define VMX_EXIT_CONCEAL_VMX_FROM_PT            (1u << 24)
#define VMX_EXIT_CLEAR_RTIT_CTL                 (1u << 25)
#define VMX_EXIT_CLEAR_LBR_CTL                  (1u << 26)
#define VMX_EXIT_CLEAR_UINV                     (1u << 27)
#define VMX_EXIT_LOAD_CET_STATE                 (1u << 28)
#define VMX_EXIT_LOAD_PKRS                      (1u << 29)
#define VMX_EXIT_SAVE_PERF_GLOBAL_CTL           (1u << 30)
#define VMX_EXIT_SECONDARY_CONTROLS             (1u << 31)

/* A.4: bits 0-8, 10, 11, 13, 14, 16 and 17 default to 1 (2 is "save debug controls"). */
#define VMX_EXIT_DEFAULT1   (0x1FFu | (1u << 10) | (1u << 11) | (1u << 13) | (1u << 14) | \
                             (1u << 16) | (1u << 17))

/* ---- VM-entry controls (25.8.1) ----------------------------------------------------- */
#define VMX_ENTRY_LOAD_DEBUG_CONTROLS           (1u << 2)
#define VMX_ENTRY_IA32E_MODE_GUEST              (1u << 9)
#define VMX_ENTRY_TO_SMM                        (1u << 10)
#define VMX_ENTRY_DEACTIVATE_DUAL_MONITOR       (1u << 11)
#define VMX_ENTRY_LOAD_PERF_GLOBAL_CTRL         (1u << 13)
#define VMX_ENTRY_LOAD_PAT                      (1u << 14)
#define VMX_ENTRY_LOAD_EFER                     (1u << 15)
#define VMX_ENTRY_LOAD_BNDCFGS                  (1u << 16)
#define VMX_ENTRY_CONCEAL_VMX_FROM_PT           (1u << 17)
#define VMX_ENTRY_LOAD_RTIT_CTL                 (1u << 18)
#define VMX_ENTRY_LOAD_UINV                     (1u << 19)
#define VMX_ENTRY_LOAD_CET_STATE                (1u << 20)
#define VMX_ENTRY_LOAD_LBR_CTL                  (1u << 21)
#define VMX_ENTRY_LOAD_PKRS                     (1u << 22)

/* A.5: bits 0-8 and 12 default to 1 (2 is "load debug controls"). */
#define VMX_ENTRY_DEFAULT1  (0x1FFu | (1u << 12))

#endif
