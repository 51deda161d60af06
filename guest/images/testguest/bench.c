/* testguest round trips: TSC cycles for one exiting instruction (CPUID, VMCALL,
 * OUT to a dropped port), measured from inside the guest, the best of BENCH_RUNS. Under Bochs one TSC
 * tick is one instruction, so the figure is the exit path's instruction count + 1. */
#include "guest/images/testguest/testguest.h"

#define BENCH_ITERATIONS    1000
#define BENCH_WARMUP        10
/* The best of several runs: the hypervisor's periodic slot (every 10 ms of host time, the
 * boot CPU's console output among its work) may land inside one run and is not the
 * instruction's cost. */
#define BENCH_RUNS          5

/* A loop of n executions of one asm statement between two fenced TSC reads.
 * Each exiting instruction gets a twin loop without it (same set-up
 * instructions, same clobbers, so the same code around it): the difference of
 * the two is the instruction's cost alone. */
#define DEFINE_TIMED_LOOP(name, ...)                        \
    static uint64_t name(uint32_t n)                        \
    {                                                       \
        uint64_t start = guest_tsc();                       \
        for (uint32_t i = 0; i < n; i++)                    \
            __asm__ volatile(__VA_ARGS__);                  \
        return guest_tsc() - start;                         \
    }

DEFINE_TIMED_LOOP(loop_cpuid,
                  "xor %%eax, %%eax\n\txor %%ecx, %%ecx\n\tcpuid"
                  : : : "rax", "rbx", "rcx", "rdx", "memory")
DEFINE_TIMED_LOOP(loop_cpuid_setup,
                  "xor %%eax, %%eax\n\txor %%ecx, %%ecx"
                  : : : "rax", "rbx", "rcx", "rdx", "memory")
DEFINE_TIMED_LOOP(loop_vmcall,
                  "mov %0, %%eax\n\tvmcall"
                  : : "i"(TESSERA_HC_NOP) : "rax", "memory")
DEFINE_TIMED_LOOP(loop_vmcall_setup,
                  "mov %0, %%eax"
                  : : "i"(TESSERA_HC_NOP) : "rax", "memory")
DEFINE_TIMED_LOOP(loop_out,
                  "xor %%eax, %%eax\n\toutb %%al, %0"
                  : : "i"(TESSERA_PORT_POST) : "rax", "memory")
DEFINE_TIMED_LOOP(loop_out_setup,
                  "xor %%eax, %%eax"
                  : : "i"(TESSERA_PORT_POST) : "rax", "memory")

/* A byte to the virtual UART's THR: the whole trapped path through the 16550 model and
 * the line queue. '\r' is dropped by the line queue, so the console stays clean. */
DEFINE_TIMED_LOOP(loop_uart,
                  "mov $0x0d, %%eax\n\tmov %0, %%edx\n\toutb %%al, %%dx"
                  : : "i"(TESSERA_COM1_THR) : "rax", "rdx", "memory")
DEFINE_TIMED_LOOP(loop_uart_setup,
                  "mov $0x0d, %%eax\n\tmov %0, %%edx"
                  : : "i"(TESSERA_COM1_THR) : "rax", "rdx", "memory")

typedef uint64_t (*timed_loop_fn)(uint32_t n);

/* Average cycles of the instruction alone, never below 0 (noise on hardware). */
static uint64_t round_trip(timed_loop_fn with, timed_loop_fn without)
{
    with(BENCH_WARMUP);
    without(BENCH_WARMUP);
    uint64_t best = UINT64_MAX;
    for (int run = 0; run < BENCH_RUNS; run++) {
        uint64_t total = with(BENCH_ITERATIONS);
        uint64_t overhead = without(BENCH_ITERATIONS);
        uint64_t each = total > overhead ? (total - overhead) / BENCH_ITERATIONS : 0;
        if (each < best)
            best = each;
    }
    return best;
}

static void report_figure(const char *name, uint64_t value)
{
    int64_t r = guest_hypercall(TESSERA_HC_REPORT_FIGURE, guest_gpa(name), value, 0);

    if (r < 0)
        guest_print("bench: FAIL report of %s returned %lld", name, (long long)r);
}

void tg_bench_round_trips(void)
{
    uint64_t cpuid = round_trip(loop_cpuid, loop_cpuid_setup);
    uint64_t vmcall = round_trip(loop_vmcall, loop_vmcall_setup);
    uint64_t out = round_trip(loop_out, loop_out_setup);

    guest_print("bench: cpuid %llu vmcall %llu out %llu cycles",
                (unsigned long long)cpuid, (unsigned long long)vmcall, (unsigned long long)out);
    report_figure("cpuid_round_trip", cpuid);
    report_figure("vmcall_round_trip", vmcall);
    report_figure("out_round_trip", out);
    report_figure("uart_write_round_trip", round_trip(loop_uart, loop_uart_setup));
}
