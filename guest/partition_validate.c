/* Partition table checks, static and against the machine (see partition_validate.h). Which
 * MSRs can be granted follows the MSR bitmap's ranges (Intel SDM Vol. 3C, 25.6.9). */
#include "guest/partition_validate.h"

#include <stdarg.h>
#include <stddef.h>

#include "guest/msr_bitmap.h"
#include "lib/format.h"
#include "lib/string.h"

#define U64(x) ((unsigned long long)(x))

/* Guest-physical addresses reachable with a 4-level EPT walk, host-physical ones with the
 * architectural maximum MAXPHYADDR. */
#define GPA_LIMIT (1ull << 48)
#define HPA_LIMIT (1ull << 52)

/* The table being checked and the entry whose problems are being reported. */
struct check {
    const struct partition_table *t;
    const char *table;
    const struct diag *d;
    char label[32];
    bool ok;
};

static void problem(struct check *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void problem(struct check *c, const char *fmt, ...)
{
    char text[DIAG_LINE_MAX];
    va_list ap;

    va_start(ap, fmt);
    fmt_vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    c->ok = false;
    diag_report(c->d, "partitions %s: %s: %s", c->table, c->label, text);
}

static bool has_text(const char *s)
{
    return s && *s;
}

/* An entry as messages name it: its name, or "entry N" when it has none. */
static const char *entry_label(const struct partition_table *t, uint32_t index, char *buf,
                               size_t size)
{
    if (has_text(t->parts[index].name))
        return t->parts[index].name;
    fmt_snprintf(buf, size, "entry %u", index);
    return buf;
}

static bool overlaps(uint64_t a_first, uint64_t a_last, uint64_t b_first, uint64_t b_last)
{
    return a_first <= b_last && b_first <= a_last;
}

static bool memory_ok(const struct partition_config *p)
{
    return p->memory_size && p->memory_size % PARTITION_MEMORY_ALIGN == 0 &&
           p->memory_size <= GPA_LIMIT;
}

/* The host range a fixed, well-formed host_base claims; false for "carve anywhere" or bad ones. */
static bool host_span(const struct partition_config *p, uint64_t *first, uint64_t *last)
{
    if (!p->host_base || p->host_base % PARTITION_MEMORY_ALIGN || !memory_ok(p) ||
        p->host_base > HPA_LIMIT - p->memory_size)
        return false;
    *first = p->host_base;
    *last = p->host_base + p->memory_size - 1;
    return true;
}

static void check_name_and_cpu(struct check *c, uint32_t index)
{
    const struct partition_config *p = &c->t->parts[index];
    char other[32];

    if (!has_text(p->name))
        problem(c, "name empty");
    for (uint32_t j = 0; j < index && has_text(p->name); j++)
        if (has_text(c->t->parts[j].name) && strcmp(c->t->parts[j].name, p->name) == 0) {
            problem(c, "name \"%s\" used twice", p->name);
            break;
        }

    if (p->cpu >= PARTITION_CPU_LIMIT) {
        problem(c, "cpu %u not below the CPU limit %u", p->cpu, PARTITION_CPU_LIMIT);
        return;
    }
    for (uint32_t j = 0; j < index; j++)
        if (c->t->parts[j].cpu == p->cpu) {
            problem(c, "cpu %u already used by %s", p->cpu,
                    entry_label(c->t, j, other, sizeof(other)));
            break;
        }
}

static void check_memory(struct check *c, uint32_t index)
{
    const struct partition_config *p = &c->t->parts[index];
    uint64_t first, last, other_first, other_last;
    char other[32];

    if (!p->memory_size)
        problem(c, "memory_size 0");
    else if (p->memory_size % PARTITION_MEMORY_ALIGN)
        problem(c, "memory_size 0x%llx not a multiple of 2 MiB", U64(p->memory_size));
    else if (p->memory_size > GPA_LIMIT)
        problem(c, "memory_size 0x%llx beyond the 48-bit guest-physical space",
                U64(p->memory_size));

    if (!p->host_base)
        return;
    if (p->host_base % PARTITION_MEMORY_ALIGN) {
        problem(c, "host_base 0x%llx not 2 MiB aligned", U64(p->host_base));
        return;
    }
    if (!memory_ok(p))
        return;
    if (!host_span(p, &first, &last)) {
        problem(c, "host_base 0x%llx + memory_size 0x%llx beyond 52-bit physical addresses",
                U64(p->host_base), U64(p->memory_size));
        return;
    }
    for (uint32_t j = 0; j < index; j++)
        if (host_span(&c->t->parts[j], &other_first, &other_last) &&
            overlaps(first, last, other_first, other_last))
            problem(c, "host_base 0x%llx overlaps %s's 0x%llx-0x%llx", U64(first),
                    entry_label(c->t, j, other, sizeof(other)), U64(other_first),
                    U64(other_last));
}

static void check_image(struct check *c, const struct partition_config *p)
{
    if (!has_text(p->module))
        problem(c, "module empty");
    if (p->format != IMAGE_ELF64 && p->format != IMAGE_FLAT && p->format != IMAGE_MULTIBOOT &&
        p->format != IMAGE_MULTIBOOT2 && p->format != IMAGE_BZIMAGE) {
        problem(c, "format %d unknown", (int)p->format);
        return;
    }
    if (p->format != IMAGE_FLAT && p->load_address)
        problem(c, "load_address 0x%llx is for flat images only", U64(p->load_address));
    if (p->guest_module_count > PARTITION_GUEST_MODULES_MAX)
        problem(c, "%u guest modules, at most %u", p->guest_module_count,
                PARTITION_GUEST_MODULES_MAX);
    else if (p->guest_module_count && !p->guest_modules)
        problem(c, "guest_module_count %u without guest_modules", p->guest_module_count);
    else
        for (uint32_t i = 0; i < p->guest_module_count; i++)
            if (!has_text(p->guest_modules[i]))
                problem(c, "guest module %u empty", i);
    if (!memory_ok(p))
        return;
    if (p->format == IMAGE_FLAT && p->load_address >= p->memory_size)
        problem(c, "load_address 0x%llx outside memory 0x0-0x%llx", U64(p->load_address),
                U64(p->memory_size - 1));
    if ((p->format == IMAGE_FLAT || p->entry) && p->entry >= p->memory_size)
        problem(c, "entry 0x%llx outside memory 0x0-0x%llx", U64(p->entry),
                U64(p->memory_size - 1));
}

/* Port and MSR grants share their checks through this view of one range. */
enum grant_kind { GRANT_PORTS, GRANT_MSRS };

struct grant {
    uint64_t first, last;
    unsigned access;
};

static struct grant grant_get(const struct partition_config *p, enum grant_kind kind, uint32_t i)
{
    if (kind == GRANT_PORTS)
        return (struct grant){ p->ports[i].first, p->ports[i].last, p->ports[i].access };
    return (struct grant){ p->msrs[i].first, p->msrs[i].last, p->msrs[i].access };
}

static void check_grants(struct check *c, const struct partition_config *p, enum grant_kind kind)
{
    const char *what = kind == GRANT_PORTS ? "ports" : "msrs";
    uint32_t count = kind == GRANT_PORTS ? p->port_count : p->msr_count;
    const void *array = kind == GRANT_PORTS ? (const void *)p->ports : (const void *)p->msrs;
    uint64_t console_last = (uint64_t)p->console.port + PARTITION_CONSOLE_PORTS - 1;

    if (count && !array) {
        problem(c, "%s NULL with %s %u", what,
                kind == GRANT_PORTS ? "port_count" : "msr_count", count);
        return;
    }
    for (uint32_t i = 0; i < count; i++) {
        struct grant g = grant_get(p, kind, i);

        if (!g.access)
            problem(c, "%s[%u] access 0 grants nothing", what, i);
        else if (g.access & ~(unsigned)PORT_RW)  /* PORT_RW == MSR_RW */
            problem(c, "%s[%u] access 0x%x has unknown bits", what, i, g.access);
        if (g.first > g.last) {
            problem(c, "%s[%u] 0x%llx-0x%llx: first > last", what, i, U64(g.first),
                    U64(g.last));
            continue;
        }
        if (kind == GRANT_MSRS && !msr_bitmap_covers_range((uint32_t)g.first, (uint32_t)g.last))
            problem(c, "msrs[%u] 0x%llx-0x%llx outside the MSR bitmap "
                    "(0x0-0x%x, 0x%x-0x%x)", i, U64(g.first), U64(g.last),
                    MSR_BITMAP_LOW_LAST, MSR_BITMAP_HIGH_FIRST, MSR_BITMAP_HIGH_LAST);
        if (kind == GRANT_PORTS && p->console.port &&
            overlaps(g.first, g.last, p->console.port, console_last))
            problem(c, "ports[%u] 0x%llx-0x%llx overlaps the virtual console 0x%x-0x%llx", i,
                    U64(g.first), U64(g.last), p->console.port, U64(console_last));
        for (uint32_t j = 0; j < i; j++) {
            struct grant h = grant_get(p, kind, j);

            if (h.first <= h.last && overlaps(g.first, g.last, h.first, h.last))
                problem(c, "%s[%u] 0x%llx-0x%llx overlaps %s[%u] 0x%llx-0x%llx", what, i,
                        U64(g.first), U64(g.last), what, j, U64(h.first), U64(h.last));
        }
    }
}

static bool mmio_ok(const struct mmio_grant *m)
{
    return m->size && (m->gpa | m->hpa | m->size) % PARTITION_MMIO_ALIGN == 0 &&
           m->size <= GPA_LIMIT && m->gpa <= GPA_LIMIT - m->size && m->hpa <= HPA_LIMIT - m->size;
}

/* One grant against the grants before it (same partition) and every partition's memory and
 * the grants of the partitions before this one (devices are not shared). */
static void check_mmio_against(struct check *c, uint32_t index, uint32_t i)
{
    const struct partition_table *t = c->t;
    const struct mmio_grant *m = &t->parts[index].mmio[i];
    uint64_t gpa_last = m->gpa + m->size - 1, hpa_last = m->hpa + m->size - 1, first, last;
    char other[32];

    for (uint32_t j = 0; j < i; j++) {
        const struct mmio_grant *n = &t->parts[index].mmio[j];

        if (!mmio_ok(n))
            continue;
        if (overlaps(m->gpa, gpa_last, n->gpa, n->gpa + n->size - 1))
            problem(c, "mmio[%u] gpa 0x%llx-0x%llx overlaps mmio[%u] gpa 0x%llx-0x%llx", i,
                    U64(m->gpa), U64(gpa_last), j, U64(n->gpa), U64(n->gpa + n->size - 1));
        if (overlaps(m->hpa, hpa_last, n->hpa, n->hpa + n->size - 1))
            problem(c, "mmio[%u] hpa 0x%llx-0x%llx overlaps mmio[%u] hpa 0x%llx-0x%llx", i,
                    U64(m->hpa), U64(hpa_last), j, U64(n->hpa), U64(n->hpa + n->size - 1));
    }
    for (uint32_t k = 0; k < t->count; k++) {
        const struct partition_config *q = &t->parts[k];

        if (host_span(q, &first, &last) && overlaps(m->hpa, hpa_last, first, last))
            problem(c, "mmio[%u] hpa 0x%llx-0x%llx overlaps %s's memory 0x%llx-0x%llx", i,
                    U64(m->hpa), U64(hpa_last), entry_label(t, k, other, sizeof(other)),
                    U64(first), U64(last));
        for (uint32_t j = 0; k < index && q->mmio && j < q->mmio_count; j++)
            if (mmio_ok(&q->mmio[j]) &&
                overlaps(m->hpa, hpa_last, q->mmio[j].hpa, q->mmio[j].hpa + q->mmio[j].size - 1))
                problem(c, "mmio[%u] hpa 0x%llx-0x%llx also granted to %s's mmio[%u]", i,
                        U64(m->hpa), U64(hpa_last), entry_label(t, k, other, sizeof(other)), j);
    }
}

static void check_mmio(struct check *c, uint32_t index)
{
    const struct partition_config *p = &c->t->parts[index];

    if (p->mmio_count && !p->mmio) {
        problem(c, "mmio NULL with mmio_count %u", p->mmio_count);
        return;
    }
    for (uint32_t i = 0; i < p->mmio_count; i++) {
        const struct mmio_grant *m = &p->mmio[i];

        if (!m->size) {
            problem(c, "mmio[%u] size 0", i);
            continue;
        }
        if ((m->gpa | m->hpa | m->size) % PARTITION_MMIO_ALIGN) {
            problem(c, "mmio[%u] gpa 0x%llx hpa 0x%llx size 0x%llx not 4 KiB aligned", i,
                    U64(m->gpa), U64(m->hpa), U64(m->size));
            continue;
        }
        if (!mmio_ok(m)) {
            problem(c, "mmio[%u] gpa 0x%llx hpa 0x%llx size 0x%llx beyond the address space", i,
                    U64(m->gpa), U64(m->hpa), U64(m->size));
            continue;
        }
        if (memory_ok(p) && m->gpa < p->memory_size)
            problem(c, "mmio[%u] gpa 0x%llx-0x%llx overlaps memory 0x0-0x%llx", i, U64(m->gpa),
                    U64(m->gpa + m->size - 1), U64(p->memory_size - 1));
        check_mmio_against(c, index, i);
    }
}

/* The test device's page: aligned, outside RAM and every MMIO grant. */
static void check_testdev(struct check *c, uint32_t index)
{
    const struct partition_config *p = &c->t->parts[index];
    uint64_t gpa = p->testdev_gpa, last = gpa + PARTITION_MMIO_ALIGN - 1;

    if (!gpa)
        return;
    if (gpa % PARTITION_MMIO_ALIGN || last < gpa) {
        problem(c, "testdev_gpa 0x%llx not a 4 KiB page of the address space", U64(gpa));
        return;
    }
    if (memory_ok(p) && gpa < p->memory_size)
        problem(c, "testdev_gpa 0x%llx inside memory 0x0-0x%llx", U64(gpa),
                U64(p->memory_size - 1));
    for (uint32_t i = 0; p->mmio && i < p->mmio_count; i++)
        if (mmio_ok(&p->mmio[i]) &&
            overlaps(gpa, last, p->mmio[i].gpa, p->mmio[i].gpa + p->mmio[i].size - 1))
            problem(c, "testdev_gpa 0x%llx overlaps mmio[%u]", U64(gpa), i);
}

static void check_console(struct check *c, uint32_t index)
{
    const struct partition_config *p = &c->t->parts[index];
    char other[32];

    if (!p->console.port)
        problem(c, "console port 0");
    else if (p->console.port > 0x10000u - PARTITION_CONSOLE_PORTS)
        problem(c, "console port 0x%x: its %u registers pass 0xffff", p->console.port,
                PARTITION_CONSOLE_PORTS);
    for (uint32_t j = 0; j < index && p->console.input_focus; j++)
        if (c->t->parts[j].console.input_focus) {
            problem(c, "console input_focus also given to %s",
                    entry_label(c->t, j, other, sizeof(other)));
            break;
        }
}

/* Ports that reset or reconfigure the whole machine: at most one partition may own each. */
static const struct machine_port {
    uint16_t first, last;
    const char *what;
} machine_ports[] = {
    { 0x0020, 0x0021, "the master 8259A PIC" },
    { 0x0040, 0x0043, "the 8254 PIT" },
    { 0x0064, 0x0064, "the keyboard controller's command port (reset)" },
    { 0x0092, 0x0092, "system control port A (fast reset, A20)" },
    { 0x00A0, 0x00A1, "the slave 8259A PIC" },
    { 0x0CF8, 0x0CF8, "the PCI configuration address" },
    { 0x0CF9, 0x0CF9, "the reset control register" },
    { 0x0CFC, 0x0CFF, "the PCI configuration data" },
};

static const struct port_range *granted_overlap(const struct partition_config *p, uint16_t first,
                                                uint16_t last)
{
    for (uint32_t i = 0; p->ports && i < p->port_count; i++)   /* malformed ranges: reported already */
        if (p->ports[i].first <= p->ports[i].last && p->ports[i].first <= last &&
            first <= p->ports[i].last)
            return &p->ports[i];
    return NULL;
}

/* Ports whose grant lets a guest reach beyond its partition: PCI configuration space (it
 * reprograms devices, which then DMA anywhere) and the reset ports (written). */
static const struct unsafe_port {
    uint16_t first, last;
    uint8_t access;         /* the directions that are unsafe */
    const char *what;
} unsafe_ports[] = {
    { 0x0CF8, 0x0CFF, PORT_RW, "PCI configuration space" },
    { 0x0CF9, 0x0CF9, PORT_WRITE, "the reset control register" },
    { 0x0064, 0x0064, PORT_WRITE, "the keyboard controller's reset pulse" },
    { 0x0092, 0x0092, PORT_WRITE, "system control port A (fast reset)" },
};

const char *partition_unsafe_grant(const struct partition_config *p, char *buf, size_t size)
{
    for (size_t k = 0; k < sizeof(unsafe_ports) / sizeof(unsafe_ports[0]); k++) {
        const struct unsafe_port *u = &unsafe_ports[k];
        for (uint32_t i = 0; p->ports && i < p->port_count; i++) {
            const struct port_range *g = &p->ports[i];
            if (g->first <= u->last && u->first <= g->last && (g->access & u->access)) {
                fmt_snprintf(buf, size, "ports 0x%x-0x%x (%s)", g->first, g->last, u->what);
                return buf;
            }
        }
    }
    if (p->mmio && p->mmio_count) {
        fmt_snprintf(buf, size, "MMIO 0x%llx-0x%llx (a device, which can DMA anywhere)",
                     U64(p->mmio[0].hpa), U64(p->mmio[0].hpa + p->mmio[0].size - 1));
        return buf;
    }
    return NULL;
}

static void check_unsafe_grants(struct check *c, const struct partition_config *p)
{
    char what[96];
    if (!p->unsafe && partition_unsafe_grant(p, what, sizeof(what)))
        problem(c, "%s can reach outside the partition (no DMA remapping yet); refused unless "
                   "the entry is marked unsafe", what);
}

static void check_machine_ports(struct check *c, uint32_t index)
{
    const struct partition_config *p = &c->t->parts[index];
    char other[32];

    /* Where the partition's own virtual UART sits there, check_grants said so already. */
    const struct port_range *g = p->console.port == PARTITION_HV_CONSOLE_DEFAULT ? NULL :
        granted_overlap(p, PARTITION_HV_CONSOLE_DEFAULT, PARTITION_HV_CONSOLE_DEFAULT + 7);
    if (g)
        problem(c, "ports 0x%x-0x%x grant the hypervisor's console UART (0x%x-0x%x)", g->first,
                g->last, PARTITION_HV_CONSOLE_DEFAULT, PARTITION_HV_CONSOLE_DEFAULT + 7);
    for (size_t k = 0; k < sizeof(machine_ports) / sizeof(machine_ports[0]); k++) {
        const struct machine_port *m = &machine_ports[k];
        if (!granted_overlap(p, m->first, m->last))
            continue;
        for (uint32_t j = 0; j < index; j++) {
            if (granted_overlap(&c->t->parts[j], m->first, m->last)) {
                problem(c, "ports 0x%x-0x%x: %s, already granted to %s", m->first, m->last,
                        m->what, entry_label(c->t, j, other, sizeof(other)));
                break;
            }
        }
    }
}

bool partition_table_validate(const struct partition_table *t, const struct diag *d)
{
    struct check c = { .t = t, .d = d, .ok = true };

    if (!t) {
        diag_report(d, "partitions: table NULL");
        return false;
    }
    c.table = has_text(t->name) ? t->name : "?";
    if (!has_text(t->name)) {
        diag_report(d, "partitions: table name empty");
        c.ok = false;
    }
    if (!t->count || !t->parts) {
        diag_report(d, "partitions %s: no partitions", c.table);
        return false;
    }
    for (uint32_t i = 0; i < t->count; i++) {
        const struct partition_config *p = &t->parts[i];
        char label[sizeof(c.label)];

        fmt_snprintf(c.label, sizeof(c.label), "%s", entry_label(t, i, label, sizeof(label)));
        check_name_and_cpu(&c, i);
        check_memory(&c, i);
        check_image(&c, p);
        check_grants(&c, p, GRANT_PORTS);
        check_grants(&c, p, GRANT_MSRS);
        check_mmio(&c, i);
        check_testdev(&c, i);
        check_console(&c, i);
        check_machine_ports(&c, i);
        check_unsafe_grants(&c, p);
    }
    return c.ok;
}

bool partition_table_names_validate(const struct partition_table *const *tables, uint32_t count,
                                    const struct diag *d)
{
    bool ok = true;

    for (uint32_t i = 0; i < count; i++) {
        if (!tables[i]) {
            diag_report(d, "partitions: table %u is NULL", i);
            ok = false;
            continue;
        }
        for (uint32_t j = 0; j < i && has_text(tables[i]->name); j++)
            if (tables[j] && has_text(tables[j]->name) &&
                strcmp(tables[j]->name, tables[i]->name) == 0) {
                diag_report(d, "partitions: table \"%s\" defined twice", tables[i]->name);
                ok = false;
                break;
            }
    }
    return ok;
}

bool partition_check_machine(const struct partition_config *p, const struct partition_machine *m,
                             const struct diag *d)
{
    const char *name = has_text(p->name) ? p->name : "?";
    bool ok = true;

    if (p->cpu >= PARTITION_CPU_LIMIT || !m->cpu_usable || !m->cpu_usable(m->ctx, p->cpu)) {
        diag_report(d, "partition %s: cpu %u is not online", name, p->cpu);
        ok = false;
    }
    if (!has_text(p->module) || !m->module_present || !m->module_present(m->ctx, p->module)) {
        diag_report(d, "partition %s: module \"%s\" not loaded", name,
                    p->module ? p->module : "");
        ok = false;
    }
    for (uint32_t i = 0; i < p->guest_module_count && i < PARTITION_GUEST_MODULES_MAX; i++) {
        const char *g = p->guest_modules ? p->guest_modules[i] : NULL;
        if (!has_text(g) || !m->module_present || !m->module_present(m->ctx, g)) {
            diag_report(d, "partition %s: guest module \"%s\" not loaded", name, g ? g : "");
            ok = false;
        }
    }
    for (uint32_t i = 0; i < PARTITION_HV_CONSOLE_PORTS; i++) {
        uint16_t port = m->console_ports[i];
        const struct port_range *g = port ? granted_overlap(p, port, port + 7) : NULL;
        if (g) {
            diag_report(d, "partition %s: ports 0x%x-0x%x grant the hypervisor's console UART "
                           "(0x%x-0x%x)", name, g->first, g->last, port, port + 7);
            ok = false;
        }
    }
    return ok;
}

int partition_smt_sibling(const struct partition_table *t, uint32_t index,
                          const struct partition_machine *m)
{
    if (!m->core_of || t->allow_smt_siblings || index >= t->count)
        return -1;
    uint32_t cpu = t->parts[index].cpu, core = m->core_of(m->ctx, cpu);
    for (uint32_t j = 0; j < index; j++)
        if (t->parts[j].cpu != cpu && m->core_of(m->ctx, t->parts[j].cpu) == core)
            return (int)j;
    return -1;
}
