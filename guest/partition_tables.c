/* The compiled-in partition tables; the kernel command line's partitions=<name> picks one.
 * Checked by guest/partition_validate.c at build time (tools/validate_partitions.c), in the
 * unit tests and at boot against the machine. */
#include "guest/partition.h"

#include <stddef.h>

#include "drivers/uart.h"
#include "lib/string.h"

/* Every guest sees its own COM1 at 0x3f8; no port is granted, so the accesses trap and the
 * hypervisor emulates the UART. No MSR is granted either: all are trapped and emulated.
 * options_ is the rest of the test guest's command line. */
#define TESTGUEST(name_, cpu_, focus_, options_)                            \
    {                                                                       \
        .name = (name_),                                                    \
        .cpu = (cpu_),                                                      \
        .memory_size = PARTITION_MIB(32),                                   \
        .module = "testguest",                                              \
        .format = IMAGE_ELF64,                                              \
        .cmdline = "partition=" name_ options_,                             \
        .console = { .port = UART_COM1, .input_focus = (focus_) },          \
    }

/* The tables a person runs: after its greeting the guest stays quiet, so the shell's
 * answers do not scroll away; it still echoes what `console <name>` types to it. */
#define QUIET       " heartbeat=off"
/* The tables the emulator tests run: a heartbeat twice a second shows a guest still runs. */
#define HEARTBEAT   ""

/* demo: the default. Two partitions, each running the test guest on its own CPU; fits the
 * 2-CPU machines `make run` uses. */
static const struct partition_config demo_parts[] = {
    TESTGUEST("alpha", 0, false, QUIET),
    TESTGUEST("beta", 1, false, QUIET),
};

static const struct partition_table table_demo = {
    .name = "demo",
    .description = "alpha on CPU 0 and beta on CPU 1, 32 MiB each, the test guest (quiet "
                   "after its greeting)",
    PARTITIONS(demo_parts),
};

/* demo-heartbeat: demo with the heartbeat on, for the tests that watch guests run. */
static const struct partition_config demo_heartbeat_parts[] = {
    TESTGUEST("alpha", 0, false, HEARTBEAT),
    TESTGUEST("beta", 1, false, HEARTBEAT),
};

static const struct partition_table table_demo_heartbeat = {
    .name = "demo-heartbeat",
    .description = "as demo, each guest printing a heartbeat twice a second (emulator tests)",
    PARTITIONS(demo_heartbeat_parts),
};

/* solo: one partition, for 1-CPU machines. */
static const struct partition_config solo_parts[] = {
    TESTGUEST("alpha", 0, false, QUIET),
};

static const struct partition_table table_solo = {
    .name = "solo",
    .description = "alpha alone on CPU 0, 32 MiB, the test guest (1-CPU machines)",
    PARTITIONS(solo_parts),
};

/* devices: alpha with tessera's test device at 1 GiB (the address testguest's linker.ld
 * names), running every MMIO instruction form on it; beta beside it, untouched. */
#define TESTDEV_GPA 0x40000000ull
static const struct partition_config devices_parts[] = {
    {
        .name = "alpha",
        .cpu = 0,
        .memory_size = PARTITION_MIB(32),
        .module = "testguest",
        .format = IMAGE_ELF64,
        .cmdline = "partition=alpha mmiotest=on eventtest=on memtest=off",
        .console = { .port = UART_COM1 },
        .testdev_gpa = TESTDEV_GPA,
    },
    TESTGUEST("beta", 1, false, HEARTBEAT),
};

static const struct partition_table table_devices = {
    .name = "devices",
    .description = "alpha exercising the MMIO path on the test device, beta beside it "
                   "(emulator tests)",
    PARTITIONS(devices_parts),
};

/* missing: statically valid, but on a 2-CPU machine without an "absent" module the boot-time
 * checks skip ghost (no CPU 7) and nomod (no module); alpha still runs. */
static const struct partition_config missing_parts[] = {
    TESTGUEST("alpha", 0, true, HEARTBEAT),
    TESTGUEST("ghost", 7, false, HEARTBEAT),
    {
        .name = "nomod",
        .cpu = 1,
        .memory_size = PARTITION_MIB(32),
        .module = "absent",
        .format = IMAGE_ELF64,
        .cmdline = "partition=nomod",
        .console = { .port = UART_COM1 },
    },
};

static const struct partition_table table_missing = {
    .name = "missing",
    .description = "alpha on CPU 0; ghost on CPU 7 and nomod with module \"absent\" "
                   "are skipped at boot (tests the machine checks)",
    PARTITIONS(missing_parts),
};

/* ---- the hostile guest (guest/images/hostile, docs/HOSTILE.md) -------------------------
 * Each table runs the test guest as alpha on CPU 0, printing its heartbeat, beside hostile
 * guests that attack tessera; alpha's heartbeat must go on whatever they do. No port or
 * MSR is granted to anyone, so every attack traps. */

/* alpha: the test guest, heartbeat on; host_base 0 = anywhere, else fixed. It holds the
 * keyboard unless a table lets the shell have it (tests that type shell commands). */
#define HOSTILE_ALPHA_ON(cpu_, host_base_, focus_)                          \
    {                                                                       \
        .name = "alpha",                                                    \
        .cpu = (cpu_),                                                      \
        .memory_size = PARTITION_MIB(32),                                   \
        .host_base = (host_base_),                                          \
        .module = "testguest",                                              \
        .format = IMAGE_ELF64,                                              \
        .cmdline = "partition=alpha memtest=off heartbeat=5000000",       \
        .console = { .port = UART_COM1, .input_focus = (focus_) },          \
    }
#define HOSTILE_ALPHA(host_base_) HOSTILE_ALPHA_ON(0, host_base_, true)

/* A hostile guest running the scenarios its command line names. */
#define HOSTILE_GUEST(name_, cpu_, cmdline_, watchdog_ms_)                  \
    {                                                                       \
        .name = (name_),                                                    \
        .cpu = (cpu_),                                                      \
        .memory_size = PARTITION_MIB(32),                                   \
        .module = "hostile",                                                \
        .format = IMAGE_ELF64,                                              \
        .cmdline = (cmdline_),                                              \
        .console = { .port = UART_COM1 },                                   \
        .watchdog_ms = (watchdog_ms_),                                      \
    }

/* alpha's fixed host base in hostile-stop-a, the address write-other-partition aims at:
 * one number, as host_base and in the attacker's command line. */
#define HOSTILE_ALPHA_BASE  0x8000000
#define HOSTILE_TEXT(x)     #x
#define HOSTILE_TEXT_OF(x)  HOSTILE_TEXT(x)

static const struct partition_config hostile_survive_parts[] = {
    HOSTILE_ALPHA(0),
    HOSTILE_GUEST("hostile", 1, "scenario=survivable hold=50000000", 0),
};

static const struct partition_table table_hostile_survive = {
    .name = "hostile-survive",
    .description = "alpha (test guest) on CPU 0; hostile on CPU 1 runs every survivable "
                   "attack (reset ports, PCI, MSRs, VMX, hypercalls, CR4, XSETBV, INVD, "
                   "console flood) and must keep running",
    PARTITIONS(hostile_survive_parts),
};

static const struct partition_config hostile_stop_a_parts[] = {
    HOSTILE_ALPHA(HOSTILE_ALPHA_BASE),
    HOSTILE_GUEST("above", 1, "scenario=read-above-end", 0),
    HOSTILE_GUEST("other", 2, "scenario=write-other-partition target="
                  HOSTILE_TEXT_OF(HOSTILE_ALPHA_BASE), 0),
    HOSTILE_GUEST("ptrw", 3, "scenario=page-table-rewrite", 0),
};

static const struct partition_table table_hostile_stop_a = {
    .name = "hostile-stop-a",
    .description = "alpha on CPU 0 at host 0x8000000; on CPUs 1-3 hostile guests read above "
                   "their RAM, write to alpha's host address, map the local APIC: each is "
                   "stopped (EPT violation), alpha runs on (4 CPUs)",
    PARTITIONS(hostile_stop_a_parts),
};

static const struct partition_config hostile_stop_b_parts[] = {
    HOSTILE_ALPHA(0),
    HOSTILE_GUEST("triple", 1, "scenario=triple-fault", 0),
    HOSTILE_GUEST("clihlt", 2, "scenario=cli-hlt", 0),
    HOSTILE_GUEST("spin", 3, "scenario=cli-spin", 2000),
};

static const struct partition_table table_hostile_stop_b = {
    .name = "hostile-stop-b",
    .description = "alpha on CPU 0; on CPUs 1-3 hostile guests triple-fault, CLI;HLT and "
                   "spin with interrupts off (watchdog 2000 ms): each is stopped, alpha "
                   "runs on (4 CPUs)",
    PARTITIONS(hostile_stop_b_parts),
};

/* hostile-all: a hostile guest on every CPU, the boot CPU's included, each running its own
 * survivable attacks and ending in a stop; the shell (on CPU 0, served from h0's exits until
 * h0 stops) answers throughout. settle and hold are short: nothing here floods or waits. */
static const struct partition_config hostile_all_parts[] = {
    HOSTILE_GUEST("h0", 0, "scenario=xcr0-rules,cr-rules,port-sweep,noncanonical-jump", 0),
    HOSTILE_GUEST("h1", 1, "scenario=rdmsr-sweep,wrmsr-sweep,msr-noncanonical,exec-above-ram", 0),
    HOSTILE_GUEST("h2", 2, "scenario=rdpmc,monitor-mwait,debug-registers,page-table-at-mmio",
                  0),
    HOSTILE_GUEST("h3", 3, "scenario=tpr-raise,cr3-above-ram", 0),
};

static const struct partition_table table_hostile_all = {
    .name = "hostile-all",
    .description = "hostile guests on all four CPUs (CPU 0 too): XCR0/CR rules and a port "
                   "sweep, MSR sweeps, RDPMC/MONITOR/debug registers, CR8; each then "
                   "stopped (triple fault, EPT violations); the shell answers (4 CPUs)",
    PARTITIONS(hostile_all_parts),
};

/* hostile-boot: the attacker on the boot CPU, which also serves the console and the shell
 * from its exits; alpha on CPU 1. tpr-raise and exit-storm wait (hold, 20 s in Bochs) for a
 * key the test sends through `console boot`, after typing shell commands meanwhile. */
static const struct partition_config hostile_boot_parts[] = {
    HOSTILE_GUEST("boot", 0, "scenario=tpr-raise,exit-storm,console-escapes,vmcall-print-flood,"
                  "rdpmc,monitor-mwait,debug-registers,wbinvd-storm hold=1000000000 "
                  "settle=50000000", 0),
    HOSTILE_ALPHA_ON(1, 0, false),
};

static const struct partition_table table_hostile_boot = {
    .name = "hostile-boot",
    .description = "hostile on CPU 0 (the boot CPU: console and shell) raising CR8, storming "
                   "CPUID, writing escapes, flooding console hypercalls, RDPMC/MONITOR/debug "
                   "registers and WBINVD; alpha on CPU 1",
    PARTITIONS(hostile_boot_parts),
};

static const struct partition_config hostile_stop_debug_parts[] = {
    HOSTILE_ALPHA(0),
    HOSTILE_GUEST("dbloop", 1, "scenario=db-delivery-loop", 0),
};

static const struct partition_table table_hostile_stop_debug = {
    .name = "hostile-stop-debug",
    .description = "alpha on CPU 0; on CPU 1 a hostile guest whose every #DB delivery raises "
                   "another #DB: it is stopped, alpha runs on",
    PARTITIONS(hostile_stop_debug_parts),
};

/* smt-siblings and smt-siblings-allowed: for a machine whose CPUs 0 and 1 are the two threads
 * of one core (Bochs count=1:1:2). Without allow_smt_siblings beta, on alpha's core, is not
 * started. alpha is granted the PCI configuration ports, so it must be marked unsafe, and
 * boot says so on every boot. */
#define UNSAFE_ALPHA                                                        \
    {                                                                       \
        .name = "alpha",                                                    \
        .cpu = 0,                                                           \
        .memory_size = PARTITION_MIB(32),                                   \
        .module = "testguest",                                              \
        .format = IMAGE_ELF64,                                              \
        .cmdline = "partition=alpha",                                       \
        .console = { .port = UART_COM1 },                                   \
        PORTS(PORT_RANGE(0xCF8, 0xCFF, PORT_RW)),                           \
        .unsafe = true,                                                     \
    }

static const struct partition_config smt_siblings_parts[] = {
    UNSAFE_ALPHA,
    TESTGUEST("beta", 1, false, HEARTBEAT),
};

static const struct partition_table table_smt_siblings = {
    .name = "smt-siblings",
    .description = "alpha (unsafe: PCI configuration ports) on CPU 0, beta on CPU 1; on a "
                   "machine where they are one core's threads beta is not started",
    PARTITIONS(smt_siblings_parts),
};

static const struct partition_table table_smt_siblings_allowed = {
    .name = "smt-siblings-allowed",
    .description = "smt-siblings with allow_smt_siblings: both run on one core's threads",
    PARTITIONS(smt_siblings_parts),
    .allow_smt_siblings = true,
};

/* hostile-stop-shell: the shell stops and starts attackers while they attack: a CPUID storm, a
 * raised CR8 polling COM1, and CLI with a spin (no watchdog). Their holds are 2000 s in Bochs:
 * only the shell ends them. alpha leaves the keyboard to the shell. */
#define HOLD_FOREVER " hold=100000000000"
static const struct partition_config hostile_stop_shell_parts[] = {
    HOSTILE_ALPHA_ON(0, 0, false),
    HOSTILE_GUEST("storm", 1, "scenario=exit-storm" HOLD_FOREVER, 0),
    HOSTILE_GUEST("tpr", 2, "scenario=tpr-raise" HOLD_FOREVER, 0),
    HOSTILE_GUEST("spin", 3, "scenario=cli-spin", 0),
};

static const struct partition_table table_hostile_stop_shell = {
    .name = "hostile-stop-shell",
    .description = "alpha on CPU 0; a CPUID storm, a raised CR8 and a CLI spin on CPUs 1-3, "
                   "which the shell stops and starts again while they attack",
    PARTITIONS(hostile_stop_shell_parts),
};

/* hostile-leftover: what a hostile guest leaves in its CPU (XCR0, DR0-DR3, PKRU, the x87
 * control word) must be gone when the shell restarts it. */
static const struct partition_config hostile_leftover_parts[] = {
    HOSTILE_ALPHA(0),
    HOSTILE_GUEST("left", 1, "scenario=leftover-state", 0),
};

static const struct partition_table table_hostile_leftover = {
    .name = "hostile-leftover",
    .description = "alpha on CPU 0; on CPU 1 a hostile guest that dirties XCR0, DR0-DR3, PKRU "
                   "and the x87 control word; a restart must find them reset",
    PARTITIONS(hostile_leftover_parts),
};

/* linux: a distribution kernel (GRUB module "linux", its initramfs "linux-initrd") on CPU 1
 * with 256 MiB, next to the test guest on CPU 0. The words after "linux" on its GRUB module
 * line replace the command line here; its `reboot` restarts it. */
static const struct partition_config linux_parts[] = {
    TESTGUEST("guest0", 0, false, QUIET),
    {
        .name = "linux",
        .cpu = 1,
        .memory_size = PARTITION_MIB(256),
        .module = "linux",
        .format = IMAGE_BZIMAGE,
        .cmdline = "console=ttyS0",
        GUEST_MODULES("linux-initrd"),
        .console = { .port = UART_COM1 },
        .restart_on_reset = true,
    },
};

static const struct partition_table table_linux = {
    .name = "linux",
    .description = "the test guest on CPU 0 (32 MiB) and Linux on CPU 1 (256 MiB, modules "
                   "\"linux\" and \"linux-initrd\")",
    PARTITIONS(linux_parts),
};

/* linux-bad: bzImage partitions that must not start, each for one reason the loader names
 * (modules the emulator test derives from the Debian kernel: its "HdrS" broken, its boot
 * protocol set to 2.09, cut after 2 MiB; the whole kernel in 64 MiB, less than its
 * init_size; a 24 MiB initrd that fits neither below nor above the kernel in 96 MiB), next
 * to the test guest on CPU 0 with its heartbeat, which must go on. */
#define LINUX_BAD(name_, cpu_, mib_, module_)                                \
    .name = (name_),                                                        \
    .cpu = (cpu_),                                                          \
    .memory_size = PARTITION_MIB(mib_),                                     \
    .module = (module_),                                                    \
    .format = IMAGE_BZIMAGE,                                                \
    .cmdline = "console=ttyS0",                                             \
    .console = { .port = UART_COM1 }

static const struct partition_config linux_bad_parts[] = {
    TESTGUEST("guest0", 0, false, HEARTBEAT),
    { LINUX_BAD("corrupt", 1, 32, "linux-corrupt") },
    { LINUX_BAD("oldproto", 2, 32, "linux-oldproto") },
    { LINUX_BAD("truncated", 3, 32, "linux-truncated") },
    { LINUX_BAD("small", 4, 64, "linux") },
    { LINUX_BAD("bigrd", 5, 96, "linux"), GUEST_MODULES("linux-bigrd") },
};

static const struct partition_table table_linux_bad = {
    .name = "linux-bad",
    .description = "the test guest on CPU 0 and five bzImage partitions that must not start",
    PARTITIONS(linux_bad_parts),
};

/* ---- multiboot test kernels (guest/images/multiboot) ------------------------------------
 * 32-bit kernels entered the multiboot way, each checking what its loader handed over and
 * printing PASS or FAIL; modules=<n> on the command line is how many modules a kernel expects
 * (module 0: mbdata.txt, compared with the kernel's own copy). */
#define MULTIBOOT_KERNEL(name_, cpu_, module_, format_, cmdline_)          \
    .name = (name_),                                                        \
    .cpu = (cpu_),                                                          \
    .memory_size = PARTITION_MIB(16),                                       \
    .module = (module_),                                                    \
    .format = (format_),                                                    \
    .cmdline = (cmdline_),                                                  \
    .console = { .port = UART_COM1 }

static const struct partition_config multiboot_parts[] = {
    { MULTIBOOT_KERNEL("mb1", 0, "mb1test", IMAGE_MULTIBOOT, "modules=1 partition=mb1"),
      GUEST_MODULES("mbdata") },
    /* The test's GRUB line adds "triplefault": restarted three times, then stopped. */
    { MULTIBOOT_KERNEL("mb2", 1, "mb2test", IMAGE_MULTIBOOT2, "modules=1 partition=mb2"),
      GUEST_MODULES("mbdata"), .restart_on_reset = true },
    { MULTIBOOT_KERNEL("mblong", 2, "mblong", IMAGE_MULTIBOOT2,
                       "modules=0 partition=mblong poweroff") },
    /* It resets itself at the end of every boot: restarted three times, then stopped. */
    { MULTIBOOT_KERNEL("mbkludge", 3, "mb1kludge", IMAGE_MULTIBOOT,
                       "modules=0 partition=mbkludge reset"),
      .restart_on_reset = true },
};

static const struct partition_table table_multiboot = {
    .name = "multiboot",
    .description = "multiboot test kernels, 16 MiB each: mb1 (v1 ELF, module mbdata) on CPU 0, "
                   "mb2 (v2, module mbdata) on CPU 1, mblong (v2, enters long mode) on CPU 2, "
                   "mbkludge (v1 a.out kludge, flat) on CPU 3 (4 CPUs)",
    PARTITIONS(multiboot_parts),
};

const struct partition_table *const partition_tables[] = {
    &table_demo,
    &table_demo_heartbeat,
    &table_solo,
    &table_devices,
    &table_missing,
    &table_hostile_survive,
    &table_hostile_stop_a,
    &table_hostile_stop_b,
    &table_hostile_all,
    &table_hostile_boot,
    &table_hostile_stop_debug,
    &table_hostile_leftover,
    &table_hostile_stop_shell,
    &table_smt_siblings,
    &table_smt_siblings_allowed,
    &table_multiboot,
    &table_linux,
    &table_linux_bad,
};

const uint32_t partition_table_count =
    (uint32_t)(sizeof(partition_tables) / sizeof(partition_tables[0]));

const struct partition_table *partition_table_find(const char *name)
{
    if (!name)
        return NULL;
    for (uint32_t i = 0; i < partition_table_count; i++)
        if (strcmp(partition_tables[i]->name, name) == 0)
            return partition_tables[i];
    return NULL;
}
