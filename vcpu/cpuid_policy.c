/* Builds a partition's CPUID table (Intel SDM Vol. 2A "CPUID" tables 3-8 and 3-17, Vol. 1 13.2
 * XSAVE enumeration, Vol. 3C 26.3 instructions that #UD without their VMX control): the host's
 * leaves with every feature bit kept only where the partition can use it. Bits are kept by
 * list, not hidden by list, so a feature this file does not know never reaches a guest. Pure. */
#include "vcpu/cpuid_policy.h"

#include "lib/string.h"
#include "vcpu/xcr0.h"
#include "vmx/vmx_controls.h"

#define BIT(n)  (1u << (n))

/* CR4 bits whose features CPUID reports (SDM Vol. 3A 2.5). */
#define CR4_BIT_VME         BIT(0)
#define CR4_BIT_DE          BIT(3)
#define CR4_BIT_PSE         BIT(4)
#define CR4_BIT_PAE         BIT(5)
#define CR4_BIT_PGE         BIT(7)
#define CR4_BIT_OSFXSR      BIT(9)
#define CR4_BIT_UMIP        BIT(11)
#define CR4_BIT_FSGSBASE    BIT(16)
#define CR4_BIT_PCIDE       BIT(17)
#define CR4_BIT_OSXSAVE     BIT(18)
#define CR4_BIT_SMEP        BIT(20)
#define CR4_BIT_SMAP        BIT(21)
#define CR4_BIT_PKE         BIT(22)

/* Leaf 1 ECX kept: SSE3 0, PCLMULQDQ 1, SSSE3 9, CX16 13, SSE4.1 19, SSE4.2 20, MOVBE 22,
 * POPCNT 23, AES 25, RDRAND 30 ("RDRAND exiting" is never used, so it runs natively). Added
 * below by condition: FMA 12, AVX 28, F16C 29 (AVX state), PCID 17, x2APIC 21, TSC-deadline 24,
 * XSAVE 26. Never: DTES64 2, MONITOR 3 (it exits), DS-CPL 4, VMX 5, SMX 6, EST 7, TM2 8,
 * CNXT-ID 10, SDBG 11, xTPR 14, PDCM 15 (no PERF_CAPABILITIES), DCA 18. */
#define L1_ECX_KEPT     (BIT(0) | BIT(1) | BIT(9) | BIT(13) | BIT(19) | BIT(20) | BIT(22) | \
                         BIT(23) | BIT(25) | BIT(30))
#define L1_ECX_FMA      BIT(12)
#define L1_ECX_PCID     BIT(17)
#define L1_ECX_X2APIC   BIT(21)
#define L1_ECX_DEADLINE BIT(24)
#define L1_ECX_XSAVE    BIT(26)
#define L1_ECX_AVX      BIT(28)
#define L1_ECX_F16C     BIT(29)
#define L1_ECX_HV       BIT(31)
/* Leaf 1 EDX kept: FPU 0, TSC 4, MSR 5, CX8 8, SEP 11, CMOV 15, PAT 16, PSE-36 17, CLFSH 19,
 * MMX 23, SSE 25, SSE2 26, SS 27. By condition: VME 1, DE 2, PSE 3, PAE 6, PGE 13, FXSR 24
 * (their CR4 bits), APIC 9, MTRR 12. Never: MCE 7 and MCA 14 (no machine-check MSRs), PSN 18,
 * DS 21, ACPI 22 (thermal MSRs), HTT 28 (one logical processor), TM 29, PBE 31. */
#define L1_EDX_KEPT     (BIT(0) | BIT(4) | BIT(5) | BIT(8) | BIT(11) | BIT(15) | BIT(16) | \
                         BIT(17) | BIT(19) | BIT(23) | BIT(25) | BIT(26) | BIT(27))
#define L1_EDX_APIC     BIT(9)
#define L1_EDX_MTRR     BIT(12)

/* Leaf 7.0 EBX kept: BMI1 3, HLE 4, FDP_EXCPTN_ONLY 6, BMI2 8, ERMS 9, RTM 11, FPU CS/DS
 * deprecation 13, RDSEED 18 (no "RDSEED exiting"), ADX 19, CLFLUSHOPT 23, CLWB 24, SHA 29.
 * By condition: FSGSBASE 0, SMEP 7, SMAP 20 (CR4), INVPCID 10 (its control), AVX2 5 and the
 * AVX-512 bits (their XCR0 state). Never: TSC_ADJUST 1, SGX 2, RDT-M 12, MPX 14, RDT-A 15,
 * PT 25. */
#define L7_EBX_KEPT     (BIT(3) | BIT(4) | BIT(6) | BIT(8) | BIT(9) | BIT(11) | BIT(13) | \
                         BIT(18) | BIT(19) | BIT(23) | BIT(24) | BIT(29))
#define L7_EBX_AVX2     BIT(5)
#define L7_EBX_AVX512   (BIT(16) | BIT(17) | BIT(21) | BIT(26) | BIT(27) | BIT(28) | BIT(30) | \
                         BIT(31))
/* Leaf 7.0 ECX kept: PREFETCHWT1 0, GFNI 8, CLDEMOTE 25, MOVDIRI 27, MOVDIR64B 28. By
 * condition: AVX512_VBMI 1, VBMI2 6, VNNI 11, BITALG 12, VPOPCNTDQ 14 (AVX-512 state), VAES 9,
 * VPCLMULQDQ 10 (AVX state), UMIP 2, PKU 3, OSPKE 4 (CR4.PKE at lookup), RDPID 22 ("enable
 * RDTSCP"). Never: WAITPKG 5 (no "enable user wait and pause", no UMWAIT_CONTROL), CET_SS 7,
 * TME 13, LA57 16, MAWAU 21:17, KL 23, BUS_LOCK_DETECT 24, ENQCMD 29, SGX_LC 30, PKS 31. */
#define L7_ECX_KEPT     (BIT(0) | BIT(8) | BIT(25) | BIT(27) | BIT(28))
#define L7_ECX_AVX512   (BIT(1) | BIT(6) | BIT(11) | BIT(12) | BIT(14))
#define L7_ECX_AVX      (BIT(9) | BIT(10))
#define L7_ECX_UMIP     BIT(2)
#define L7_ECX_PKU      BIT(3)
#define L7_ECX_RDPID    BIT(22)
/* Leaf 7.0 EDX kept: FSRM 4, MD_CLEAR 10, RTM_ALWAYS_ABORT 11, SERIALIZE 14, TSXLDTRK 16. By
 * condition: AVX512_4VNNIW 2, 4FMAPS 3, VP2INTERSECT 8, FP16 23 (AVX-512 state), IBRS/IBPB 26,
 * STIBP 27, SSBD 31 (SPEC_CTRL; IBPB also PRED_CMD), L1D_FLUSH 28 (FLUSH_CMD),
 * ARCH_CAPABILITIES 29. Never: UINTR 5, SRBDS_CTRL 9, TSX_FORCE_ABORT 13, hybrid 15, PCONFIG 18,
 * arch LBR 19, CET_IBT 20, AMX 22/24/25, CORE_CAPABILITIES 30. */
#define L7_EDX_KEPT     (BIT(4) | BIT(10) | BIT(11) | BIT(14) | BIT(16))
#define L7_EDX_AVX512   (BIT(2) | BIT(3) | BIT(8) | BIT(23))
#define L7_EDX_IBRS     BIT(26)
#define L7_EDX_STIBP    BIT(27)
#define L7_EDX_L1D      BIT(28)
#define L7_EDX_ARCHCAP  BIT(29)
#define L7_EDX_SSBD     BIT(31)
/* Leaf 7.1 EAX kept: fast zero-length MOVSB 10, fast short STOSB 11 and CMPSB 12; AVX-VNNI 4
 * (AVX state), AVX512_BF16 5 (AVX-512 state). The rest (HRESET, LAM, ...) never. */
#define L71_EAX_KEPT    (BIT(10) | BIT(11) | BIT(12))
#define L71_EAX_AVX     BIT(4)
#define L71_EAX_AVX512  BIT(5)

/* Leaf 0xD.1 EAX: XSAVEOPT 0, XSAVEC 1, XGETBV with ECX=1 2 kept; XSAVES 3 needs its control
 * and IA32_XSS; XFD 4 never (no XFD MSRs). */
#define LD1_EAX_KEPT    (BIT(0) | BIT(1) | BIT(2))
#define LD1_EAX_XSAVES  BIT(3)

/* 0x80000001 ECX: LAHF/SAHF 0, LZCNT 5, PREFETCHW 8. EDX: SYSCALL 11, NX 20, 1 GiB pages 26
 * (guest paging on the host's MMU), LM 29; RDTSCP 27 with its control. */
#define E1_ECX_KEPT     (BIT(0) | BIT(5) | BIT(8))
#define E1_EDX_KEPT     (BIT(11) | BIT(20) | BIT(26) | BIT(29))
#define E1_EDX_RDTSCP   BIT(27)
#define E7_EDX_INVARIANT_TSC BIT(8)
#define E8_EBX_WBNOINVD BIT(9)          /* exits as WBINVD does: a counted no-op */

#define L6_EAX_ARAT     BIT(2)          /* the virtual APIC timer runs in every C-state */
#define CACHE_TOPOLOGY_FIELDS 0xFFFFC000u   /* leaf 4 EAX 31:26 cores, 25:14 sharing threads */
#define TOPOLOGY_SMT    1u              /* leaf 0xB/0x1F level types (ECX 15:8) */
#define TOPOLOGY_CORE   2u
#define XCR0_PKRU       (1ull << 9)
/* The user components a partition can ever have (the table keeps subleaves 0..9): MPX needs
 * BNDCFGS switched, AMX the XFD MSRs, and the rest are supervisor state (IA32_XSS) or unknown. */
#define XCR0_OFFERABLE  (XCR0_X87 | XCR0_SSE | XCR0_AVX | XCR0_AVX512 | XCR0_PKRU)
#define HZ_PER_MHZ      1000000u

static uint32_t bit_if(bool condition, uint32_t bits)
{
    return condition ? bits : 0;
}

/* What the partition's XSAVE state may hold: components the host has and the hypervisor
 * allows, closed under the XCR0 rules (vcpu/xcr0.c) so every one of them can be enabled. */
static uint64_t usable_xcr0(uint64_t host, const struct cpuid_partition_facts *f, bool pku)
{
    uint64_t c = host & f->xcr0_allowed & XCR0_OFFERABLE;
    if (!pku)
        c &= ~XCR0_PKRU;
    if ((c & (XCR0_X87 | XCR0_SSE)) != (XCR0_X87 | XCR0_SSE))
        return 0;
    if (!(c & XCR0_AVX) || (c & XCR0_AVX512) != XCR0_AVX512)
        c &= ~XCR0_AVX512;
    return c;
}

static bool has_control(const struct cpuid_partition_facts *f, uint32_t control)
{
    return (f->secondary_controls & control) != 0;
}

static bool cr4_allows(const struct cpuid_partition_facts *f, uint32_t cr4_bit)
{
    return (f->cr4_allowed & cr4_bit) != 0;
}

/* What several leaves agree on, decided once from the host and the facts. */
struct policy {
    const struct cpuid_partition_facts *f;
    bool xsave, avx, avx512, pku;
    uint64_t xcr0;
};

static void leaf1(struct cpuid_regs *r, const struct policy *p)
{
    const struct cpuid_partition_facts *f = p->f;
    /* EBX: brand index and CLFLUSH line size kept; one logical processor, APIC ID 0. */
    r->ebx = (r->ebx & 0xFFFFu) | (1u << 16);
    r->ecx &= L1_ECX_KEPT | bit_if(p->avx, L1_ECX_FMA | L1_ECX_AVX | L1_ECX_F16C) |
              bit_if(cr4_allows(f, CR4_BIT_PCIDE), L1_ECX_PCID) |
              bit_if(f->x2apic, L1_ECX_X2APIC) | bit_if(f->tsc_deadline, L1_ECX_DEADLINE) |
              bit_if(p->xsave, L1_ECX_XSAVE);
    r->ecx |= L1_ECX_HV;
    r->edx &= L1_EDX_KEPT | bit_if(cr4_allows(f, CR4_BIT_VME), BIT(1)) |
              bit_if(cr4_allows(f, CR4_BIT_DE), BIT(2)) |
              bit_if(cr4_allows(f, CR4_BIT_PSE), BIT(3)) |
              bit_if(cr4_allows(f, CR4_BIT_PAE), BIT(6)) |
              bit_if(cr4_allows(f, CR4_BIT_PGE), BIT(13)) |
              bit_if(cr4_allows(f, CR4_BIT_OSFXSR), BIT(24)) |
              bit_if(f->local_apic, L1_EDX_APIC) | bit_if(f->mtrr, L1_EDX_MTRR);
}

static void leaf7(struct cpuid_regs *r0, struct cpuid_regs *r1, const struct policy *p)
{
    const struct cpuid_partition_facts *f = p->f;
    r0->eax = r0->eax ? 1 : 0;                      /* subleaves 0 and 1 */
    r0->ebx &= L7_EBX_KEPT | bit_if(cr4_allows(f, CR4_BIT_FSGSBASE), BIT(0)) |
               bit_if(cr4_allows(f, CR4_BIT_SMEP), BIT(7)) |
               bit_if(cr4_allows(f, CR4_BIT_SMAP), BIT(20)) |
               bit_if(has_control(f, VMX_PROC2_INVPCID), BIT(10)) |
               bit_if(p->avx, L7_EBX_AVX2) | bit_if(p->avx512, L7_EBX_AVX512);
    r0->ecx &= L7_ECX_KEPT | bit_if(p->avx512, L7_ECX_AVX512) | bit_if(p->avx, L7_ECX_AVX) |
               bit_if(cr4_allows(f, CR4_BIT_UMIP), L7_ECX_UMIP) | bit_if(p->pku, L7_ECX_PKU) |
               bit_if(has_control(f, VMX_PROC2_RDTSCP), L7_ECX_RDPID);
    r0->edx &= L7_EDX_KEPT | bit_if(p->avx512, L7_EDX_AVX512) |
               bit_if(f->spec_ctrl && f->pred_cmd, L7_EDX_IBRS) |
               bit_if(f->spec_ctrl, L7_EDX_STIBP | L7_EDX_SSBD) |
               bit_if(f->flush_cmd, L7_EDX_L1D) | bit_if(f->arch_capabilities, L7_EDX_ARCHCAP);
    if (!r0->eax) {
        *r1 = (struct cpuid_regs){ 0, 0, 0, 0 };
        return;
    }
    *r1 = (struct cpuid_regs){ r1->eax & (L71_EAX_KEPT | bit_if(p->avx, L71_EAX_AVX) |
                                          bit_if(p->avx512, L71_EAX_AVX512)), 0, 0, 0 };
}

/* Leaf 4: every cache level the host reports, as seen by one thread alone on its package. */
static void cache_leaf(struct cpuid_table *t, cpuid_host_fn host, void *ctx)
{
    for (uint32_t i = 0; i < CPUID_CACHE_SUBLEAVES; i++) {
        struct cpuid_regs r = host(ctx, 4, i);
        if (!(r.eax & 0x1Fu))                        /* type 0: no more caches */
            break;
        r.eax &= ~CACHE_TOPOLOGY_FIELDS;
        t->cache[i] = r;
    }
}

/* Leaf 0xD: the partition's components, with the host's offsets and sizes. EBX of subleaves 0
 * and 1 depends on the guest's XCR0 and is filled in at lookup. */
static void xsave_leaf(struct cpuid_table *t, cpuid_host_fn host, void *ctx, const struct policy *p)
{
    if (!p->xsave)
        return;
    for (uint32_t i = 2; i < CPUID_XSAVE_SUBLEAVES; i++)
        if (p->xcr0 & (1ull << i))
            t->xsave[i] = host(ctx, 0xD, i);
    t->xcr0_supported = p->xcr0;
    t->xsave[0] = (struct cpuid_regs){ (uint32_t)p->xcr0, 0, cpuid_xsave_size(t, p->xcr0),
                                       (uint32_t)(p->xcr0 >> 32) };
    bool xsaves = has_control(p->f, VMX_PROC2_XSAVES) && p->f->xss;
    t->xsave[1].eax = host(ctx, 0xD, 1).eax & (LD1_EAX_KEPT | bit_if(xsaves, LD1_EAX_XSAVES));
}

/* Leaf 0x15: TSC = crystal * EBX / EAX. The crystal is the TSC itself divided by the smallest
 * ratio that fits ECX's 32 bits (exact below 4.29 GHz, within ratio-1 Hz above). */
static void tsc_leaves(struct cpuid_table *t, uint64_t tsc_hz)
{
    if (!tsc_hz)
        return;
    uint64_t ratio = tsc_hz / 0x100000000ull + 1;
    t->basic[0x15] = (struct cpuid_regs){ 1, (uint32_t)ratio, (uint32_t)(tsc_hz / ratio), 0 };
    uint32_t mhz = (uint32_t)((tsc_hz + HZ_PER_MHZ / 2) / HZ_PER_MHZ);
    t->basic[0x16] = (struct cpuid_regs){ mhz & 0xFFFFu, mhz & 0xFFFFu, 0, 0 };
}

/* Leaves 0xB and 0x1F, subleaf 0: the SMT level of one logical processor, x2APIC ID 0. The
 * core level (subleaf 1) and the invalid ones are made at lookup. */
static void topology_leaf(struct cpuid_regs *r)
{
    *r = (struct cpuid_regs){ 0, 1, TOPOLOGY_SMT << 8, 0 };
}

static void extended_leaves(struct cpuid_table *t, cpuid_host_fn host, void *ctx,
                            const struct policy *p)
{
    uint32_t max = host(ctx, CPUID_EXT_FIRST, 0).eax;
    if (max < CPUID_EXT_FIRST)
        return;
    if (max > CPUID_EXT_FIRST + CPUID_EXT_LEAVES - 1)
        max = CPUID_EXT_FIRST + CPUID_EXT_LEAVES - 1;
    t->max_extended = max;
    for (uint32_t leaf = CPUID_EXT_FIRST + 1; leaf <= max; leaf++)
        t->extended[leaf - CPUID_EXT_FIRST] = host(ctx, leaf, 0);
    t->extended[0] = (struct cpuid_regs){ max, 0, 0, 0 };
    struct cpuid_regs *e1 = &t->extended[1], *e7 = &t->extended[7], *e8 = &t->extended[8];
    e1->eax = e1->ebx = 0;
    e1->ecx &= E1_ECX_KEPT;
    e1->edx &= E1_EDX_KEPT | bit_if(has_control(p->f, VMX_PROC2_RDTSCP), E1_EDX_RDTSCP);
    *e7 = (struct cpuid_regs){ 0, 0, 0, e7->edx & E7_EDX_INVARIANT_TSC };
    uint32_t phys = e8->eax & 0xFFu, bits = p->f->guest_phys_bits;
    if (bits && bits < phys)
        phys = bits;
    *e8 = (struct cpuid_regs){ (e8->eax & 0xFF00u) | phys, e8->ebx & E8_EBX_WBNOINVD, 0, 0 };
}

/* Leaves whose answer never depends on ECX or the guest: everything up to the maximum but
 * leaf 1 (OSXSAVE), 4, 7 (OSPKE and subleaves), 0xB, 0xD and 0x1F. */
static uint32_t direct_leaves(uint32_t max_basic)
{
    uint32_t upto = max_basic >= 31 ? 0xFFFFFFFFu : (2u << max_basic) - 1;
    return upto & ~(BIT(1) | BIT(4) | BIT(7) | BIT(0xB) | BIT(0xD) | BIT(0x1F));
}

/* The table's highest basic leaf: the host's, raised to 0x16 when the TSC frequency is known
 * (leaves 0x15 and 0x16 are the partition's own), at most the last directly indexed one. */
static uint32_t table_max_basic(uint32_t host_max, uint64_t tsc_hz)
{
    uint32_t max = tsc_hz && host_max < 0x16 ? 0x16 : host_max;
    return max < CPUID_BASIC_LEAVES ? max : CPUID_BASIC_LEAVES - 1;
}

void cpuid_policy_build(struct cpuid_table *out, cpuid_host_fn host, void *ctx,
                        const struct cpuid_partition_facts *facts)
{
    static const struct cpuid_regs none = { 0, 0, 0, 0 };
    memset(out, 0, sizeof(*out));
    struct cpuid_regs r0 = host(ctx, 0, 0);
    uint32_t host_max = r0.eax, max = table_max_basic(host_max, facts->tsc_hz);
    out->max_basic = max;
    out->basic[0] = (struct cpuid_regs){ max, r0.ebx, r0.ecx, r0.edx };

    /* Host leaves are read only up to the host's maximum: above it a CPU answers with its
     * highest leaf, which is no data about the leaf asked. */
    struct cpuid_regs l1 = host_max >= 1 ? host(ctx, 1, 0) : none;
    struct cpuid_regs l7 = host_max >= 7 ? host(ctx, 7, 0) : none;
    struct policy p = { .f = facts };
    p.xsave = (l1.ecx & L1_ECX_XSAVE) && facts->host_osxsave && host_max >= 0xD &&
              cr4_allows(facts, CR4_BIT_OSXSAVE);
    uint64_t host_xcr0 = 0;
    if (p.xsave) {
        struct cpuid_regs d0 = host(ctx, 0xD, 0);
        host_xcr0 = ((uint64_t)d0.edx << 32) | d0.eax;
    }
    p.pku = (l7.ecx & L7_ECX_PKU) && cr4_allows(facts, CR4_BIT_PKE);
    p.xcr0 = p.xsave ? usable_xcr0(host_xcr0, facts, p.pku) : 0;
    p.xsave = p.xcr0 != 0;
    p.avx = (l1.ecx & L1_ECX_AVX) && (p.xcr0 & XCR0_AVX);
    p.avx512 = p.avx && (p.xcr0 & XCR0_AVX512);
    p.pku = p.pku && (p.xcr0 & XCR0_PKRU);          /* PKRU must be XSAVE-managed state */

    if (max >= 1) {
        leaf1(&l1, &p);
        out->basic[1] = l1;
    }
    if (host_max >= 2)
        out->basic[2] = host(ctx, 2, 0);
    if (host_max >= 4)
        cache_leaf(out, host, ctx);
    if (max >= 6)
        out->basic[6] = (struct cpuid_regs){ L6_EAX_ARAT, 0, 0, 0 };
    if (host_max >= 7) {
        struct cpuid_regs l71 = l7.eax ? host(ctx, 7, 1) : none;
        leaf7(&l7, &l71, &p);
        out->leaf7[0] = l7;
        out->leaf7[1] = l71;
    }
    if (max >= 0xB)
        topology_leaf(&out->basic[0xB]);
    xsave_leaf(out, host, ctx, &p);
    tsc_leaves(out, facts->tsc_hz);
    if (max >= 0x1F)
        topology_leaf(&out->basic[0x1F]);
    out->basic[4] = out->cache[0];
    out->basic[7] = out->leaf7[0];
    out->basic[0xD] = out->xsave[0];
    out->direct = direct_leaves(max);
    extended_leaves(out, host, ctx, &p);
}
