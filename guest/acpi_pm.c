/* ACPI fixed hardware of a partition (guest/acpi_pm.h; ACPI 6.5 sections 4.8.3.1 PM1 event
 * grouping, 4.8.3.2 PM1 control grouping, 4.8.3.3 power management timer, 7.4.2 \_S5). */
#include "guest/acpi_pm.h"

#include "guest/port_lanes.h"
#include "lib/string.h"

bool acpi_pm_init(struct acpi_pm *pm, const struct acpi_pm_config *config)
{
    memset(pm, 0, sizeof(*pm));
    pm->config = *config;
    if (!config->read_tsc) {
        diag_report(config->diag, "acpi pm: no TSC to count the PM timer from");
        return false;
    }
    if (config->tsc_hz == 0 || config->tsc_hz > UINT64_MAX / PC_ACPI_PM_TMR_HZ) {
        diag_report(config->diag, "acpi pm: TSC frequency %llu Hz out of range (1 to %llu)",
                    (unsigned long long)config->tsc_hz,
                    (unsigned long long)(UINT64_MAX / PC_ACPI_PM_TMR_HZ));
        return false;
    }
    pm->tsc_base = config->read_tsc(config->tsc_ctx);
    pm->counting = true;
    return true;
}

/* elapsed = q * tsc_hz + r: the q whole seconds give q * 3579545 ticks (wrapping is harmless,
 * only the low 24 bits count), and r * 3579545 cannot overflow as r < tsc_hz. */
uint32_t acpi_pm_timer_ticks(uint64_t elapsed, uint64_t tsc_hz)
{
    uint64_t seconds = elapsed / tsc_hz;
    uint64_t rest = elapsed % tsc_hz;
    uint64_t ticks = seconds * PC_ACPI_PM_TMR_HZ + rest * PC_ACPI_PM_TMR_HZ / tsc_hz;

    return (uint32_t)(ticks & ACPI_PM_TIMER_MASK);
}

uint32_t acpi_pm_timer(const struct acpi_pm *pm)
{
    if (!pm->counting)
        return 0;
    uint64_t now = pm->config.read_tsc(pm->config.tsc_ctx);

    return acpi_pm_timer_ticks(now - pm->tsc_base, pm->config.tsc_hz);
}

static uint16_t control_value(const struct acpi_pm *pm)
{
    return (uint16_t)(pm->control | ACPI_PM1_CNT_SCI_EN);
}

static uint8_t byte_of(uint32_t value, unsigned index)
{
    return (uint8_t)(value >> (8 * index));
}

static uint8_t lane_read(void *dev, unsigned reg)
{
    const struct acpi_pm *pm = dev;

    if (reg < ACPI_PM_OFFSET_ENABLE)
        return byte_of(pm->status, reg - ACPI_PM_OFFSET_STATUS);
    if (reg < ACPI_PM_OFFSET_CONTROL)
        return byte_of(pm->enable, reg - ACPI_PM_OFFSET_ENABLE);
    if (reg < ACPI_PM_OFFSET_CONTROL + 2)
        return byte_of(control_value(pm), reg - ACPI_PM_OFFSET_CONTROL);
    if (reg < ACPI_PM_OFFSET_TIMER)
        return 0xFF;
    return byte_of(pm->timer_sample, reg - ACPI_PM_OFFSET_TIMER);
}

/* SLP_EN with the S5 type powers off; the platform has no other sleep state. */
static void enter_sleep_state(struct acpi_pm *pm, unsigned type)
{
    if (type == PC_ACPI_S5_SLP_TYP) {
        if (pm->config.request)
            pm->config.request(pm->config.request_ctx, PLATFORM_POWER_OFF);
        return;
    }
    if (!pm->sleep_reported)
        diag_report(pm->config.diag, "acpi pm: sleep type %u is not supported (only %u, soft "
                    "off): ignored, the guest wakes at once (reported once)", type,
                    PC_ACPI_S5_SLP_TYP);
    pm->sleep_reported = true;
    pm->status |= ACPI_PM1_WAK_STS;
}

/* A byte of the control register; SLP_EN acts on the type in the same byte. */
static void write_control_byte(struct acpi_pm *pm, unsigned index, uint8_t value)
{
    uint16_t merged = index == 0 ? (uint16_t)((pm->control & 0xFF00u) | value)
                                 : (uint16_t)((pm->control & 0x00FFu) | (uint16_t)(value << 8));

    pm->control = merged & (ACPI_PM1_CNT_BM_RLD | ACPI_PM1_CNT_SLP_TYP);
    if (index == 1 && (merged & ACPI_PM1_CNT_SLP_EN))
        enter_sleep_state(pm, (merged & ACPI_PM1_CNT_SLP_TYP) >> ACPI_PM1_CNT_SLP_SHIFT);
}

static void lane_write(void *dev, unsigned reg, uint8_t value)
{
    struct acpi_pm *pm = dev;

    if (reg < ACPI_PM_OFFSET_ENABLE) {
        pm->status &= (uint16_t)~((unsigned)value << (8 * (reg - ACPI_PM_OFFSET_STATUS)));
    } else if (reg < ACPI_PM_OFFSET_CONTROL) {
        unsigned shift = 8 * (reg - ACPI_PM_OFFSET_ENABLE);
        unsigned kept = pm->enable & ~(0xFFu << shift);
        pm->enable = (uint16_t)((kept | (unsigned)value << shift) & ACPI_PM1_ENABLE_BITS);
    } else if (reg < ACPI_PM_OFFSET_CONTROL + 2) {
        write_control_byte(pm, reg - ACPI_PM_OFFSET_CONTROL, value);
    }
    /* the gap and the timer: nothing to write */
}

uint32_t acpi_pm_read(struct acpi_pm *pm, unsigned offset, unsigned size)
{
    pm->timer_sample = acpi_pm_timer(pm);
    return port_lanes_read(pm, ACPI_PM_PORTS, offset, size, lane_read);
}

void acpi_pm_write(struct acpi_pm *pm, unsigned offset, unsigned size, uint32_t value)
{
    port_lanes_write(pm, ACPI_PM_PORTS, offset, size, value, lane_write);
}

void acpi_pm_press_power_button(struct acpi_pm *pm)
{
    pm->status |= ACPI_PM1_PWRBTN;
}

bool acpi_pm_sci_asserted(const struct acpi_pm *pm)
{
    return (pm->status & pm->enable & ACPI_PM1_SCI_SOURCES) != 0;
}

static uint32_t port_read(void *ctx, uint16_t offset, unsigned size)
{
    return acpi_pm_read(ctx, offset, size);
}

static void port_write(void *ctx, uint16_t offset, unsigned size, uint32_t value)
{
    acpi_pm_write(ctx, offset, size, value);
}

const struct vcpu_port_ops acpi_pm_port_ops = { port_read, port_write };
