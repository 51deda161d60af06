/* Host unit tests: VMX capability negotiation under nested KVM (tests/unit/fixtures/vmx, derived
 * from KVM and QEMU source) and on CPUs that each lack one control (Intel SDM Vol. 3D, App. A). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "vmx/caps.h"
#include "vmx/preemption_timer.h"
#include "vcpu/vcpu.h"

#include "tests/unit/vmx_caps_helpers.h"

#define NESTED_KVM "nested-kvm-icelake-sp"

/* Each test starts from the nested-KVM fixture. */
static int setup(void **state)
{
    int r = fixture_setup(state);

    if (r == 0)
        load_fixture(NESTED_KVM, &((struct fixture *)*state)->raw);
    return r;
}

static uint64_t msr(const struct fixture *f, uint32_t index)
{
    return f->raw.msr[index - VMX_CAPS_MSR_FIRST];
}

static void set(struct fixture *f, uint32_t index, uint64_t value)
{
    vmx_caps_raw_set(&f->raw, index, value);
}

/* Worked out by hand from the fixture's MSRs, the policy in vmx/caps_policy.c:
 *   pin     TRUE 0xff/0x16:             0x49 req | 0x20 virtual NMIs | 0x16       = 0x7f
 *   primary TRUE 0xfff9fffe/0x04006172: 0x92000000 | HLT 0x80 | CR8 0x180000 | MONITOR/MWAIT/RDPMC 0x20000c00 | 0x04006172 = 0xb6186df2
 *   second. 0x02137bff/0:               EPT|RDTSCP 0xa | UG|VPID|INVPCID|XSAVES|WBINVD = 0x001010ea
 *   exit    TRUE 0x007fffff/0x36dfb:    0x3c8204 | 0x400000 | 0x36dfb            = 0x007fefff
 *   entry   TRUE 0xf3ff/0x11fb:         0xc004 | 0x11fb (IA-32e 0x200 per guest) = 0x0000d1ff
 * the same words as Bochs' models: nested KVM offers everything the policy takes. */
#define NESTED_PIN       0x0000007fu
#define NESTED_PRIMARY   0xb6186df2u
#define NESTED_SECONDARY 0x001010eau
#define NESTED_EXIT      0x007fefffu
#define NESTED_ENTRY     0x0000d1ffu

static void assert_nested_controls(const struct fixture *f)
{
    assert_int_equal(f->ctl.pin, NESTED_PIN);
    assert_int_equal(f->ctl.primary, NESTED_PRIMARY);
    assert_int_equal(f->ctl.secondary, NESTED_SECONDARY);
    assert_int_equal(f->ctl.exit, NESTED_EXIT);
    assert_int_equal(f->ctl.entry, NESTED_ENTRY);
}

/* ---- the fixture, decoded and negotiated --------------------------------------------- */

static void test_nested_kvm_decodes(void **state)
{
    struct fixture *f = *state;

    assert_presence_follows_rules(&f->raw);
    assert_int_equal(vmx_feature_control_check(f->raw.cpuid1_ecx, f->raw.feature_control,
                                               &f->err.diag), VMX_FC_OK);
    assert_true(vmx_caps_decode(&f->raw, &f->caps, &f->err.diag));
    assert_int_equal(f->caps.revision_id, 0x11e57ed0);     /* KVM's VMCS12 revision */
    assert_int_equal(f->caps.vmcs_size, 4096);
    assert_int_equal(f->caps.vmcs_memory_type, VMX_MEMORY_TYPE_WB);
    assert_true(f->caps.true_controls && f->caps.ins_outs_info);
    assert_false(f->caps.entry_exception_any_error_code);
    assert_int_equal(f->caps.preemption_timer_rate, 5);
    assert_true(f->caps.stores_efer_lma && f->caps.activity_hlt && f->caps.activity_wait_for_sipi);
    assert_false(f->caps.activity_shutdown);
    assert_int_equal(f->caps.cr3_target_count, 0);
    assert_int_equal(f->caps.max_msr_list, 512);
    assert_int_equal(f->caps.cr4_fixed1, 0x773fff);
    assert_int_equal(f->caps.vmcs_max_index, 0x19);
    assert_false(f->caps.ept_uc);                           /* no UC EPT paging structures */
    assert_true(f->caps.ept_wb && f->caps.ept_walk_4 && f->caps.ept_walk_5 && f->caps.ept_2m &&
                f->caps.ept_1g && f->caps.invept_single && f->caps.invept_all &&
                f->caps.ept_accessed_dirty && f->caps.ept_execute_only);
    assert_true(f->caps.invvpid && f->caps.invvpid_single && f->caps.invvpid_all);
    assert_int_equal(f->err.count, 0);
}

static void test_nested_kvm_negotiates(void **state)
{
    struct fixture *f = *state;
    char line[DIAG_LINE_MAX];

    assert_true(negotiate(f));
    assert_nested_controls(f);
    assert_every_feature(&f->ctl);
    assert_int_equal(f->ctl.preemption_timer_rate, 5);
    assert_int_equal(f->err.count, 0);
    assert_int_equal(f->debug.count, 0);
    vmx_controls_format(line, sizeof(line), &f->caps, &f->ctl);
    assert_string_equal(line, "vmx: revision 0x11e57ed0, pin 0x0000007f primary 0xb6186df2 "
                              "secondary 0x001010ea exit 0x007fefff entry 0x0000d1ff, ept "
                              "4-level wb 2M 1G a/d, vpid, unrestricted guest, preemption timer "
                              "rate 5");
}

/* Rate 5: the timer counts once every 32 TSC ticks, so the 10 ms tick of a 2.9 GHz TSC is
 * 29 M / 32 timer units; Bochs' rate 0 would have meant 29 M. */
static void test_nested_kvm_timer_tick(void **state)
{
    struct fixture *f = *state;

    assert_true(negotiate(f));
    assert_int_equal(VCPU_TIMER_PERIOD_MS, 10);
    assert_int_equal(vmx_preemption_timer_value(2900000000ull, VCPU_TIMER_PERIOD_MS,
                                                f->ctl.preemption_timer_rate), 906250);
    assert_int_equal(vmx_preemption_timer_value(2900000000ull, VCPU_TIMER_PERIOD_MS, 0),
                     29000000);
}

/* Without firmware (QEMU -bios none, a direct kernel boot) IA32_FEATURE_CONTROL is 0:
 * tessera must enable VMX outside SMX and lock it, else VMXON would #GP. */
static void test_nested_kvm_without_firmware(void **state)
{
    struct fixture *f = *state;

    assert_int_equal(vmx_feature_control_check(f->raw.cpuid1_ecx, 0, &f->err.diag),
                     VMX_FC_ENABLE_AND_LOCK);
    assert_int_equal(vmx_feature_control_enable_value(0), 0x5);
    assert_int_equal(f->err.count, 0);
}

/* The host-dependent alternatives the fixture lists: each negotiates to the same words. */
static void test_nested_kvm_host_variants(void **state)
{
    struct fixture *f = *state;
    const struct {
        const char *what;
        uint32_t msr[2];
        uint64_t value[2];
    } variants[] = {
        { "no LA57", { MSR_IA32_VMX_CR4_FIXED1, 0 }, { 0x772fffull, 0 } },
        { "no 5-level EPT", { MSR_IA32_VMX_EPT_VPID_CAP, 0 }, { 0x00000f0106334041ull, 0 } },
        { "no APICv", { MSR_IA32_VMX_TRUE_PINBASED_CTLS, MSR_IA32_VMX_PROCBASED_CTLS2 },
          { 0x0000007f00000016ull, 0x021378ff00000000ull } },
        { "KVM without wait-for-SIPI", { MSR_IA32_VMX_MISC, 0 }, { 0x20000065ull, 0 } },
        { "no TSC scaling", { MSR_IA32_VMX_PROCBASED_CTLS2, MSR_IA32_VMX_VMCS_ENUM },
          { 0x00137bff00000000ull, 0x2eull } },
        { "MPX", { MSR_IA32_VMX_TRUE_ENTRY_CTLS, MSR_IA32_VMX_TRUE_EXIT_CTLS },
          { 0x0001f3ff000011fbull, 0x00ffffff00036dfbull } },
        { "WAITPKG and SGX", { MSR_IA32_VMX_PROCBASED_CTLS2, 0 }, { 0x0613fbff00000000ull, 0 } },
    };

    for (size_t i = 0; i < sizeof(variants) / sizeof(variants[0]); i++) {
        print_message("  variant: %s\n", variants[i].what);
        load_fixture(NESTED_KVM, &f->raw);
        for (int m = 0; m < 2 && variants[i].msr[m]; m++)
            set(f, variants[i].msr[m], variants[i].value[m]);
        assert_presence_follows_rules(&f->raw);
        assert_true(negotiate(f));
        assert_nested_controls(f);
        assert_int_equal(f->err.count, 0);
        assert_int_equal(f->debug.count, 0);
    }
    load_fixture(NESTED_KVM, &f->raw);
    set(f, MSR_IA32_VMX_MISC, 0x20000065ull);
    assert_true(negotiate(f));
    assert_false(f->caps.activity_wait_for_sipi);           /* only used if reported: never */
}

/* ---- one control missing: negotiated without it (and said so), or refused by name ------- */

/* A change to the fixture: clear bits in one MSR and, for a control, in its TRUE twin. */
struct cap_removal {
    uint32_t msr, true_msr;
    uint64_t clear;
};

static void remove_cap(struct fixture *f, const struct cap_removal *r)
{
    load_fixture(NESTED_KVM, &f->raw);
    set(f, r->msr, msr(f, r->msr) & ~r->clear);
    if (r->true_msr)
        set(f, r->true_msr, msr(f, r->true_msr) & ~r->clear);
}

#define ALLOWED1(bit)   (1ull << (VMX_CTLS_ALLOWED1_SHIFT + (bit)))
#define PIN             MSR_IA32_VMX_PINBASED_CTLS, MSR_IA32_VMX_TRUE_PINBASED_CTLS
#define PRIMARY         MSR_IA32_VMX_PROCBASED_CTLS, MSR_IA32_VMX_TRUE_PROCBASED_CTLS
#define SECONDARY       MSR_IA32_VMX_PROCBASED_CTLS2, 0
#define EXIT            MSR_IA32_VMX_EXIT_CTLS, MSR_IA32_VMX_TRUE_EXIT_CTLS
#define ENTRY           MSR_IA32_VMX_ENTRY_CTLS, MSR_IA32_VMX_TRUE_ENTRY_CTLS
#define EPT_VPID        MSR_IA32_VMX_EPT_VPID_CAP, 0
#define MISC            MSR_IA32_VMX_MISC, 0
#define FLAG(name)      offsetof(struct vmx_controls, name)

static void test_each_optional_control_missing(void **state)
{
    struct fixture *f = *state;
    const struct {
        struct cap_removal removal;
        size_t flag;                    /* the bool in struct vmx_controls that records it */
        enum vmx_ctl_field field;       /* the control word that loses `lost` */
        uint32_t lost;
        const char *line;               /* the one debug line */
    } cases[] = {
        { { PIN, ALLOWED1(5) }, FLAG(virtual_nmis), VMX_CTL_PIN, VMX_PIN_VIRTUAL_NMIS,
          "vmx: pin-based controls: optional \"virtual NMIs\" (bit 5) not supported, dropped" },
        { { PRIMARY, ALLOWED1(7) }, FLAG(hlt_exiting), VMX_CTL_PRIMARY, VMX_PROC_HLT_EXITING,
          "vmx: primary controls: optional \"HLT exiting\" (bit 7) not supported, dropped" },
        { { MISC, VMX_MISC_ACTIVITY_HLT }, FLAG(hlt_exiting), VMX_CTL_PRIMARY,
          VMX_PROC_HLT_EXITING, "vmx: primary controls: optional \"HLT exiting\" (bit 7) not "
          "used: IA32_VMX_MISC offers no HLT activity state" },
        { { SECONDARY, ALLOWED1(7) }, FLAG(unrestricted_guest), VMX_CTL_SECONDARY,
          VMX_PROC2_UNRESTRICTED_GUEST, "vmx: secondary controls: optional \"unrestricted "
          "guest\" (bit 7) not supported, dropped" },
        { { SECONDARY, ALLOWED1(5) }, FLAG(vpid), VMX_CTL_SECONDARY, VMX_PROC2_VPID,
          "vmx: secondary controls: optional \"enable VPID\" (bit 5) not supported, dropped" },
        { { SECONDARY, ALLOWED1(12) }, FLAG(invpcid), VMX_CTL_SECONDARY, VMX_PROC2_INVPCID,
          "vmx: secondary controls: optional \"enable INVPCID\" (bit 12) not supported, "
          "dropped" },
        { { SECONDARY, ALLOWED1(20) }, FLAG(xsaves), VMX_CTL_SECONDARY, VMX_PROC2_XSAVES,
          "vmx: secondary controls: optional \"enable XSAVES/XRSTORS\" (bit 20) not "
          "supported, dropped" },
        { { EXIT, ALLOWED1(22) }, FLAG(save_preemption_timer), VMX_CTL_EXIT,
          VMX_EXIT_SAVE_PREEMPTION_TIMER, "vmx: exit controls: optional \"save "
          "VMX-preemption timer value\" (bit 22) not supported, dropped" },
        { { EPT_VPID, VMX_EPT_PAGE_2M }, FLAG(ept_2m), VMX_CTL_PIN, 0,
          "vmx: EPT/VPID capabilities: optional \"2 MiB pages\" (bit 16) not supported, "
          "dropped" },
        { { EPT_VPID, VMX_EPT_PAGE_1G }, FLAG(ept_1g), VMX_CTL_PIN, 0,
          "vmx: EPT/VPID capabilities: optional \"1 GiB pages\" (bit 17) not supported, "
          "dropped" },
        { { EPT_VPID, VMX_EPT_ACCESSED_DIRTY }, FLAG(ept_accessed_dirty), VMX_CTL_PIN, 0,
          "vmx: EPT/VPID capabilities: optional \"accessed and dirty flags\" (bit 21) not "
          "supported, dropped" },
        { { EPT_VPID, VMX_EPT_EXECUTE_ONLY }, FLAG(ept_execute_only), VMX_CTL_PIN, 0,
          "vmx: EPT/VPID capabilities: optional \"execute-only translations\" (bit 0) not "
          "supported, dropped" },
        { { EPT_VPID, VMX_VPID_INVVPID_SINGLE_CONTEXT }, FLAG(vpid), VMX_CTL_SECONDARY,
          VMX_PROC2_VPID, "vmx: EPT/VPID capabilities: optional \"single-context INVVPID\" "
          "(bit 41) not supported, VPID dropped" },
        { { EPT_VPID, VMX_VPID_INVVPID }, FLAG(vpid), VMX_CTL_SECONDARY, VMX_PROC2_VPID,
          "vmx: EPT/VPID capabilities: optional \"INVVPID\" (bit 32) not supported, VPID "
          "dropped" },
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const uint32_t base[VMX_CTL_FIELD_COUNT] = { NESTED_PIN, NESTED_PRIMARY,
                                                     NESTED_SECONDARY, NESTED_EXIT,
                                                     NESTED_ENTRY };
        uint32_t got[VMX_CTL_FIELD_COUNT];

        print_message("  without: %s\n", cases[i].line);
        remove_cap(f, &cases[i].removal);
        f->err.count = f->debug.count = 0;
        assert_true(negotiate(f));
        got[VMX_CTL_PIN] = f->ctl.pin;
        got[VMX_CTL_PRIMARY] = f->ctl.primary;
        got[VMX_CTL_SECONDARY] = f->ctl.secondary;
        got[VMX_CTL_EXIT] = f->ctl.exit;
        got[VMX_CTL_ENTRY] = f->ctl.entry;
        for (int w = 0; w < VMX_CTL_FIELD_COUNT; w++)
            assert_int_equal(got[w], base[w] & ~((enum vmx_ctl_field)w == cases[i].field ?
                                                 cases[i].lost : 0));
        assert_false(*(const bool *)((const char *)&f->ctl + cases[i].flag));
        assert_int_equal(f->err.count, 0);
        assert_lines(&f->debug, 1, &cases[i].line);
    }
}

static void test_each_required_control_missing(void **state)
{
    struct fixture *f = *state;
    const struct {
        struct cap_removal removal;
        const char *line;               /* among the error lines */
    } cases[] = {
        { { PIN, ALLOWED1(0) }, "vmx: pin-based controls: required \"external-interrupt "
          "exiting\" (bit 0) not supported" },
        { { PIN, ALLOWED1(3) }, "vmx: pin-based controls: required \"NMI exiting\" (bit 3) "
          "not supported" },
        { { PIN, ALLOWED1(6) }, "vmx: pin-based controls: required \"activate "
          "VMX-preemption timer\" (bit 6) not supported" },
        { { PRIMARY, ALLOWED1(25) }, "vmx: primary controls: required \"use I/O bitmaps\" "
          "(bit 25) not supported" },
        { { PRIMARY, ALLOWED1(28) }, "vmx: primary controls: required \"use MSR bitmaps\" "
          "(bit 28) not supported" },
        { { PRIMARY, ALLOWED1(31) }, "vmx: primary controls: required \"activate secondary "
          "controls\" (bit 31) not supported" },
        { { SECONDARY, ALLOWED1(1) }, "vmx: secondary controls: required \"enable EPT\" "
          "(bit 1) not supported" },
        { { SECONDARY, ALLOWED1(3) }, "vmx: secondary controls: required \"enable RDTSCP\" "
          "(bit 3) not supported" },
        { { EXIT, ALLOWED1(2) }, "vmx: exit controls: required \"save debug controls\" "
          "(bit 2) not supported" },
        { { EXIT, ALLOWED1(9) }, "vmx: exit controls: required \"host address-space size\" "
          "(bit 9) not supported" },
        { { EXIT, ALLOWED1(15) }, "vmx: exit controls: required \"acknowledge interrupt on "
          "exit\" (bit 15) not supported" },
        { { EXIT, ALLOWED1(18) }, "vmx: exit controls: required \"save IA32_PAT\" (bit 18) "
          "not supported" },
        { { EXIT, ALLOWED1(19) }, "vmx: exit controls: required \"load IA32_PAT\" (bit 19) "
          "not supported" },
        { { EXIT, ALLOWED1(20) }, "vmx: exit controls: required \"save IA32_EFER\" (bit 20) "
          "not supported" },
        { { EXIT, ALLOWED1(21) }, "vmx: exit controls: required \"load IA32_EFER\" (bit 21) "
          "not supported" },
        { { ENTRY, ALLOWED1(2) }, "vmx: entry controls: required \"load debug controls\" "
          "(bit 2) not supported" },
        { { ENTRY, ALLOWED1(9) }, "vmx: entry controls: required \"IA-32e mode guest\" "
          "(bit 9) not supported" },
        { { ENTRY, ALLOWED1(14) }, "vmx: entry controls: required \"load IA32_PAT\" (bit 14) "
          "not supported" },
        { { ENTRY, ALLOWED1(15) }, "vmx: entry controls: required \"load IA32_EFER\" "
          "(bit 15) not supported" },
        { { EPT_VPID, VMX_EPT_WALK_4 }, "vmx: EPT/VPID capabilities: required \"page-walk "
          "length 4\" (bit 6) not supported" },
        { { EPT_VPID, VMX_EPT_MEMORY_WB }, "vmx: EPT/VPID capabilities: required "
          "\"write-back memory type\" (bit 14) not supported" },
        { { EPT_VPID, VMX_EPT_INVEPT }, "vmx: EPT/VPID capabilities: required \"INVEPT\" "
          "(bit 20) not supported" },
        { { EPT_VPID, VMX_EPT_INVEPT_SINGLE_CONTEXT }, "vmx: EPT/VPID capabilities: required "
          "\"single-context INVEPT\" (bit 25) not supported" },
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        bool named = false;

        print_message("  without: %s\n", cases[i].line);
        remove_cap(f, &cases[i].removal);
        f->err.count = f->debug.count = 0;
        assert_false(negotiate(f));
        for (unsigned l = 0; l < f->err.count && l < MAX_LINES; l++)
            named |= strcmp(f->err.lines[l], cases[i].line) == 0;
        assert_true(named);
    }
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, fixture_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_nested_kvm_decodes),
        T(test_nested_kvm_negotiates),
        T(test_nested_kvm_timer_tick),
        T(test_nested_kvm_without_firmware),
        T(test_nested_kvm_host_variants),
        T(test_each_optional_control_missing),
        T(test_each_required_control_missing),
    };

    return cmocka_run_group_tests_name("vmx_caps_nested", tests, NULL, NULL);
}
