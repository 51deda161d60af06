/* libFuzzer target for drivers/acpi.c (ACPI 6.5, 5.2.5-5.2.12): the input describes a fake
 * physical memory of a few regions (RSDP, RSDT/XSDT, MADT, ...) and which RSDP copies the
 * boot loader handed over; acpi_parse() walks it as acpi_init() walks the real one.
 *
 * Input: u8 boot flags (bit 0: BIOS boot, the EBDA and 0xE0000 may be scanned), then up to
 * FUZZ_ACPI_REGIONS regions, each
 *   u8 flags   REGION_* below
 *   u64 phys   where it lies (ignored for the multiboot2 copies); a region overlapping an
 *              earlier one is left out
 *   u16 size   its length: size mod 4 KiB, or with REGION_LARGE size * 4 (up to 256 KiB)
 *   u16 n      and n bytes of data: the region starts with them (those past size are
 *              skipped); the rest of it is zero
 * The checksum flags let the fuzzer reach past the checksums it could never guess. */
#include "tests/fuzz/fuzz_common.h"

#include "drivers/acpi.h"

#define FUZZ_ACPI_REGIONS    16
#define FUZZ_ACPI_SMALL_MAX  0x1000u    /* most regions: a table or two */

#define REGION_FIX_SDT_SUM   0x01u      /* make the whole region sum to 0 via byte 9 */
#define REGION_FIX_RSDP_SUM  0x02u      /* bytes 0-19 via byte 8, then the region via byte 32 */
#define REGION_MB2_NEW       0x04u      /* the multiboot2 "ACPI new RSDP" copy */
#define REGION_MB2_OLD       0x08u      /* the multiboot2 "ACPI old RSDP" copy */
#define REGION_LARGE         0x10u      /* size * 4: room for the 128 KiB BIOS area */

struct region {
    uint64_t phys;
    uint32_t size;
    uint8_t *bytes;
};

struct fake_memory {
    struct region regions[FUZZ_ACPI_REGIONS];
    unsigned count;
};

static const void *fake_map(void *ctx, uint64_t phys, uint64_t len)
{
    const struct fake_memory *m = ctx;

    for (unsigned i = 0; i < m->count; i++) {
        const struct region *r = &m->regions[i];
        if (phys >= r->phys && phys - r->phys <= r->size && len <= r->size - (phys - r->phys))
            return r->bytes + (phys - r->phys);
    }
    return NULL;
}

/* Memory is consistent: one physical address holds one byte. So a region that would overlap
 * one placed before it (or wrap past 2^64) is left out. */
static bool fits(const struct fake_memory *m, uint64_t phys, uint32_t size)
{
    if (size == 0 || phys + size < phys)
        return false;
    for (unsigned i = 0; i < m->count; i++) {
        const struct region *r = &m->regions[i];
        if (phys < r->phys + r->size && r->phys < phys + size)
            return false;
    }
    return true;
}

/* Sets p[at] so that p[0..n) sums to zero. */
static void fix_sum(uint8_t *p, uint32_t n, uint32_t at)
{
    uint8_t sum = 0;

    if (at >= n)
        return;
    p[at] = 0;
    for (uint32_t i = 0; i < n; i++)
        sum = (uint8_t)(sum + p[i]);
    p[at] = (uint8_t)-sum;
}

static uint8_t *read_region(struct fuzz_input *in, uint8_t flags, uint32_t *size_out)
{
    uint16_t field = fuzz_u16(in);
    uint32_t size = (flags & REGION_LARGE) ? (uint32_t)field * 4 : field % FUZZ_ACPI_SMALL_MAX;
    size_t n;
    const uint8_t *data = fuzz_take(in, fuzz_u16(in), &n);
    uint8_t *bytes = calloc(1, size ? size : 1);

    if (!bytes)
        abort();
    memcpy(bytes, data, n < size ? n : size);
    if (flags & REGION_FIX_SDT_SUM)
        fix_sum(bytes, size, 9);
    if (flags & REGION_FIX_RSDP_SUM) {
        fix_sum(bytes, size < ACPI_RSDP_V1_SIZE ? size : ACPI_RSDP_V1_SIZE, 8);
        fix_sum(bytes, size, 32);
    }
    *size_out = size;
    return bytes;
}

static void check_result(const struct acpi_info *o, const struct fake_memory *mem, bool usable,
                         unsigned lines)
{
    FUZZ_CHECK(o->errors == lines);
    FUZZ_CHECK(o->table_count <= ACPI_MAX_TABLES);
    for (uint32_t i = 0; i < o->table_count; i++) {
        const struct acpi_table *t = &o->tables[i];
        FUZZ_CHECK(strlen(t->signature) == 4);
        FUZZ_CHECK(t->length >= ACPI_SDT_HEADER_SIZE && t->length <= ACPI_TABLE_MAX_LENGTH);
        FUZZ_CHECK(fake_map((void *)mem, t->address, t->length) != NULL);
    }
    FUZZ_CHECK(o->cpu_count <= ACPI_MAX_CPUS);
    FUZZ_CHECK(o->ioapic_count <= ACPI_MAX_IOAPICS);
    FUZZ_CHECK(o->override_count <= ACPI_MAX_OVERRIDES);
    FUZZ_CHECK(o->nmi_count <= ACPI_MAX_NMIS);
    for (uint32_t i = 0; i < o->cpu_count; i++) {
        FUZZ_CHECK(o->cpus[i].enabled != o->cpus[i].online_capable);
        for (uint32_t j = 0; j < i; j++)
            FUZZ_CHECK(o->cpus[i].apic_id != o->cpus[j].apic_id);
    }
    if (o->cpus_dropped)
        FUZZ_CHECK(o->cpu_count == ACPI_MAX_CPUS);
    if (o->rsdp_source != ACPI_RSDP_NONE)
        FUZZ_CHECK(o->rsdp_length == ACPI_RSDP_V1_SIZE || o->rsdp_length >= ACPI_RSDP_V2_SIZE);
    if (o->madt_found) {
        bool listed = o->table_count == ACPI_MAX_TABLES;    /* else it is in the list */
        for (uint32_t i = 0; i < o->table_count; i++)
            listed |= o->tables[i].address == o->madt_address &&
                      memcmp(o->tables[i].signature, "APIC", 4) == 0;
        FUZZ_CHECK(listed);
        FUZZ_CHECK(fake_map((void *)mem, o->madt_address, ACPI_SDT_HEADER_SIZE) != NULL);
    }
    if (usable) {
        FUZZ_CHECK(o->rsdp_source != ACPI_RSDP_NONE);
        FUZZ_CHECK(o->madt_found && o->cpu_count >= 1);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_input in = fuzz_input(data, size);
    static struct fake_memory mem;
    static struct acpi_info info;
    struct acpi_memory acpi_mem = { fake_map, &mem };
    struct acpi_boot boot = { .bios = fuzz_u8(&in) & 1 };
    uint8_t *copies[2] = { NULL, NULL };
    struct fuzz_diag sink;

    mem.count = 0;
    while (fuzz_left(&in) > 0 && mem.count < FUZZ_ACPI_REGIONS) {
        uint8_t flags = fuzz_u8(&in);
        uint64_t phys = fuzz_u64(&in);
        uint32_t region_size;
        uint8_t *bytes = read_region(&in, flags, &region_size);

        if ((flags & REGION_MB2_NEW) && !copies[0]) {
            copies[0] = bytes;
            boot.rsdp_new = bytes;
            boot.rsdp_new_size = region_size;
        } else if ((flags & REGION_MB2_OLD) && !copies[1]) {
            copies[1] = bytes;
            boot.rsdp_old = bytes;
            boot.rsdp_old_size = region_size;
        } else if (fits(&mem, phys, region_size)) {
            mem.regions[mem.count++] = (struct region){ phys, region_size, bytes };
        } else {
            free(bytes);
        }
    }

    fuzz_diag_init(&sink);
    bool usable = acpi_parse(&acpi_mem, &boot, &info, &sink.diag);
    check_result(&info, &mem, usable, sink.lines);

    for (unsigned i = 0; i < mem.count; i++)
        free(mem.regions[i].bytes);
    free(copies[0]);
    free(copies[1]);
    return 0;
}
