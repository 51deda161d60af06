/* VMCALL: the hypercall ABI of vcpu/guest_abi.h (SDM Vol. 3C 27.1.2: VMCALL always exits),
 * dispatched through a table by number. */
#include "drivers/console.h"
#include "drivers/timer.h"
#include "vcpu/exit.h"
#include "vcpu/guest_abi.h"

/* Arguments in RDI, RSI; the result goes to RAX. The table's functions are tail-called, so
 * each finishes the exit itself through hypercall_return(). */
typedef enum vcpu_verdict (*hypercall_fn)(struct vcpu *v);

static enum vcpu_verdict hypercall_return(struct vcpu *v, int64_t result)
{
    v->regs.rax = (uint64_t)result;
    return vcpu_advance(v);
}

static enum vcpu_verdict hc_partition_id(struct vcpu *v)
{
    return hypercall_return(v, v->id);
}

static int64_t console_write(struct vcpu *v, uint64_t gpa, uint64_t length)
{
    if (length > TESSERA_HC_CONSOLE_WRITE_MAX)
        return TESSERA_HC_EINVAL;
    const char *bytes = vcpu_gpa_to_host(v, gpa, length);
    if (!bytes)
        return TESSERA_HC_EFAULT;
    for (uint64_t i = 0; i < length; i++)
        v->owner->console_putc(v->owner_ctx, bytes[i]);
    return (int64_t)length;
}

static bool figure_name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_';
}

static int64_t report_figure(struct vcpu *v, uint64_t gpa, uint64_t value)
{
    char name[TESSERA_HC_FIGURE_NAME_MAX + 1];
    for (unsigned i = 0; i <= TESSERA_HC_FIGURE_NAME_MAX; i++) {
        const char *c = vcpu_gpa_to_host(v, gpa + i, 1);
        if (!c)
            return TESSERA_HC_EFAULT;
        name[i] = *c;
        if (*c == '\0')
            break;
        if (!figure_name_char(*c) || i == TESSERA_HC_FIGURE_NAME_MAX)
            return TESSERA_HC_EINVAL;
    }
    if (name[0] == '\0')
        return TESSERA_HC_EINVAL;
    console_printf("bench: %s %s %llu\n", v->name, name, (unsigned long long)value);
    return 0;
}

static enum vcpu_verdict hc_console_write(struct vcpu *v)
{
    return hypercall_return(v, console_write(v, v->regs.rdi, v->regs.rsi));
}

static enum vcpu_verdict hc_report_figure(struct vcpu *v)
{
    return hypercall_return(v, report_figure(v, v->regs.rdi, v->regs.rsi));
}

static enum vcpu_verdict hc_nop(struct vcpu *v)
{
    return hypercall_return(v, 0);
}

static enum vcpu_verdict hc_tsc_khz(struct vcpu *v)
{
    return hypercall_return(v, (int64_t)(timer_calibration()->tsc_hz / 1000));
}

static enum vcpu_verdict hc_refused(struct vcpu *v)
{
    return hypercall_return(v, TESSERA_HC_EINVAL);
}

static enum vcpu_verdict hc_unknown(struct vcpu *v)
{
    return hypercall_return(v, TESSERA_HC_ENOSYS);
}

static const hypercall_fn hypercalls[TESSERA_HC_COUNT] = {
    [TESSERA_HC_PARTITION_ID] = hc_partition_id,
    [TESSERA_HC_CONSOLE_WRITE] = hc_console_write,
    [TESSERA_HC_REPORT_FIGURE] = hc_report_figure,
    [TESSERA_HC_NOP] = hc_nop,
    [TESSERA_HC_TSC_KHZ] = hc_tsc_khz,
};

enum vcpu_verdict exit_vmcall(struct vcpu *v)
{
    uint64_t number = v->regs.rax;
    if (vcpu_guest_cpl() != 0)
        return hc_refused(v);       /* the guest kernel's, not its applications' */
    if (number >= TESSERA_HC_COUNT)
        return hc_unknown(v);
    return hypercalls[number](v);
}
