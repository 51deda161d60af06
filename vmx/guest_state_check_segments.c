/* VM-entry checks on the guest segment registers (Intel SDM Vol. 3C, 28.3.1.2; 26.3.1.2 before
 * 2023), in the SDM's order: selectors, bases, limits, then access rights field by field. */
#include "vmx/guest_state_check_internal.h"

#define SEG_COUNT 6     /* CS, SS, DS, ES, FS, GS: the registers with the common rules */

struct seg {
    const char *name;
    const struct vmx_segment *v;
};

static unsigned ar_type(const struct vmx_segment *v)
{
    return v->access_rights & VMX_SEG_AR_TYPE_MASK;
}

static unsigned ar_dpl(const struct vmx_segment *v)
{
    return (v->access_rights & VMX_SEG_AR_DPL_MASK) >> VMX_SEG_AR_DPL_SHIFT;
}

static unsigned rpl(const struct vmx_segment *v)
{
    return v->selector & GSC_SELECTOR_RPL;
}

static bool usable(const struct vmx_segment *v)
{
    return !(v->access_rights & VMX_SEG_AR_UNUSABLE);
}

/* ---- selectors and bases ----------------------------------------------------------- */

static bool check_selectors(struct gsc *s)
{
    const struct vmx_guest_state *g = s->g;

    if (g->tr.selector & GSC_SELECTOR_TI)
        return gsc_fail(s, VMX_GC_TR_TI, "GUEST_TR_SELECTOR 0x%04x: TI (bit 2) set",
                        (unsigned)g->tr.selector);
    if (usable(&g->ldtr) && (g->ldtr.selector & GSC_SELECTOR_TI))
        return gsc_fail(s, VMX_GC_LDTR_TI,
                        "GUEST_LDTR_SELECTOR 0x%04x: TI (bit 2) set in a usable LDTR",
                        (unsigned)g->ldtr.selector);
    if (!s->v8086 && !s->unrestricted && rpl(&g->ss) != rpl(&g->cs))
        return gsc_fail(s, VMX_GC_SS_RPL,
                        "GUEST_SS_SELECTOR 0x%04x: RPL %u differs from GUEST_CS_SELECTOR "
                        "0x%04x RPL %u", (unsigned)g->ss.selector, rpl(&g->ss),
                        (unsigned)g->cs.selector, rpl(&g->cs));
    return true;
}

static bool base_canonical(struct gsc *s, const char *name, uint64_t base)
{
    if (gsc_canonical(base, s->linear_width))
        return true;
    return gsc_fail(s, VMX_GC_SEG_BASE_CANONICAL,
                    "GUEST_%s_BASE 0x%llx: not canonical (%u-bit linear addresses)", name,
                    (unsigned long long)base, s->linear_width);
}

static bool base_high_zero(struct gsc *s, const char *name, uint64_t base)
{
    if (!(base >> 32))
        return true;
    return gsc_fail(s, VMX_GC_SEG_BASE_HIGH, "GUEST_%s_BASE 0x%llx: bits 63:32 not 0", name,
                    (unsigned long long)base);
}

static bool check_bases(struct gsc *s, const struct seg *six)
{
    const struct vmx_guest_state *g = s->g;

    for (unsigned i = 0; s->v8086 && i < SEG_COUNT; i++) {
        if (six[i].v->base != (uint64_t)six[i].v->selector << 4)
            return gsc_fail(s, VMX_GC_V8086_BASE,
                            "GUEST_%s_BASE 0x%llx: not GUEST_%s_SELECTOR 0x%04x times 16 "
                            "in a virtual-8086 guest", six[i].name,
                            (unsigned long long)six[i].v->base, six[i].name,
                            (unsigned)six[i].v->selector);
    }
    if (!base_canonical(s, "TR", g->tr.base) || !base_canonical(s, "FS", g->fs.base) ||
        !base_canonical(s, "GS", g->gs.base))
        return false;
    if (usable(&g->ldtr) && !base_canonical(s, "LDTR", g->ldtr.base))
        return false;
    if (!base_high_zero(s, "CS", g->cs.base))
        return false;
    if (usable(&g->ss) && !base_high_zero(s, "SS", g->ss.base))
        return false;
    if (usable(&g->ds) && !base_high_zero(s, "DS", g->ds.base))
        return false;
    if (usable(&g->es) && !base_high_zero(s, "ES", g->es.base))
        return false;
    return true;
}

/* ---- access rights: the six code and data registers --------------------------------- */

static bool check_v8086(struct gsc *s, const struct seg *six)
{
    for (unsigned i = 0; i < SEG_COUNT; i++) {
        if (six[i].v->limit != 0xFFFF)
            return gsc_fail(s, VMX_GC_V8086_LIMIT,
                            "GUEST_%s_LIMIT 0x%08x: must be 0x0000ffff in a virtual-8086 guest",
                            six[i].name, six[i].v->limit);
    }
    for (unsigned i = 0; i < SEG_COUNT; i++) {
        if (six[i].v->access_rights != 0xF3)
            return gsc_fail(s, VMX_GC_V8086_ACCESS_RIGHTS,
                            "GUEST_%s_ACCESS_RIGHTS 0x%08x: must be 0x000000f3 in a "
                            "virtual-8086 guest", six[i].name, six[i].v->access_rights);
    }
    return true;
}

static bool check_types(struct gsc *s, const struct seg *six)
{
    const struct vmx_guest_state *g = s->g;
    unsigned cs = ar_type(&g->cs), ss = ar_type(&g->ss);

    /* Accessed code (9, 11, 13, 15); with unrestricted guest also the real-mode data type 3. */
    if (!((cs & 9) == 9 || (s->unrestricted && cs == 3)))
        return gsc_fail(s, VMX_GC_CS_TYPE,
                        "GUEST_CS_ACCESS_RIGHTS 0x%08x: type %u is not an accessed code "
                        "segment (9, 11, 13, 15%s)", g->cs.access_rights, cs,
                        s->unrestricted ? "; 3 with unrestricted guest" : "");
    if (usable(&g->ss) && ss != 3 && ss != 7)
        return gsc_fail(s, VMX_GC_SS_TYPE,
                        "GUEST_SS_ACCESS_RIGHTS 0x%08x: type %u is not a read/write accessed "
                        "data segment (3, 7)", g->ss.access_rights, ss);
    for (unsigned i = 2; i < SEG_COUNT; i++) {
        const struct vmx_segment *v = six[i].v;
        unsigned type = ar_type(v);

        if (!usable(v))
            continue;
        if (!(type & 1))
            return gsc_fail(s, VMX_GC_SEG_ACCESSED,
                            "GUEST_%s_ACCESS_RIGHTS 0x%08x: type %u lacks the accessed bit "
                            "(bit 0)", six[i].name, v->access_rights, type);
        if ((type & 8) && !(type & 2))
            return gsc_fail(s, VMX_GC_SEG_CODE_READABLE,
                            "GUEST_%s_ACCESS_RIGHTS 0x%08x: type %u is an execute-only code "
                            "segment (bit 1 clear)", six[i].name, v->access_rights, type);
    }
    return true;
}

static bool check_dpls(struct gsc *s, const struct seg *six)
{
    const struct vmx_guest_state *g = s->g;
    uint32_t cs_ar = g->cs.access_rights;
    unsigned cs_type = ar_type(&g->cs), cs_dpl = ar_dpl(&g->cs), ss_dpl = ar_dpl(&g->ss);

    if (cs_type == 3 && cs_dpl != 0)
        return gsc_fail(s, VMX_GC_CS_DPL,
                        "GUEST_CS_ACCESS_RIGHTS 0x%08x: DPL %u of a type-3 (real-mode) CS "
                        "must be 0", cs_ar, cs_dpl);
    if ((cs_type == 9 || cs_type == 11) && cs_dpl != ss_dpl)
        return gsc_fail(s, VMX_GC_CS_DPL,
                        "GUEST_CS_ACCESS_RIGHTS 0x%08x: DPL %u of a non-conforming code "
                        "segment differs from SS.DPL %u", cs_ar, cs_dpl, ss_dpl);
    if ((cs_type == 13 || cs_type == 15) && cs_dpl > ss_dpl)
        return gsc_fail(s, VMX_GC_CS_DPL,
                        "GUEST_CS_ACCESS_RIGHTS 0x%08x: DPL %u of a conforming code segment "
                        "exceeds SS.DPL %u", cs_ar, cs_dpl, ss_dpl);

    if (!s->unrestricted && ss_dpl != rpl(&g->ss))
        return gsc_fail(s, VMX_GC_SS_DPL_RPL,
                        "GUEST_SS_ACCESS_RIGHTS 0x%08x: DPL %u differs from GUEST_SS_SELECTOR "
                        "0x%04x RPL %u", g->ss.access_rights, ss_dpl, (unsigned)g->ss.selector,
                        rpl(&g->ss));
    if ((cs_type == 3 || !(s->g->cr0 & GSC_CR0_PE)) && ss_dpl != 0)
        return gsc_fail(s, VMX_GC_SS_DPL_ZERO,
                        "GUEST_SS_ACCESS_RIGHTS 0x%08x: DPL %u must be 0 with CR0.PE 0 or CS "
                        "type 3", g->ss.access_rights, ss_dpl);

    /* Data and non-conforming code (types 0-11) may not be more privileged than the RPL. */
    for (unsigned i = 2; !s->unrestricted && i < SEG_COUNT; i++) {
        const struct vmx_segment *v = six[i].v;

        if (usable(v) && ar_type(v) <= 11 && ar_dpl(v) < rpl(v))
            return gsc_fail(s, VMX_GC_SEG_DPL_RPL,
                            "GUEST_%s_ACCESS_RIGHTS 0x%08x: DPL %u below GUEST_%s_SELECTOR "
                            "0x%04x RPL %u", six[i].name, v->access_rights, ar_dpl(v),
                            six[i].name, (unsigned)v->selector, rpl(v));
    }
    return true;
}

/* The rules every checked register shares: S as wanted, P, reserved bits, limit against G.
 * Each is run over all registers before the next, as the SDM lists them. */
static bool check_s(struct gsc *s, const char *name, const struct vmx_segment *v, bool want)
{
    if (!!(v->access_rights & VMX_SEG_AR_S) == want)
        return true;
    return gsc_fail(s, VMX_GC_SEG_S, "GUEST_%s_ACCESS_RIGHTS 0x%08x: S (bit 4) %s, must be %s",
                    name, v->access_rights, want ? "clear" : "set",
                    want ? "1 (code or data)" : "0 (system segment)");
}

static bool check_present(struct gsc *s, const char *name, const struct vmx_segment *v)
{
    if (v->access_rights & VMX_SEG_AR_P)
        return true;
    return gsc_fail(s, VMX_GC_SEG_PRESENT, "GUEST_%s_ACCESS_RIGHTS 0x%08x: P (bit 7) clear",
                    name, v->access_rights);
}

static bool check_reserved(struct gsc *s, const char *name, const struct vmx_segment *v)
{
    uint32_t bad = v->access_rights & VMX_SEG_AR_RESERVED;

    if (!bad)
        return true;
    return gsc_fail(s, VMX_GC_SEG_AR_RESERVED,
                    "GUEST_%s_ACCESS_RIGHTS 0x%08x: reserved bits 0x%08x set (11:8, 31:17)",
                    name, v->access_rights, bad);
}

static bool check_limit_g(struct gsc *s, const char *name, const struct vmx_segment *v)
{
    bool g = v->access_rights & VMX_SEG_AR_G;

    if (g && (v->limit & 0xFFF) != 0xFFF)
        return gsc_fail(s, VMX_GC_SEG_LIMIT_G,
                        "GUEST_%s_LIMIT 0x%08x: G (bit 15) set but limit bits 11:0 not all 1 "
                        "(access rights 0x%08x)", name, v->limit, v->access_rights);
    if (!g && (v->limit >> 20))
        return gsc_fail(s, VMX_GC_SEG_LIMIT_G,
                        "GUEST_%s_LIMIT 0x%08x: limit bits 31:20 set but G (bit 15) clear "
                        "(access rights 0x%08x)", name, v->limit, v->access_rights);
    return true;
}

/* CS is checked whether usable or not; the others only when usable. */
static bool checked(const struct seg *six, unsigned i)
{
    return i == 0 || usable(six[i].v);
}

static bool check_code_data_rights(struct gsc *s, const struct seg *six)
{
    const struct vmx_segment *cs = &s->g->cs;

    if (s->v8086)
        return check_v8086(s, six);
    if (!check_types(s, six))
        return false;
    for (unsigned i = 0; i < SEG_COUNT; i++)
        if (checked(six, i) && !check_s(s, six[i].name, six[i].v, true))
            return false;
    if (!check_dpls(s, six))
        return false;
    for (unsigned i = 0; i < SEG_COUNT; i++)
        if (checked(six, i) && !check_present(s, six[i].name, six[i].v))
            return false;
    for (unsigned i = 0; i < SEG_COUNT; i++)
        if (checked(six, i) && !check_reserved(s, six[i].name, six[i].v))
            return false;
    if (s->ia32e && (cs->access_rights & VMX_SEG_AR_L) && (cs->access_rights & VMX_SEG_AR_DB))
        return gsc_fail(s, VMX_GC_CS_L_DB,
                        "GUEST_CS_ACCESS_RIGHTS 0x%08x: CS.L set with D/B set in IA-32e mode",
                        cs->access_rights);
    for (unsigned i = 0; i < SEG_COUNT; i++)
        if (checked(six, i) && !check_limit_g(s, six[i].name, six[i].v))
            return false;
    return true;
}

/* ---- access rights: TR and LDTR ---------------------------------------------------- */

static bool check_tr(struct gsc *s)
{
    const struct vmx_segment *tr = &s->g->tr;
    unsigned type = ar_type(tr);

    if (s->ia32e && type != 11)
        return gsc_fail(s, VMX_GC_TR_TYPE,
                        "GUEST_TR_ACCESS_RIGHTS 0x%08x: type %u is not a busy 64-bit TSS (11) "
                        "in IA-32e mode", tr->access_rights, type);
    if (!s->ia32e && type != 3 && type != 11)
        return gsc_fail(s, VMX_GC_TR_TYPE,
                        "GUEST_TR_ACCESS_RIGHTS 0x%08x: type %u is not a busy TSS (3, 11)",
                        tr->access_rights, type);
    if (!check_s(s, "TR", tr, false) || !check_present(s, "TR", tr) ||
        !check_reserved(s, "TR", tr) || !check_limit_g(s, "TR", tr))
        return false;
    if (!usable(tr))
        return gsc_fail(s, VMX_GC_TR_UNUSABLE,
                        "GUEST_TR_ACCESS_RIGHTS 0x%08x: unusable (bit 16) set",
                        tr->access_rights);
    return true;
}

static bool check_ldtr(struct gsc *s)
{
    const struct vmx_segment *ldtr = &s->g->ldtr;

    if (!usable(ldtr))
        return true;
    if (ar_type(ldtr) != 2)
        return gsc_fail(s, VMX_GC_LDTR_TYPE,
                        "GUEST_LDTR_ACCESS_RIGHTS 0x%08x: type %u is not an LDT (2)",
                        ldtr->access_rights, ar_type(ldtr));
    return check_s(s, "LDTR", ldtr, false) && check_present(s, "LDTR", ldtr) &&
           check_reserved(s, "LDTR", ldtr) && check_limit_g(s, "LDTR", ldtr);
}

bool gsc_check_segments(struct gsc *s)
{
    const struct vmx_guest_state *g = s->g;
    const struct seg six[SEG_COUNT] = {
        { "CS", &g->cs }, { "SS", &g->ss }, { "DS", &g->ds },
        { "ES", &g->es }, { "FS", &g->fs }, { "GS", &g->gs },
    };

    return check_selectors(s) && check_bases(s, six) && check_code_data_rights(s, six) &&
           check_tr(s) && check_ldtr(s);
}
