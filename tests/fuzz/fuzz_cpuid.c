/* libFuzzer target for vcpu/cpuid_policy.c and vcpu/cpuid_lookup.c (SDM Vol. 2A CPUID, Vol. 1
 * 13.3): a host, the partition's facts and a run of guest CPUIDs, each answer checked against
 * the host's leaves and the policy's never-list. The guest controls EAX, ECX, CR4 and XCR0.
 *
 * Input: facts (u8 flags: bit 0 host OSXSAVE, 1 local APIC, 2 x2APIC, 3 TSC-deadline, 4 MTRR,
 * 5 SPEC_CTRL and PRED_CMD, 6 FLUSH_CMD and ARCH_CAPABILITIES, 7 XSS; u32 secondary controls,
 * u64 CR4 allowed, u64 XCR0 allowed, u64 TSC Hz, u8 physical bits), the host (u8 max basic,
 * u8 extended leaves, 16 pool entries of 4 u32 that answer every other leaf by a hash of the
 * leaf and subleaf), then queries of 21 bytes (u8 range, u32 leaf, u32 subleaf, u64 CR4, u32
 * XCR0) until the input ends. Also the CR4 bits the table lets the guest set, and the init
 * image's XCR0 components from the host's leaf 0xD areas (vcpu/xcr0.c). */
#include "tests/fuzz/fuzz_common.h"

#include "vcpu/cpuid_policy.h"
#include "vcpu/guest_abi.h"
#include "vcpu/xcr0.h"

#define POOL            16
#define BIT(n)          (1u << (n))
#define CR4_PKE         (1ull << 22)
#define XCR0_OFFERABLE  0x2E7ull

struct host {
    uint32_t max_basic, max_extended;
    struct cpuid_regs pool[POOL];
};

static struct cpuid_regs host_cpuid(void *ctx, uint32_t leaf, uint32_t subleaf)
{
    const struct host *h = ctx;
    if (leaf == 0)
        return (struct cpuid_regs){ h->max_basic, 0x756e6547, 0x6c65746e, 0x49656e69 };
    if (leaf == CPUID_EXT_FIRST)
        return (struct cpuid_regs){ h->max_extended, 0, 0, 0 };
    return h->pool[(leaf * 7u + subleaf * 13u + (leaf >> 28)) % POOL];
}

static void read_facts(struct fuzz_input *in, struct cpuid_partition_facts *f)
{
    uint8_t flags = fuzz_u8(in);
    *f = (struct cpuid_partition_facts){
        .host_osxsave = flags & BIT(0), .local_apic = flags & BIT(1), .x2apic = flags & BIT(2),
        .tsc_deadline = flags & BIT(3), .mtrr = flags & BIT(4), .spec_ctrl = flags & BIT(5),
        .pred_cmd = flags & BIT(5), .flush_cmd = flags & BIT(6),
        .arch_capabilities = flags & BIT(6), .xss = flags & BIT(7),
    };
    f->secondary_controls = fuzz_u32(in);
    f->cr4_allowed = fuzz_u64(in);
    f->xcr0_allowed = fuzz_u64(in);
    f->tsc_hz = fuzz_u64(in);
    f->guest_phys_bits = fuzz_u8(in);
}

static void read_host(struct fuzz_input *in, struct host *h)
{
    h->max_basic = fuzz_u8(in);
    h->max_extended = CPUID_EXT_FIRST + fuzz_u8(in);
    for (unsigned i = 0; i < POOL; i++)
        h->pool[i] = (struct cpuid_regs){ fuzz_u32(in), fuzz_u32(in), fuzz_u32(in), fuzz_u32(in) };
}

/* What the table says must hold whatever the host and the facts. */
static void check_table(const struct cpuid_table *t, struct host *h)
{
    FUZZ_CHECK(t->max_basic < CPUID_BASIC_LEAVES);
    FUZZ_CHECK(t->max_extended == 0 || (t->max_extended >= CPUID_EXT_FIRST &&
                                        t->max_extended < CPUID_EXT_FIRST + CPUID_EXT_LEAVES));
    FUZZ_CHECK((t->xcr0_supported & ~XCR0_OFFERABLE) == 0);
    if (t->xcr0_supported) {
        struct cpuid_regs d0 = host_cpuid(h, 0xD, 0);
        FUZZ_CHECK((t->xcr0_supported & ~(((uint64_t)d0.edx << 32) | d0.eax)) == 0);
        FUZZ_CHECK(xcr0_refusal(t->xcr0_supported, t->xcr0_supported) == 0);
    }
}

/* The CR4 bits the partition may set: within what VMX allows, PCE always, and never one
 * whose feature the table hides (PKE without PKU, OSXSAVE without XSAVE, VMXE, SMXE, LA57). */
static void check_cr4_allowed(const struct cpuid_table *t, uint64_t possible)
{
    uint64_t allowed = cpuid_policy_cr4_allowed(t, possible);
    FUZZ_CHECK((allowed & ~possible) == 0);
    FUZZ_CHECK(!(possible & BIT(8)) || (allowed & BIT(8)));
    FUZZ_CHECK((allowed & (BIT(12) | BIT(13) | BIT(14))) == 0);
    FUZZ_CHECK(!(allowed & CR4_PKE) || (t->leaf7[0].ecx & BIT(3)));
    FUZZ_CHECK(!(allowed & BIT(18)) || (t->basic[1].ecx & BIT(26)));
}

/* The init image's components: a value XCR0 accepts, within what the host supports, from
 * areas the host reports (offsets and sizes it could get wrong). */
static void check_reset_components(struct host *h)
{
    struct cpuid_regs d0 = host_cpuid(h, 0xD, 0);
    uint64_t supported = ((uint64_t)d0.edx << 32) | d0.eax;
    struct xsave_area areas[XCR0_COMPONENTS];
    for (unsigned i = 0; i < XCR0_COMPONENTS; i++) {
        struct cpuid_regs c = host_cpuid(h, 0xD, i);
        areas[i] = (struct xsave_area){ c.ebx, c.eax };
    }
    uint64_t reset = xcr0_reset_components(supported, areas, 4096);
    FUZZ_CHECK((reset & ~supported) == 0);
    FUZZ_CHECK(reset == (supported & XCR0_X87) || xcr0_refusal(reset, supported) == 0);
}

/* The guest's answer to a feature leaf has no bit the host lacks, and none of the never-list. */
static void check_answer(const struct cpuid_table *t, struct host *h, uint32_t leaf,
                         uint32_t subleaf, uint64_t cr4, struct cpuid_regs r)
{
    if (leaf >= CPUID_HV_FIRST && leaf <= CPUID_HV_LAST) {
        if (leaf == TESSERA_CPUID_LEAF_SIGNATURE)
            FUZZ_CHECK(r.ebx == TESSERA_CPUID_SIGNATURE_EBX);
        return;
    }
    if (leaf >= CPUID_EXT_FIRST && t->max_extended && leaf <= t->max_extended) {
        if (leaf == CPUID_EXT_FIRST + 1) {
            struct cpuid_regs hr = host_cpuid(h, leaf, 0);
            FUZZ_CHECK((r.ecx & ~hr.ecx) == 0 && (r.edx & ~hr.edx) == 0);
        }
        return;
    }
    if (leaf > t->max_basic)
        leaf = t->max_basic;
    struct cpuid_regs hr = host_cpuid(h, leaf, 0);     /* leaves 1 and 7.0 are read at ECX 0 */
    if (leaf == 1 && t->max_basic >= 1) {
        FUZZ_CHECK(r.ecx & BIT(31));
        FUZZ_CHECK((r.ecx & (BIT(3) | BIT(5) | BIT(6) | BIT(15))) == 0);    /* MONITOR VMX SMX PDCM */
        FUZZ_CHECK((r.edx & (BIT(7) | BIT(14) | BIT(28))) == 0);            /* MCE MCA HTT */
        FUZZ_CHECK((r.edx & ~hr.edx) == 0);
        FUZZ_CHECK(!(r.ecx & BIT(27)) || (r.ecx & BIT(26)));               /* OSXSAVE needs XSAVE */
        FUZZ_CHECK((r.ebx >> 16) == 1);
    }
    if (leaf == 7 && subleaf == 0) {
        FUZZ_CHECK((r.ebx & ~hr.ebx) == 0 && (r.edx & ~hr.edx) == 0);
        FUZZ_CHECK((r.ecx & ~BIT(4) & ~hr.ecx) == 0);
        FUZZ_CHECK((r.ecx & (BIT(5) | BIT(16))) == 0);                     /* WAITPKG LA57 */
        FUZZ_CHECK(!(r.ecx & BIT(4)) || ((r.ecx & BIT(3)) && (cr4 & CR4_PKE)));
    }
    if (leaf == 0xD && subleaf == 0 && t->xcr0_supported)
        FUZZ_CHECK(r.ebx >= 576 && r.ebx <= r.ecx);
    if (leaf == 0xA || leaf == 5)
        FUZZ_CHECK((r.eax | r.ebx | r.ecx | r.edx) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_input in = fuzz_input(data, size);
    struct cpuid_partition_facts facts;
    static struct host host;
    static struct cpuid_table table;

    read_facts(&in, &facts);
    read_host(&in, &host);
    cpuid_policy_build(&table, host_cpuid, &host, &facts);
    check_table(&table, &host);
    check_cr4_allowed(&table, facts.cr4_allowed);
    check_reset_components(&host);
    while (fuzz_left(&in) > 0) {
        uint8_t range = fuzz_u8(&in);
        uint32_t leaf = fuzz_u32(&in), subleaf = fuzz_u32(&in);
        uint64_t cr4 = fuzz_u64(&in);
        uint64_t xcr0 = fuzz_u32(&in);
        static const uint32_t bases[4] = { 0, CPUID_EXT_FIRST, CPUID_HV_FIRST, 0 };
        if ((range & 3) != 3)
            leaf = bases[range & 3] + (leaf & 0x3F);
        if (range & 4)
            subleaf &= 0xF;
        check_answer(&table, &host, leaf, subleaf, cr4,
                     cpuid_policy_lookup(&table, leaf, subleaf, cr4, xcr0 & table.xcr0_supported));
    }
    return 0;
}
