/* Sorted disjoint ranges with insertion by shifting and lookup by binary search. Pure. */
#include "vcpu/range_registry.h"

enum range_add_result range_registry_add(struct range_registry *r, uint64_t first, uint64_t last,
                                         const void *ops, void *ctx)
{
    if (first > last)
        return RANGE_EMPTY;
    uint32_t at = 0;
    while (at < r->count && r->entries[at].last < first)
        at++;
    if (at < r->count && r->entries[at].first <= last)
        return RANGE_OVERLAPS;
    if (r->count == RANGE_REGISTRY_MAX)
        return RANGE_FULL;
    for (uint32_t i = r->count; i > at; i--)
        r->entries[i] = r->entries[i - 1];
    r->entries[at] = (struct range_entry){ first, last, ops, ctx };
    r->count++;
    r->lowest = r->entries[0].first;
    r->highest = r->entries[r->count - 1].last;
    return RANGE_ADDED;
}

void range_registry_clear(struct range_registry *r)
{
    r->count = 0;
    r->lowest = 0;
    r->highest = 0;
}

const char *range_add_result_name(enum range_add_result result)
{
    switch (result) {
    case RANGE_ADDED:
        return "added";
    case RANGE_EMPTY:
        return "empty range";
    case RANGE_OVERLAPS:
        return "overlaps a range already claimed";
    case RANGE_FULL:
        return "registry full";
    }
    return "unknown";
}
