/* The boot CPU's C entry: from boot/entry.S in long mode to `boot: ready`. */
#include <stdint.h>

#include "arch/x86/cpu.h"
#include "arch/x86/exception.h"
#include "arch/x86/gdt.h"
#include "arch/x86/idt.h"
#include "arch/x86/lapic.h"
#include "arch/x86/percpu.h"
#include "arch/x86/smp.h"
#include "boot/multiboot2.h"
#include "drivers/acpi.h"
#include "drivers/console.h"
#include "drivers/console_setup.h"
#include "drivers/pic.h"
#include "drivers/timer.h"
#include "drivers/wall_clock.h"
#include "lib/cmdline.h"
#include "lib/string.h"
#include "mm/phys.h"
#include "guest/partition_run.h"
#include "guest/console_mux.h"
#include "shell/shell.h"
#include "vmx/vmxon.h"

/* The boot information is read in place; GRUB keeps it small, this bounds any
 * garbage total_size so the parser cannot walk off the identity map. */
#define MBI_MAX_SIZE (1024 * 1024)
#define I8042_DATA_PORT     0x60
#define I8042_STATUS_PORT   0x64

extern uint64_t boot_entry_tsc;       /* boot/entry.S, first instructions */

/* Kept for the whole run: later subsystems (ACPI, partitions) read it. */
static struct mb2_info boot_info;

static void log_boot_facts(const struct mb2_info *info)
{
    console_printf("boot: multiboot2 from \"%s\"\n",
                   info->loader_name ? info->loader_name : "an unnamed loader");
    if (info->cmdline && info->cmdline[0])
        console_printf("boot: command line \"%s\"\n", info->cmdline);
    else
        console_printf("boot: command line empty\n");
    if (info->efi64 || info->efi32)
        console_printf("boot: firmware uefi (efi%s system table 0x%llx)\n",
                       info->efi64 ? "64" : "32", (unsigned long long)info->efi_system_table);
    else
        console_printf("boot: firmware bios\n");
    if (info->rsdp_new)
        console_printf("boot: acpi rsdp v2 from multiboot2 (%u bytes)\n", info->rsdp_new_size);
    else if (info->rsdp_old)
        console_printf("boot: acpi rsdp v1 from multiboot2 (%u bytes)\n", info->rsdp_old_size);
    else
        console_printf("boot: acpi rsdp not provided by the boot loader\n");
}

static void apply_log_level(const char *cmdline)
{
    char value[16];
    enum log_level level;

    if (!cmdline_get(cmdline, "loglevel", value, sizeof(value)))
        return;
    if (console_parse_level(value, &level))
        console_set_level(level);
    else
        console_printf("boot: loglevel \"%s\" unknown (error, warn, info, debug)\n", value);
}

/* The MADT's enabled CPUs; online-capable ones stay parked until hot-add exists.
 * Without a usable MADT (acpi_init said so) the boot CPU runs alone. */
static void start_application_processors(const struct acpi_info *acpi, uint64_t mbi_phys)
{
    static struct smp_cpu_candidate candidates[ACPI_MAX_CPUS];
    uint32_t count = 0;

    for (uint32_t i = 0; acpi->madt_found && i < acpi->cpu_count; i++)
        if (acpi->cpus[i].enabled)
            candidates[count++].apic_id = acpi->cpus[i].apic_id;
    smp_start_aps(candidates, count, &boot_info, mbi_phys);
}

/* A partition granted the keyboard controller's ports reads the keyboard itself. */
static void keyboard_to_partitions(void)
{
    for (uint32_t i = 0; i < partition_count(); i++) {
        const struct partition_config *c = partition_get(i)->config;
        for (uint32_t j = 0; c->ports && j < c->port_count; j++) {
            const struct port_range *r = &c->ports[j];
            if ((r->first <= I8042_DATA_PORT && I8042_DATA_PORT <= r->last) ||
                (r->first <= I8042_STATUS_PORT && I8042_STATUS_PORT <= r->last)) {
                console_keyboard_release(c->name);
                return;
            }
        }
    }
}

/* Who has the keyboard after boot: `focus=<partition>` on the command line, else the
 * table's input_focus partition, else the shell. */
static void apply_focus(const char *cmdline)
{
    char name[32];
    struct partition *p = 0;
    if (cmdline_get(cmdline, "focus", name, sizeof(name))) {
        p = partition_find(name);
        if (!p && strcmp(name, "shell") != 0)
            console_printf("boot: focus \"%s\": no such partition; the shell has the keyboard\n",
                           name);
    } else {
        for (uint32_t i = 0; i < partition_count() && !p; i++)
            if (partition_get(i)->config->console.input_focus &&
                partition_get(i)->state == PARTITION_RUNNING)
                p = partition_get(i);
    }
    if (p && console_focus_set(p))
        console_printf("console: keyboard to %s; Ctrl-T returns to the shell\n", p->config->name);
}

__attribute__((noreturn)) void boot_main(uint32_t magic, uint64_t mbi_phys);

void boot_main(uint32_t magic, uint64_t mbi_phys)
{
    struct percpu *bsp = &percpu_area[0];

    (void)magic;   /* checked in boot/entry.S */
    percpu_init(bsp, 0, 0);
    cpu_setup_control_registers();
    gdt_load(bsp);
    idt_init();
    idt_load();

    /* Parse before the consoles exist: the serial port comes from the command line, the
     * screen from the framebuffer tag. Lines logged until then wait in the log ring and
     * are replayed to each console as it is attached. */
    const struct diag mb2_diag = { console_line_sink, 0 };
    bool mbi_ok = mb2_parse((const void *)(uintptr_t)mbi_phys, MBI_MAX_SIZE, &boot_info,
                            &mb2_diag);

    console_setup(&boot_info);
    console_printf("tessera %s (commit %s, gcc %s, built %s)\n", TESSERA_VERSION,
                   TESSERA_COMMIT, __VERSION__, TESSERA_BUILD_DATE);
    console_setup_report();
    if (!mbi_ok)
        console_printf("boot: multiboot2 information unusable; continuing without it\n");

    apply_log_level(boot_info.cmdline);
    log_boot_facts(&boot_info);
    phys_init(&boot_info, mbi_phys);
    phys_map_all_ram();
    const struct acpi_info *acpi = acpi_init(&boot_info);

    pic_disable();
    lapic_init_global();
    lapic_enable_this_cpu();
    bsp->apic_id = lapic_id();
    console_printf("cpu: boot cpu apic %u, %s mode\n", bsp->apic_id,
                   lapic_x2apic_mode() ? "x2apic" : "xapic");
    timer_calibrate();
    wall_clock_init();
    start_application_processors(acpi, mbi_phys);
    vmx_bring_up();
    partitions_start(boot_info.cmdline, &boot_info);
    keyboard_to_partitions();

    char selftest[16];
    if (cmdline_get(boot_info.cmdline, "selftest", selftest, sizeof(selftest)))
        exception_selftest(selftest);

    console_printf("boot: entry-to-ready tsc %llu\n",
                   (unsigned long long)(rdtsc() - boot_entry_tsc));
    console_printf("boot: ready\n");
    shell_start();
    apply_focus(boot_info.cmdline);
    partitions_run_boot_cpu();
    console_service_loop();
}
