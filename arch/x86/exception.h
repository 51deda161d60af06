/* Exceptions inside the hypervisor: the frame the entry stubs build, and the report. */
#ifndef ARCH_X86_EXCEPTION_H
#define ARCH_X86_EXCEPTION_H

#include <stdint.h>

/* Layout pushed by arch/x86/exception_stubs.S, lowest address first. */
struct exception_frame {
    uint64_t rax, rbx, rcx, rdx, rsi, rdi, rbp;
    uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
    uint64_t vector;
    uint64_t error_code;
    /* pushed by the CPU */
    uint64_t rip, cs, rflags, rsp, ss;
};
_Static_assert(sizeof(struct exception_frame) == 22 * 8, "exception frame layout matches the stubs");

/* Mnemonic and name of an exception vector, e.g. "#UD", "invalid opcode". */
const char *exception_mnemonic(unsigned vector);
const char *exception_name(unsigned vector);

/* Called by the stubs: interrupts (vector >= 32) go to their handler; an
 * exception prints the report and halts this CPU. */
void exception_handle(struct exception_frame *frame);

/* Raises an exception on purpose (kernel command line `selftest=ud|pf|gp|de|df|nmi`),
 * so the tests can check the report. Unknown names are reported and ignored. */
void exception_selftest(const char *which);

#endif
