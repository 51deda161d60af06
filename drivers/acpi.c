/* ACPI table discovery and MADT parsing (ACPI 6.5: RSDP 5.2.5, RSDT 5.2.7, XSDT 5.2.8, MADT 5.2.12). */
#include "drivers/acpi.h"

#include "lib/format.h"
#include "lib/string.h"

/* Where a BIOS may put the RSDP (5.2.5.1): the first KiB of the EBDA, whose
 * segment the BIOS data area holds at 0x40E, and the read-only BIOS area. */
#define EBDA_SEGMENT_PTR    0x40E
#define EBDA_SCAN_SIZE      1024
#define BIOS_AREA_START     0xE0000
#define BIOS_AREA_SIZE      0x20000
#define RSDP_ALIGN          16

/* Smallest valid length of each entry type this parser reads; 0: skipped. */
static const uint8_t madt_min_length[] = {
    [ACPI_MADT_LOCAL_APIC] = sizeof(struct acpi_madt_local_apic),
    [ACPI_MADT_IO_APIC] = sizeof(struct acpi_madt_io_apic),
    [ACPI_MADT_OVERRIDE] = sizeof(struct acpi_madt_override),
    [ACPI_MADT_LOCAL_APIC_NMI] = sizeof(struct acpi_madt_lapic_nmi),
    [ACPI_MADT_LAPIC_ADDRESS] = sizeof(struct acpi_madt_lapic_address),
    [ACPI_MADT_LOCAL_X2APIC] = sizeof(struct acpi_madt_x2apic),
    [ACPI_MADT_LOCAL_X2APIC_NMI] = sizeof(struct acpi_madt_x2apic_nmi),
};

/* One parse: the state lives on acpi_parse's stack, so the module keeps none. */
struct walk {
    const struct acpi_memory *mem;
    const struct diag *d;
    struct acpi_info *out;
    const uint8_t *madt;            /* the first valid "APIC" table of the walked root */
};

/* Every problem is counted, whether or not anyone listens. */
#define REPORT(w, ...) do { (w)->out->errors++; diag_report((w)->d, __VA_ARGS__); } while (0)

/* Where a MADT entry is, for reports: "acpi: APIC: entry 3 (type 0) at offset 0x44: ". */
struct madt_pos {
    uint32_t index;
    uint32_t offset;
    uint8_t type;
};
#define ENTRY_FMT "acpi: APIC: entry %u (type %u) at offset 0x%x: "
#define ENTRY_ARGS(pos) (pos)->index, (unsigned)(pos)->type, (pos)->offset

uint8_t acpi_byte_sum(const uint8_t *p, uint64_t n)
{
    uint8_t sum = 0;

    while (n--)
        sum = (uint8_t)(sum + *p++);
    return sum;
}

static const uint8_t *map(const struct walk *w, uint64_t phys, uint64_t len)
{
    if (len == 0 || phys + len < phys)
        return NULL;
    return w->mem->map(w->mem->ctx, phys, len);
}

/* Copies a 4-byte signature into a C string, unprintable bytes as '?'; false if any was. */
static bool copy_signature(char dst[5], const char *src)
{
    bool printable = true;

    for (int i = 0; i < 4; i++) {
        printable &= src[i] >= 0x20 && src[i] <= 0x7E;
        dst[i] = (src[i] >= 0x20 && src[i] <= 0x7E) ? src[i] : '?';
    }
    dst[4] = '\0';
    return printable;
}

/* ---- RSDP (5.2.5) ------------------------------------------------------------------- */

/* Checks an RSDP candidate of which `avail` bytes are readable at p; `where` names
 * it in reports. v1_only: only the ACPI 1.0 part is there (the old multiboot2 tag).
 * Returns the bytes checked (20 or the length field), 0 after a report. */
static uint32_t rsdp_check(struct walk *w, const uint8_t *p, uint64_t avail, const char *where,
                           bool v1_only)
{
    const struct acpi_rsdp *r = (const void *)p;

    if (avail < ACPI_RSDP_V1_SIZE) {
        REPORT(w, "acpi: RSDP: %s: %llu bytes < %u", where, (unsigned long long)avail,
               ACPI_RSDP_V1_SIZE);
        return 0;
    }
    if (memcmp(r->signature, "RSD PTR ", 8) != 0) {
        REPORT(w, "acpi: RSDP: %s: signature is not \"RSD PTR \"", where);
        return 0;
    }
    uint8_t sum = acpi_byte_sum(p, ACPI_RSDP_V1_SIZE);
    if (sum != 0) {
        REPORT(w, "acpi: RSDP: %s: checksum 0x%02x != 0", where, sum);
        return 0;
    }
    /* Revision 1 was never defined; 2 and later carry the length and the XSDT. */
    if (r->revision < 2 || v1_only)
        return ACPI_RSDP_V1_SIZE;
    if (avail < ACPI_RSDP_V2_SIZE) {
        REPORT(w, "acpi: RSDP: %s: %llu bytes, too short for revision %u (%u)", where,
               (unsigned long long)avail, r->revision, ACPI_RSDP_V2_SIZE);
        return 0;
    }
    if (r->length < ACPI_RSDP_V2_SIZE) {
        REPORT(w, "acpi: RSDP: %s: length %u < %u", where, r->length, ACPI_RSDP_V2_SIZE);
        return 0;
    }
    if (r->length > avail) {
        REPORT(w, "acpi: RSDP: %s: %llu bytes, shorter than its length %u", where,
               (unsigned long long)avail, r->length);
        return 0;
    }
    sum = acpi_byte_sum(p, r->length);
    if (sum != 0) {
        REPORT(w, "acpi: RSDP: %s: extended checksum 0x%02x != 0", where, sum);
        return 0;
    }
    return r->length;
}

static const uint8_t *use_rsdp(struct walk *w, const uint8_t *p, uint64_t address,
                               uint32_t length, enum acpi_rsdp_source source)
{
    const struct acpi_rsdp *r = (const void *)p;

    w->out->rsdp_source = source;
    w->out->rsdp_address = address;
    w->out->rsdp_length = length;
    w->out->rsdp_revision = r->revision;
    memcpy(w->out->oem_id, r->oem_id, sizeof(r->oem_id));
    w->out->oem_id[sizeof(r->oem_id)] = '\0';
    return p;
}

/* Looks at each 16-byte boundary of [base, base + size) for a valid RSDP. Candidates
 * whose signature matches but which fail a check are reported and passed over. */
static const uint8_t *rsdp_scan(struct walk *w, uint64_t base, uint32_t size,
                                enum acpi_rsdp_source source)
{
    const uint8_t *area = map(w, base, size);
    char where[32];

    if (!area)
        return NULL;
    for (uint32_t off = 0; off + ACPI_RSDP_V1_SIZE <= size; off += RSDP_ALIGN) {
        if (memcmp(area + off, "RSD PTR ", 8) != 0)
            continue;
        fmt_snprintf(where, sizeof(where), "at 0x%llx", (unsigned long long)(base + off));
        uint32_t length = rsdp_check(w, area + off, size - off, where, false);
        if (length)
            return use_rsdp(w, area + off, base + off, length, source);
    }
    return NULL;
}

static const uint8_t *rsdp_find(struct walk *w, const struct acpi_boot *boot)
{
    const uint8_t *p;
    uint32_t length;

    if ((p = boot->rsdp_new) &&
        (length = rsdp_check(w, p, boot->rsdp_new_size, "multiboot2 new tag", false)))
        return use_rsdp(w, p, (uintptr_t)p, length, ACPI_RSDP_MB2_NEW);
    if ((p = boot->rsdp_old) &&
        (length = rsdp_check(w, p, boot->rsdp_old_size, "multiboot2 old tag", true)))
        return use_rsdp(w, p, (uintptr_t)p, length, ACPI_RSDP_MB2_OLD);
    /* UEFI publishes the RSDP in its configuration table (5.2.5.2), which the boot
     * loader copies into the tags; the memory areas are a BIOS convention (5.2.5.1),
     * and on UEFI machines may hold nothing, or something stale. */
    if (!boot->bios) {
        REPORT(w, "acpi: RSDP: not in the multiboot2 tags (UEFI boot: no BIOS areas to scan)");
        return NULL;
    }
    const uint8_t *segment = map(w, EBDA_SEGMENT_PTR, 2);
    if (segment) {
        uint64_t ebda = (uint64_t)(segment[0] | segment[1] << 8) << 4;
        if (ebda && (p = rsdp_scan(w, ebda, EBDA_SCAN_SIZE, ACPI_RSDP_EBDA)))
            return p;
    }
    if ((p = rsdp_scan(w, BIOS_AREA_START, BIOS_AREA_SIZE, ACPI_RSDP_BIOS_AREA)))
        return p;
    REPORT(w, "acpi: RSDP: not in the multiboot2 tags, the EBDA or 0xe0000-0xfffff");
    return NULL;
}

/* ---- tables (5.2.6), RSDT (5.2.7) and XSDT (5.2.8) ---------------------------------- */

/* Maps one whole table and checks its header and checksum. `who` names the reference
 * in reports ("XSDT: entry 3", "RSDP: RSDT address"); expect is the signature it must
 * have, or NULL. Returns the table, or NULL after a report. */
static const struct acpi_sdt_header *table_map(struct walk *w, uint64_t phys, const char *who,
                                               const char *expect)
{
    const struct acpi_sdt_header *h = (const void *)map(w, phys, ACPI_SDT_HEADER_SIZE);
    unsigned long long at = phys;
    char sig[5];

    if (!h) {
        REPORT(w, "acpi: %s: table at 0x%llx not readable", who, at);
        return NULL;
    }
    if (!copy_signature(sig, h->signature)) {
        REPORT(w, "acpi: %s: table at 0x%llx: signature not printable", who, at);
        return NULL;
    }
    if (expect && memcmp(h->signature, expect, 4) != 0) {
        REPORT(w, "acpi: %s: table at 0x%llx: signature \"%s\", expected \"%s\"", who, at, sig,
               expect);
        return NULL;
    }
    uint32_t length = h->length;
    if (length < ACPI_SDT_HEADER_SIZE) {
        REPORT(w, "acpi: %s: length %u < %u", sig, length, ACPI_SDT_HEADER_SIZE);
        return NULL;
    }
    if (length > ACPI_TABLE_MAX_LENGTH) {
        REPORT(w, "acpi: %s: length %u > %u", sig, length, ACPI_TABLE_MAX_LENGTH);
        return NULL;
    }
    const uint8_t *t = map(w, phys, length);
    if (!t) {
        REPORT(w, "acpi: %s: length %u at 0x%llx not readable", sig, length, at);
        return NULL;
    }
    uint8_t sum = acpi_byte_sum(t, length);
    if (sum != 0) {
        REPORT(w, "acpi: %s: checksum 0x%02x != 0", sig, sum);
        return NULL;
    }
    return (const void *)t;
}

static void add_table(struct walk *w, const struct acpi_sdt_header *h, uint64_t phys)
{
    struct acpi_info *o = w->out;
    char sig[5];

    copy_signature(sig, h->signature);
    /* Taken even when the list below is full: firmware with many SSDTs keeps its CPUs. */
    if (memcmp(sig, "APIC", 4) == 0 && !w->madt) {
        w->madt = (const uint8_t *)h;
        o->madt_found = true;
        o->madt_address = phys;
    }
    if (o->table_count == ACPI_MAX_TABLES) {
        REPORT(w, "acpi: %s: more than %u tables, the one at 0x%llx is not kept", sig,
               ACPI_MAX_TABLES, (unsigned long long)phys);
        return;
    }
    struct acpi_table *t = &o->tables[o->table_count++];
    memcpy(t->signature, sig, sizeof(sig));
    t->address = phys;
    t->length = h->length;
}

static uint32_t root_count(const struct acpi_sdt_header *root, bool xsdt)
{
    return (root->length - ACPI_SDT_HEADER_SIZE) / (xsdt ? 8 : 4);
}

/* Entries are 4 (RSDT) or 8 (XSDT) bytes from offset 36, not naturally aligned;
 * both are little-endian, so a 4-byte entry fills the low half. */
static uint64_t root_entry(const struct acpi_sdt_header *root, bool xsdt, uint32_t i)
{
    uint64_t v = 0;

    memcpy(&v, (const uint8_t *)root + ACPI_SDT_HEADER_SIZE + (size_t)i * (xsdt ? 8 : 4),
           xsdt ? 8 : 4);
    return v;
}

static void walk_root(struct walk *w, const struct acpi_sdt_header *root, bool xsdt)
{
    const char *name = xsdt ? "XSDT" : "RSDT";
    uint32_t stray = (root->length - ACPI_SDT_HEADER_SIZE) % (xsdt ? 8 : 4);
    char who[32];

    if (stray)
        REPORT(w, "acpi: %s: length %u: %u stray bytes after the last entry", name,
               root->length, stray);
    for (uint32_t i = 0; i < root_count(root, xsdt); i++) {
        uint64_t phys = root_entry(root, xsdt, i);
        fmt_snprintf(who, sizeof(who), "%s: entry %u", name, i);
        if (phys == 0) {
            REPORT(w, "acpi: %s: address 0", who);
            continue;
        }
        const struct acpi_sdt_header *t = table_map(w, phys, who, NULL);
        if (t)
            add_table(w, t, phys);
    }
}

/* The signature of the table entry i names, as a number; 0 when unreadable. */
static uint32_t entry_signature(const struct walk *w, const struct acpi_sdt_header *root,
                                bool xsdt, uint32_t i)
{
    uint64_t phys = root_entry(root, xsdt, i);
    const uint8_t *h = phys ? map(w, phys, ACPI_SDT_HEADER_SIZE) : NULL;
    uint32_t sig = 0;

    if (h)
        memcpy(&sig, h, sizeof(sig));
    return sig;
}

/* How many of root's first ACPI_MAX_TABLES entries name a table with this signature;
 * the bound keeps the quadratic comparison below cheap on garbage roots. */
static uint32_t count_signature(const struct walk *w, const struct acpi_sdt_header *root,
                                bool xsdt, uint32_t sig)
{
    uint32_t hits = 0;

    for (uint32_t i = 0; i < root_count(root, xsdt) && i < ACPI_MAX_TABLES; i++)
        hits += entry_signature(w, root, xsdt, i) == sig;
    return hits;
}

/* Both roots should list the same tables, though maybe at different addresses (a
 * firmware may give the RSDT an ACPI 1.0 FADT), so signatures are compared, not
 * addresses. Reports the first one counted differently; the XSDT is walked anyway. */
static void compare_roots(struct walk *w, const struct acpi_sdt_header *rsdt,
                          const struct acpi_sdt_header *xsdt)
{
    for (int x = 0; x < 2; x++) {
        const struct acpi_sdt_header *root = x ? xsdt : rsdt;
        for (uint32_t i = 0; i < root_count(root, x) && i < ACPI_MAX_TABLES; i++) {
            uint32_t sig = entry_signature(w, root, x, i);
            if (!sig)
                continue;
            uint32_t in_rsdt = count_signature(w, rsdt, false, sig);
            uint32_t in_xsdt = count_signature(w, xsdt, true, sig);
            if (in_rsdt != in_xsdt) {
                char name[5];
                copy_signature(name, (const char *)&sig);
                REPORT(w, "acpi: RSDT: disagrees with the XSDT on %s (%u vs %u); trusting the XSDT",
                       name, in_rsdt, in_xsdt);
                return;
            }
        }
    }
}

/* ---- MADT (5.2.12) ------------------------------------------------------------------ */

static void add_cpu(struct walk *w, const struct madt_pos *pos, uint32_t apic_id, uint32_t uid,
                    uint32_t flags, bool x2apic)
{
    struct acpi_info *o = w->out;

    if (!(flags & (ACPI_CPU_ENABLED | ACPI_CPU_ONLINE_CAPABLE))) {
        o->cpus_disabled++;         /* a hot-plug slot left empty: normal, not listed */
        return;
    }
    for (uint32_t i = 0; i < o->cpu_count; i++) {
        if (o->cpus[i].apic_id == apic_id) {
            REPORT(w, ENTRY_FMT "APIC ID %u listed twice, dropped", ENTRY_ARGS(pos), apic_id);
            return;
        }
    }
    if (o->cpu_count == ACPI_MAX_CPUS) {
        if (o->cpus_dropped++ == 0)
            REPORT(w, ENTRY_FMT "more than %u CPUs, this and later ones dropped",
                   ENTRY_ARGS(pos), ACPI_MAX_CPUS);
        return;
    }
    struct acpi_cpu *c = &o->cpus[o->cpu_count++];
    c->apic_id = apic_id;
    c->uid = uid;
    c->enabled = flags & ACPI_CPU_ENABLED;
    c->online_capable = !c->enabled;    /* the bit is reserved when enabled is set */
    c->x2apic = x2apic;
}

static bool room(struct walk *w, const struct madt_pos *pos, uint32_t count, uint32_t max,
                 const char *what)
{
    if (count < max)
        return true;
    REPORT(w, ENTRY_FMT "more than %u %s, dropped", ENTRY_ARGS(pos), max, what);
    return false;
}

static void add_nmi(struct walk *w, const struct madt_pos *pos, uint32_t uid, bool all,
                    uint16_t flags, uint8_t lint)
{
    struct acpi_info *o = w->out;

    if (!room(w, pos, o->nmi_count, ACPI_MAX_NMIS, "local APIC NMIs"))
        return;
    o->nmis[o->nmi_count++] = (struct acpi_nmi){ uid, all, flags, lint };
}

static void madt_entry(struct walk *w, const struct madt_pos *pos, const uint8_t *e, uint8_t len)
{
    struct acpi_info *o = w->out;

    if (pos->type >= sizeof(madt_min_length) || madt_min_length[pos->type] == 0)
        return;                     /* SAPIC, GIC, wakeup, ...: nothing used here */
    if (len < madt_min_length[pos->type]) {
        REPORT(w, ENTRY_FMT "length %u < %u, skipped", ENTRY_ARGS(pos), len,
               madt_min_length[pos->type]);
        return;
    }
    switch (pos->type) {
    case ACPI_MADT_LOCAL_APIC: {
        const struct acpi_madt_local_apic *p = (const void *)e;
        add_cpu(w, pos, p->apic_id, p->uid, p->flags, false);
        break;
    }
    case ACPI_MADT_LOCAL_X2APIC: {
        const struct acpi_madt_x2apic *p = (const void *)e;
        add_cpu(w, pos, p->x2apic_id, p->uid, p->flags, true);
        break;
    }
    case ACPI_MADT_IO_APIC: {
        const struct acpi_madt_io_apic *p = (const void *)e;
        if (room(w, pos, o->ioapic_count, ACPI_MAX_IOAPICS, "I/O APICs"))
            o->ioapics[o->ioapic_count++] = (struct acpi_ioapic){ p->id, p->address, p->gsi_base };
        break;
    }
    case ACPI_MADT_OVERRIDE: {
        const struct acpi_madt_override *p = (const void *)e;
        if (room(w, pos, o->override_count, ACPI_MAX_OVERRIDES, "interrupt source overrides"))
            o->overrides[o->override_count++] =
                (struct acpi_override){ p->bus, p->source, p->gsi, p->flags };
        break;
    }
    case ACPI_MADT_LOCAL_APIC_NMI: {
        const struct acpi_madt_lapic_nmi *p = (const void *)e;
        add_nmi(w, pos, p->uid, p->uid == ACPI_NMI_ALL_XAPIC, p->flags, p->lint);
        break;
    }
    case ACPI_MADT_LOCAL_X2APIC_NMI: {
        const struct acpi_madt_x2apic_nmi *p = (const void *)e;
        add_nmi(w, pos, p->uid, p->uid == ACPI_NMI_ALL_X2APIC, p->flags, p->lint);
        break;
    }
    case ACPI_MADT_LAPIC_ADDRESS: {
        /* Supersedes the 32-bit field (5.2.12.8). */
        const struct acpi_madt_lapic_address *p = (const void *)e;
        o->lapic_address = p->address;
        break;
    }
    default:
        break;
    }
}

/* Walks the entries after the fixed part. An entry whose length is unusable makes
 * every later offset a guess, so the walk stops there, keeping what came before. */
static void parse_madt(struct walk *w)
{
    const struct acpi_madt *madt = (const void *)w->madt;
    uint32_t length = madt->header.length;
    struct madt_pos pos = { 0, ACPI_MADT_HEADER_SIZE, 0 };

    if (length < ACPI_MADT_HEADER_SIZE) {
        REPORT(w, "acpi: APIC: length %u < %u", length, ACPI_MADT_HEADER_SIZE);
        return;
    }
    w->out->lapic_address = madt->lapic_address;
    w->out->pcat_compat = madt->flags & ACPI_MADT_PCAT_COMPAT;
    for (; pos.offset < length; pos.index++) {
        if (length - pos.offset < 2) {
            REPORT(w, "acpi: APIC: entry %u at offset 0x%x: 1 byte left, no room for a header",
                   pos.index, pos.offset);
            return;
        }
        const uint8_t *e = w->madt + pos.offset;
        pos.type = e[0];
        uint8_t len = e[1];
        if (len == 0) {
            REPORT(w, ENTRY_FMT "length 0", ENTRY_ARGS(&pos));
            return;
        }
        if (len < 2) {
            REPORT(w, ENTRY_FMT "length %u < 2", ENTRY_ARGS(&pos), len);
            return;
        }
        if (len > length - pos.offset) {
            REPORT(w, ENTRY_FMT "length %u runs past the table end 0x%x", ENTRY_ARGS(&pos), len,
                   length);
            return;
        }
        madt_entry(w, &pos, e, len);
        pos.offset += len;
    }
}

/* ---- the whole walk ------------------------------------------------------------------ */

bool acpi_parse(const struct acpi_memory *mem, const struct acpi_boot *boot,
                struct acpi_info *out, const struct diag *d)
{
    struct walk w = { mem, d, out, NULL };

    memset(out, 0, sizeof(*out));
    const struct acpi_rsdp *r = (const void *)rsdp_find(&w, boot);
    if (!r)
        return false;

    /* The XSDT supersedes the RSDT when the RSDP has one (5.2.5.3); the RSDT is still
     * checked, to catch firmware whose two lists disagree. */
    uint64_t xsdt_phys = out->rsdp_length >= ACPI_RSDP_V2_SIZE ? r->xsdt_address : 0;
    const struct acpi_sdt_header *xsdt = NULL, *rsdt = NULL;
    if (xsdt_phys)
        xsdt = table_map(&w, xsdt_phys, "RSDP: XSDT address", "XSDT");
    if (r->rsdt_address)
        rsdt = table_map(&w, r->rsdt_address, "RSDP: RSDT address", "RSDT");
    if (!xsdt_phys && !r->rsdt_address)
        REPORT(&w, "acpi: RSDP: neither an RSDT nor an XSDT address");

    if (xsdt) {
        out->using_xsdt = true;
        add_table(&w, xsdt, xsdt_phys);
        if (rsdt)
            add_table(&w, rsdt, r->rsdt_address);
        walk_root(&w, xsdt, true);
        if (rsdt)
            compare_roots(&w, rsdt, xsdt);
    } else if (rsdt) {
        add_table(&w, rsdt, r->rsdt_address);
        walk_root(&w, rsdt, false);
    } else {
        return false;
    }

    if (!w.madt) {
        REPORT(&w, "acpi: APIC: not found");
        return false;
    }
    parse_madt(&w);
    if (out->cpu_count == 0) {
        REPORT(&w, "acpi: APIC: no usable CPU entries");
        return false;
    }
    return true;
}
