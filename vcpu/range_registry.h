/* A sorted set of disjoint inclusive ranges, each naming a handler: the per-vCPU registries of
 * I/O ports, MSRs and MMIO ranges that device models claim (one binary search per exit). Pure. */
#ifndef VCPU_RANGE_REGISTRY_H
#define VCPU_RANGE_REGISTRY_H

#include <stdbool.h>
#include <stdint.h>

#define RANGE_REGISTRY_MAX  16

struct range_entry {
    uint64_t first, last;       /* inclusive */
    const void *ops;            /* the device's operations table (typed by the registry's user) */
    void *ctx;
};

struct range_registry {
    uint64_t lowest, highest;   /* the span of all entries: most misses cost two compares */
    uint32_t count;
    struct range_entry entries[RANGE_REGISTRY_MAX];     /* sorted by first, disjoint */
};

enum range_add_result {
    RANGE_ADDED,
    RANGE_EMPTY,        /* first > last */
    RANGE_OVERLAPS,     /* some key is claimed already */
    RANGE_FULL,
};

enum range_add_result range_registry_add(struct range_registry *r, uint64_t first, uint64_t last,
                                         const void *ops, void *ctx);
/* Binary search of the entries; inline, so a handler that asks needs no call. Meant for a key
 * inside [lowest, highest], where a registry of one entry needs no search at all. */
static inline const struct range_entry *range_registry_search(const struct range_registry *r,
                                                              uint64_t key)
{
    if (r->count == 1)
        return &r->entries[0];
    uint32_t lo = 0, hi = r->count;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        const struct range_entry *e = &r->entries[mid];
        if (key < e->first)
            hi = mid;
        else if (key > e->last)
            lo = mid + 1;
        else
            return e;
    }
    return 0;
}

/* The entry whose range holds key, or NULL. Inline: exit handlers ask on every exit. */
static inline const struct range_entry *range_registry_find(const struct range_registry *r,
                                                            uint64_t key)
{
    if (key < r->lowest || key > r->highest || r->count == 0)
        return 0;
    return range_registry_search(r, key);
}
/* Forgets every entry (a partition rebuilt on restart registers its devices again). */
void range_registry_clear(struct range_registry *r);
const char *range_add_result_name(enum range_add_result result);

#endif
