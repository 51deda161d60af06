/* hostile's leftover-state scenario: the CPU state a guest can set that no VMCS field holds,
 * XCR0 (SDM Vol. 1 13.3), DR0-DR3 (Vol. 3B 19.2), PKRU (Vol. 3A 4.6.2), the x87 control word
 * (Vol. 1 8.1.5) and MXCSR (10.2.3), as this run found it at its first instruction (recorded
 * before any scenario runs) and as it leaves it. tessera resets all of it before
 * every (re)start, so each run, a restarted one included, finds the reset values. */
#include "guest/images/hostile/attempts.h"

#define CPUID_1_ECX_XSAVE   (1u << 26)
#define CR4_OSXSAVE         (1ull << 18)
#define CR4_PKE             (1ull << 22)
#define CR4_OSFXSR          (1ull << 9)
#define XCR0_X87_SSE_AVX    0x7ull
#define XCR0_RESET          0x1ull          /* x87 alone */
#define FCW_RESET           0x037Fu         /* FNINIT's control word, the x87 init state */
#define FCW_LEFT            0x027Fu         /* 53-bit precision */
#define MXCSR_RESET         0x1F80u         /* every SSE exception masked */
#define MXCSR_LEFT          0x1F00u         /* invalid-operation unmasked */
#define PKRU_LEFT           0x55555554u     /* access disabled for keys 1-15, key 0 untouched */
#define DR_LEFT_BASE        0x1000ull       /* DR7 stays clear: addresses only, no breakpoint */

static uint32_t read_pkru(void)
{
    uint32_t pkru, edx;
    __asm__ volatile("rdpkru" : "=a"(pkru), "=d"(edx) : "c"(0));
    return pkru;
}

static uint16_t read_fcw(void)
{
    uint16_t fcw;
    __asm__ volatile("fnstcw %0" : "=m"(fcw));
    return fcw;
}

static uint32_t read_mxcsr(void)
{
    uint32_t mxcsr;
    __asm__ volatile("stmxcsr %0" : "=m"(mxcsr));
    return mxcsr;
}

struct leftover {
    uint64_t xcr0, dr[4];
    uint16_t fcw;
    uint32_t mxcsr, pkru;
};

static void read_state(struct leftover *s, bool xsave, bool pke)
{
    s->xcr0 = 0;
    if (xsave)
        try_xgetbv(0, &s->xcr0);
    __asm__ volatile("mov %%dr0, %0\n\tmov %%dr1, %1\n\tmov %%dr2, %2\n\tmov %%dr3, %3"
                     : "=r"(s->dr[0]), "=r"(s->dr[1]), "=r"(s->dr[2]), "=r"(s->dr[3]));
    s->fcw = read_fcw();
    s->mxcsr = read_mxcsr();
    s->pkru = pke ? read_pkru() : 0;
}

/* Every piece set to something the reset does not produce. */
static void dirty_state(bool xsave, bool pke)
{
    if (xsave && (guest_cpuid(0xD, 0).eax & XCR0_X87_SSE_AVX) == XCR0_X87_SSE_AVX)
        try_xsetbv(0, XCR0_X87_SSE_AVX);
    __asm__ volatile("mov %0, %%dr0\n\tmov %1, %%dr1\n\tmov %2, %%dr2\n\tmov %3, %%dr3"
                     : : "r"(DR_LEFT_BASE), "r"(2 * DR_LEFT_BASE), "r"(3 * DR_LEFT_BASE),
                         "r"(4 * DR_LEFT_BASE));
    uint16_t fcw = FCW_LEFT;
    uint32_t mxcsr = MXCSR_LEFT;
    __asm__ volatile("fldcw %0\n\tldmxcsr %1" : : "m"(fcw), "m"(mxcsr));
    if (pke)
        __asm__ volatile("wrpkru" : : "a"(PKRU_LEFT), "c"(0), "d"(0) : "memory");
}

/* The CR4 bits the reads and writes need; which of XSAVE and PKE the CPU lets the guest have. */
static uint64_t enable_access(bool *xsave, bool *pke, uint64_t *pke_trap)
{
    uint64_t cr4 = read_cr4();
    try_write_cr4(cr4 | CR4_OSFXSR);        /* for STMXCSR and LDMXCSR */
    *xsave = (guest_cpuid(1, 0).ecx & CPUID_1_ECX_XSAVE) &&
             try_write_cr4(read_cr4() | CR4_OSXSAVE) == TRAP_NONE;
    /* CPUID hides PKU, so tessera makes CR4.PKE reserved (#GP) even where VMX would let the
     * guest set it; if it ever did not, PKRU is dirtied and must be reset like the rest. */
    *pke_trap = try_write_cr4(read_cr4() | CR4_PKE);
    *pke = *pke_trap == TRAP_NONE && (read_cr4() & CR4_PKE);
    return cr4;
}

static struct leftover found;
static bool found_xsave, found_pke;
static uint64_t found_pke_trap;

void leftover_record_start(void)
{
    uint64_t cr4 = enable_access(&found_xsave, &found_pke, &found_pke_trap);
    read_state(&found, found_xsave, found_pke);
    try_write_cr4(cr4);
}

bool scenario_leftover_state(const struct hostile_env *env, struct observed *o)
{
    (void)env;
    bool xsave, pke;
    uint64_t pke_trap;
    uint64_t cr4 = enable_access(&xsave, &pke, &pke_trap);
    bool clean = (!found_xsave || found.xcr0 == XCR0_RESET) &&
                 !(found.dr[0] | found.dr[1] | found.dr[2] | found.dr[3]) &&
                 found.fcw == FCW_RESET && found.mxcsr == MXCSR_RESET && found.pkru == 0;
    observed_add(o, "found xcr0 0x%llx dr %llx/%llx/%llx/%llx fcw 0x%x mxcsr 0x%x pkru ",
                 (unsigned long long)found.xcr0, (unsigned long long)found.dr[0],
                 (unsigned long long)found.dr[1], (unsigned long long)found.dr[2],
                 (unsigned long long)found.dr[3], found.fcw, found.mxcsr);
    if (found_pke)
        observed_add(o, "0x%x", found.pkru);
    else
        observed_add(o, "n/a (CR4.PKE %s)", trap_name(found_pke_trap));

    struct leftover left;
    dirty_state(xsave, pke);
    read_state(&left, xsave, pke);
    unsigned pieces = 4 + pke, changed = (left.xcr0 != found.xcr0 || !xsave) +
        (left.dr[0] == DR_LEFT_BASE && left.dr[3] == 4 * DR_LEFT_BASE) + (left.fcw == FCW_LEFT) +
        (left.mxcsr == MXCSR_LEFT) + (pke && left.pkru == PKRU_LEFT);
    try_write_cr4(cr4);
    observed_add(o, "; left %u of %u changed", changed, pieces);
    return clean && changed == pieces;
}
