"""The emulator tests: each boots build/tessera.elf from its own ISO and reads the console.

To add a test, append an EmuTest to TESTS: a unique name, a Machine, the kernel command
line, whether GRUB loads the "hello" module, and the regexes the console must show (and
must not). Regexes are matched with re.search against each line, \\r and escape sequences
removed; anchor them with ^ and $. See harness.EmuTest for the fields, including
`interact` for tests that type at the guest over a socket console.
"""

import re

from .harness import BUILD, ROOT, EmuTest, Machine, TestFailure
from .suite_consoles import console_tests
from .suite_hostile import BOCHS_SMP4_256M, hostile_catalog, hostile_tests


def scripted(steps, timeout=60):
    """An `interact` function: for each (line typed, regexes expected after it), type the
    line (CR-terminated) and wait for every regex among the lines that follow."""
    def run(session):
        for typed, expect in steps:
            mark = session.mark()
            session.send(typed + "\r")
            w = session.wait_for(expect, timeout, since=mark)
            if not w.ok:
                raise TestFailure(f"after typing {typed!r}: missing "
                                  + " ".join(f"/{m}/" for m in w.missing))
    return run


# The shell session one Bochs boot runs (table demo-heartbeat): every command, errors,
# stop/start/restart of one partition while the other keeps its heartbeat, console focus to a
# guest and back.
SHELL_STEPS = [
    ("log debug", [r"^log level debug$"]),
    ("help", [r"vmcs <part> \[area\]", r"restart <part>"]),
    ("version", [r"^tessera 0\.1\.0, commit [0-9a-f]+, gcc \S+, built "]),
    ("uptime", [r"^up \d"]),
    # The boot CPU's guest exits on its timer: the console is served about every 10 ms and
    # never waits 100 ms between rounds (a round itself may be long: `help` prints 30 lines).
    ("latency", [r"^latency: console served \d+ times, every \d+\.\d ms on average$",
                 r"^latency: longest pause between rounds \d{1,2}\.\d ms, longest round "
                 r"\d+\.\d ms$"]),
    # Bochs' CPUs enumerate no RDCL_NO: every entry after a management slot flushes the L1D
    # (in software); no partition has stopped yet, so no return-stack fill has been needed.
    ("cpus", [r"^0 +0 +on +alpha +\d+ +[1-9]\d* +0$", r"^1 +1 +on +beta +\d+ +[1-9]\d* +0$"]),
    ("parts", [r"^alpha +0 +running +32 MiB at 0x[0-9a-f]+ +testguest +\d+$",
               r"^beta +1 +running +32 MiB at 0x[0-9a-f]+ +testguest +\d+$"]),
    ("vmcs beta exec", [r"^vmcs: -- VM-execution controls --$",
                        r"^vmcs:   CTRL_EXEC_PIN_BASED +0x[0-9a-f]{8}  external-interrupt exiting"]),
    ("vmcs alpha", [r"^vmcs: -- guest-state area --$", r"^vmcs: -- host-state area --$",
                    r"^vmcs: -- VM-exit information --$"]),
    ("regs beta", [r"^rip 0x[0-9a-f]{16} rsp 0x[0-9a-f]{16} rflags", r"^cs +sel 0x0008 "]),
    ("exits alpha", [r"^exits of alpha: \d+ in all$", r"^I/O instruction +\d+ +root-mode cost",
                     r"^ +\d+-\d+ +\d+ #", r"^last 16 exits, oldest first:$"]),
    # Bochs' CPUs lack PSCHANGE_MC_NO, so executable guest RAM is mapped with 4 KiB pages.
    ("ept beta 0x100000", [r"^ept: PT\[256\] 0x[0-9a-f]{16} 4 KiB page hpa 0x[0-9a-f]+ rwx wb$",
                           r"^ept: gpa 0x100000 -> hpa 0x[0-9a-f]+$"]),
    ("ept beta 0x4000000", [r"^ept: gpa 0x4000000 not mapped"]),
    ("mem beta 0x2000 16", [r"^0x0*2000  54 45 53 53 45 52 41 31 "]),
    ("verify", [r"^verify alpha: ok ", r"^verify beta: ok "]),
    ("cpuid 0x40000000", [r"^cpuid 0x40000000\.0 partitions: eax 0x40000001 ebx 0x73736574 "
                          r"ecx 0x20617265 edx 0x204d4d56$"]),
    ("rdmsr 1 0x3a", [r"^rdmsr: cpu 1 msr 0x3a = 0x0000000000000005$"]),
    ("rdmsr 0 0x12345678", [r"^rdmsr: cpu 0 msr 0x12345678: #GP, no such MSR$"]),
    ("frob", [r'^unknown command "frob"; type help$']),
    ("vmcs beta foo", [r'^vmcs: bad area "foo" \(guest host exec exit entry info\); '
                       r"usage: vmcs <part> \[area\]$"]),
    ("stop gamma", [r'^stop: no partition "gamma"; type parts$']),
    ("stop beta", [r"^partition beta: stopped on cpu 1: stopped from the shell$",
                   r"^stop: beta stopped$"]),
    ("parts", [r"^beta +1 +stopped .*: stopped from the shell$", r"^\[alpha\] heartbeat \d+$"]),
    ("start beta", [r"^start: beta on cpu 1$", r"^partition beta: running on cpu 1$",
                    r"^\[beta\] hello from partition 1 \(beta\), 32 MiB$",
                    r"^\[beta\] heartbeat 1$"]),
    ("restart alpha", [r"^partition alpha: stopped on cpu 0: stopped from the shell$",
                       r"^partition alpha: running on cpu 0$",
                       r"^\[alpha\] hello from partition 0 \(alpha\), 32 MiB$",
                       r"^\[beta\] heartbeat \d+$"]),
    # Each stop returned from vmx_enter through the return-stack fill. Both partitions were
    # restarted, so their exit counts began again (the rate once read 2.9e12 exits/s).
    ("cpus", [r"^0 +0 +on +alpha +\d{1,6} +[1-9]\d* +1$",
              r"^1 +1 +on +beta +\d{1,6} +[1-9]\d* +1$"]),
    ("console beta", [r"^console: keyboard to beta; Ctrl-T returns to the shell$"]),
    ("xy", [r"^\[beta\] input 0x78$", r"^\[beta\] input 0x79$", r"^\[beta\] input 0x0d$"]),
    ("\x14", [r"^console: keyboard back to the shell$"]),
    ("uptime", [r"^up \d", r"^shell: answered in \d+ us$"]),
    ("dmesg", [r"^boot: ready$", r"^vmx: cpu 1 \(apic 1\): vmxon ok$",
               r"^mitigations: clear before entry: L1D flush \(software\), \d+ TSC ticks, "
               r"after other work only$"]),
    ("reboot", [r"^reboot: type yes to reset the machine, anything else cancels$"]),
    ("no", [r"^reboot: cancelled$"]),
]

# Machines ---------------------------------------------------------------------------------
QEMU_64M = Machine(emulator="qemu", mem_mib=64)
QEMU_4G = Machine(emulator="qemu", mem_mib=4096)
QEMU_OVMF = Machine(emulator="qemu", firmware="uefi", mem_mib=64)
QEMU_OVMF_4G = Machine(emulator="qemu", firmware="uefi", mem_mib=4096)
QEMU_COM2 = Machine(emulator="qemu", mem_mib=64, console=2)
BOCHS_64M = Machine(emulator="bochs", mem_mib=64, cpus=1, cpu_model="corei7_skylake_x")
QEMU_SMP4 = Machine(emulator="qemu", mem_mib=64, cpus=4)
QEMU_SMP6 = Machine(emulator="qemu", mem_mib=64, cpus=6, smp_topology="sockets=2,cores=3")
QEMU_OVMF_SMP4 = Machine(emulator="qemu", firmware="uefi", mem_mib=256, cpus=4)
BOCHS_SMP2 = Machine(emulator="bochs", mem_mib=64, cpus=2, cpu_model="corei7_skylake_x")
# Bochs "count=1:1:2": CPUs 0 and 1 are the two threads of one core (CPUID leaf 0xB).
BOCHS_1CORE_2THREADS = Machine(emulator="bochs", mem_mib=128, cpus=2, bochs_topology="1:1:2",
                               cpu_model="corei7_skylake_x")
BOCHS_SMP2_128M = Machine(emulator="bochs", mem_mib=128, cpus=2, cpu_model="corei7_skylake_x")
# Bochs 2.7 takes guest=4096 but its BIOS then reports RAM only below 3 GiB (the rest
# hides behind the PCI hole, nothing is remapped above 4 GiB); RAM above 4 GiB is
# guest - 4096 MiB. So 5120 MiB gives 1 GiB there. Start-up costs ~20 s at this size.
BOCHS_5G = Machine(emulator="bochs", mem_mib=5120, cpus=1, cpu_model="corei7_skylake_x")

# A table entry granted PCI configuration ports is announced on every boot.
UNSAFE_ALPHA = (r"^partition alpha: UNSAFE by its table: ports 0xcf8-0xcff \(PCI configuration "
                r"space\) can reach outside the partition \(tessera has no DMA remapping yet\)$")

# Lines every healthy boot prints -----------------------------------------------------------
READY = r"^boot: ready$"
NO_EXCEPTION = (r"exception:",)

TESTS = [
    EmuTest(
        name="qemu-bios-64m",
        machine=QEMU_64M,
        cmdline="loglevel=debug",
        module=True,
        expect=[
            r"^tessera 0\.1\.0 ",
            r"^console: uart 0x3f8 115200 8N1$",
            r'^boot: multiboot2 from "GRUB 2\.\d+',
            r'^boot: command line "loglevel=debug"$',
            r"^boot: firmware bios$",
            r"^boot: acpi rsdp v[12] from multiboot2",
            r"^mem: \d+ MiB usable in \d+ ranges$",
            r'^mem: module "hello" 0x[0-9a-f]+ size 4096$',
            r"^mem: frames: \d+ free \(\d+ MiB\) in \d+ ranges$",
            READY,
        ],
        forbid=NO_EXCEPTION,
        timeout=30,
    ),
    EmuTest(
        name="qemu-bios-4g",
        machine=QEMU_4G,
        expect=[r"^mem: above 4 GiB: 1024 MiB usable$",
                r"^mem: identity map extended to 5 GiB$", READY],
        forbid=NO_EXCEPTION,
        timeout=30,
    ),
    EmuTest(
        name="qemu-ovmf",
        machine=QEMU_OVMF,
        expect=[r"^boot: firmware uefi", r"^boot: acpi rsdp v2 from multiboot2", READY],
        forbid=NO_EXCEPTION,
        timeout=60,
    ),
    EmuTest(
        name="qemu-ovmf-4g",
        machine=QEMU_OVMF_4G,
        expect=[r"^mem: above 4 GiB: \d+ MiB usable$", READY],
        forbid=NO_EXCEPTION,
        timeout=60,
    ),
    EmuTest(
        name="qemu-selftest-ud",
        machine=QEMU_64M,
        cmdline="selftest=ud",
        expect=[
            r"^exception: #UD invalid opcode on cpu 0$",
            r"^exception:   rip 0x[0-9a-f]{16} ",
            r"^exception: cpu 0 halted$",
        ],
        forbid=[READY],
        timeout=30,
    ),
    EmuTest(
        name="qemu-selftest-pf",
        machine=QEMU_64M,
        cmdline="selftest=pf",
        expect=[
            r"^exception: #PF page fault on cpu 0$",
            r"^exception:   .*cr2 0x[0-9a-f]{16}",
            r"^exception: cpu 0 halted$",
        ],
        forbid=[READY],
        timeout=30,
    ),
    EmuTest(
        name="qemu-selftest-df",
        machine=QEMU_64M,
        cmdline="selftest=df",
        expect=[
            r"^exception: #DF double fault on cpu 0$",
            r"^exception:   rsp 0x0000100000000000 ",
            r"^exception: cpu 0 halted$",
        ],
        forbid=[READY],
        timeout=30,
    ),
    EmuTest(
        name="qemu-selftest-nmi",
        machine=QEMU_64M,
        cmdline="selftest=nmi",
        expect=[r"^exception: NMI on cpu 0 at rip 0x[0-9a-f]{16}, ignored$", READY],
        forbid=[r"halted"],
        timeout=30,
    ),
    EmuTest(
        name="qemu-console-com2",
        machine=QEMU_COM2,
        cmdline="console=com2",
        expect=[r"^console: uart 0x2f8 115200 8N1$", READY],
        forbid=NO_EXCEPTION,
        timeout=30,
    ),
    EmuTest(
        name="bochs-skylake",
        machine=BOCHS_64M,
        module=True,
        expect=[
            r"^boot: firmware bios$",
            r'^mem: module "hello"',
            r"^boot: entry-to-ready tsc \d+$",
            READY,
        ],
        forbid=NO_EXCEPTION,
        timeout=60,
    ),
    # ---- SMP bring-up (one boot each; APIC IDs as the MADT lists them) ----
    EmuTest(
        name="qemu-smp1",
        machine=QEMU_64M,
        expect=[r"^cpu: boot cpu apic 0, xapic mode$",
                r"^timer: tsc \d+ kHz, lapic timer \d+ kHz \(pit channel 2, 10 ms\)$",
                r"^acpi: madt: 1 cpu \(apic 0\)",
                r"^cpu: 1 of 1 online: apic 0$", READY],
        forbid=NO_EXCEPTION + (r"did not start",),
        timeout=30,
    ),
    EmuTest(
        name="qemu-smp4",
        machine=QEMU_SMP4,
        expect=[r"^cpu: AP trampoline at 0x[0-9a-f]+$",
                r"^cpu: 1 online \(apic 1\)$", r"^cpu: 2 online \(apic 2\)$",
                r"^cpu: 3 online \(apic 3\)$",
                r"^cpu: bring-up took \d+ us \(tsc \d+\) from the first INIT$",
                r"^cpu: 4 of 4 online: apic 0 1 2 3$", READY],
        forbid=NO_EXCEPTION + (r"did not start",),
        timeout=30,
    ),
    EmuTest(
        name="qemu-smp6-sockets",
        machine=QEMU_SMP6,
        expect=[r"^acpi: madt: 6 cpus \(apic 0 1 2 4 5 6\)",
                r"^cpu: 3 online \(apic 4\)$", r"^cpu: 5 online \(apic 6\)$",
                r"^cpu: 6 of 6 online: apic 0 1 2 4 5 6$", READY],
        forbid=NO_EXCEPTION + (r"did not start",),
        timeout=30,
    ),
    EmuTest(
        name="qemu-ovmf-smp4",
        machine=QEMU_OVMF_SMP4,
        expect=[r"^boot: firmware uefi", r"^acpi: rsdp v2 at 0x[0-9a-f]+ \(multiboot2 new tag",
                r"^cpu: 4 of 4 online: apic 0 1 2 3$", READY],
        forbid=NO_EXCEPTION + (r"did not start",),
        timeout=60,
    ),
    # ---- VMX: no VMX under QEMU TCG; Bochs has it with EPT ----
    EmuTest(
        name="qemu-no-vmx",
        machine=QEMU_SMP4,
        expect=[r"^vmx: this CPU has no VMX \(CPUID\.1:ECX\[5\] = 0\)$",
                r"^vmx: not available; tessera stays up without partitions$", READY],
        forbid=NO_EXCEPTION + (r"vmxon",),
        timeout=30,
    ),
    EmuTest(
        name="bochs-smp2-vmx",
        machine=BOCHS_SMP2,
        expect=[r"^cpu: boot cpu apic 0, x2apic mode$",
                r"^cpu: 1 online \(apic 1\)$",
                r"^cpu: 2 of 2 online: apic 0 1$",
                r"^vmx: revision 0x2b, pin 0x[0-9a-f]{8} primary 0x[0-9a-f]{8} secondary "
                r"0x[0-9a-f]{8} exit 0x[0-9a-f]{8} entry 0x[0-9a-f]{8}, ept 4-level wb 2M 1G",
                r"^mitigations: [a-zA-Z]",
                r"^vmx: cpu 0 \(apic 0\): vmxon ok$",
                r"^vmx: cpu 1 \(apic 1\): vmxon ok$",
                r"^vmx: 2 of 2 cpus in VMX root operation$", READY],
        forbid=NO_EXCEPTION + (r"did not start", r"left out", r"failed"),
        timeout=60,
    ),
    # ---- partitions: the demo table, two test guests on two CPUs, quiet after their
    # greeting (no heartbeat), each echoing what `console <name>` types to it ----
    EmuTest(
        name="bochs-partitions-demo",
        machine=BOCHS_SMP2_128M,
        guest=True,
        serial="socket",
        expect=[r"^partitions: table \"demo\"",
                r"^partition alpha: cpu 0, 32 MiB at 0x[0-9a-f]+, image 0x100000-0x[0-9a-f]+ entry 0x100000",
                r"^partition beta: cpu 1, 32 MiB",
                r"^partition alpha: running on cpu 0$",
                r"^partition beta: running on cpu 1$",
                r"^\[alpha\] hello from partition 0 \(alpha\), 32 MiB$",
                r"^\[beta\] hello from partition 1 \(beta\), 32 MiB$",
                r"^\[alpha\] string I/O: rep outsb reached COM1$",
                r"^\[beta\] string I/O: rep insw from an empty port ok$",
                r"^\[alpha\] cpuid: vmx hidden, hypervisor bit set, signature \"tessera VMM \"$",
                r"^\[beta\] memory: \d+ MiB from 0x[0-9a-f]+ ok$",
                r"^\[alpha\] memory: \d+ MiB from 0x[0-9a-f]+ ok$",
                r"^\[alpha\] bench: cpuid \d+ ",
                r"^\[beta\] bench: cpuid \d+ "],
        interact=scripted([
            ("console alpha", [r"^console: keyboard to alpha; Ctrl-T returns to the shell$"]),
            ("x", [r"^\[alpha\] input 0x78$"]),
            ("\x14", [r"^console: keyboard back to the shell$"]),
            ("console beta", [r"^console: keyboard to beta; Ctrl-T returns to the shell$"]),
            ("y", [r"^\[beta\] input 0x79$"]),
            ("\x14", [r"^console: keyboard back to the shell$"]),
        ]),
        forbid=NO_EXCEPTION + (r"FAIL", r"stopped", r"not started", r"heartbeat"),
        settle=5,
        timeout=120,
    ),
    # ---- the vCPU's MMIO path: every decoded instruction form on the test device, while
    # beta on the other CPU keeps its heartbeat ----
    EmuTest(
        name="bochs-mmio-forms",
        machine=BOCHS_SMP2_128M,
        guest=True,
        cmdline="partitions=devices",
        expect=[r"^partitions: table \"devices\"",
                r"^partition alpha: running on cpu 0$",
                r"^\[alpha\] mmio: 30 forms ok, 76 device accesses$",
                r"^partition alpha: device page 0x40001000 mapped on its first use, during "
                r"delivery of irq 0x40$",
                r"^\[alpha\] event: irq 0x40 delivered on a stack in the device window$",
                r"^\[alpha\] bench: cpuid \d+ ",
                r"^\[beta\] heartbeat 2$"],
        forbid=NO_EXCEPTION + (r"FAIL", r"stopped", r"not started"),
        timeout=120,
    ),
    # ---- one core, two threads: the SMT-sibling rule, and the unsafe grant's boot line ----
    EmuTest(
        name="bochs-smt-siblings",
        machine=BOCHS_1CORE_2THREADS,
        guest=True,
        cmdline="partitions=smt-siblings",
        expect=[UNSAFE_ALPHA,
                r"^partition beta: not started: its cpu 1 and alpha's cpu 0 are SMT siblings of "
                r"one core, which the table does not allow$",
                r"^\[alpha\] heartbeat 2$"],
        forbid=NO_EXCEPTION + (r"FAIL", r"stopped", r"^\[beta\]"),
        timeout=120,
    ),
    EmuTest(
        name="bochs-smt-siblings-allowed",
        machine=BOCHS_1CORE_2THREADS,
        guest=True,
        cmdline="partitions=smt-siblings-allowed",
        expect=[UNSAFE_ALPHA, r"^\[alpha\] heartbeat 2$", r"^\[beta\] heartbeat 2$"],
        forbid=NO_EXCEPTION + (r"FAIL", r"stopped", r"not started"),
        timeout=120,
    ),
    EmuTest(
        name="bochs-partitions-missing",
        machine=BOCHS_SMP2_128M,
        guest=True,
        cmdline="partitions=missing",
        expect=[r"^partition ghost: cpu 7 is not online$",
                r"^partition ghost: not started: ",
                r'^partition nomod: module "absent" not loaded$',
                r"^partition nomod: not started: ",
                r"^partition alpha: running on cpu 0$",
                r"^\[alpha\] memory: \d+ MiB from 0x[0-9a-f]+ ok$",
                r"^\[alpha\] heartbeat 2$"],
        forbid=NO_EXCEPTION + (r"FAIL", r"stopped"),
        timeout=120,
    ),
    # One boot: alpha's entry fails on purpose (the checker must name the broken field)
    # while beta prints its VMCS by area and keeps running.
    EmuTest(
        name="bochs-partitions-entry-failure",
        machine=BOCHS_SMP2_128M,
        guest=True,
        cmdline="partitions=demo-heartbeat badguest=alpha vmcsdump=beta",
        expect=[r"^partition alpha: selftest: CS\.L and CS\.D/B both set on purpose$",
                r"^partition alpha: stopped on cpu 0: VM entry failed: "
                r"VM-entry failure due to invalid guest state \(33\)$",
                r"^partition alpha: vmx: invalid guest state: cs-l-db \(SDM 28\.3\.1\.2\)$",
                r"^partition alpha: vmx:   GUEST_CS_ACCESS_RIGHTS 0x0000e09b: ",
                r"^partition alpha: vmcs: -- guest-state area --$",
                r"^vmcs: -- guest-state area --$",
                r"^vmcs: -- host-state area --$",
                r"^vmcs: -- VM-execution controls --$",
                r"^vmcs: -- VM-exit controls --$",
                r"^vmcs: -- VM-entry controls --$",
                r"^vmcs: -- VM-exit information --$",
                r"^vmcs:   GUEST_RIP +0x0000000000100000$",
                r"^\[beta\] heartbeat 2$"],
        forbid=NO_EXCEPTION + (r"FAIL", r"partition beta: stopped"),
        timeout=120,
    ),
    # ---- a fault in root mode while a CPU serves a guest: that guest stops, the CPU goes on
    # serving (the partition starts again on it) and the other partition never notices ----
    EmuTest(
        name="bochs-root-fault",
        machine=BOCHS_SMP2_128M,
        guest=True,
        serial="socket",
        cmdline="partitions=demo-heartbeat exitfault=beta",
        expect=[r"^partition beta: selftest: #UD in root mode on purpose$",
                r"^exception: #UD invalid opcode on cpu 1$",
                r"^exception: cpu 1 stops the guest it runs and goes on$",
                r"^partition beta: stopped on cpu 1: hypervisor exception while handling its "
                r"exit$",
                r"^\[alpha\] heartbeat 3$"],
        interact=scripted([
            ("start beta", [r"^start: beta on cpu 1$", r"^partition beta: running on cpu 1$",
                            r"^\[beta\] heartbeat 2$"]),
            ("uptime", [r"^up "]),
        ]),
        forbid=(r"halted", r"FAIL", r"partition alpha: stopped"),
        timeout=150,
    ),
    # ---- the debug shell ----
    EmuTest(
        name="bochs-shell",
        machine=BOCHS_SMP2_128M,
        guest=True,
        cmdline="partitions=demo-heartbeat",
        serial="socket",
        expect=[r"^shell: type help for the commands$", r"^\[alpha\] heartbeat 1$",
                r"^\[beta\] heartbeat 1$"],
        interact=scripted(SHELL_STEPS),
        forbid=NO_EXCEPTION + (r"FAIL", r"did not answer"),
        timeout=120,
    ),
    EmuTest(
        name="qemu-shell-no-vmx",
        machine=QEMU_SMP4,
        serial="socket",
        expect=[r"^vmx: not available; tessera stays up without partitions$",
                r"^shell: type help for the commands$"],
        interact=scripted([
            ("version", [r"^tessera 0\.1\.0, commit "]),
            ("cpus", [r"^0 +0 +off +- +0 +0 +0$", r"^3 +3 +off +- +0 +0 +0$"]),
            ("parts", [r"^name +cpu +state"]),
            ("garbage line", [r'^unknown command "garbage"; type help$']),
        ], timeout=30),
        forbid=NO_EXCEPTION,
        timeout=30,
    ),
    EmuTest(
        name="bochs-5g",
        machine=BOCHS_5G,
        expect=[r"^mem: above 4 GiB: 1024 MiB usable$", READY],
        forbid=NO_EXCEPTION,
        timeout=90,
    ),
]


# ---- the hostile guest (docs/HOSTILE.md): tests/emu/suite_hostile.py ----------------------
TESTS += hostile_tests()



# ---- the multiboot test kernels (guest/images/multiboot) on tessera's multiboot loaders ----
# Table "multiboot": mb1 (v1 ELF) on CPU 0, mb2 (v2) on CPU 1, mblong (v2, into long mode and
# back, then into real mode and back) on CPU 2, mbkludge (v1 a.out kludge, a flat binary) on
# CPU 3, 16 MiB each. mb2's module string replaces its table cmdline; mbdata's words after its
# name are its own string. mb2 ends in a triple fault and mbkludge in a reset: both tables
# entries restart on reset, three times, then stop. Each kernel checks what its loader handed over and ends in PASS or
# FAIL; then the shell's `screen` shows what they wrote to VGA text memory.
MULTIBOOT_MODULES = (
    (BUILD / "guest" / "mb1test.elf", "mb1test"),
    (BUILD / "guest" / "mb2test.elf", "mb2test modules=1 partition=mb2 from=grub triplefault"),
    (BUILD / "guest" / "mblong.elf", "mblong"),
    (BUILD / "guest" / "mb1kludge.bin", "mb1kludge"),
    (ROOT / "guest" / "images" / "multiboot" / "mbdata.txt", "mbdata tessera module args"),
)
MBDATA_SIZE = (ROOT / "guest" / "images" / "multiboot" / "mbdata.txt").stat().st_size


def _multiboot_lines(name, magic, cmdline, modules):
    """What kernel `name` (also its partition's name) prints on a 16 MiB partition."""
    p = rf"^\[{name}\] {name}: "
    lines = [p + rf"magic {magic} ok, boot information at 0x[0-9a-f]+$",
             p + r"mmap 0x0 0x9fc00 1$",
             p + r"mmap 0x9fc00 0x60400 2$",
             p + r"mmap 0x100000 0xf00000 1$",
             p + r"mem_lower 639 mem_upper 15360$",
             p + rf'cmdline "{cmdline}"$',
             p + rf"{modules} modules$",
             p + r"PASS$"]
    if modules:
        lines += [p + rf'module 0 "tessera module args" {MBDATA_SIZE} bytes first 4 bytes '
                      r"74657373$",
                  p + r"module 0 matches mbdata\.txt$"]
    return lines


MULTIBOOT_SCREEN_STEPS = [
    ("screen mb1", [r"^screen mb1: VGA text 80x25 at 0xb8000 \((running|halted)\), "
                    r"characters only$",
                    r"^ 0\|tessera multiboot VGA ok: mb1$",
                    r"^ 1\|modules=1 partition=mb1$",
                    r"^24\|mb1: PASS$"]),
    ("screen mb2", [r"^ 0\|tessera multiboot VGA ok: mb2$",
                    r"^ 1\|modules=1 partition=mb2 from=grub triplefault$",
                    r"^24\|mb2: PASS$"]),
    ("screen mblong", [r"^screen mblong: VGA text 80x25 at 0xb8000 \(stopped\), "
                       r"characters only$",
                       r"^ 0\|tessera multiboot VGA ok: mblong$",
                       r"^ 2\|mblong: 64-bit code in long mode prints this line$",
                       r"^24\|mblong: PASS$"]),
    ("screen mbkludge", [r"^24\|mbkludge: PASS$"]),
    ("screen nosuch", [r'^screen: no partition "nosuch"; type parts$']),
]

TESTS += [
    EmuTest(
        name="bochs-multiboot",
        machine=BOCHS_SMP4_256M,
        cmdline="partitions=multiboot",
        extra_modules=MULTIBOOT_MODULES,
        serial="socket",
        expect=[r"^partitions: table \"multiboot\"",
                r"^partition mb1: running on cpu 0$",
                r"^partition mblong: running on cpu 2$",
                *_multiboot_lines("mb1", "0x2badb002", "modules=1 partition=mb1", 1),
                *_multiboot_lines("mb2", "0x36d76289",
                                  "modules=1 partition=mb2 from=grub triplefault", 1),
                r"^\[mb2\] mb2: triple fault: an empty IDT, then UD2$",
                r"^partition mb2: triple fault, restarting \(1 in the last minute\)$",
                r"^partition mb2: triple fault, restarting \(3 in the last minute\)$",
                r"^partition mb2: triple fault 4 times within a minute: stopped$",
                r"^\[mb2\] mb2: boot information \d+ bytes$",
                r"^\[mb2\] mb2: acpi rsdp rev 2 checksum ok$",
                r"^\[mb1\] mb1: cmos clock \d{4}-\d\d-\d\d \d\d:\d\d$",
                *_multiboot_lines("mblong", "0x36d76289", "modules=0 partition=mblong poweroff",
                                  0),
                r"^partition mblong: powered off$",
                r"^partition mbkludge: reset, restarting \(1 in the last minute\)$",
                r"^partition mbkludge: reset, restarting \(3 in the last minute\)$",
                r"^partition mbkludge: reset 4 times within a minute: stopped$",
                r"^\[mblong\] mblong: 64-bit code in long mode prints this line$",
                r"^\[mblong\] mblong: long mode: efer 0x[0-9a-f]*[5d]00, cs 0x18, "
                r"64-bit rotate 0x89abcdef01234567$",
                r"^\[mblong\] mblong: back in 32-bit protected mode: cr0 0x[0-9a-f]+ efer 0x0$",
                r"^\[mblong\] mblong: entering real mode: \d+ bytes of 16-bit code at 0x8000, "
                r"16-bit segments 0x20/0x28$",
                r"^\[mblong\] mblong: real mode: cs 0x0800 prints this line$",
                r"^\[mblong\] mblong: back in protected mode from real mode$",
                *_multiboot_lines("mbkludge", "0x2badb002", "modules=0 partition=mbkludge reset",
                                  0)],
        interact=scripted(MULTIBOOT_SCREEN_STEPS),
        forbid=NO_EXCEPTION + (r"FAIL", r"check failed", r"stopped on cpu", r"not started"),
        timeout=240,
    ),
]


# ---- Linux in a partition: Debian's kernel and a busybox initramfs (make linux-images) ------
BOCHS_SMP2_512M = Machine(emulator="bochs", mem_mib=512, cpus=2, cpu_model="corei7_skylake_x")
LINUX_MODULES = (
    (BUILD / "linux" / "vmlinuz", "linux console=ttyS0"),
    (BUILD / "linux" / "initrd.img", "linux-initrd"),
)

# Through `console linux` the keyboard reaches its ttyS0 by interrupts (IRQ 4 through the I/O
# APIC); the test guest on CPU 0 and the shell go on meanwhile; poweroff ends the partition
# through the FADT's PM1a control register.
LINUX_SHELL_STEPS = [
    ("console linux", [r"^console: keyboard to linux; Ctrl-T returns to the shell$"]),
    ("uname -a", [r"^\[linux\] Linux \S+ 6\.\S+-amd64 #1 SMP .* x86_64 GNU/Linux$"]),
    ("cat /proc/interrupts", [r"^\[linux\] +4: +\d+ +IO-APIC +4-edge +ttyS0$",
                              r"^\[linux\] +LOC: +[1-9]\d* +Local timer interrupts$"]),
    ("cat /proc/cpuinfo", [r"^\[linux\] processor\s+: 0$",
                           r"^\[linux\] (flags\s+:|\+) .*\bhypervisor\b"]),
    # 64 KiB through the interrupt-driven 8250: it used to stop after about 5 KiB, when the
    # full line queue made LSR read busy after the driver had cleared THRE.
    ("cat /bench/64k.txt", [r"^\[linux\] 1023 0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMN"]),
    ("\x14", [r"^console: keyboard back to the shell$"]),
    ("parts", [r"^linux +1 +(running|halted) +256 MiB"]),
    ("console linux", [r"^console: keyboard to linux; Ctrl-T returns to the shell$"]),
    ("poweroff", [r"^partition linux: powered off$"]),
    ("\x14", [r"^console: keyboard back to the shell$"]),
    ("parts", [r"^guest0 +0 +running", r"^linux +1 +stopped"]),
    # Started again from scratch: its RAM zeroed, the image and initramfs loaded anew, its
    # firmware tables and devices rebuilt; the shell answers while it boots.
    ("restart linux", [r"^start: linux on cpu 1$", r"^partition linux: running on cpu 1$"]),
    ("parts", [r"^guest0 +0 +running", r"^linux +1 +running +256 MiB at 0x[0-9a-f]+ +linux +\d+$"]),
    ("", [r"^\[linux\] .*Linux version 6\.", r"^\[linux\] tessera-linux: init reached$"]),
    ("latency", [r"^latency: longest pause between rounds \d{1,2}\.\d ms, longest round "]),
]

def _linux_steps_and_guest0(session):
    """The shell steps, then: the test guest on CPU 0 ran on throughout (its exit count, in
    every `parts` the steps typed, only ever grew)."""
    scripted(LINUX_SHELL_STEPS, timeout=600)(session)
    counts = [int(m.group(1)) for m in
              (re.match(r"^guest0 +0 +running +32 MiB at 0x[0-9a-f]+ +testguest +(\d+)", l)
               for l in session.lines) if m]
    if len(counts) < 3 or any(b <= a for a, b in zip(counts, counts[1:])):
        raise TestFailure(f"guest0's exit counts in parts did not keep growing: {counts}")


TESTS += [
    EmuTest(
        name="bochs-linux",
        machine=BOCHS_SMP2_512M,
        cmdline="partitions=linux",
        guest=True,
        extra_modules=LINUX_MODULES,
        serial="socket",
        expect=[r"^partition linux: cpu 1, 256 MiB",
                r"^partition linux: running on cpu 1$",
                r"^\[linux\] .*Linux version 6\.",
                r"^\[linux\] .*ACPI: RSDP 0x00000000000E0000",
                r"^\[linux\] .*TSC deadline timer available",
                r"^\[linux\] .*printk: console \[ttyS0\] enabled",
                r"^\[linux\] tessera-linux: init reached$"],
        interact=_linux_steps_and_guest0,
        forbid=NO_EXCEPTION + (r"stopped on cpu", r"not started", r"Kernel panic",
                               r"^\[linux\] \.\.\. \d+ lines? dropped",
                               r"unchecked MSR access", r"XSAVE consistency"),
        timeout=1500,
    ),
]


# Bad bzImage partitions (table linux-bad): each is refused with the loader's line naming what
# is wrong, not started, and the test guest on CPU 0 goes on. The broken images are derived
# from the Debian kernel of `make linux-images`.
LINUX_BAD_DIR = BUILD / "test-vm" / "linux-bad"
LINUX_BIG_INITRD_MIB = 32       # fits neither below the kernel (15 MiB) nor above it in 96 MiB


def make_linux_bad_modules():
    kernel = (BUILD / "linux" / "vmlinuz").read_bytes()
    LINUX_BAD_DIR.mkdir(parents=True, exist_ok=True)
    corrupt = bytearray(kernel)
    corrupt[0x202:0x206] = b"XdrS"
    old = bytearray(kernel)
    old[0x206:0x208] = (0x0209).to_bytes(2, "little")
    files = {"linux-corrupt": bytes(corrupt), "linux-oldproto": bytes(old),
             "linux-truncated": kernel[:2 << 20]}
    for name, data in files.items():
        path = LINUX_BAD_DIR / name
        if not path.exists() or path.read_bytes() != data:
            path.write_bytes(data)
    big = LINUX_BAD_DIR / "linux-bigrd"
    if not big.exists() or big.stat().st_size != LINUX_BIG_INITRD_MIB << 20:
        with open(big, "wb") as f:
            f.truncate(LINUX_BIG_INITRD_MIB << 20)


TESTS += [
    EmuTest(
        name="bochs-linux-bad",
        machine=Machine(emulator="bochs", mem_mib=512, cpus=6, cpu_model="corei7_skylake_x"),
        cmdline="partitions=linux-bad",
        guest=True,
        prepare=make_linux_bad_modules,
        extra_modules=((LINUX_BAD_DIR / "linux-corrupt", "linux-corrupt"),
                       (LINUX_BAD_DIR / "linux-oldproto", "linux-oldproto"),
                       (LINUX_BAD_DIR / "linux-truncated", "linux-truncated"),
                       (BUILD / "linux" / "vmlinuz", "linux console=ttyS0"),
                       (LINUX_BAD_DIR / "linux-bigrd", "linux-bigrd")),
        expect=[r'^bzImage: no "HdrS" at 0x202 \(found 0x53726458\), not a Linux kernel$',
                r'^partition corrupt: not started: module "linux-corrupt" is not a loadable ',
                r"^bzImage: boot protocol 2\.09 is older than 2\.12$",
                r'^partition oldproto: not started: module "linux-oldproto" ',
                r"^bzImage: truncated: kernel needs \d+ bytes ",
                r'^partition truncated: not started: module "linux-truncated" ',
                r"^bzImage: kernel needs 0x[0-9a-f]+\+0x[0-9a-f]+ \(init_size\) but the partition "
                r"has 0x4000000 bytes$",
                r'^partition small: not started: module "linux" ',
                rf"^bzImage: initrd of {LINUX_BIG_INITRD_MIB << 20} bytes does not fit the partition ",
                r'^partition bigrd: not started: module "linux" ',
                r"^partition guest0: running on cpu 0$",
                r"^\[guest0\] heartbeat 3$"],
        forbid=NO_EXCEPTION + (r"running on cpu [1-5]", r"FAIL"),
        timeout=420,
    ),
]

# ---- consoles on PCs without a serial port (tests/emu/suite_consoles.py) -----------------
TESTS += console_tests(scripted)


def select(only=None):
    """The tests to run; only: a list of names or fnmatch patterns. Longest timeout
    first (slow tests have long timeouts), so parallel workers finish together."""
    import fnmatch
    tests = TESTS
    if only:
        tests = [t for t in TESTS if any(fnmatch.fnmatchcase(t.name, p) for p in only)]
    return sorted(tests, key=lambda t: -t.timeout)


def _check_unique():
    names = [t.name for t in TESTS]
    dup = {n for n in names if names.count(n) > 1}
    if dup:
        raise ValueError(f"duplicate emulator test names: {sorted(dup)}")


_check_unique()
