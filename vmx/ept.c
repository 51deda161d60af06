/* Extended page tables: build, walk, compare against the mappings, destroy
 * (Intel SDM Vol. 3C, 29.3; entry formats Tables 29-1 .. 29-6, EPTP 25.6.11). */
#include "vmx/ept.h"

#include "lib/format.h"

/* Level 4 = PML4 .. 1 = PT; index 0 unused. */
static const char *const level_names[EPT_LEVELS + 1] = { "?", "PT", "PD", "PDPT", "PML4" };

static const char *const memory_type_names[8] = {
    [EPT_MT_UC] = "uc", [EPT_MT_WC] = "wc", [EPT_MT_WT] = "wt", [EPT_MT_WP] = "wp",
    [EPT_MT_WB] = "wb",
};

const char *ept_memory_type_name(unsigned type)
{
    return type < 8 ? memory_type_names[type] : NULL;
}

const char *ept_page_size_name(uint64_t page_size)
{
    switch (page_size) {
    case EPT_PAGE_4K: return "4 KiB";
    case EPT_PAGE_2M: return "2 MiB";
    case EPT_PAGE_1G: return "1 GiB";
    default:          return "?";
    }
}

/* ---- entry helpers ------------------------------------------------------------------------ */

static unsigned level_shift(unsigned level)
{
    return 12u + EPT_INDEX_BITS * (level - 1u);
}

/* The guest-physical span one entry of a table at this level controls. */
static uint64_t level_span(unsigned level)
{
    return 1ull << level_shift(level);
}

static unsigned level_index(uint64_t gpa, unsigned level)
{
    return (unsigned)(gpa >> level_shift(level)) & (EPT_ENTRIES - 1u);
}

static bool entry_present(uint64_t entry)
{
    return (entry & EPT_ACCESS_MASK) != 0;
}

/* Bit 7 makes a PDPTE or PDE a leaf; it is reserved in a PML4E and ignored in a PTE. */
static bool entry_is_leaf(uint64_t entry, unsigned level)
{
    return level == 1 || (level <= 3 && (entry & EPT_LARGE_PAGE));
}

static uint64_t leaf_entry(uint64_t hpa, const struct ept_mapping *m, unsigned level)
{
    return hpa | m->access | ((uint64_t)m->memory_type << EPT_MEMORY_TYPE_SHIFT) |
           (m->ignore_pat ? EPT_IGNORE_PAT : 0) | (level > 1 ? EPT_LARGE_PAGE : 0);
}

static uint64_t *table_at(const struct ept_memory *mem, uint64_t phys)
{
    return phys ? mem->table_ptr(mem->ctx, phys) : NULL;
}

struct text8 {
    char s[8];
};

static struct text8 access_text(unsigned access)
{
    struct text8 t = { { (access & EPT_READ) ? 'r' : '-', (access & EPT_WRITE) ? 'w' : '-',
                         (access & EPT_EXECUTE) ? 'x' : '-', 0 } };
    return t;
}

static struct text8 memory_type_text(unsigned type)
{
    struct text8 t;
    const char *name = ept_memory_type_name(type);

    if (name)
        fmt_snprintf(t.s, sizeof(t.s), "%s", name);
    else
        fmt_snprintf(t.s, sizeof(t.s), "mt%u", type);
    return t;
}

/* ---- mapping list ------------------------------------------------------------------------- */

static bool mapping_check(const struct ept_mapping *m, uint32_t i, const struct diag *d)
{
    unsigned access = m->access;

    if ((m->gpa | m->hpa | m->size) & (EPT_PAGE_4K - 1)) {
        diag_report(d, "ept: mapping %u (gpa 0x%llx hpa 0x%llx size 0x%llx) not 4 KiB aligned",
                    i, (unsigned long long)m->gpa, (unsigned long long)m->hpa,
                    (unsigned long long)m->size);
        return false;
    }
    if (m->size == 0) {
        diag_report(d, "ept: mapping %u at gpa 0x%llx is empty", i, (unsigned long long)m->gpa);
        return false;
    }
    if (m->size > EPT_GPA_LIMIT || m->gpa > EPT_GPA_LIMIT - m->size) {
        diag_report(d, "ept: mapping %u (gpa 0x%llx size 0x%llx) passes the 48-bit "
                    "guest-physical limit", i, (unsigned long long)m->gpa,
                    (unsigned long long)m->size);
        return false;
    }
    if (m->size > EPT_HPA_LIMIT || m->hpa > EPT_HPA_LIMIT - m->size) {
        diag_report(d, "ept: mapping %u (hpa 0x%llx size 0x%llx) passes the 52-bit "
                    "physical limit", i, (unsigned long long)m->hpa, (unsigned long long)m->size);
        return false;
    }
    /* Not present would map nothing; write without read is an EPT misconfiguration (29.3.3.1). */
    if (access == 0 || (access & ~EPT_ACCESS_MASK) || (access & (EPT_READ | EPT_WRITE)) == EPT_WRITE) {
        diag_report(d, "ept: mapping %u at gpa 0x%llx: access 0x%x not allowed", i,
                    (unsigned long long)m->gpa, access);
        return false;
    }
    if (!ept_memory_type_name(m->memory_type)) {
        diag_report(d, "ept: mapping %u at gpa 0x%llx: memory type %u reserved", i,
                    (unsigned long long)m->gpa, m->memory_type);
        return false;
    }
    return true;
}

bool ept_mappings_check(const struct ept_mapping *maps, uint32_t count, const struct diag *d)
{
    bool ok = true;

    for (uint32_t i = 0; i < count; i++)
        ok = mapping_check(&maps[i], i, d) && ok;
    if (!ok)
        return false;
    for (uint32_t i = 0; i < count; i++) {
        for (uint32_t j = i + 1; j < count; j++) {
            const struct ept_mapping *a = &maps[i], *b = &maps[j];

            if (a->gpa < b->gpa + b->size && b->gpa < a->gpa + a->size) {
                diag_report(d, "ept: mapping %u (gpa 0x%llx - 0x%llx) overlaps mapping %u "
                            "(gpa 0x%llx - 0x%llx)", i, (unsigned long long)a->gpa,
                            (unsigned long long)(a->gpa + a->size), j,
                            (unsigned long long)b->gpa, (unsigned long long)(b->gpa + b->size));
                ok = false;
            }
        }
    }
    return ok;
}

/* ---- build -------------------------------------------------------------------------------- */

struct builder {
    struct ept *ept;
    const struct ept_memory *mem;
    const struct diag *d;
    uint32_t map_index;         /* for the out-of-memory report */
    uint64_t gpa;
};

/* A new table, counted in ept->tables; the caller links it at once so destroy finds it. */
static bool table_new(struct builder *b, uint64_t *phys)
{
    uint64_t p = b->mem->alloc_table(b->mem->ctx);

    if (p == 0) {
        diag_report(b->d, "ept: out of memory after %u tables (mapping %u at gpa 0x%llx)",
                    b->ept->tables, b->map_index, (unsigned long long)b->gpa);
        return false;
    }
    if ((p & (EPT_TABLE_SIZE - 1)) || p >= EPT_HPA_LIMIT || !table_at(b->mem, p)) {
        diag_report(b->d, "ept: table 0x%llx from the allocator is unaligned or unreachable",
                    (unsigned long long)p);
        b->mem->free_table(b->mem->ctx, p);
        return false;
    }
    b->ept->tables++;
    *phys = p;
    return true;
}

static unsigned page_level(uint64_t page_size)
{
    return page_size == EPT_PAGE_1G ? 3 : page_size == EPT_PAGE_2M ? 2 : 1;
}

static bool page_fits(uint64_t gpa, uint64_t hpa, uint64_t left, uint64_t page_size)
{
    return ((gpa | hpa) & (page_size - 1)) == 0 && left >= page_size;
}

static uint64_t page_choose(uint64_t gpa, uint64_t hpa, uint64_t left,
                            const struct ept_options *opt)
{
    if (opt && opt->page_1g && page_fits(gpa, hpa, left, EPT_PAGE_1G))
        return EPT_PAGE_1G;
    if (opt && opt->page_2m && page_fits(gpa, hpa, left, EPT_PAGE_2M))
        return EPT_PAGE_2M;
    return EPT_PAGE_4K;
}

/* Installs one leaf, creating the tables above it. Non-leaf entries allow rwx: access is the
 * intersection along the walk, so the leaf alone decides. */
static bool map_page(struct builder *b, uint64_t gpa, uint64_t hpa, uint64_t page_size,
                     const struct ept_mapping *m)
{
    unsigned level = EPT_LEVELS, leaf_level = page_level(page_size);
    uint64_t *entry = &table_at(b->mem, b->ept->pml4_phys)[level_index(gpa, level)];

    for (; level > leaf_level; level--) {
        if (!entry_present(*entry)) {
            uint64_t child;

            if (!table_new(b, &child))
                return false;
            *entry = child | EPT_ACCESS_MASK;
        } else if (entry_is_leaf(*entry, level)) {
            break;
        }
        entry = &table_at(b->mem, *entry & EPT_ADDR_MASK)[level_index(gpa, level - 1)];
    }
    if (level != leaf_level || entry_present(*entry)) {
        /* cannot happen once the overlap check has passed */
        diag_report(b->d, "ept: internal: gpa 0x%llx mapped twice", (unsigned long long)gpa);
        return false;
    }
    *entry = leaf_entry(hpa, m, leaf_level);
    return true;
}

static bool map_range(struct builder *b, const struct ept_mapping *m,
                      const struct ept_options *opt)
{
    uint64_t page_size;

    for (uint64_t offset = 0; offset < m->size; offset += page_size) {
        b->gpa = m->gpa + offset;
        page_size = page_choose(b->gpa, m->hpa + offset, m->size - offset, opt);
        if (!map_page(b, b->gpa, m->hpa + offset, page_size, m))
            return false;
    }
    return true;
}

bool ept_build(struct ept *ept, const struct ept_memory *mem, const struct ept_mapping *maps,
               uint32_t count, const struct ept_options *opt, const struct diag *d)
{
    struct builder b = { .ept = ept, .mem = mem, .d = d };

    *ept = (struct ept){ .accessed_dirty = opt && opt->accessed_dirty };
    if (!ept_mappings_check(maps, count, d) || !table_new(&b, &ept->pml4_phys))
        return false;
    for (uint32_t i = 0; i < count; i++) {
        b.map_index = i;
        if (!map_range(&b, &maps[i], opt)) {
            ept_destroy(ept, mem);
            return false;
        }
    }
    return true;
}

/* Checks that no page of the range is mapped yet, then maps it: one walk per page, so a
 * partly mapped range is refused before anything changes. */
bool ept_map_more(struct ept *ept, const struct ept_memory *mem, const struct ept_mapping *m,
                  const struct ept_options *opt, const struct diag *d)
{
    struct builder b = { .ept = ept, .mem = mem, .d = d };

    if (!ept->pml4_phys || !ept_mappings_check(m, 1, d))
        return false;
    for (uint64_t offset = 0; offset < m->size; offset += EPT_PAGE_4K) {
        struct ept_walk_result r;
        if (ept_walk(mem, ept->pml4_phys, m->gpa + offset, &r) && r.mapped) {
            diag_report(d, "ept: gpa 0x%llx is mapped already",
                        (unsigned long long)(m->gpa + offset));
            return false;
        }
    }
    return map_range(&b, m, opt);
}

uint64_t ept_pointer(const struct ept *ept, bool accessed_dirty)
{
    return (ept->pml4_phys & EPT_ADDR_MASK) | EPTP_MEMORY_TYPE_WB |
           ((uint64_t)(EPT_LEVELS - 1) << EPTP_WALK_LENGTH_SHIFT) |
           (accessed_dirty ? EPTP_ACCESSED_DIRTY : 0);
}

/* ---- destroy ------------------------------------------------------------------------------ */

static void free_tree(const struct ept_memory *mem, uint64_t phys, unsigned level)
{
    const uint64_t *table = table_at(mem, phys);

    for (unsigned i = 0; table && level > 1 && i < EPT_ENTRIES; i++) {
        if (entry_present(table[i]) && !entry_is_leaf(table[i], level))
            free_tree(mem, table[i] & EPT_ADDR_MASK, level - 1);
    }
    mem->free_table(mem->ctx, phys);
}

void ept_destroy(struct ept *ept, const struct ept_memory *mem)
{
    if (ept->pml4_phys)
        free_tree(mem, ept->pml4_phys, EPT_LEVELS);
    ept->pml4_phys = 0;
    ept->tables = 0;
}

/* ---- walk --------------------------------------------------------------------------------- */

bool ept_walk(const struct ept_memory *mem, uint64_t pml4_phys, uint64_t gpa,
              struct ept_walk_result *out)
{
    uint64_t table = pml4_phys;

    *out = (struct ept_walk_result){ .gpa = gpa };
    if (gpa >= EPT_GPA_LIMIT)
        return false;
    for (unsigned level = EPT_LEVELS; level >= 1; level--) {
        const uint64_t *t = table_at(mem, table);
        unsigned index = level_index(gpa, level);
        uint64_t entry;

        if (!t) {
            out->unreachable = true;
            return false;
        }
        entry = t[index];
        out->step[out->steps++] = (struct ept_walk_step){ level, table, entry, index };
        if (!entry_present(entry))
            return false;
        if (entry_is_leaf(entry, level)) {
            uint64_t size = level_span(level);

            out->mapped = true;
            out->page_size = size;
            out->hpa = (entry & EPT_ADDR_MASK & ~(size - 1)) | (gpa & (size - 1));
            out->access = (uint8_t)(entry & EPT_ACCESS_MASK);
            out->memory_type = (uint8_t)((entry & EPT_MEMORY_TYPE_MASK) >> EPT_MEMORY_TYPE_SHIFT);
            out->ignore_pat = (entry & EPT_IGNORE_PAT) != 0;
            return true;
        }
        table = entry & EPT_ADDR_MASK;
    }
    return false;
}

int ept_walk_format(char *buf, size_t size, const struct ept_walk_result *r, unsigned line)
{
    unsigned long long gpa = r->gpa;

    if (line < r->steps) {
        const struct ept_walk_step *s = &r->step[line];
        const char *name = level_names[s->level];
        unsigned long long e = s->entry;

        if (!entry_present(s->entry))
            return fmt_snprintf(buf, size, "ept: %s[%u] 0x%016llx not present", name, s->index, e);
        if (!entry_is_leaf(s->entry, s->level))
            return fmt_snprintf(buf, size, "ept: %s[%u] 0x%016llx -> %s 0x%llx", name, s->index,
                                e, level_names[s->level - 1], e & EPT_ADDR_MASK);
        uint64_t page = level_span(s->level);
        return fmt_snprintf(buf, size, "ept: %s[%u] 0x%016llx %s page hpa 0x%llx %s %s%s", name,
                            s->index, e, ept_page_size_name(page),
                            e & EPT_ADDR_MASK & ~(page - 1),
                            access_text((unsigned)(e & EPT_ACCESS_MASK)).s,
                            memory_type_text((unsigned)((e & EPT_MEMORY_TYPE_MASK) >>
                                                        EPT_MEMORY_TYPE_SHIFT)).s,
                            (e & EPT_IGNORE_PAT) ? " ipat" : "");
    }
    if (line > r->steps)
        return -1;
    if (r->mapped)
        return fmt_snprintf(buf, size, "ept: gpa 0x%llx -> hpa 0x%llx", gpa,
                            (unsigned long long)r->hpa);
    if (r->unreachable)
        return fmt_snprintf(buf, size, "ept: gpa 0x%llx not mapped (table not reachable)", gpa);
    if (r->gpa >= EPT_GPA_LIMIT)
        return fmt_snprintf(buf, size, "ept: gpa 0x%llx beyond the 48-bit guest-physical space",
                            gpa);
    return fmt_snprintf(buf, size, "ept: gpa 0x%llx not mapped", gpa);
}

/* ---- compare ------------------------------------------------------------------------------ */

struct checker {
    const struct ept_memory *mem;
    const struct ept_mapping *maps;
    uint32_t count;
    const struct diag *d;
    unsigned differences;
};

/* One present leaf: it must lie inside one mapping and say what that mapping says. */
static void check_leaf(struct checker *c, uint64_t gpa, unsigned level, uint64_t entry)
{
    uint64_t size = level_span(level), addr_mask = EPT_ADDR_MASK & ~(size - 1);
    const char *size_name = ept_page_size_name(size);
    const struct ept_mapping *m = NULL;

    for (uint32_t i = 0; i < c->count && !m; i++) {
        if (c->maps[i].gpa < gpa + size && gpa < c->maps[i].gpa + c->maps[i].size)
            m = &c->maps[i];
    }
    if (!m) {
        diag_report(c->d, "ept: gpa 0x%llx: %s page not in any mapping",
                    (unsigned long long)gpa, size_name);
        c->differences++;
        return;
    }
    if (gpa < m->gpa || gpa + size > m->gpa + m->size) {
        diag_report(c->d, "ept: gpa 0x%llx: %s page crosses the bounds of mapping %u "
                    "(gpa 0x%llx - 0x%llx)", (unsigned long long)gpa, size_name,
                    (unsigned)(m - c->maps),
                    (unsigned long long)m->gpa, (unsigned long long)(m->gpa + m->size));
        c->differences++;
        return;
    }

    uint64_t expected = leaf_entry(m->hpa + (gpa - m->gpa), m, level);
    uint64_t diff = (entry ^ expected) & ~(EPT_ACCESSED | EPT_DIRTY);
    uint64_t other = diff & ~(addr_mask | EPT_ACCESS_MASK | EPT_MEMORY_TYPE_MASK | EPT_IGNORE_PAT);
    unsigned long long g = gpa;

    if (!diff)
        return;
    c->differences++;
    if (diff & addr_mask)
        diag_report(c->d, "ept: gpa 0x%llx: hpa 0x%llx, expected 0x%llx", g,
                    (unsigned long long)(entry & addr_mask),
                    (unsigned long long)(expected & addr_mask));
    if (diff & EPT_ACCESS_MASK)
        diag_report(c->d, "ept: gpa 0x%llx: access %s, expected %s", g,
                    access_text((unsigned)(entry & EPT_ACCESS_MASK)).s,
                    access_text(m->access).s);
    if (diff & EPT_MEMORY_TYPE_MASK)
        diag_report(c->d, "ept: gpa 0x%llx: memory type %s, expected %s", g,
                    memory_type_text((unsigned)((entry & EPT_MEMORY_TYPE_MASK) >>
                                                EPT_MEMORY_TYPE_SHIFT)).s,
                    memory_type_text(m->memory_type).s);
    if (diff & EPT_IGNORE_PAT)
        diag_report(c->d, "ept: gpa 0x%llx: ignore PAT %u, expected %u", g,
                    (entry & EPT_IGNORE_PAT) ? 1u : 0u, m->ignore_pat ? 1u : 0u);
    if (other)
        diag_report(c->d, "ept: gpa 0x%llx: entry 0x%016llx has unexpected bits 0x%llx", g,
                    (unsigned long long)entry, (unsigned long long)other);
}

/* Every present entry of one live table, then the tables below it. */
static void check_table(struct checker *c, uint64_t phys, unsigned level, uint64_t base)
{
    const uint64_t *table = table_at(c->mem, phys);

    for (unsigned i = 0; i < EPT_ENTRIES; i++) {
        uint64_t entry = table[i], gpa = base + ((uint64_t)i << level_shift(level));
        uint64_t child = entry & EPT_ADDR_MASK;

        if (!entry_present(entry))
            continue;
        if (entry_is_leaf(entry, level)) {
            check_leaf(c, gpa, level, entry);
            continue;
        }
        if ((entry & ~(EPT_ADDR_MASK | EPT_ACCESSED)) != EPT_ACCESS_MASK) {
            diag_report(c->d, "ept: %s[%u] of table 0x%llx: entry 0x%016llx is not a plain rwx "
                        "table pointer", level_names[level], i, (unsigned long long)phys,
                        (unsigned long long)entry);
            c->differences++;
        }
        if (!table_at(c->mem, child)) {
            diag_report(c->d, "ept: %s[%u] of table 0x%llx: table 0x%llx not reachable",
                        level_names[level], i, (unsigned long long)phys,
                        (unsigned long long)child);
            c->differences++;
            continue;
        }
        check_table(c, child, level - 1, gpa);
    }
}

/* Every page of one mapping must translate; stretches that do not are reported as ranges.
 * Steps by what each walk covers, so large pages and missing tables cost one walk each. */
static void report_missing(struct checker *c, uint64_t from, uint64_t to, uint32_t index)
{
    diag_report(c->d, "ept: gpa 0x%llx - 0x%llx of mapping %u not mapped",
                (unsigned long long)from, (unsigned long long)to, index);
    c->differences++;
}

/* Every page of one mapping must translate; stretches that do not are reported as ranges.
 * Steps by what each walk covers, so large pages and missing tables cost one walk each. */
static void check_coverage(struct checker *c, uint64_t pml4_phys, uint32_t index)
{
    const struct ept_mapping *m = &c->maps[index];
    uint64_t gpa = m->gpa, end = m->gpa + m->size, missing_from = 0;
    bool missing = false;

    while (gpa < end) {
        struct ept_walk_result w;
        uint64_t span, next;

        ept_walk(c->mem, pml4_phys, gpa, &w);
        if (w.steps == 0)
            break;                              /* the root: checked by the caller */
        span = w.mapped ? w.page_size : level_span(w.step[w.steps - 1].level);
        next = (gpa & ~(span - 1)) + span;
        if (w.mapped || w.unreachable) {        /* an unreachable table is reported already */
            if (missing)
                report_missing(c, missing_from, gpa, index);
            missing = false;
        } else if (!missing) {
            missing = true;
            missing_from = gpa;
        }
        gpa = next < end ? next : end;
    }
    if (missing)
        report_missing(c, missing_from, end, index);
}

bool ept_compare(const struct ept_memory *mem, uint64_t pml4_phys,
                 const struct ept_mapping *maps, uint32_t count, const struct diag *d)
{
    struct checker c = { .mem = mem, .maps = maps, .count = count, .d = d };

    if (!ept_mappings_check(maps, count, d))
        return false;
    if (!table_at(mem, pml4_phys)) {
        diag_report(d, "ept: PML4 table 0x%llx not reachable", (unsigned long long)pml4_phys);
        return false;
    }
    check_table(&c, pml4_phys, EPT_LEVELS, 0);
    for (uint32_t i = 0; i < count; i++)
        check_coverage(&c, pml4_phys, i);
    return c.differences == 0;
}
