/* Partitions at run time: the table checked against this machine, each partition prepared
 * (guest/partition_prepare.c), then each vCPU run on its own CPU until the hypervisor stops
 * it; what the vCPU asks of its partition (vcpu/vcpu.h owner operations). */
#include "guest/partition_run.h"

#include "guest/partition_internal.h"

#include <stdarg.h>

#include "arch/x86/cpu.h"
#include "arch/x86/percpu.h"
#include "arch/x86/smp.h"
#include "drivers/console.h"
#include "drivers/console_setup.h"
#include "drivers/timer.h"
#include "guest/console_mux.h"
#include "guest/io_bitmap.h"
#include "guest/msr_bitmap.h"
#include "guest/partition_validate.h"
#include "lib/cmdline.h"
#include "lib/format.h"
#include "lib/string.h"
#include "vmx/guest_state_check.h"
#include "vmx/vmcs.h"
#include "vmx/guest_state_report.h"
#include "vmx/vmcs_dump.h"
#include "vmx/vmx_asm.h"
#include "vmx/vmxon.h"

#define PAGE                        4096ULL

static struct partition partitions[PARTITION_MAX];
static uint32_t partitions_used;
static const struct mb2_info *boot_info;

/* Test switches on the kernel command line, each naming a partition:
 *   vmcsdump=<name>   print its whole VMCS, by SDM area, just before its first entry;
 *   badguest=<name>   corrupt its guest state (CS.L with CS.D/B) so the entry fails and
 *                     the guest-state checker's explanation can be tested;
 *   exitfault=<name>  raise #UD in root mode once, in its first timer exit, so the
 *                     recovery of a CPU that faults while serving a guest can be tested. */
static char vmcsdump_name[32], badguest_name[32], exitfault_name[32];
static bool exitfault_done;

uint32_t partition_count(void)
{
    return partitions_used;
}

struct partition *partition_get(uint32_t id)
{
    return id < partitions_used ? &partitions[id] : 0;
}

struct partition *partition_find(const char *name)
{
    for (uint32_t i = 0; i < partitions_used; i++)
        if (strcmp(partitions[i].config->name, name) == 0)
            return &partitions[i];
    return 0;
}

const struct diag partition_report = { console_line_sink, 0 };

void *partition_gpa_to_host(const struct partition *p, uint64_t gpa, uint64_t size)
{
    return vcpu_gpa_to_host(&p->vcpu, gpa, size);
}

/* ---- what the vCPU asks of its partition (vcpu/vcpu.h) ------------------------------------- */

/* Counts a reset; false once PARTITION_RESET_LOOP_MAX of them fall within one minute. */
static bool reset_loop_allows(struct partition *p)
{
    uint64_t now = rdtsc(), minute = timer_calibration()->tsc_hz * 60;
    if (p->resets_in_window == 0 || now - p->reset_window_tsc > minute) {
        p->reset_window_tsc = now;
        p->resets_in_window = 0;
    }
    return ++p->resets_in_window < PARTITION_RESET_LOOP_MAX;
}

static void owner_stopped(void *ctx, struct vcpu *v, const char *reason)
{
    struct partition *p = ctx;
    fmt_snprintf(p->reason, sizeof(p->reason), "%s", reason);
    line_queue_flush_partial(&p->output);
    /* p->state follows once its CPU has left the guest (partition_vcpu_main). A triple fault
     * shuts the CPU down, which a PC's chipset answers with a reset. */
    bool reset = p->platform_request == PLATFORM_RESET || v->shut_down;
    const char *what = v->shut_down ? "triple fault" : "reset";
    p->restart_after_reset = reset && p->config->restart_on_reset && reset_loop_allows(p);
    if (p->restart_after_reset)
        console_printf("partition %s: %s, restarting (%u in the last minute)\n",
                       p->config->name, what, p->resets_in_window);
    else if (reset && p->config->restart_on_reset)
        console_printf("partition %s: %s %u times within a minute: stopped\n",
                       p->config->name, what, p->resets_in_window);
    else if (p->platform_request != PLATFORM_NONE)
        console_printf("partition %s: %s\n", p->config->name, p->reason);
    else
        console_printf("partition %s: stopped on cpu %u: %s\n", p->config->name, v->cpu,
                       p->reason);
}

static void owner_timer_tick(void *ctx, struct vcpu *v)
{
    struct partition *p = ctx;
    if (!exitfault_done && strcmp(exitfault_name, p->config->name) == 0) {
        exitfault_done = true;
        console_printf("partition %s: selftest: #UD in root mode on purpose\n", p->config->name);
        __asm__ volatile("ud2");
    }
    if (v->cpu == 0)
        console_service();
    /* Keyboard bytes wait for an interrupt-driven driver that will not poll for them. */
    bool uart_waits = false;
    if (partition_wants_platform(p->config)) {
        partition_console_pull_input(p);
        uart_waits = partition_platform_uart_changed(p);
    }
    /* Slots can be skipped while the guest halts unless this CPU serves the console, a
     * watchdog counts them, or its UART waits for the line queue to drain; keystrokes for it
     * come with an IPI (partition_console_input). */
    v->idle_tick_ok = v->cpu != 0 && !v->watchdog_ms && !uart_waits;
}

static bool owner_port_granted(void *ctx, uint16_t port, bool write)
{
    return io_policy_allows(((struct partition *)ctx)->config, port, write);
}

static bool owner_msr_granted(void *ctx, uint32_t msr, bool write)
{
    return msr_policy_allows(((struct partition *)ctx)->config, msr, write);
}

static void owner_console_putc(void *ctx, char c)
{
    partition_console_putc(ctx, c);
}

/* A device page on its first use: into the EPT, and the CPU's cached translations of this
 * EPT invalidated before the guest runs again (SDM Vol. 3C 29.4.3.1). */
static bool owner_map_device_page(void *ctx, uint64_t gpa, uint64_t hpa)
{
    struct partition *p = ctx;
    const struct ept_mapping m = { gpa, hpa, PAGE, EPT_READ | EPT_WRITE, EPT_MT_WB, false };
    const struct ept_options opt = partition_ept_options();
    const struct ept_memory mem = partition_ept_memory(p);
    if (!ept_map_more(&p->ept, &mem, &m, &opt, &partition_report))
        return false;
    struct vmx_invept_desc d = { p->vcpu.eptp, 0 };
    invept(VMX_INVEPT_SINGLE_CONTEXT, &d);
    return true;
}

static const struct vcpu_owner_ops partition_vcpu_owner = {
    owner_stopped, owner_timer_tick, owner_port_granted, owner_msr_granted, owner_console_putc,
    owner_map_device_page, partition_device_timer,
};

void partition_not_started(struct partition *p, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fmt_vsnprintf(p->reason, sizeof(p->reason), fmt, ap);
    va_end(ap);
    p->state = PARTITION_NOT_STARTED;
    console_printf("partition %s: not started: %s\n", p->config->name, p->reason);
}

/* ---- checks against this machine ------------------------------------------------------- */

/* The first module whose string starts with the word `name`. */
static const struct mb2_module *find_module(const char *name)
{
    for (uint32_t i = 0; boot_info && i < boot_info->module_count; i++)
        if (cmdline_module_args(boot_info->modules[i].cmdline, name))
            return &boot_info->modules[i];
    return 0;
}

static bool machine_cpu_usable(void *ctx, uint32_t cpu)
{
    (void)ctx;
    return cpu < CPU_MAX && (cpu == 0 || percpu_area[cpu].online) && percpu_area[cpu].vmx_on;
}

static bool machine_module_present(void *ctx, const char *name)
{
    (void)ctx;
    return find_module(name) != 0;
}

/* The SMT bits of an APIC ID: CPUID.(EAX=0BH,ECX=0) level 1 is the SMT level, its EAX[4:0]
 * the shift to the core (SDM Vol. 3A 9.9.1); without leaf 0BH no sibling is assumed. */
static uint32_t machine_core_of(void *ctx, uint32_t cpu)
{
    (void)ctx;
    static int smt_shift = -1;
    if (smt_shift < 0) {
        smt_shift = 0;
        if (cpuid(0, 0).eax >= 0xB) {
            struct cpuid_regs level = cpuid(0xB, 0);
            if (((level.ecx >> 8) & 0xFF) == 1)
                smt_shift = (int)(level.eax & 0x1F);
        }
    }
    return cpu < CPU_MAX ? percpu_area[cpu].apic_id >> smt_shift : UINT32_MAX;
}

static struct partition_machine this_machine(void)
{
    struct partition_machine m = { machine_cpu_usable, machine_module_present, 0, { 0 },
                                   machine_core_of };
    console_serial_ports(m.console_ports, PARTITION_HV_CONSOLE_PORTS);
    return m;
}

bool partition_check_this_machine(struct partition *p)
{
    struct partition_machine machine = this_machine();
    if (!partition_check_machine(p->config, &machine, &partition_report))
        return false;
    p->module = find_module(p->config->module);
    for (uint32_t i = 0; i < p->config->guest_module_count; i++)
        p->guest_modules[i] = find_module(p->config->guest_modules[i]);
    return true;
}

/* ---- running ----------------------------------------------------------------------------- */

/* What the vCPU gets from its partition, and its devices, again on every (re)start: a
 * restarted guest finds no state and no accounting of its previous life. */
bool partition_vcpu_reset(struct partition *p)
{
    struct vcpu *v = &p->vcpu;
    v->name = p->config->name;
    v->id = p->id;
    v->cpu = p->config->cpu;
    v->owner = &partition_vcpu_owner;
    v->owner_ctx = p;
    v->memory_hpa = p->memory_hpa;
    v->memory_size = p->memory_size;
    v->watchdog_ms = p->config->watchdog_ms;
    v->io_dropped = 0;
    v->ports_reported = (struct report_once){ 0 };
    v->msrs_reported = (struct report_once){ 0 };
    v->last_dropped_key = UINT64_MAX;
    events_init(&v->events, &partition_report);
    vcpu_clear_events(v);
    v->tpr = 0;
    vcpu_release_devices(v);
    if (p->config->testdev_gpa) {
        if (!p->testdev_window_hpa)
            p->testdev_window_hpa = partition_alloc_page(&p->overhead_bytes);
        else
            memset((void *)(uintptr_t)p->testdev_window_hpa, 0, PAGE);
        enum range_add_result r = testdev_attach(&p->testdev, v, p->config->testdev_gpa,
                                                 p->testdev_window_hpa);
        if (r != RANGE_ADDED) {
            console_printf("partition %s: test device at 0x%llx: %s\n", p->config->name,
                           (unsigned long long)p->config->testdev_gpa, range_add_result_name(r));
            return false;
        }
    }
    return partition_console_attach(p) && partition_platform_attach(p);
}

/* Runs on the partition's own CPU until the partition stops; the VMCS stays current there. */
static void run_once(struct partition *p);

/* Until it stops; a partition whose reset restarts it is reloaded here, on its own CPU, and
 * stays "running" for the shell meanwhile. */
void partition_vcpu_main(void *arg)
{
    struct partition *p = arg;
    for (;;) {
        p->restart_after_reset = false;
        run_once(p);
        if (!p->restart_after_reset || !partition_reload(p))
            break;
    }
    /* Only now, with every report line printed, does the shell see it stopped. */
    p->needs_reload = true;
    p->starting = false;
    __atomic_store_n(&p->state, PARTITION_STOPPED, __ATOMIC_RELEASE);
}

static void run_once(struct partition *p)
{
    struct vcpu *v = &p->vcpu;

    if (!vcpu_prepare(v, &p->entry))
        return;
    if (strcmp(badguest_name, p->config->name) == 0) {
        console_printf("partition %s: selftest: CS.L and CS.D/B both set on purpose\n",
                       p->config->name);
        vmcs_write32(VMCS_GUEST_CS_ACCESS_RIGHTS, VMX_AR_CODE64 | VMX_SEG_AR_DB);
    }
    if (strcmp(vmcsdump_name, p->config->name) == 0)
        vmcs_dump_current(VMCS_AREA_MASK_ALL, console_line_sink, 0);
    p->reason[0] = '\0';     /* why it stopped last time no longer applies */
    p->state = PARTITION_RUNNING;
    p->starting = false;
    console_printf("partition %s: running on cpu %u\n", p->config->name, v->cpu);
    if (p->start_asked_tsc) {
        console_log(LOG_DEBUG, "partition %s: running %llu us after its start was asked\n",
                    p->config->name,
                    (unsigned long long)timer_tsc_to_us(rdtsc() - p->start_asked_tsc));
        p->start_asked_tsc = 0;
    }
    vcpu_enter(v);
}

void partitions_start(const char *cmdline, const struct mb2_info *info)
{
    char name[32];
    boot_info = info;
    cmdline_get(cmdline, "vmcsdump", vmcsdump_name, sizeof(vmcsdump_name));
    cmdline_get(cmdline, "badguest", badguest_name, sizeof(badguest_name));
    /* Without the switch the timer tick never compares names. */
    exitfault_done = !cmdline_get(cmdline, "exitfault", exitfault_name, sizeof(exitfault_name));
    if (!cmdline_get(cmdline, "partitions", name, sizeof(name)))
        fmt_snprintf(name, sizeof(name), "%s", PARTITION_TABLE_DEFAULT);
    const struct partition_table *table = partition_table_find(name);
    if (!table) {
        console_printf("partitions: no table \"%s\"; compiled in:", name);
        for (uint32_t i = 0; i < partition_table_count; i++)
            console_printf(" %s", partition_tables[i]->name);
        console_printf("\n");
        return;
    }
    console_printf("partitions: table \"%s\": %s (%u partitions)\n", table->name,
                   table->description, table->count);
    if (!partition_table_validate(table, &partition_report)) {
        console_printf("partitions: table \"%s\" is invalid; no partition started\n", table->name);
        return;
    }
    if (!vmx_config()->usable) {
        console_printf("partitions: VMX is not available; no partition started\n");
        return;
    }

    for (uint32_t i = 0; i < table->count && i < PARTITION_MAX; i++) {
        struct partition *p = &partitions[partitions_used++];
        p->config = &table->parts[i];
        p->id = i;
        p->vcpu.cpu = p->config->cpu;
        char unsafe[96];
        if (partition_unsafe_grant(p->config, unsafe, sizeof(unsafe)))
            console_printf("partition %s: UNSAFE by its table: %s can reach outside the "
                           "partition (tessera has no DMA remapping yet)\n", p->config->name,
                           unsafe);
        if (!partition_check_this_machine(p)) {
            partition_not_started(p, "this machine lacks what its table entry needs");
            continue;
        }
        const struct partition_machine machine = this_machine();
        int sibling = partition_smt_sibling(table, i, &machine);
        if (sibling >= 0) {
            partition_not_started(p, "its cpu %u and %s's cpu %u are SMT siblings of one core, which the "
                           "table does not allow", p->config->cpu, table->parts[sibling].name,
                        table->parts[sibling].cpu);
            continue;
        }
        partition_prepare(p);
    }
    for (uint32_t i = 0; i < partitions_used; i++)
        if (partitions[i].prepared && partitions[i].config->cpu != 0)
            smp_start_on(partitions[i].config->cpu, partition_vcpu_main, &partitions[i]);
}

void partitions_run_boot_cpu(void)
{
    for (uint32_t i = 0; i < partitions_used; i++)
        if (partitions[i].prepared && partitions[i].config->cpu == 0)
            partition_vcpu_main(&partitions[i]);
    partition_run_pending_boot_cpu();
}

