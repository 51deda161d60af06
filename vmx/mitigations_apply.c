/* The mitigation plan applied (vmx/mitigations_apply.h; SDM Vol. 4 table 2-2: IA32_SPEC_CTRL,
 * IA32_PRED_CMD, IA32_FLUSH_CMD; Vol. 2B VERW for MD_CLEAR; Intel's L1TF and MDS guidance). */
#include "vmx/mitigations_apply.h"

#include "arch/x86/cpu.h"
#include "arch/x86/cpu_regs.h"
#include "arch/x86/msr.h"
#include "arch/x86/percpu.h"
#include "drivers/console.h"

#define SPEC_CTRL_IBRS      1ull
#define PRED_CMD_IBPB       1ull
#define FLUSH_CMD_L1D       1ull
#define L1D_FLUSH_BYTES     (64u * 1024)    /* twice the largest L1D of the affected parts */
#define CACHE_LINE          64u
#define PAGE                4096u

uint8_t vmx_rsb_fill_on_return;

static uint8_t l1d_flush_buffer[L1D_FLUSH_BYTES] __attribute__((aligned(PAGE)));

/* Without IA32_FLUSH_CMD: every line of the buffer is loaded, which evicts whatever the L1D
 * held. A first pass, one load a page, fills the TLB so that the second pass's loads are not
 * slowed, and reordered, by page walks. */
static void l1d_flush_in_software(void)
{
    const volatile uint8_t *b = l1d_flush_buffer;
    for (uint32_t i = 0; i < L1D_FLUSH_BYTES; i += PAGE)
        (void)b[i];
    for (uint32_t i = 0; i < L1D_FLUSH_BYTES; i += CACHE_LINE)
        (void)b[i];
}

/* VERW of any valid selector, with MD_CLEAR, overwrites the store, fill and load buffers. */
static void clear_cpu_buffers(void)
{
    static const uint16_t data_selector = GDT_SEL_DATA;
    __asm__ volatile("verw %0" : : "m"(data_selector) : "cc");
}

static void entry_clear(enum entry_buffer_clear clear)
{
    switch (clear) {
    case ENTRY_CLEAR_NONE:
        break;
    case ENTRY_CLEAR_L1D_FLUSH_CMD:
        wrmsr(MSR_IA32_FLUSH_CMD, FLUSH_CMD_L1D);
        break;
    case ENTRY_CLEAR_L1D_SOFTWARE:
        l1d_flush_in_software();
        break;
    case ENTRY_CLEAR_VERW:
        clear_cpu_buffers();
        break;
    }
}

void mitigations_adopt(const struct mitigation_plan *plan)
{
    static const char *const names[] = {
        [ENTRY_CLEAR_L1D_FLUSH_CMD] = "L1D flush (IA32_FLUSH_CMD)",
        [ENTRY_CLEAR_L1D_SOFTWARE] = "L1D flush (software)",
        [ENTRY_CLEAR_VERW] = "VERW",
    };
    vmx_rsb_fill_on_return = plan->rsb_fill_after_exit;
    enum entry_buffer_clear clear = mitigation_entry_clear(plan, true);
    if (clear == ENTRY_CLEAR_NONE)
        return;
    entry_clear(clear);             /* once untimed: the buffer's TLB entries and lines are cold */
    uint64_t start = rdtsc();
    entry_clear(clear);
    uint64_t ticks = rdtsc() - start;
    console_printf("mitigations: clear before entry: %s, %llu TSC ticks, after other work only\n",
                   names[clear], (unsigned long long)ticks);
}

void mitigations_apply_this_cpu(const struct mitigation_plan *plan)
{
    if (plan->spectre_v2 != SPECTRE_V2_NONE)
        wrmsr(MSR_IA32_SPEC_CTRL, rdmsr(MSR_IA32_SPEC_CTRL) | SPEC_CTRL_IBRS);
}

void mitigations_partition_start(const struct mitigation_plan *plan)
{
    if (plan->ibpb_on_vcpu_switch)
        wrmsr(MSR_IA32_PRED_CMD, PRED_CMD_IBPB);
    this_cpu()->other_work_since_entry = true;      /* the loader and the set-up ran here */
    mitigations_before_entry(plan);
}

void mitigations_before_entry(const struct mitigation_plan *plan)
{
    struct percpu *cpu = this_cpu();
    enum entry_buffer_clear clear = mitigation_entry_clear(plan, cpu->other_work_since_entry);
    cpu->other_work_since_entry = false;
    if (clear != ENTRY_CLEAR_NONE) {
        entry_clear(clear);
        cpu->entry_clears++;
    }
}
