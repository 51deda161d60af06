/* Host unit tests for vcpu/cpuid_policy.c and vcpu/cpuid_lookup.c (SDM Vol. 2A CPUID, Vol. 1
 * 13.4): the partition's CPUID built from the leaves of three Bochs models (measured) and of a
 * nested-KVM guest (derived), tests/unit/fixtures/cpuid/, with each fixture's VMX capability
 * MSRs (tests/unit/fixtures/vmx/) for the CR4 bits and secondary controls a guest gets. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "vcpu/cpuid_policy.h"
#include "vcpu/guest_abi.h"
#include "vcpu/xcr0.h"
#include "vmx/vmx_controls.h"

#define FIXTURE_DIR     "tests/unit/fixtures"
#define HOST_LEAVES_MAX 128
#define CR4_VMXE        (1ull << 13)
#define CR4_OSXSAVE     (1ull << 18)
#define CR4_PKE         (1ull << 22)
#define XCR0_PKRU       (1ull << 9)
/* The secondary controls vmx/caps_policy.c takes when offered (required and optional). */
#define PROC2_WANTED    (VMX_PROC2_EPT | VMX_PROC2_RDTSCP | VMX_PROC2_UNRESTRICTED_GUEST | \
                         VMX_PROC2_VPID | VMX_PROC2_INVPCID | VMX_PROC2_XSAVES)
#define XCR0_TESSERA    (XCR0_X87 | XCR0_SSE | XCR0_AVX | XCR0_AVX512)

/* ---- a host: the fixture's leaves, answered as a CPU answers -------------------------------- */

struct host_leaf {
    uint32_t leaf, subleaf;
    struct cpuid_regs r;
};

struct host {
    const char *name;
    struct host_leaf leaves[HOST_LEAVES_MAX];
    unsigned count;
    uint64_t cr4_fixed1;            /* IA32_VMX_CR4_FIXED1 */
    uint32_t secondary_allowed1;    /* IA32_VMX_PROCBASED_CTLS2 bits 63:32 */
};

static const char *const fixture_names[] = {
    "bochs-corei7_skylake_x", "bochs-corei7_icelake_u", "bochs-tigerlake", "nested-kvm-icelake-sp",
};
#define FIXTURES (sizeof(fixture_names) / sizeof(fixture_names[0]))

static FILE *open_fixture(const char *kind, const char *name, char *path, size_t size)
{
    snprintf(path, size, "%s/%s/%s.txt", FIXTURE_DIR, kind, name);
    FILE *f = fopen(path, "r");
    if (!f)
        fail_msg("cannot open %s: run the unit tests from the repository root", path);
    return f;
}

static void load_host(struct host *h, const char *name)
{
    char path[256], line[256];
    memset(h, 0, sizeof(*h));
    h->name = name;
    FILE *f = open_fixture("cpuid", name, path, sizeof(path));
    while (fgets(line, sizeof(line), f)) {
        struct host_leaf l;
        if (line[0] == '#' || line[0] == '\n')
            continue;
        if (sscanf(line, "cpuid %x.%u %x %x %x %x", &l.leaf, &l.subleaf, &l.r.eax, &l.r.ebx,
                   &l.r.ecx, &l.r.edx) != 6 || h->count == HOST_LEAVES_MAX)
            fail_msg("%s: cannot take \"%s\"", path, line);
        h->leaves[h->count++] = l;
    }
    fclose(f);
    f = open_fixture("vmx", name, path, sizeof(path));
    while (fgets(line, sizeof(line), f)) {
        unsigned msr;
        unsigned long long value;
        if (sscanf(line, "msr %x = %llx", &msr, &value) != 2)
            continue;
        if (msr == 0x489)
            h->cr4_fixed1 = value;
        if (msr == 0x48b)
            h->secondary_allowed1 = (uint32_t)(value >> 32);
    }
    fclose(f);
    assert_true(h->cr4_fixed1 && h->secondary_allowed1);
}

static const struct cpuid_regs *find_leaf(const struct host *h, uint32_t leaf, uint32_t subleaf)
{
    for (unsigned i = 0; i < h->count; i++)
        if (h->leaves[i].leaf == leaf && h->leaves[i].subleaf == subleaf)
            return &h->leaves[i].r;
    return 0;
}

/* A leaf above the host's maximum answers as its highest basic leaf; any other leaf the builder
 * asks for must be in the fixture, or the test fails (so a fixture covers every read). */
static struct cpuid_regs fixture_cpuid(void *ctx, uint32_t leaf, uint32_t subleaf)
{
    const struct host *h = ctx;
    uint32_t max = find_leaf(h, 0, 0)->eax;
    if (leaf > max && leaf < CPUID_EXT_FIRST)
        return *find_leaf(h, max, 0);
    const struct cpuid_regs *r = find_leaf(h, leaf, subleaf);
    if (!r)
        fail_msg("%s: the builder read leaf 0x%x.%u, not in the fixture", h->name, leaf, subleaf);
    return *r;
}

static struct cpuid_regs host_leaf(const struct host *h, uint32_t leaf, uint32_t subleaf)
{
    return fixture_cpuid((void *)h, leaf, subleaf);
}

/* What tessera gives a partition without devices or MSR grants on this machine. */
static struct cpuid_partition_facts plain_facts(const struct host *h)
{
    return (struct cpuid_partition_facts){
        .secondary_controls = h->secondary_allowed1 & PROC2_WANTED,
        .cr4_allowed = h->cr4_fixed1 & ~CR4_VMXE,
        .xcr0_allowed = XCR0_TESSERA,
        .host_osxsave = true,
        .guest_phys_bits = 48,
    };
}

static struct cpuid_table table;
static struct host host;

static void build(const struct cpuid_partition_facts *f)
{
    cpuid_policy_build(&table, fixture_cpuid, &host, f);
}

static struct cpuid_regs ask(uint32_t leaf, uint32_t subleaf)
{
    return cpuid_policy_lookup(&table, leaf, subleaf, 0, XCR0_X87);
}

static void assert_regs_equal(struct cpuid_regs a, struct cpuid_regs b)
{
    assert_memory_equal(&a, &b, sizeof(a));
}

static void assert_zero(struct cpuid_regs r, uint32_t leaf)
{
    if (r.eax | r.ebx | r.ecx | r.edx)
        fail_msg("%s: leaf 0x%x not empty: %08x %08x %08x %08x", host.name, leaf, r.eax, r.ebx,
                 r.ecx, r.edx);
}

#define BIT(n)  (1u << (n))
#define FOR_EACH_FIXTURE(f)                                                         \
    for (unsigned fx_ = 0; fx_ < FIXTURES; fx_++)                                   \
        for (int once_ = (load_host(&host, fixture_names[fx_]), 1); once_; once_ = 0) \
            for (struct cpuid_partition_facts f = plain_facts(&host); once_; once_ = 0)

/* ---- leaf 0 and 1 ------------------------------------------------------------------------ */

static void test_leaf1_identity_and_hidden_features(void **state)
{
    (void)state;
    FOR_EACH_FIXTURE(f) {
        build(&f);
        struct cpuid_regs h0 = host_leaf(&host, 0, 0), h1 = host_leaf(&host, 1, 0);
        struct cpuid_regs r0 = ask(0, 0), r1 = ask(1, 0);
        assert_int_equal(r0.eax, h0.eax);                   /* every host maximum is <= 0x1F */
        assert_int_equal(r0.ebx, h0.ebx);
        assert_int_equal(r1.eax, h1.eax);
        /* APIC ID 0, one logical processor, the host's CLFLUSH size and brand index. */
        assert_int_equal(r1.ebx, (h1.ebx & 0xFFFFu) | 0x10000u);
        assert_int_equal(r1.ecx & BIT(31), BIT(31));        /* hypervisor */
        /* DTES64 MONITOR DS-CPL VMX SMX EST TM2 CNXT-ID SDBG xTPR PDCM DCA x2APIC TSC-deadline
         * and OSXSAVE with the guest's CR4.OSXSAVE clear. */
        assert_int_equal(r1.ecx & (BIT(2) | BIT(3) | BIT(4) | BIT(5) | BIT(6) | BIT(7) | BIT(8) | BIT(10) | BIT(11) | BIT(14) | BIT(15) | BIT(18) | BIT(21) | BIT(24) | BIT(27)), 0);
        /* MCE MTRR MCA PSN DS ACPI HTT TM PBE, and APIC: no virtual local APIC. */
        assert_int_equal(r1.edx & (BIT(7) | BIT(9) | BIT(12) | BIT(14) | BIT(18) | BIT(21) | BIT(22) | BIT(28) | BIT(29) | BIT(31)), 0);
        assert_int_equal(r1.ecx & ~BIT(31) & ~h1.ecx, 0);   /* nothing the host lacks */
        assert_int_equal(r1.edx & ~h1.edx, 0);
        /* Kept from the host: SSE3 SSSE3 SSE4.1/4.2 POPCNT AES RDRAND XSAVE AVX; FPU TSC MSR
         * PAE CX8 SEP CMOV PAT CLFSH MMX FXSR SSE SSE2. */
        uint32_t ecx_kept = BIT(0) | BIT(9) | BIT(19) | BIT(20) | BIT(23) | BIT(25) | BIT(30) |
                            BIT(26) | BIT(28);
        assert_int_equal(r1.ecx & ecx_kept, h1.ecx & ecx_kept);
        uint32_t edx_kept = BIT(0) | BIT(4) | BIT(5) | BIT(6) | BIT(8) | BIT(11) | BIT(15) |
                            BIT(16) | BIT(19) | BIT(23) | BIT(24) | BIT(25) | BIT(26);
        assert_int_equal(r1.edx & edx_kept, h1.edx & edx_kept);
    }
}

static void test_osxsave_follows_guest_cr4(void **state)
{
    (void)state;
    FOR_EACH_FIXTURE(f) {
        build(&f);
        assert_false(cpuid_policy_lookup(&table, 1, 0, 0, XCR0_X87).ecx & BIT(27));
        assert_true(cpuid_policy_lookup(&table, 1, 0, CR4_OSXSAVE, XCR0_X87).ecx & BIT(27));
        f.host_osxsave = false;         /* no XSETBV to emulate: no XSAVE, no OSXSAVE */
        build(&f);
        struct cpuid_regs r1 = cpuid_policy_lookup(&table, 1, 0, CR4_OSXSAVE, XCR0_X87);
        assert_int_equal(r1.ecx & (BIT(26) | BIT(27) | BIT(28) | BIT(12) | BIT(29)), 0);
        assert_int_equal(ask(7, 0).ebx & BIT(5), 0);                   /* AVX2 */
        assert_zero(ask(0xD, 0), 0xD);
        assert_int_equal(table.xcr0_supported, 0);
    }
}

/* Devices and MSRs the partition has show; each only where the host has it too. */
static void test_facts_add_features(void **state)
{
    (void)state;
    FOR_EACH_FIXTURE(f) {
        f.local_apic = f.x2apic = f.tsc_deadline = f.mtrr = true;
        f.spec_ctrl = f.pred_cmd = f.flush_cmd = f.arch_capabilities = true;
        build(&f);
        struct cpuid_regs h1 = host_leaf(&host, 1, 0), h7 = host_leaf(&host, 7, 0);
        struct cpuid_regs r1 = ask(1, 0), r7 = ask(7, 0);
        assert_int_equal(r1.edx & (BIT(9) | BIT(12)), h1.edx & (BIT(9) | BIT(12)));
        assert_int_equal(r1.ecx & (BIT(21) | BIT(24)), h1.ecx & (BIT(21) | BIT(24)));
        uint32_t spec = BIT(26) | BIT(27) | BIT(28) | BIT(29) | BIT(31);
        assert_int_equal(r7.edx & spec, h7.edx & spec);
        assert_int_equal(r7.edx & BIT(30), 0);              /* CORE_CAPABILITIES never */
    }
}

/* ---- leaves 2-6, 0xA, 0x12, 0x14 ------------------------------------------------------------ */

static void test_cache_leaves_one_thread(void **state)
{
    (void)state;
    FOR_EACH_FIXTURE(f) {
        build(&f);
        assert_regs_equal(ask(2, 0), table.basic[2]);
        assert_int_equal(ask(2, 0).eax, host_leaf(&host, 2, 0).eax);
        unsigned levels = 0;
        for (uint32_t i = 0; i < CPUID_CACHE_SUBLEAVES; i++) {
            struct cpuid_regs h = host_leaf(&host, 4, i), r = ask(4, i);
            if (!(h.eax & 0x1F)) {
                assert_zero(r, 4);
                break;
            }
            levels++;
            assert_int_equal(r.eax, h.eax & 0x3FFFu);       /* 31:26 and 25:14 cleared */
            assert_int_equal(r.ebx, h.ebx);
            assert_int_equal(r.ecx, h.ecx);
        }
        assert_int_equal(levels, 4);
        assert_zero(ask(4, 100), 4);
    }
}

static void test_empty_and_arat_leaves(void **state)
{
    (void)state;
    static const uint32_t empty[] = { 3, 5, 8, 9, 0xA, 0xC, 0xE, 0xF, 0x10, 0x12, 0x14, 0x15 };
    FOR_EACH_FIXTURE(f) {
        build(&f);
        for (unsigned i = 0; i < sizeof(empty) / sizeof(empty[0]); i++)
            assert_zero(ask(empty[i], 0), empty[i]);
        assert_zero(ask(0x12, 1), 0x12);
        struct cpuid_regs six = ask(6, 0);
        assert_int_equal(six.eax, BIT(2));                  /* ARAT only */
        assert_int_equal(six.ebx | six.ecx | six.edx, 0);
    }
}

/* ---- leaf 7 ------------------------------------------------------------------------------- */

static void test_leaf7_hides_what_would_fault(void **state)
{
    (void)state;
    FOR_EACH_FIXTURE(f) {
        build(&f);
        struct cpuid_regs h = host_leaf(&host, 7, 0), r = ask(7, 0);
        assert_int_equal(r.ebx & ~h.ebx, 0);
        assert_int_equal(r.ecx & ~h.ecx, 0);
        assert_int_equal(r.edx & ~h.edx, 0);
        /* TSC_ADJUST SGX RDT-M MPX RDT-A PT */
        assert_int_equal(r.ebx & (BIT(1) | BIT(2) | BIT(12) | BIT(14) | BIT(15) | BIT(25)), 0);
        /* WAITPKG CET_SS TME LA57 MAWAU KL BUS_LOCK ENQCMD SGX_LC PKS, and PKU/OSPKE: PKRU is
         * not among tessera's XCR0 components. */
        assert_int_equal(r.ecx & (BIT(3) | BIT(4) | BIT(5) | BIT(7) | BIT(13) | BIT(16) | BIT(17) | BIT(18) | BIT(19) | BIT(20) | BIT(21) | BIT(23) | BIT(24) | BIT(29) | BIT(30) | BIT(31)), 0);
        /* UINTR SRBDS TSX_FORCE_ABORT hybrid PCONFIG LBR CET_IBT AMX and every MSR-backed
         * speculation bit: this partition has none of those MSRs. */
        assert_int_equal(r.edx & (BIT(5) | BIT(9) | BIT(13) | BIT(15) | BIT(18) | BIT(19) | BIT(20) | BIT(22) | BIT(24) | BIT(25) | BIT(26) | BIT(27) | BIT(28) | BIT(29) | BIT(30) | BIT(31)), 0);
        /* INVPCID follows "enable INVPCID"; kept: BMI1 BMI2 ERMS ADX SHA CLFLUSHOPT RDSEED. */
        assert_int_equal(r.ebx & BIT(10), h.ebx & BIT(10));
        uint32_t kept = BIT(3) | BIT(8) | BIT(9) | BIT(19) | BIT(29) | BIT(23) | BIT(18);
        assert_int_equal(r.ebx & kept, h.ebx & kept);
        assert_int_equal(r.ebx & (BIT(16) | BIT(30) | BIT(31)), h.ebx & (BIT(16) | BIT(30) | BIT(31)));
        assert_int_equal(r.eax, 0);                         /* no subleaf 1 on these hosts */
        assert_zero(ask(7, 1), 7);
        f.secondary_controls &= ~(VMX_PROC2_INVPCID | VMX_PROC2_RDTSCP);
        build(&f);
        assert_int_equal(ask(7, 0).ebx & BIT(10), 0);
        assert_int_equal(ask(7, 0).ecx & BIT(22), 0);       /* RDPID needs "enable RDTSCP" */
        assert_int_equal(ask(0x80000001, 0).edx & BIT(27), 0);
    }
}

/* CR4 bits VMX does not let a guest set hide their features: Bochs' Skylake-X allows neither
 * UMIP nor PKE (IA32_VMX_CR4_FIXED1 0x3727ff), the others and nested KVM allow both. */
static void test_cr4_gates_features(void **state)
{
    (void)state;
    FOR_EACH_FIXTURE(f) {
        f.xcr0_allowed |= XCR0_PKRU;
        build(&f);
        struct cpuid_regs h = host_leaf(&host, 7, 0), r = ask(7, 0);
        bool umip = (host.cr4_fixed1 & BIT(11)) && (h.ecx & BIT(2));
        bool pku = (host.cr4_fixed1 & CR4_PKE) && (h.ecx & BIT(3)) &&
                   (host_leaf(&host, 0xD, 0).eax & XCR0_PKRU);
        assert_int_equal(!!(r.ecx & BIT(2)), umip);
        assert_int_equal(!!(r.ecx & BIT(3)), pku);
        assert_int_equal(!!(table.xcr0_supported & XCR0_PKRU), pku);
        assert_int_equal(r.ecx & BIT(4), 0);
        assert_int_equal(!!(cpuid_policy_lookup(&table, 7, 0, CR4_PKE, 3).ecx & BIT(4)), pku);
        f.cr4_allowed &= ~(uint64_t)(BIT(16) | BIT(20) | BIT(21) | BIT(17));
        build(&f);
        assert_int_equal(ask(7, 0).ebx & (BIT(0) | BIT(7) | BIT(20)), 0);  /* FSGSBASE SMEP SMAP */
        assert_int_equal(ask(1, 0).ecx & BIT(17), 0);                      /* PCID */
    }
    load_host(&host, "nested-kvm-icelake-sp");      /* the one host with PKU and PKRU both */
    struct cpuid_partition_facts f = plain_facts(&host);
    f.xcr0_allowed |= XCR0_PKRU;
    build(&f);
    assert_true(ask(7, 0).ecx & BIT(3));
}

/* The other way round: a CR4 bit is the guest's only if the table enumerates its feature, so
 * no hidden feature can be switched on behind CPUID (PKE with PKU hidden let a guest WRPKRU). */
static void test_cr4_follows_features(void **state)
{
    (void)state;
    const uint64_t pce = BIT(8), smxe = BIT(14), la57 = BIT(12), kl = BIT(19), mce = BIT(6);
    FOR_EACH_FIXTURE(f) {
        build(&f);
        uint64_t allowed = cpuid_policy_cr4_allowed(&table, f.cr4_allowed);
        assert_int_equal(allowed & ~f.cr4_allowed, 0);          /* never beyond VMX's */
        assert_true(allowed & pce);
        assert_int_equal(allowed & (CR4_VMXE | smxe | la57 | kl | CR4_PKE), 0);
        /* MCE: the partition has no machine-check architecture (docs/CPUID.md). */
        assert_int_equal(!!(allowed & mce), !!(ask(1, 0).edx & BIT(7)));
        assert_int_equal(!!(allowed & CR4_OSXSAVE), !!(ask(1, 0).ecx & BIT(26)));
        assert_int_equal(!!(allowed & BIT(16)), !!(ask(7, 0).ebx & BIT(0)));   /* FSGSBASE */
        assert_int_equal(!!(allowed & BIT(17)), !!(ask(1, 0).ecx & BIT(17)));  /* PCIDE */
        assert_true(allowed & (BIT(5) | BIT(7) | BIT(9) | BIT(10)));     /* PAE PGE OSFXSR ... */
        if (strcmp(host.name, "nested-kvm-icelake-sp") == 0) {
            f.xcr0_allowed |= XCR0_PKRU;                            /* PKU offered: PKE too */
            build(&f);
            assert_true(cpuid_policy_cr4_allowed(&table, f.cr4_allowed) & CR4_PKE);
        }
    }
}

/* ---- topology ----------------------------------------------------------------------------- */

static void test_topology_one_thread_one_core(void **state)
{
    (void)state;
    FOR_EACH_FIXTURE(f) {
        build(&f);
        struct cpuid_regs smt = ask(0xB, 0), core = ask(0xB, 1), end = ask(0xB, 2);
        assert_int_equal(smt.eax, 0);
        assert_int_equal(smt.ebx, 1);
        assert_int_equal(smt.ecx, 0x100);
        assert_int_equal(smt.edx, 0);                       /* x2APIC ID, as CPUID.1 EBX */
        assert_int_equal(core.eax, 0);
        assert_int_equal(core.ebx, 1);
        assert_int_equal(core.ecx, 0x201);
        assert_int_equal(core.edx, 0);
        assert_int_equal(end.ecx, 2);                       /* type 0: invalid level */
        assert_int_equal(end.eax | end.ebx | end.edx, 0);
        assert_int_equal(ask(0xB, 7).ecx, 7);
        assert_int_equal(ask(1, 0).ebx >> 24, smt.edx);
    }
}

/* ---- XSAVE -------------------------------------------------------------------------------- */

static void test_xsave_components_and_sizes(void **state)
{
    (void)state;
    FOR_EACH_FIXTURE(f) {
        build(&f);
        uint64_t host_xcr0 = host_leaf(&host, 0xD, 0).eax;
        assert_int_equal(table.xcr0_supported, host_xcr0 & XCR0_TESSERA);
        assert_int_equal(table.xcr0_supported, 0xE7);       /* every fixture has AVX-512 */
        struct cpuid_regs d0 = ask(0xD, 0);
        assert_int_equal(d0.eax, 0xE7);
        assert_int_equal(d0.edx, 0);
        assert_int_equal(d0.ecx, 0xA80);                    /* Hi16_ZMM ends at 0x680 + 0x400 */
        static const struct { uint64_t xcr0; uint32_t size; } sizes[] = {
            { XCR0_X87, 576 }, { XCR0_X87 | XCR0_SSE, 576 }, { 7, 0x340 }, { 0xE7, 0xA80 },
            { 0x27, 0x480 }, { 0x2E7, 0xA80 },          /* PKRU is not the partition's */
        };
        for (unsigned i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
            assert_int_equal(cpuid_policy_lookup(&table, 0xD, 0, CR4_OSXSAVE, sizes[i].xcr0).ebx,
                             sizes[i].size);
        for (uint32_t c = 2; c < 10; c++) {
            struct cpuid_regs r = ask(0xD, c), h = host_leaf(&host, 0xD, c);
            if (table.xcr0_supported & (1ull << c))
                assert_regs_equal(r, h);
            else
                assert_zero(r, 0xD);
        }
        assert_zero(ask(0xD, 10), 0xD);
        assert_zero(ask(0xD, 63), 0xD);
        /* XSAVEOPT XSAVEC XGETBV1 kept; XSAVES hidden: IA32_XSS is not the partition's. With
         * XSAVEC, EBX is the compacted size for the guest's XCR0 (ask() passes x87 only: the
         * legacy area and header), which Linux checks its own sum against. */
        struct cpuid_regs d1 = ask(0xD, 1);
        assert_int_equal(d1.eax, host_leaf(&host, 0xD, 1).eax & 0x7);
        assert_int_equal(d1.ebx, (d1.eax & BIT(1)) ? 576 : 0);
        assert_int_equal(d1.ecx | d1.edx, 0);
        f.xss = true;
        build(&f);
        assert_int_equal(ask(0xD, 1).eax & BIT(3), host_leaf(&host, 0xD, 1).eax & BIT(3));
        /* Compacted: legacy + header, AVX 256, opmask 64, ZMM_Hi256 512, Hi16_ZMM 1024. */
        assert_int_equal(cpuid_policy_lookup(&table, 0xD, 1, 0, 0xE7).ebx, 576 + 256 + 64 + 512 + 1024);
        f.secondary_controls &= ~VMX_PROC2_XSAVES;
        build(&f);
        assert_int_equal(ask(0xD, 1).eax & BIT(3), 0);
        f.xcr0_allowed = XCR0_X87 | XCR0_SSE | XCR0_AVX;    /* no AVX-512: its bits go too */
        build(&f);
        assert_int_equal(table.xcr0_supported, 7);
        assert_int_equal(ask(7, 0).ebx & (BIT(16) | BIT(17) | BIT(21) | BIT(26) | BIT(27) | BIT(28) | BIT(30) | BIT(31)), 0);
        assert_int_equal(ask(7, 0).ecx & (BIT(1) | BIT(6) | BIT(11) | BIT(12) | BIT(14)), 0);
        assert_int_equal(ask(7, 0).ebx & BIT(5), host_leaf(&host, 7, 0).ebx & BIT(5));
        f.xcr0_allowed = XCR0_X87 | XCR0_SSE;               /* no AVX: AVX FMA F16C AVX2 go */
        build(&f);
        assert_int_equal(ask(1, 0).ecx & (BIT(12) | BIT(28) | BIT(29)), 0);
        assert_int_equal(ask(7, 0).ebx & BIT(5), 0);
        assert_int_equal(ask(7, 0).ecx & (BIT(9) | BIT(10)), 0);   /* VAES VPCLMULQDQ */
    }
}

/* ---- TSC leaves ---------------------------------------------------------------------------- */

static void test_tsc_frequency_leaves(void **state)
{
    (void)state;
    FOR_EACH_FIXTURE(f) {
        f.tsc_hz = 2500000000ull;
        build(&f);
        struct cpuid_regs l15 = ask(0x15, 0), l16 = ask(0x16, 0);
        assert_int_equal(l15.eax, 1);
        assert_int_equal(l15.ebx, 1);
        assert_int_equal(l15.ecx, 2500000000u);             /* TSC = ECX * EBX / EAX */
        assert_int_equal(l16.eax, 2500);
        assert_int_equal(l16.ebx, 2500);
        assert_int_equal(l16.ecx | l16.edx | l15.edx, 0);
        f.tsc_hz = 5000000003ull;                           /* above 32 bits: ratio 2 */
        build(&f);
        l15 = ask(0x15, 0);
        assert_int_equal(l15.ebx, 2);
        assert_int_equal(l15.ecx, 2500000001u);
        assert_int_equal(ask(0x16, 0).eax, 5000);
        f.tsc_hz = 0;
        build(&f);
        assert_zero(ask(0x15, 0), 0x15);
        assert_zero(ask(0x16, 0), 0x16);
    }
}

/* ---- ranges ------------------------------------------------------------------------------- */

static void test_ranges_and_out_of_range(void **state)
{
    (void)state;
    FOR_EACH_FIXTURE(f) {
        f.tsc_hz = 1000000000ull;
        build(&f);
        uint32_t max = ask(0, 0).eax;
        struct cpuid_regs top = ask(max, 0);
        assert_regs_equal(ask(max + 1, 0), top);
        assert_regs_equal(ask(0x3FFFFFFF, 0), top);
        assert_regs_equal(ask(0x80000009, 0), top);
        assert_regs_equal(ask(0xC0000000, 0), top);
        struct cpuid_regs hv = ask(TESSERA_CPUID_LEAF_SIGNATURE, 0);
        assert_int_equal(hv.eax, TESSERA_CPUID_LEAF_MAX);
        char signature[13] = { 0 };
        memcpy(signature, &hv.ebx, 4);
        memcpy(signature + 4, &hv.ecx, 4);
        memcpy(signature + 8, &hv.edx, 4);
        assert_string_equal(signature, TESSERA_CPUID_SIGNATURE);
        assert_int_equal(ask(TESSERA_CPUID_LEAF_VERSION, 0).eax, TESSERA_BOOT_VERSION);
        assert_zero(ask(0x40000002, 0), 0x40000002);
        assert_zero(ask(0x400000FF, 0), 0x400000FF);
        /* Extended: the host's maximum, brand string, LM NX SYSCALL RDTSCP LAHF LZCNT. */
        assert_int_equal(ask(0x80000000, 0).eax, 0x80000008);
        for (uint32_t l = 0x80000002; l <= 0x80000004; l++)
            assert_regs_equal(ask(l, 0), host_leaf(&host, l, 0));
        assert_int_equal(ask(0x80000002, 0).eax, host_leaf(&host, 0x80000002, 0).eax);
        struct cpuid_regs e1 = ask(0x80000001, 0), h1 = host_leaf(&host, 0x80000001, 0);
        assert_int_equal(e1.edx, h1.edx & (BIT(11) | BIT(20) | BIT(26) | BIT(27) | BIT(29)));
        assert_int_equal(e1.ecx, h1.ecx & (BIT(0) | BIT(5) | BIT(8)));
        assert_int_equal(ask(0x80000007, 0).edx, BIT(8));   /* invariant TSC */
        struct cpuid_regs e8 = ask(0x80000008, 0), h8 = host_leaf(&host, 0x80000008, 0);
        assert_int_equal(e8.eax, h8.eax & 0xFFFFu);         /* 40 (Bochs) or 46 bits < 48 */
        f.guest_phys_bits = 36;
        build(&f);
        assert_int_equal(ask(0x80000008, 0).eax, (h8.eax & 0xFF00u) | 36);
    }
}

/* ---- hosts that lack things --------------------------------------------------------------- */

static struct cpuid_regs all_ones_max(void *ctx, uint32_t leaf, uint32_t subleaf)
{
    (void)ctx;
    (void)subleaf;
    if (leaf == 0)
        return (struct cpuid_regs){ 0x1F, 0, 0, 0 };
    if (leaf == CPUID_EXT_FIRST)
        return (struct cpuid_regs){ 0x80000008, 0, 0, 0 };
    return (struct cpuid_regs){ ~0u, ~0u, ~0u, ~0u };
}

static struct cpuid_regs features_none(void *ctx, uint32_t leaf, uint32_t subleaf)
{
    struct cpuid_regs r = all_ones_max(ctx, leaf, subleaf);
    return leaf == 0 || leaf == CPUID_EXT_FIRST ? r : (struct cpuid_regs){ 0, 0, 0, 0 };
}

static const struct cpuid_partition_facts everything = {
    .secondary_controls = ~0u, .cr4_allowed = ~0ull, .xcr0_allowed = ~0ull, .host_osxsave = true,
    .tsc_hz = 3000000000ull, .local_apic = true, .x2apic = true, .tsc_deadline = true, .mtrr = true,
    .spec_ctrl = true, .pred_cmd = true, .flush_cmd = true, .arch_capabilities = true, .xss = true,
};

/* Every fact on, a host with no features: nothing is advertised but the hypervisor bit and
 * the partition's own topology, ARAT and TSC leaves. */
static void test_host_without_features_advertises_nothing(void **state)
{
    (void)state;
    cpuid_policy_build(&table, features_none, 0, &everything);
    assert_int_equal(ask(1, 0).ecx, BIT(31));
    assert_int_equal(ask(1, 0).edx, 0);
    assert_zero(ask(7, 0), 7);
    assert_zero(ask(0xD, 0), 0xD);
    assert_zero(ask(0xD, 1), 0xD);
    assert_zero(ask(4, 0), 4);
    assert_int_equal(ask(0x80000001, 0).ecx | ask(0x80000001, 0).edx, 0);
    assert_int_equal(table.xcr0_supported, 0);
    assert_int_equal(ask(0x15, 0).ecx, 3000000000u);
}

/* Every fact on, a host with every bit: what never reaches a guest still does not. */
static void test_host_with_everything_keeps_the_never_list(void **state)
{
    (void)state;
    cpuid_policy_build(&table, all_ones_max, 0, &everything);
    struct cpuid_regs r1 = cpuid_policy_lookup(&table, 1, 0, ~0ull, ~0ull);
    /* DTES64 MONITOR DS-CPL VMX SMX EST TM2 CNXT-ID SDBG xTPR PDCM DCA */
    assert_int_equal(r1.ecx & (BIT(2) | BIT(3) | BIT(4) | BIT(5) | BIT(6) | BIT(7) | BIT(8) | BIT(10) | BIT(11) | BIT(14) | BIT(15) | BIT(18)), 0);
    assert_int_equal(r1.edx & (BIT(7) | BIT(14) | BIT(18) | BIT(21) | BIT(22) | BIT(28) | BIT(29) | BIT(31)), 0);   /* MCE MCA PSN DS ACPI HTT TM PBE */
    assert_int_equal(r1.ebx >> 16, 1);
    struct cpuid_regs r7 = cpuid_policy_lookup(&table, 7, 0, ~0ull, ~0ull);
    assert_int_equal(r7.eax, 1);
    assert_int_equal(r7.ebx & (BIT(1) | BIT(2) | BIT(12) | BIT(14) | BIT(15) | BIT(22) | BIT(25)), 0);
    assert_int_equal(r7.ecx & (BIT(5) | BIT(7) | BIT(13) | BIT(16) | (0x1Fu << 17) | BIT(23) |
                               BIT(24) | BIT(29) | BIT(30) | BIT(31)), 0);
    assert_int_equal(r7.ecx & (BIT(3) | BIT(4)), BIT(3) | BIT(4));     /* PKU: PKRU allowed */
    assert_int_equal(r7.edx & (BIT(5) | BIT(9) | BIT(13) | BIT(15) | BIT(18) | BIT(19) | BIT(20) |
                               BIT(22) | BIT(24) | BIT(25) | BIT(30)), 0);
    assert_int_equal(ask(7, 1).eax, BIT(4) | BIT(5) | BIT(10) | BIT(11) | BIT(12));
    assert_zero(ask(7, 2), 7);
    /* XCR0: never MPX or AMX, whatever is allowed; PKRU with PKU. */
    assert_int_equal(table.xcr0_supported, 0x2E7);
    assert_int_equal(ask(0xD, 1).eax, 0xF);             /* XFD never */
    assert_zero(ask(0xA, 0), 0xA);
    assert_int_equal(ask(6, 0).eax, BIT(2));
    assert_int_equal(ask(0x80000007, 0).edx, BIT(8));
    assert_int_equal(ask(0x80000008, 0).ebx, BIT(9));   /* WBNOINVD only */
    assert_int_equal(ask(0x80000001, 0).ecx, BIT(0) | BIT(5) | BIT(8));
}

/* An old host (maximum leaf 0xD) with a known TSC: leaves up to 0x16 are the partition's. */
static struct cpuid_regs old_host(void *ctx, uint32_t leaf, uint32_t subleaf)
{
    if (leaf > 0xD && leaf < CPUID_EXT_FIRST)
        fail_msg("read leaf 0x%x above the host's maximum", leaf);
    if (leaf == 0)
        return (struct cpuid_regs){ 0xD, 0x756e6547, 0x6c65746e, 0x49656e69 };
    return features_none(ctx, leaf, subleaf);
}

static void test_old_host_gets_tsc_leaves(void **state)
{
    (void)state;
    struct cpuid_partition_facts f = everything;
    f.tsc_hz = 1800000000ull;
    cpuid_policy_build(&table, old_host, 0, &f);
    assert_int_equal(ask(0, 0).eax, 0x16);
    assert_int_equal(ask(0x15, 0).ecx, 1800000000u);
    assert_int_equal(ask(0x16, 0).eax, 1800);
    assert_zero(ask(0x14, 0), 0x14);
    f.tsc_hz = 0;
    cpuid_policy_build(&table, old_host, 0, &f);
    assert_int_equal(ask(0, 0).eax, 0xD);
    assert_regs_equal(ask(0x15, 0), ask(0xD, 0));
}

/* The exit's fast path answers basic[leaf] for direct leaves: only leaves that depend on
 * nothing else may be direct. */
static void test_direct_leaves(void **state)
{
    (void)state;
    FOR_EACH_FIXTURE(f) {
        build(&f);
        for (uint32_t leaf = 0; leaf < CPUID_BASIC_LEAVES; leaf++) {
            bool dynamic = leaf == 1 || leaf == 4 || leaf == 7 || leaf == 0xB || leaf == 0xD ||
                           leaf == 0x1F;
            bool direct = (table.direct >> leaf) & 1;
            assert_int_equal(direct, !dynamic && leaf <= table.max_basic);
            if (direct)
                assert_regs_equal(ask(leaf, 5), table.basic[leaf]);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_leaf1_identity_and_hidden_features),
        cmocka_unit_test(test_osxsave_follows_guest_cr4),
        cmocka_unit_test(test_facts_add_features),
        cmocka_unit_test(test_cache_leaves_one_thread),
        cmocka_unit_test(test_empty_and_arat_leaves),
        cmocka_unit_test(test_leaf7_hides_what_would_fault),
        cmocka_unit_test(test_cr4_gates_features),
        cmocka_unit_test(test_cr4_follows_features),
        cmocka_unit_test(test_topology_one_thread_one_core),
        cmocka_unit_test(test_xsave_components_and_sizes),
        cmocka_unit_test(test_tsc_frequency_leaves),
        cmocka_unit_test(test_ranges_and_out_of_range),
        cmocka_unit_test(test_host_without_features_advertises_nothing),
        cmocka_unit_test(test_host_with_everything_keeps_the_never_list),
        cmocka_unit_test(test_old_host_gets_tsc_leaves),
        cmocka_unit_test(test_direct_leaves),
    };
    return cmocka_run_group_tests(tests, 0, 0);
}
