/* hostile: attacks tessera from inside a partition (docs/HOSTILE.md). Command line:
 *   scenario=<name>[,<name>...]  run these scenarios of the catalog in order, then
 *                        "hostile: N scenarios, M contained" (before a stopping one)
 *   scenario=survivable  run every survivable one in turn, then that line
 *   flood=off            skip console-flood (not counted then)
 *   settle=<cycles>      TSC cycles console-flood and vmcall-print-flood wait before
 *                        reporting, so tessera's console queue, full after the flood, has
 *                        room for the report (default 150000000: 3 s in Bochs at 50 M
 *                        instructions/s)
 *   hold=<cycles>        how long tpr-raise and exit-storm wait for a key on COM1 at most
 *                        (default 150000000)
 *   target=<gpa>         the address write-other-partition writes to
 * Each scenario prints "hostile: <name>: <observed>", or "hostile: <name>: NOT CONTAINED:
 * <observed>" when tessera did not do what the catalog says. */
#include "guest/images/hostile/hostile.h"

#include <stdarg.h>

#include "lib/cmdline.h"
#include "lib/format.h"
#include "lib/string.h"

#define OPTION_MAX      32
#define SCENARIO_MAX    200     /* scenario=<a>,<b>,... */
#define SETTLE_DEFAULT  150000000ull
#define HOLD_DEFAULT    150000000ull    /* 3 s in Bochs */
#define KEY_POLL_CYCLES 100000ull

void observed_add(struct observed *o, const char *fmt, ...)
{
    va_list ap;

    if (o->len >= OBSERVED_MAX)
        return;
    va_start(ap, fmt);
    int n = fmt_vsnprintf(o->text + o->len, sizeof(o->text) - o->len, fmt, ap);
    va_end(ap);
    if (n > 0)
        o->len += (size_t)n;
    if (o->len > OBSERVED_MAX)
        o->len = OBSERVED_MAX;
}

void hostile_announce(const char *name, const char *fmt, ...)
{
    struct observed text = { .len = 0 };
    va_list ap;

    va_start(ap, fmt);
    fmt_vsnprintf(text.text, sizeof(text.text), fmt, ap);
    va_end(ap);
    guest_print("hostile: %s: %s", name, text.text);
}

void wait_cycles(uint64_t cycles)
{
    for (uint64_t start = guest_tsc(); guest_tsc() - start < cycles;)
        guest_pause();
}

void drain_keys(void)
{
    while (inb(TESSERA_COM1_LSR) & TESSERA_COM1_LSR_DATA_READY)
        (void)inb(TESSERA_COM1_RBR);
}

bool wait_key(uint64_t cycles, uint8_t *key)
{
    for (uint64_t start = guest_tsc(); guest_tsc() - start < cycles;) {
        if (inb(TESSERA_COM1_LSR) & TESSERA_COM1_LSR_DATA_READY) {
            *key = inb(TESSERA_COM1_RBR);
            return true;
        }
        wait_cycles(KEY_POLL_CYCLES);
    }
    return false;
}

static bool option_is_off(const char *value)
{
    return strcmp(value, "off") == 0 || strcmp(value, "0") == 0;
}

static void parse_options(const struct tessera_boot_params *bp, struct hostile_env *env,
                          char *scenario, size_t scenario_size)
{
    char value[OPTION_MAX];

    *env = (struct hostile_env){ .bp = bp, .flood = true, .settle_cycles = SETTLE_DEFAULT,
                                 .hold_cycles = HOLD_DEFAULT };
    if (!cmdline_get(bp->cmdline, "scenario", scenario, scenario_size))
        scenario[0] = '\0';
    if (cmdline_get(bp->cmdline, "flood", value, sizeof(value)))
        env->flood = !option_is_off(value);
    if (cmdline_get(bp->cmdline, "settle", value, sizeof(value)) &&
        !cmdline_parse_u64(value, &env->settle_cycles))
        guest_print("hostile: settle=%s is not a number", value);
    if (cmdline_get(bp->cmdline, "hold", value, sizeof(value)) &&
        !cmdline_parse_u64(value, &env->hold_cycles))
        guest_print("hostile: hold=%s is not a number", value);
    if (cmdline_get(bp->cmdline, "target", value, sizeof(value))) {
        env->has_target = cmdline_parse_u64(value, &env->target);
        if (!env->has_target)
            guest_print("hostile: target=%s is not a number", value);
    }
}

/* Runs one scenario and prints its line; true if tessera contained it. */
static bool run_one(const struct scenario *s, const struct hostile_env *env)
{
    struct observed o = { .len = 0 };
    bool contained = s->run(env, &o);

    if (!s->survivable) {   /* still here: the stop did not happen */
        guest_print("hostile: %s: NOT CONTAINED: %s, still running", s->name, o.text);
        return false;
    }
    if (contained)
        guest_print("hostile: %s: %s", s->name, o.text);
    else
        guest_print("hostile: %s: NOT CONTAINED: %s", s->name, o.text);
    return contained;
}

static const struct scenario *find_scenario(const char *name)
{
    for (uint32_t i = 0; i < survivable_count; i++)
        if (strcmp(survivable_scenarios[i].name, name) == 0)
            return &survivable_scenarios[i];
    for (uint32_t i = 0; i < stopping_count; i++)
        if (strcmp(stopping_scenarios[i].name, name) == 0)
            return &stopping_scenarios[i];
    return NULL;
}

static void list_scenarios(void)
{
    guest_print("hostile: scenario=survivable runs, in order:");
    for (uint32_t i = 0; i < survivable_count; i++)
        guest_print("hostile:   %s", survivable_scenarios[i].name);
    guest_print("hostile: scenarios that stop the partition:");
    for (uint32_t i = 0; i < stopping_count; i++)
        guest_print("hostile:   %s", stopping_scenarios[i].name);
}

/* The survivable ones of `names` (all of them for "survivable") in order, then the summary
 * line; a stopping one is run after the summary of the survivable ones before it, since it
 * does not come back. An unknown name lists the catalog. */
static void run_list(const struct hostile_env *env, const char *names)
{
    uint32_t run = 0, contained = 0, i = 0;
    bool all = strcmp(names, "survivable") == 0;
    char name[OPTION_MAX];

    for (const char *p = names; all ? i < survivable_count : *p != '\0'; i++) {
        const struct scenario *s;
        if (all) {
            s = &survivable_scenarios[i];
        } else {
            size_t n = 0;
            while (p[n] != '\0' && p[n] != ',')
                n++;
            if (n >= sizeof(name))
                n = sizeof(name) - 1;
            memcpy(name, p, n);
            name[n] = '\0';
            while (*p != '\0' && *p != ',')
                p++;
            if (*p == ',')
                p++;
            s = find_scenario(name);
            if (!s) {
                guest_print("hostile: no scenario \"%s\"; give scenario=<name>[,<name>...]",
                            name);
                list_scenarios();
                continue;
            }
        }
        if (strcmp(s->name, "console-flood") == 0 && !env->flood) {
            guest_print("hostile: %s: skipped (flood=off)", s->name);
            continue;
        }
        if (!s->survivable && run > 0) {
            guest_print("hostile: %u scenarios, %u contained", run, contained);
            run = contained = 0;
        }
        run += s->survivable;
        contained += run_one(s, env) && s->survivable;
    }
    if (run > 0)
        guest_print("hostile: %u scenarios, %u contained", run, contained);
}

void hostile_main(const struct tessera_boot_params *bp)
{
    struct hostile_env env;
    char scenario[SCENARIO_MAX];

    if (bp->magic != TESSERA_BOOT_MAGIC) {
        guest_print("hostile: bad boot parameters");
        halt_forever();
    }
    traps_install();
    leftover_record_start();
    parse_options(bp, &env, scenario, sizeof(scenario));
    guest_print("hostile: partition %u (%s), %llu MiB, scenario %s", bp->partition_id,
                bp->name, (unsigned long long)(bp->memory_size / MIB),
                scenario[0] ? scenario : "(none)");

    if (scenario[0] == '\0') {
        guest_print("hostile: no scenario given; give scenario=<name>[,<name>...]");
        list_scenarios();
    } else {
        run_list(&env, scenario);
    }
    /* The usual idle of an operating system with nothing to do: HLT right behind STI, in
     * its interrupt shadow. tessera must let it wait, not stop it. */
    guest_print("hostile: idle (sti; hlt)");
    halt_forever();
}
