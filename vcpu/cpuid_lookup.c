/* Answers a CPUID from a partition's table (Intel SDM Vol. 2A "CPUID": leaves above the maximum,
 * subleaf enumeration of leaves 4, 7, 0xB, 0xD and 0x1F; Vol. 1 13.4.3 XSAVE area layout):
 * a lookup plus the bits that follow the guest's CR4 and XCR0. Pure. */
#include "vcpu/cpuid_policy.h"

#include "vcpu/guest_abi.h"

#define CR4_OSXSAVE_BIT     (1ull << 18)
#define CR4_PKE_BIT         (1ull << 22)
#define L1_ECX_OSXSAVE      (1u << 27)
#define L1_ECX_XSAVE        (1u << 26)
#define L7_ECX_PKU          (1u << 3)
#define L7_ECX_OSPKE        (1u << 4)
#define LD1_EAX_XSAVEC      (1u << 1)
#define LD1_EAX_XSAVES      (1u << 3)
#define XSAVE_LEGACY_AND_HEADER 576u    /* 512-byte legacy area + 64-byte header */
#define XSAVE_ALIGN_64      (1u << 1)   /* leaf 0xD.i ECX bit 1: 64-byte aligned if compacted */
#define TOPOLOGY_CORE       2u

static const struct cpuid_regs zero_regs = { 0, 0, 0, 0 };

/* Sizes are summed in 64 bits and reported at most 0xFFFFFFFF: host offsets and sizes are
 * not trusted to add up. */
static uint32_t size_field(uint64_t size)
{
    return size > UINT32_MAX ? UINT32_MAX : (uint32_t)size;
}

uint32_t cpuid_xsave_size(const struct cpuid_table *t, uint64_t xcr0)
{
    uint64_t size = XSAVE_LEGACY_AND_HEADER;
    for (uint32_t i = 2; i < CPUID_XSAVE_SUBLEAVES; i++) {
        const struct cpuid_regs *c = &t->xsave[i];
        if ((xcr0 & (1ull << i)) && (uint64_t)c->ebx + c->eax > size)
            size = (uint64_t)c->ebx + c->eax;
    }
    return size_field(size);
}

/* The compacted size XSAVES writes for xcr0 (IA32_XSS is 0: no supervisor state is offered). */
static uint32_t xsave_compacted_size(const struct cpuid_table *t, uint64_t xcr0)
{
    uint64_t size = XSAVE_LEGACY_AND_HEADER;
    for (uint32_t i = 2; i < CPUID_XSAVE_SUBLEAVES; i++) {
        if (!(xcr0 & (1ull << i)))
            continue;
        if (t->xsave[i].ecx & XSAVE_ALIGN_64)
            size = (size + 63u) & ~63ull;
        size += t->xsave[i].eax;
    }
    return size_field(size);
}

static struct cpuid_regs hypervisor_leaf(uint32_t leaf)
{
    if (leaf == TESSERA_CPUID_LEAF_SIGNATURE)
        return (struct cpuid_regs){ TESSERA_CPUID_LEAF_MAX, TESSERA_CPUID_SIGNATURE_EBX,
                                    TESSERA_CPUID_SIGNATURE_ECX, TESSERA_CPUID_SIGNATURE_EDX };
    if (leaf == TESSERA_CPUID_LEAF_VERSION)
        return (struct cpuid_regs){ TESSERA_BOOT_VERSION, 0, 0, 0 };
    return zero_regs;
}

static struct cpuid_regs xsave_leaf(const struct cpuid_table *t, uint32_t subleaf, uint64_t xcr0)
{
    if (subleaf >= CPUID_XSAVE_SUBLEAVES)
        return zero_regs;
    struct cpuid_regs r = t->xsave[subleaf];
    xcr0 &= t->xcr0_supported;
    if (subleaf == 0 && t->xcr0_supported)
        r.ebx = cpuid_xsave_size(t, xcr0);
    /* The compacted size, as hardware reports it whenever compaction exists: XSAVEC uses it
     * too (Linux sizes its buffers from it when XSAVEC is offered without XSAVES). */
    if (subleaf == 1 && (r.eax & (LD1_EAX_XSAVES | LD1_EAX_XSAVEC)))
        r.ebx = xsave_compacted_size(t, xcr0);
    return r;
}

/* Leaves 0xB and 0x1F: level 0 the thread, level 1 the core, each with one logical processor
 * and x2APIC ID 0; from level 2 on, the invalid level (type 0, ECX[7:0] the subleaf). */
static struct cpuid_regs topology_leaf(const struct cpuid_table *t, uint32_t leaf, uint32_t subleaf)
{
    if (subleaf == 0)
        return t->basic[leaf];
    if (subleaf == 1)
        return (struct cpuid_regs){ 0, 1, 1 | (TOPOLOGY_CORE << 8), 0 };
    return (struct cpuid_regs){ 0, 0, subleaf & 0xFFu, 0 };
}

static struct cpuid_regs basic_leaf(const struct cpuid_table *t, uint32_t leaf, uint32_t subleaf,
                                    uint64_t guest_cr4, uint64_t guest_xcr0)
{
    struct cpuid_regs r;
    switch (leaf) {
    case 1:
        r = t->basic[1];
        if ((r.ecx & L1_ECX_XSAVE) && (guest_cr4 & CR4_OSXSAVE_BIT))
            r.ecx |= L1_ECX_OSXSAVE;
        return r;
    case 4:
        return subleaf < CPUID_CACHE_SUBLEAVES ? t->cache[subleaf] : zero_regs;
    case 7:
        if (subleaf >= CPUID_LEAF7_SUBLEAVES)
            return zero_regs;
        r = t->leaf7[subleaf];
        if (subleaf == 0 && (r.ecx & L7_ECX_PKU) && (guest_cr4 & CR4_PKE_BIT))
            r.ecx |= L7_ECX_OSPKE;
        return r;
    case 0xB:
    case 0x1F:
        return topology_leaf(t, leaf, subleaf);
    case 0xD:
        return xsave_leaf(t, subleaf, guest_xcr0);
    default:
        return t->basic[leaf];
    }
}

struct cpuid_regs cpuid_policy_lookup(const struct cpuid_table *t, uint32_t leaf,
                                      uint32_t subleaf, uint64_t guest_cr4, uint64_t guest_xcr0)
{
    if (leaf >= CPUID_HV_FIRST && leaf <= CPUID_HV_LAST)
        return hypervisor_leaf(leaf);
    if (leaf >= CPUID_EXT_FIRST && t->max_extended && leaf <= t->max_extended)
        return t->extended[leaf - CPUID_EXT_FIRST];
    if (leaf > t->max_basic)
        leaf = t->max_basic;        /* SDM: out of range answers as the highest basic leaf */
    return basic_leaf(t, leaf, subleaf, guest_cr4, guest_xcr0);
}

/* Each CR4 bit and the CPUID flag that enumerates it (SDM Vol. 3A 2.5 and Vol. 2A CPUID);
 * CR4.PCE (bit 8) has none and is always there. */
enum cpuid_flag_reg { L1_ECX, L1_EDX, L7_EBX, L7_ECX, L7_EDX };

static const struct cr4_flag {
    uint8_t cr4_bit;
    uint8_t reg;
    uint8_t flag_bit;
} cr4_flags[] = {
    { 0, L1_EDX, 1 },   /* VME: VME */
    { 1, L1_EDX, 1 },   /* PVI: VME */
    { 2, L1_EDX, 4 },   /* TSD: TSC */
    { 3, L1_EDX, 2 },   /* DE */
    { 4, L1_EDX, 3 },   /* PSE */
    { 5, L1_EDX, 6 },   /* PAE */
    { 6, L1_EDX, 7 },   /* MCE */
    { 7, L1_EDX, 13 },  /* PGE */
    { 9, L1_EDX, 24 },  /* OSFXSR: FXSR */
    { 10, L1_EDX, 25 }, /* OSXMMEXCPT: SSE */
    { 11, L7_ECX, 2 },  /* UMIP */
    { 12, L7_ECX, 16 }, /* LA57 */
    { 13, L1_ECX, 5 },  /* VMXE: VMX */
    { 14, L1_ECX, 6 },  /* SMXE: SMX */
    { 16, L7_EBX, 0 },  /* FSGSBASE */
    { 17, L1_ECX, 17 }, /* PCIDE: PCID */
    { 18, L1_ECX, 26 }, /* OSXSAVE: XSAVE */
    { 19, L7_ECX, 23 }, /* KL: Key Locker */
    { 20, L7_EBX, 7 },  /* SMEP */
    { 21, L7_EBX, 20 }, /* SMAP */
    { 22, L7_ECX, 3 },  /* PKE: PKU */
    { 23, L7_ECX, 7 },  /* CET: CET_SS (IBT, leaf 7 EDX 20, below) */
    { 23, L7_EDX, 20 },
    { 24, L7_ECX, 31 }, /* PKS */
    { 25, L7_EDX, 5 },  /* UINTR */
};

#define CR4_PCE_BIT         (1ull << 8)

uint64_t cpuid_policy_cr4_allowed(const struct cpuid_table *t, uint64_t cr4_possible)
{
    const uint32_t regs[] = {
        [L1_ECX] = t->basic[1].ecx, [L1_EDX] = t->basic[1].edx,
        [L7_EBX] = t->leaf7[0].ebx, [L7_ECX] = t->leaf7[0].ecx, [L7_EDX] = t->leaf7[0].edx,
    };
    uint64_t enumerated = CR4_PCE_BIT;
    for (unsigned i = 0; i < sizeof(cr4_flags) / sizeof(cr4_flags[0]); i++)
        if (regs[cr4_flags[i].reg] & (1u << cr4_flags[i].flag_bit))
            enumerated |= 1ull << cr4_flags[i].cr4_bit;
    return cr4_possible & enumerated;
}
