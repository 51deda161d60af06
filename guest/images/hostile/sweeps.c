/* hostile's survivable sweeps and storms: every MSR of the architectural and AMD ranges read
 * and written (SDM Vol. 4; Vol. 3C 25.6.9 MSR bitmaps), every I/O port read and written
 * (Vol. 3C 25.6.4 I/O bitmaps), CPUID and console-write hypercalls in tight loops, and control
 * sequences to COM1. tessera must answer each as docs/HOSTILE.md says and keep running. */
#include "guest/images/hostile/attempts.h"

#include "lib/format.h"

/* ---- MSRs ---------------------------------------------------------------------------------- */

#define CPUID_80000001_EDX_RDTSCP   (1u << 27)
#define MSR_TSC                     0x10u
#define MSR_FEATURE_CONTROL         0x3Au
#define MSR_MISC_ENABLE             0x1A0u
#define MSR_TSC_AUX                 0xC0000103u

static const struct {
    uint32_t first, count;
} msr_ranges[] = {
    { 0x00000000u, 0x2000 },    /* the low half of the MSR bitmap */
    { 0xC0000000u, 0x2000 },    /* its high half */
    { 0xC0010000u, 0x1000 },    /* AMD's range: outside the bitmap, always exits */
};

/* What tessera lets a partition read (docs/ARCHITECTURE.md, "MSRs"): the virtual TSC, feature
 * control, the microcode signature, the SYSENTER MSRs, MISC_ENABLE, and what the VMCS or its
 * MSR lists switch (PAT, EFER, STAR, LSTAR, CSTAR, FMASK, FS/GS bases, KERNEL_GS_BASE and,
 * with RDTSCP, TSC_AUX). Every other MSR in these ranges is #GP. */
static const uint32_t msrs_readable[] = {
    MSR_TSC, MSR_FEATURE_CONTROL, 0x8B, 0x174, 0x175, 0x176, MSR_MISC_ENABLE, 0x277,
    0xC0000080u, 0xC0000081u, 0xC0000082u, 0xC0000083u, 0xC0000084u, 0xC0000100u,
    0xC0000101u, 0xC0000102u, MSR_TSC_AUX,
};
#define MSR_SWEEP_TOTAL     (0x2000u + 0x2000u + 0x1000u)

static bool msr_readable(uint32_t msr)
{
    if (msr == MSR_TSC_AUX)
        return (guest_cpuid(0x80000001u, 0).edx & CPUID_80000001_EDX_RDTSCP) != 0;
    for (unsigned i = 0; i < sizeof(msrs_readable) / sizeof(msrs_readable[0]); i++)
        if (msrs_readable[i] == msr)
            return true;
    return false;
}

/* Readable ones a write refuses: the TSC, feature control and MISC_ENABLE are read-only to a
 * guest. */
static bool msr_writable(uint32_t msr)
{
    return msr_readable(msr) && msr != MSR_TSC && msr != MSR_FEATURE_CONTROL &&
           msr != MSR_MISC_ENABLE;
}

/* Counts of one sweep: what answered, what faulted as it should, and the first surprise. */
struct sweep {
    uint32_t done, passed, faulted, wrong;
    uint32_t first_wrong;
    uint64_t first_wrong_vector;
};

static void sweep_note(struct sweep *s, uint32_t what, uint64_t vector, bool expected_pass)
{
    s->done++;
    if (vector == TRAP_NONE)
        s->passed++;
    else if (vector == VECTOR_GP)
        s->faulted++;
    bool right = expected_pass ? vector == TRAP_NONE : vector == VECTOR_GP;
    if (!right && s->wrong++ == 0) {
        s->first_wrong = what;
        s->first_wrong_vector = vector;
    }
}

static void sweep_report(struct observed *o, const struct sweep *s, const char *verb,
                         const char *unit)
{
    observed_add(o, "%u MSRs: %u %s, %u #GP, %u %s", s->done, s->passed, verb, s->faulted,
                 s->wrong, unit);
    if (s->wrong)
        observed_add(o, " (first 0x%x: %s)", s->first_wrong, trap_name(s->first_wrong_vector));
}

bool scenario_rdmsr_sweep(const struct hostile_env *env, struct observed *o)
{
    struct sweep s = { 0 };
    for (unsigned r = 0; r < sizeof(msr_ranges) / sizeof(msr_ranges[0]); r++)
        for (uint32_t i = 0; i < msr_ranges[r].count; i++) {
            uint32_t msr = msr_ranges[r].first + i;
            uint64_t value;
            sweep_note(&s, msr, try_rdmsr(msr, &value), msr_readable(msr));
        }
    int64_t id = guest_hypercall(TESSERA_HC_PARTITION_ID, 0, 0, 0);
    sweep_report(o, &s, "read", "not as documented");
    observed_add(o, ", id %lld", (long long)id);
    return s.wrong == 0 && s.done == MSR_SWEEP_TOTAL && id == (int64_t)env->bp->partition_id;
}

/* Each readable MSR gets back the value it holds; every other one gets 0. No MSR is skipped:
 * writing back what EFER, PAT, the FS/GS bases and the SYSCALL MSRs hold changes nothing. */
bool scenario_wrmsr_sweep(const struct hostile_env *env, struct observed *o)
{
    struct sweep s = { 0 };
    uint32_t changed = 0;
    for (unsigned r = 0; r < sizeof(msr_ranges) / sizeof(msr_ranges[0]); r++)
        for (uint32_t i = 0; i < msr_ranges[r].count; i++) {
            uint32_t msr = msr_ranges[r].first + i;
            uint64_t value = 0, again = 0;
            bool readable = try_rdmsr(msr, &value) == TRAP_NONE;
            sweep_note(&s, msr, try_wrmsr(msr, readable ? value : 0), msr_writable(msr));
            if (readable && msr != MSR_TSC && (try_rdmsr(msr, &again) != TRAP_NONE ||
                                               again != value))
                changed++;
        }
    int64_t id = guest_hypercall(TESSERA_HC_PARTITION_ID, 0, 0, 0);
    sweep_report(o, &s, "written back", "not as documented");
    observed_add(o, ", %u changed, id %lld", changed, (long long)id);
    return s.wrong == 0 && changed == 0 && s.done == MSR_SWEEP_TOTAL &&
           id == (int64_t)env->bp->partition_id;
}

/* WRMSR of a non-canonical address to each MSR that holds one (SDM Vol. 2B WRMSR): #GP, whether
 * tessera checks it (the SYSENTER MSRs live in the VMCS) or the CPU does (the bases and LSTAR
 * pass the MSR bitmap); and EFER with a reserved bit. Nothing may change. */
#define NON_CANONICAL       0x8000000000000000ull
#define MSR_EFER            0xC0000080u
#define EFER_RESERVED_63    (1ull << 63)

bool scenario_msr_noncanonical(const struct hostile_env *env, struct observed *o)
{
    (void)env;
    static const struct {
        uint32_t msr;
        const char *name;
    } msrs[] = {
        { 0x175, "SYSENTER_ESP" }, { 0x176, "SYSENTER_EIP" }, { 0xC0000082u, "LSTAR" },
        { 0xC0000100u, "FS_BASE" }, { 0xC0000101u, "GS_BASE" }, { 0xC0000102u, "KERNEL_GS_BASE" },
    };
    unsigned faulted = 0, unchanged = 0, n = sizeof(msrs) / sizeof(msrs[0]);

    observed_add(o, "#GP each:");
    for (unsigned i = 0; i <= n; i++) {
        uint32_t msr = i < n ? msrs[i].msr : MSR_EFER;
        uint64_t before = 0, after = 0;
        bool readable = try_rdmsr(msr, &before) == TRAP_NONE;
        uint64_t t = try_wrmsr(msr, i < n ? NON_CANONICAL : before | EFER_RESERVED_63);
        faulted += t == VECTOR_GP;
        unchanged += readable && try_rdmsr(msr, &after) == TRAP_NONE && after == before;
        observed_add(o, " %s%s%s", i < n ? msrs[i].name : "EFER bit 63",
                     t == VECTOR_GP ? "" : " ", t == VECTOR_GP ? "" : trap_name(t));
    }
    observed_add(o, "; %u of %u, %u unchanged", faulted, n + 1, unchanged);
    return faulted == n + 1 && unchanged == n + 1;
}

/* ---- ports --------------------------------------------------------------------------------- */

#define COM1_FIRST  0x3F8u
#define COM1_PORTS  8u

/* IN of each size and OUT 0 on every port but its own UART's: all ones, dropped. */
bool scenario_port_sweep(const struct hostile_env *env, struct observed *o)
{
    uint32_t ports = 0, wrong = 0, faults = 0, first_wrong = 0;
    for (uint32_t port = 0; port <= 0xFFFF; port++) {
        if (port >= COM1_FIRST && port < COM1_FIRST + COM1_PORTS)
            continue;
        uint8_t b = 0;
        uint16_t w = 0;
        uint32_t l = 0;
        /* TRAP_NONE is all ones: AND-ed, any vector shows. */
        uint64_t t = try_inb((uint16_t)port, &b) & try_inw((uint16_t)port, &w) &
                     try_inl((uint16_t)port, &l);
        uint64_t out = try_outb((uint16_t)port, 0);
        if (t != TRAP_NONE || out != TRAP_NONE)
            faults++;
        if (b != 0xFF || w != 0xFFFF || l != 0xFFFFFFFFu) {
            if (wrong++ == 0)
                first_wrong = port;
        }
        ports++;
    }
    int64_t id = guest_hypercall(TESSERA_HC_PARTITION_ID, 0, 0, 0);
    observed_add(o, "%u ports, %u accesses: %u not all ones, %u faulted, still running, id %lld",
                 ports, ports * 4, wrong, faults, (long long)id);
    if (wrong)
        observed_add(o, " (first 0x%x)", first_wrong);
    return ports == 0x10000 - COM1_PORTS && wrong == 0 && faults == 0 &&
           id == (int64_t)env->bp->partition_id;
}

/* ---- storms -------------------------------------------------------------------------------- */

#define STORM_BATCH     256     /* CPUIDs between two looks at COM1 */

/* CPUID as fast as the guest can ask, until a key arrives or hold_cycles pass; each answer
 * must still be tessera's signature. */
bool scenario_exit_storm(const struct hostile_env *env, struct observed *o)
{
    uint64_t asked = 0, wrong = 0;
    bool got = false;
    uint8_t key = 0;

    drain_keys();
    hostile_announce("exit-storm", "CPUID in a loop until a key arrives (at most %llu Mcycles)",
                     (unsigned long long)(env->hold_cycles / 1000000));
    uint64_t start = guest_tsc();
    while (!got && guest_tsc() - start < env->hold_cycles) {
        for (unsigned i = 0; i < STORM_BATCH; i++) {
            struct cpuid_regs r = guest_cpuid(TESSERA_CPUID_LEAF_SIGNATURE, 0);
            wrong += r.ebx != TESSERA_CPUID_SIGNATURE_EBX || r.ecx != TESSERA_CPUID_SIGNATURE_ECX ||
                     r.edx != TESSERA_CPUID_SIGNATURE_EDX;
        }
        asked += STORM_BATCH;
        if (inb(TESSERA_COM1_LSR) & TESSERA_COM1_LSR_DATA_READY) {
            key = inb(TESSERA_COM1_RBR);
            got = true;
        }
    }
    uint64_t cycles = guest_tsc() - start;
    observed_add(o, "%llu cpuid exits in %llu Mcycles, %llu answers wrong, ",
                 (unsigned long long)asked, (unsigned long long)(cycles / 1000000),
                 (unsigned long long)wrong);
    if (got)
        observed_add(o, "ended by key 0x%02x", key);
    else
        observed_add(o, "no key");
    return wrong == 0 && asked > 0;
}

/* The console-write hypercall in a tight loop: tessera queues what it can, drops and counts
 * the rest, and neither stops the guest nor lets the flood into other partitions' lines. */
#define PRINT_FLOOD_CALLS   10000
#define PRINT_FLOOD_LINE    "print-flood 00000/10000\n"

bool scenario_vmcall_print_flood(const struct hostile_env *env, struct observed *o)
{
    char line[sizeof(PRINT_FLOOD_LINE)];
    const uint64_t length = sizeof(PRINT_FLOOD_LINE) - 1;
    uint32_t short_writes = 0;

    for (uint32_t n = 1; n <= PRINT_FLOOD_CALLS; n++) {
        fmt_snprintf(line, sizeof(line), "print-flood %05u/%u\n", n, PRINT_FLOOD_CALLS);
        int64_t r = guest_hypercall(TESSERA_HC_CONSOLE_WRITE, guest_gpa(line), length, 0);
        short_writes += r != (int64_t)length;
    }
    wait_cycles(env->settle_cycles);
    int64_t id = guest_hypercall(TESSERA_HC_PARTITION_ID, 0, 0, 0);
    observed_add(o, "%u console-write hypercalls of %llu bytes, %u returned less, guest still "
                    "running, hypervisor answers id %lld", PRINT_FLOOD_CALLS,
                 (unsigned long long)length, short_writes, (long long)id);
    return short_writes == 0 && id == (int64_t)env->bp->partition_id;
}

/* Terminal controls between printable characters, in one line: ESC [2J (erase the screen),
 * ESC ] 0;x BEL (set the window title), CSI as the C1 byte 0x9B and as UTF-8 C2 9B, DEL and
 * NUL. tessera shows each of their bytes as '?'; the test reads the line and the raw log. The
 * guest cannot see its own output, so its verdict is only that it wrote and runs on. */
static const char escape_line[] = "hostile: console-escapes: raw A\x1b[2JB\x1b]0;x\aC\x9b" "D"
                                  "\xc2\x9b" "E\x7f" "F\0G\n";

bool scenario_console_escapes(const struct hostile_env *env, struct observed *o)
{
    guest_write(escape_line, sizeof(escape_line) - 1);
    int64_t id = guest_hypercall(TESSERA_HC_PARTITION_ID, 0, 0, 0);
    observed_add(o, "%u bytes written with ESC [2J, ESC ] 0;x BEL, 0x9b, c2 9b, DEL, NUL, "
                    "id %lld", (unsigned)(sizeof(escape_line) - 1), (long long)id);
    return id == (int64_t)env->bp->partition_id;
}
