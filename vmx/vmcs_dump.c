/* A VMCS dump by area with control bits, exit reason and exit qualification decoded
 * (Intel SDM Vol. 3C, 25.3-25.9, 28.2.1). Pure: see vmx/vmcs_dump.h. */
#include "vmx/vmcs_dump.h"

#include <stdarg.h>
#include <stddef.h>

#include "lib/format.h"
#include "lib/string.h"
#include "vmx/caps.h"
#include "vmx/exit_reasons.h"
#include "vmx/vm_instruction_error.h"

#define PREFIX          "vmcs: "
#define VALUE_COLUMN    (VMCS_DUMP_NAME_COLUMN + VMCS_DUMP_NAME_WIDTH + 1)

/* ---- one output line, with annotations wrapped onto continuation lines ------------- */

struct dump {
    void (*print)(void *ctx, const char *line);
    void *print_ctx;
    char line[VMCS_DUMP_LINE_MAX + 1];
    size_t len;
    unsigned pieces;            /* annotations on the current line */
};

static void line_add(struct dump *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void line_add(struct dump *d, const char *fmt, ...)
{
    va_list ap;
    int n;

    if (d->len >= sizeof(d->line) - 1)
        return;
    va_start(ap, fmt);
    n = fmt_vsnprintf(d->line + d->len, sizeof(d->line) - d->len, fmt, ap);
    va_end(ap);
    if (n > 0)
        d->len += (size_t)n;
    if (d->len > sizeof(d->line) - 1)
        d->len = sizeof(d->line) - 1;   /* truncated */
}

static void line_flush(struct dump *d)
{
    if (d->len)
        d->print(d->print_ctx, d->line);
    d->len = 0;
    d->line[0] = '\0';
    d->pieces = 0;
}

/* Appends "  piece" after the value, ", piece" after another piece; a piece that would pass
 * the right margin starts a continuation line indented to the value column. */
static void annotate(struct dump *d, const char *piece)
{
    const char *sep = d->pieces ? ", " : "  ";

    if (d->len + strlen(sep) + strlen(piece) > VMCS_DUMP_LINE_MAX) {
        if (d->pieces)
            line_add(d, ",");
        line_flush(d);
        line_add(d, "%-*s", VALUE_COLUMN, PREFIX);
        sep = "";
    }
    line_add(d, "%s%s", sep, piece);
    d->pieces++;
}

/* Annotates with each ", "-separated part of text (which it modifies) as its own piece. */
static void annotate_list(struct dump *d, char *text)
{
    char *part = text;

    for (char *p = text; *p; p++) {
        if (p[0] == ',' && p[1] == ' ') {
            *p = '\0';
            annotate(d, part);
            part = p + 2;
        }
    }
    if (*part)
        annotate(d, part);
}

/* ---- what the bits of some fields mean --------------------------------------------- */

static void annotate_controls(struct dump *d, enum vmx_ctl_field field, uint32_t value)
{
    for (unsigned bit = 0; bit < 32; bit++) {
        const char *name = (value & (1u << bit)) ? vmx_ctl_bit_name(field, bit) : NULL;

        if (name)       /* unnamed set bits are the reserved default1 ones: no news */
            annotate(d, name);
    }
}

static void annotate_exit_reason(struct dump *d, uint32_t value)
{
    char piece[64];
    uint32_t basic = VMX_EXIT_REASON_BASIC(value);

    fmt_snprintf(piece, sizeof(piece), "%s (%u)", vmx_exit_reason_name(basic), basic);
    annotate(d, piece);
    if (value & VMX_EXIT_REASON_ENTRY_FAILURE)
        annotate(d, "VM-entry failure");
    if (value & VMX_EXIT_REASON_FROM_VMX_ROOT)
        annotate(d, "from VMX root operation");
    if (value & VMX_EXIT_REASON_PENDING_MTF)
        annotate(d, "pending MTF VM exit");
    if (value & VMX_EXIT_REASON_ENCLAVE)
        annotate(d, "in enclave mode");
}

/* Interruption-information format (25.8.3, 25.9.2, 25.9.3): valid 31, type 10:8, vector 7:0. */
#define INTR_INFO_VALID             (1u << 31)
#define INTR_INFO_ERROR_CODE        (1u << 11)
#define INTR_INFO_TYPE(v)           (((v) >> 8) & 0x7u)
#define INTR_INFO_VECTOR(v)         ((v) & 0xFFu)

static void annotate_interruption(struct dump *d, uint32_t value)
{
    static const char *const types[8] = {
        "external interrupt", "reserved type 1", "NMI", "hardware exception",
        "software interrupt", "privileged software exception", "software exception",
        "other event",
    };
    char piece[24];

    if (!(value & INTR_INFO_VALID))
        return;
    fmt_snprintf(piece, sizeof(piece), "vector %u", INTR_INFO_VECTOR(value));
    annotate(d, piece);
    annotate(d, types[INTR_INFO_TYPE(value)]);
    if (value & INTR_INFO_ERROR_CODE)
        annotate(d, "error code valid");
}

/* Guest activity state (25.4.2). */
static void annotate_activity(struct dump *d, uint64_t value)
{
    static const char *const states[4] = { "active", "HLT", "shutdown", "wait-for-SIPI" };

    annotate(d, value < 4 ? states[value] : "unknown activity state");
}

struct exit_context {
    bool have_reason;
    uint32_t reason;
};

static void annotate_field(struct dump *d, uint32_t encoding, uint64_t value,
                           const struct exit_context *exit)
{
    uint32_t v32 = (uint32_t)value;
    char piece[VMCS_DUMP_LINE_MAX];

    switch (encoding) {
    case VMCS_CTRL_EXEC_PIN_BASED:
        annotate_controls(d, VMX_CTL_PIN, v32);
        break;
    case VMCS_CTRL_EXEC_PRIMARY_PROC_BASED:
        annotate_controls(d, VMX_CTL_PRIMARY, v32);
        break;
    case VMCS_CTRL_EXEC_SECONDARY_PROC_BASED:
        annotate_controls(d, VMX_CTL_SECONDARY, v32);
        break;
    case VMCS_CTRL_EXIT_CONTROLS:
        annotate_controls(d, VMX_CTL_EXIT, v32);
        break;
    case VMCS_CTRL_ENTRY_CONTROLS:
        annotate_controls(d, VMX_CTL_ENTRY, v32);
        break;
    case VMCS_CTRL_ENTRY_INTERRUPTION_INFO:
    case VMCS_EXIT_INFO_INTERRUPTION_INFO:
    case VMCS_EXIT_INFO_IDT_VECTORING_INFO:
        annotate_interruption(d, v32);
        break;
    case VMCS_GUEST_ACTIVITY_STATE:
        annotate_activity(d, value);
        break;
    case VMCS_EXIT_INFO_EXIT_REASON:
        annotate_exit_reason(d, v32);
        break;
    case VMCS_EXIT_INFO_VM_INSTRUCTION_ERROR:
        if (v32)
            annotate(d, vmx_instruction_error_name(v32));
        break;
    case VMCS_EXIT_INFO_QUALIFICATION:
        /* After a failed entry the qualification means something else (27.8). */
        if (exit->have_reason && !(exit->reason & VMX_EXIT_REASON_ENTRY_FAILURE) &&
            vmx_exit_qualification_decode(piece, sizeof(piece),
                                          VMX_EXIT_REASON_BASIC(exit->reason), value) > 0)
            annotate_list(d, piece);
        break;
    default:
        break;
    }
}

/* ---- fields and areas -------------------------------------------------------------- */

static void dump_field(struct dump *d, const struct vmcs_field_info *f, uint64_t value,
                       const struct exit_context *exit)
{
    /* hex digits per width, in the order of enum vmcs_width: 16, 64, 32, natural */
    static const int digits[4] = { 4, 16, 8, 16 };
    int width = digits[VMCS_FIELD_WIDTH(f->encoding)];

    if (width < 16)
        value &= (1ull << (4 * width)) - 1;
    line_add(d, "%s  %-*s 0x%0*llx", PREFIX, VMCS_DUMP_NAME_WIDTH, f->name + 5 /* "VMCS_" */,
             width, (unsigned long long)value);
    annotate_field(d, f->encoding, value, exit);
    line_flush(d);
}

unsigned vmcs_dump(uint32_t area_mask,
                   bool (*read)(void *ctx, uint32_t encoding, uint64_t *value), void *ctx,
                   void (*print)(void *ctx, const char *line), void *print_ctx)
{
    struct dump d = { .print = print, .print_ctx = print_ctx };
    unsigned skipped = 0;

    for (unsigned area = 0; area < VMCS_AREA_COUNT; area++) {
        struct exit_context exit = { false, 0 };

        if (!(area_mask & VMCS_AREA_BIT(area)))
            continue;
        if (area == VMCS_AREA_EXIT_INFO) {
            uint64_t reason = 0;

            exit.have_reason = read(ctx, VMCS_EXIT_INFO_EXIT_REASON, &reason);
            exit.reason = (uint32_t)reason;
        }
        line_add(&d, "%s-- %s --", PREFIX, vmcs_area_name((enum vmcs_area)area));
        line_flush(&d);
        for (size_t i = 0; i < vmcs_field_count; i++) {
            const struct vmcs_field_info *f = &vmcs_field_table[i];
            uint64_t value;

            if (f->area != (enum vmcs_area)area)
                continue;
            if (!read(ctx, f->encoding, &value)) {
                skipped++;
                continue;
            }
            dump_field(&d, f, value, &exit);
        }
    }
    if (skipped) {
        line_add(&d, "%s%u field%s not readable, not shown", PREFIX, skipped,
                 skipped == 1 ? "" : "s");
        line_flush(&d);
    }
    return skipped;
}
