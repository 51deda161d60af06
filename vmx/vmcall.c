/* VMCALL: the hypercall ABI of guest/guest_abi.h (SDM Vol. 3C 27.1.2: VMCALL always exits). */
#include "drivers/console.h"
#include "drivers/timer.h"
#include "guest/guest_abi.h"
#include "guest/partition_run.h"
#include "vmx/exit.h"

/* Out of line: keeps the common hypercalls' path free of this one's stack frame. */
__attribute__((noinline)) static int64_t hc_console_write(struct partition *p, uint64_t gpa, uint64_t length)
{
    if (length > TESSERA_HC_CONSOLE_WRITE_MAX)
        return TESSERA_HC_EINVAL;
    const char *bytes = partition_gpa_to_host(p, gpa, length);
    if (!bytes)
        return TESSERA_HC_EFAULT;
    for (uint64_t i = 0; i < length; i++)
        partition_console_putc(p, bytes[i]);
    return (int64_t)length;
}

static bool figure_name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_';
}

__attribute__((noinline)) static int64_t hc_report_figure(struct partition *p, uint64_t gpa, uint64_t value)
{
    char name[TESSERA_HC_FIGURE_NAME_MAX + 1];
    for (unsigned i = 0; i <= TESSERA_HC_FIGURE_NAME_MAX; i++) {
        const char *c = partition_gpa_to_host(p, gpa + i, 1);
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
    console_printf("bench: %s %s %llu\n", p->config->name, name, (unsigned long long)value);
    return 0;
}

enum exit_action exit_vmcall(struct vcpu *v, const struct exit_info *e)
{
    (void)e;
    struct partition *p = v->partition;
    struct guest_regs *r = &v->regs;
    int64_t result;

    if (exit_guest_cpl() != 0) {
        result = TESSERA_HC_EINVAL;
    } else {
        switch (r->rax) {
        case TESSERA_HC_PARTITION_ID:
            result = p->id;
            break;
        case TESSERA_HC_CONSOLE_WRITE:
            result = hc_console_write(p, r->rdi, r->rsi);
            break;
        case TESSERA_HC_REPORT_FIGURE:
            result = hc_report_figure(p, r->rdi, r->rsi);
            break;
        case TESSERA_HC_NOP:
            result = 0;
            break;
        case TESSERA_HC_TSC_KHZ:
            result = (int64_t)(timer_calibration()->tsc_hz / 1000);
            break;
        default:
            result = TESSERA_HC_ENOSYS;
            break;
        }
    }
    r->rax = (uint64_t)result;
    return EXIT_ADVANCE;
}
