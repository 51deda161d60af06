/* Partitions at run time: carve memory, load the image, build EPT, bitmaps and MSR lists,
 * then run each vCPU on its own CPU until the hypervisor stops it. */
#include "guest/partition_run.h"

#include "guest/partition_internal.h"

#include <stdarg.h>

#include "arch/x86/cpu.h"
#include "arch/x86/msr.h"
#include "arch/x86/percpu.h"
#include "arch/x86/smp.h"
#include "drivers/console.h"
#include "drivers/console_setup.h"
#include "drivers/timer.h"
#include "guest/console_mux.h"
#include "guest/io_bitmap.h"
#include "guest/loader.h"
#include "guest/msr_bitmap.h"
#include "guest/partition_validate.h"
#include "lib/cmdline.h"
#include "lib/format.h"
#include "lib/string.h"
#include "mm/phys.h"
#include "vmx/guest_state_check.h"
#include "vmx/preemption_timer.h"
#include "vmx/vmcs.h"
#include "vmx/guest_state_report.h"
#include "vmx/vmcs_dump.h"
#include "vmx/vmx_asm.h"
#include "vmx/vmxon.h"

#define PAGE                        4096ULL
#define MIB                         (1024ULL * 1024)

#define CPUID_80000001_EDX_RDTSCP   (1u << 27)

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
        partition_platform_uart_changed(p);
        uart_waits = partition_platform_uart_withheld(p);
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

/* Page sizes for a partition's EPT: guest RAM is executable, so on a CPU without
 * PSCHANGE_MC_NO it is mapped with 4 KiB pages only (the iTLB-multihit machine check a guest
 * could otherwise raise by changing a page's size under its own code; vmx/mitigations.h). */
static struct ept_options partition_ept_options(void)
{
    const struct vmx_config *c = vmx_config();
    bool huge = !c->mitigations.executable_huge_pages_forbidden;
    return (struct ept_options){ c->controls.ept_2m && huge, c->controls.ept_1g && huge,
                                 c->controls.ept_accessed_dirty };
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

static void not_started(struct partition *p, const char *fmt, ...)
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

/* ---- preparing one partition ----------------------------------------------------------- */

static uint64_t alloc_page(uint64_t *overhead)
{
    uint64_t page = phys_alloc_zeroed_frame();
    if (page)
        *overhead += PAGE;
    return page;
}

static uint64_t ept_alloc_table(void *ctx)
{
    return alloc_page(ctx);
}

static void *ept_table_ptr(void *ctx, uint64_t phys)
{
    (void)ctx;
    return (void *)(uintptr_t)phys;
}

static void ept_free_table(void *ctx, uint64_t phys)
{
    *(uint64_t *)ctx -= PAGE;
    phys_free_run(phys, PAGE);
}

bool partition_load_image(struct partition *p, struct loader_output *out)
{
    const struct partition_config *cfg = p->config;
    const struct guest_loader *loader = guest_loader_find(cfg->format);
    if (!loader) {
        not_started(p, "no loader for its image format %u", (unsigned)cfg->format);
        return false;
    }
    uint64_t rsdp_gpa = 0;
    if (partition_wants_platform(cfg) && !partition_build_firmware(p, &rsdp_gpa)) {
        not_started(p, "its firmware tables could not be built");
        return false;
    }
    /* Words after the image's name on its GRUB module line replace the table's cmdline. */
    const char *args = cmdline_module_args(p->module->cmdline, cfg->module);
    struct loader_module modules[PARTITION_GUEST_MODULES_MAX];
    for (uint32_t i = 0; i < cfg->guest_module_count; i++) {
        const struct mb2_module *m = p->guest_modules[i];
        modules[i] = (struct loader_module){
            (const void *)(uintptr_t)m->start, m->end - m->start,
            cmdline_module_args(m->cmdline, cfg->guest_modules[i]) };
    }
    const struct loader_input in = {
        .image = (const void *)(uintptr_t)p->module->start,
        .image_size = p->module->end - p->module->start,
        .memory = (uint8_t *)(uintptr_t)p->memory_hpa,
        .memory_size = p->memory_size,
        .config = cfg,
        .partition_id = p->id,
        .cmdline = args && *args ? args : cfg->cmdline,
        .modules = modules,
        .module_count = cfg->guest_module_count,
        .acpi_rsdp_gpa = rsdp_gpa,
    };
    if (!loader->load(&in, out, &partition_report)) {
        not_started(p, "module \"%s\" is not a loadable %s image", cfg->module, loader->name);
        return false;
    }
    if (loader_entry_needs_unrestricted_guest(&out->entry) &&
        !vmx_config()->controls.unrestricted_guest) {
        not_started(p, "its %s image starts with paging off, which needs the VMX control "
                       "\"unrestricted guest\" that this machine lacks", loader->name);
        return false;
    }
    p->entry = out->entry;
    return true;
}

uint32_t partition_ept_mappings(const struct partition *p, struct ept_mapping *maps,
                                uint32_t max)
{
    const struct partition_config *cfg = p->config;
    uint32_t count = 0;
    maps[count++] = (struct ept_mapping){ 0, p->memory_hpa, p->memory_size,
                                          EPT_READ | EPT_WRITE | EPT_EXECUTE, EPT_MT_WB, false };
    for (uint32_t i = 0; i < cfg->mmio_count && count < max; i++)
        maps[count++] = (struct ept_mapping){ cfg->mmio[i].gpa, cfg->mmio[i].hpa, cfg->mmio[i].size,
                                              EPT_READ | EPT_WRITE, EPT_MT_UC, true };
    return count;
}

struct ept_memory partition_ept_memory(struct partition *p)
{
    return (struct ept_memory){ ept_alloc_table, ept_table_ptr, ept_free_table,
                                &p->overhead_bytes };
}

bool partition_build_ept(struct partition *p)
{
    struct ept_mapping maps[PARTITION_EPT_MAPPINGS_MAX];
    uint32_t count = partition_ept_mappings(p, maps, PARTITION_EPT_MAPPINGS_MAX);
    const struct ept_memory mem = partition_ept_memory(p);
    const struct ept_options opt = partition_ept_options();
    if (!ept_build(&p->ept, &mem, maps, count, &opt, &partition_report)) {
        not_started(p, "EPT could not be built");
        return false;
    }
    p->vcpu.eptp = ept_pointer(&p->ept, p->ept.accessed_dirty);
    return true;
}

/* MSRs both the guest and the hypervisor have, that the VMCS does not switch: the guest's
 * values live in its entry-load/exit-store list, the hypervisor's in the exit-load list. */
static uint32_t switched_msrs(uint32_t *out)
{
    uint32_t n = 0;
    out[n++] = MSR_IA32_KERNEL_GS_BASE;
    out[n++] = MSR_IA32_STAR;
    out[n++] = MSR_IA32_LSTAR;
    out[n++] = MSR_IA32_CSTAR;
    out[n++] = MSR_IA32_FMASK;
    if (cpuid(0x80000000, 0).eax >= 0x80000001 &&
        (cpuid(0x80000001, 0).edx & CPUID_80000001_EDX_RDTSCP))
        out[n++] = MSR_IA32_TSC_AUX;
    return n;
}

/* The table's MSR grants, plus what the VMCS or the MSR lists switch anyway. */
uint32_t partition_msr_allow_list(const struct partition *p, struct msr_range *out, uint32_t max)
{
    uint32_t msrs[VCPU_SWITCHED_MSRS_MAX];
    uint32_t switched = switched_msrs(msrs), n = 0;
    for (uint32_t i = 0; i < p->config->msr_count && n + switched + 3 < max; i++)
        out[n++] = p->config->msrs[i];
    for (uint32_t i = 0; i < switched; i++)
        out[n++] = (struct msr_range){ msrs[i], msrs[i], MSR_RW };
    out[n++] = (struct msr_range){ MSR_IA32_FS_BASE, MSR_IA32_GS_BASE, MSR_RW };
    out[n++] = (struct msr_range){ MSR_IA32_EFER, MSR_IA32_EFER, MSR_RW };
    out[n++] = (struct msr_range){ MSR_IA32_PAT, MSR_IA32_PAT, MSR_RW };
    return n;
}

/* Bitmaps and MSR lists from the table (again on a restart). */
void partition_fill_vcpu_pages(struct partition *p)
{
    struct vcpu *v = &p->vcpu;
    io_bitmap_build(v->io_bitmap_a, v->io_bitmap_b, p->config->ports, p->config->port_count);
    for (uint32_t i = 0; i < p->config->port_count; i++)
        if (p->config->ports[i].access != PORT_RW)
            v->has_one_way_port_grants = true;

    uint32_t msrs[VCPU_SWITCHED_MSRS_MAX];
    v->msr_count = switched_msrs(msrs);
    for (uint32_t i = 0; i < v->msr_count; i++) {
        v->msr_guest[i] = (struct vmx_msr_entry){ msrs[i], 0, 0 };
        v->msr_host[i] = (struct vmx_msr_entry){ msrs[i], 0, 0 };
    }
    /* Not in the guest's MSR bitmap: the guest keeps 0, the exit loads the host's IBRS. */
    if (mitigation_switches_spec_ctrl(&vmx_config()->mitigations)) {
        v->msr_guest[v->msr_count] = (struct vmx_msr_entry){ MSR_IA32_SPEC_CTRL, 0, 0 };
        v->msr_host[v->msr_count++] = (struct vmx_msr_entry){ MSR_IA32_SPEC_CTRL, 0, 0 };
    }
    struct msr_range allowed[PARTITION_MSR_ALLOW_MAX];
    msr_bitmap_build(v->msr_bitmap, allowed, partition_msr_allow_list(p, allowed,
                                                                      PARTITION_MSR_ALLOW_MAX));
}

static bool build_vcpu_pages(struct partition *p)
{
    struct vcpu *v = &p->vcpu;
    uint64_t *o = &p->overhead_bytes;
    uint64_t vmcs = alloc_page(o), io_a = alloc_page(o), io_b = alloc_page(o);
    uint64_t msr_bitmap = alloc_page(o), msr_lists = alloc_page(o);
    if (!vmcs || !io_a || !io_b || !msr_bitmap || !msr_lists) {
        not_started(p, "out of memory for its VMCS pages");
        return false;
    }
    v->vmcs_phys = vmcs;
    v->io_bitmap_a = (uint8_t *)(uintptr_t)io_a;
    v->io_bitmap_b = (uint8_t *)(uintptr_t)io_b;
    v->msr_bitmap = (uint8_t *)(uintptr_t)msr_bitmap;
    v->msr_guest = (struct vmx_msr_entry *)(uintptr_t)msr_lists;
    v->msr_host = v->msr_guest + VCPU_SWITCHED_MSRS_MAX;
    partition_fill_vcpu_pages(p);
    return true;
}

static void preemption_timer_setup(struct vcpu *v)
{
    v->tick_period_tsc = timer_calibration()->tsc_hz / 1000 * VCPU_TIMER_PERIOD_MS;
    v->preemption_timer_value = vmx_preemption_timer_value(timer_calibration()->tsc_hz,
        VCPU_TIMER_PERIOD_MS, vmx_config()->controls.preemption_timer_rate);
}

bool partition_prepare(struct partition *p)
{
    const struct partition_config *cfg = p->config;
    const struct vmx_controls *ctl = &vmx_config()->controls;

    p->memory_size = cfg->memory_size;
    if (cfg->host_base) {
        if (!phys_claim_range(cfg->host_base, cfg->memory_size)) {
            not_started(p, "its fixed memory 0x%llx-0x%llx is not free RAM",
                        (unsigned long long)cfg->host_base,
                        (unsigned long long)(cfg->host_base + cfg->memory_size - 1));
            return false;
        }
        p->memory_hpa = cfg->host_base;
    } else {
        p->memory_hpa = phys_alloc_run(cfg->memory_size, PARTITION_MEMORY_ALIGN);
        if (!p->memory_hpa) {
            not_started(p, "no %llu MiB of free RAM", (unsigned long long)(cfg->memory_size / MIB));
            return false;
        }
    }
    memset((void *)(uintptr_t)p->memory_hpa, 0, p->memory_size);

    struct loader_output loaded;
    if (!partition_load_image(p, &loaded))
        goto free_memory;
    if (!partition_build_ept(p))
        goto free_memory;
    if (!build_vcpu_pages(p))
        goto free_memory;
    p->vcpu.vpid = ctl->vpid ? (uint16_t)(p->id + 1) : 0;
    line_queue_init(&p->output);
    if (!partition_vcpu_reset(p))
        goto free_memory;
    preemption_timer_setup(&p->vcpu);
    p->prepared = true;
    console_printf("partition %s: cpu %u, %llu MiB at 0x%llx, image 0x%llx-0x%llx entry 0x%llx, "
                   "ept %u tables, vpid %u, %llu KiB overhead\n", cfg->name, cfg->cpu,
                   (unsigned long long)(p->memory_size / MIB), (unsigned long long)p->memory_hpa,
                   (unsigned long long)loaded.image_start, (unsigned long long)loaded.image_end,
                   (unsigned long long)p->entry.cpu.rip, p->ept.tables, p->vcpu.vpid,
                   (unsigned long long)(p->overhead_bytes / 1024));
    return true;

free_memory:
    /* EPT tables and VMCS pages of a half-built partition are few; the RAM is what matters. */
    phys_free_run(p->memory_hpa, p->memory_size);
    return false;
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
            p->testdev_window_hpa = alloc_page(&p->overhead_bytes);
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
            not_started(p, "this machine lacks what its table entry needs");
            continue;
        }
        const struct partition_machine machine = this_machine();
        int sibling = partition_smt_sibling(table, i, &machine);
        if (sibling >= 0) {
            not_started(p, "its cpu %u and %s's cpu %u are SMT siblings of one core, which the "
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

