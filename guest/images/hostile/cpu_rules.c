/* hostile's survivable scenarios on the CPU's own rules: XCR0 (SDM Vol. 1, 13.3), MOV to CR0,
 * CR4 and CR8 (Vol. 2B MOV CRn, Vol. 3A 2.5, 10.8.5), RDPMC, MONITOR/MWAIT, WBINVD (Vol. 2)
 * and the debug registers (Vol. 3B, 19.2-19.3). Each must end in the fault hardware gives, or
 * in the no-op tessera promises, with the guest still running. */
#include "guest/images/hostile/attempts.h"

#define CPUID_1_ECX_XSAVE   (1u << 26)
#define CR4_OSXSAVE         (1ull << 18)
#define CR4_PAE             (1ull << 5)
#define CR4_LA57            (1ull << 12)
#define CR4_RESERVED_15     (1ull << 15)
#define CR0_PG              (1ull << 31)
#define CR0_CD              (1ull << 30)
#define CR0_NW              (1ull << 29)

#define XCR0_X87            (1ull << 0)
#define XCR0_SSE            (1ull << 1)
#define XCR0_AVX            (1ull << 2)
#define XCR0_BNDREGS        (1ull << 3)
#define XCR0_AVX512         (0x7ull << 5)   /* opmask, ZMM_Hi256, Hi16_ZMM */
#define XCR0_OPMASK         (1ull << 5)
#define XCR0_BIT63          (1ull << 63)
#define XCR0_FIRST_PROBED   8               /* the lowest bit tried as "not supported" */

static bool has_all(uint64_t supported, uint64_t bits)
{
    return (supported & bits) == bits;
}

/* Each XCR0 value the SDM forbids that CPUID.(0DH,0) lets this CPU express, then a legal one
 * that XGETBV must read back. XCR0 is left as it was. */
bool scenario_xcr0_rules(const struct hostile_env *env, struct observed *o)
{
    (void)env;
    if (!(guest_cpuid(1, 0).ecx & CPUID_1_ECX_XSAVE)) {
        uint64_t t = try_xsetbv(0, XCR0_X87);
        observed_add(o, "no XSAVE in CPUID: xsetbv %s", trap_name(t));
        return t == VECTOR_UD;
    }
    struct cpuid_regs d = guest_cpuid(0xD, 0);
    uint64_t supported = ((uint64_t)d.edx << 32) | d.eax;
    unsigned unsupported_bit = XCR0_FIRST_PROBED;
    while (unsupported_bit < 63 && (supported & (1ull << unsupported_bit)))
        unsupported_bit++;
    const struct {
        const char *what;
        uint64_t value;
        bool expressible;
    } illegal[] = {
        { "no x87", XCR0_SSE, true },
        { "AVX no SSE", XCR0_X87 | XCR0_AVX, has_all(supported, XCR0_AVX) },
        { "AVX-512 part", XCR0_X87 | XCR0_SSE | XCR0_AVX | XCR0_OPMASK,
          has_all(supported, XCR0_AVX | XCR0_AVX512) },
        { "AVX-512 no AVX", XCR0_X87 | XCR0_SSE | XCR0_AVX512, has_all(supported, XCR0_AVX512) },
        { "MPX half", XCR0_X87 | XCR0_BNDREGS, true },
        { NULL, XCR0_X87 | (1ull << unsupported_bit), unsupported_bit < 63 },  /* "bit N" */
        { "bit 63", XCR0_X87 | XCR0_BIT63, true },
    };
    uint64_t cr4 = read_cr4(), original = 0, now = 0;
    uint64_t set = try_write_cr4(cr4 | CR4_OSXSAVE);
    uint64_t get = try_xgetbv(0, &original);
    unsigned tried = 0, faulted = 0, unchanged = 0;

    observed_add(o, "#GP each:");
    for (unsigned i = 0; i < sizeof(illegal) / sizeof(illegal[0]); i++) {
        if (!illegal[i].expressible)
            continue;
        uint64_t t = try_xsetbv(0, illegal[i].value);
        tried++;
        faulted += t == VECTOR_GP;
        unchanged += try_xgetbv(0, &now) == TRAP_NONE && now == original;
        if (illegal[i].what)
            observed_add(o, " %s", illegal[i].what);
        else
            observed_add(o, " bit %u", unsupported_bit);
        if (t != VECTOR_GP)
            observed_add(o, " (%s)", trap_name(t));
        observed_add(o, ",");
    }
    uint64_t legal = XCR0_X87 | XCR0_SSE | (supported & XCR0_AVX);
    uint64_t accepted = try_xsetbv(0, legal);
    uint64_t read = 0;
    uint64_t got = try_xgetbv(0, &read);
    uint64_t restored = try_xsetbv(0, original);
    uint64_t back = try_write_cr4(cr4);

    observed_add(o, " %u of %u; 0x%llx %s, xgetbv 0x%llx", faulted, tried,
                 (unsigned long long)legal, accepted == TRAP_NONE ? "set" : trap_name(accepted),
                 (unsigned long long)read);
    return set == TRAP_NONE && get == TRAP_NONE && faulted == tried && unchanged == tried &&
           accepted == TRAP_NONE && got == TRAP_NONE && read == legal &&
           restored == TRAP_NONE && back == TRAP_NONE;
}

/* MOV to CR0 and CR4 with what a 64-bit guest may never load: #GP each, nothing changed. */
bool scenario_cr_rules(const struct hostile_env *env, struct observed *o)
{
    (void)env;
    uint64_t cr0 = read_cr0(), cr4 = read_cr4();
    const struct {
        const char *what;
        bool is_cr4;
        uint64_t value;
    } writes[] = {
        { "CR0 PG clear", false, cr0 & ~CR0_PG },
        { "NW without CD", false, (cr0 & ~CR0_CD) | CR0_NW },
        { "bit 32", false, cr0 | (1ull << 32) },
        { "CR4 PAE clear", true, cr4 & ~CR4_PAE },
        { "bit 15", true, cr4 | CR4_RESERVED_15 },
        { "LA57 toggled", true, cr4 ^ CR4_LA57 },
    };
    const unsigned n = sizeof(writes) / sizeof(writes[0]);
    unsigned faulted = 0;

    observed_add(o, "#GP each:");
    for (unsigned i = 0; i < n; i++) {
        uint64_t t = writes[i].is_cr4 ? try_write_cr4(writes[i].value)
                                      : try_write_cr0(writes[i].value);
        faulted += t == VECTOR_GP;
        observed_add(o, " %s%s%s,", writes[i].what, t == VECTOR_GP ? "" : " ",
                     t == VECTOR_GP ? "" : trap_name(t));
    }
    bool same = read_cr0() == cr0 && read_cr4() == cr4;
    observed_add(o, " %u of %u; CR0 0x%llx CR4 0x%llx %s", faulted, n,
                 (unsigned long long)read_cr0(), (unsigned long long)read_cr4(),
                 same ? "unchanged" : "CHANGED");
    return faulted == n && same;
}

/* The partition has no performance counters: any index is #GP. */
bool scenario_rdpmc(const struct hostile_env *env, struct observed *o)
{
    (void)env;
    static const uint32_t counters[] = { 0, 1, 0x40000000u, 0xFFFFFFFFu };
    unsigned faulted = 0;

    const unsigned n = sizeof(counters) / sizeof(counters[0]);

    observed_add(o, "ecx");
    for (unsigned i = 0; i < n; i++) {
        uint64_t value = 0;
        uint64_t t = try_rdpmc(counters[i], &value);
        faulted += t == VECTOR_GP;
        observed_add(o, " 0x%x %s,", counters[i], trap_name(t));
    }
    observed_add(o, " %u of %u #GP", faulted, n);
    return faulted == n;
}

/* MONITOR and MWAIT, hidden by CPUID: each exits and is a no-op (an MWAIT may wake for any
 * reason), so the guest goes on at once. */
#define MONITOR_MWAIT_ROUNDS    16
static volatile uint64_t monitored;

bool scenario_monitor_mwait(const struct hostile_env *env, struct observed *o)
{
    (void)env;
    uint64_t monitor_fault = TRAP_NONE, mwait_fault = TRAP_NONE;

    for (unsigned i = 0; i < MONITOR_MWAIT_ROUNDS; i++) {
        trap_arm();
        __asm__ volatile(TRAP_TRY "monitor" TRAP_END
                         : : "a"(&monitored), "c"(0), "d"(0) : "r11", "memory");
        if (trap_taken() != TRAP_NONE)
            monitor_fault = trap_taken();
        trap_arm();
        __asm__ volatile(TRAP_TRY "mwait" TRAP_END : : "a"(0), "c"(0) : "r11", "memory");
        if (trap_taken() != TRAP_NONE)
            mwait_fault = trap_taken();
    }
    int64_t id = guest_hypercall(TESSERA_HC_PARTITION_ID, 0, 0, 0);
    observed_add(o, "%u rounds: monitor %s, mwait %s, still running, hypervisor answers id %lld",
                 MONITOR_MWAIT_ROUNDS, trap_name(monitor_fault), trap_name(mwait_fault),
                 (long long)id);
    return monitor_fault == TRAP_NONE && mwait_fault == TRAP_NONE &&
           id == (int64_t)env->bp->partition_id;
}

/* WBINVD on demand, many times: it must complete each time, and tessera makes each one a
 * counted no-op ("WBINVD exiting"), so no guest flushes the machine's caches. The guest cannot
 * tell a native WBINVD from a no-op; the shell's `exits` can. */
#define WBINVD_STORM    20000
static volatile uint64_t wbinvd_canary;

bool scenario_wbinvd_storm(const struct hostile_env *env, struct observed *o)
{
    uint64_t fault = TRAP_NONE;
    wbinvd_canary = 0x5eedf00d;
    uint64_t start = guest_tsc();
    for (unsigned i = 0; i < WBINVD_STORM; i++) {
        trap_arm();
        __asm__ volatile(TRAP_TRY "wbinvd" TRAP_END : : : "r11", "memory");
        if (trap_taken() != TRAP_NONE)
            fault = trap_taken();
    }
    uint64_t cycles = guest_tsc() - start;
    int64_t id = guest_hypercall(TESSERA_HC_PARTITION_ID, 0, 0, 0);
    observed_add(o, "%u wbinvd completed (%s) in %llu Mcycles, value reads 0x%llx, "
                    "hypervisor answers id %lld", WBINVD_STORM, trap_name(fault),
                 (unsigned long long)(cycles / 1000000), (unsigned long long)wbinvd_canary,
                 (long long)id);
    return fault == TRAP_NONE && wbinvd_canary == 0x5eedf00d &&
           id == (int64_t)env->bp->partition_id;
}

/* ---- debug registers ---------------------------------------------------------------------
 * DR7 (SDM Vol. 3B, figure 19-1): L<n> at bit 2n, R/W<n> at 16 + 4n, LEN<n> at 18 + 4n; bit 10
 * reads as 1. DR6 B<n> (bit n) says which breakpoint matched. */
#define DR7_FIXED           0x400ull
#define DR7_L(n)            (1ull << (2 * (n)))
#define DR7_RW(n, rw)       ((uint64_t)(rw) << (16 + 4 * (n)))
#define DR7_LEN(n, len)     ((uint64_t)(len) << (18 + 4 * (n)))
#define DR_RW_EXECUTE       0
#define DR_RW_WRITE         1
#define DR_RW_READ_WRITE    3
#define DR_LEN_8            2
#define DR6_B_MASK          0xFull

static volatile uint64_t watched_write, watched_read, never_touched;

static uint64_t read_dr6(void)
{
    uint64_t v;
    __asm__ volatile("mov %%dr6, %0" : "=r"(v));
    return v;
}

static void clear_dr6(void)
{
    __asm__ volatile("mov %0, %%dr6" : : "r"(0xFFFF0FF0ull));
}

/* One breakpoint hit: vector and DR6's B bits. */
struct hit {
    uint64_t vector, b;
};

static void describe(struct observed *o, const char *what, struct hit h)
{
    observed_add(o, "%s %s", what, trap_name(h.vector));
    if (h.vector == 1)
        observed_add(o, " B%llx", (unsigned long long)h.b);
    observed_add(o, ", ");
}

bool scenario_debug_registers(const struct hostile_env *env, struct observed *o)
{
    uint64_t dr7 = DR7_FIXED | DR7_L(0) | DR7_RW(0, DR_RW_WRITE) | DR7_LEN(0, DR_LEN_8) |
                   DR7_L(1) | DR7_RW(1, DR_RW_READ_WRITE) | DR7_LEN(1, DR_LEN_8) |
                   DR7_L(3) | DR7_RW(3, DR_RW_WRITE) | DR7_LEN(3, DR_LEN_8);
    uint64_t dr[4], dr7_read;
    struct hit write_hit, read_hit, exec_hit, cleared;

    __asm__ volatile("mov %0, %%dr0\n\tmov %1, %%dr1\n\tmov %2, %%dr3\n\tmov %3, %%dr7"
                     : : "r"(guest_gpa((const void *)&watched_write)),
                       "r"(guest_gpa((const void *)&watched_read)),
                       "r"(guest_gpa((const void *)&never_touched)), "r"(dr7) : "memory");
    clear_dr6();
    trap_arm();
    __asm__ volatile(TRAP_TRY "movq $1, %0" TRAP_END : "=m"(watched_write) : : "r11", "memory");
    write_hit = (struct hit){ trap_taken(), read_dr6() & DR6_B_MASK };
    clear_dr6();
    uint64_t sink = 0;
    trap_arm();
    __asm__ volatile(TRAP_TRY "mov %1, %0" TRAP_END : "+r"(sink) : "m"(watched_read)
                     : "r11", "memory");
    read_hit = (struct hit){ trap_taken(), read_dr6() & DR6_B_MASK };
    /* An instruction breakpoint on a NOP inside the attempt: a fault before it runs. */
    clear_dr6();
    trap_arm();
    __asm__ volatile(TRAP_TRY "lea 1f(%%rip), %%rax\n\tmov %%rax, %%dr2\n\t"
                     "mov %0, %%dr7\n1:\tnop" TRAP_END
                     : : "r"(dr7 | DR7_L(2) | DR7_RW(2, DR_RW_EXECUTE))
                     : "rax", "r11", "memory");
    exec_hit = (struct hit){ trap_taken(), read_dr6() & DR6_B_MASK };
    __asm__ volatile("mov %%dr0, %0\n\tmov %%dr1, %1\n\tmov %%dr2, %2\n\tmov %%dr3, %3\n\t"
                     "mov %%dr7, %4"
                     : "=r"(dr[0]), "=r"(dr[1]), "=r"(dr[2]), "=r"(dr[3]), "=r"(dr7_read));
    __asm__ volatile("mov %0, %%dr7" : : "r"(DR7_FIXED) : "memory");
    clear_dr6();
    trap_arm();
    __asm__ volatile(TRAP_TRY "movq $2, %0" TRAP_END : "=m"(watched_write) : : "r11", "memory");
    cleared = (struct hit){ trap_taken(), read_dr6() & DR6_B_MASK };
    int64_t id = guest_hypercall(TESSERA_HC_PARTITION_ID, 0, 0, 0);

    bool kept = dr[0] == guest_gpa((const void *)&watched_write) &&
                dr[1] == guest_gpa((const void *)&watched_read) && dr[2] != 0 &&
                dr[3] == guest_gpa((const void *)&never_touched) &&
                dr7_read == (dr7 | DR7_L(2) | DR7_RW(2, DR_RW_EXECUTE));
    describe(o, "write", write_hit);
    describe(o, "read", read_hit);
    describe(o, "execute", exec_hit);
    describe(o, "DR7 cleared: write", cleared);
    observed_add(o, "DR0-3/DR7 %s, id %lld", kept ? "kept" : "LOST", (long long)id);
    return write_hit.vector == 1 && write_hit.b == 1 && read_hit.vector == 1 &&
           read_hit.b == 2 && exec_hit.vector == 1 && exec_hit.b == 4 &&
           cleared.vector == TRAP_NONE && kept && never_touched == 0 &&
           id == (int64_t)env->bp->partition_id;
}

/* ---- task priority -------------------------------------------------------------------------
 * CR8 = 15 masks every interrupt class a guest could have; tessera keeps it virtual, so its own
 * timer still takes the CPU back (the shell answers meanwhile, from this CPU if it is the boot
 * CPU). Held until a key arrives on COM1 or hold_cycles pass. */
bool scenario_tpr_raise(const struct hostile_env *env, struct observed *o)
{
    uint8_t key = 0;
    drain_keys();
    uint64_t raise = try_write_cr8(15);
    uint64_t raised = read_cr8();
    int64_t id = guest_hypercall(TESSERA_HC_PARTITION_ID, 0, 0, 0);
    struct cpuid_regs sig = guest_cpuid(TESSERA_CPUID_LEAF_SIGNATURE, 0);
    bool cpuid_ok = sig.ebx == TESSERA_CPUID_SIGNATURE_EBX;
    hostile_announce("tpr-raise", "CR8 %llu, holding until a key arrives (at most %llu Mcycles)",
                     (unsigned long long)raised, (unsigned long long)(env->hold_cycles / 1000000));
    bool got = wait_key(env->hold_cycles, &key);
    uint64_t too_big = try_write_cr8(16);
    uint64_t after_big = read_cr8();
    uint64_t lower = try_write_cr8(0);
    uint64_t lowered = read_cr8();

    observed_add(o, "CR8 15 %s read %llu, id %lld, cpuid %s, ", trap_name(raise),
                 (unsigned long long)raised, (long long)id, cpuid_ok ? "ok" : "WRONG");
    if (got)
        observed_add(o, "key 0x%02x came, ", key);
    else
        observed_add(o, "no key, ");
    observed_add(o, "CR8 16 %s read %llu, CR8 0 read %llu", trap_name(too_big),
                 (unsigned long long)after_big, (unsigned long long)lowered);
    return raise == TRAP_NONE && raised == 15 && id == (int64_t)env->bp->partition_id &&
           cpuid_ok && too_big == VECTOR_GP && after_big == 15 && lower == TRAP_NONE &&
           lowered == 0;
}
