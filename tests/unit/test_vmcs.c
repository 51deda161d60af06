/* Host unit tests for the VMCS field table (vmx/vmcs_fields.*), the VMCS dump (vmx/vmcs_dump.c)
 * and the exit-reason names and qualification decoders (vmx/exit_reasons.c), against the
 * Intel SDM Vol. 3C 25.11.2, Vol. 3D Appendices B and C, and Vol. 3C 28.2.1. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "vmx/exit_reasons.h"
#include "vmx/vmcs.h"           /* not called here: built on the host to catch mistakes */
#include "vmx/vmcs_dump.h"
#include "vmx/vmcs_fields.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* ---- the .def file, read again with its group markers ------------------------------- */

struct def_row {
    bool group;                 /* a VMCS_GROUP() line: width and type of the rows below */
    uint32_t width, type;
    uint32_t encoding;
    const char *name;
    enum vmcs_area area;
};

static const struct def_row def_rows[] = {
#define VMCS_GROUP(width, type) { true, VMCS_##width, VMCS_TYPE_##type, 0, NULL, 0 },
#define VMCS_FIELD(name, encoding, display, area) \
    { false, 0, 0, (encoding), #name, VMCS_AREA_##area },
#include "vmx/vmcs_fields.def"
};

/* Encodings typed from the SDM (Vol. 3D, Appendix B, Tables B-1 to B-12), not from the .def:
 * the generated enum and table must agree with the manual, field by field. */
static const struct { enum vmcs_field field; uint32_t sdm; } sdm_encodings[] = {
    { VMCS_CTRL_EXEC_VPID, 0x0000 },
    { VMCS_GUEST_ES_SELECTOR, 0x0800 }, { VMCS_GUEST_CS_SELECTOR, 0x0802 },
    { VMCS_GUEST_SS_SELECTOR, 0x0804 }, { VMCS_GUEST_DS_SELECTOR, 0x0806 },
    { VMCS_GUEST_FS_SELECTOR, 0x0808 }, { VMCS_GUEST_GS_SELECTOR, 0x080A },
    { VMCS_GUEST_LDTR_SELECTOR, 0x080C }, { VMCS_GUEST_TR_SELECTOR, 0x080E },
    { VMCS_HOST_ES_SELECTOR, 0x0C00 }, { VMCS_HOST_CS_SELECTOR, 0x0C02 },
    { VMCS_HOST_TR_SELECTOR, 0x0C0C },
    { VMCS_CTRL_EXEC_IO_BITMAP_A, 0x2000 }, { VMCS_CTRL_EXEC_IO_BITMAP_B, 0x2002 },
    { VMCS_CTRL_EXEC_MSR_BITMAP, 0x2004 }, { VMCS_CTRL_EXIT_MSR_STORE_ADDRESS, 0x2006 },
    { VMCS_CTRL_EXIT_MSR_LOAD_ADDRESS, 0x2008 }, { VMCS_CTRL_ENTRY_MSR_LOAD_ADDRESS, 0x200A },
    { VMCS_CTRL_EXEC_TSC_OFFSET, 0x2010 }, { VMCS_CTRL_EXEC_EPTP, 0x201A },
    { VMCS_EXIT_INFO_GUEST_PHYSICAL_ADDRESS, 0x2400 },
    { VMCS_GUEST_VMCS_LINK_POINTER, 0x2800 }, { VMCS_GUEST_IA32_DEBUGCTL, 0x2802 },
    { VMCS_GUEST_IA32_PAT, 0x2804 }, { VMCS_GUEST_IA32_EFER, 0x2806 },
    { VMCS_GUEST_PDPTE0, 0x280A }, { VMCS_GUEST_PDPTE3, 0x2810 },
    { VMCS_HOST_IA32_PAT, 0x2C00 }, { VMCS_HOST_IA32_EFER, 0x2C02 },
    { VMCS_CTRL_EXEC_PIN_BASED, 0x4000 }, { VMCS_CTRL_EXEC_PRIMARY_PROC_BASED, 0x4002 },
    { VMCS_CTRL_EXEC_EXCEPTION_BITMAP, 0x4004 }, { VMCS_CTRL_EXEC_CR3_TARGET_COUNT, 0x400A },
    { VMCS_CTRL_EXIT_CONTROLS, 0x400C }, { VMCS_CTRL_EXIT_MSR_STORE_COUNT, 0x400E },
    { VMCS_CTRL_EXIT_MSR_LOAD_COUNT, 0x4010 }, { VMCS_CTRL_ENTRY_CONTROLS, 0x4012 },
    { VMCS_CTRL_ENTRY_MSR_LOAD_COUNT, 0x4014 }, { VMCS_CTRL_ENTRY_INTERRUPTION_INFO, 0x4016 },
    { VMCS_CTRL_ENTRY_EXCEPTION_ERROR_CODE, 0x4018 },
    { VMCS_CTRL_ENTRY_INSTRUCTION_LENGTH, 0x401A },
    { VMCS_CTRL_EXEC_SECONDARY_PROC_BASED, 0x401E },
    { VMCS_EXIT_INFO_VM_INSTRUCTION_ERROR, 0x4400 }, { VMCS_EXIT_INFO_EXIT_REASON, 0x4402 },
    { VMCS_EXIT_INFO_INTERRUPTION_INFO, 0x4404 },
    { VMCS_EXIT_INFO_INTERRUPTION_ERROR_CODE, 0x4406 },
    { VMCS_EXIT_INFO_IDT_VECTORING_INFO, 0x4408 },
    { VMCS_EXIT_INFO_IDT_VECTORING_ERROR_CODE, 0x440A },
    { VMCS_EXIT_INFO_INSTRUCTION_LENGTH, 0x440C },
    { VMCS_GUEST_ES_LIMIT, 0x4800 }, { VMCS_GUEST_GDTR_LIMIT, 0x4810 },
    { VMCS_GUEST_IDTR_LIMIT, 0x4812 }, { VMCS_GUEST_ES_ACCESS_RIGHTS, 0x4814 },
    { VMCS_GUEST_CS_ACCESS_RIGHTS, 0x4816 }, { VMCS_GUEST_SS_ACCESS_RIGHTS, 0x4818 },
    { VMCS_GUEST_TR_ACCESS_RIGHTS, 0x4822 },
    { VMCS_GUEST_INTERRUPTIBILITY_STATE, 0x4824 }, { VMCS_GUEST_ACTIVITY_STATE, 0x4826 },
    { VMCS_GUEST_IA32_SYSENTER_CS, 0x482A }, { VMCS_GUEST_PREEMPTION_TIMER_VALUE, 0x482E },
    { VMCS_HOST_IA32_SYSENTER_CS, 0x4C00 },
    { VMCS_CTRL_EXEC_CR0_GUEST_HOST_MASK, 0x6000 }, { VMCS_CTRL_EXEC_CR4_GUEST_HOST_MASK, 0x6002 },
    { VMCS_CTRL_EXEC_CR0_READ_SHADOW, 0x6004 }, { VMCS_CTRL_EXEC_CR4_READ_SHADOW, 0x6006 },
    { VMCS_EXIT_INFO_QUALIFICATION, 0x6400 }, { VMCS_EXIT_INFO_GUEST_LINEAR_ADDRESS, 0x640A },
    { VMCS_GUEST_CR0, 0x6800 }, { VMCS_GUEST_CR3, 0x6802 }, { VMCS_GUEST_CR4, 0x6804 },
    { VMCS_GUEST_ES_BASE, 0x6806 }, { VMCS_GUEST_CS_BASE, 0x6808 },
    { VMCS_GUEST_TR_BASE, 0x6814 }, { VMCS_GUEST_GDTR_BASE, 0x6816 },
    { VMCS_GUEST_IDTR_BASE, 0x6818 }, { VMCS_GUEST_DR7, 0x681A }, { VMCS_GUEST_RSP, 0x681C },
    { VMCS_GUEST_RIP, 0x681E }, { VMCS_GUEST_RFLAGS, 0x6820 },
    { VMCS_GUEST_PENDING_DEBUG_EXCEPTIONS, 0x6822 },
    { VMCS_HOST_CR0, 0x6C00 }, { VMCS_HOST_CR3, 0x6C02 }, { VMCS_HOST_CR4, 0x6C04 },
    { VMCS_HOST_FS_BASE, 0x6C06 }, { VMCS_HOST_GS_BASE, 0x6C08 }, { VMCS_HOST_TR_BASE, 0x6C0A },
    { VMCS_HOST_GDTR_BASE, 0x6C0C }, { VMCS_HOST_IDTR_BASE, 0x6C0E },
    { VMCS_HOST_RSP, 0x6C14 }, { VMCS_HOST_RIP, 0x6C16 },
};

static void test_encodings_from_the_sdm(void **state)
{
    (void)state;
    for (size_t i = 0; i < ARRAY_SIZE(sdm_encodings); i++) {
        assert_int_equal((uint32_t)sdm_encodings[i].field, sdm_encodings[i].sdm);
        assert_non_null(vmcs_field_lookup(sdm_encodings[i].field));
    }
    print_message("  %zu encodings checked against the SDM, %zu VMCS fields in all\n",
                  ARRAY_SIZE(sdm_encodings), vmcs_field_count);
}

/* Each field sits under the appendix table (VMCS_GROUP) its width and type bits name, and the
 * tables come in the appendix's order: widths 16, 64, 32, natural; then control, read-only,
 * guest, host. */
static void test_fields_listed_in_their_width_group(void **state)
{
    const struct def_row *group = NULL;
    int last_group = -1;

    (void)state;
    for (size_t i = 0; i < ARRAY_SIZE(def_rows); i++) {
        const struct def_row *r = &def_rows[i];

        if (r->group) {
            int key = (int)(r->width * 4 + r->type);

            assert_true(key > last_group);
            last_group = key;
            group = r;
            continue;
        }
        assert_non_null(group);
        if (VMCS_FIELD_WIDTH(r->encoding) != group->width ||
            VMCS_FIELD_TYPE(r->encoding) != group->type)
            fail_msg("%s (0x%04x) listed under width %u type %u", r->name, r->encoding,
                     group->width, group->type);
    }
    assert_int_equal(last_group, VMCS_WIDTH_NATURAL * 4 + VMCS_TYPE_HOST);
}

/* Type bits 11:10 and the area agree with the name's prefix. */
static void test_type_bits_match_name(void **state)
{
    static const struct {
        const char *prefix;
        uint32_t type;
        enum vmcs_area area;
    } prefixes[] = {
        { "VMCS_GUEST_", VMCS_TYPE_GUEST, VMCS_AREA_GUEST },
        { "VMCS_HOST_", VMCS_TYPE_HOST, VMCS_AREA_HOST },
        { "VMCS_EXIT_INFO_", VMCS_TYPE_READ_ONLY, VMCS_AREA_EXIT_INFO },
        { "VMCS_CTRL_EXEC_", VMCS_TYPE_CONTROL, VMCS_AREA_CTRL_EXEC },
        { "VMCS_CTRL_EXIT_", VMCS_TYPE_CONTROL, VMCS_AREA_CTRL_EXIT },
        { "VMCS_CTRL_ENTRY_", VMCS_TYPE_CONTROL, VMCS_AREA_CTRL_ENTRY },
    };
    unsigned per_area[VMCS_AREA_COUNT] = { 0 };

    (void)state;
    for (size_t i = 0; i < vmcs_field_count; i++) {
        const struct vmcs_field_info *f = &vmcs_field_table[i];
        size_t p;

        for (p = 0; p < ARRAY_SIZE(prefixes); p++)
            if (strncmp(f->name, prefixes[p].prefix, strlen(prefixes[p].prefix)) == 0)
                break;
        if (p == ARRAY_SIZE(prefixes))
            fail_msg("%s: no area prefix", f->name);
        if (VMCS_FIELD_TYPE(f->encoding) != prefixes[p].type || f->area != prefixes[p].area)
            fail_msg("%s (0x%04x): type %u area %d", f->name, f->encoding,
                     VMCS_FIELD_TYPE(f->encoding), f->area);
        per_area[f->area]++;
    }
    for (unsigned a = 0; a < VMCS_AREA_COUNT; a++)
        assert_true(per_area[a] > 0);
}

/* Widths from the appendix's tables, written here independently of the .def. */
static void test_width_sample(void **state)
{
    enum { W16 = VMCS_WIDTH_16, W32 = VMCS_WIDTH_32, W64 = VMCS_WIDTH_64,
           WN = VMCS_WIDTH_NATURAL };
    static const struct {
        enum vmcs_field field;
        uint32_t encoding;
        uint32_t width;
    } sample[] = {
        { VMCS_CTRL_EXEC_VPID, 0x0000, W16 },
        { VMCS_CTRL_EXEC_POSTED_INTR_VECTOR, 0x0002, W16 },
        { VMCS_GUEST_ES_SELECTOR, 0x0800, W16 },
        { VMCS_GUEST_TR_SELECTOR, 0x080E, W16 },
        { VMCS_GUEST_INTERRUPT_STATUS, 0x0810, W16 },
        { VMCS_GUEST_PML_INDEX, 0x0812, W16 },
        { VMCS_HOST_CS_SELECTOR, 0x0C02, W16 },
        { VMCS_HOST_TR_SELECTOR, 0x0C0C, W16 },
        { VMCS_CTRL_EXEC_IO_BITMAP_A, 0x2000, W64 },
        { VMCS_CTRL_EXEC_MSR_BITMAP, 0x2004, W64 },
        { VMCS_CTRL_EXIT_MSR_STORE_ADDRESS, 0x2006, W64 },
        { VMCS_CTRL_ENTRY_MSR_LOAD_ADDRESS, 0x200A, W64 },
        { VMCS_CTRL_EXEC_TSC_OFFSET, 0x2010, W64 },
        { VMCS_CTRL_EXEC_EPTP, 0x201A, W64 },
        { VMCS_EXIT_INFO_GUEST_PHYSICAL_ADDRESS, 0x2400, W64 },
        { VMCS_GUEST_VMCS_LINK_POINTER, 0x2800, W64 },
        { VMCS_GUEST_IA32_EFER, 0x2806, W64 },
        { VMCS_GUEST_PDPTE3, 0x2810, W64 },
        { VMCS_HOST_IA32_PAT, 0x2C00, W64 },
        { VMCS_HOST_IA32_PERF_GLOBAL_CTRL, 0x2C04, W64 },
        { VMCS_CTRL_EXEC_PIN_BASED, 0x4000, W32 },
        { VMCS_CTRL_EXEC_PRIMARY_PROC_BASED, 0x4002, W32 },
        { VMCS_CTRL_EXEC_EXCEPTION_BITMAP, 0x4004, W32 },
        { VMCS_CTRL_EXIT_CONTROLS, 0x400C, W32 },
        { VMCS_CTRL_ENTRY_CONTROLS, 0x4012, W32 },
        { VMCS_CTRL_ENTRY_INTERRUPTION_INFO, 0x4016, W32 },
        { VMCS_CTRL_EXEC_SECONDARY_PROC_BASED, 0x401E, W32 },
        { VMCS_EXIT_INFO_VM_INSTRUCTION_ERROR, 0x4400, W32 },
        { VMCS_EXIT_INFO_EXIT_REASON, 0x4402, W32 },
        { VMCS_EXIT_INFO_INSTRUCTION_LENGTH, 0x440C, W32 },
        { VMCS_GUEST_ES_LIMIT, 0x4800, W32 },
        { VMCS_GUEST_CS_ACCESS_RIGHTS, 0x4816, W32 },
        { VMCS_GUEST_INTERRUPTIBILITY_STATE, 0x4824, W32 },
        { VMCS_GUEST_ACTIVITY_STATE, 0x4826, W32 },
        { VMCS_GUEST_IA32_SYSENTER_CS, 0x482A, W32 },
        { VMCS_GUEST_PREEMPTION_TIMER_VALUE, 0x482E, W32 },
        { VMCS_HOST_IA32_SYSENTER_CS, 0x4C00, W32 },
        { VMCS_CTRL_EXEC_CR0_GUEST_HOST_MASK, 0x6000, WN },
        { VMCS_CTRL_EXEC_CR4_READ_SHADOW, 0x6006, WN },
        { VMCS_CTRL_EXEC_CR3_TARGET_VALUE3, 0x600E, WN },
        { VMCS_EXIT_INFO_QUALIFICATION, 0x6400, WN },
        { VMCS_EXIT_INFO_GUEST_LINEAR_ADDRESS, 0x640A, WN },
        { VMCS_GUEST_CR0, 0x6800, WN },
        { VMCS_GUEST_GDTR_BASE, 0x6816, WN },
        { VMCS_GUEST_RSP, 0x681C, WN },
        { VMCS_GUEST_RIP, 0x681E, WN },
        { VMCS_GUEST_RFLAGS, 0x6820, WN },
        { VMCS_GUEST_PENDING_DEBUG_EXCEPTIONS, 0x6822, WN },
        { VMCS_HOST_CR3, 0x6C02, WN },
        { VMCS_HOST_TR_BASE, 0x6C0A, WN },
        { VMCS_HOST_RSP, 0x6C14, WN },
        { VMCS_HOST_RIP, 0x6C16, WN },
    };

    (void)state;
    assert_true(ARRAY_SIZE(sample) >= 30);
    for (size_t i = 0; i < ARRAY_SIZE(sample); i++) {
        const struct vmcs_field_info *f = vmcs_field_lookup(sample[i].field);

        assert_int_equal(sample[i].field, sample[i].encoding);
        assert_non_null(f);
        if (VMCS_FIELD_WIDTH(f->encoding) != sample[i].width)
            fail_msg("%s: width bits %u, expected %u", f->name, VMCS_FIELD_WIDTH(f->encoding),
                     sample[i].width);
    }
}

/* Full access (bit 0 = 0), reserved bits 0, encodings strictly ascending (so unique, and in the
 * appendix's order since width and type are its high bits), names unique. */
static void test_encodings_sorted_unique(void **state)
{
    (void)state;
    for (size_t i = 0; i < vmcs_field_count; i++) {
        const struct vmcs_field_info *f = &vmcs_field_table[i];

        assert_int_equal(VMCS_FIELD_ACCESS(f->encoding), 0);
        assert_int_equal(f->encoding & VMCS_FIELD_RESERVED_MASK, 0);
        if (i > 0 && f->encoding <= vmcs_field_table[i - 1].encoding)
            fail_msg("%s (0x%04x) not after %s (0x%04x)", f->name, f->encoding,
                     vmcs_field_table[i - 1].name, vmcs_field_table[i - 1].encoding);
        for (size_t j = 0; j < i; j++)
            if (strcmp(f->name, vmcs_field_table[j].name) == 0)
                fail_msg("%s listed twice", f->name);
        assert_true(strlen(f->name) - 5 <= VMCS_DUMP_NAME_WIDTH);
    }
}

static void test_field_macros_and_lookup(void **state)
{
    (void)state;
    assert_int_equal(VMCS_FIELD_WIDTH(VMCS_GUEST_CR0), VMCS_WIDTH_NATURAL);
    assert_int_equal(VMCS_FIELD_TYPE(VMCS_GUEST_CR0), VMCS_TYPE_GUEST);
    assert_int_equal(VMCS_FIELD_INDEX(VMCS_GUEST_RIP), 15);
    assert_int_equal(VMCS_FIELD_ACCESS(VMCS_CTRL_EXEC_EPTP + 1), 1);
    for (size_t i = 0; i < vmcs_field_count; i++)
        assert_ptr_equal(vmcs_field_lookup(vmcs_field_table[i].encoding), &vmcs_field_table[i]);
    assert_null(vmcs_field_lookup(VMCS_CTRL_EXEC_EPTP + 1));    /* the high half */
    assert_null(vmcs_field_lookup(0x482C));                     /* unused index */
    assert_null(vmcs_field_lookup(0xFFFFFFFF));
    assert_string_equal(vmcs_field_lookup(VMCS_GUEST_CR0)->display, "guest CR0");
}

static void test_area_names(void **state)
{
    (void)state;
    assert_string_equal(vmcs_area_name(VMCS_AREA_GUEST), "guest-state area");
    assert_string_equal(vmcs_area_name(VMCS_AREA_HOST), "host-state area");
    assert_string_equal(vmcs_area_name(VMCS_AREA_CTRL_EXEC), "VM-execution controls");
    assert_string_equal(vmcs_area_name(VMCS_AREA_CTRL_EXIT), "VM-exit controls");
    assert_string_equal(vmcs_area_name(VMCS_AREA_CTRL_ENTRY), "VM-entry controls");
    assert_string_equal(vmcs_area_name(VMCS_AREA_EXIT_INFO), "VM-exit information");
    assert_string_equal(vmcs_area_name(VMCS_AREA_COUNT), "unknown area");
}

/* ---- the dump, against a fake VMCS ---------------------------------------------------- */

#define MAX_LINES 64

struct fake_vmcs {
    const struct { uint32_t encoding; uint64_t value; } *fields;
    size_t count;
    char lines[MAX_LINES][VMCS_DUMP_LINE_MAX + 8];
    unsigned line_count;
};

static bool fake_read(void *ctx, uint32_t encoding, uint64_t *value)
{
    struct fake_vmcs *v = ctx;

    for (size_t i = 0; i < v->count; i++) {
        if (v->fields[i].encoding == encoding) {
            *value = v->fields[i].value;
            return true;
        }
    }
    return false;
}

static void fake_print(void *ctx, const char *line)
{
    struct fake_vmcs *v = ctx;

    assert_true(strlen(line) <= VMCS_DUMP_LINE_MAX);
    if (v->line_count < MAX_LINES)
        snprintf(v->lines[v->line_count], sizeof(v->lines[0]), "%s", line);
    v->line_count++;
}

static unsigned fields_in(enum vmcs_area area)
{
    unsigned n = 0;

    for (size_t i = 0; i < vmcs_field_count; i++)
        n += vmcs_field_table[i].area == area;
    return n;
}

#define FAKE(v, ...)                                                                    \
    do {                                                                                \
        static const struct { uint32_t encoding; uint64_t value; } fields_[] = {        \
            __VA_ARGS__ };                                                              \
        (v)->fields = (const void *)fields_;                                            \
        (v)->count = ARRAY_SIZE(fields_);                                               \
    } while (0)

static void assert_dump(const struct fake_vmcs *v, unsigned count, const char *const *expected)
{
    for (unsigned i = 0; i < v->line_count && i < MAX_LINES; i++)
        print_message("  %s\n", v->lines[i]);
    assert_int_equal(v->line_count, count);
    for (unsigned i = 0; i < count; i++)
        assert_string_equal(v->lines[i], expected[i]);
}

#define ASSERT_DUMP(v, ...)                                                         \
    do {                                                                            \
        const char *const expected_[] = { __VA_ARGS__ };                            \
        assert_dump((v), ARRAY_SIZE(expected_), expected_);                         \
    } while (0)

static void test_dump_guest_area(void **state)
{
    static struct fake_vmcs v;
    char skipped[80];
    unsigned missing = fields_in(VMCS_AREA_GUEST) - 6;

    (void)state;
    FAKE(&v, { VMCS_GUEST_RIP, 0xffffffff81000000ull }, { VMCS_GUEST_CR0, 0x80000031 },
         { VMCS_GUEST_CS_SELECTOR, 0x8 }, { VMCS_GUEST_IA32_EFER, 0x500 },
         { VMCS_GUEST_CS_LIMIT, 0xffffffff }, { VMCS_GUEST_ACTIVITY_STATE, 1 },
         { VMCS_HOST_RIP, 0x1000 });
    snprintf(skipped, sizeof(skipped), "vmcs: %u fields not readable, not shown", missing);
    assert_int_equal(vmcs_dump(VMCS_AREA_BIT(VMCS_AREA_GUEST), fake_read, &v, fake_print, &v),
                     missing);
    ASSERT_DUMP(&v,
        "vmcs: -- guest-state area --",
        "vmcs:   GUEST_CS_SELECTOR                  0x0008",
        "vmcs:   GUEST_IA32_EFER                    0x0000000000000500",
        "vmcs:   GUEST_CS_LIMIT                     0xffffffff",
        "vmcs:   GUEST_ACTIVITY_STATE               0x00000001  HLT",
        "vmcs:   GUEST_CR0                          0x0000000080000031",
        "vmcs:   GUEST_RIP                          0xffffffff81000000",
        skipped);
}

static void test_dump_controls_wrap(void **state)
{
    static struct fake_vmcs v;
    unsigned all = fields_in(VMCS_AREA_CTRL_EXEC) + fields_in(VMCS_AREA_CTRL_ENTRY);
    char skipped[80];

    (void)state;
    FAKE(&v, { VMCS_CTRL_EXEC_PIN_BASED, 0x7f }, { VMCS_CTRL_EXEC_VPID, 1 },
         { VMCS_CTRL_ENTRY_CONTROLS, 0xb3ff },
         { VMCS_CTRL_ENTRY_INTERRUPTION_INFO, 0x80000b0e });
    snprintf(skipped, sizeof(skipped), "vmcs: %u fields not readable, not shown", all - 4);
    vmcs_dump(VMCS_AREA_BIT(VMCS_AREA_CTRL_EXEC) | VMCS_AREA_BIT(VMCS_AREA_CTRL_ENTRY),
              fake_read, &v, fake_print, &v);
    ASSERT_DUMP(&v,
        "vmcs: -- VM-execution controls --",
        "vmcs:   CTRL_EXEC_VPID                     0x0001",
        "vmcs:   CTRL_EXEC_PIN_BASED                0x0000007f  external-interrupt exiting, "
        "NMI exiting,",
        "vmcs:                                      virtual NMIs, activate VMX-preemption timer",
        "vmcs: -- VM-entry controls --",
        "vmcs:   CTRL_ENTRY_CONTROLS                0x0000b3ff  load debug controls, "
        "IA-32e mode guest,",
        "vmcs:                                      load IA32_PERF_GLOBAL_CTRL, load IA32_EFER",
        "vmcs:   CTRL_ENTRY_INTERRUPTION_INFO       0x80000b0e  vector 14, hardware exception,",
        "vmcs:                                      error code valid",
        skipped);
}

static void test_dump_exit_information(void **state)
{
    static struct fake_vmcs v;
    unsigned missing = fields_in(VMCS_AREA_EXIT_INFO) - 4;
    char skipped[80];

    (void)state;
    FAKE(&v, { VMCS_EXIT_INFO_QUALIFICATION, 0x181 }, { VMCS_EXIT_INFO_EXIT_REASON, 48 },
         { VMCS_EXIT_INFO_GUEST_PHYSICAL_ADDRESS, 0xfee00000 },
         { VMCS_EXIT_INFO_VM_INSTRUCTION_ERROR, 0 });
    snprintf(skipped, sizeof(skipped), "vmcs: %u fields not readable, not shown", missing);
    vmcs_dump(VMCS_AREA_BIT(VMCS_AREA_EXIT_INFO), fake_read, &v, fake_print, &v);
    ASSERT_DUMP(&v,
        "vmcs: -- VM-exit information --",
        "vmcs:   EXIT_INFO_GUEST_PHYSICAL_ADDRESS   0x00000000fee00000",
        "vmcs:   EXIT_INFO_VM_INSTRUCTION_ERROR     0x00000000",
        "vmcs:   EXIT_INFO_EXIT_REASON              0x00000030  EPT violation (48)",
        "vmcs:   EXIT_INFO_QUALIFICATION            0x0000000000000181  read, EPT entry ---,",
        "vmcs:                                      linear-address translation",
        skipped);
}

/* A failed entry: the reason is too long for the value line; the qualification is not an
 * EPT violation's although the basic reason bits would say so. */
static void test_dump_entry_failure(void **state)
{
    static struct fake_vmcs v;

    (void)state;
    FAKE(&v, { VMCS_EXIT_INFO_EXIT_REASON, 0x80000021 }, { VMCS_EXIT_INFO_QUALIFICATION, 2 },
         { VMCS_EXIT_INFO_VM_INSTRUCTION_ERROR, 7 });
    v.line_count = 0;
    vmcs_dump(VMCS_AREA_BIT(VMCS_AREA_EXIT_INFO), fake_read, &v, fake_print, &v);
    assert_int_equal(v.line_count, 7);
    assert_string_equal(v.lines[1], "vmcs:   EXIT_INFO_VM_INSTRUCTION_ERROR     0x00000007  "
                                    "VM entry with invalid control field(s)");
    assert_string_equal(v.lines[2], "vmcs:   EXIT_INFO_EXIT_REASON              0x80000021");
    assert_string_equal(v.lines[3], "vmcs:                                      "
                                    "VM-entry failure due to invalid guest state (33),");
    assert_string_equal(v.lines[4], "vmcs:                                      "
                                    "VM-entry failure");
    assert_string_equal(v.lines[5], "vmcs:   EXIT_INFO_QUALIFICATION            "
                                    "0x0000000000000002");
}

/* Every area in order when all are asked for; nothing readable prints headers and the count. */
static void test_dump_all_areas_unreadable(void **state)
{
    static struct fake_vmcs v;
    char skipped[80];

    (void)state;
    v.fields = NULL;
    v.count = 0;
    snprintf(skipped, sizeof(skipped), "vmcs: %zu fields not readable, not shown",
             vmcs_field_count);
    assert_int_equal(vmcs_dump(VMCS_AREA_MASK_ALL, fake_read, &v, fake_print, &v),
                     vmcs_field_count);
    ASSERT_DUMP(&v,
        "vmcs: -- guest-state area --",
        "vmcs: -- host-state area --",
        "vmcs: -- VM-execution controls --",
        "vmcs: -- VM-exit controls --",
        "vmcs: -- VM-entry controls --",
        "vmcs: -- VM-exit information --",
        skipped);
}

/* ---- exit reasons and qualifications -------------------------------------------------- */

static void test_exit_reason_names(void **state)
{
    static const struct {
        uint32_t number;
        const char *name;
    } spot[] = {
        { VMX_EXIT_REASON_EXCEPTION_NMI, "exception or non-maskable interrupt (NMI)" },
        { VMX_EXIT_REASON_TRIPLE_FAULT, "triple fault" },
        { VMX_EXIT_REASON_CPUID, "CPUID" },
        { VMX_EXIT_REASON_HLT, "HLT" },
        { VMX_EXIT_REASON_VMCALL, "VMCALL" },
        { VMX_EXIT_REASON_CR_ACCESS, "control-register accesses" },
        { VMX_EXIT_REASON_IO_INSTRUCTION, "I/O instruction" },
        { VMX_EXIT_REASON_RDMSR, "RDMSR" },
        { VMX_EXIT_REASON_ENTRY_INVALID_GUEST, "VM-entry failure due to invalid guest state" },
        { VMX_EXIT_REASON_EPT_VIOLATION, "EPT violation" },
        { VMX_EXIT_REASON_EPT_MISCONFIG, "EPT misconfiguration" },
        { VMX_EXIT_REASON_PREEMPTION_TIMER, "VMX-preemption timer expired" },
        { VMX_EXIT_REASON_XSETBV, "XSETBV" },
        { VMX_EXIT_REASON_WRMSRLIST, "WRMSRLIST" },
    };
    static const uint32_t numbers[][2] = {      /* constant, Appendix C's number */
        { VMX_EXIT_REASON_CPUID, 10 }, { VMX_EXIT_REASON_CR_ACCESS, 28 },
        { VMX_EXIT_REASON_IO_INSTRUCTION, 30 }, { VMX_EXIT_REASON_MWAIT, 36 },
        { VMX_EXIT_REASON_MONITOR, 39 }, { VMX_EXIT_REASON_TPR_BELOW_THRESHOLD, 43 },
        { VMX_EXIT_REASON_EPT_VIOLATION, 48 }, { VMX_EXIT_REASON_XSETBV, 55 },
        { VMX_EXIT_REASON_TDCALL, 77 },
    };

    (void)state;
    for (size_t i = 0; i < ARRAY_SIZE(spot); i++)
        assert_string_equal(vmx_exit_reason_name(spot[i].number), spot[i].name);
    for (size_t i = 0; i < ARRAY_SIZE(numbers); i++)
        assert_int_equal(numbers[i][0], numbers[i][1]);
    for (uint32_t n = 0; n <= VMX_EXIT_REASON_MAX + 2; n++) {
        bool gap = n == 35 || n == 38 || n == 42 || n > VMX_EXIT_REASON_MAX;
        const char *name = vmx_exit_reason_name(n);

        if (gap != (strcmp(name, "unknown exit reason") == 0))
            fail_msg("exit reason %u: \"%s\"", n, name);
        for (uint32_t m = 0; m < n && !gap; m++)
            if (strcmp(name, vmx_exit_reason_name(m)) == 0)
                fail_msg("exit reasons %u and %u both \"%s\"", m, n, name);
    }
    assert_string_equal(vmx_exit_reason_name(0xFFFF), "unknown exit reason");
    assert_string_equal(vmx_exit_reason_name(UINT32_MAX), "unknown exit reason");
}

static void test_exit_reason_field(void **state)
{
    char buf[128];

    (void)state;
    assert_int_equal(VMX_EXIT_REASON_BASIC(0x80000021u), 33);
    vmx_exit_reason_format(buf, sizeof(buf), 48);
    assert_string_equal(buf, "EPT violation (48)");
    vmx_exit_reason_format(buf, sizeof(buf), 0x80000021u);
    assert_string_equal(buf, "VM-entry failure due to invalid guest state (33), VM-entry failure");
    vmx_exit_reason_format(buf, sizeof(buf), 0x3800000cu);
    assert_string_equal(buf, "HLT (12), from VMX root operation, pending MTF VM exit, "
                             "in enclave mode");
    vmx_exit_reason_format(buf, sizeof(buf), 35);
    assert_string_equal(buf, "unknown exit reason (35)");
    assert_int_equal(vmx_exit_reason_format(buf, 6, 48), 18);
    assert_string_equal(buf, "EPT v");
}

static void assert_qualification(uint32_t reason, uint64_t q, const char *expected)
{
    char buf[128];
    int n = vmx_exit_qualification_format(buf, sizeof(buf), reason, q);

    assert_string_equal(buf, expected);
    assert_int_equal(n, (int)strlen(expected));
}

static void test_qualification_cr_access(void **state)
{
    (void)state;
    assert_qualification(VMX_EXIT_REASON_CR_ACCESS, 0x0, "0x0: MOV to CR0 from RAX");
    assert_qualification(VMX_EXIT_REASON_CR_ACCESS, 0x113, "0x113: MOV from CR3 to RCX");
    assert_qualification(VMX_EXIT_REASON_CR_ACCESS, 0xf04, "0xf04: MOV to CR4 from R15");
    assert_qualification(VMX_EXIT_REASON_CR_ACCESS, 0x418, "0x418: MOV from CR8 to RSP");
    assert_qualification(VMX_EXIT_REASON_CR_ACCESS, 0x20, "0x20: CLTS");
    assert_qualification(VMX_EXIT_REASON_CR_ACCESS, 0x110030,
                         "0x110030: LMSW 0x11 (register operand)");
    assert_qualification(VMX_EXIT_REASON_CR_ACCESS, 0x10070,
                         "0x10070: LMSW 0x1 (memory operand)");
}

static void test_qualification_mov_dr(void **state)
{
    (void)state;
    assert_qualification(VMX_EXIT_REASON_MOV_DR, 0x17, "0x17: MOV from DR7 to RAX");
    assert_qualification(VMX_EXIT_REASON_MOV_DR, 0x306, "0x306: MOV to DR6 from RBX");
}

static void test_qualification_io(void **state)
{
    (void)state;
    assert_qualification(VMX_EXIT_REASON_IO_INSTRUCTION, 0x3f80008,
                         "0x3f80008: IN byte from port 0x3f8 (DX)");
    assert_qualification(VMX_EXIT_REASON_IO_INSTRUCTION, 0x3f80000,
                         "0x3f80000: OUT byte to port 0x3f8 (DX)");
    assert_qualification(VMX_EXIT_REASON_IO_INSTRUCTION, 0xcfc000b,
                         "0xcfc000b: IN dword from port 0xcfc (DX)");
    assert_qualification(VMX_EXIT_REASON_IO_INSTRUCTION, 0x800040,
                         "0x800040: OUT byte to port 0x80 (immediate)");
    assert_qualification(VMX_EXIT_REASON_IO_INSTRUCTION, 0x3f80031,
                         "0x3f80031: REP OUTS word to port 0x3f8 (DX)");
    assert_qualification(VMX_EXIT_REASON_IO_INSTRUCTION, 0x1f00038,
                         "0x1f00038: REP INS byte from port 0x1f0 (DX)");
    assert_qualification(VMX_EXIT_REASON_IO_INSTRUCTION, 0x2,
                         "0x2: OUT size 2? to port 0x0 (DX)");
}

static void test_qualification_ept_violation(void **state)
{
    (void)state;
    assert_qualification(VMX_EXIT_REASON_EPT_VIOLATION, 0x181,
                         "0x181: read, EPT entry ---, linear-address translation");
    assert_qualification(VMX_EXIT_REASON_EPT_VIOLATION, 0x18a,
                         "0x18a: write, EPT entry r--, linear-address translation");
    assert_qualification(VMX_EXIT_REASON_EPT_VIOLATION, 0x83,
                         "0x83: read+write, EPT entry ---, guest paging-structure access");
    assert_qualification(VMX_EXIT_REASON_EPT_VIOLATION, 0x2c,
                         "0x2c: fetch, EPT entry r-x, no guest-linear address");
    assert_qualification(VMX_EXIT_REASON_EPT_VIOLATION, 0x11bc,
                         "0x11bc: fetch, EPT entry rwx, linear-address translation, "
                         "NMI unblocking due to IRET");
    assert_qualification(VMX_EXIT_REASON_EPT_VIOLATION, 0xc4,
                         "0xc4: fetch, EPT entry --- (user-mode executable), "
                         "guest paging-structure access");
    assert_qualification(VMX_EXIT_REASON_EPT_VIOLATION, 0x0,
                         "0x0: no access bit, EPT entry ---, no guest-linear address");
}

static void test_qualification_other(void **state)
{
    char buf[16];

    (void)state;
    assert_qualification(VMX_EXIT_REASON_CPUID, 0, "0x0");
    assert_qualification(VMX_EXIT_REASON_EXCEPTION_NMI, 0x1234, "0x1234");
    assert_qualification(VMX_EXIT_REASON_EPT_MISCONFIG, 0xffffffffffffffffull,
                         "0xffffffffffffffff");
    assert_int_equal(vmx_exit_qualification_decode(buf, sizeof(buf), VMX_EXIT_REASON_HLT, 5), 0);
    assert_string_equal(buf, "");
    assert_int_equal(vmx_exit_qualification_decode(buf, sizeof(buf),
                                                   VMX_EXIT_REASON_CR_ACCESS, 0x20), 4);
    assert_string_equal(buf, "CLTS");
    /* truncation keeps snprintf's contract */
    assert_int_equal(vmx_exit_qualification_format(buf, 8, VMX_EXIT_REASON_CR_ACCESS, 0x113),
                     (int)strlen("0x113: MOV from CR3 to RCX"));
    assert_string_equal(buf, "0x113: ");
    assert_int_equal(vmx_exit_qualification_format(buf, 4, VMX_EXIT_REASON_CPUID, 0x1234), 6);
    assert_string_equal(buf, "0x1");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_encodings_from_the_sdm),
        cmocka_unit_test(test_fields_listed_in_their_width_group),
        cmocka_unit_test(test_type_bits_match_name),
        cmocka_unit_test(test_width_sample),
        cmocka_unit_test(test_encodings_sorted_unique),
        cmocka_unit_test(test_field_macros_and_lookup),
        cmocka_unit_test(test_area_names),
        cmocka_unit_test(test_dump_guest_area),
        cmocka_unit_test(test_dump_controls_wrap),
        cmocka_unit_test(test_dump_exit_information),
        cmocka_unit_test(test_dump_entry_failure),
        cmocka_unit_test(test_dump_all_areas_unreadable),
        cmocka_unit_test(test_exit_reason_names),
        cmocka_unit_test(test_exit_reason_field),
        cmocka_unit_test(test_qualification_cr_access),
        cmocka_unit_test(test_qualification_mov_dr),
        cmocka_unit_test(test_qualification_io),
        cmocka_unit_test(test_qualification_ept_violation),
        cmocka_unit_test(test_qualification_other),
    };

    return cmocka_run_group_tests_name("vmcs", tests, NULL, NULL);
}
