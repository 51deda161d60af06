/* hostile: a guest that attacks tessera on purpose, one scenario at a time, and reports
 * what it saw (docs/HOSTILE.md is the catalog). Guest code only: guest/guest_abi.h, lib/
 * and the guest library, never a hypervisor header. */
#ifndef HOSTILE_HOSTILE_H
#define HOSTILE_HOSTILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "guest/images/common/guest_lib.h"

/* Every report line is "hostile: <scenario>: <observed>"; observations fit this. */
#define OBSERVED_MAX    136

/* What every scenario may need: the boot parameters and the command-line options. */
struct hostile_env {
    const struct tessera_boot_params *bp;
    bool flood;                 /* flood=off skips the console flood */
    uint64_t settle_cycles;     /* settle=<TSC cycles> to wait after the flood */
    bool has_target;
    uint64_t target;            /* target=<gpa> for write-other-partition */
    uint64_t hold_cycles;       /* hold=<TSC cycles>: how long tpr-raise and exit-storm wait
                                 * for a key at most */
};

/* An observation being written: text appended piece by piece, truncated at the end. */
struct observed {
    char text[OBSERVED_MAX + 1];
    size_t len;
};

void observed_add(struct observed *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A survivable scenario records what it saw and returns whether that is what tessera
 * promises; a stopping one announces itself, attacks and returns only if tessera let it
 * carry on (then it fills o with what happened instead). */
typedef bool (*scenario_fn)(const struct hostile_env *env, struct observed *o);

struct scenario {
    const char *name;
    bool survivable;
    scenario_fn run;
};

/* survivable.c and stopping.c: the catalog, in the order `survivable` runs it. */
extern const struct scenario survivable_scenarios[];
extern const uint32_t survivable_count;
extern const struct scenario stopping_scenarios[];
extern const uint32_t stopping_count;

/* The scenarios of cpu_rules.c and sweeps.c, in the catalog of survivable.c. */
bool scenario_xcr0_rules(const struct hostile_env *env, struct observed *o);
bool scenario_cr_rules(const struct hostile_env *env, struct observed *o);
bool scenario_rdpmc(const struct hostile_env *env, struct observed *o);
bool scenario_monitor_mwait(const struct hostile_env *env, struct observed *o);
bool scenario_wbinvd_storm(const struct hostile_env *env, struct observed *o);
bool scenario_debug_registers(const struct hostile_env *env, struct observed *o);
bool scenario_leftover_state(const struct hostile_env *env, struct observed *o);
/* leftover.c: the state leftover-state reports, read before any scenario changes it. */
void leftover_record_start(void);
bool scenario_tpr_raise(const struct hostile_env *env, struct observed *o);
bool scenario_rdmsr_sweep(const struct hostile_env *env, struct observed *o);
bool scenario_wrmsr_sweep(const struct hostile_env *env, struct observed *o);
bool scenario_msr_noncanonical(const struct hostile_env *env, struct observed *o);
bool scenario_port_sweep(const struct hostile_env *env, struct observed *o);
bool scenario_exit_storm(const struct hostile_env *env, struct observed *o);
bool scenario_console_escapes(const struct hostile_env *env, struct observed *o);
bool scenario_vmcall_print_flood(const struct hostile_env *env, struct observed *o);

/* main.c: waits `cycles` TSC cycles. */
void wait_cycles(uint64_t cycles);

/* main.c: bytes waiting on COM1's receiver are thrown away (a scenario that waits for a key
 * must not end on an old one). */
void drain_keys(void);

/* main.c: true when a key arrived on COM1 within `cycles` (in *key); polls LSR meanwhile. */
bool wait_key(uint64_t cycles, uint8_t *key);
/* debug.c: the debug-exception scenarios (single steps over emulated instructions, a #DB
 * delivery loop), listed in the catalog arrays above. */
bool tf_single_step(const struct hostile_env *env, struct observed *o);
bool movss_shadow_exit(const struct hostile_env *env, struct observed *o);
bool tf_hlt(const struct hostile_env *env, struct observed *o);
bool db_delivery_loop(const struct hostile_env *env, struct observed *o);

/* A stopping scenario's line before it attacks: "hostile: <name>: <text>". */
void hostile_announce(const char *name, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* ---- traps.c and traps.S: the guest's own IDT -------------------------------------------
 * An attempt is one inline-asm statement that starts with TRAP_TRY and ends with TRAP_END,
 * after trap_arm(). If an instruction between them faults, the handler records the vector
 * and resumes at TRAP_END, so the statement always completes; trap_taken() then says which
 * vector was raised, or TRAP_NONE. The statement must clobber "r11" and "memory" and must
 * not move RSP. */
#define TRAP_NONE       0xFFFFFFFFFFFFFFFFull
#define VECTOR_UD       6
#define VECTOR_GP       13

#define TRAP_TRY        "lea .Ltrap_end%=(%%rip), %%r11\n\tmov %%r11, trap_recover(%%rip)\n\t"
#define TRAP_END        "\n.Ltrap_end%=:\n\tmovq $0, trap_recover(%%rip)"

extern volatile uint64_t trap_recover, trap_vector, trap_error, trap_rip;

static inline void trap_arm(void)
{
    trap_vector = TRAP_NONE;
}

static inline uint64_t trap_taken(void)
{
    return trap_vector;
}

/* Loads the IDT with the 32 exception stubs of traps.S. */
void traps_install(void);

/* "#GP", "#UD", ... or "no exception" for TRAP_NONE. */
const char *trap_name(uint64_t vector);

/* Called by traps.S for a fault nothing armed: prints it and halts for good. */
void hostile_unexpected_trap(void) __attribute__((noreturn));

/* ---- the instructions scenarios use, one each ------------------------------------------ */


static inline uint64_t read_cr4(void)
{
    uint64_t v;
    __asm__ volatile("mov %%cr4, %0" : "=r"(v));
    return v;
}

__attribute__((noreturn)) static inline void halt_forever(void)
{
    for (;;)
        __asm__ volatile("sti\n\thlt");
}

/* main.c, called from entry.S with the loader's RDI. */
__attribute__((noreturn)) void hostile_main(const struct tessera_boot_params *params);

#endif
