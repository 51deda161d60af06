/* Host unit tests for drivers/acpi.c: firmware tables captured from QEMU and Bochs, and malformed variants (ACPI 6.5, 5.2). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/acpi.h"

/* Tests run from the repository root (make unit-test). */
#ifndef ACPI_FIXTURE_DIR
#define ACPI_FIXTURE_DIR "tests/unit/fixtures/acpi"
#endif

#define MAX_REGIONS 32
#define MAX_LINES   16

/* One piece of fake physical memory: a table from a fixture or a test-made area.
 * Each lives in its own exact-size heap block, so ASan catches any read past it. */
struct region {
    char sig[5];
    uint64_t phys;
    uint32_t len;
    uint8_t *bytes;
};

struct world {
    struct region regions[MAX_REGIONS];
    unsigned region_count;
    uint8_t *rsdp;                  /* the fixture's RSDP (a multiboot2 copy when booted) */
    uint32_t rsdp_len;
    uint8_t *copy_new, *copy_old;   /* what the "boot loader" hands over */
    unsigned map_calls;
    struct acpi_memory mem;
    struct acpi_boot boot;
    struct acpi_info info;
    char lines[MAX_LINES][DIAG_LINE_MAX];
    unsigned line_count;
    struct diag diag;
};

static const void *fake_map(void *ctx, uint64_t phys, uint64_t len)
{
    struct world *w = ctx;

    w->map_calls++;
    for (unsigned i = 0; i < w->region_count; i++) {
        const struct region *r = &w->regions[i];
        if (phys >= r->phys && phys - r->phys <= r->len && len <= r->len - (phys - r->phys))
            return r->bytes + (phys - r->phys);
    }
    return NULL;
}

static void capture_line(void *ctx, const char *line)
{
    struct world *w = ctx;

    if (w->line_count < MAX_LINES)
        snprintf(w->lines[w->line_count], DIAG_LINE_MAX, "%s", line);
    w->line_count++;
}

static int setup(void **state)
{
    struct world *w = calloc(1, sizeof(*w));

    if (!w)
        return -1;
    w->mem.map = fake_map;
    w->mem.ctx = w;
    w->diag.fn = capture_line;
    w->diag.ctx = w;
    *state = w;
    return 0;
}

static int teardown(void **state)
{
    struct world *w = *state;

    for (unsigned i = 0; i < w->region_count; i++)
        free(w->regions[i].bytes);
    free(w->rsdp);
    free(w->copy_new);
    free(w->copy_old);
    free(w);
    return 0;
}

static struct region *add_region(struct world *w, const char *sig, uint64_t phys, uint32_t len)
{
    assert_true(w->region_count < MAX_REGIONS);
    struct region *r = &w->regions[w->region_count++];
    snprintf(r->sig, sizeof(r->sig), "%s", sig);
    r->phys = phys;
    r->len = len;
    r->bytes = calloc(1, len ? len : 1);
    assert_non_null(r->bytes);
    return r;
}

static struct region *find(struct world *w, const char *sig)
{
    for (unsigned i = 0; i < w->region_count; i++)
        if (strcmp(w->regions[i].sig, sig) == 0)
            return &w->regions[i];
    fail_msg("fixture has no %s", sig);
    return NULL;
}

static void put_u32(uint8_t *p, uint32_t v)
{
    memcpy(p, &v, sizeof(v));
}

static void put_u64(uint8_t *p, uint64_t v)
{
    memcpy(p, &v, sizeof(v));
}

static uint8_t *copy_bytes(const uint8_t *src, uint32_t len)
{
    uint8_t *p = malloc(len);
    assert_non_null(p);
    memcpy(p, src, len);
    return p;
}

/* Makes `len` bytes at p sum to zero by adjusting the byte at checksum_offset. */
static void fix_checksum(uint8_t *p, uint32_t len, uint32_t checksum_offset)
{
    uint8_t sum = 0;

    p[checksum_offset] = 0;
    for (uint32_t i = 0; i < len; i++)
        sum = (uint8_t)(sum + p[i]);
    p[checksum_offset] = (uint8_t)(0x100 - sum);
}

static void fix_table(struct region *r)
{
    uint32_t len;
    memcpy(&len, r->bytes + 4, sizeof(len));
    fix_checksum(r->bytes, len < r->len ? len : r->len, 9);
}

/* Reads tests/unit/fixtures/acpi/<name>.txt (see capture.py there): the RSDP is kept
 * aside, every other table becomes a region at its physical address. The RSDP
 * is handed over like GRUB does: revision 2 in the new tag, else in the old one. */
static void load(struct world *w, const char *name)
{
    char path[256], line[512];
    struct region *cur = NULL;
    uint32_t filled = 0;

    snprintf(path, sizeof(path), "%s/%s.txt", ACPI_FIXTURE_DIR, name);
    FILE *f = fopen(path, "r");
    if (!f)
        fail_msg("cannot open %s (run the tests from the repository root)", path);
    while (fgets(line, sizeof(line), f)) {
        char sig[8];
        unsigned long long phys;
        unsigned len;
        line[strcspn(line, "\r\n")] = '\0';
        if (line[0] == '#' || line[0] == '\0')
            continue;
        if (sscanf(line, "%4s 0x%llx %u", sig, &phys, &len) == 3) {
            assert_true(!cur || filled == cur->len);
            cur = add_region(w, sig, phys, len);
            filled = 0;
            continue;
        }
        assert_non_null(cur);
        for (size_t i = 0; line[i] && line[i + 1]; i += 2) {
            unsigned byte;
            assert_int_equal(sscanf(line + i, "%2x", &byte), 1);
            assert_true(filled < cur->len);
            cur->bytes[filled++] = (uint8_t)byte;
        }
    }
    fclose(f);
    assert_true(cur && filled == cur->len);

    struct region *rsdp = find(w, "RSDP");
    w->rsdp_len = rsdp->len;
    w->rsdp = copy_bytes(rsdp->bytes, rsdp->len);
    rsdp->sig[0] = '\0';            /* the copy is not in "physical memory" */
    rsdp->len = 0;
    if (w->rsdp[15] >= 2) {
        w->copy_new = copy_bytes(w->rsdp, w->rsdp_len);
        w->boot.rsdp_new = w->copy_new;
        w->boot.rsdp_new_size = w->rsdp_len;
    } else {
        w->copy_old = copy_bytes(w->rsdp, 20);
        w->boot.rsdp_old = w->copy_old;
        w->boot.rsdp_old_size = 20;
    }
}

/* The old tag GRUB would add next to a revision 2 RSDP: its first 20 bytes. */
static void add_old_copy(struct world *w)
{
    w->copy_old = copy_bytes(w->rsdp, 20);
    w->boot.rsdp_old = w->copy_old;
    w->boot.rsdp_old_size = 20;
}

static bool parse(struct world *w)
{
    return acpi_parse(&w->mem, &w->boot, &w->info, &w->diag);
}

static void assert_clean(struct world *w)
{
    if (w->line_count != 0)
        fail_msg("unexpected report: %s", w->lines[0]);
    assert_int_equal(w->info.errors, 0);
}

/* Exactly these problems were reported, in this order. */
static void assert_reports(struct world *w, unsigned n, ...)
{
    va_list ap;

    va_start(ap, n);
    for (unsigned i = 0; i < n && i < w->line_count; i++)
        assert_string_equal(w->lines[i], va_arg(ap, const char *));
    va_end(ap);
    if (w->line_count > n)
        fail_msg("unexpected extra report: %s", w->lines[n]);
    assert_int_equal(w->line_count, n);
    assert_int_equal(w->info.errors, n);
}

static void assert_tables(struct world *w, const char *expected)
{
    char got[ACPI_MAX_TABLES * 5 + 1] = "";

    for (uint32_t i = 0; i < w->info.table_count; i++) {
        if (i)
            strcat(got, " ");
        strcat(got, w->info.tables[i].signature);
    }
    assert_string_equal(got, expected);
}

static void assert_cpus(struct world *w, const uint32_t *ids, uint32_t n)
{
    assert_int_equal(w->info.cpu_count, n);
    for (uint32_t i = 0; i < n; i++)
        assert_int_equal(w->info.cpus[i].apic_id, ids[i]);
}

/* Offsets of the QEMU MADT's entries (SeaBIOS and OVMF build the same one):
 * 4 Processor Local APICs, 1 I/O APIC, 5 overrides, 1 Local APIC NMI. */
#define QEMU_CPU_ENTRY(i)   (44 + 8 * (i))
#define QEMU_NMI_ENTRY      0x8a

static const uint32_t apic_0_to_3[] = { 0, 1, 2, 3 };

/* ---- captured firmware tables ------------------------------------------------------ */

static void test_qemu_seabios_4cpu(void **state)
{
    struct world *w = *state;

    load(w, "qemu-seabios-4cpu");
    w->boot.bios = true;
    assert_true(parse(w));
    assert_clean(w);
    struct acpi_info *a = &w->info;
    assert_int_equal(a->rsdp_source, ACPI_RSDP_MB2_OLD);
    assert_int_equal(a->rsdp_address, (uintptr_t)w->copy_old);
    assert_int_equal(a->rsdp_revision, 0);
    assert_int_equal(a->rsdp_length, 20);
    assert_string_equal(a->oem_id, "BOCHS ");
    assert_false(a->using_xsdt);
    assert_tables(w, "RSDT FACP APIC HPET WAET");
    assert_int_equal(a->tables[2].address, find(w, "APIC")->phys);
    assert_int_equal(a->tables[2].length, 144);
    assert_true(a->madt_found);
    assert_int_equal(a->madt_address, find(w, "APIC")->phys);
    assert_int_equal(a->lapic_address, 0xfee00000);
    assert_true(a->pcat_compat);
    assert_cpus(w, apic_0_to_3, 4);
    for (uint32_t i = 0; i < 4; i++) {
        assert_int_equal(a->cpus[i].uid, i);
        assert_true(a->cpus[i].enabled);
        assert_false(a->cpus[i].online_capable);
        assert_false(a->cpus[i].x2apic);
    }
    assert_int_equal(a->ioapic_count, 1);
    assert_int_equal(a->ioapics[0].id, 0);
    assert_int_equal(a->ioapics[0].address, 0xfec00000);
    assert_int_equal(a->ioapics[0].gsi_base, 0);
    assert_int_equal(a->override_count, 5);
    assert_int_equal(a->overrides[0].source, 0);        /* the PIT: IRQ 0 -> GSI 2 */
    assert_int_equal(a->overrides[0].gsi, 2);
    assert_int_equal(a->overrides[1].source, 5);        /* PCI: level, active high */
    assert_int_equal(a->overrides[1].flags, 0xd);
    assert_int_equal(a->nmi_count, 1);
    assert_true(a->nmis[0].all_cpus);
    assert_int_equal(a->nmis[0].lint, 1);
}

static void test_qemu_ovmf_4cpu(void **state)
{
    struct world *w = *state;

    load(w, "qemu-ovmf-4cpu");
    assert_true(parse(w));
    assert_clean(w);
    assert_int_equal(w->info.rsdp_source, ACPI_RSDP_MB2_NEW);
    assert_int_equal(w->info.rsdp_revision, 2);
    assert_int_equal(w->info.rsdp_length, 36);
    assert_true(w->info.using_xsdt);
    assert_tables(w, "XSDT RSDT FACP APIC HPET WAET BGRT");
    assert_int_equal(w->info.tables[0].address, find(w, "XSDT")->phys);
    assert_cpus(w, apic_0_to_3, 4);
    assert_int_equal(w->info.ioapic_count, 1);
    assert_int_equal(w->info.override_count, 5);
    assert_int_equal(w->info.nmi_count, 1);
}

static void test_qemu_6cpu_two_sockets(void **state)
{
    struct world *w = *state;
    static const uint32_t ids[] = { 0, 1, 2, 4, 5, 6 };

    load(w, "qemu-seabios-6cpu-2sockets");
    assert_true(parse(w));
    assert_clean(w);
    assert_cpus(w, ids, 6);
    assert_int_equal(w->info.cpus[3].uid, 3);
    assert_int_equal(w->info.ioapic_count, 1);
}

static void test_bochs_2cpu(void **state)
{
    struct world *w = *state;
    static const uint32_t ids[] = { 0, 1 };

    load(w, "bochs-2cpu");
    assert_true(parse(w));
    assert_clean(w);
    assert_tables(w, "RSDT FACP APIC SSDT HPET");
    assert_cpus(w, ids, 2);
    assert_int_equal(w->info.ioapic_count, 1);
    assert_int_equal(w->info.ioapics[0].id, 2);
    assert_int_equal(w->info.override_count, 1);
    assert_int_equal(w->info.nmi_count, 0);
}

static void test_no_diag_sink_still_counts(void **state)
{
    struct world *w = *state;

    load(w, "qemu-seabios-4cpu");
    find(w, "HPET")->bytes[24]++;
    assert_true(acpi_parse(&w->mem, &w->boot, &w->info, NULL));
    assert_int_equal(w->info.errors, 1);
}

/* ---- malformed tables ------------------------------------------------------------------ */

static void test_bad_checksum_skips_table(void **state)
{
    struct world *w = *state;

    load(w, "qemu-seabios-4cpu");
    find(w, "HPET")->bytes[24]++;                       /* OEM revision */
    assert_true(parse(w));
    assert_reports(w, 1, "acpi: HPET: checksum 0x01 != 0");
    assert_tables(w, "RSDT FACP APIC WAET");
    assert_cpus(w, apic_0_to_3, 4);
}

static void test_table_length_past_mapped_end(void **state)
{
    struct world *w = *state;
    char expected[DIAG_LINE_MAX];
    struct region *facp;

    load(w, "qemu-seabios-4cpu");
    facp = find(w, "FACP");
    put_u32(facp->bytes + 4, 4096);
    snprintf(expected, sizeof(expected), "acpi: FACP: length 4096 at 0x%llx not readable",
             (unsigned long long)facp->phys);
    assert_true(parse(w));
    assert_reports(w, 1, expected);
    assert_tables(w, "RSDT APIC HPET WAET");
}

static void test_madt_entry_length_zero(void **state)
{
    struct world *w = *state;
    struct region *madt;

    load(w, "qemu-seabios-4cpu");
    madt = find(w, "APIC");
    madt->bytes[QEMU_CPU_ENTRY(2) + 1] = 0;
    fix_table(madt);
    assert_true(parse(w));
    assert_reports(w, 1, "acpi: APIC: entry 2 (type 0) at offset 0x3c: length 0");
    assert_cpus(w, apic_0_to_3, 2);                    /* what came before is kept */
    assert_int_equal(w->info.ioapic_count, 0);
    assert_int_equal(w->info.nmi_count, 0);
}

static void test_madt_entry_length_one(void **state)
{
    struct world *w = *state;
    struct region *madt;

    load(w, "qemu-seabios-4cpu");
    madt = find(w, "APIC");
    madt->bytes[QEMU_CPU_ENTRY(1) + 1] = 1;
    fix_table(madt);
    assert_true(parse(w));
    assert_reports(w, 1, "acpi: APIC: entry 1 (type 0) at offset 0x34: length 1 < 2");
    assert_cpus(w, apic_0_to_3, 1);
}

static void test_madt_entry_past_table_end(void **state)
{
    struct world *w = *state;
    struct region *madt;

    load(w, "qemu-seabios-4cpu");
    madt = find(w, "APIC");
    madt->bytes[QEMU_NMI_ENTRY + 1] = 7;
    fix_table(madt);
    assert_true(parse(w));
    assert_reports(w, 1,
                   "acpi: APIC: entry 10 (type 4) at offset 0x8a: length 7 runs past the table end 0x90");
    assert_cpus(w, apic_0_to_3, 4);
    assert_int_equal(w->info.ioapic_count, 1);
    assert_int_equal(w->info.override_count, 5);
    assert_int_equal(w->info.nmi_count, 0);
}

static void test_madt_entry_too_short_for_its_type(void **state)
{
    struct world *w = *state;
    struct region *madt;

    load(w, "qemu-seabios-4cpu");
    madt = find(w, "APIC");
    madt->bytes[QEMU_NMI_ENTRY] = 0;                    /* a 6-byte "Processor Local APIC" */
    fix_table(madt);
    assert_true(parse(w));
    assert_reports(w, 1, "acpi: APIC: entry 10 (type 0) at offset 0x8a: length 6 < 8, skipped");
    assert_cpus(w, apic_0_to_3, 4);
    assert_int_equal(w->info.nmi_count, 0);
}

static void test_duplicate_apic_ids(void **state)
{
    struct world *w = *state;
    struct region *madt;
    static const uint32_t ids[] = { 0, 1, 3 };

    load(w, "qemu-seabios-4cpu");
    madt = find(w, "APIC");
    madt->bytes[QEMU_CPU_ENTRY(2) + 3] = 1;
    fix_table(madt);
    assert_true(parse(w));
    assert_reports(w, 1, "acpi: APIC: entry 2 (type 0) at offset 0x3c: APIC ID 1 listed twice, dropped");
    assert_cpus(w, ids, 3);
    assert_int_equal(w->info.cpus[2].uid, 3);
}

static void test_no_cpu_entries(void **state)
{
    struct world *w = *state;
    struct region *madt;

    load(w, "qemu-seabios-4cpu");
    madt = find(w, "APIC");
    for (int i = 0; i < 4; i++)
        put_u32(madt->bytes + QEMU_CPU_ENTRY(i) + 4, 0);   /* neither enabled nor online-capable */
    fix_table(madt);
    assert_false(parse(w));
    assert_reports(w, 1, "acpi: APIC: no usable CPU entries");
    assert_int_equal(w->info.cpu_count, 0);
    assert_int_equal(w->info.cpus_disabled, 4);
    assert_int_equal(w->info.ioapic_count, 1);
}

static void test_disabled_and_online_capable_cpus(void **state)
{
    struct world *w = *state;
    struct region *madt;
    static const uint32_t ids[] = { 0, 1, 3 };

    load(w, "qemu-seabios-4cpu");
    madt = find(w, "APIC");
    put_u32(madt->bytes + QEMU_CPU_ENTRY(2) + 4, 0);   /* empty hot-plug slot */
    put_u32(madt->bytes + QEMU_CPU_ENTRY(3) + 4, 2);   /* online-capable */
    fix_table(madt);
    assert_true(parse(w));
    assert_clean(w);
    assert_cpus(w, ids, 3);
    assert_int_equal(w->info.cpus_disabled, 1);
    assert_true(w->info.cpus[1].enabled);
    assert_false(w->info.cpus[2].enabled);
    assert_true(w->info.cpus[2].online_capable);
}

static void test_madt_missing(void **state)
{
    struct world *w = *state;
    struct region *madt;

    load(w, "bochs-2cpu");
    madt = find(w, "APIC");
    madt->bytes[3] = 'X';
    fix_table(madt);
    assert_false(parse(w));
    assert_reports(w, 1, "acpi: APIC: not found");
    assert_tables(w, "RSDT FACP APIX SSDT HPET");
    assert_false(w->info.madt_found);
}

/* Replaces the SeaBIOS MADT by itself plus `extra` bytes for more entries, moved to
 * where it has room (the RSDT entry follows); *offset: where the extra bytes start.
 * The caller fills them and fixes the checksum. */
#define MOVED_MADT 0x20000000u
static uint8_t *grow_madt(struct world *w, uint32_t extra, uint32_t *offset)
{
    struct region *madt = find(w, "APIC"), *rsdt = find(w, "RSDT");
    uint8_t *bytes = calloc(1, madt->len + extra);
    uint32_t entry;

    assert_non_null(bytes);
    memcpy(bytes, madt->bytes, madt->len);
    *offset = madt->len;
    for (uint32_t at = 36; at < rsdt->len; at += 4) {
        memcpy(&entry, rsdt->bytes + at, 4);
        if (entry == madt->phys)
            put_u32(rsdt->bytes + at, MOVED_MADT);
    }
    fix_table(rsdt);
    free(madt->bytes);
    madt->bytes = bytes;
    madt->phys = MOVED_MADT;
    madt->len += extra;
    put_u32(bytes + 4, madt->len);
    return bytes;
}

static void put_x2apic(uint8_t *e, uint32_t id, uint32_t uid, uint32_t flags)
{
    e[0] = 9;
    e[1] = 16;
    put_u32(e + 4, id);
    put_u32(e + 8, flags);
    put_u32(e + 12, uid);
}

static void test_x2apic_entries(void **state)
{
    struct world *w = *state;
    uint32_t off;
    static const uint32_t ids[] = { 0, 1, 2, 3, 256, 300 };

    load(w, "qemu-seabios-4cpu");
    uint8_t *m = grow_madt(w, 16 * 3 + 12 + 12, &off);
    put_x2apic(m + off, 256, 4, 1);
    put_x2apic(m + off + 16, 300, 5, 2);
    put_x2apic(m + off + 32, 3, 6, 1);                  /* the xAPIC entry's CPU again */
    uint8_t *nmi = m + off + 48;                        /* Local x2APIC NMI, every CPU, LINT1 */
    nmi[0] = 0xA;
    nmi[1] = 12;
    put_u32(nmi + 4, 0xFFFFFFFFu);
    nmi[8] = 1;
    uint8_t *lapic = m + off + 60;                      /* Local APIC Address Override */
    lapic[0] = 5;
    lapic[1] = 12;
    put_u64(lapic + 4, 0x1fee00000ull);
    fix_table(find(w, "APIC"));

    assert_true(parse(w));
    assert_reports(w, 1, "acpi: APIC: entry 13 (type 9) at offset 0xb0: APIC ID 3 listed twice, dropped");
    assert_cpus(w, ids, 6);
    assert_true(w->info.cpus[4].x2apic);
    assert_true(w->info.cpus[4].enabled);
    assert_int_equal(w->info.cpus[4].uid, 4);
    assert_true(w->info.cpus[5].online_capable);
    assert_false(w->info.cpus[3].x2apic);
    assert_int_equal(w->info.nmi_count, 2);
    assert_true(w->info.nmis[1].all_cpus);
    assert_int_equal(w->info.nmis[1].lint, 1);
    assert_int_equal(w->info.lapic_address, 0x1fee00000ull);
}

static void test_too_many_cpus(void **state)
{
    struct world *w = *state;
    uint32_t off;

    load(w, "qemu-seabios-4cpu");
    uint8_t *m = grow_madt(w, 16 * 260, &off);
    for (uint32_t i = 0; i < 260; i++)
        put_x2apic(m + off + 16 * i, 1000 + i, 1000 + i, 1);
    fix_table(find(w, "APIC"));

    assert_true(parse(w));
    assert_reports(w, 1, "acpi: APIC: entry 263 (type 9) at offset 0x1050: "
                         "more than 256 CPUs, this and later ones dropped");
    assert_int_equal(w->info.cpu_count, ACPI_MAX_CPUS);
    assert_int_equal(w->info.cpus[ACPI_MAX_CPUS - 1].apic_id, 1000 + 251);
    assert_int_equal(w->info.cpus_dropped, 8);          /* 4 + 260 - 256 */
    assert_int_equal(w->info.nmi_count, 1);             /* entries before them are kept */
}

/* ---- roots: RSDT and XSDT ------------------------------------------------------------- */

/* Builds `count` minimal 36-byte SSDTs, back to back in one region at phys. */
static void add_ssdts(struct world *w, uint64_t phys, uint32_t count)
{
    struct region *r = add_region(w, "SSDTS", phys, count * ACPI_SDT_HEADER_SIZE);

    for (uint32_t i = 0; i < count; i++) {
        uint8_t *t = r->bytes + i * ACPI_SDT_HEADER_SIZE;
        memcpy(t, "SSDT", 4);
        put_u32(t + 4, ACPI_SDT_HEADER_SIZE);
        t[8] = 1;
        fix_checksum(t, ACPI_SDT_HEADER_SIZE, 9);
    }
}

/* Servers list many SSDTs: a MADT listed after ACPI_MAX_TABLES others still counts. */
static void test_madt_after_the_table_limit(void **state)
{
    struct world *w = *state;
    enum { SSDTS = 70, SSDT_BASE = 0x1000000 };
    struct region *rsdt;
    char first[DIAG_LINE_MAX];

    load(w, "qemu-seabios-4cpu");
    add_ssdts(w, SSDT_BASE, SSDTS);
    rsdt = find(w, "RSDT");                         /* the SSDTs go before its 4 entries */
    uint32_t old_len = rsdt->len, len = old_len + 4 * SSDTS;
    uint8_t *bytes = calloc(1, len);
    assert_non_null(bytes);
    memcpy(bytes, rsdt->bytes, ACPI_SDT_HEADER_SIZE);
    for (uint32_t i = 0; i < SSDTS; i++)
        put_u32(bytes + ACPI_SDT_HEADER_SIZE + 4 * i, SSDT_BASE + i * ACPI_SDT_HEADER_SIZE);
    memcpy(bytes + ACPI_SDT_HEADER_SIZE + 4 * SSDTS, rsdt->bytes + ACPI_SDT_HEADER_SIZE,
           old_len - ACPI_SDT_HEADER_SIZE);
    put_u32(bytes + 4, len);
    free(rsdt->bytes);
    rsdt->bytes = bytes;
    rsdt->len = len;
    fix_table(rsdt);

    assert_true(parse(w));
    assert_true(w->info.madt_found);
    assert_int_equal(w->info.madt_address, find(w, "APIC")->phys);
    assert_cpus(w, apic_0_to_3, 4);
    assert_int_equal(w->info.table_count, ACPI_MAX_TABLES);
    /* 1 + 70 + 4 tables, 64 kept: 7 SSDTs, FACP, APIC, HPET and WAET reported. */
    assert_int_equal(w->line_count, 11);
    snprintf(first, sizeof(first), "acpi: SSDT: more than 64 tables, the one at 0x%x is not kept",
             SSDT_BASE + 63 * ACPI_SDT_HEADER_SIZE);
    assert_string_equal(w->lines[0], first);
}

static void test_rsdt_and_xsdt_disagree(void **state)
{
    struct world *w = *state;
    struct region *xsdt;

    load(w, "qemu-ovmf-4cpu");
    xsdt = find(w, "XSDT");
    put_u32(xsdt->bytes + 4, xsdt->len - 8);            /* drop its last entry, the BGRT */
    fix_table(xsdt);
    assert_true(parse(w));
    assert_reports(w, 1, "acpi: RSDT: disagrees with the XSDT on BGRT (1 vs 0); trusting the XSDT");
    assert_tables(w, "XSDT RSDT FACP APIC HPET WAET");
    assert_cpus(w, apic_0_to_3, 4);
}

static void test_xsdt_table_above_4gib(void **state)
{
    struct world *w = *state;
    char expected[DIAG_LINE_MAX];
    struct region *xsdt;

    load(w, "qemu-ovmf-4cpu");
    xsdt = find(w, "XSDT");
    put_u64(xsdt->bytes + 36 + 8 * 4, 0x100000000ull + find(w, "BGRT")->phys);
    fix_table(xsdt);
    snprintf(expected, sizeof(expected), "acpi: XSDT: entry 4: table at 0x%llx not readable",
             (unsigned long long)(0x100000000ull + find(w, "BGRT")->phys));
    assert_true(parse(w));
    assert_reports(w, 2, expected,
                   "acpi: RSDT: disagrees with the XSDT on BGRT (1 vs 0); trusting the XSDT");
    assert_tables(w, "XSDT RSDT FACP APIC HPET WAET");
}

static void test_bad_xsdt_falls_back_to_rsdt(void **state)
{
    struct world *w = *state;

    load(w, "qemu-ovmf-4cpu");
    find(w, "XSDT")->bytes[24]++;
    assert_true(parse(w));
    assert_reports(w, 1, "acpi: XSDT: checksum 0x01 != 0");
    assert_false(w->info.using_xsdt);
    assert_tables(w, "RSDT FACP APIC HPET WAET BGRT");
}

static void test_rsdt_entry_zero(void **state)
{
    struct world *w = *state;
    struct region *rsdt;

    load(w, "qemu-seabios-4cpu");
    rsdt = find(w, "RSDT");
    put_u32(rsdt->bytes + 36 + 4 * 2, 0);               /* the HPET's entry */
    fix_table(rsdt);
    assert_true(parse(w));
    assert_reports(w, 1, "acpi: RSDT: entry 2: address 0");
    assert_tables(w, "RSDT FACP APIC WAET");
}

/* ---- RSDP ---------------------------------------------------------------------------------- */

static void test_truncated_rsdp_falls_back_to_old(void **state)
{
    struct world *w = *state;

    load(w, "qemu-ovmf-4cpu");
    put_u32(w->copy_new + 20, 40);                      /* length says 40, the tag holds 36 */
    add_old_copy(w);
    assert_true(parse(w));
    assert_reports(w, 1, "acpi: RSDP: multiboot2 new tag: 36 bytes, shorter than its length 40");
    assert_int_equal(w->info.rsdp_source, ACPI_RSDP_MB2_OLD);
    assert_int_equal(w->info.rsdp_length, 20);
    assert_false(w->info.using_xsdt);                   /* only the ACPI 1.0 part is there */
    assert_tables(w, "RSDT FACP APIC HPET WAET BGRT");
    assert_cpus(w, apic_0_to_3, 4);
}

static void test_bad_rsdp_checksum_falls_back_to_old(void **state)
{
    struct world *w = *state;

    load(w, "qemu-ovmf-4cpu");
    w->copy_new[8]++;
    add_old_copy(w);
    assert_true(parse(w));
    assert_reports(w, 1, "acpi: RSDP: multiboot2 new tag: checksum 0x01 != 0");
    assert_int_equal(w->info.rsdp_source, ACPI_RSDP_MB2_OLD);
    assert_int_equal(w->info.rsdp_address, (uintptr_t)w->copy_old);
    assert_cpus(w, apic_0_to_3, 4);
}

static void test_bad_extended_checksum(void **state)
{
    struct world *w = *state;

    load(w, "qemu-ovmf-4cpu");
    w->copy_new[32]++;                                  /* extended checksum only */
    add_old_copy(w);
    assert_true(parse(w));
    assert_reports(w, 1, "acpi: RSDP: multiboot2 new tag: extended checksum 0x01 != 0");
    assert_int_equal(w->info.rsdp_source, ACPI_RSDP_MB2_OLD);
}

/* A BIOS boot without multiboot2 copies: the RSDP is where SeaBIOS keeps it. */
static void bios_memory(struct world *w, uint64_t rsdp_phys)
{
    struct region *bda = add_region(w, "BDA", 0x40E, 2);
    bda->bytes[0] = 0xC0;                               /* EBDA segment 0x9FC0 */
    bda->bytes[1] = 0x9F;
    struct region *ebda = add_region(w, "EBDA", 0x9FC00, 1024);
    struct region *bios = add_region(w, "BIOS", 0xE0000, 0x20000);
    struct region *area = rsdp_phys < 0xE0000 ? ebda : bios;
    memcpy(area->bytes + (rsdp_phys - area->phys), w->rsdp, w->rsdp_len);
    free(w->copy_old);
    w->copy_old = NULL;
    w->boot.rsdp_old = NULL;
    w->boot.rsdp_old_size = 0;
    w->boot.bios = true;
}

static void test_bios_area_scan(void **state)
{
    struct world *w = *state;

    load(w, "qemu-seabios-4cpu");
    bios_memory(w, 0xF5A40);
    uint8_t *decoy = find(w, "BIOS")->bytes + 0x1000;   /* signature, bad checksum */
    memcpy(decoy, "RSD PTR ", 8);
    memcpy(find(w, "BIOS")->bytes + 0x2008, w->rsdp, 20);   /* valid, but not 16-aligned */
    assert_true(parse(w));
    assert_reports(w, 1, "acpi: RSDP: at 0xe1000: checksum 0x1f != 0");
    assert_int_equal(w->info.rsdp_source, ACPI_RSDP_BIOS_AREA);
    assert_int_equal(w->info.rsdp_address, 0xF5A40);
    assert_tables(w, "RSDT FACP APIC HPET WAET");
    assert_cpus(w, apic_0_to_3, 4);
}

static void test_ebda_scan(void **state)
{
    struct world *w = *state;

    load(w, "bochs-2cpu");
    bios_memory(w, 0x9FC40);
    assert_true(parse(w));
    assert_clean(w);
    assert_int_equal(w->info.rsdp_source, ACPI_RSDP_EBDA);
    assert_int_equal(w->info.rsdp_address, 0x9FC40);
    assert_int_equal(w->info.cpu_count, 2);
}

static void test_uefi_boot_never_scans(void **state)
{
    struct world *w = *state;

    load(w, "qemu-seabios-4cpu");
    bios_memory(w, 0xF5A40);
    w->boot.bios = false;
    assert_false(parse(w));
    assert_reports(w, 1, "acpi: RSDP: not in the multiboot2 tags (UEFI boot: no BIOS areas to scan)");
    assert_int_equal(w->map_calls, 0);
    assert_int_equal(w->info.rsdp_source, ACPI_RSDP_NONE);
    assert_int_equal(w->info.cpu_count, 0);
}

static void test_no_rsdp_anywhere(void **state)
{
    struct world *w = *state;

    load(w, "qemu-seabios-4cpu");
    bios_memory(w, 0xF5A40);
    memset(find(w, "BIOS")->bytes, 0, 0x20000);
    assert_false(parse(w));
    assert_reports(w, 1, "acpi: RSDP: not in the multiboot2 tags, the EBDA or 0xe0000-0xfffff");
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_qemu_seabios_4cpu),
        T(test_qemu_ovmf_4cpu),
        T(test_qemu_6cpu_two_sockets),
        T(test_bochs_2cpu),
        T(test_no_diag_sink_still_counts),
        T(test_bad_checksum_skips_table),
        T(test_table_length_past_mapped_end),
        T(test_madt_entry_length_zero),
        T(test_madt_entry_length_one),
        T(test_madt_entry_past_table_end),
        T(test_madt_entry_too_short_for_its_type),
        T(test_duplicate_apic_ids),
        T(test_no_cpu_entries),
        T(test_disabled_and_online_capable_cpus),
        T(test_madt_missing),
        T(test_x2apic_entries),
        T(test_too_many_cpus),
        T(test_madt_after_the_table_limit),
        T(test_rsdt_and_xsdt_disagree),
        T(test_xsdt_table_above_4gib),
        T(test_bad_xsdt_falls_back_to_rsdt),
        T(test_rsdt_entry_zero),
        T(test_truncated_rsdp_falls_back_to_old),
        T(test_bad_rsdp_checksum_falls_back_to_old),
        T(test_bad_extended_checksum),
        T(test_bios_area_scan),
        T(test_ebda_scan),
        T(test_uefi_boot_never_scans),
        T(test_no_rsdp_anywhere),
    };

    return cmocka_run_group_tests_name("acpi", tests, NULL, NULL);
}
