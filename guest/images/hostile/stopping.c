/* hostile's stopping scenarios: attacks after which tessera must stop this partition,
 * print a report and keep every other partition running. Each announces itself, attacks,
 * and returns only if the attack was let through (then it says what happened). */
#include "guest/images/hostile/hostile.h"

#define PAGE_2M                 0x200000ull
#define LAPIC_BASE              0xFEE00000ull   /* the local APIC's default host-physical base */
#define LAPIC_VERSION           0x30
#define REWRITE_LINEAR          0x40000000ull   /* 1 GiB: nothing maps it in a 32 MiB guest */
#define EXEC_ABOVE_OFFSET       0x1000000ull    /* 16 MiB above the end of its RAM */
#define IOAPIC_BASE             0xFEC00000ull   /* the I/O APIC's default base */
#define MMIO_TABLE_LINEAR       0x8000000000ull /* PML4 entry 1: 512 GiB, unmapped */
#define CR3_ABOVE_RAM           0x10000000ull   /* 256 MiB */
#define CR3_PROBE_LINEAR        0x1000000ull    /* 16 MiB: in its RAM, untouched so far */
#define NON_CANONICAL           0x8000000000000000ull
#define PTE_PRESENT_WRITABLE    0x3ull
#define PTE_ADDRESS             0x000FFFFFFFFFF000ull

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

/* A jump into the page above its RAM: the instruction fetch finds nothing in EPT. */
static bool exec_above_ram(const struct hostile_env *env, struct observed *o)
{
    uint64_t gpa = env->bp->memory_size + EXEC_ABOVE_OFFSET;

    if (!map_identity(gpa, o))
        return false;
    hostile_announce("exec-above-ram", "jumping to gpa 0x%llx (above its RAM)",
                     (unsigned long long)gpa);
    __asm__ volatile("call *%0" : : "r"(gpa) : "memory");
    observed_add(o, "code at gpa 0x%llx returned", (unsigned long long)gpa);
    return false;
}

/* A page-map entry whose next table lies at an MMIO address: the CPU's own page walk reads
 * guest-physical memory EPT does not map, before any data access. */
static bool page_table_at_mmio(const struct hostile_env *env, struct observed *o)
{
    (void)env;
    volatile uint64_t *pml4 = (volatile uint64_t *)(uintptr_t)(read_cr3() & PTE_ADDRESS);
    unsigned index = (unsigned)(MMIO_TABLE_LINEAR >> 39) & 511;

    if (pml4[index] != 0) {
        observed_add(o, "PML4 entry %u is in use: not tried", index);
        return false;
    }
    hostile_announce("page-table-at-mmio", "PML4 entry %u -> table at 0x%llx (the I/O APIC), "
                     "writing linear 0x%llx", index, (unsigned long long)IOAPIC_BASE,
                     (unsigned long long)MMIO_TABLE_LINEAR);
    pml4[index] = IOAPIC_BASE | PTE_PRESENT_WRITABLE;
    __asm__ volatile("invlpg (%0)" : : "r"(MMIO_TABLE_LINEAR) : "memory");
    *(volatile uint64_t *)(uintptr_t)MMIO_TABLE_LINEAR = 0x600dbad;
    observed_add(o, "wrote through a table at 0x%llx", (unsigned long long)IOAPIC_BASE);
    return false;
}

/* CR3 above its RAM: MOV to CR3 itself is legal, the next page walk is not. */
static bool cr3_above_ram(const struct hostile_env *env, struct observed *o)
{
    (void)env;
    hostile_announce("cr3-above-ram", "CR3 = 0x%llx (above its RAM), then reading linear 0x%llx",
                     (unsigned long long)CR3_ABOVE_RAM, (unsigned long long)CR3_PROBE_LINEAR);
    uint64_t old = read_cr3(), v;
    __asm__ volatile("mov %1, %%cr3\n\tmov (%2), %0\n\tmov %3, %%cr3"
                     : "=&r"(v) : "r"(CR3_ABOVE_RAM), "r"(CR3_PROBE_LINEAR), "r"(old)
                     : "memory");
    observed_add(o, "read 0x%llx with CR3 above its RAM", (unsigned long long)v);
    return false;
}

/* A far jump to a non-canonical offset: its own #GP first (caught by its IDT), then the same
 * with the IDT gone, which no exception can be delivered through: a triple fault. */
static bool noncanonical_jump(const struct hostile_env *env, struct observed *o)
{
    (void)env;
    struct {
        uint64_t offset;
        uint16_t selector;
    } __attribute__((packed)) far = { NON_CANONICAL, TESSERA_GUEST_SEL_CODE };
    struct {
        uint16_t limit;
        uint64_t base;
    } __attribute__((packed)) empty = { 0, 0 };

    trap_arm();
    __asm__ volatile(TRAP_TRY "rex64 ljmp *%0" TRAP_END : : "m"(far) : "r11", "memory");
    uint64_t first = trap_taken();
    if (first != VECTOR_GP) {
        observed_add(o, "far jump to 0x%llx gave %s, not #GP", (unsigned long long)NON_CANONICAL,
                     trap_name(first));
        return false;
    }
    hostile_announce("noncanonical-jump", "far jump to 0x%llx: %s caught; again with IDT "
                     "limit 0", (unsigned long long)NON_CANONICAL, trap_name(first));
    __asm__ volatile("lidt %0\n\trex64 ljmp *%1" : : "m"(empty), "m"(far) : "memory");
    observed_add(o, "far jump returned");
    return false;
}

const struct scenario stopping_scenarios[] = {
    { "read-above-end", false, read_above_end },
    { "write-other-partition", false, write_other_partition },
    { "page-table-rewrite", false, page_table_rewrite },
    { "triple-fault", false, triple_fault },
    { "cli-hlt", false, cli_hlt },
    { "cli-spin", false, cli_spin },
    { "exec-above-ram", false, exec_above_ram },
    { "page-table-at-mmio", false, page_table_at_mmio },
    { "cr3-above-ram", false, cr3_above_ram },
    { "noncanonical-jump", false, noncanonical_jump },
    { "db-delivery-loop", false, db_delivery_loop },
};

const uint32_t stopping_count =
    (uint32_t)(sizeof(stopping_scenarios) / sizeof(stopping_scenarios[0]));
