/* libFuzzer target for guest/partition_validate.c: a partition table built from the input
 * (bounded counts, every array in its own exact-size heap block) goes through the static
 * checks, the table-list check and the machine checks, and a table that passes is checked
 * again here, independently, for the rules the hypervisor relies on. MSR ranges follow the
 * MSR bitmap (Intel SDM Vol. 3C, 25.6.9). */
#include "tests/fuzz/fuzz_common.h"

#include "guest/msr_bitmap.h"
#include "guest/partition.h"
#include "guest/partition_validate.h"

#define PARTS_MAX   4
#define PORTS_MAX   6
#define MSRS_MAX    4
#define MMIO_MAX    3
#define GPA_LIMIT   (1ull << 48)

static const char *const table_names[] = { "t", "demo", "", NULL };
static const char *const part_names[] = {
    "alpha", "beta", "gamma", "", NULL, "a-name-longer-than-the-32-byte-label-buffer",
};
static const char *const modules[] = { "testguest", "hostile", "absent", "", NULL };
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* Addresses and sizes the checks care about: mostly multiples of `unit`, sometimes just off
 * one, sometimes anything, sometimes 0. */
static uint64_t read_quantity(struct fuzz_input *in, uint64_t unit)
{
    switch (fuzz_u8(in) & 3) {
    case 0:
        return fuzz_u64(in);
    case 1:
        return (uint64_t)fuzz_u16(in) * unit;
    case 2:
        return (uint64_t)fuzz_u16(in) * unit + fuzz_u8(in);
    default:
        return 0;
    }
}

/* A count below max, and whether its array is left NULL (bit 7). */
static uint32_t read_count(struct fuzz_input *in, uint32_t max, bool *null_array)
{
    uint8_t b = fuzz_u8(in);

    *null_array = (b & 0x80) != 0;
    return (b & 0x7F) % (max + 1);
}

static void *array_of(uint32_t count, size_t elem, bool null_array)
{
    void *p;

    if (null_array)
        return NULL;
    p = calloc(count ? count : 1, elem);
    if (!p)
        abort();
    return p;
}

static void read_partition(struct fuzz_input *in, struct partition_config *p)
{
    bool null_array;

    p->name = part_names[fuzz_u8(in) % COUNT(part_names)];
    p->cpu = fuzz_u8(in);
    p->memory_size = read_quantity(in, PARTITION_MEMORY_ALIGN);
    p->host_base = read_quantity(in, PARTITION_MEMORY_ALIGN);
    p->module = modules[fuzz_u8(in) % COUNT(modules)];
    p->format = (enum image_format)(fuzz_u8(in) % 3);
    p->load_address = read_quantity(in, 0x1000);
    p->entry = read_quantity(in, 0x1000);

    p->port_count = read_count(in, PORTS_MAX, &null_array);
    struct port_range *ports = array_of(p->port_count, sizeof(*ports), null_array);
    for (uint32_t i = 0; ports && i < p->port_count; i++) {
        ports[i].first = fuzz_u16(in);
        ports[i].last = fuzz_u16(in);
        ports[i].access = fuzz_u8(in);
    }
    p->ports = ports;

    p->msr_count = read_count(in, MSRS_MAX, &null_array);
    struct msr_range *msrs = array_of(p->msr_count, sizeof(*msrs), null_array);
    for (uint32_t i = 0; msrs && i < p->msr_count; i++) {
        msrs[i].first = fuzz_u32(in);
        msrs[i].last = fuzz_u32(in);
        msrs[i].access = fuzz_u8(in);
    }
    p->msrs = msrs;

    p->mmio_count = read_count(in, MMIO_MAX, &null_array);
    struct mmio_grant *mmio = array_of(p->mmio_count, sizeof(*mmio), null_array);
    for (uint32_t i = 0; mmio && i < p->mmio_count; i++) {
        mmio[i].gpa = read_quantity(in, PARTITION_MMIO_ALIGN);
        mmio[i].hpa = read_quantity(in, PARTITION_MMIO_ALIGN);
        mmio[i].size = read_quantity(in, PARTITION_MMIO_ALIGN);
    }
    p->mmio = mmio;

    p->console.port = fuzz_u16(in);
    p->console.input_focus = fuzz_u8(in) & 1;
    p->watchdog_ms = fuzz_u32(in);
}

static void free_partition(struct partition_config *p)
{
    free((void *)p->ports);
    free((void *)p->msrs);
    free((void *)p->mmio);
}

static bool ranges_overlap(uint64_t a_first, uint64_t a_last, uint64_t b_first, uint64_t b_last)
{
    return a_first <= b_last && b_first <= a_last;
}

/* Whether p grants any port of first..last; a range with first > last grants nothing. */
static bool grants_port(const struct partition_config *p, uint32_t first, uint32_t last)
{
    for (uint32_t i = 0; p->ports && i < p->port_count; i++)
        if (p->ports[i].first <= p->ports[i].last &&
            ranges_overlap(p->ports[i].first, p->ports[i].last, first, last))
            return true;
    return false;
}

/* One entry of a table that passed, against the rules stated in partition.h. */
static void check_valid_entry(const struct partition_table *t, uint32_t i)
{
    const struct partition_config *p = &t->parts[i];
    uint32_t console = p->console.port;

    FUZZ_CHECK(p->name && *p->name && p->module && *p->module);
    FUZZ_CHECK(p->cpu < PARTITION_CPU_LIMIT);
    FUZZ_CHECK(p->memory_size && p->memory_size % PARTITION_MEMORY_ALIGN == 0 &&
               p->memory_size <= GPA_LIMIT);
    FUZZ_CHECK(p->host_base % PARTITION_MEMORY_ALIGN == 0);
    FUZZ_CHECK(p->format == IMAGE_ELF64 || p->format == IMAGE_FLAT ||
               p->format == IMAGE_MULTIBOOT || p->format == IMAGE_MULTIBOOT2 ||
               p->format == IMAGE_BZIMAGE);
    if (p->format == IMAGE_FLAT)
        FUZZ_CHECK(p->load_address < p->memory_size && p->entry < p->memory_size);
    else
        FUZZ_CHECK(p->load_address == 0);
    FUZZ_CHECK(p->guest_module_count <= PARTITION_GUEST_MODULES_MAX);
    for (uint32_t k = 0; k < p->guest_module_count; k++)
        FUZZ_CHECK(p->guest_modules && p->guest_modules[k] && *p->guest_modules[k]);
    FUZZ_CHECK(console && console + PARTITION_CONSOLE_PORTS - 1 <= 0xFFFF);
    for (uint32_t k = 0; k < p->port_count; k++) {
        const struct port_range *r = &p->ports[k];
        FUZZ_CHECK(r->first <= r->last && r->access && !(r->access & ~PORT_RW));
        FUZZ_CHECK(!ranges_overlap(r->first, r->last, console,
                                   console + PARTITION_CONSOLE_PORTS - 1));
        for (uint32_t m = 0; m < k; m++)
            FUZZ_CHECK(!ranges_overlap(r->first, r->last, p->ports[m].first, p->ports[m].last));
    }
    if (console != PARTITION_HV_CONSOLE_DEFAULT)
        FUZZ_CHECK(!grants_port(p, PARTITION_HV_CONSOLE_DEFAULT,
                                PARTITION_HV_CONSOLE_DEFAULT + PARTITION_CONSOLE_PORTS - 1));
    for (uint32_t k = 0; k < p->msr_count; k++) {
        const struct msr_range *r = &p->msrs[k];
        FUZZ_CHECK(r->access && !(r->access & ~MSR_RW));
        FUZZ_CHECK(msr_bitmap_covers_range(r->first, r->last));
    }
    for (uint32_t k = 0; k < p->mmio_count; k++) {
        const struct mmio_grant *m = &p->mmio[k];
        FUZZ_CHECK(m->size && (m->gpa | m->hpa | m->size) % PARTITION_MMIO_ALIGN == 0);
        FUZZ_CHECK(m->gpa >= p->memory_size && m->gpa <= GPA_LIMIT - m->size);
    }
    for (uint32_t j = 0; j < i; j++) {
        const struct partition_config *q = &t->parts[j];
        FUZZ_CHECK(strcmp(p->name, q->name) != 0);
        FUZZ_CHECK(p->cpu != q->cpu);
        FUZZ_CHECK(!(p->console.input_focus && q->console.input_focus));
        if (p->host_base && q->host_base)
            FUZZ_CHECK(!ranges_overlap(p->host_base, p->host_base + p->memory_size - 1,
                                       q->host_base, q->host_base + q->memory_size - 1));
        /* The reset and PCI configuration ports belong to one partition at most. */
        FUZZ_CHECK(!(grants_port(p, 0xCF8, 0xCFF) && grants_port(q, 0xCF8, 0xCFF)));
        FUZZ_CHECK(!(grants_port(p, 0x64, 0x64) && grants_port(q, 0x64, 0x64)));
    }
}

/* The machine the partitions are checked against at boot. */
struct machine {
    uint64_t cpus;          /* bit per usable CPU */
    uint8_t modules;        /* bit per entry of modules[] that is loaded */
};

static bool cpu_usable(void *ctx, uint32_t cpu)
{
    const struct machine *m = ctx;

    return cpu < 64 && (m->cpus >> cpu & 1);
}

static bool module_present(void *ctx, const char *name)
{
    const struct machine *m = ctx;

    for (unsigned i = 0; i < COUNT(modules); i++)
        if (modules[i] && strcmp(modules[i], name) == 0)
            return (m->modules >> i & 1) != 0;
    return false;
}

static void check_machine(struct fuzz_input *in, const struct partition_table *t)
{
    struct machine mach;
    mach.cpus = fuzz_u64(in);
    mach.modules = fuzz_u8(in);
    /* boot/main.c takes console=<port> only in 1..0xfff8; 0 leaves a slot unused. Every
     * serial console the hypervisor found is one slot. */
    struct partition_machine m = { cpu_usable, module_present, &mach, { 0 }, NULL };
    for (unsigned i = 0; i < PARTITION_HV_CONSOLE_PORTS; i++)
        m.console_ports[i] = (uint16_t)(fuzz_u16(in) % 0xFFF9);

    for (uint32_t i = 0; i < t->count; i++) {
        const struct partition_config *p = &t->parts[i];
        struct fuzz_diag sink;

        fuzz_diag_init(&sink);
        bool ok = partition_check_machine(p, &m, &sink.diag);
        FUZZ_CHECK(ok == (sink.lines == 0));
        if (!ok)
            continue;
        FUZZ_CHECK(cpu_usable(&mach, p->cpu));
        FUZZ_CHECK(p->module && module_present(&mach, p->module));
        for (unsigned c = 0; c < PARTITION_HV_CONSOLE_PORTS; c++)
            if (m.console_ports[c])
                FUZZ_CHECK(!grants_port(p, m.console_ports[c], (uint32_t)m.console_ports[c] + 7));
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_input in = fuzz_input(data, size);
    struct partition_table t = { .description = "fuzzed" };
    struct fuzz_diag sink;
    bool null_parts;

    uint8_t table_byte = fuzz_u8(&in);
    bool null_table = (table_byte & 0x80) != 0;     /* a NULL entry in the list of tables */
    t.name = table_names[(table_byte & 0x7F) % COUNT(table_names)];
    t.count = read_count(&in, PARTS_MAX, &null_parts);
    struct partition_config *parts = array_of(t.count, sizeof(*parts), null_parts);
    for (uint32_t i = 0; parts && i < t.count; i++)
        read_partition(&in, &parts[i]);
    t.parts = parts;

    fuzz_diag_init(&sink);
    bool ok = partition_table_validate(&t, &sink.diag);
    FUZZ_CHECK(ok == (sink.lines == 0));
    if (ok) {
        FUZZ_CHECK(t.name && *t.name && t.count && t.parts);
        for (uint32_t i = 0; i < t.count; i++)
            check_valid_entry(&t, i);
    }

    /* The fuzzed table beside the compiled-in ones ("demo" clashes), maybe then a NULL. */
    uint32_t listed = partition_table_count + 1 + null_table;
    const struct partition_table **list = malloc(listed * sizeof(*list));
    if (!list)
        abort();
    list[0] = &t;
    memcpy(list + 1, partition_tables, partition_table_count * sizeof(*list));
    if (null_table)
        list[listed - 1] = NULL;
    fuzz_diag_init(&sink);
    bool names_ok = partition_table_names_validate(list, listed, &sink.diag);
    free(list);
    FUZZ_CHECK(names_ok == (sink.lines == 0));
    if (names_ok && t.name && *t.name)
        FUZZ_CHECK(partition_table_find(t.name) == NULL);
    if (null_table)
        FUZZ_CHECK(!names_ok);
    fuzz_diag_init(&sink);
    FUZZ_CHECK(!partition_table_validate(NULL, &sink.diag) && sink.lines == 1);

    if (parts)
        check_machine(&in, &t);

    for (uint32_t i = 0; parts && i < t.count; i++)
        free_partition(&parts[i]);
    free(parts);
    return 0;
}
