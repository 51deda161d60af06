/* Helpers for the VMX capability tests: the per-test state with captured diagnostics, and a
 * CPU's capability MSRs from tests/unit/fixtures/vmx/<name>.txt (SDM Vol. 3D, App. A).
 * Included once. */
#ifndef TESTS_UNIT_VMX_CAPS_HELPERS_H
#define TESTS_UNIT_VMX_CAPS_HELPERS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "vmx/caps.h"

/* Relative to the repository root, where the unit tests run (tests/run.py, make unit-test). */
#define VMX_FIXTURE_DIR "tests/unit/fixtures/vmx"
#include "tests/unit/diag_sink.h"

/* ---- a fixture: "CPUID.1 ...", "IA32_FEATURE_CONTROL(0x3a)=", "msr 0x4xx = 0x..." lines, and
 * comments starting with '#' (the first says where the values came from) ------------------ */

static void load_fixture(const char *name, struct vmx_caps_raw *raw)
{
    char path[256], line[256];
    bool have_cpuid = false, have_fc = false;
    FILE *file;

    snprintf(path, sizeof(path), "%s/%s.txt", VMX_FIXTURE_DIR, name);
    file = fopen(path, "r");
    if (!file)
        fail_msg("cannot open %s: run the unit tests from the repository root", path);
    *raw = (struct vmx_caps_raw){ 0 };
    while (fgets(line, sizeof(line), file)) {
        unsigned eax, ecx, msr;
        unsigned long long value;

        line[strcspn(line, "\r\n")] = '\0';
        if (line[0] == '\0' || line[0] == '#')
            continue;
        if (sscanf(line, "CPUID.1 eax=%x ecx=%x", &eax, &ecx) == 2) {
            raw->cpuid1_ecx = ecx;
            have_cpuid = true;
        } else if (sscanf(line, "IA32_FEATURE_CONTROL(0x3a)=%llx", &value) == 1) {
            raw->feature_control = value;
            have_fc = true;
        } else if (sscanf(line, "msr %x = %llx", &msr, &value) == 2) {
            assert_true(msr >= VMX_CAPS_MSR_FIRST && msr <= VMX_CAPS_MSR_LAST);
            vmx_caps_raw_set(raw, msr, value);
        } else {
            fclose(file);
            fail_msg("%s: cannot parse \"%s\"", path, line);
        }
    }
    fclose(file);
    if (!have_cpuid || !have_fc)
        fail_msg("%s: no CPUID.1 or IA32_FEATURE_CONTROL line", path);
}

/* ---- the state each test gets: captured diagnostics, the raw MSRs, what they negotiate -- */

struct fixture {
    struct sink err, debug;
    struct vmx_caps_raw raw;
    struct vmx_caps caps;
    struct vmx_controls ctl;
};

static int fixture_setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));

    if (!f)
        return -1;
    f->err.diag = (struct diag){ capture_line, &f->err };
    f->debug.diag = (struct diag){ capture_line, &f->debug };
    *state = f;
    return 0;
}

static int fixture_teardown(void **state)
{
    free(*state);
    return 0;
}

/* Decodes f->raw (which must decode) and negotiates the hypervisor's controls. */
static bool negotiate(struct fixture *f)
{
    assert_true(vmx_caps_decode(&f->raw, &f->caps, &f->err.diag));
    return vmx_negotiate_hypervisor_controls(&f->caps, &f->ctl, &f->err.diag, &f->debug.diag);
}

/* A CPU that offers everything the policy takes (Bochs' models, nested KVM): every optional
 * feature obtained, and no CR3 exits forced. */
static void assert_every_feature(const struct vmx_controls *ctl)
{
    assert_true(ctl->preemption_timer && ctl->save_preemption_timer && ctl->virtual_nmis &&
                ctl->hlt_exiting && ctl->unrestricted_guest && ctl->vpid && ctl->invpcid &&
                ctl->xsaves && ctl->ia32e_mode_guest && ctl->ept_2m && ctl->ept_1g &&
                ctl->ept_accessed_dirty && ctl->ept_execute_only);
    assert_false(ctl->cr3_exiting);
}

/* The fixture holds every MSR that exists, and only those (A.3.3, A.10, A.1, A.11). */
static void assert_presence_follows_rules(const struct vmx_caps_raw *raw)
{
    for (uint32_t msr = VMX_CAPS_MSR_FIRST; msr <= VMX_CAPS_MSR_LAST; msr++)
        assert_int_equal(vmx_caps_msr_exists(raw, msr),
                         (raw->present >> (msr - VMX_CAPS_MSR_FIRST)) & 1);
}

#endif
