/* hostile's debug-exception scenarios (SDM Vol. 3B 17.2-17.3 debug registers, single-step and
 * breakpoints; Vol. 3A 6.14.5 the interrupt stack table; Vol. 3C 26.3.1.5): single steps over
 * instructions tessera emulates, and a #DB whose every delivery raises the next one. The
 * guest's own #DB gate is swapped for a recorder while a scenario runs. */
#include "guest/images/hostile/hostile.h"

#define VECTOR_DB           1
#define DR6_BS              (1ull << 14)
#define DR6_CLEAN           0xFFFF0FF0ull   /* DR6 with no condition recorded */
#define DR7_L0              (1ull << 0)
#define DR7_RW0_WRITE       (1ull << 16)    /* R/W0 = 01: data writes */
#define DR7_LEN0_8          (2ull << 18)    /* LEN0 = 10: 8 bytes */
#define DR7_RESERVED_ONE    (1ull << 10)
#define GATE_INTERRUPT64    0x8E
#define TSS_IST1            0x24            /* 64-bit TSS: IST1 (Vol. 3A figure 8-11) */
#define LOOP_STACK_BYTES    4096

/* A 64-bit interrupt gate (Vol. 3A figure 6-8) is two quadwords. */
struct gate_words {
    uint64_t low, high;
};

struct table_register {
    uint16_t limit;
    uint64_t base;
} __attribute__((packed));

/* What the recorder saw: how many #DB, the RIP each pushed (the last), and DR6. It clears TF
 * in the frame, so a single step ends at its first trap. */
volatile uint64_t db_count, db_rip, db_dr6;
extern const char db_recorder[], after_cpuid[], after_movss_cpuid[], after_hlt[];
/* The instructions each single-step scenario runs, with TF set by its POPF and the label
 * after the instruction that must trap; each returns with TF cleared by the recorder. */
extern void step_cpuid(void), step_movss_cpuid(void), step_hlt(void);

__asm__(".text\n"
        "db_recorder:\n\t"
        "push %rax\n\t"
        "lock incq db_count(%rip)\n\t"
        "mov 8(%rsp), %rax\n\t"             /* 0 rax, 8 rip, 16 cs, 24 rflags */
        "mov %rax, db_rip(%rip)\n\t"
        "mov %dr6, %rax\n\t"
        "mov %rax, db_dr6(%rip)\n\t"
        "andq $~0x100, 24(%rsp)\n\t"
        "pop %rax\n\t"
        "iretq\n"
        /* POPF sets TF, so CPUID right after it is the first instruction stepped. */
        "step_cpuid:\n\t"
        "push %rbx\n\txor %eax, %eax\n\txor %ecx, %ecx\n\t"
        "pushfq\n\torq $0x100, (%rsp)\n\tpopfq\n\t"
        "cpuid\n"
        "after_cpuid:\n\t"
        "pop %rbx\n\tret\n"
        /* MOV SS right after POPF is the first stepped, and holds its trap to after CPUID. */
        "step_movss_cpuid:\n\t"
        "push %rbx\n\txor %eax, %eax\n\txor %ecx, %ecx\n\tmov %ss, %edx\n\t"
        "pushfq\n\torq $0x100, (%rsp)\n\tpopfq\n\t"
        "mov %edx, %ss\n\t"
        "cpuid\n"
        "after_movss_cpuid:\n\t"
        "pop %rbx\n\tret\n"
        /* POPF sets TF and IF together, so HLT is the first instruction stepped. */
        "step_hlt:\n\t"
        "cli\n\tpushfq\n\torq $0x300, (%rsp)\n\tpopfq\n\t"
        "hlt\n"
        "after_hlt:\n\t"
        "cli\n\tret\n");

static struct gate_words *db_gate(void)
{
    struct table_register idtr;
    __asm__ volatile("sidt %0" : "=m"(idtr));
    return (struct gate_words *)(uintptr_t)(idtr.base + VECTOR_DB * sizeof(struct gate_words));
}

/* Points the #DB gate at the recorder (on IST entry ist) and returns the gate it replaced. */
static struct gate_words recorder_install(uint8_t ist)
{
    struct gate_words *g = db_gate(), saved = *g;
    uint64_t handler = (uint64_t)(uintptr_t)db_recorder;
    uint16_t cs;
    __asm__ volatile("mov %%cs, %0" : "=r"(cs));
    g->low = (handler & 0xFFFF) | (uint64_t)cs << 16 | (uint64_t)ist << 32 |
             (uint64_t)GATE_INTERRUPT64 << 40 | (handler >> 16 & 0xFFFF) << 48;
    g->high = handler >> 32;
    db_count = 0;
    db_rip = 0;
    db_dr6 = 0;
    uint64_t clean = DR6_CLEAN;
    __asm__ volatile("mov %0, %%dr6" : : "r"(clean) : "memory");
    return saved;
}

static void recorder_remove(struct gate_words saved)
{
    *db_gate() = saved;
}

/* Runs a stepped snippet under the recorder: exactly one #DB must come, at `expected` (right
 * after the instruction that traps) with DR6.BS set. */
static bool one_step(void (*snippet)(void), const char *what, const void *expected,
                     struct observed *o)
{
    struct gate_words saved = recorder_install(0);
    snippet();
    recorder_remove(saved);
    observed_add(o, "%s: %llu #DB, at rip 0x%llx (expected 0x%llx), DR6 0x%llx (BS %s)", what,
                 (unsigned long long)db_count, (unsigned long long)db_rip,
                 (unsigned long long)(uintptr_t)expected, (unsigned long long)db_dr6,
                 (db_dr6 & DR6_BS) ? "set" : "clear");
    return db_count == 1 && db_rip == (uint64_t)(uintptr_t)expected && (db_dr6 & DR6_BS);
}

/* CPUID, which tessera emulates, is single-stepped: the trap must still come right after it. */
bool tf_single_step(const struct hostile_env *env, struct observed *o)
{
    (void)env;
    return one_step(step_cpuid, "TF over CPUID", after_cpuid, o);
}

/* CPUID in the shadow of MOV SS, which holds its own single step back to the end of CPUID:
 * tessera must end that shadow when it completes CPUID and leave the trap pending (VM entry
 * refuses TF under a MOV-SS shadow without it), so exactly one #DB comes, right after CPUID. */
bool movss_shadow_exit(const struct hostile_env *env, struct observed *o)
{
    (void)env;
    return one_step(step_movss_cpuid, "TF, MOV SS, CPUID", after_movss_cpuid, o);
}

/* HLT single-stepped: tessera emulates it into the HLT state, where VM entry demands the
 * single step pending; the CPU delivers it from HLT, with RIP after HLT. */
bool tf_hlt(const struct hostile_env *env, struct observed *o)
{
    (void)env;
    return one_step(step_hlt, "TF over HLT", after_hlt, o);
}

static uint8_t loop_stack[LOOP_STACK_BYTES] __attribute__((aligned(16)));

/* The 64-bit TSS the loader gave it, through TR's descriptor in the GDT (Vol. 3A 8.2.3). */
static uint8_t *own_tss(void)
{
    struct table_register gdtr;
    uint16_t tr;
    __asm__ volatile("sgdt %0\n\tstr %1" : "=m"(gdtr), "=r"(tr));
    const uint8_t *d = (const uint8_t *)(uintptr_t)(gdtr.base + (tr & ~7u));
    uint64_t base = (uint64_t)d[2] | (uint64_t)d[3] << 8 | (uint64_t)d[4] << 16 |
                    (uint64_t)d[7] << 24 | (uint64_t)(d[8] | d[9] << 8 | d[10] << 16 |
                                                     (uint32_t)d[11] << 24) << 32;
    return (uint8_t *)(uintptr_t)base;
}

/* #DB on its own IST stack, and DR0 watching the first slot each delivery writes there (SS
 * of the frame): every delivery of #DB hits the breakpoint, whose trap is a #DB delivered the
 * same way. On a CPU alone this repeats in microcode for ever, no instruction retiring, no
 * interrupt taken (CVE-2015-8104); tessera intercepts #DB and must stop the partition. INT1
 * starts it. */
bool db_delivery_loop(const struct hostile_env *env, struct observed *o)
{
    (void)env;
    uint64_t top = (uint64_t)(uintptr_t)(loop_stack + LOOP_STACK_BYTES);
    uint8_t *tss = own_tss();
    for (unsigned i = 0; i < 8; i++)
        tss[TSS_IST1 + i] = (uint8_t)(top >> (8 * i));
    struct gate_words saved = recorder_install(1);
    uint64_t dr0 = top - 8, dr7 = DR7_RESERVED_ONE | DR7_L0 | DR7_RW0_WRITE | DR7_LEN0_8;
    hostile_announce("db-delivery-loop", "#DB on IST1 at 0x%llx, DR0 = 0x%llx (write, 8 bytes) "
                     "where each delivery pushes, then int1", (unsigned long long)top,
                     (unsigned long long)dr0);
    __asm__ volatile("mov %0, %%dr0\n\tmov %1, %%dr7\n\t"
                     ".byte 0xf1\n\t"               /* INT1 (ICEBP) */
                     "xor %%eax, %%eax\n\tmov %%rax, %%dr7"
                     : : "r"(dr0), "r"(dr7) : "rax", "memory");
    recorder_remove(saved);
    observed_add(o, "%llu #DB taken, last at rip 0x%llx, DR6 0x%llx",
                 (unsigned long long)db_count, (unsigned long long)db_rip,
                 (unsigned long long)db_dr6);
    return false;
}
