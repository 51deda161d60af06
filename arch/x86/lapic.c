/* Local APIC in xAPIC (MMIO) or x2APIC (MSR) mode (SDM Vol. 3, 11.4, 11.5.4, 11.6, 11.12). */
#include "arch/x86/lapic.h"

#include "arch/x86/cpu.h"
#include "arch/x86/msr.h"
#include "arch/x86/paging.h"

/* Register offsets in the xAPIC page; the x2APIC MSR is 0x800 + offset / 16. */
enum lapic_reg {
    LAPIC_ID = 0x20,
    LAPIC_VERSION = 0x30,
    LAPIC_TPR = 0x80,
    LAPIC_EOI = 0xB0,
    LAPIC_SVR = 0xF0,
    LAPIC_ESR = 0x280,
    LAPIC_ICR_LOW = 0x300,
    LAPIC_ICR_HIGH = 0x310,
    LAPIC_LVT_TIMER = 0x320,
    LAPIC_LVT_LINT0 = 0x350,
    LAPIC_LVT_LINT1 = 0x360,
    LAPIC_LVT_ERROR = 0x370,
    LAPIC_TIMER_INITIAL = 0x380,
    LAPIC_TIMER_CURRENT = 0x390,
    LAPIC_TIMER_DIVIDE = 0x3E0,
};

#define X2APIC_MSR_BASE         0x800
#define APIC_BASE_ENABLE        (1ULL << 11)
#define APIC_BASE_X2APIC        (1ULL << 10)
#define APIC_BASE_ADDRESS_MASK  0x000FFFFFFFFFF000ULL
#define CPUID_1_ECX_X2APIC      (1u << 21)

#define SVR_SOFTWARE_ENABLE     (1u << 8)
#define LVT_MASKED              (1u << 16)
#define TIMER_DIVIDE_BY_1       0xB

#define ICR_DELIVERY_FIXED      (0u << 8)
#define ICR_DELIVERY_INIT       (5u << 8)
#define ICR_DELIVERY_STARTUP    (6u << 8)
#define ICR_DELIVERY_PENDING    (1u << 12)
#define ICR_LEVEL_ASSERT        (1u << 14)
/* Delivery of an xAPIC IPI takes well under a microsecond; this bounds a dead APIC. */
#define ICR_WAIT_SPINS          1000000

static bool use_x2apic;
static volatile uint32_t *xapic_mmio;

static uint32_t lapic_read(enum lapic_reg reg)
{
    if (use_x2apic)
        return (uint32_t)rdmsr(X2APIC_MSR_BASE + reg / 16);
    return xapic_mmio[reg / 4];
}

static void lapic_write(enum lapic_reg reg, uint32_t value)
{
    if (use_x2apic)
        wrmsr(X2APIC_MSR_BASE + reg / 16, value);
    else
        xapic_mmio[reg / 4] = value;
}

void lapic_init_global(void)
{
    use_x2apic = (cpuid(1, 0).ecx & CPUID_1_ECX_X2APIC) != 0;
    uint64_t base = rdmsr(MSR_IA32_APIC_BASE) & APIC_BASE_ADDRESS_MASK;
    if (!base)
        base = LAPIC_DEFAULT_BASE;
    xapic_mmio = (volatile uint32_t *)(uintptr_t)base;
    if (!use_x2apic)
        paging_map_uncached(base);
}

bool lapic_x2apic_mode(void)
{
    return use_x2apic;
}

void lapic_enable_this_cpu(void)
{
    uint64_t base = rdmsr(MSR_IA32_APIC_BASE) | APIC_BASE_ENABLE;
    if (use_x2apic)
        base |= APIC_BASE_X2APIC;
    wrmsr(MSR_IA32_APIC_BASE, base);

    lapic_write(LAPIC_TPR, 0);
    lapic_write(LAPIC_LVT_TIMER, LVT_MASKED);
    lapic_write(LAPIC_LVT_ERROR, LVT_MASKED);
    lapic_write(LAPIC_SVR, SVR_SOFTWARE_ENABLE | LAPIC_VECTOR_SPURIOUS);
    if (!use_x2apic)
        lapic_write(LAPIC_ESR, 0);   /* xAPIC: write before read (SDM 11.5.3) */
}

uint32_t lapic_id(void)
{
    uint32_t id = lapic_read(LAPIC_ID);
    return use_x2apic ? id : id >> 24;
}

void lapic_eoi(void)
{
    lapic_write(LAPIC_EOI, 0);
}

static bool lapic_send_ipi(uint32_t apic_id, uint32_t icr_low)
{
    if (use_x2apic) {
        /* x2APIC: one 64-bit write, no delivery-status bit to wait on (SDM 11.12.9). */
        wrmsr(X2APIC_MSR_BASE + LAPIC_ICR_LOW / 16, ((uint64_t)apic_id << 32) | icr_low);
        return true;
    }
    lapic_write(LAPIC_ICR_HIGH, apic_id << 24);
    lapic_write(LAPIC_ICR_LOW, icr_low);
    for (int spin = 0; spin < ICR_WAIT_SPINS; spin++) {
        if (!(lapic_read(LAPIC_ICR_LOW) & ICR_DELIVERY_PENDING))
            return true;
        cpu_relax();
    }
    return false;
}

bool lapic_send_init(uint32_t apic_id)
{
    return lapic_send_ipi(apic_id, ICR_DELIVERY_INIT | ICR_LEVEL_ASSERT);
}

bool lapic_send_startup(uint32_t apic_id, uint8_t vector_page)
{
    return lapic_send_ipi(apic_id, ICR_DELIVERY_STARTUP | ICR_LEVEL_ASSERT | vector_page);
}

#define ICR_DELIVERY_NMI        (4u << 8)
#define ICR_SHORTHAND_SELF      (1u << 18)

bool lapic_send_nmi_self(void)
{
    return lapic_send_ipi(lapic_id(), ICR_DELIVERY_NMI | ICR_LEVEL_ASSERT | ICR_SHORTHAND_SELF);
}

bool lapic_send_fixed(uint32_t apic_id, uint8_t vector)
{
    return lapic_send_ipi(apic_id, ICR_DELIVERY_FIXED | ICR_LEVEL_ASSERT | vector);
}

void lapic_timer_start_count(uint32_t initial)
{
    lapic_write(LAPIC_TIMER_DIVIDE, TIMER_DIVIDE_BY_1);
    lapic_write(LAPIC_LVT_TIMER, LVT_MASKED);
    lapic_write(LAPIC_TIMER_INITIAL, initial);
}

uint32_t lapic_timer_current(void)
{
    return lapic_read(LAPIC_TIMER_CURRENT);
}

#define LVT_TIMER_PERIODIC      (1u << 17)

void lapic_timer_periodic(uint8_t vector, uint32_t ticks)
{
    lapic_write(LAPIC_TIMER_DIVIDE, TIMER_DIVIDE_BY_1);
    lapic_write(LAPIC_LVT_TIMER, LVT_TIMER_PERIODIC | vector);
    lapic_write(LAPIC_TIMER_INITIAL, ticks ? ticks : 1);
}

void lapic_timer_stop(void)
{
    lapic_write(LAPIC_TIMER_INITIAL, 0);
}
