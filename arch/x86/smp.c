/* Application-processor bring-up (SDM Vol. 3, 10.4.4 INIT-SIPI-SIPI) and the per-CPU work mailbox. */
#include "arch/x86/smp.h"

#include "arch/x86/cpu.h"
#include "arch/x86/gdt.h"
#include "arch/x86/idt.h"
#include "arch/x86/lapic.h"
#include "arch/x86/percpu.h"
#include "arch/x86/spinlock.h"
#include "boot/ap_trampoline.h"
#include "drivers/console.h"
#include "drivers/pic.h"
#include "drivers/timer.h"
#include "lib/format.h"
#include "lib/string.h"
#include "mm/lowmem.h"

extern uint64_t boot_pml4[];      /* boot/entry.S: the identity map every CPU shares */
extern char __image_start[], __image_end[];

#define INIT_TO_SIPI_DELAY_US   10000   /* SDM 10.4.4.1: 10 ms after INIT */
#define SIPI_RETRY_DELAY_US     200     /* second SIPI if the first did not take */

static volatile uint32_t cpus_online = 1;   /* the boot CPU */

__attribute__((noreturn)) void ap_main(struct percpu *cpu, volatile uint32_t *started);

__attribute__((noreturn)) static void ap_idle_loop(struct percpu *cpu)
{
    for (;;) {
        __asm__ volatile("cli");
        smp_work_fn fn = cpu->work_fn;
        if (fn) {
            fn(cpu->work_arg);
            cpu->work_arg = 0;
            __atomic_store_n(&cpu->work_fn, (smp_work_fn)0, __ATOMIC_RELEASE);
            continue;
        }
        /* sti's one-instruction shadow: a wakeup IPI cannot slip in before hlt. */
        __asm__ volatile("sti; hlt" ::: "memory");
    }
}

void ap_main(struct percpu *cpu, volatile uint32_t *started)
{
    percpu_init(cpu, cpu->index, cpu->apic_id);
    cpu_setup_control_registers();
    gdt_load(cpu);
    idt_load();
    lapic_enable_this_cpu();
    uint32_t actual_apic_id = lapic_id();
    if (actual_apic_id != cpu->apic_id)
        console_printf("cpu: %u: apic id %u, but the MADT said %u\n", cpu->index,
                       actual_apic_id, cpu->apic_id);
    cpu->apic_id = actual_apic_id;
    __atomic_store_n(started, 1, __ATOMIC_RELEASE);   /* the trampoline block is free again */

    console_printf("cpu: %u online (apic %u)\n", cpu->index, cpu->apic_id);
    __atomic_store_n(&cpu->online, true, __ATOMIC_RELEASE);
    __atomic_fetch_add(&cpus_online, 1, __ATOMIC_RELEASE);
    ap_idle_loop(cpu);
}

/* Where the trampoline goes: free low RAM that holds no module and no boot information. */
static uint64_t choose_trampoline_page(const struct mb2_info *info, uint64_t mbi_phys)
{
    struct frame_range busy[MB2_MAX_MODULES + 2];
    uint32_t n = 0;

    busy[n++] = (struct frame_range){ mbi_phys, mbi_phys + info->total_size };
    busy[n++] = (struct frame_range){ (uintptr_t)__image_start, (uintptr_t)__image_end };
    for (uint32_t i = 0; i < info->module_count; i++)
        busy[n++] = (struct frame_range){ info->modules[i].start, info->modules[i].end };
    return lowmem_pick_page(info->mmap, info->mmap_count, busy, n);
}

static void trampoline_install(uint8_t *page)
{
    uint32_t base = (uint32_t)(uintptr_t)page;
    memcpy(page, ap_trampoline_start, AP_TRAMPOLINE_SIZE);
    /* The image holds offsets; real mode needs linear addresses. */
    *(uint32_t *)(page + AP_PARAM_GDT_POINTER + 2) += base;
    *(uint32_t *)(page + AP_PARAM_PM32_JUMP) += base;
    *(uint32_t *)(page + AP_PARAM_CR3) = (uint32_t)(uintptr_t)boot_pml4;
}

static bool ap_start_one(uint8_t *page, struct percpu *cpu)
{
    volatile uint32_t *started = (volatile uint32_t *)(page + AP_PARAM_STARTED);
    *(uint64_t *)(page + AP_PARAM_STACK_TOP) = (uint64_t)(uintptr_t)(cpu->stack + CPU_STACK_SIZE);
    *(uint64_t *)(page + AP_PARAM_PERCPU) = (uint64_t)(uintptr_t)cpu;
    *started = 0;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);

    uint8_t vector = (uint8_t)((uintptr_t)page >> 12);
    if (!lapic_send_init(cpu->apic_id))
        return false;
    udelay(INIT_TO_SIPI_DELAY_US);
    for (int sipi = 0; sipi < 2; sipi++) {
        if (!lapic_send_startup(cpu->apic_id, vector))
            return false;
        uint64_t waited = 0;
        uint64_t limit = sipi == 0 ? SIPI_RETRY_DELAY_US : SMP_AP_START_TIMEOUT_US;
        while (waited < limit) {
            if (__atomic_load_n(started, __ATOMIC_ACQUIRE))
                return true;
            udelay(10);
            waited += 10;
        }
    }
    return false;
}

void smp_start_aps(const struct smp_cpu_candidate *cpus, uint32_t count,
                   const struct mb2_info *info, uint64_t mbi_phys)
{
    struct percpu *bsp = this_cpu();
    uint32_t next_index = 1;
    uint32_t wanted = 1;

    uint64_t page = count > 1 ? choose_trampoline_page(info, mbi_phys) : 0;
    if (count > 1 && !page) {
        console_printf("cpu: no free page below 1 MiB for the AP trampoline; "
                       "running on the boot CPU alone\n");
        count = 0;
    }
    if (page) {
        console_printf("cpu: AP trampoline at 0x%05llx\n", (unsigned long long)page);
        trampoline_install((uint8_t *)(uintptr_t)page);
    }

    uint64_t first_init = rdtsc();
    for (uint32_t i = 0; i < count; i++) {
        if (cpus[i].apic_id == bsp->apic_id)
            continue;
        if (next_index >= CPU_MAX) {
            console_printf("cpu: apic %u beyond the %d-CPU limit, left parked\n",
                           cpus[i].apic_id, CPU_MAX);
            continue;
        }
        wanted++;
        struct percpu *cpu = &percpu_area[next_index];
        cpu->index = next_index;
        cpu->apic_id = cpus[i].apic_id;
        if (ap_start_one((uint8_t *)(uintptr_t)page, cpu)) {
            next_index++;
            /* Each AP prints its own line; wait for it so the log stays in order. */
            while (!__atomic_load_n(&cpu->online, __ATOMIC_ACQUIRE))
                cpu_relax();
        } else {
            console_printf("cpu: apic %u did not start\n", cpus[i].apic_id);
        }
    }
    uint64_t bring_up_tsc = rdtsc() - first_init;

    char ids[CPU_MAX * 11];
    size_t len = 0;
    ids[0] = '\0';
    for (uint32_t i = 0; i < CPU_MAX; i++) {
        if (i == 0 || percpu_area[i].online)
            len += (size_t)fmt_snprintf(ids + len, sizeof(ids) - len, " %u",
                                        percpu_area[i].apic_id);
    }
    if (wanted > 1)
        console_printf("cpu: bring-up took %llu us (tsc %llu) from the first INIT\n",
                       (unsigned long long)timer_tsc_to_us(bring_up_tsc),
                       (unsigned long long)bring_up_tsc);
    console_printf("cpu: %u of %u online: apic%s\n", cpus_online, wanted, ids);
}

static bool smp_post_work(uint32_t index, smp_work_fn fn, void *arg)
{
    if (index >= CPU_MAX || index == this_cpu()->index || !percpu_area[index].online)
        return false;
    struct percpu *cpu = &percpu_area[index];
    while (__atomic_load_n(&cpu->work_fn, __ATOMIC_ACQUIRE))
        cpu_relax();
    cpu->work_arg = arg;
    __atomic_store_n(&cpu->work_fn, fn, __ATOMIC_RELEASE);
    lapic_send_fixed(cpu->apic_id, LAPIC_VECTOR_WAKEUP);
    return true;
}

bool smp_start_on(uint32_t index, smp_work_fn fn, void *arg)
{
    return smp_post_work(index, fn, arg);
}

bool smp_run_on(uint32_t index, smp_work_fn fn, void *arg)
{
    struct percpu *self = this_cpu();
    if (index == self->index) {
        fn(arg);
        return true;
    }
    if (!smp_post_work(index, fn, arg))
        return false;
    while (__atomic_load_n(&percpu_area[index].work_fn, __ATOMIC_ACQUIRE))
        cpu_relax();
    return true;
}

static struct spinlock call_lock = SPINLOCK_INIT;
static void smp_serve_call(struct percpu *cpu);

bool smp_call(uint32_t index, smp_work_fn fn, void *arg, uint64_t timeout_us)
{
    if (index == this_cpu()->index) {
        fn(arg);
        return true;
    }
    if (index >= CPU_MAX || !percpu_area[index].online)
        return false;
    struct percpu *cpu = &percpu_area[index];
    spin_lock(&call_lock, this_cpu_index());
    cpu->call_arg = arg;
    __atomic_store_n(&cpu->call_fn, fn, __ATOMIC_RELEASE);
    lapic_send_fixed(cpu->apic_id, LAPIC_VECTOR_WAKEUP);
    /* The timeout covers being picked up; once running, the call may take as long as it
     * needs (a VMCS dump on a slow serial line takes a second). */
    uint64_t waited = 0;
    bool taken = false;
    while (!(taken = __atomic_load_n(&cpu->call_taken, __ATOMIC_ACQUIRE)) && waited < timeout_us) {
        udelay(10);
        waited += 10;
    }
    if (!taken && __atomic_compare_exchange_n(&cpu->call_fn, &fn, (smp_work_fn)0, false,
                                              __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
        spin_unlock(&call_lock);   /* withdrawn before the CPU saw it */
        return false;
    }
    while (__atomic_load_n(&cpu->call_fn, __ATOMIC_ACQUIRE))
        cpu_relax();
    __atomic_store_n(&cpu->call_taken, false, __ATOMIC_RELEASE);
    spin_unlock(&call_lock);
    return true;
}

void smp_serve_pending_call(void)
{
    struct percpu *cpu = this_cpu();
    if (__atomic_load_n(&cpu->call_fn, __ATOMIC_RELAXED))
        smp_serve_call(cpu);
}

static void smp_serve_call(struct percpu *cpu)
{
    smp_work_fn fn = __atomic_load_n(&cpu->call_fn, __ATOMIC_ACQUIRE);
    if (fn) {
        __atomic_store_n(&cpu->call_taken, true, __ATOMIC_RELEASE);
        cpu->other_work_since_entry = true;
        fn(cpu->call_arg);
        __atomic_store_n(&cpu->call_fn, (smp_work_fn)0, __ATOMIC_RELEASE);
    }
}

void smp_handle_interrupt(uint64_t vector)
{
    /* Spurious interrupts take no EOI (SDM 11.9; the 8259A's IRQ 7 and 15 are its own). */
    if (vector == LAPIC_VECTOR_SPURIOUS || vector == PIC_SPURIOUS_MASTER ||
        vector == PIC_SPURIOUS_SLAVE)
        return;
    lapic_eoi();
    if (vector == LAPIC_VECTOR_WAKEUP)
        smp_serve_call(this_cpu());
}
