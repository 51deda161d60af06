/* Helpers for tests/unit/test_vmx_caps.c: capturing diagnostics and reading the Bochs
 * capability MSRs from ../shared/reference/bochs-vmx-msrs.txt. Included once. */
#ifndef TESTS_UNIT_VMX_CAPS_HELPERS_H
#define TESTS_UNIT_VMX_CAPS_HELPERS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "vmx/caps.h"

#define REFERENCE_PATH "../shared/reference/bochs-vmx-msrs.txt"
#include "tests/unit/diag_sink.h"

/* ---- the reference file: "[model]" sections of "CPUID.1 ...", "IA32_FEATURE_CONTROL(0x3a)=",
 * "msr 0x4xx = 0x..." lines ---------------------------------------------------------- */

static void load_model(const char *model, struct vmx_caps_raw *raw)
{
    FILE *file = fopen(REFERENCE_PATH, "r");
    char line[256], header[64];
    bool in_model = false, found = false, have_cpuid = false, have_fc = false;

    if (!file)
        fail_msg("cannot open %s: run the unit tests from the repository root with shared/ "
                 "checked out beside it", REFERENCE_PATH);
    *raw = (struct vmx_caps_raw){ 0 };
    snprintf(header, sizeof(header), "[%s]", model);
    while (fgets(line, sizeof(line), file)) {
        unsigned eax, ecx, msr;
        unsigned long long value;

        line[strcspn(line, "\r\n")] = '\0';
        if (line[0] == '[') {
            in_model = strcmp(line, header) == 0;
            found |= in_model;
            continue;
        }
        if (!in_model || line[0] == '\0' || line[0] == '#')
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
            fail_msg("%s: [%s]: cannot parse \"%s\"", REFERENCE_PATH, model, line);
        }
    }
    fclose(file);
    if (!found || !have_cpuid || !have_fc)
        fail_msg("%s: model [%s] missing or incomplete", REFERENCE_PATH, model);
}

/* Bochs read every MSR that exists, and only those (A.3.3, A.10, A.1, A.11). */
static void assert_presence_follows_rules(const struct vmx_caps_raw *raw)
{
    for (uint32_t msr = VMX_CAPS_MSR_FIRST; msr <= VMX_CAPS_MSR_LAST; msr++)
        assert_int_equal(vmx_caps_msr_exists(raw, msr),
                         (raw->present >> (msr - VMX_CAPS_MSR_FIRST)) & 1);
}

#endif
