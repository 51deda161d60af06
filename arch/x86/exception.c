/* Exceptions inside the hypervisor: a report on the console, then this CPU halts (SDM Vol. 3, 7.15). */
#include "arch/x86/exception.h"

#include "arch/x86/cpu.h"
#include "arch/x86/idt.h"
#include "arch/x86/lapic.h"
#include "arch/x86/percpu.h"
#include "arch/x86/smp.h"
#include "drivers/console.h"
#include "lib/string.h"

static const char *const exception_mnemonics[IDT_EXCEPTIONS] = {
    "#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM",
    "#DF", "#CSO", "#TS", "#NP", "#SS", "#GP", "#PF", "#15",
    "#MF", "#AC", "#MC", "#XM", "#VE", "#CP", "#22", "#23",
    "#24", "#25", "#26", "#27", "#HV", "#VC", "#SX", "#31",
};

static const char *const exception_names[IDT_EXCEPTIONS] = {
    "divide error", "debug", "non-maskable interrupt", "breakpoint",
    "overflow", "bound range exceeded", "invalid opcode", "device not available",
    "double fault", "coprocessor segment overrun", "invalid TSS", "segment not present",
    "stack-segment fault", "general protection", "page fault", "reserved",
    "x87 floating-point error", "alignment check", "machine check", "SIMD floating-point",
    "virtualization exception", "control protection", "reserved", "reserved",
    "reserved", "reserved", "reserved", "reserved",
    "hypervisor injection", "VMM communication", "security exception", "reserved",
};

const char *exception_mnemonic(unsigned vector)
{
    return vector < IDT_EXCEPTIONS ? exception_mnemonics[vector] : "#??";
}

const char *exception_name(unsigned vector)
{
    return vector < IDT_EXCEPTIONS ? exception_names[vector] : "unknown vector";
}

/* (faulting RIP, resume RIP) pairs emitted by rdmsr_safe() and friends (linker.ld). */
struct exception_fixup {
    uint64_t fault_rip;
    uint64_t resume_rip;
};
extern const struct exception_fixup __fixup_start[], __fixup_end[];

static bool exception_fixup(struct exception_frame *f)
{
    for (const struct exception_fixup *x = __fixup_start; x < __fixup_end; x++) {
        if (x->fault_rip == f->rip) {
            f->rip = x->resume_rip;
            return true;
        }
    }
    return false;
}

void exception_handle(struct exception_frame *f)
{
    if (f->vector >= IDT_EXCEPTIONS) {
        smp_handle_interrupt(f->vector);
        return;
    }

    if (f->vector == 13 && exception_fixup(f))
        return;
    /* An NMI is an event, not a fault (a BMC watchdog, a debugger, a sibling's panic):
     * say so and go on rather than stop the CPU. With NMI exiting, NMIs during a guest
     * arrive as exits instead (vmx/exit_misc.c). */
    if (f->vector == 2) {
        struct percpu *self = this_cpu();
        if (self)
            self->other_work_since_entry = true;    /* the console's buffers went through it */
        console_log(LOG_WARN, "exception: NMI on cpu %u at rip 0x%016lx, ignored\n",
                    self ? self->index : 0, f->rip);
        return;
    }

    struct percpu *cpu = this_cpu();
    unsigned index = cpu ? cpu->index : 0;

    /* A fault while reporting a fault: stop quietly rather than loop. */
    if (cpu && cpu->in_exception)
        cpu_halt_forever();
    if (cpu)
        cpu->in_exception = true;

    console_emergency();
    console_printf("exception: %s %s on cpu %u\n", exception_mnemonic((unsigned)f->vector),
                   exception_name((unsigned)f->vector), index);
    console_printf("exception:   rip 0x%016lx cs 0x%04lx rflags 0x%016lx error 0x%lx\n",
                   f->rip, f->cs, f->rflags, f->error_code);
    console_printf("exception:   rsp 0x%016lx ss 0x%04lx cr2 0x%016lx cr3 0x%016lx\n",
                   f->rsp, f->ss, read_cr2(), read_cr3());
    console_printf("exception:   rax 0x%016lx rbx 0x%016lx rcx 0x%016lx rdx 0x%016lx\n",
                   f->rax, f->rbx, f->rcx, f->rdx);
    console_printf("exception:   rsi 0x%016lx rdi 0x%016lx rbp 0x%016lx r8  0x%016lx\n",
                   f->rsi, f->rdi, f->rbp, f->r8);
    console_printf("exception:   r9  0x%016lx r10 0x%016lx r11 0x%016lx r12 0x%016lx\n",
                   f->r9, f->r10, f->r11, f->r12);
    console_printf("exception:   r13 0x%016lx r14 0x%016lx r15 0x%016lx\n", f->r13, f->r14,
                   f->r15);
    if (cpu && cpu->fault_resume_rip && cpu->fault_resume_rsp && *cpu->fault_resume_rsp) {
        /* A fault while this CPU served a guest: the guest's run ends there, the CPU goes on
         * serving (the vCPU layer reports the stop). Once only: the point is cleared. */
        console_printf("exception: cpu %u stops the guest it runs and goes on\n", index);
        f->rip = cpu->fault_resume_rip;
        f->rsp = *cpu->fault_resume_rsp;
        cpu->fault_resume_rip = 0;
        cpu->in_exception = false;
        return;
    }
    console_printf("exception: cpu %u halted\n", index);
    console_flush(true);
    cpu_halt_forever();
}

void exception_selftest(const char *which)
{
    console_printf("selftest: raising %s on purpose\n", which);
    if (strcmp(which, "ud") == 0) {
        __asm__ volatile("ud2");
    } else if (strcmp(which, "pf") == 0) {
        /* 16 TiB: outside the boot identity map, so not present. */
        volatile uint64_t *unmapped = (volatile uint64_t *)0x100000000000ULL;
        (void)*unmapped;
    } else if (strcmp(which, "gp") == 0) {
        volatile uint64_t *non_canonical = (volatile uint64_t *)0x8000000000000000ULL;
        (void)*non_canonical;
    } else if (strcmp(which, "de") == 0) {
        volatile uint32_t zero = 0;
        volatile uint32_t quotient = 1 / zero;
        (void)quotient;
    } else if (strcmp(which, "df") == 0) {
        /* A fault with an unusable stack: delivering #UD faults too, so the CPU
         * raises #DF, which only arrives because it has its own IST stack. */
        __asm__ volatile("movabs $0x100000000000, %%rsp\n\tud2" ::: "memory");
    } else if (strcmp(which, "nmi") == 0) {
        /* Not a fault: the report says so and boot goes on. */
        lapic_send_nmi_self();
        for (volatile int spin = 0; spin < 100000; spin++)
            ;
    } else {
        console_printf("selftest: unknown \"%s\" (ud, pf, gp, de, df, nmi), ignored\n", which);
    }
}
