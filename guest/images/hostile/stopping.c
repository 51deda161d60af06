/* hostile's stopping scenarios: attacks after which tessera must stop this partition,
 * print a report and keep every other partition running. Each announces itself, attacks,
 * and returns only if the attack was let through (then it says what happened). */
#include "guest/images/hostile/hostile.h"

#define PAGE_2M                 0x200000ull
#define LAPIC_BASE              0xFEE00000ull   /* the local APIC's default host-physical base */
#define LAPIC_VERSION           0x30
#define REWRITE_LINEAR          0x40000000ull   /* 1 GiB: nothing maps it in a 32 MiB guest */

/* A 2 MiB identity mapping of `gpa`, which lies above the loader's map. */
static bool map_identity(uint64_t gpa, struct observed *o)
{
    if (paging_map_2m(gpa, gpa, false))
        return true;
    observed_add(o, "could not map gpa 0x%llx in its own page tables",
                 (unsigned long long)gpa);
    return false;
}

/* The first byte above guest RAM: EPT maps nothing there. */
static bool read_above_end(const struct hostile_env *env, struct observed *o)
{
    uint64_t gpa = env->bp->memory_size;

    if (!map_identity(gpa, o))
        return false;
    hostile_announce("read-above-end", "reading gpa 0x%llx (memory_size, just above its RAM)",
                     (unsigned long long)gpa);
    uint64_t v = *(volatile uint64_t *)(uintptr_t)gpa;
    observed_add(o, "read 0x%llx from gpa 0x%llx", (unsigned long long)v,
                 (unsigned long long)gpa);
    return false;
}

/* target=<gpa>: the table passes another partition's fixed host base. The same number as
 * a guest-physical address lies outside this guest's RAM, so it reaches nothing. */
static bool write_other_partition(const struct hostile_env *env, struct observed *o)
{
    if (!env->has_target) {
        observed_add(o, "no target=<gpa> on the command line: not tried");
        return false;
    }
    uint64_t gpa = env->target;
    if (gpa < env->bp->memory_size) {
        observed_add(o, "target 0x%llx lies inside its own RAM: not tried",
                     (unsigned long long)gpa);
        return false;
    }
    if (!map_identity(gpa, o))
        return false;
    hostile_announce("write-other-partition", "writing gpa 0x%llx (another partition's "
                     "host-physical base)", (unsigned long long)gpa);
    *(volatile uint64_t *)(uintptr_t)gpa = 0xbadbadbadbadbad0ull;
    observed_add(o, "wrote gpa 0x%llx", (unsigned long long)gpa);
    return false;
}

/* Its own page tables rewritten so a linear page points at the local APIC. */
static bool page_table_rewrite(const struct hostile_env *env, struct observed *o)
{
    (void)env;
    if (!paging_map_2m(REWRITE_LINEAR, LAPIC_BASE, true)) {
        observed_add(o, "could not edit its own page tables");
        return false;
    }
    hostile_announce("page-table-rewrite", "linear 0x%llx mapped to 0x%llx (the local APIC), "
                     "reading its version register", (unsigned long long)REWRITE_LINEAR,
                     (unsigned long long)LAPIC_BASE);
    uint32_t v = *(volatile uint32_t *)(uintptr_t)(REWRITE_LINEAR + LAPIC_VERSION);
    observed_add(o, "read 0x%x from the local APIC", v);
    return false;
}

/* An IDT with limit 0: #UD cannot be delivered, nor the #GP for that, nor the #DF. */
static bool triple_fault(const struct hostile_env *env, struct observed *o)
{
    (void)env;
    struct {
        uint16_t limit;
        uint64_t base;
    } __attribute__((packed)) empty = { 0, 0 };

    hostile_announce("triple-fault", "IDT limit 0, then ud2");
    __asm__ volatile("lidt %0\n\tud2" : : "m"(empty) : "memory");
    observed_add(o, "ud2 returned");
    return false;
}

static bool cli_hlt(const struct hostile_env *env, struct observed *o)
{
    (void)env;
    hostile_announce("cli-hlt", "cli; hlt");
    __asm__ volatile("cli\n\thlt" : : : "memory");
    observed_add(o, "hlt returned");
    return false;
}

/* No exit of its own ever again: only the preemption timer takes the CPU back. */
static bool cli_spin(const struct hostile_env *env, struct observed *o)
{
    (void)env;
    (void)o;
    hostile_announce("cli-spin", "cli; spinning with no exits");
    __asm__ volatile("cli\n1:\tjmp 1b" : : : "memory");
    __builtin_unreachable();
}

const struct scenario stopping_scenarios[] = {
    { "read-above-end", false, read_above_end },
    { "write-other-partition", false, write_other_partition },
    { "page-table-rewrite", false, page_table_rewrite },
    { "triple-fault", false, triple_fault },
    { "cli-hlt", false, cli_hlt },
    { "cli-spin", false, cli_spin },
    { "db-delivery-loop", false, db_delivery_loop },
};

const uint32_t stopping_count =
    (uint32_t)(sizeof(stopping_scenarios) / sizeof(stopping_scenarios[0]));
