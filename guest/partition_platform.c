/* A partition that runs an operating system sees a small PC: its firmware tables (ACPI and MP,
 * guest/acpi_build.c, guest/mp_table.c) in the BIOS area of its memory, built again on every
 * (re)load before the image; its interrupt controllers (a local APIC whose timer runs on the
 * vCPU's device deadline, an I/O APIC that its UART's IRQ reaches) and legacy devices (the
 * CMOS clock, the masked 8259 pair, the ACPI fixed hardware, the reset register), fresh on
 * every start. Power-off and reset requests stop the partition with a line saying which. */
#include "guest/partition_internal.h"

#include "guest/acpi_build.h"
#include "guest/mp_table.h"
#include "guest/pc_platform.h"
#include "arch/x86/cpu.h"
#include "arch/x86/msr.h"
#include "drivers/console.h"
#include "drivers/timer.h"
#include "drivers/wall_clock.h"
#include "vcpu/devices.h"
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

/* ---- interrupt controllers ------------------------------------------------------------ */

/* CR8 and the local APIC's TPR are one register (SDM Vol. 3A 10.8.6.1): the vCPU keeps CR8's
 * value for its MOV CR8 exits, the APIC its own; whichever moved since they last agreed wins. */
static void sync_tpr(struct partition *p)
{
    uint8_t apic = (uint8_t)(vlapic_tpr(&p->pc.lapic) >> 4);
    if (p->vcpu.tpr != p->pc.tpr_synced)
        vlapic_set_tpr(&p->pc.lapic, (uint8_t)(p->vcpu.tpr << 4));
    else if (apic != p->pc.tpr_synced)
        p->vcpu.tpr = apic;
    p->pc.tpr_synced = p->vcpu.tpr;
}

/* After anything that may have changed what the APIC has pending or when its timer fires:
 * the next deadline, and the events decided again before the next entry if one waits. */
static void apic_changed(struct partition *p)
{
    sync_tpr(p);
    vcpu_set_device_deadline(&p->vcpu, vlapic_next_deadline(&p->pc.lapic));
    if (vlapic_highest_pending(&p->pc.lapic) >= 0)
        p->vcpu.events_pending = 1;
}

static int irq_highest_pending(void *ctx)
{
    struct partition *p = ctx;
    sync_tpr(p);
    return vlapic_highest_pending(&p->pc.lapic);
}

static void irq_acknowledge(void *ctx, uint8_t vector)
{
    vlapic_acknowledge(&((struct partition *)ctx)->pc.lapic, vector);
}

void partition_device_timer(void *ctx, struct vcpu *v, uint64_t now)
{
    struct partition *p = ctx;
    (void)v;
    if (partition_wants_platform(p->config)) {
        vlapic_timer_update(&p->pc.lapic, now);
        apic_changed(p);
    }
}

/* An interrupt-driven driver fills the transmit FIFO on each THRE interrupt without looking
 * at LSR, so THRE is held back while the partition's line queue is nearly full (the boot CPU
 * drains it; the timer tick looks again), as a real UART's is while it shifts bytes out. */
#define UART_TX_IRQ_FREE_LINES  8u

bool partition_platform_uart_changed(struct partition *p)
{
    /* LSR read busy while the line queue was full: once it has room, the transmitter "drains"
     * and raises THRE, or the interrupt-driven 8250 driver, which read IIR (clearing THRE)
     * and then found LSR busy, would wait for ever (seen: `cat` of 64 KiB stopped at 5 KiB). */
    if (p->uart_tx_held && line_queue_free_lines(&p->output) >= UART_TX_IRQ_FREE_LINES) {
        p->uart_tx_held = false;
        vuart_transmitter_empty(&p->vuart);
    }
    bool pending = vuart_irq_pending(&p->vuart);
    bool withheld = p->uart_tx_held ||
                    (pending && vuart_interrupt_id(&p->vuart) == VUART_IIR_THRE &&
                     line_queue_free_lines(&p->output) < UART_TX_IRQ_FREE_LINES);
    vioapic_set_irq(&p->pc.ioapic, p->pc.uart_irq, pending && !withheld);
    if (vlapic_highest_pending(&p->pc.lapic) >= 0)
        p->vcpu.events_pending = 1;
    return withheld;
}

static void lapic_mmio(void *ctx, uint64_t offset, unsigned size, bool write, uint64_t *value)
{
    struct partition *p = ctx;
    sync_tpr(p);
    vlapic_timer_update(&p->pc.lapic, rdtsc());
    vlapic_mmio_access(&p->pc.lapic, offset, size, write, value);
    apic_changed(p);
}

static bool lapic_msr_read(void *ctx, uint32_t msr, uint64_t *value)
{
    struct partition *p = ctx;
    vlapic_timer_update(&p->pc.lapic, rdtsc());
    return vlapic_msr_read(&p->pc.lapic, msr, value);
}

static bool lapic_msr_write(void *ctx, uint32_t msr, uint64_t value)
{
    struct partition *p = ctx;
    vlapic_timer_update(&p->pc.lapic, rdtsc());
    bool ok = vlapic_msr_write(&p->pc.lapic, msr, value);
    apic_changed(p);
    return ok;
}

static void ioapic_mmio(void *ctx, uint64_t offset, unsigned size, bool write, uint64_t *value)
{
    struct partition *p = ctx;
    vioapic_mmio_access(&p->pc.ioapic, offset, size, write, value);
    apic_changed(p);
}

static const struct vcpu_mmio_ops lapic_mmio_ops = { lapic_mmio, 0 };
static const struct vcpu_mmio_ops ioapic_mmio_ops = { ioapic_mmio, 0 };
static const struct vcpu_msr_ops lapic_msr_ops = { lapic_msr_read, lapic_msr_write };

static void lapic_eoi(void *ctx, uint8_t vector)
{
    vioapic_eoi(&((struct partition *)ctx)->pc.ioapic, vector);
}

static void lapic_nmi(void *ctx)
{
    vcpu_raise_nmi(&((struct partition *)ctx)->vcpu);
}

static bool attach_interrupt_controllers(struct partition *p)
{
    struct vcpu *v = &p->vcpu;
    uint64_t tsc_hz = timer_calibration()->tsc_hz;
    const struct vlapic_config cfg = {
        .id = 0, .tsc_hz = tsc_hz, .timer_hz = tsc_hz, .x2apic_allowed = false,
        .tsc_deadline_allowed = true, .read_tsc = platform_tsc, .eoi = lapic_eoi,
        .nmi = lapic_nmi, .ctx = p, .diag = &partition_report,
    };
    if (!vlapic_init(&p->pc.lapic, &cfg))
        return false;
    vioapic_init(&p->pc.ioapic, PC_IOAPIC_ID, vlapic_receive_ioapic, &p->pc.lapic,
                 &partition_report);
    p->pc.uart_irq = p->config->console.port == 0x2F8 ? PC_IRQ_COM2 : PC_IRQ_COM1;
    p->pc.tpr_synced = 0;
    const struct event_irq_source source = { irq_highest_pending, irq_acknowledge, p };
    events_set_irq_source(&v->events, &source);
    enum range_add_result r = vcpu_claim_mmio(v, PC_LAPIC_BASE, PC_LAPIC_SIZE, &lapic_mmio_ops, p);
    if (r == RANGE_ADDED)
        r = vcpu_claim_mmio(v, PC_IOAPIC_BASE, PC_IOAPIC_SIZE, &ioapic_mmio_ops, p);
    if (r == RANGE_ADDED)
        r = vcpu_claim_msrs(v, MSR_IA32_APIC_BASE, 1, &lapic_msr_ops, p);
    if (r == RANGE_ADDED)
        r = vcpu_claim_msrs(v, MSR_IA32_TSC_DEADLINE, 1, &lapic_msr_ops, p);
    if (r != RANGE_ADDED) {
        console_printf("partition %s: interrupt controllers: %s\n", p->config->name,
                       range_add_result_name(r));
        return false;
    }
    return true;
}

/* ---- legacy devices ------------------------------------------------------------------- */

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
    if (!attach_interrupt_controllers(p))
        return false;
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
