/* testguest: checks what a tessera partition promises (guest/guest_abi.h) and
 * prints one line per check on COM1, then a heartbeat forever, echoing what it is typed.
 * Command line:
 *   heartbeat=<cycles>   TSC cycles between heartbeat lines (default: half a second by
 *                        the TSC frequency tessera reports, else 20000000)
 *   heartbeat=off        no heartbeat: quiet after the checks, answering only to input
 *   memtest=off          skip the memory test (large partitions on slow emulators) */
#include "guest/images/testguest/testguest.h"

#include "lib/cmdline.h"

#define HEARTBEAT_DEFAULT   20000000ull     /* when tessera does not say the TSC frequency */
#define HEARTBEAT_MS        500ull
#define MEMORY_PATTERN      0x5a5a5a5a5a5a5a5aull
#define OPTION_MAX          32

struct options {
    uint64_t heartbeat_cycles;      /* also paces the input polling when there is no heartbeat */
    bool heartbeat;
    bool memtest;
    bool mmiotest;                  /* run the MMIO instruction forms on the test device */
    bool eventtest;                 /* an interrupt whose delivery exits on the test device */
};

static void halt_forever(void)
{
    for (;;)
        __asm__ volatile("cli\n\thlt");
}

/* Stops on anything that would make the later steps unsafe: the memory test
 * overwrites [free_start, memory_size), so nothing we run on may lie there. */
static void check_boot_params(const struct tessera_boot_params *bp, uint64_t entry_rsp)
{
    uint64_t bp_end = guest_gpa(bp) + sizeof(*bp);
    const char *why = NULL;

    if (bp->magic != TESSERA_BOOT_MAGIC) {
        guest_print("testguest: bad boot parameters");
        halt_forever();
    }
    if (bp->version != TESSERA_BOOT_VERSION)
        why = "version is not 1";
    else if (bp->image_start > bp->image_end || bp->image_end > bp->free_start)
        why = "image not below free_start";
    else if (bp->free_start > bp->memory_size)
        why = "free_start past memory_size";
    else if (bp_end > bp->free_start)
        why = "block not below free_start";
    else if (bp->stack_top > bp->free_start || entry_rsp > bp->free_start)
        why = "stack not below free_start";
    else if (bp->name[TESSERA_BOOT_NAME_MAX - 1] || bp->cmdline[TESSERA_BOOT_CMDLINE_MAX - 1])
        why = "name or cmdline not NUL-terminated";
    if (why) {
        guest_print("testguest: bad boot parameters: %s (version %u, memory 0x%llx, image "
                    "0x%llx-0x%llx, free 0x%llx, stack 0x%llx, rsp 0x%llx, block 0x%llx)",
                    why, bp->version, (unsigned long long)bp->memory_size,
                    (unsigned long long)bp->image_start, (unsigned long long)bp->image_end,
                    (unsigned long long)bp->free_start, (unsigned long long)bp->stack_top,
                    (unsigned long long)entry_rsp, (unsigned long long)guest_gpa(bp));
        halt_forever();
    }
    if (entry_rsp != bp->stack_top)
        guest_print("testguest: FAIL rsp 0x%llx at entry, stack_top 0x%llx",
                    (unsigned long long)entry_rsp, (unsigned long long)bp->stack_top);
}

/* "off" or "0" */
static bool option_is_off(const char *value)
{
    return (value[0] == 'o' && value[1] == 'f' && value[2] == 'f' && !value[3]) ||
           (value[0] == '0' && !value[1]);
}

static void parse_options(const char *cmdline, struct options *opt)
{
    char value[OPTION_MAX];

    /* Half a second of real time, whatever the CPU: 20 M cycles is 7 ms on real hardware. */
    int64_t tsc_khz = guest_hypercall(TESSERA_HC_TSC_KHZ, 0, 0, 0);
    opt->heartbeat_cycles = tsc_khz > 0 ? (uint64_t)tsc_khz * HEARTBEAT_MS : HEARTBEAT_DEFAULT;
    opt->heartbeat = true;
    opt->memtest = true;
    if (cmdline_get(cmdline, "heartbeat", value, sizeof(value))) {
        uint64_t cycles;
        if (option_is_off(value))
            opt->heartbeat = false;
        else if (cmdline_parse_u64(value, &cycles) && cycles > 0)
            opt->heartbeat_cycles = cycles;
        else
            guest_print("testguest: heartbeat=%s is neither off nor a positive number, "
                        "using %llu", value, (unsigned long long)opt->heartbeat_cycles);
    }
    if (cmdline_get(cmdline, "memtest", value, sizeof(value)))
        opt->memtest = !option_is_off(value);
    opt->mmiotest = cmdline_get(cmdline, "mmiotest", value, sizeof(value)) &&
                    !option_is_off(value);
    opt->eventtest = cmdline_get(cmdline, "eventtest", value, sizeof(value)) &&
                     !option_is_off(value);
}

static void say_hello(const struct tessera_boot_params *bp)
{
    guest_print("hello from partition %u (%s), %llu MiB", bp->partition_id, bp->name,
                (unsigned long long)(bp->memory_size / MIB));

    int64_t id = guest_hypercall(TESSERA_HC_PARTITION_ID, 0, 0, 0);
    if (id != (int64_t)bp->partition_id)
        guest_print("hello: FAIL partition id hypercall returned %lld, boot parameters say %u",
                    (long long)id, bp->partition_id);
}

/* One hypercall's result against the expected one; false (and a line) if it differs. */
static bool expect_hypercall(const char *what, int64_t got, int64_t expected)
{
    if (got == expected)
        return true;
    guest_print("hypercalls: FAIL %s returned %lld, expected %lld",
                what, (long long)got, (long long)expected);
    return false;
}

static void check_hypercalls(const struct tessera_boot_params *bp)
{
    static const char text[] = "console: written by hypercall\n";
    const int64_t len = (int64_t)sizeof(text) - 1;
    bool ok = true;

    ok &= expect_hypercall("console write",
                           guest_hypercall(TESSERA_HC_CONSOLE_WRITE, guest_gpa(text),
                                           (uint64_t)len, 0),
                           len);
    ok &= expect_hypercall("console write of 4097 bytes",
                           guest_hypercall(TESSERA_HC_CONSOLE_WRITE, guest_gpa(text),
                                           TESSERA_HC_CONSOLE_WRITE_MAX + 1, 0),
                           TESSERA_HC_EINVAL);
    ok &= expect_hypercall("console write outside guest memory",
                           guest_hypercall(TESSERA_HC_CONSOLE_WRITE, bp->memory_size, 1, 0),
                           TESSERA_HC_EFAULT);
    ok &= expect_hypercall("hypercall 1000",
                           guest_hypercall(1000, 0, 0, 0), TESSERA_HC_ENOSYS);
    int64_t tsc_khz = guest_hypercall(TESSERA_HC_TSC_KHZ, 0, 0, 0);
    if (tsc_khz <= 0) {
        guest_print("hypercalls: FAIL tsc frequency returned %lld, expected > 0",
                    (long long)tsc_khz);
        ok = false;
    }
    if (ok)
        guest_print("hypercalls: ok");
}

static void signature_text(const struct cpuid_regs *r, char out[13])
{
    const uint32_t words[3] = { r->ebx, r->ecx, r->edx };

    for (int i = 0; i < 12; i++) {
        char c = (char)(words[i / 4] >> (8 * (i % 4)));
        out[i] = c >= 0x20 && c < 0x7f && c != '"' ? c : '.';
    }
    out[12] = '\0';
}

static void check_cpuid(void)
{
    struct cpuid_regs leaf1 = guest_cpuid(1, 0);
    struct cpuid_regs hv = guest_cpuid(TESSERA_CPUID_LEAF_SIGNATURE, 0);
    bool vmx = (leaf1.ecx & TESSERA_CPUID_1_ECX_VMX) != 0;
    bool hypervisor = (leaf1.ecx & TESSERA_CPUID_1_ECX_HYPERVISOR) != 0;
    bool signature = hv.ebx == TESSERA_CPUID_SIGNATURE_EBX &&
                     hv.ecx == TESSERA_CPUID_SIGNATURE_ECX &&
                     hv.edx == TESSERA_CPUID_SIGNATURE_EDX;
    char seen[13];

    signature_text(&hv, seen);
    if (!vmx && hypervisor && signature && hv.eax == TESSERA_CPUID_LEAF_MAX)
        guest_print("cpuid: vmx hidden, hypervisor bit set, signature \"%s\"", seen);
    else
        guest_print("cpuid: FAIL vmx %d, hypervisor bit %d, signature \"%s\", max leaf 0x%x",
                    vmx, hypervisor, seen, hv.eax);
}

/* Every 8-byte word of [free_start, memory_size) gets its own address XOR a
 * pattern, so a word written to the wrong place or aliased reads back wrong. */
static void check_memory(const struct tessera_boot_params *bp)
{
    uint64_t start = (bp->free_start + 7) & ~7ull;
    uint64_t end = bp->memory_size & ~7ull;

    for (uint64_t a = start; a < end; a += 8)
        *(volatile uint64_t *)(uintptr_t)a = a ^ MEMORY_PATTERN;
    for (uint64_t a = start; a < end; a += 8) {
        uint64_t got = *(volatile uint64_t *)(uintptr_t)a;
        if (got != (a ^ MEMORY_PATTERN)) {
            guest_print("memory: FAIL at 0x%llx read 0x%llx expected 0x%llx",
                        (unsigned long long)a, (unsigned long long)got,
                        (unsigned long long)(a ^ MEMORY_PATTERN));
            return;
        }
    }
    guest_print("memory: %llu MiB from 0x%llx ok", (unsigned long long)((end - start) / MIB),
                (unsigned long long)start);
}

/* Echoes what the console sends this partition (when it has the focus), one line per byte,
 * so the tests can see keyboard input reach a guest. */
static void echo_input(void)
{
    while (inb(TESSERA_COM1_LSR) & TESSERA_COM1_LSR_DATA_READY)
        guest_print("input 0x%02x", inb(TESSERA_COM1_RBR));
}

/* One line every `cycles` TSC cycles, or none when !print; if printing ever falls behind,
 * the schedule restarts from now instead of printing a burst. Input is polled every
 * cycles/64 meanwhile (each poll is an exit, so not in a tight loop). */
static void heartbeat_forever(uint64_t cycles, bool print)
{
    uint64_t next = guest_tsc() + cycles;
    uint64_t poll_every = cycles / 64 ? cycles / 64 : 1, next_poll = guest_tsc();

    for (uint64_t k = 1;; k++) {
        while ((int64_t)(guest_tsc() - next) < 0) {
            if ((int64_t)(guest_tsc() - next_poll) >= 0) {
                echo_input();
                next_poll = guest_tsc() + poll_every;
            }
            guest_pause();
        }
        if (print)
            guest_print("heartbeat %llu", (unsigned long long)k);
        next += cycles;
        uint64_t now = guest_tsc();
        if ((int64_t)(now - next) > 0)
            next = now + cycles;
    }
}

/* String I/O on emulated ports: REP OUTSB of a whole line to COM1, and REP INSW from the
 * POST-code port, which no device claims, so every word reads as all ones. */
static void check_string_io(void)
{
    static const char line[] = "string I/O: rep outsb reached COM1\n";
    const char *src = line;
    uint64_t count = sizeof(line) - 1;
    __asm__ volatile("cld\n\trep outsb" : "+S"(src), "+c"(count) : "d"(TESSERA_COM1_THR)
                     : "memory");
    uint16_t words[4] = { 0, 0, 0, 0 };
    uint16_t *dst = words;
    count = 4;
    __asm__ volatile("cld\n\trep insw" : "+D"(dst), "+c"(count) : "d"(TESSERA_PORT_POST)
                     : "memory");
    bool ok = dst == words + 4 && count == 0;
    for (unsigned i = 0; i < 4; i++)
        ok &= words[i] == 0xFFFF;
    guest_print(ok ? "string I/O: rep insw from an empty port ok"
                   : "string I/O: FAIL rep insw from an empty port");
}

void testguest_main(const struct tessera_boot_params *params, uint64_t entry_rsp)
{
    struct options opt;

    check_boot_params(params, entry_rsp);
    parse_options(params->cmdline, &opt);
    say_hello(params);
    check_hypercalls(params);
    check_string_io();
    check_cpuid();
    if (opt.memtest)
        check_memory(params);
    else
        guest_print("memory: test skipped (memtest=off)");
    if (opt.mmiotest)
        tg_mmio_check();
    if (opt.eventtest)
        tg_event_delivery_check();
    tg_bench_round_trips();
    heartbeat_forever(opt.heartbeat_cycles, opt.heartbeat);
}
