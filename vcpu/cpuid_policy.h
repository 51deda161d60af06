/* The CPUID a partition sees (Intel SDM Vol. 2A "CPUID", Vol. 1 13.4 XSAVE area, Vol. 3C 26.3
 * instructions that #UD without their VMX control): one table per vCPU, built once per start
 * from the host's leaves and what the partition really has, then looked up on every CPUID
 * exit with the few bits that follow the guest's CR4 and XCR0. docs/CPUID.md lists every leaf.
 * Pure. */
#ifndef VCPU_CPUID_POLICY_H
#define VCPU_CPUID_POLICY_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/x86/cpu.h"

#define CPUID_BASIC_LEAVES      0x20u   /* leaves 0..0x1F, indexed directly */
#define CPUID_EXT_FIRST         0x80000000u
#define CPUID_EXT_LEAVES        9u      /* 0x80000000..0x80000008 */
#define CPUID_CACHE_SUBLEAVES   8u      /* leaf 4: cache levels kept */
#define CPUID_LEAF7_SUBLEAVES   2u      /* leaf 7: subleaves 0 and 1 */
#define CPUID_XSAVE_SUBLEAVES   10u     /* leaf 0xD: components 0..9 (x87 .. PKRU) */
#define CPUID_HV_FIRST          0x40000000u
#define CPUID_HV_LAST           0x4FFFFFFFu

/* What the partition has beyond the host CPU: each feature is advertised only when the host
 * has it and the fact says it works in this partition. */
struct cpuid_partition_facts {
    uint32_t secondary_controls;    /* negotiated VMX_PROC2_* (RDTSCP, INVPCID, XSAVES...) */
    uint64_t cr4_allowed;           /* CR4 bits a guest may set (VMX fixed-1 bits, no VMXE) */
    uint64_t xcr0_allowed;          /* XCR0 components the hypervisor lets a guest enable */
    bool host_osxsave;              /* the host runs with CR4.OSXSAVE: XSETBV can be emulated */
    uint64_t tsc_hz;                /* the partition's TSC frequency; 0: unknown */
    unsigned guest_phys_bits;       /* physical-address bits EPT maps; 0: the host's */
    /* Emulated devices and MSRs: a virtual local APIC (xAPIC page), its x2APIC MSRs, its
     * TSC-deadline MSR, the MTRR MSRs. */
    bool local_apic, x2apic, tsc_deadline, mtrr;
    /* MSRs the guest reaches (granted or emulated): IA32_SPEC_CTRL read and write,
     * IA32_PRED_CMD and IA32_FLUSH_CMD write, IA32_ARCH_CAPABILITIES read, IA32_XSS both. */
    bool spec_ctrl, pred_cmd, flush_cmd, arch_capabilities, xss;
};

/* The host's CPUID, as the builder reads it: the instruction in the hypervisor, a fixture in
 * the tests. */
typedef struct cpuid_regs (*cpuid_host_fn)(void *ctx, uint32_t leaf, uint32_t subleaf);

struct cpuid_table {
    struct cpuid_regs basic[CPUID_BASIC_LEAVES];    /* subleaf 0 of each basic leaf */
    uint32_t direct;            /* bit n: leaf n's answer is basic[n] whatever ECX and the guest */
    uint32_t max_basic, max_extended;
    uint64_t xcr0_supported;    /* leaf 0xD.0 EDX:EAX: what XSETBV may enable */
    struct cpuid_regs cache[CPUID_CACHE_SUBLEAVES];
    struct cpuid_regs leaf7[CPUID_LEAF7_SUBLEAVES];
    struct cpuid_regs xsave[CPUID_XSAVE_SUBLEAVES];
    struct cpuid_regs extended[CPUID_EXT_LEAVES];
};

/* Fills *out from the host (read through host(ctx, leaf, subleaf)) and the facts; every
 * feature bit not both on the host and allowed by the policy is 0. */
void cpuid_policy_build(struct cpuid_table *out, cpuid_host_fn host, void *ctx,
                        const struct cpuid_partition_facts *facts);

/* The partition's answer to CPUID(leaf, subleaf) with the guest's CR4 and XCR0 now (CR4.OSXSAVE
 * and CR4.PKE show in leaves 1 and 7, XCR0 sizes leaf 0xD). Leaves above the basic or extended
 * maximum answer as the highest basic leaf, as Intel CPUs do; 0x40000000-0x4FFFFFFF answer
 * tessera's own leaves (vcpu/guest_abi.h) or zeros. */
struct cpuid_regs cpuid_policy_lookup(const struct cpuid_table *t, uint32_t leaf,
                                      uint32_t subleaf, uint64_t guest_cr4, uint64_t guest_xcr0);

/* The CR4 bits of cr4_possible (what VMX lets the guest set) whose feature the table
 * enumerates: each other bit is reserved for the partition, and setting it is #GP, as on a
 * CPU without the feature. A feature CPUID hides then cannot be used behind its back (CR4.PKE
 * with PKU hidden let a guest WRPKRU; CR4.KL would load a Key Locker key into the CPU). */
uint64_t cpuid_policy_cr4_allowed(const struct cpuid_table *t, uint64_t cr4_possible);

/* Bytes of a standard-format XSAVE area for the components in xcr0 (at least the 576-byte
 * legacy area and header), from the table's component offsets and sizes. */
uint32_t cpuid_xsave_size(const struct cpuid_table *t, uint64_t xcr0);

#endif
