/* The debug shell's commands: what each one reads or changes in the running hypervisor.
 * Parsing, line editing and formatting are pure (shell/parse.c, line_editor.c, format.c). */
#include "shell/shell.h"

#include "arch/x86/cpu.h"
#include "arch/x86/io.h"
#include "arch/x86/msr.h"
#include "arch/x86/percpu.h"
#include "arch/x86/smp.h"
#include "drivers/console.h"
#include "drivers/timer.h"
#include "guest/io_bitmap.h"
#include "guest/msr_bitmap.h"
#include "guest/partition_run.h"
#include "lib/format.h"
#include "lib/interval_stats.h"
#include "lib/string.h"
#include "shell/format.h"
#include "shell/line_editor.h"
#include "shell/parse.h"
#include "shell/screen_text.h"
#include "guest/console_mux.h"
#include "vcpu/exit.h"
#include "vmx/exit_reasons.h"
#include "vmx/guest_state_report.h"
#include "vmx/vmcs.h"
#include "vmx/vmcs_fields.h"

#define REMOTE_TIMEOUT_US   200000
#define MEM_DEFAULT_LEN     64
#define MEM_MAX_LEN         4096

extern uint64_t boot_entry_tsc;

static struct line_editor editor;
static bool reboot_asked;

/* ---- output ------------------------------------------------------------------------------ */

static void echo(void *ctx, const char *bytes, size_t n)
{
    (void)ctx;
    for (size_t i = 0; i < n; i++) {
        if (bytes[i] == '\n')
            console_write_raw("\r\n", 2);
        else
            console_write_raw(&bytes[i], 1);
    }
}

static const char *partition_name_at(void *ctx, unsigned index)
{
    (void)ctx;
    struct partition *p = partition_get(index);
    return p ? p->config->name : 0;
}

static struct partition *find_partition(const struct shell_command *c, unsigned arg)
{
    struct partition *p = partition_find(c->args[arg].text);
    if (!p)
        console_printf("%s: no partition \"%s\"; type parts\n",
                       shell_commands[c->cmd].name, c->args[arg].text);
    return p;
}

static const char *partition_state_name(const struct partition *p)
{
    switch (p->state) {
    case PARTITION_RUNNING:
        return p->vcpu.state == VCPU_HALTED ? "halted" : "running";
    case PARTITION_STOPPED:
        return "stopped";
    default:
        return "not started";
    }
}

static uint64_t exit_total(const struct vcpu *v)
{
    uint64_t n = 0;
    for (unsigned i = 0; i < VCPU_EXIT_REASONS; i++)
        n += vcpu_exit_count(v, i);
    return n;
}

static uint64_t uptime_us(void)
{
    return timer_tsc_to_us(rdtsc() - boot_entry_tsc);
}

/* ---- commands ------------------------------------------------------------------------------ */

static void cmd_help(const struct shell_command *c)
{
    if (c->argc)
        shell_format_command_help(c->args[0].value.cmd, console_line_sink, 0);
    else
        shell_format_help(console_line_sink, 0);
}

static void cmd_version(const struct shell_command *c)
{
    (void)c;
    console_printf("tessera %s, commit %s, gcc %s, built %s\n", TESSERA_VERSION, TESSERA_COMMIT,
                   __VERSION__, TESSERA_BUILD_DATE);
}

static void cmd_uptime(const struct shell_command *c)
{
    (void)c;
    char text[40];
    shell_format_uptime(text, sizeof(text), uptime_us());
    console_printf("up %s\n", text);
}

/* Milliseconds with one decimal from TSC ticks. */
static void format_ms(char *out, size_t size, uint64_t tsc_ticks)
{
    uint64_t us = timer_tsc_to_us(tsc_ticks);
    fmt_snprintf(out, size, "%llu.%llu ms", (unsigned long long)(us / 1000),
                 (unsigned long long)(us % 1000 / 100));
}

/* The console service since the last `latency`: the longest pause is how long the boot CPU's
 * guest (or anything else) kept the console waiting; a round is the console's own work. */
static void cmd_latency(const struct shell_command *c)
{
    (void)c;
    struct interval_stats s;
    console_service_figures(&s);
    char period[24], pause[24], busy[24];
    format_ms(period, sizeof(period), interval_stats_mean_period(&s));
    format_ms(pause, sizeof(pause), s.pause_max);
    format_ms(busy, sizeof(busy), s.busy_max);
    console_printf("latency: console served %llu times, every %s on average\n",
                   (unsigned long long)s.rounds, period);
    console_printf("latency: longest pause between rounds %s, longest round %s\n", pause, busy);
}

static void cmd_cpus(const struct shell_command *c)
{
    (void)c;
    static uint64_t last_exits[CPU_MAX], last_tsc[CPU_MAX];
    console_printf("cpu  apic  vmx   partition  exits/s  clears  rsb-fills\n");
    for (uint32_t i = 0; i < CPU_MAX; i++) {
        const struct percpu *cpu = &percpu_area[i];
        if (i != 0 && !cpu->online)
            continue;
        const struct vcpu *v = cpu->vcpu;
        uint64_t exits = v ? exit_total(v) : 0, now = rdtsc();
        uint64_t us = last_tsc[i] ? timer_tsc_to_us(now - last_tsc[i]) : uptime_us();
        /* A restarted partition counts from 0 again: its exits are all since the last ask. */
        uint64_t since = exits >= last_exits[i] ? exits - last_exits[i] : exits;
        uint64_t rate = us ? since * 1000000 / us : 0;
        last_exits[i] = exits;
        last_tsc[i] = now;
        console_printf("%-4u %-5u %-5s %-10s %-8llu %-7llu %llu\n", i, cpu->apic_id,
                       cpu->vmx_on ? "on" : "off", v ? v->name : "-", (unsigned long long)rate,
                       (unsigned long long)cpu->entry_clears, (unsigned long long)cpu->rsb_fills);
    }
}

static void cmd_parts(const struct shell_command *c)
{
    (void)c;
    console_printf("name       cpu  state        memory              module     exits\n");
    for (uint32_t i = 0; i < partition_count(); i++) {
        const struct partition *p = partition_get(i);
        console_printf("%-10s %-4u %-12s %4llu MiB at 0x%-8llx %-10s %llu%s%s\n", p->config->name,
                       p->config->cpu, partition_state_name(p),
                       (unsigned long long)(p->config->memory_size >> 20),
                       (unsigned long long)p->memory_hpa, p->config->module,
                       (unsigned long long)exit_total(&p->vcpu),
                       p->reason[0] ? ": " : "", p->reason);
    }
}

struct vmcs_request {
    struct partition *p;
    unsigned area_mask;
};

static void remote_vmcs_dump(void *arg)
{
    const struct vmcs_request *r = arg;
    vmcs_dump_current(r->area_mask, console_line_sink, 0);
}

/* A partition's VMCS can only be read on its own CPU, where it is current. */
static bool on_partition_cpu(const char *what, struct partition *p, smp_work_fn fn, void *arg)
{
    if (!p->prepared || p->state == PARTITION_NOT_STARTED) {
        console_printf("%s: %s was never started: no VMCS\n", what, p->config->name);
        return false;
    }
    if (!smp_call(p->config->cpu, fn, arg, REMOTE_TIMEOUT_US)) {
        console_printf("%s: cpu %u did not answer\n", what, p->config->cpu);
        return false;
    }
    return true;
}

static void cmd_vmcs(const struct shell_command *c)
{
    struct vmcs_request r = { find_partition(c, 0), VMCS_AREA_MASK_ALL };
    if (!r.p)
        return;
    if (c->argc > 1)   /* shell areas are listed in the order of enum vmcs_area */
        r.area_mask = VMCS_AREA_BIT((enum vmcs_area)c->args[1].value.area);
    on_partition_cpu("vmcs", r.p, remote_vmcs_dump, &r);
}

static void remote_regs(void *arg)
{
    const struct vcpu *v = &((struct partition *)arg)->vcpu;
    const struct guest_regs *g = &v->regs;
    console_printf("rip 0x%016llx rsp 0x%016llx rflags 0x%016llx\n",
                   (unsigned long long)vmcs_read_natural(VMCS_GUEST_RIP),
                   (unsigned long long)vmcs_read_natural(VMCS_GUEST_RSP),
                   (unsigned long long)vmcs_read_natural(VMCS_GUEST_RFLAGS));
    console_printf("rax 0x%016llx rbx 0x%016llx rcx 0x%016llx rdx 0x%016llx\n",
                   (unsigned long long)g->rax, (unsigned long long)g->rbx,
                   (unsigned long long)g->rcx, (unsigned long long)g->rdx);
    console_printf("rsi 0x%016llx rdi 0x%016llx rbp 0x%016llx r8  0x%016llx\n",
                   (unsigned long long)g->rsi, (unsigned long long)g->rdi,
                   (unsigned long long)g->rbp, (unsigned long long)g->r8);
    console_printf("r9  0x%016llx r10 0x%016llx r11 0x%016llx r12 0x%016llx\n",
                   (unsigned long long)g->r9, (unsigned long long)g->r10,
                   (unsigned long long)g->r11, (unsigned long long)g->r12);
    console_printf("r13 0x%016llx r14 0x%016llx r15 0x%016llx\n", (unsigned long long)g->r13,
                   (unsigned long long)g->r14, (unsigned long long)g->r15);
    console_printf("cr0 0x%016llx cr3 0x%016llx cr4 0x%016llx efer 0x%llx\n",
                   (unsigned long long)vmcs_read_natural(VMCS_CTRL_EXEC_CR0_READ_SHADOW),
                   (unsigned long long)vmcs_read_natural(VMCS_GUEST_CR3),
                   (unsigned long long)vmcs_read_natural(VMCS_CTRL_EXEC_CR4_READ_SHADOW),
                   (unsigned long long)vmcs_read64(VMCS_GUEST_IA32_EFER));
    static const struct {
        const char *name;
        enum vmcs_field selector, base, limit, access;
    } segs[] = {
        { "cs", VMCS_GUEST_CS_SELECTOR, VMCS_GUEST_CS_BASE, VMCS_GUEST_CS_LIMIT, VMCS_GUEST_CS_ACCESS_RIGHTS },
        { "ss", VMCS_GUEST_SS_SELECTOR, VMCS_GUEST_SS_BASE, VMCS_GUEST_SS_LIMIT, VMCS_GUEST_SS_ACCESS_RIGHTS },
        { "ds", VMCS_GUEST_DS_SELECTOR, VMCS_GUEST_DS_BASE, VMCS_GUEST_DS_LIMIT, VMCS_GUEST_DS_ACCESS_RIGHTS },
        { "es", VMCS_GUEST_ES_SELECTOR, VMCS_GUEST_ES_BASE, VMCS_GUEST_ES_LIMIT, VMCS_GUEST_ES_ACCESS_RIGHTS },
        { "fs", VMCS_GUEST_FS_SELECTOR, VMCS_GUEST_FS_BASE, VMCS_GUEST_FS_LIMIT, VMCS_GUEST_FS_ACCESS_RIGHTS },
        { "gs", VMCS_GUEST_GS_SELECTOR, VMCS_GUEST_GS_BASE, VMCS_GUEST_GS_LIMIT, VMCS_GUEST_GS_ACCESS_RIGHTS },
        { "tr", VMCS_GUEST_TR_SELECTOR, VMCS_GUEST_TR_BASE, VMCS_GUEST_TR_LIMIT, VMCS_GUEST_TR_ACCESS_RIGHTS },
        { "ldtr", VMCS_GUEST_LDTR_SELECTOR, VMCS_GUEST_LDTR_BASE, VMCS_GUEST_LDTR_LIMIT, VMCS_GUEST_LDTR_ACCESS_RIGHTS },
    };
    for (unsigned i = 0; i < sizeof(segs) / sizeof(segs[0]); i++)
        console_printf("%-4s sel 0x%04llx base 0x%016llx limit 0x%08llx ar 0x%05llx\n",
                       segs[i].name, (unsigned long long)vmcs_read_any(segs[i].selector),
                       (unsigned long long)vmcs_read_any(segs[i].base),
                       (unsigned long long)vmcs_read_any(segs[i].limit),
                       (unsigned long long)vmcs_read_any(segs[i].access));
}

static void cmd_regs(const struct shell_command *c)
{
    struct partition *p = find_partition(c, 0);
    if (p)
        on_partition_cpu("regs", p, remote_regs, p);
}

static void cmd_exits(const struct shell_command *c)
{
    struct partition *p = find_partition(c, 0);
    if (!p)
        return;
    const struct vcpu *v = &p->vcpu;
    console_printf("exits of %s: %llu in all\n", p->config->name,
                   (unsigned long long)exit_total(v));
    for (unsigned r = 0; r < VCPU_EXIT_REASONS; r++) {
        if (!vcpu_exit_count(v, r))
            continue;
        console_printf("%-28s %10llu   root-mode cost in TSC ticks (1 exit in %u timed):\n",
                       vmx_exit_reason_name(r), (unsigned long long)vcpu_exit_count(v, r),
                       VCPU_COST_SAMPLE);
        uint64_t buckets[VCPU_COST_BUCKETS];
        for (unsigned b = 0; b < VCPU_COST_BUCKETS; b++)
            buckets[b] = v->exit_cost[r][b];
        shell_format_histogram(buckets, VCPU_COST_BUCKETS, console_line_sink, 0);
    }
    console_printf("last %u exits, oldest first:\n", VCPU_EXIT_RING);
    for (uint32_t i = 0; i < VCPU_EXIT_RING; i++) {
        const struct vcpu_exit_record *e = &v->ring[(v->ring_next + i) % VCPU_EXIT_RING];
        if (!e->reason && !e->rip)
            continue;
        char q[96];
        vmx_exit_qualification_format(q, sizeof(q), e->basic,
                                      e->qualification);
        console_printf("  %-24s rip 0x%llx  %s\n",
                       vmx_exit_reason_name(e->basic),
                       (unsigned long long)e->rip, q);
    }
}

static void verify_report(void *ctx, const char *line)
{
    const struct partition *p = ctx;
    console_printf("verify %s: %s\n", p->config->name, line);
}

/* Builds what the table says, compares it with what the CPU uses, prints every difference. */
static unsigned verify_partition(struct partition *p)
{
    static uint8_t io_a[IO_BITMAP_SIZE], io_b[IO_BITMAP_SIZE], msr[MSR_BITMAP_SIZE];
    const struct vcpu *v = &p->vcpu;
    const struct diag d = { verify_report, p };
    unsigned differences = 0;

    struct ept_mapping maps[PARTITION_EPT_MAPPINGS_MAX];
    uint32_t n = partition_ept_mappings(p, maps, PARTITION_EPT_MAPPINGS_MAX);
    struct ept_memory mem = partition_ept_memory(p);
    if (!ept_compare(&mem, p->ept.pml4_phys, maps, n, &d))
        differences++;

    io_bitmap_build(io_a, io_b, p->config->ports, p->config->port_count);
    for (uint32_t port = 0; port <= 0xFFFF; port++) {
        bool want = io_bitmap_traps(io_a, io_b, (uint16_t)port);
        if (want != io_bitmap_traps(v->io_bitmap_a, v->io_bitmap_b, (uint16_t)port)) {
            console_printf("verify %s: I/O port 0x%04x %s but the table says it should %s\n",
                           p->config->name, port, want ? "passes" : "exits",
                           want ? "exit" : "pass");
            differences++;
        }
    }
    struct msr_range allowed[PARTITION_MSR_ALLOW_MAX];
    msr_bitmap_build(msr, allowed, partition_msr_allow_list(p, allowed, PARTITION_MSR_ALLOW_MAX));
    if (memcmp(msr, v->msr_bitmap, MSR_BITMAP_SIZE) != 0) {
        for (uint32_t i = 0; i < MSR_BITMAP_SIZE; i++)
            if (msr[i] != v->msr_bitmap[i])
                console_printf("verify %s: MSR bitmap byte 0x%03x is 0x%02x, the table says 0x%02x\n",
                               p->config->name, i, v->msr_bitmap[i], msr[i]);
        differences++;
    }
    console_printf("verify %s: %s (ept %u tables, I/O bitmaps, MSR bitmap)\n", p->config->name,
                   differences ? "DIFFERENCES FOUND" : "ok", p->ept.tables);
    return differences;
}

static void cmd_verify(const struct shell_command *c)
{
    if (c->argc) {
        struct partition *p = find_partition(c, 0);
        if (p && p->prepared)
            verify_partition(p);
        else if (p)
            console_printf("verify: %s was never started\n", p->config->name);
        return;
    }
    for (uint32_t i = 0; i < partition_count(); i++)
        if (partition_get(i)->prepared)
            verify_partition(partition_get(i));
}

static void cmd_ept(const struct shell_command *c)
{
    struct partition *p = find_partition(c, 0);
    if (!p)
        return;
    if (!p->prepared) {
        console_printf("ept: %s was never started\n", p->config->name);
        return;
    }
    struct ept_memory mem = partition_ept_memory(p);
    struct ept_walk_result r;
    ept_walk(&mem, p->ept.pml4_phys, c->args[1].value.u64, &r);
    char line[160];
    for (unsigned i = 0; ept_walk_format(line, sizeof(line), &r, i) >= 0; i++)
        console_printf("%s\n", line);
}

static void cmd_mem(const struct shell_command *c)
{
    struct partition *p = find_partition(c, 0);
    if (!p)
        return;
    uint64_t gpa = c->args[1].value.u64;
    uint64_t len = c->argc > 2 ? c->args[2].value.u64 : MEM_DEFAULT_LEN;
    if (len == 0 || len > MEM_MAX_LEN) {
        console_printf("mem: length %llu not in 1..%u\n", (unsigned long long)len, MEM_MAX_LEN);
        return;
    }
    const uint8_t *bytes = p->prepared ? partition_gpa_to_host(p, gpa, len) : 0;
    if (!bytes) {
        console_printf("mem: 0x%llx+%llu is not inside %s's memory\n", (unsigned long long)gpa,
                       (unsigned long long)len, p->config->name);
        return;
    }
    shell_format_hexdump(gpa, bytes, len, console_line_sink, 0);
}

static void cmd_screen(const struct shell_command *c)
{
    static uint8_t cells[SCREEN_TEXT_BYTES];    /* a snapshot: the guest may write on */
    struct partition *p = find_partition(c, 0);
    if (!p)
        return;
    const uint8_t *screen =
        p->prepared ? partition_gpa_to_host(p, SCREEN_TEXT_GPA, SCREEN_TEXT_BYTES) : 0;
    if (!screen) {
        console_printf("screen: %s has no memory at 0x%llx\n", p->config->name,
                       (unsigned long long)SCREEN_TEXT_GPA);
        return;
    }
    memcpy(cells, screen, sizeof(cells));
    console_printf("screen %s: VGA text %ux%u at 0x%llx (%s), characters only\n",
                   p->config->name, SCREEN_TEXT_COLUMNS, SCREEN_TEXT_ROWS,
                   (unsigned long long)SCREEN_TEXT_GPA, partition_state_name(p));
    screen_text_render(cells, sizeof(cells), console_line_sink, 0);
}

static void cmd_stop(const struct shell_command *c)
{
    struct partition *p = find_partition(c, 0);
    if (p && partition_request_stop(p) && p->config->cpu != this_cpu()->index)
        console_printf("stop: %s stopped\n", p->config->name);
}

static void cmd_start(const struct shell_command *c)
{
    struct partition *p = find_partition(c, 0);
    if (p)
        partition_request_start(p);
}

static void cmd_restart(const struct shell_command *c)
{
    struct partition *p = find_partition(c, 0);
    if (p)
        partition_request_restart(p);
}

static void cmd_console(const struct shell_command *c)
{
    struct partition *p = find_partition(c, 0);
    if (p && console_focus_set(p))
        console_printf("console: keyboard to %s; Ctrl-T returns to the shell\n", p->config->name);
}

static void cmd_cpuid(const struct shell_command *c)
{
    uint32_t leaf = (uint32_t)c->args[0].value.u64;
    uint32_t subleaf = c->argc > 1 ? (uint32_t)c->args[1].value.u64 : 0;
    struct cpuid_regs host = cpuid(leaf, subleaf), guest;
    vcpu_cpuid(leaf, subleaf, &guest);
    console_printf("cpuid 0x%x.%u host:       eax 0x%08x ebx 0x%08x ecx 0x%08x edx 0x%08x\n", leaf,
                   subleaf, host.eax, host.ebx, host.ecx, host.edx);
    console_printf("cpuid 0x%x.%u partitions: eax 0x%08x ebx 0x%08x ecx 0x%08x edx 0x%08x\n", leaf,
                   subleaf, guest.eax, guest.ebx, guest.ecx, guest.edx);
}

struct rdmsr_request {
    uint32_t msr;
    uint64_t value;
    bool ok;
};

static void remote_rdmsr(void *arg)
{
    struct rdmsr_request *r = arg;
    r->ok = rdmsr_safe(r->msr, &r->value);
}

static void cmd_rdmsr(const struct shell_command *c)
{
    uint32_t cpu = (uint32_t)c->args[0].value.u64;
    struct rdmsr_request r = { (uint32_t)c->args[1].value.u64, 0, false };
    if (cpu >= CPU_MAX || (cpu != 0 && !percpu_area[cpu].online)) {
        console_printf("rdmsr: cpu %u is not online\n", cpu);
        return;
    }
    if (!smp_call(cpu, remote_rdmsr, &r, REMOTE_TIMEOUT_US))
        console_printf("rdmsr: cpu %u did not answer\n", cpu);
    else if (r.ok)
        console_printf("rdmsr: cpu %u msr 0x%x = 0x%016llx\n", cpu, r.msr,
                       (unsigned long long)r.value);
    else
        console_printf("rdmsr: cpu %u msr 0x%x: #GP, no such MSR\n", cpu, r.msr);
}

static void cmd_log(const struct shell_command *c)
{
    if (c->argc)
        console_set_level((enum log_level)c->args[0].value.level);
    console_printf("log level %s\n", console_level_name(console_level_get()));
}

static void dmesg_chunk(void *ctx, const char *bytes, uint32_t n)
{
    echo(ctx, bytes, n);
}

static void cmd_dmesg(const struct shell_command *c)
{
    (void)c;
    console_read_log(dmesg_chunk, 0);
}

static void cmd_reboot(const struct shell_command *c)
{
    (void)c;
    reboot_asked = true;
    console_printf("reboot: type yes to reset the machine, anything else cancels\n");
}

/* Reset control register, then the keyboard controller, then a triple fault. */
__attribute__((noreturn)) static void reboot_now(void)
{
    console_printf("reboot: resetting\n");
    outb(0xCF9, 0x02);
    outb(0xCF9, 0x06);
    udelay(100000);
    outb(0x64, 0xFE);
    udelay(100000);
    struct {
        uint16_t limit;
        uint64_t base;
    } __attribute__((packed)) empty_idt = { 0, 0 };
    __asm__ volatile("lidt %0; int3" : : "m"(empty_idt));
    cpu_halt_forever();
}

typedef void (*command_fn)(const struct shell_command *c);

static const command_fn command_handlers[SHELL_CMD_COUNT] = {
    [SHELL_CMD_HELP] = cmd_help,       [SHELL_CMD_VERSION] = cmd_version,
    [SHELL_CMD_UPTIME] = cmd_uptime,   [SHELL_CMD_LATENCY] = cmd_latency,   [SHELL_CMD_CPUS] = cmd_cpus,
    [SHELL_CMD_PARTS] = cmd_parts,     [SHELL_CMD_VMCS] = cmd_vmcs,
    [SHELL_CMD_REGS] = cmd_regs,       [SHELL_CMD_EXITS] = cmd_exits,
    [SHELL_CMD_VERIFY] = cmd_verify,   [SHELL_CMD_EPT] = cmd_ept,
    [SHELL_CMD_MEM] = cmd_mem,         [SHELL_CMD_SCREEN] = cmd_screen,
    [SHELL_CMD_STOP] = cmd_stop,       [SHELL_CMD_START] = cmd_start,
    [SHELL_CMD_RESTART] = cmd_restart, [SHELL_CMD_CONSOLE] = cmd_console,
    [SHELL_CMD_CPUID] = cmd_cpuid,     [SHELL_CMD_RDMSR] = cmd_rdmsr,
    [SHELL_CMD_LOG] = cmd_log,         [SHELL_CMD_DMESG] = cmd_dmesg,
    [SHELL_CMD_REBOOT] = cmd_reboot,
};

/* ---- the line loop ------------------------------------------------------------------------- */

static void run_line(const char *line)
{
    static struct shell_command command;
    char err[SHELL_ERROR_MAX];
    uint64_t start = rdtsc();

    if (reboot_asked) {
        reboot_asked = false;
        if (shell_confirmed(line))
            reboot_now();
        console_printf("reboot: cancelled\n");
        return;
    }
    switch (shell_parse(line, &command, err, sizeof(err))) {
    case SHELL_PARSE_EMPTY:
        return;
    case SHELL_PARSE_ERROR:
        console_printf("%s\n", err);
        return;
    case SHELL_PARSE_OK:
        command_handlers[command.cmd](&command);
        console_log(LOG_DEBUG, "shell: answered in %llu us\n",
                    (unsigned long long)timer_tsc_to_us(rdtsc() - start));
        return;
    }
}

void shell_start(void)
{
    static const struct console_input_sink sink = { shell_input, shell_redraw, shell_resume };
    line_editor_init(&editor, SHELL_PROMPT, echo, partition_name_at, 0);
    console_mux_set_sink(&sink);
    console_printf("shell: type help for the commands\n");
    echo(0, SHELL_PROMPT, sizeof(SHELL_PROMPT) - 1);
}

void shell_redraw(void)
{
    if (editor.len)     /* something half-typed: show it again below the output */
        line_editor_redraw(&editor);
}

void shell_resume(void)
{
    echo(0, "\n" SHELL_PROMPT, sizeof(SHELL_PROMPT));
}

void shell_input(uint8_t byte)
{
    const char *line;
    switch (line_editor_feed(&editor, byte, &line)) {
    case LINE_EDITOR_LINE:
        run_line(line);
        if (!console_focus_get())
            echo(0, SHELL_PROMPT, sizeof(SHELL_PROMPT) - 1);
        break;
    case LINE_EDITOR_CANCEL:
        echo(0, SHELL_PROMPT, sizeof(SHELL_PROMPT) - 1);
        break;
    default:
        break;
    }
}
