/* The fake VMCS, host CPU and owner of tests/unit/vcpu_fakes.h. */
#include "tests/unit/vcpu_fakes.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "drivers/console.h"
#include "drivers/timer.h"
#include "vcpu/hw.h"
#include "vcpu/report.h"
#include "vmx/vmcs_setup.h"
#include "vmx/vmx_controls.h"
#include "vmx/vmxon.h"

struct fake_world fake;
struct vmx_config vmx_negotiated;

static struct cpuid_regs default_cpuid(uint32_t leaf, uint32_t subleaf)
{
    (void)subleaf;
    return (struct cpuid_regs){ leaf, 0x11111111u, 0x22222222u, 0x33333333u };
}

void fake_vmcs_set(uint32_t field, uint64_t value)
{
    for (unsigned i = 0; i < fake.vmcs_count; i++)
        if (fake.vmcs[i].field == field) {
            fake.vmcs[i].value = value;
            return;
        }
    if (fake.vmcs_count < FAKE_VMCS_FIELDS) {
        fake.vmcs[fake.vmcs_count].field = field;
        fake.vmcs[fake.vmcs_count++].value = value;
    }
}

uint64_t fake_vmcs_get(uint32_t field)
{
    for (unsigned i = 0; i < fake.vmcs_count; i++)
        if (fake.vmcs[i].field == field)
            return fake.vmcs[i].value;
    return 0;
}

void fake_msr_set(uint32_t index, uint64_t value)
{
    for (unsigned i = 0; i < fake.msr_count; i++)
        if (fake.msrs[i].index == index) {
            fake.msrs[i].value = value;
            return;
        }
    if (fake.msr_count < FAKE_MSRS) {
        fake.msrs[fake.msr_count].index = index;
        fake.msrs[fake.msr_count].value = value;
        fake.msrs[fake.msr_count++].present = true;
    }
}

/* ---- vcpu/hw.h ------------------------------------------------------------------------- */

uint64_t vcpu_vmread(enum vmcs_field field) { return fake_vmcs_get(field); }
void vcpu_vmwrite(enum vmcs_field field, uint64_t value) { fake_vmcs_set(field, value); }
struct cpuid_regs vcpu_host_cpuid(uint32_t leaf, uint32_t subleaf) { return fake.cpuid(leaf, subleaf); }
uint64_t vcpu_host_rdtsc(void) { return 1000; }
uint64_t vcpu_host_cr4(void) { return fake.cr4; }

bool vcpu_host_rdmsr(uint32_t msr, uint64_t *value)
{
    for (unsigned i = 0; i < fake.msr_count; i++)
        if (fake.msrs[i].index == msr) {
            *value = fake.msrs[i].value;
            return true;
        }
    return false;       /* the fixup's answer: this CPU has no such MSR */
}

bool vcpu_host_wrmsr(uint32_t msr, uint64_t value)
{
    for (unsigned i = 0; i < fake.msr_count; i++)
        if (fake.msrs[i].index == msr) {
            fake.msrs[i].value = value;
            return true;
        }
    return false;
}

uint32_t vcpu_host_in(uint16_t port, unsigned size)
{
    (void)port;
    (void)size;
    return fake.in_value;
}

void vcpu_host_out(uint16_t port, unsigned size, uint32_t value)
{
    (void)size;
    fake.last_out_port = port;
    fake.last_out_value = value;
}

void vcpu_host_xsetbv(uint32_t xcr, uint64_t value)
{
    (void)xcr;
    fake.xcr0 = value;
    fake.xsetbv_calls++;
}

uint64_t vcpu_host_xgetbv0(void) { return fake.xcr0; }

void vcpu_host_invvpid_single(uint16_t vpid) { (void)vpid; }

void vcpu_guest_write_cr2(uint64_t value) { fake.cr2 = value; }
uint64_t vcpu_guest_read_dr6(void) { return fake.dr6; }
void vcpu_guest_write_dr6(uint64_t value) { fake.dr6 = value; }
void vcpu_host_note_other_work(void) { fake.other_work = true; }
bool vcpu_host_did_other_work(void) { return fake.other_work; }

void vcpu_host_clear_before_entry(void)
{
    if (fake.other_work)
        fake.entry_clears++;
    fake.other_work = false;
}

/* ---- what the handlers link against outside vcpu/ --------------------------------------- */

void console_printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(fake.printed + fake.printed_len, FAKE_CONSOLE_MAX - fake.printed_len, fmt, ap);
    va_end(ap);
    if (n > 0)
        fake.printed_len += (unsigned)n < FAKE_CONSOLE_MAX - fake.printed_len
                                ? (unsigned)n : FAKE_CONSOLE_MAX - 1 - fake.printed_len;
}

static const struct timer_calibration calibration = { 2000000000ull, 100000000ull, true };
const struct timer_calibration *timer_calibration(void) { return &calibration; }
void smp_serve_pending_call(void) {}
void smp_handle_interrupt(uint64_t vector) { (void)vector; }

/* The guest owns every CR bit here except CR0.NE and CR4.VMXE, which VMX fixes to 1. */
uint64_t vmcs_guest_cr0_actual(uint64_t wanted) { return wanted | (1u << 5) | fake.cr0_forced; }
uint64_t vmcs_guest_cr4_actual(uint64_t wanted) { return wanted | (1u << 13); }

void vcpu_report_stop(struct vcpu *v, const struct vcpu_exit_record *x)
{
    (void)x;
    v->state = VCPU_STOPPED;
    v->owner->stopped(v->owner_ctx, v, v->stop_reason);
}

void vcpu_report_entry_failure(struct vcpu *v, const struct vcpu_exit_record *x)
{
    vcpu_report_stop(v, x);
}

/* ---- the owner -------------------------------------------------------------------------- */

static void owner_stopped(void *ctx, struct vcpu *v, const char *reason)
{
    (void)ctx;
    (void)v;
    snprintf(fake.stopped_reason, sizeof(fake.stopped_reason), "%s", reason);
    fake.stopped_calls++;
}

static void owner_tick(void *ctx, struct vcpu *v)
{
    (void)ctx;
    (void)v;
    fake.ticks++;
}

static bool owner_port_granted(void *ctx, uint16_t port, bool write)
{
    (void)ctx;
    (void)port;
    return write ? fake.grant_ports_write : fake.grant_ports_read;
}

static bool owner_msr_granted(void *ctx, uint32_t msr, bool write)
{
    (void)ctx;
    (void)msr;
    (void)write;
    return fake.grant_msrs;
}

static void owner_console_putc(void *ctx, char c)
{
    (void)ctx;
    if (fake.console_len < FAKE_CONSOLE_MAX - 1)
        fake.console[fake.console_len++] = c;
}

static bool owner_map_device_page(void *ctx, uint64_t gpa, uint64_t hpa)
{
    (void)ctx;
    fake.mapped_gpa = gpa;
    fake.mapped_hpa = hpa;
    return true;
}

static const struct vcpu_owner_ops fake_owner = {
    owner_stopped, owner_tick, owner_port_granted, owner_msr_granted, owner_console_putc,
    owner_map_device_page, 0,
};

void fake_reset(struct vcpu *v, void *mem, uint64_t mem_size)
{
    memset(&fake, 0, sizeof(fake));
    fake.cpuid = default_cpuid;
    memset(v, 0, sizeof(*v));
    v->name = "test";
    v->id = 3;
    v->owner = &fake_owner;
    v->memory_hpa = (uint64_t)(uintptr_t)mem;
    v->memory_size = mem_size;
    v->state = VCPU_RUNNING;
    v->last_dropped_key = UINT64_MAX;
    events_init(&v->events, 0);
    memset(&vmx_negotiated, 0, sizeof(vmx_negotiated));
    vmx_negotiated.caps.cr4_fixed1 = 0x3727FF;
    v->cr4_allowed = 0x3727FF & ~(1ull << 13);      /* all but VMXE, as a table with them all */
    vmx_negotiated.caps.activity_hlt = true;
    vmx_negotiated.caps.ctl[VMX_CTL_PRIMARY].allowed1 = 0xFFFFFFFFu;   /* every window exists */
}
