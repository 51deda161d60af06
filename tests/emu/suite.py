"""The emulator tests: each boots build/tessera.elf from its own ISO and reads the console.

To add a test, append an EmuTest to TESTS: a unique name, a Machine, the kernel command
line, whether GRUB loads the "hello" module, and the regexes the console must show (and
must not). Regexes are matched with re.search against each line, \\r and escape sequences
removed; anchor them with ^ and $. See harness.EmuTest for the fields, including
`interact` for tests that type at the guest over a socket console.
"""

from .harness import BUILD, ROOT, EmuTest, Machine, TestFailure
from .suite_consoles import console_tests


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
    ("cpus", [r"^0 +0 +on +alpha +\d+$", r"^1 +1 +on +beta +\d+$"]),
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
    ("console beta", [r"^console: keyboard to beta; Ctrl-T returns to the shell$"]),
    ("xy", [r"^\[beta\] input 0x78$", r"^\[beta\] input 0x79$", r"^\[beta\] input 0x0d$"]),
    ("\x14", [r"^console: keyboard back to the shell$"]),
    ("uptime", [r"^up \d", r"^shell: answered in \d+ us$"]),
    ("dmesg", [r"^boot: ready$", r"^vmx: cpu 1 \(apic 1\): vmxon ok$"]),
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
BOCHS_SMP2_128M = Machine(emulator="bochs", mem_mib=128, cpus=2, cpu_model="corei7_skylake_x")
# Bochs 2.7 takes guest=4096 but its BIOS then reports RAM only below 3 GiB (the rest
# hides behind the PCI hole, nothing is remapped above 4 GiB); RAM above 4 GiB is
# guest - 4096 MiB. So 5120 MiB gives 1 GiB there. Start-up costs ~20 s at this size.
BOCHS_5G = Machine(emulator="bochs", mem_mib=5120, cpus=1, cpu_model="corei7_skylake_x")

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
            ("cpus", [r"^0 +0 +off +- +0$", r"^3 +3 +off +- +0$"]),
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


# ---- the hostile guest (docs/HOSTILE.md): attacks tessera must contain -------------------
# alpha (the test guest) prints its heartbeat on CPU 0 in every table; each test also
# requires one more alpha heartbeat after everything else it expects was seen, so alpha
# demonstrably outlives the attacks. Lines marked (lead) come from the line queue, the
# watchdog and the rate-limited reports of refused accesses.
BOCHS_SMP2_256M = Machine(emulator="bochs", mem_mib=256, cpus=2, cpu_model="corei7_skylake_x")
BOCHS_SMP4_256M = Machine(emulator="bochs", mem_mib=256, cpus=4, cpu_model="corei7_skylake_x")
HOSTILE_SURVIVABLE = 16              # the survivable scenarios in guest/images/hostile
HOSTILE_FORBID = NO_EXCEPTION + (r"NOT CONTAINED", r"hostile: unexpected", r"FAIL",
                                 r"partition alpha: stopped")


def _heartbeat_after(partition="alpha", seconds=60):
    """interact: `partition` must print a heartbeat after every expected line was seen."""
    def check(session):
        w = session.wait_for([rf"^\[{partition}\] heartbeat \d+$"], seconds,
                             since=session.mark())
        if w.forbidden_line is not None:
            return f"forbidden /{w.forbidden_re}/ seen: {w.forbidden_line.strip()!r}"
        if not w.ok:
            return f"no [{partition}] heartbeat within {seconds}s after the expected lines"
        return None
    return check


def _port(port, direction, outcome):
    """(lead) the first dropped access to a port in one direction."""
    return rf"^partition hostile: port 0x0*(?i:{port:x}) {direction} not granted: {outcome}$"


TESTS += [
    EmuTest(
        name="bochs-hostile-survive",
        machine=BOCHS_SMP2_256M,
        guest=True,
        hostile=True,
        cmdline="partitions=hostile-survive",
        expect=[r"^partition hostile: running on cpu 1$",
                r"^\[hostile\] hostile: partition 1 \(hostile\), 32 MiB, scenario survivable$",
                r"^\[hostile\] hostile: reset-ports: 0xcf9<-0x06, 0x64<-0xfe, 0x92<-0x01: "
                r"still running, port 0x92 reads 0xff$",
                r"^\[hostile\] hostile: pci-config: 0xcf8<-0x80000000, 0xcfc reads 0xffffffff$",
                r"^\[hostile\] hostile: msr-feature-control: wrmsr 0x3a #GP, rdmsr 0x3a 0x1, "
                r"rdmsr 0x480 #GP$",
                r"^\[hostile\] hostile: msr-unknown: 0x12345678 rdmsr #GP wrmsr #GP, "
                r"0x4b564d00 rdmsr #GP wrmsr #GP$",
                r"^\[hostile\] hostile: vmx-instructions: vmxon vmclear vmptrld vmptrst vmread "
                r"vmwrite vmlaunch vmresume vmxoff invept invvpid: #UD each$",
                r"^\[hostile\] hostile: vmcall-garbage: 0xdeadbeef -2, 0xffffffff00000001 -2, "
                r"console write above -3 straddling -3 wrapping -3, figure above -3$",
                r"^\[hostile\] hostile: invd: completed \(no exception\), a value written just "
                r"before reads 0x1badcafe$",
                r"^\[hostile\] hostile: xsetbv: (XSAVE present, CR4\.OSXSAVE set \(no "
                r"exception\): xcr0=0 #GP, xcr1=1 #GP|no XSAVE in CPUID: xsetbv #UD)$",
                r"^\[hostile\] hostile: cr4-vmxe: mov to CR4 with VMXE #GP, CR4 reads "
                r"0x[0-9a-f]+ \(VMXE clear\)$",
                r"^\[hostile\] hostile: write-hv-range: 1 MiB at gpa 0x100000-0x1fffff written, "
                r"0 words read back wrong, hypervisor answers id 1$",
                r"^\[hostile\] hostile: tf-single-step: TF over CPUID: 1 #DB, at rip (0x[0-9a-f]+) "
                r"\(expected \1\), DR6 0x[0-9a-f]+ \(BS set\)$",
                r"^\[hostile\] hostile: movss-shadow-exit: TF, MOV SS, CPUID: 1 #DB, at rip "
                r"(0x[0-9a-f]+) \(expected \1\), DR6 0x[0-9a-f]+ \(BS set\)$",
                r"^\[hostile\] hostile: tf-hlt: TF over HLT: 1 #DB, at rip (0x[0-9a-f]+) "
                r"\(expected \1\), DR6 0x[0-9a-f]+ \(BS set\)$",
                r"^\[hostile\] hostile: console-flood: 8192 lines, 1048576 bytes written, "
                r"guest still running, hypervisor answers id 1$",
                rf"^\[hostile\] hostile: {HOSTILE_SURVIVABLE} scenarios, "
                rf"{HOSTILE_SURVIVABLE} contained$",
                r"^\[hostile\] hostile: idle \(sti; hlt\)$",
                r"^\[alpha\] heartbeat 3$",
                # (lead) the line queue drops what the flood cannot get through
                r"\.\.\. \d+ lines? dropped",
                # (lead) rate-limited reports of refused accesses
                _port(0xCF9, "write", "dropped"),
                _port(0x64, "write", "dropped"),
                _port(0x92, "write", "dropped"),
                _port(0x92, "read", "read as all ones"),
                _port(0xCFC, "read", "read as all ones"),
                r"^partition hostile: wrmsr 0x0*3a refused: #GP injected$"],
        forbid=HOSTILE_FORBID + (r"partition hostile: stopped",
                                 r"^\[hostile\] x$",             # hypercall 1 with high bits
                                 r".\[alpha\] ",                # alpha's line torn
                                 r"^\[alpha\] .*flood",
                                 r"^(?!\[hostile\] ).*flood \d{4}/8192 "),
        interact=_heartbeat_after(),
        timeout=180,
    ),
    EmuTest(
        name="bochs-hostile-stop-a",
        machine=BOCHS_SMP4_256M,
        guest=True,
        hostile=True,
        cmdline="partitions=hostile-stop-a",
        expect=[r"^partition alpha: cpu 0, 32 MiB at 0x8000000,",
                r"^\[above\] hostile: read-above-end: reading gpa 0x2000000 \(memory_size, "
                r"just above its RAM\)$",
                r"^partition above: stopped on cpu 1: access outside its memory "
                r"\(EPT violation\)$",
                r"^partition above:   guest-physical 0x2000000 linear 0x2000000$",
                r"^\[other\] hostile: write-other-partition: writing gpa 0x8000000 \(another "
                r"partition's host-physical base\)$",
                r"^partition other: stopped on cpu 2: access outside its memory "
                r"\(EPT violation\)$",
                r"^partition other:   guest-physical 0x8000000 linear 0x8000000$",
                r"^\[ptrw\] hostile: page-table-rewrite: linear 0x40000000 mapped to 0xfee00000 "
                r"\(the local APIC\), reading its version register$",
                r"^partition ptrw: stopped on cpu 3: access outside its memory "
                r"\(EPT violation\)$",
                r"^partition ptrw:   guest-physical 0xfee00030 linear 0x40000030$",
                r"^\[alpha\] memory: test skipped \(memtest=off\)$",
                r"^\[alpha\] heartbeat 5$"],
        forbid=HOSTILE_FORBID,
        interact=_heartbeat_after(),
        timeout=120,
    ),
    EmuTest(
        name="bochs-hostile-stop-b",
        machine=BOCHS_SMP4_256M,
        guest=True,
        hostile=True,
        cmdline="partitions=hostile-stop-b",
        expect=[r"^\[triple\] hostile: triple-fault: IDT limit 0, then ud2$",
                r"^partition triple: stopped on cpu 1: triple fault$",
                r"^\[clihlt\] hostile: cli-hlt: cli; hlt$",
                r"^partition clihlt: stopped on cpu 2: HLT with interrupts disabled: "
                r"the guest can never wake$",
                r"^\[spin\] hostile: cli-spin: cli; spinning with no exits$",
                # (lead) the watchdog
                r"^partition spin: stopped on cpu 3: watchdog: only preemption-timer exits "
                r"for 2000 ms$",
                r"^\[alpha\] heartbeat 12$"],
        forbid=HOSTILE_FORBID,
        interact=_heartbeat_after(),
        timeout=120,
    ),
    EmuTest(
        name="bochs-hostile-stop-debug",
        machine=BOCHS_SMP2_256M,
        guest=True,
        hostile=True,
        cmdline="partitions=hostile-stop-debug",
        expect=[r"^\[dbloop\] hostile: db-delivery-loop: #DB on IST1 at 0x[0-9a-f]+, DR0 = "
                r"0x[0-9a-f]+ \(write, 8 bytes\) where each delivery pushes, then int1$",
                r"^partition dbloop: stopped on cpu 1: #DB raised by the delivery of its own "
                r"#DB: it would recur for ever$",
                r"^partition dbloop:   exit exception or non-maskable interrupt \(NMI\) \(0\) on "
                r"cpu 1, qualification 0x1$",
                r"^\[alpha\] heartbeat 5$"],
        forbid=HOSTILE_FORBID,
        interact=_heartbeat_after(),
        timeout=120,
    ),
]

# The whole catalog (docs/HOSTILE.md): each scenario, the test whose boot runs it, and the
# console line that shows it was contained. The survivable ones are the guest's own verdicts;
# a stopping scenario's proof is the hypervisor's report, since the guest cannot report on
# itself. hostile_catalog() checks them all once the three tests have run.
HOSTILE_CATALOG = [
    ("reset-ports", "bochs-hostile-survive", r"^\[hostile\] hostile: reset-ports: .*still running"),
    ("pci-config", "bochs-hostile-survive", r"^\[hostile\] hostile: pci-config: .*reads 0xffffffff$"),
    ("msr-feature-control", "bochs-hostile-survive", r"^\[hostile\] hostile: msr-feature-control: wrmsr 0x3a #GP"),
    ("msr-unknown", "bochs-hostile-survive", r"^\[hostile\] hostile: msr-unknown: .*wrmsr #GP$"),
    ("vmx-instructions", "bochs-hostile-survive", r"^\[hostile\] hostile: vmx-instructions: .*#UD each$"),
    ("vmcall-garbage", "bochs-hostile-survive", r"^\[hostile\] hostile: vmcall-garbage: 0xdeadbeef -2"),
    ("invd", "bochs-hostile-survive", r"^\[hostile\] hostile: invd: completed"),
    ("xsetbv", "bochs-hostile-survive", r"^\[hostile\] hostile: xsetbv: .*(#GP|#UD)$"),
    ("cr4-vmxe", "bochs-hostile-survive", r"^\[hostile\] hostile: cr4-vmxe: .*\(VMXE clear\)$"),
    ("write-hv-range", "bochs-hostile-survive", r"^\[hostile\] hostile: write-hv-range: .*0 words read back wrong"),
    ("string-io-flood", "bochs-hostile-survive", r"^\[hostile\] hostile: string-io-flood: .*counts left 0/0, 65536 bytes read as 0xff"),
    ("cpuid-sweep", "bochs-hostile-survive", r"^\[hostile\] hostile: cpuid-sweep: 960 leaves and subleaves asked, 0 answers wrong"),
    ("console-flood", "bochs-hostile-survive", r"^\[hostile\] hostile: console-flood: .*guest still running"),
    ("read-above-end", "bochs-hostile-stop-a", r"^partition above: stopped on cpu 1: access outside its memory"),
    ("write-other-partition", "bochs-hostile-stop-a", r"^partition other: stopped on cpu 2: access outside its memory"),
    ("page-table-rewrite", "bochs-hostile-stop-a", r"^partition ptrw: stopped on cpu 3: access outside its memory"),
    ("triple-fault", "bochs-hostile-stop-b", r"^partition triple: stopped on cpu 1: triple fault$"),
    ("cli-hlt", "bochs-hostile-stop-b", r"^partition clihlt: stopped on cpu 2: HLT with interrupts disabled"),
    ("cli-spin", "bochs-hostile-stop-b", r"^partition spin: stopped on cpu 3: watchdog: "),
    ("tf-single-step", "bochs-hostile-survive", r"^\[hostile\] hostile: tf-single-step: TF over CPUID: 1 #DB"),
    ("movss-shadow-exit", "bochs-hostile-survive", r"^\[hostile\] hostile: movss-shadow-exit: .*: 1 #DB"),
    ("tf-hlt", "bochs-hostile-survive", r"^\[hostile\] hostile: tf-hlt: TF over HLT: 1 #DB"),
    ("db-delivery-loop", "bochs-hostile-stop-debug", r"^partition dbloop: stopped on cpu 1: #DB raised by the delivery of its own #DB"),
]


def hostile_catalog(results):
    """After the hostile tests: checks every catalog scenario against its test's result and
    log, prints `hostile: N scenarios, M contained`, and returns whether M == N. Returns None
    when not every hostile test ran (then there is nothing to sum up)."""
    import re
    from .harness import LOG_DIR, _clean
    by_name = {r.name: r for r in results}
    needed = {test for _, test, _ in HOSTILE_CATALOG}
    if not needed <= by_name.keys():
        return None
    contained = 0
    for scenario, test, proof in HOSTILE_CATALOG:
        log = LOG_DIR / f"{test}.log"
        text = _clean(log.read_bytes()) if log.exists() else ""
        if by_name[test].passed and re.search(proof, text, re.MULTILINE):
            contained += 1
        else:
            print(f"hostile: {scenario}: NOT CONTAINED or not seen ({test}, /{proof}/)")
    print(f"hostile: {len(HOSTILE_CATALOG)} scenarios, {contained} contained", flush=True)
    return contained == len(HOSTILE_CATALOG)


# ---- the multiboot test kernels (guest/images/multiboot) on tessera's multiboot loaders ----
# Table "multiboot": mb1 (v1 ELF) on CPU 0, mb2 (v2) on CPU 1, mblong (v2, into long mode and
# back, then into real mode and back) on CPU 2, mbkludge (v1 a.out kludge, a flat binary) on
# CPU 3, 16 MiB each. mb2's module string replaces its table cmdline; mbdata's words after its
# name are its own string. Each kernel checks what its loader handed over and ends in PASS or
# FAIL; then the shell's `screen` shows what they wrote to VGA text memory.
MULTIBOOT_MODULES = (
    (BUILD / "guest" / "mb1test.elf", "mb1test"),
    (BUILD / "guest" / "mb2test.elf", "mb2test modules=1 partition=mb2 from=grub"),
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
                    r"^ 1\|modules=1 partition=mb2 from=grub$", r"^24\|mb2: PASS$"]),
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
                *_multiboot_lines("mb2", "0x36d76289", "modules=1 partition=mb2 from=grub", 1),
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
    ("\x14", [r"^console: keyboard back to the shell$"]),
    ("parts", [r"^linux +1 +(running|halted) +256 MiB"]),
    ("console linux", [r"^console: keyboard to linux; Ctrl-T returns to the shell$"]),
    ("poweroff", [r"^partition linux: powered off$"]),
    ("\x14", [r"^console: keyboard back to the shell$"]),
    ("parts", [r"^guest0 +0 +running", r"^linux +1 +stopped"]),
]

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
        interact=scripted(LINUX_SHELL_STEPS, timeout=480),
        forbid=NO_EXCEPTION + (r"stopped on cpu", r"not started", r"Kernel panic",
                               r"unchecked MSR access", r"XSAVE consistency"),
        timeout=1200,
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
