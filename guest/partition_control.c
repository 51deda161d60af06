/* The shell's controls over partitions: stop, start (from scratch: image reloaded, EPT,
 * bitmaps and statistics rebuilt in the memory it has) and restart, one partition at a
 * time without touching the others. */
#include "guest/partition_run.h"

#include "arch/x86/percpu.h"
#include "arch/x86/smp.h"
#include "drivers/console.h"
#include "drivers/timer.h"
#include "guest/partition_internal.h"
#include "guest/partition_validate.h"
#include "lib/string.h"


static struct partition *volatile boot_cpu_pending;

static void force_exit(void *arg)
{
    (void)arg;     /* the IPI that delivered this call made the guest exit; nothing more */
}

bool partition_request_stop(struct partition *p)
{
    if (p->state != PARTITION_RUNNING) {
        console_printf("stop: %s is not running\n", p->config->name);
        return false;
    }
    p->vcpu.stop_requested = true;
    if (p->config->cpu == this_cpu()->index)
        return true;   /* this CPU is in one of its exits: it stops when that returns */
    smp_call(p->config->cpu, force_exit, 0, 100000);
    for (int waited = 0; p->state == PARTITION_RUNNING && waited < 100000; waited += 100)
        udelay(100);
    if (p->state == PARTITION_RUNNING) {
        console_printf("stop: %s did not stop within 100 ms\n", p->config->name);
        return false;
    }
    return true;
}

/* A stopped partition starts from scratch: its RAM zeroed, the image loaded again from its
 * module, EPT, bitmaps, MSR lists and statistics rebuilt, in the memory it already has. */
bool partition_reload(struct partition *p)
{
    struct vcpu *v = &p->vcpu;
    memset((void *)(uintptr_t)p->memory_hpa, 0, p->memory_size);
    struct loader_output loaded;
    if (!partition_load_image(p, &loaded))
        return false;
    struct ept_memory mem = partition_ept_memory(p);
    ept_destroy(&p->ept, &mem);
    if (!partition_build_ept(p))
        return false;
    partition_fill_vcpu_pages(p);
    memset(v->exits, 0, sizeof(v->exits));
    memset(v->exit_cost, 0, sizeof(v->exit_cost));
    memset(v->ring, 0, sizeof(v->ring));
    v->ring_next = 0;
    v->watchdog_last_activity = 0;
    v->watchdog_quiet_periods = 0;
    v->stop_requested = false;
    v->stop_request_reason = 0;
    return partition_vcpu_reset(p);
}

/* On the partition's own CPU: a partition that ran before is rebuilt here (zeroing and loading
 * hundreds of MiB takes seconds, which the boot CPU's console and guest must not wait for),
 * then it runs until it stops. */
static void start_on_own_cpu(void *arg)
{
    struct partition *p = arg;
    if (p->needs_reload && !partition_reload(p)) {
        console_printf("start: %s could not be rebuilt\n", p->config->name);
        p->starting = false;
        return;
    }
    p->needs_reload = false;
    partition_vcpu_main(p);
}

bool partition_request_start(struct partition *p)
{
    const char *name = p->config->name;
    if (p->state == PARTITION_RUNNING) {
        console_printf("start: %s is already running\n", name);
        return false;
    }
    if (p->starting) {
        console_printf("start: %s is already starting\n", name);
        return false;
    }
    if (!p->prepared && (!partition_check_this_machine(p) || !partition_prepare(p)))
        return false;
    console_printf("start: %s on cpu %u\n", name, p->config->cpu);
    p->start_asked_tsc = rdtsc();
    p->starting = true;
    if (p->config->cpu == 0) {
        boot_cpu_pending = p;   /* the boot CPU's console loop launches it */
        return true;
    }
    if (!smp_start_on(p->config->cpu, start_on_own_cpu, p)) {
        p->starting = false;
        return false;
    }
    return true;
}

bool partition_request_restart(struct partition *p)
{
    if (p->state == PARTITION_RUNNING) {
        if (p->config->cpu == this_cpu()->index) {
            /* Stopping needs this exit to return first: let the loop restart it. */
            p->vcpu.stop_requested = true;
            p->restart_pending = true;
            return true;
        }
        if (!partition_request_stop(p))
            return false;
    }
    return partition_request_start(p);
}

void partition_run_pending_boot_cpu(void)
{
    for (;;) {
        struct partition *p = boot_cpu_pending;
        if (!p) {
            for (uint32_t i = 0; i < partition_count() && !p; i++) {
                struct partition *q = partition_get(i);
                if (q->restart_pending && q->config->cpu == 0 && q->state != PARTITION_RUNNING)
                    p = q;
            }
            if (!p)
                return;
            p->restart_pending = false;
            if (!partition_request_start(p))
                continue;
        }
        boot_cpu_pending = 0;
        start_on_own_cpu(p);
    }
}
