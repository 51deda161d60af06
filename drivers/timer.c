/* Time: TSC and local-APIC-timer calibration against the 8254 PIT channel 2 (gate and OUT2 on port 0x61). */
#include "drivers/timer.h"

#include "arch/x86/cpu.h"
#include "arch/x86/io.h"
#include "arch/x86/lapic.h"
#include "drivers/console.h"

#define PIT_HZ                  1193182ULL
#define PIT_PORT_CHANNEL2       0x42
#define PIT_PORT_COMMAND        0x43
#define PIT_PORT_GATE           0x61
#define PIT_GATE2_ENABLE        0x01
#define PIT_SPEAKER_ENABLE      0x02
#define PIT_OUT2_HIGH           0x20
/* Channel 2, low then high byte, mode 0 (interrupt on terminal count), binary. */
#define PIT_CMD_CH2_MODE0       0xB0
#define CALIBRATION_MS          10
#define CALIBRATION_PIT_TICKS   (PIT_HZ * CALIBRATION_MS / 1000)
/* Bounds the wait when a machine has no PIT: ~10 ms needs far fewer port reads. */
#define PIT_WAIT_LIMIT          20000000
#define FALLBACK_TSC_HZ         1000000000ULL

static struct timer_calibration calibration = { FALLBACK_TSC_HZ, 0, false };

static bool pit_measure(uint64_t *tsc_ticks, uint32_t *lapic_ticks)
{
    uint8_t gate = (uint8_t)((inb(PIT_PORT_GATE) & ~PIT_SPEAKER_ENABLE) | PIT_GATE2_ENABLE);
    outb(PIT_PORT_GATE, gate);
    outb(PIT_PORT_COMMAND, PIT_CMD_CH2_MODE0);
    outb(PIT_PORT_CHANNEL2, (uint8_t)CALIBRATION_PIT_TICKS);
    outb(PIT_PORT_CHANNEL2, (uint8_t)(CALIBRATION_PIT_TICKS >> 8));

    lapic_timer_start_count(0xFFFFFFFFu);
    uint64_t tsc_start = rdtsc();
    for (int spin = 0; spin < PIT_WAIT_LIMIT; spin++) {
        if (inb(PIT_PORT_GATE) & PIT_OUT2_HIGH) {
            *tsc_ticks = rdtsc() - tsc_start;
            *lapic_ticks = 0xFFFFFFFFu - lapic_timer_current();
            lapic_timer_stop();
            return true;
        }
    }
    lapic_timer_stop();
    return false;
}

void timer_calibrate(void)
{
    uint64_t tsc_ticks;
    uint32_t lapic_ticks;

    if (pit_measure(&tsc_ticks, &lapic_ticks) && tsc_ticks) {
        calibration.tsc_hz = tsc_ticks * 1000 / CALIBRATION_MS;
        calibration.lapic_hz = (uint64_t)lapic_ticks * 1000 / CALIBRATION_MS;
        calibration.from_pit = true;
        console_printf("timer: tsc %llu kHz, lapic timer %llu kHz (pit channel 2, %d ms)\n",
                       (unsigned long long)(calibration.tsc_hz / 1000),
                       (unsigned long long)(calibration.lapic_hz / 1000), CALIBRATION_MS);
        return;
    }
    struct cpuid_regs max = cpuid(0, 0);
    if (max.eax >= 0x16 && (cpuid(0x16, 0).eax & 0xFFFF))
        calibration.tsc_hz = (uint64_t)(cpuid(0x16, 0).eax & 0xFFFF) * 1000000ULL;
    console_printf("timer: pit channel 2 did not count; assuming tsc %llu kHz (cpuid 0x16 or "
                   "1 GHz), lapic timer unknown\n",
                   (unsigned long long)(calibration.tsc_hz / 1000));
}

const struct timer_calibration *timer_calibration(void)
{
    return &calibration;
}

uint64_t timer_tsc_to_us(uint64_t tsc_ticks)
{
    uint64_t mhz = calibration.tsc_hz / 1000000;
    return mhz ? tsc_ticks / mhz : tsc_ticks;
}

void udelay(uint64_t microseconds)
{
    uint64_t ticks = microseconds * (calibration.tsc_hz / 1000000);
    uint64_t start = rdtsc();
    while (rdtsc() - start < ticks)
        cpu_relax();
}
