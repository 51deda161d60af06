/* Host unit tests for the VMX capability module (vmx/caps*.c, vmx/vmx_controls.c) against the
 * Bochs capability MSRs in tests/unit/fixtures/vmx and synthetic CPUs (Intel SDM Vol. 3D, App. A). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "vmx/caps.h"
#include "vmx/vm_instruction_error.h"

#include "tests/unit/vmx_caps_helpers.h"

/* Values worked out by hand from the MSRs (see the comment in check_model). */
#define BOCHS_PIN       0x0000007fu
#define BOCHS_PRIMARY   0xb6186df2u
#define BOCHS_SECONDARY 0x001010eau
#define BOCHS_EXIT      0x007fefffu
#define BOCHS_ENTRY     0x0000d1ffu

static void check_model(struct fixture *f, const char *model, uint32_t revision,
                        const char *summary)
{
    char line[DIAG_LINE_MAX];

    load_fixture(model, &f->raw);
    assert_presence_follows_rules(&f->raw);
    assert_int_equal(vmx_feature_control_check(f->raw.cpuid1_ecx, f->raw.feature_control,
                                               &f->err.diag), VMX_FC_OK);
    assert_true(vmx_caps_decode(&f->raw, &f->caps, &f->err.diag));
    assert_int_equal(f->caps.revision_id, revision);
    assert_int_equal(f->caps.vmcs_size, 4096);
    assert_int_equal(f->caps.vmcs_memory_type, VMX_MEMORY_TYPE_WB);
    assert_true(f->caps.true_controls && f->caps.ins_outs_info);
    assert_false(f->caps.phys_addr_32bit || f->caps.dual_monitor_smm);
    assert_int_equal(f->caps.preemption_timer_rate, 0);
    assert_true(f->caps.stores_efer_lma && f->caps.activity_hlt && f->caps.activity_shutdown &&
                f->caps.activity_wait_for_sipi);
    assert_int_equal(f->caps.cr3_target_count, 4);
    assert_int_equal(f->caps.max_msr_list, 512);
    assert_int_equal(f->caps.cr0_fixed0, 0x80000021u);
    assert_int_equal(f->caps.cr4_fixed0, 0x2000u);
    assert_int_equal(f->caps.vmcs_max_index, 0x1a);
    assert_true(f->caps.ept_execute_only && f->caps.ept_walk_4 && f->caps.ept_uc &&
                f->caps.ept_wb && f->caps.ept_2m && f->caps.ept_1g && f->caps.invept &&
                f->caps.invept_single && f->caps.invept_all && f->caps.ept_accessed_dirty);
    assert_false(f->caps.ept_walk_5);
    assert_true(f->caps.invvpid && f->caps.invvpid_address && f->caps.invvpid_single &&
                f->caps.invvpid_all && f->caps.invvpid_single_keep_global);
    assert_int_equal(f->caps.vmfunc, VMX_VMFUNC_EPTP_SWITCHING);

    /* TRUE MSRs (BASIC bit 55) on all three:
     *   pin     0x7f/0x16:             0x49 req | 0x20 opt | 0x16              = 0x7f
     *   primary 0x..fffe/0x04006172:   0x92000000 | HLT 0x80 | CR8 0x180000 | MONITOR/MWAIT/RDPMC 0x20000c00 | 0x04006172 = 0xb6186df2
     *   second. 0x02177fff/0:          EPT|RDTSCP 0xa | UG|VPID|INVPCID|XSAVES|WBINVD = 0x001010ea
     *   exit    0x007fffff/0x36dfb:    0x3c8204 | 0x400000 | 0x36dfb           = 0x007fefff
     *   entry   0xffff/0x11fb:         0xc004 | (0x200 per guest) | 0x11fb    = 0x0000d1ff */
    assert_true(vmx_negotiate_hypervisor_controls(&f->caps, &f->ctl, &f->err.diag,
                                                  &f->debug.diag));
    assert_int_equal(f->ctl.pin, BOCHS_PIN);
    assert_int_equal(f->ctl.primary, BOCHS_PRIMARY);
    assert_int_equal(f->ctl.secondary, BOCHS_SECONDARY);
    assert_int_equal(f->ctl.exit, BOCHS_EXIT);
    assert_int_equal(f->ctl.entry, BOCHS_ENTRY);
    assert_every_feature(&f->ctl);
    assert_int_equal(f->err.count, 0);
    assert_int_equal(f->debug.count, 0);

    vmx_controls_format(line, sizeof(line), &f->caps, &f->ctl);
    print_message("  %s: %s\n", model, line);
    assert_string_equal(line, summary);
}

static void test_bochs_skylake_x(void **state)
{
    check_model(*state, "bochs-corei7_skylake_x", 0x2b,
                "vmx: revision 0x2b, pin 0x0000007f primary 0xb6186df2 secondary 0x001010ea "
                "exit 0x007fefff entry 0x0000d1ff, ept 4-level wb 2M 1G a/d, vpid, "
                "unrestricted guest, preemption timer rate 0");
}

static void test_bochs_icelake_u(void **state)
{
    check_model(*state, "bochs-corei7_icelake_u", 0x4,
                "vmx: revision 0x4, pin 0x0000007f primary 0xb6186df2 secondary 0x001010ea "
                "exit 0x007fefff entry 0x0000d1ff, ept 4-level wb 2M 1G a/d, vpid, "
                "unrestricted guest, preemption timer rate 0");
}

static void test_bochs_tigerlake(void **state)
{
    struct fixture *f = *state;

    check_model(f, "bochs-tigerlake", 0x4,
                "vmx: revision 0x4, pin 0x0000007f primary 0xb6186df2 secondary 0x001010ea "
                "exit 0x007fefff entry 0x0000d1ff, ept 4-level wb 2M 1G a/d, vpid, "
                "unrestricted guest, preemption timer rate 0");
    assert_true(f->caps.entry_exception_any_error_code);    /* BASIC bit 56 */
}

/* The default1 classes of A.3-A.5 are what the plain MSRs of the fixtures force. */
static void test_default1_matches_plain_msrs(void **state)
{
    struct fixture *f = *state;

    load_fixture("bochs-corei7_skylake_x", &f->raw);
    assert_int_equal(VMX_PIN_DEFAULT1, (uint32_t)f->raw.msr[1]);
    assert_int_equal(VMX_PROC_DEFAULT1, (uint32_t)f->raw.msr[2]);
    assert_int_equal(VMX_EXIT_DEFAULT1, (uint32_t)f->raw.msr[3]);
    assert_int_equal(VMX_ENTRY_DEFAULT1, (uint32_t)f->raw.msr[4]);
}

/* ---- synthetic CPUs: a Skylake-like base, then one change per test ------------------- */

static void set(struct fixture *f, uint32_t msr, uint64_t value)
{
    vmx_caps_raw_set(&f->raw, msr, value);
}

static void drop(struct fixture *f, uint32_t msr)
{
    f->raw.present &= ~(1u << (msr - VMX_CAPS_MSR_FIRST));
}

static void synthetic_base(struct fixture *f)
{
    static const uint64_t values[VMX_CAPS_MSR_COUNT] = {
        0x00d810000000002bull, 0x0000007f00000016ull, 0xf7f9fffe0401e172ull,
        0x007fffff00036dffull, 0x0000ffff000011ffull, 0x00000000600401e0ull,
        0x0000000080000021ull, 0x00000000ffffffffull, 0x0000000000002000ull,
        0x00000000003727ffull, 0x0000000000000034ull, 0x02177fff00000000ull,
        0x00000f0106334141ull, 0x0000007f00000016ull, 0xf7f9fffe04006172ull,
        0x007fffff00036dfbull, 0x0000ffff000011fbull, 0x0000000000000001ull,
    };

    f->raw = (struct vmx_caps_raw){ .cpuid1_ecx = CPUID_1_ECX_VMX, .feature_control = 0x5 };
    for (uint32_t i = 0; i < VMX_CAPS_MSR_COUNT; i++)
        set(f, VMX_CAPS_MSR_FIRST + i, values[i]);
}

static void test_synthetic_base_matches_bochs(void **state)
{
    struct fixture *f = *state;

    synthetic_base(f);
    assert_presence_follows_rules(&f->raw);
    assert_true(negotiate(f));
    assert_int_equal(f->ctl.primary, BOCHS_PRIMARY);
    assert_int_equal(f->err.count + f->debug.count, 0);
}

static void test_no_true_msrs_forces_default1(void **state)
{
    struct fixture *f = *state;

    synthetic_base(f);
    set(f, MSR_IA32_VMX_BASIC, f->raw.msr[0] & ~VMX_BASIC_TRUE_CONTROLS);
    for (uint32_t msr = MSR_IA32_VMX_TRUE_PINBASED_CTLS; msr <= MSR_IA32_VMX_TRUE_ENTRY_CTLS; msr++)
        drop(f, msr);
    /* Even a plain MSR that claimed a default1 bit could be 0 gets it forced. */
    set(f, MSR_IA32_VMX_PROCBASED_CTLS, 0xf7f9fffe00000000ull);
    assert_presence_follows_rules(&f->raw);
    assert_true(negotiate(f));
    assert_int_equal(f->caps.ctl[VMX_CTL_PRIMARY].allowed0, VMX_PROC_DEFAULT1);
    assert_int_equal(f->ctl.primary, 0xb619edf2u);      /* + CR3-load/store exiting */
    assert_true(f->ctl.cr3_exiting);                    /* vmx/exit_cr.c emulates them */
    assert_int_equal(f->ctl.exit, BOCHS_EXIT);         /* bit 2 was wanted anyway */
    assert_int_equal(f->ctl.entry, BOCHS_ENTRY);
    assert_int_equal(f->err.count, 0);
    ASSERT_LINES(&f->debug,
                 "vmx: primary controls: \"CR3-load exiting\" (bit 15) forced to 1 by the CPU",
                 "vmx: primary controls: \"CR3-store exiting\" (bit 16) forced to 1 by the CPU");
}

static void test_required_bit_missing(void **state)
{
    struct fixture *f = *state;

    synthetic_base(f);
    set(f, MSR_IA32_VMX_PROCBASED_CTLS2, 0x02177ffdull << 32);     /* no "enable EPT" */
    assert_false(negotiate(f));
    ASSERT_LINES(&f->err, "vmx: secondary controls: required \"enable EPT\" (bit 1) not supported");
}

static void test_required_preemption_timer_missing(void **state)
{
    struct fixture *f = *state;

    synthetic_base(f);
    set(f, MSR_IA32_VMX_TRUE_PINBASED_CTLS, 0x0000003f00000016ull);
    assert_false(negotiate(f));
    ASSERT_LINES(&f->err, "vmx: pin-based controls: required \"activate VMX-preemption timer\" "
                          "(bit 6) not supported");
}

static void test_optional_bits_missing(void **state)
{
    struct fixture *f = *state;

    synthetic_base(f);
    set(f, MSR_IA32_VMX_PROCBASED_CTLS2, 0x02177fdfull << 32);     /* no "enable VPID" */
    assert_true(negotiate(f));
    assert_int_equal(f->ctl.secondary, BOCHS_SECONDARY & ~VMX_PROC2_VPID);
    assert_false(f->ctl.vpid);
    assert_true(f->ctl.ia32e_mode_guest);
    assert_int_equal(f->ctl.entry, BOCHS_ENTRY);
    assert_int_equal(f->err.count, 0);
    ASSERT_LINES(&f->debug,
                 "vmx: secondary controls: optional \"enable VPID\" (bit 5) not supported, dropped");
}

/* Every partition is a 64-bit guest: a CPU that cannot enter IA-32e mode is refused. */
static void test_ia32e_mode_guest_missing(void **state)
{
    struct fixture *f = *state;

    synthetic_base(f);
    set(f, MSR_IA32_VMX_TRUE_ENTRY_CTLS, 0x0000fdff000011fbull);   /* no IA-32e mode guest */
    assert_false(negotiate(f));
    assert_false(f->ctl.ia32e_mode_guest);
    ASSERT_LINES(&f->err,
                 "vmx: entry controls: required \"IA-32e mode guest\" (bit 9) not supported");
}

static void test_vpid_without_single_context_invvpid(void **state)
{
    struct fixture *f = *state;

    synthetic_base(f);
    set(f, MSR_IA32_VMX_EPT_VPID_CAP, 0x00000d0106334141ull);      /* no bit 41 */
    assert_true(negotiate(f));
    assert_false(f->ctl.vpid);
    assert_int_equal(f->ctl.secondary, BOCHS_SECONDARY & ~VMX_PROC2_VPID);
    ASSERT_LINES(&f->debug, "vmx: EPT/VPID capabilities: optional \"single-context INVVPID\" "
                            "(bit 41) not supported, VPID dropped");
}

static void test_allowed0_forces_bits(void **state)
{
    struct fixture *f = *state;

    synthetic_base(f);
    /* The CPU insists on RDTSC exiting, MOV-DR exiting and reserved bit 0. */
    set(f, MSR_IA32_VMX_TRUE_PROCBASED_CTLS, 0xf7f9ffff04807173ull);
    assert_true(negotiate(f));
    assert_int_equal(f->ctl.primary, BOCHS_PRIMARY | (1u << 0) | VMX_PROC_RDTSC_EXITING |
                                         VMX_PROC_MOV_DR_EXITING);
    assert_int_equal(f->err.count, 0);
    ASSERT_LINES(&f->debug,
                 "vmx: primary controls: reserved bit 0 forced to 1 by the CPU",
                 "vmx: primary controls: \"RDTSC exiting\" (bit 12) forced to 1 by the CPU",
                 "vmx: primary controls: \"MOV-DR exiting\" (bit 23) forced to 1 by the CPU");
}

static void test_allowed0_outside_allowed1(void **state)
{
    struct fixture *f = *state;

    synthetic_base(f);
    set(f, MSR_IA32_VMX_TRUE_EXIT_CTLS, 0x007fffff80036dfbull);     /* bit 31 must be 0 and 1 */
    assert_false(negotiate(f));
    ASSERT_LINES(&f->err, "vmx: exit controls: \"activate secondary controls\" (bit 31) must be "
                          "both 0 and 1 (inconsistent capability MSR)");
}

static void test_ept_without_2m_pages(void **state)
{
    struct fixture *f = *state;
    char line[DIAG_LINE_MAX];

    synthetic_base(f);
    set(f, MSR_IA32_VMX_EPT_VPID_CAP, 0x00000f0106324141ull);      /* no bit 16 */
    assert_true(negotiate(f));
    assert_false(f->ctl.ept_2m);
    assert_true(f->ctl.ept_1g);
    ASSERT_LINES(&f->debug, "vmx: EPT/VPID capabilities: optional \"2 MiB pages\" (bit 16) not "
                            "supported, dropped");
    vmx_controls_format(line, sizeof(line), &f->caps, &f->ctl);
    assert_non_null(strstr(line, ", ept 4-level wb 1G a/d, vpid,"));
}

static void test_ept_without_write_back(void **state)
{
    struct fixture *f = *state;

    synthetic_base(f);
    set(f, MSR_IA32_VMX_EPT_VPID_CAP, 0x00000f0106330141ull);      /* no bit 14 */
    assert_false(negotiate(f));
    ASSERT_LINES(&f->err, "vmx: EPT/VPID capabilities: required \"write-back memory type\" "
                          "(bit 14) not supported");
}

static void test_no_secondary_controls_but_ept_required(void **state)
{
    struct fixture *f = *state;

    synthetic_base(f);
    set(f, MSR_IA32_VMX_PROCBASED_CTLS, 0x77f9fffe0401e172ull);
    set(f, MSR_IA32_VMX_TRUE_PROCBASED_CTLS, 0x77f9fffe04006172ull);
    assert_false(vmx_caps_msr_exists(&f->raw, MSR_IA32_VMX_PROCBASED_CTLS2));
    assert_false(vmx_caps_msr_exists(&f->raw, MSR_IA32_VMX_EPT_VPID_CAP));
    assert_false(vmx_caps_msr_exists(&f->raw, MSR_IA32_VMX_VMFUNC));
    drop(f, MSR_IA32_VMX_PROCBASED_CTLS2);
    drop(f, MSR_IA32_VMX_EPT_VPID_CAP);
    drop(f, MSR_IA32_VMX_VMFUNC);
    assert_false(negotiate(f));
    assert_int_equal(f->caps.ctl[VMX_CTL_SECONDARY].allowed1, 0);
    ASSERT_LINES(&f->err,
                 "vmx: primary controls: required \"activate secondary controls\" (bit 31) not "
                 "supported",
                 "vmx: secondary controls: required \"enable EPT\" (bit 1) not supported",
                 "vmx: secondary controls: required \"enable RDTSCP\" (bit 3) not supported");
    assert_int_equal(f->debug.count, 5);    /* VPID, unrestricted guest, INVPCID, XSAVES, WBINVD */
}

static void test_decode_rejects(void **state)
{
    struct fixture *f = *state;

    synthetic_base(f);
    set(f, MSR_IA32_VMX_BASIC, 0x00c010000000002bull);     /* memory type UC */
    assert_false(vmx_caps_decode(&f->raw, &f->caps, &f->err.diag));
    synthetic_base(f);
    set(f, MSR_IA32_VMX_BASIC, 0x00d818000000002bull);     /* 6 KiB VMCS */
    assert_false(vmx_caps_decode(&f->raw, &f->caps, &f->err.diag));
    synthetic_base(f);
    drop(f, MSR_IA32_VMX_MISC);
    assert_false(vmx_caps_decode(&f->raw, &f->caps, &f->err.diag));
    ASSERT_LINES(&f->err, "vmx: VMCS memory type 0 not supported, need write-back (6)",
                 "vmx: VMCS region size 6144 not supported (1 to 4096 bytes)",
                 "vmx: capability MSR 0x485 was not read");
}

/* ---- IA32_FEATURE_CONTROL and CPUID -------------------------------------------------- */

static void test_feature_control(void **state)
{
    struct fixture *f = *state;
    const uint32_t vmx = CPUID_1_ECX_VMX;

    assert_int_equal(vmx_feature_control_check(vmx, 0x5, &f->err.diag), VMX_FC_OK);
    assert_int_equal(vmx_feature_control_check(vmx, 0x0, &f->err.diag), VMX_FC_ENABLE_AND_LOCK);
    assert_int_equal(vmx_feature_control_check(vmx, 0x4, &f->err.diag), VMX_FC_ENABLE_AND_LOCK);
    assert_int_equal(f->err.count, 0);
    assert_int_equal(vmx_feature_control_enable_value(0x0), 0x5);
    assert_int_equal(vmx_feature_control_enable_value(0x2), 0x7);
    assert_int_equal(vmx_feature_control_enable_value(0x100000), 0x100005);
}

#define FC_LOCKED_LINE  "vmx: IA32_FEATURE_CONTROL is locked with VMX disabled: enable Intel " \
                        "Virtualization Technology (VT-x) in the firmware setup"

static void test_feature_control_locked_without_vmx(void **state)
{
    struct fixture *f = *state;

    assert_int_equal(vmx_feature_control_check(CPUID_1_ECX_VMX, 0x1, &f->err.diag),
                     VMX_FC_DISABLED);
    assert_int_equal(vmx_feature_control_check(CPUID_1_ECX_VMX, 0x3, &f->err.diag),
                     VMX_FC_DISABLED);      /* VMX inside SMX only is of no use here */
    ASSERT_LINES(&f->err, FC_LOCKED_LINE, FC_LOCKED_LINE);
}

/* Unlocked and written: it must read back locked with VMX outside SMX, else VMX stays off. */
static void test_feature_control_enable_takes(void **state)
{
    struct fixture *f = *state;

    assert_true(vmx_feature_control_enabled(0x0, 0x5, 0x5, &f->err.diag, &f->debug.diag));
    assert_true(vmx_feature_control_enabled(0x2, 0x7, 0x7, &f->err.diag, &f->debug.diag));
    assert_false(vmx_feature_control_enabled(0x0, 0x5, 0x0, &f->err.diag, &f->debug.diag));
    assert_false(vmx_feature_control_enabled(0x0, 0x5, 0x1, &f->err.diag, &f->debug.diag));
    ASSERT_LINES(&f->err,
                 "vmx: IA32_FEATURE_CONTROL reads 0x0 after writing 0x5: VMX stays disabled",
                 "vmx: IA32_FEATURE_CONTROL reads 0x1 after writing 0x5: VMX stays disabled");
    ASSERT_LINES(&f->debug,
                 "vmx: IA32_FEATURE_CONTROL was 0x0 (unlocked), now 0x5: VMX outside SMX "
                 "enabled and locked",
                 "vmx: IA32_FEATURE_CONTROL was 0x2 (unlocked), now 0x7: VMX outside SMX "
                 "enabled and locked");
}

static void test_cpuid_without_vmx(void **state)
{
    struct fixture *f = *state;

    assert_int_equal(vmx_feature_control_check(0x77faf39f, 0x5, &f->err.diag), VMX_FC_NO_VMX);
    ASSERT_LINES(&f->err, "vmx: this CPU has no VMX (CPUID.1:ECX[5] = 0)");
    synthetic_base(f);
    f->raw.cpuid1_ecx = 0;
    assert_false(vmx_caps_msr_exists(&f->raw, MSR_IA32_VMX_BASIC));
}

/* ---- CR0/CR4 fixed bits -------------------------------------------------------------- */

static void test_cr_fixed_adjust(void **state)
{
    struct fixture *f = *state;
    struct vmx_cr_adjust adj;

    synthetic_base(f);
    assert_true(vmx_caps_decode(&f->raw, &f->caps, &f->err.diag));
    assert_true(vmx_cr0_apply_fixed_host(&f->caps, 0x00000011, &adj));     /* PE | ET */
    assert_int_equal(adj.value, 0x80000031);
    assert_int_equal(adj.set, 0x80000020);
    assert_int_equal(adj.cleared, 0);
    assert_true(vmx_cr4_apply_fixed(&f->caps, 0x000006a0, &adj));
    assert_int_equal(adj.value, 0x000026a0);                            /* + VMXE */
    assert_false(vmx_cr4_apply_fixed(&f->caps, 0x00402020, &adj));      /* bit 22 not allowed */
    assert_int_equal(adj.value, 0x00002020);
    assert_int_equal(adj.cleared, 0x00400000);
    /* Unrestricted guest relaxes PE and PG for the guest, never for VMXON. */
    assert_true(vmx_cr0_apply_fixed_guest(&f->caps, true, 0x00000010, &adj));
    assert_int_equal(adj.value, 0x00000030);
    assert_true(vmx_cr0_apply_fixed_guest(&f->caps, false, 0x00000010, &adj));
    assert_int_equal(adj.value, 0x80000031);
    assert_true(vmx_cr0_apply_fixed_host(&f->caps, 0, &adj));
    assert_int_equal(adj.value, 0x80000021);
    assert_false(vmx_cr_apply_fixed(0, 0x1, 0x0, &adj));               /* MSRs contradict */
}

/* ---- comparing CPUs, the summary line ----------------------------------------------- */

static void test_compare_controls(void **state)
{
    struct fixture *f = *state;
    struct vmx_controls boot = { .pin = 0x7f, .secondary = 0xab, .ept_1g = true };
    struct vmx_controls cpu = boot;

    assert_true(vmx_controls_compare(&boot, &cpu, 1, &f->err.diag));
    cpu.secondary = 0xaa;
    cpu.ept_1g = false;
    assert_false(vmx_controls_compare(&boot, &cpu, 1, &f->err.diag));
    cpu.secondary = boot.secondary;
    assert_false(vmx_controls_compare(&boot, &cpu, 2, &f->err.diag));
    cpu.ept_1g = true;
    cpu.preemption_timer_rate = 5;
    assert_false(vmx_controls_compare(&boot, &cpu, 3, &f->err.diag));
    ASSERT_LINES(&f->err,
                 "vmx: cpu 1: secondary controls 0x000000aa differ from the boot CPU's 0x000000ab",
                 "vmx: cpu 2: EPT 1 GiB pages absent, on the boot CPU present",
                 "vmx: cpu 3: preemption timer rate 5 differs from the boot CPU's 0");
}

static void test_summary_fits_a_diag_line(void **state)
{
    struct fixture *f = *state;
    char line[256];

    synthetic_base(f);
    assert_true(negotiate(f));
    f->caps.revision_id = 0x7fffffff;
    f->ctl.preemption_timer_rate = 31;
    assert_true(vmx_controls_format(line, sizeof(line), &f->caps, &f->ctl) < DIAG_LINE_MAX);
}

/* ---- names --------------------------------------------------------------------------- */

static void test_names(void **state)
{
    (void)state;
    assert_string_equal(vmx_ctl_field_name(VMX_CTL_SECONDARY), "secondary controls");
    assert_string_equal(vmx_ctl_bit_name(VMX_CTL_SECONDARY, 1), "enable EPT");
    assert_string_equal(vmx_ctl_bit_name(VMX_CTL_PRIMARY, 31), "activate secondary controls");
    assert_string_equal(vmx_ctl_bit_name(VMX_CTL_ENTRY, 9), "IA-32e mode guest");
    assert_null(vmx_ctl_bit_name(VMX_CTL_SECONDARY, 29));
    assert_null(vmx_ctl_bit_name(VMX_CTL_PIN, 32));
    assert_string_equal(vmx_ept_vpid_cap_name(43), "single-context-retaining-globals INVVPID");
    assert_null(vmx_ept_vpid_cap_name(1));
    /* No default1 bit is both named and reserved, except the known ones (A.3.2, A.4, A.5). */
    assert_int_equal(vmx_ctl_reserved_default1(VMX_CTL_PRIMARY),
                     VMX_PROC_DEFAULT1 & ~(VMX_PROC_CR3_LOAD_EXITING | VMX_PROC_CR3_STORE_EXITING));
    assert_int_equal(vmx_ctl_reserved_default1(VMX_CTL_EXIT),
                     VMX_EXIT_DEFAULT1 & ~VMX_EXIT_SAVE_DEBUG_CONTROLS);
    assert_int_equal(vmx_ctl_reserved_default1(VMX_CTL_ENTRY),
                     VMX_ENTRY_DEFAULT1 & ~VMX_ENTRY_LOAD_DEBUG_CONTROLS);
    assert_int_equal(vmx_ctl_reserved_default1(VMX_CTL_PIN), VMX_PIN_DEFAULT1);
}

static void test_instruction_error_names(void **state)
{
    (void)state;
    for (uint32_t e = 1; e <= VMX_INSTRUCTION_ERROR_MAX; e++) {
        bool defined = e != 14 && e != 21 && e != 27;

        assert_int_equal(strcmp(vmx_instruction_error_name(e), "unknown error") != 0, defined);
    }
    assert_string_equal(vmx_instruction_error_name(7), "VM entry with invalid control field(s)");
    assert_string_equal(vmx_instruction_error_name(8),
                        "VM entry with invalid host-state field(s)");
    assert_string_equal(vmx_instruction_error_name(28), "invalid operand to INVEPT/INVVPID");
    assert_string_equal(vmx_instruction_error_name(0), "unknown error");
    assert_string_equal(vmx_instruction_error_name(29), "unknown error");
    assert_string_equal(vmx_instruction_error_name(UINT32_MAX), "unknown error");
}

#define T(name) cmocka_unit_test_setup_teardown(name, fixture_setup, fixture_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_bochs_skylake_x),
        T(test_bochs_icelake_u),
        T(test_bochs_tigerlake),
        T(test_default1_matches_plain_msrs),
        T(test_synthetic_base_matches_bochs),
        T(test_no_true_msrs_forces_default1),
        T(test_required_bit_missing),
        T(test_required_preemption_timer_missing),
        T(test_optional_bits_missing),
        T(test_ia32e_mode_guest_missing),
        T(test_vpid_without_single_context_invvpid),
        T(test_allowed0_forces_bits),
        T(test_allowed0_outside_allowed1),
        T(test_ept_without_2m_pages),
        T(test_ept_without_write_back),
        T(test_no_secondary_controls_but_ept_required),
        T(test_decode_rejects),
        T(test_feature_control),
        T(test_feature_control_locked_without_vmx),
        T(test_feature_control_enable_takes),
        T(test_cpuid_without_vmx),
        T(test_cr_fixed_adjust),
        T(test_compare_controls),
        T(test_summary_fits_a_diag_line),
        T(test_names),
        T(test_instruction_error_names),
    };

    return cmocka_run_group_tests_name("vmx_caps", tests, NULL, NULL);
}
