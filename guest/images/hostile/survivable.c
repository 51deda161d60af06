/* hostile's survivable scenarios: attacks tessera must absorb while the guest keeps
 * running. Each records what it saw and returns whether that is the contained outcome
 * docs/HOSTILE.md promises. */
#include "guest/images/hostile/attempts.h"

#include "lib/format.h"

#define PORT_RESET_CONTROL      0xCF9   /* PCI reset control: 0x06 = hard reset */
#define PORT_KBC_COMMAND        0x64    /* 8042: 0xFE = pulse the reset line */
#define PORT_SYSTEM_CONTROL_A   0x92    /* bit 0 = fast reset */
#define PORT_PCI_ADDRESS        0xCF8
#define PORT_PCI_DATA           0xCFC
#define PCI_ENABLE_BUS0_DEV0    0x80000000u

#define MSR_IA32_FEATURE_CONTROL    0x3A
#define MSR_IA32_VMX_BASIC          0x480
#define FEATURE_CONTROL_LOCKED      1u
#define MSR_MADE_UP                 0x12345678u
#define MSR_KVM_RANGE               0x4b564d00u     /* another hypervisor's MSR */

#define CPUID_1_ECX_XSAVE       (1u << 26)
#define CR4_VMXE                (1ull << 13)
#define CR4_OSXSAVE             (1ull << 18)

#define HV_RANGE_START          0x100000ull     /* where tessera lies in host-physical memory */
#define HV_RANGE_END            0x200000ull
#define SCRIBBLE_PATTERN        0xa5c3f00fdeadbeefull

#define FLOOD_LINES             8192
#define FLOOD_LINE_CHARS        127             /* + '\n': 128 bytes, 1 MiB in all */

/* ---- the scenarios ------------------------------------------------------------------------ */

/* Each reset request a PC honours: tessera must drop them all (no port is granted). */
static bool reset_ports(const struct hostile_env *env, struct observed *o)
{
    (void)env;
    uint64_t t1 = try_outb(PORT_RESET_CONTROL, 0x06);
    uint64_t t2 = try_outb(PORT_KBC_COMMAND, 0xFE);
    uint64_t t3 = try_outb(PORT_SYSTEM_CONTROL_A, 0x01);
    uint8_t sys_a = 0;
    uint64_t t4 = try_inb(PORT_SYSTEM_CONTROL_A, &sys_a);
    bool quiet = t1 == TRAP_NONE && t2 == TRAP_NONE && t3 == TRAP_NONE && t4 == TRAP_NONE;

    observed_add(o, "0xcf9<-0x06, 0x64<-0xfe, 0x92<-0x01: still running, port 0x92 reads 0x%02x",
                 sys_a);
    if (!quiet)
        observed_add(o, ", %s/%s/%s/%s", trap_name(t1), trap_name(t2), trap_name(t3),
                     trap_name(t4));
    return quiet && sys_a == 0xFF;
}

/* Configuration mechanism #1: tessera grants neither port, so no PCI device answers. */
static bool pci_config(const struct hostile_env *env, struct observed *o)
{
    (void)env;
    outl(PORT_PCI_ADDRESS, PCI_ENABLE_BUS0_DEV0);
    uint32_t id = inl(PORT_PCI_DATA);

    observed_add(o, "0xcf8<-0x80000000, 0xcfc reads 0x%08x", id);
    return id == 0xFFFFFFFFu;
}

/* Feature control claims VMX off and locked; the VMX capability MSRs do not exist. */
static bool msr_feature_control(const struct hostile_env *env, struct observed *o)
{
    (void)env;
    uint64_t value = 0, basic = 0;
    uint64_t wr = try_wrmsr(MSR_IA32_FEATURE_CONTROL, 0x5);
    uint64_t rd = try_rdmsr(MSR_IA32_FEATURE_CONTROL, &value);
    uint64_t rd_basic = try_rdmsr(MSR_IA32_VMX_BASIC, &basic);

    observed_add(o, "wrmsr 0x3a %s, rdmsr 0x3a ", trap_name(wr));
    if (rd == TRAP_NONE)
        observed_add(o, "0x%llx", (unsigned long long)value);
    else
        observed_add(o, "%s", trap_name(rd));
    observed_add(o, ", rdmsr 0x480 %s", trap_name(rd_basic));
    return wr == VECTOR_GP && rd == TRAP_NONE && value == FEATURE_CONTROL_LOCKED &&
           rd_basic == VECTOR_GP;
}

static bool msr_unknown(const struct hostile_env *env, struct observed *o)
{
    (void)env;
    static const uint32_t msrs[] = { MSR_MADE_UP, MSR_KVM_RANGE };
    bool ok = true;

    for (unsigned i = 0; i < sizeof(msrs) / sizeof(msrs[0]); i++) {
        uint64_t value = 0;
        uint64_t rd = try_rdmsr(msrs[i], &value);
        uint64_t wr = try_wrmsr(msrs[i], 0x1);
        observed_add(o, "%s0x%x rdmsr %s wrmsr %s", i ? ", " : "", msrs[i], trap_name(rd),
                     trap_name(wr));
        ok &= rd == VECTOR_GP && wr == VECTOR_GP;
    }
    return ok;
}

/* Every VMX instruction, with garbage operands: CPUID says there is no VMX, so #UD. */
static uint64_t vmx_region[512] __attribute__((aligned(4096)));

static bool vmx_instructions(const struct hostile_env *env, struct observed *o)
{
    (void)env;
    const uint64_t garbage = 0xdeadbeefdeadbeefull;
    uint64_t *region = vmx_region;
    uint64_t vectors[11];
    static const char *const names[11] = { "vmxon", "vmclear", "vmptrld", "vmptrst",
                                           "vmread", "vmwrite", "vmlaunch", "vmresume",
                                           "vmxoff", "invept", "invvpid" };
    uint64_t reg = garbage;
    unsigned n = 0;

    for (unsigned i = 0; i < 512; i++)
        vmx_region[i] = garbage;
#define TRY_VMX(insn)                                                               \
    do {                                                                            \
        trap_arm();                                                                 \
        __asm__ volatile(TRAP_TRY insn TRAP_END                                     \
                         : "+r"(reg) : "r"(region) : "r11", "memory", "cc");        \
        vectors[n++] = trap_taken();                                                \
    } while (0)
    TRY_VMX("vmxon (%1)");
    TRY_VMX("vmclear (%1)");
    TRY_VMX("vmptrld (%1)");
    TRY_VMX("vmptrst (%1)");
    TRY_VMX("vmread %0, %0");
    TRY_VMX("vmwrite (%1), %0");
    TRY_VMX("vmlaunch");
    TRY_VMX("vmresume");
    TRY_VMX("vmxoff");
    TRY_VMX("invept (%1), %0");
    TRY_VMX("invvpid (%1), %0");
#undef TRY_VMX

    bool all_ud = true;
    for (unsigned i = 0; i < n; i++)
        all_ud &= vectors[i] == VECTOR_UD;
    if (all_ud) {
        observed_add(o, "vmxon vmclear vmptrld vmptrst vmread vmwrite vmlaunch vmresume "
                        "vmxoff invept invvpid: #UD each");
        return true;
    }
    for (unsigned i = 0; i < n; i++)
        if (vectors[i] != VECTOR_UD)
            observed_add(o, "%s %s, ", names[i], trap_name(vectors[i]));
    observed_add(o, "the others #UD");
    return false;
}

/* Hypercalls with garbage: unknown numbers, buffers outside, straddling or wrapping. */
static bool vmcall_garbage(const struct hostile_env *env, struct observed *o)
{
    const uint64_t size = env->bp->memory_size;
    int64_t unknown = guest_hypercall(0xdeadbeef, 0, 0, 0);
    int64_t high = guest_hypercall(0xFFFFFFFF00000000ull | TESSERA_HC_CONSOLE_WRITE,
                                   guest_gpa("x\n"), 2, 0);
    int64_t above = guest_hypercall(TESSERA_HC_CONSOLE_WRITE, size, 16, 0);
    int64_t straddle = guest_hypercall(TESSERA_HC_CONSOLE_WRITE, size - 8, 16, 0);
    int64_t wrap = guest_hypercall(TESSERA_HC_CONSOLE_WRITE, 0xFFFFFFFFFFFFF800ull,
                                   TESSERA_HC_CONSOLE_WRITE_MAX, 0);   /* gpa + length wraps */
    int64_t figure = guest_hypercall(TESSERA_HC_REPORT_FIGURE, size, 1, 0);

    observed_add(o, "0xdeadbeef %lld, 0xffffffff00000001 %lld, console write above %lld "
                    "straddling %lld wrapping %lld, figure above %lld",
                 (long long)unknown, (long long)high, (long long)above, (long long)straddle,
                 (long long)wrap, (long long)figure);
    return unknown == TESSERA_HC_ENOSYS && high == TESSERA_HC_ENOSYS &&
           above == TESSERA_HC_EFAULT && straddle == TESSERA_HC_EFAULT &&
           wrap == TESSERA_HC_EFAULT && figure == TESSERA_HC_EFAULT;
}

/* INVD would drop dirty cache lines, other partitions' too: tessera makes it a counted no-op,
 * so a value written just before survives. */
static volatile uint64_t invd_canary;

static bool invd(const struct hostile_env *env, struct observed *o)
{
    (void)env;
    invd_canary = 0x1badcafe;
    trap_arm();
    __asm__ volatile(TRAP_TRY "invd" TRAP_END : : : "r11", "memory");
    uint64_t t = trap_taken();

    observed_add(o, "completed (%s), a value written just before reads 0x%llx", trap_name(t),
                 (unsigned long long)invd_canary);
    return t == TRAP_NONE && invd_canary == 0x1badcafe;
}

/* XCR0 with x87 clear, and XCR 1 (read-only): #GP. Without XSAVE, XSETBV is #UD. */
static bool xsetbv(const struct hostile_env *env, struct observed *o)
{
    (void)env;
    if (!(guest_cpuid(1, 0).ecx & CPUID_1_ECX_XSAVE)) {
        uint64_t t = try_xsetbv(0, 0);
        observed_add(o, "no XSAVE in CPUID: xsetbv %s", trap_name(t));
        return t == VECTOR_UD;
    }
    uint64_t cr4 = read_cr4();
    uint64_t set = try_write_cr4(cr4 | CR4_OSXSAVE);
    uint64_t xcr0 = try_xsetbv(0, 0);
    uint64_t xcr1 = try_xsetbv(1, 1);
    uint64_t back = try_write_cr4(cr4);

    observed_add(o, "XSAVE present, CR4.OSXSAVE set (%s): xcr0=0 %s, xcr1=1 %s",
                 trap_name(set), trap_name(xcr0), trap_name(xcr1));
    return set == TRAP_NONE && xcr0 == VECTOR_GP && xcr1 == VECTOR_GP && back == TRAP_NONE;
}

static bool cr4_vmxe(const struct hostile_env *env, struct observed *o)
{
    (void)env;
    uint64_t before = read_cr4();
    uint64_t t = try_write_cr4(before | CR4_VMXE);
    uint64_t after = read_cr4();

    observed_add(o, "mov to CR4 with VMXE %s, CR4 reads 0x%llx (VMXE %s)", trap_name(t),
                 (unsigned long long)after, after & CR4_VMXE ? "set" : "clear");
    return t == VECTOR_GP && !(after & CR4_VMXE) && after == before;
}

/* The guest-physical range where tessera's own image lies host-physically: it must be
 * nothing but the guest's RAM. Every word gets its address XOR a pattern, read back. */
static bool write_hv_range(const struct hostile_env *env, struct observed *o)
{
    const struct tessera_boot_params *bp = env->bp;

    if (bp->image_start < HV_RANGE_END || bp->memory_size < HV_RANGE_END) {
        observed_add(o, "image at 0x%llx or memory 0x%llx overlaps the range: not tried",
                     (unsigned long long)bp->image_start,
                     (unsigned long long)bp->memory_size);
        return false;
    }
    for (uint64_t a = HV_RANGE_START; a < HV_RANGE_END; a += 8)
        *(volatile uint64_t *)(uintptr_t)a = a ^ SCRIBBLE_PATTERN;
    uint64_t bad = 0;
    for (uint64_t a = HV_RANGE_START; a < HV_RANGE_END; a += 8)
        if (*(volatile uint64_t *)(uintptr_t)a != (a ^ SCRIBBLE_PATTERN))
            bad++;
    int64_t id = guest_hypercall(TESSERA_HC_PARTITION_ID, 0, 0, 0);

    observed_add(o, "1 MiB at gpa 0x100000-0x1fffff written, %llu words read back wrong, "
                    "hypervisor answers id %lld", (unsigned long long)bad, (long long)id);
    return bad == 0 && id == (int64_t)bp->partition_id;
}

/* 1 MiB through COM1's THR without ever polling LSR: tessera must neither stop the guest
 * nor let the flood tear other partitions' lines. Its console queue is full afterwards and
 * drops lines until it drains, so the report waits env->settle_cycles first. */
static bool console_flood(const struct hostile_env *env, struct observed *o)
{
    static const char filler[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    char line[FLOOD_LINE_CHARS + 1];
    uint64_t bytes = 0;

    for (uint32_t n = 1; n <= FLOOD_LINES; n++) {
        int head = fmt_snprintf(line, sizeof(line), "flood %04u/%u ", n, FLOOD_LINES);
        for (int i = head; i < FLOOD_LINE_CHARS; i++)
            line[i] = filler[(unsigned)(i - head) % (sizeof(filler) - 1)];
        line[FLOOD_LINE_CHARS] = '\n';
        for (int i = 0; i <= FLOOD_LINE_CHARS; i++)
            outb(TESSERA_COM1_THR, (uint8_t)line[i]);
        bytes += FLOOD_LINE_CHARS + 1;
    }
    wait_cycles(env->settle_cycles);
    int64_t id = guest_hypercall(TESSERA_HC_PARTITION_ID, 0, 0, 0);

    observed_add(o, "%u lines, %llu bytes written, guest still running, hypervisor answers "
                    "id %lld", FLOOD_LINES, (unsigned long long)bytes, (long long)id);
    return id == (int64_t)env->bp->partition_id;
}

/* REP INSB of 64 KiB from a port nobody claims into its own RAM, and REP OUTSB of it back:
 * tessera moves at most a batch per exit (REP resumes), so this takes many exits; the string
 * must arrive as all ones and both counts end at 0. */
#define STRING_FLOOD_BYTES      (1u << 16)
#define STRING_FLOOD_PORT       0x80
static uint8_t string_flood_buffer[STRING_FLOOD_BYTES];

static bool string_io_flood(const struct hostile_env *env, struct observed *o)
{
    (void)env;
    uint8_t *dst = string_flood_buffer;
    uint64_t in_left = STRING_FLOOD_BYTES, out_left = STRING_FLOOD_BYTES;
    __asm__ volatile("cld\n\trep insb" : "+D"(dst), "+c"(in_left) : "d"(STRING_FLOOD_PORT)
                     : "memory");
    uint64_t ones = 0;
    for (uint32_t i = 0; i < STRING_FLOOD_BYTES; i++)
        ones += string_flood_buffer[i] == 0xFF;
    const uint8_t *src = string_flood_buffer;
    __asm__ volatile("cld\n\trep outsb" : "+S"(src), "+c"(out_left) : "d"(STRING_FLOOD_PORT)
                     : "memory");
    observed_add(o, "rep insb/outsb of %u bytes on port 0x%x: counts left %llu/%llu, %llu bytes "
                    "read as 0xff", STRING_FLOOD_BYTES, STRING_FLOOD_PORT,
                 (unsigned long long)in_left, (unsigned long long)out_left,
                 (unsigned long long)ones);
    return in_left == 0 && out_left == 0 && ones == STRING_FLOOD_BYTES &&
           dst == string_flood_buffer + STRING_FLOOD_BYTES &&
           src == string_flood_buffer + STRING_FLOOD_BYTES;
}

/* CPUID over every basic, hypervisor and extended leaf with odd subleaves: the answers must
 * keep VMX hidden, the hypervisor bit set, APIC ID 0 and one logical processor everywhere. */
static bool cpuid_sweep(const struct hostile_env *env, struct observed *o)
{
    (void)env;
    static const uint32_t bases[] = { 0, 0x40000000u, 0x80000000u };
    static const uint32_t subleaves[] = { 0, 1, 2, 0x7FFFFFFFu, 0xFFFFFFFFu };
    uint32_t asked = 0, wrong = 0;
    for (unsigned b = 0; b < sizeof(bases) / sizeof(bases[0]); b++)
        for (uint32_t leaf = bases[b]; leaf < bases[b] + 0x40; leaf++)
            for (unsigned s = 0; s < sizeof(subleaves) / sizeof(subleaves[0]); s++) {
                uint32_t a, bx, c, d;
                __asm__ volatile("cpuid" : "=a"(a), "=b"(bx), "=c"(c), "=d"(d)
                                 : "a"(leaf), "c"(subleaves[s]));
                asked++;
                if (leaf == 1 && ((c & (1u << 5)) || !(c & (1u << 31)) || (bx >> 24) != 0 ||
                                  ((bx >> 16) & 0xFF) > 1))
                    wrong++;
            }
    observed_add(o, "%u leaves and subleaves asked, %u answers wrong, still running", asked,
                 wrong);
    return wrong == 0;
}

const struct scenario survivable_scenarios[] = {
    { "reset-ports", true, reset_ports },
    { "pci-config", true, pci_config },
    { "msr-feature-control", true, msr_feature_control },
    { "msr-unknown", true, msr_unknown },
    { "vmx-instructions", true, vmx_instructions },
    { "vmcall-garbage", true, vmcall_garbage },
    { "invd", true, invd },
    { "xsetbv", true, xsetbv },
    { "cr4-vmxe", true, cr4_vmxe },
    { "write-hv-range", true, write_hv_range },
    { "string-io-flood", true, string_io_flood },
    { "cpuid-sweep", true, cpuid_sweep },
    { "xcr0-rules", true, scenario_xcr0_rules },
    { "cr-rules", true, scenario_cr_rules },
    { "rdpmc", true, scenario_rdpmc },
    { "monitor-mwait", true, scenario_monitor_mwait },
    { "wbinvd-storm", true, scenario_wbinvd_storm },
    { "debug-registers", true, scenario_debug_registers },
    { "tpr-raise", true, scenario_tpr_raise },
    { "rdmsr-sweep", true, scenario_rdmsr_sweep },
    { "wrmsr-sweep", true, scenario_wrmsr_sweep },
    { "msr-noncanonical", true, scenario_msr_noncanonical },
    { "port-sweep", true, scenario_port_sweep },
    { "exit-storm", true, scenario_exit_storm },
    { "console-escapes", true, scenario_console_escapes },
    { "vmcall-print-flood", true, scenario_vmcall_print_flood },
    { "tf-single-step", true, tf_single_step },
    { "movss-shadow-exit", true, movss_shadow_exit },
    { "tf-hlt", true, tf_hlt },
    { "leftover-state", true, scenario_leftover_state },
    { "console-flood", true, console_flood },
};

const uint32_t survivable_count =
    (uint32_t)(sizeof(survivable_scenarios) / sizeof(survivable_scenarios[0]));
