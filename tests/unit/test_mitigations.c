/* The mitigation plan (vmx/mitigations.c) on CPUs described by their CPUID.7:EDX and
 * IA32_ARCH_CAPABILITIES. The inputs are constructed cases, one per kind of CPU: the bits
 * are the SDM's, the combinations the ones generations of parts enumerate. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "vmx/mitigations.h"

static struct mitigation_plan decide(uint32_t edx, uint64_t caps)
{
    struct mitigation_plan p;
    memset(&p, 0xA5, sizeof(p));
    mitigation_plan_decide(&(struct mitigation_inputs){ edx, caps }, &p);
    return p;
}

static void describe_is(const struct mitigation_plan *p, const char *want)
{
    char line[160];
    size_t n = mitigation_plan_describe(p, line, sizeof(line));
    assert_string_equal(line, want);
    assert_int_equal(n, strlen(want));
}

/* An emulator or old CPU that enumerates nothing is affected by everything it can be. */
static void test_nothing_enumerated(void **state)
{
    (void)state;
    struct mitigation_plan p = decide(0, 0);
    assert_int_equal(p.spectre_v2, SPECTRE_V2_NONE);
    assert_false(p.ibpb_on_vcpu_switch);
    assert_true(p.rsb_fill_after_exit);
    assert_true(p.l1d_flush_before_entry);
    assert_true(p.l1d_flush_in_software);
    assert_false(p.verw_before_entry);      /* the L1D flush covers the buffers */
    assert_true(p.executable_huge_pages_forbidden);
    assert_true(p.ssb_exposed);
    describe_is(&p, "no IBRS (Spectre v2 exposed), RSB fill on exit, L1D flush (software) "
                    "before entry, 4 KiB executable EPT pages, SSB exposed");
}

/* Skylake-era with microcode: IBRS, L1D_FLUSH, MD_CLEAR, no ARCH_CAPABILITIES. */
static void test_skylake_microcode(void **state)
{
    (void)state;
    uint32_t edx = CPUID7_EDX_IBRS_IBPB | CPUID7_EDX_STIBP | CPUID7_EDX_L1D_FLUSH |
                   CPUID7_EDX_MD_CLEAR;
    struct mitigation_plan p = decide(edx, ARCH_CAP_RDCL_NO | ARCH_CAP_MDS_NO);
    assert_int_equal(p.spectre_v2, SPECTRE_V2_IBRS);
    assert_true(p.ibpb_on_vcpu_switch);
    assert_true(p.l1d_flush_before_entry);  /* the MSR is not enumerated: its bits count for 0 */
    assert_false(p.l1d_flush_in_software);
    assert_false(p.verw_before_entry);
    describe_is(&p, "IBRS on exit, IBPB between partitions, RSB fill on exit, L1D flush "
                    "before entry, 4 KiB executable EPT pages, SSB exposed");
}

/* Cascade Lake-like: not affected by L1TF or MDS but by TAA, has eIBRS, no PBRSB_NO. */
static void test_cascade_lake_like(void **state)
{
    (void)state;
    uint32_t edx = CPUID7_EDX_IBRS_IBPB | CPUID7_EDX_STIBP | CPUID7_EDX_L1D_FLUSH |
                   CPUID7_EDX_MD_CLEAR | CPUID7_EDX_ARCH_CAPABILITIES;
    uint64_t caps = ARCH_CAP_RDCL_NO | ARCH_CAP_IBRS_ALL | ARCH_CAP_SKIP_L1DFL_VMENTRY |
                    ARCH_CAP_MDS_NO | ARCH_CAP_SSB_NO;
    struct mitigation_plan p = decide(edx, caps);
    assert_int_equal(p.spectre_v2, SPECTRE_V2_EIBRS);
    assert_true(p.rsb_fill_after_exit);
    assert_false(p.l1d_flush_before_entry);
    assert_true(p.verw_before_entry);       /* TAA_NO is clear */
    assert_true(p.executable_huge_pages_forbidden);
    assert_false(p.ssb_exposed);
    describe_is(&p, "eIBRS, IBPB between partitions, RSB fill on exit, VERW before entry, "
                    "4 KiB executable EPT pages");
}

/* A recent part that enumerates every "not affected" bit needs only IBPB. */
static void test_recent_part(void **state)
{
    (void)state;
    uint32_t edx = CPUID7_EDX_IBRS_IBPB | CPUID7_EDX_ARCH_CAPABILITIES | CPUID7_EDX_MD_CLEAR;
    uint64_t caps = ARCH_CAP_RDCL_NO | ARCH_CAP_IBRS_ALL | ARCH_CAP_SKIP_L1DFL_VMENTRY |
                    ARCH_CAP_MDS_NO | ARCH_CAP_TAA_NO | ARCH_CAP_SSB_NO |
                    ARCH_CAP_PSCHANGE_MC_NO | ARCH_CAP_PBRSB_NO;
    struct mitigation_plan p = decide(edx, caps);
    assert_int_equal(p.spectre_v2, SPECTRE_V2_EIBRS);
    assert_false(p.rsb_fill_after_exit);
    assert_false(p.l1d_flush_before_entry);
    assert_false(p.verw_before_entry);
    assert_false(p.executable_huge_pages_forbidden);
    describe_is(&p, "eIBRS, IBPB between partitions");
}

/* ARCH_CAPABILITIES bits count only when CPUID enumerates the MSR. */
static void test_caps_ignored_without_enumeration(void **state)
{
    (void)state;
    struct mitigation_plan p = decide(CPUID7_EDX_IBRS_IBPB, ~0ull);
    assert_int_equal(p.spectre_v2, SPECTRE_V2_IBRS);
    assert_true(p.l1d_flush_before_entry);
    assert_true(p.executable_huge_pages_forbidden);
}

/* The clear before entry follows the plan, and only after other work on the CPU. */
static void test_entry_clear(void **state)
{
    (void)state;
    struct mitigation_plan emulator = decide(0, 0);
    assert_int_equal(mitigation_entry_clear(&emulator, false), ENTRY_CLEAR_NONE);
    assert_int_equal(mitigation_entry_clear(&emulator, true), ENTRY_CLEAR_L1D_SOFTWARE);

    uint32_t skylake_edx = CPUID7_EDX_IBRS_IBPB | CPUID7_EDX_L1D_FLUSH | CPUID7_EDX_MD_CLEAR;
    struct mitigation_plan skylake = decide(skylake_edx, 0);
    assert_int_equal(mitigation_entry_clear(&skylake, true), ENTRY_CLEAR_L1D_FLUSH_CMD);
    assert_int_equal(mitigation_entry_clear(&skylake, false), ENTRY_CLEAR_NONE);
    assert_true(mitigation_switches_spec_ctrl(&skylake));

    uint32_t cascade_edx = CPUID7_EDX_IBRS_IBPB | CPUID7_EDX_MD_CLEAR |
                           CPUID7_EDX_ARCH_CAPABILITIES;
    struct mitigation_plan cascade = decide(cascade_edx, ARCH_CAP_RDCL_NO | ARCH_CAP_IBRS_ALL |
                                                         ARCH_CAP_MDS_NO);
    assert_int_equal(mitigation_entry_clear(&cascade, true), ENTRY_CLEAR_VERW);
    assert_false(mitigation_switches_spec_ctrl(&cascade));      /* eIBRS is set once */

    /* MDS-affected but no MD_CLEAR microcode: VERW would not clear anything. */
    struct mitigation_plan old_microcode = decide(CPUID7_EDX_ARCH_CAPABILITIES,
                                                  ARCH_CAP_RDCL_NO);
    assert_int_equal(mitigation_entry_clear(&old_microcode, true), ENTRY_CLEAR_NONE);
    assert_false(mitigation_switches_spec_ctrl(&emulator));
}

static void test_describe_truncates(void **state)
{
    (void)state;
    struct mitigation_plan p = decide(0, 0);
    char small[8];
    assert_int_equal(mitigation_plan_describe(&p, small, sizeof(small)), 7);
    assert_string_equal(small, "no IBRS");
    assert_int_equal(mitigation_plan_describe(&p, small, 0), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nothing_enumerated),
        cmocka_unit_test(test_skylake_microcode),
        cmocka_unit_test(test_cascade_lake_like),
        cmocka_unit_test(test_recent_part),
        cmocka_unit_test(test_caps_ignored_without_enumeration),
        cmocka_unit_test(test_entry_clear),
        cmocka_unit_test(test_describe_truncates),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
