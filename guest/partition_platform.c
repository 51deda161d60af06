/* A partition that runs an operating system sees a small PC: its firmware tables (ACPI and MP,
 * guest/acpi_build.c, guest/mp_table.c) in the BIOS area of its memory, built again on every
 * (re)load before the image, and its legacy devices (the CMOS clock, the masked 8259 pair,
 * the ACPI fixed hardware, the reset register), fresh on every start. Power-off and reset
 * requests from those devices stop the partition with a line saying which. */
#include "guest/partition_internal.h"

#include "guest/acpi_build.h"
#include "guest/mp_table.h"
#include "guest/pc_platform.h"
#include "arch/x86/cpu.h"
#include "drivers/console.h"
#include "drivers/timer.h"
#include "drivers/wall_clock.h"
#include "vcpu/exit.h"

bool partition_wants_platform(const struct partition_config *cfg)
{
    return cfg->format == IMAGE_MULTIBOOT || cfg->format == IMAGE_MULTIBOOT2 ||
           cfg->format == IMAGE_BZIMAGE;
}

bool partition_build_firmware(struct partition *p, uint64_t *rsdp_gpa)
{
    const struct partition_config *cfg = p->config;
    struct cpuid_regs leaf1;
    vcpu_cpuid(1, 0, &leaf1);
    const struct acpi_partition_desc desc = {
        .name = cfg->name,
        .vcpu_count = 1,
        .uart_port = cfg->console.port,
        .uart_irq = cfg->console.port == 0x2F8 ? PC_IRQ_COM2 : PC_IRQ_COM1,
        .cpuid_1_eax = leaf1.eax,
        .cpuid_1_edx = leaf1.edx,
    };
    uint8_t *memory = (uint8_t *)(uintptr_t)p->memory_hpa;
    uint64_t mp_gpa;
    return acpi_build_partition(memory, p->memory_size, &desc, rsdp_gpa, &partition_report) &&
           mp_table_build(memory, p->memory_size, &desc, &mp_gpa, &partition_report);
}

static uint64_t platform_wall_clock(void *ctx)
{
    (void)ctx;
    return wall_clock_now();
}

static uint64_t platform_tsc(void *ctx)
{
    (void)ctx;
    return rdtsc();
}

/* From a device, on the partition's own CPU, inside the exit of the guest's port write. */
static void platform_request(void *ctx, enum platform_request request)
{
    struct partition *p = ctx;
    if (p->platform_request != PLATFORM_NONE)
        return;
    p->platform_request = request;
    vcpu_request_stop(&p->vcpu, platform_request_name(request));
}

struct port_claim {
    uint16_t first, count;
    const struct vcpu_port_ops *ops;
    void *ctx;
};

bool partition_platform_attach(struct partition *p)
{
    p->platform_request = PLATFORM_NONE;
    if (!partition_wants_platform(p->config))
        return true;
    struct vcpu *v = &p->vcpu;
    cmos_rtc_init(&p->pc.rtc, platform_wall_clock, p, &partition_report);
    cmos_rtc_set_memory_size(&p->pc.rtc, p->memory_size);
    pic8259_pair_init(&p->pc.pic);
    const struct acpi_pm_config pm = { platform_tsc, p, timer_calibration()->tsc_hz,
                                       platform_request, p, &partition_report };
    acpi_pm_init(&p->pc.pm, &pm);
    reset_control_init(&p->pc.reset, platform_request, p);

    const struct port_claim claims[] = {
        { PC_CMOS_INDEX_PORT, CMOS_RTC_PORTS, &cmos_rtc_port_ops, &p->pc.rtc },
        { PC_PIC_MASTER_PORT, PIC8259_PORTS, &pic8259_port_ops, &p->pc.pic.master },
        { PC_PIC_SLAVE_PORT, PIC8259_PORTS, &pic8259_port_ops, &p->pc.pic.slave },
        { PC_ACPI_PM1A_EVT_PORT, ACPI_PM_PORTS, &acpi_pm_port_ops, &p->pc.pm },
        { PC_RESET_PORT, RESET_CONTROL_PORTS, &reset_control_port_ops, &p->pc.reset },
        { RESET_KBC_PORT, RESET_KBC_PORTS, &reset_control_kbc_ops, &p->pc.reset },
    };
    for (unsigned i = 0; i < sizeof(claims) / sizeof(claims[0]); i++) {
        const struct port_claim *c = &claims[i];
        enum range_add_result r = vcpu_claim_ports(v, c->first, c->count, c->ops, c->ctx);
        if (r != RANGE_ADDED) {
            console_printf("partition %s: ports 0x%x-0x%x: %s\n", p->config->name, c->first,
                           c->first + c->count - 1, range_add_result_name(r));
            return false;
        }
    }
    return true;
}
