"""Emulator tests of the hostile guest (docs/HOSTILE.md): the tables hostile-survive,
hostile-stop-a, hostile-stop-b, hostile-all and hostile-boot, and the catalog check that
tests/run.py runs after them. suite.py adds hostile_tests() to TESTS."""

import re

from .harness import LOG_DIR, EmuTest, Machine, TestFailure, _clean

# alpha (the test guest) prints its heartbeat on CPU 0 in every table; each test also
# requires one more alpha heartbeat after everything else it expects was seen, so alpha
# demonstrably outlives the attacks. Lines marked (lead) come from the line queue, the
# watchdog and the rate-limited reports of refused accesses.
BOCHS_SMP2_256M = Machine(emulator="bochs", mem_mib=256, cpus=2, cpu_model="corei7_skylake_x")
# Tiger Lake's VMX lets CR4.PKE be set (Skylake-X's does not); CPUID hides PKU, so tessera
# must refuse it (before, a guest could WRPKRU, and PKRU outlived a restart).
BOCHS_TIGERLAKE_SMP2 = Machine(emulator="bochs", mem_mib=256, cpus=2, cpu_model="tigerlake")
BOCHS_SMP4_256M = Machine(emulator="bochs", mem_mib=256, cpus=4, cpu_model="corei7_skylake_x")
HOSTILE_SURVIVABLE = 31              # the survivable scenarios in guest/images/hostile
HOSTILE_FORBID = (r"exception:", r"NOT CONTAINED", r"hostile: unexpected", r"FAIL",
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


LEFTOVER_CLEAN = (r"^\[left\] hostile: leftover-state: found xcr0 0x1 dr 0/0/0/0 fcw 0x37f "
                  r"mxcsr 0x1f80 pkru n/a \(CR4\.PKE #GP\); left 4 of 4 changed$")


def _restarts_find_clean(partition, times):
    """interact: restart `partition` from the shell `times` times; each run must report a
    clean leftover-state, and alpha's heartbeat goes on."""
    def run(session):
        for _ in range(times):
            _step(session, f"restart {partition}\r",
                  [rf"^partition {partition}: running on cpu 1$", LEFTOVER_CLEAN,
                   r"^\[alpha\] heartbeat \d+$"], timeout=90)
    return run


ANSWERED_WITHIN_100_MS = r"^shell: answered in \d{1,5} us$"
# A start rebuilds the partition first: in Bochs, wiping its 32 MiB alone is 4 M REP STOSQ
# iterations, each counted as an instruction (about 84 ms of the 110 ms measured).
STARTED_WITHIN_1_S = r"^partition {name}: running \d{{1,6}} us after its start was asked$"


def _stop_start_under_attack(attackers, attack_line):
    """interact: for each (name, cpu), while it attacks: `stop` must finish within 100 ms of
    emulated time (the shell's own measure, at log level debug), and `start` must have it
    rebuilt and running again within 1 s, attacking again. alpha's heartbeat goes on."""
    def run(session):
        _step(session, "log debug\r", [r"^log level debug$"])
        for name, cpu in attackers:
            _step(session, f"stop {name}\r", [
                rf"^partition {name}: stopped on cpu {cpu}: stopped from the shell$",
                rf"^stop: {name} stopped$", ANSWERED_WITHIN_100_MS])
            _step(session, f"start {name}\r", [
                rf"^partition {name}: running on cpu {cpu}$",
                STARTED_WITHIN_1_S.format(name=name), attack_line[name]])
        _step(session, "parts\r", [r"^\[alpha\] heartbeat \d+$"] +
              [rf"^{name} +{cpu} +running " for name, cpu in attackers])
    return run


def _port(port, direction, outcome):
    """(lead) the first dropped access to a port in one direction."""
    return rf"^partition hostile: port 0x0*(?i:{port:x}) {direction} not granted: {outcome}$"


def _step(session, typed, expect, timeout=60, from_start=False):
    """Types `typed` (None: nothing) and waits for every regex of `expect` among the lines
    that follow it (from the start of the log with from_start)."""
    mark = 0 if from_start else session.mark()
    if typed is not None:
        session.send(typed)
    w = session.wait_for(expect, timeout, since=mark)
    if w.forbidden_line is not None:
        raise TestFailure(f"forbidden /{w.forbidden_re}/ seen: {w.forbidden_line.strip()!r}")
    if not w.ok:
        raise TestFailure(f"after typing {typed!r}: missing "
                          + " ".join(f"/{m}/" for m in w.missing))


def _key_to(session, partition, key, expect):
    """`console <partition>`, one key (no CR) that must bring `expect`, then Ctrl-T."""
    _step(session, f"console {partition}\r",
          [rf"^console: keyboard to {partition}; Ctrl-T returns to the shell$"])
    _step(session, key, expect)
    _step(session, "\x14", [r"^console: keyboard back to the shell$"])


# The console-escapes line as the log must show it: each control byte, and each byte of the
# two-byte UTF-8 CSI, replaced by '?'.
ESCAPES_SHOWN = b"hostile: console-escapes: raw A?[2JB?]0;x?C?D??E?F?G"
_UNPRINTABLE = re.compile(rb"[^\t\x20-\x7e]")


def _guest_bytes_printable(session, partitions):
    """The raw log (bytes, before any cleaning): every line a partition printed holds only
    printable ASCII and tab from its `[name] ` prefix to the line end, and the escapes line
    is there exactly as ESCAPES_SHOWN."""
    raw = session.log_path.read_bytes()
    if b"[boot] " + ESCAPES_SHOWN + b"\r\n" not in raw and b"[boot] " + ESCAPES_SHOWN + b"\n" \
            not in raw:
        raise TestFailure(f"the raw log lacks {ESCAPES_SHOWN!r} as a whole line")
    for line in raw.split(b"\n"):
        for name in partitions:
            at = line.find(b"[" + name.encode() + b"] ")
            if at >= 0 and _UNPRINTABLE.search(line[at:].rstrip(b"\r")):
                raise TestFailure(f"a control byte from {name} reached the raw log: "
                                  f"{line[at:]!r}")


TPR_DONE = (r"^\[boot\] hostile: tpr-raise: CR8 15 no exception read 15, id 0, cpuid ok, "
            r"key 0x74 came, CR8 16 #GP read 15, CR8 0 read 0$")
STORM_DONE = (r"^\[boot\] hostile: exit-storm: \d+ cpuid exits in \d+ Mcycles, 0 answers wrong, "
              r"ended by key 0x73$")
WBINVD_DONE = (r"^\[boot\] hostile: wbinvd-storm: 20000 wbinvd completed \(no exception\) in \d+ "
               r"Mcycles, value reads 0x5eedf00d, hypervisor answers id 0$")
# The guest cannot tell a native WBINVD from a no-op: `exits boot` proves that each one exited.
WBINVD_EXITS = r"^WBINVD or WBNOINVD +20000 "
BOOT_REST = [
    r"^\[boot\] hostile: console-escapes: raw A\?\[2JB\?\]0;x\?C\?D\?\?E\?F\?G$",
    r"^\[boot\] hostile: console-escapes: 53 bytes written with ESC \[2J, ESC \] 0;x BEL, "
    r"0x9b, c2 9b, DEL, NUL, id 0$",
    r"^\[boot\] \.\.\. \d+ lines dropped$",
    r"^\[boot\] hostile: vmcall-print-flood: 10000 console-write hypercalls of 24 bytes, "
    r"0 returned less, guest still running, hypervisor answers id 0$",
    r"^\[boot\] hostile: rdpmc: ecx 0x0 #GP, 0x1 #GP, 0x40000000 #GP, 0xffffffff #GP, "
    r"4 of 4 #GP$",
    r"^\[boot\] hostile: monitor-mwait: 16 rounds: monitor no exception, mwait no exception, "
    r"still running, hypervisor answers id 0$",
    r"^\[boot\] hostile: debug-registers: write #DB B1, read #DB B2, execute #DB B4, "
    r"DR7 cleared: write no exception, DR0-3/DR7 kept, id 0$",
    WBINVD_DONE,
    r"^\[boot\] hostile: 8 scenarios, 8 contained$",
    r"^\[boot\] hostile: idle \(sti; hlt\)$",
]


# `latency` after each attack of the boot CPU's guest: the console never paused 100 ms.
LATENCY_OK = r"^latency: longest pause between rounds \d{1,2}\.\d ms, longest round "


def _boot_interact(session):
    # CR8 is 15 on the boot CPU, which serves the shell from this guest's exits.
    _step(session, "latency\r", [r"^latency: longest pause "])   # from boot: a new window
    _step(session, "parts\r", [r"^boot +0 +running +32 MiB", r"^alpha +1 +(running|halted) "])
    _key_to(session, "boot", "t", [TPR_DONE])
    _step(session, None, [r"^\[boot\] hostile: exit-storm: CPUID in a loop until a key arrives "
                          r"\(at most 1000 Mcycles\)$"], from_start=True)
    _step(session, "latency\r", [LATENCY_OK])          # while CR8 was 15
    _step(session, "exits boot\r", [r"^exits of boot: \d+ in all$", r"^CPUID +\d+ "])
    _step(session, "latency\r", [LATENCY_OK])          # during the CPUID storm
    _key_to(session, "boot", "s", [STORM_DONE])
    _step(session, None, BOOT_REST, timeout=120, from_start=True)
    _step(session, "exits boot\r", [r"^MONITOR +16 ", r"^MWAIT +16 ", r"^RDPMC +4 ",
                                    WBINVD_EXITS])
    _step(session, "latency\r", [LATENCY_OK])          # MONITOR/MWAIT, RDPMC, DRs, WBINVD
    _guest_bytes_printable(session, ("boot", "alpha"))
    return _heartbeat_after()(session)


ALL_LINES = [
    r"^\[h0\] hostile: xcr0-rules: #GP each: no x87, AVX no SSE, AVX-512 part, AVX-512 no AVX, "
    r"MPX half, bit 8, bit 63, 7 of 7; 0x7 set, xgetbv 0x7$",
    r"^\[h0\] hostile: cr-rules: #GP each: CR0 PG clear, NW without CD, bit 32, CR4 PAE clear, "
    r"bit 15, LA57 toggled, 6 of 6; CR0 0x[0-9a-f]+ CR4 0x[0-9a-f]+ unchanged$",
    r"^\[h0\] hostile: port-sweep: 65528 ports, 262112 accesses: 0 not all ones, 0 faulted, "
    r"still running, id 0$",
    r"^\[h0\] hostile: 3 scenarios, 3 contained$",
    r"^\[h0\] hostile: noncanonical-jump: far jump to 0x8000000000000000: #GP caught; again "
    r"with IDT limit 0$",
    r"^partition h0: stopped on cpu 0: triple fault$",
    r"^\[h1\] hostile: rdmsr-sweep: 20480 MSRs: 17 read, 20463 #GP, 0 not as documented, id 1$",
    r"^\[h1\] hostile: wrmsr-sweep: 20480 MSRs: 14 written back, 20466 #GP, 0 not as "
    r"documented, 0 changed, id 1$",
    r"^\[h1\] hostile: msr-noncanonical: #GP each: SYSENTER_ESP SYSENTER_EIP LSTAR FS_BASE "
    r"GS_BASE KERNEL_GS_BASE EFER bit 63; 7 of 7, 7 unchanged$",
    r"^\[h1\] hostile: 3 scenarios, 3 contained$",
    r"^\[h1\] hostile: exec-above-ram: jumping to gpa 0x3000000 \(above its RAM\)$",
    r"^partition h1: stopped on cpu 1: access outside its memory \(EPT violation\)$",
    r"^partition h1:   exit EPT violation \(48\) on cpu 1, qualification 0x[0-9a-f]+: fetch, "
    r"EPT entry ---, linear-address translation$",
    r"^partition h1:   guest-physical 0x3000000 linear 0x3000000$",
    r"^\[h2\] hostile: rdpmc: ecx 0x0 #GP, 0x1 #GP, 0x40000000 #GP, 0xffffffff #GP, 4 of 4 #GP$",
    r"^\[h2\] hostile: 3 scenarios, 3 contained$",
    r"^\[h2\] hostile: page-table-at-mmio: PML4 entry 1 -> table at 0xfec00000 \(the I/O "
    r"APIC\), writing linear 0x8000000000$",
    r"^partition h2: stopped on cpu 2: access outside its memory \(EPT violation\)$",
    r"^partition h2:   exit EPT violation \(48\) on cpu 2, qualification 0x[0-9a-f]+: "
    r"[a-z+]+, EPT entry ---, guest paging-structure access$",
    r"^partition h2:   guest-physical 0xfec00000 linear 0x8000000000$",
    r"^\[h3\] hostile: tpr-raise: CR8 15 no exception read 15, id 3, cpuid ok, no key, "
    r"CR8 16 #GP read 15, CR8 0 read 0$",
    r"^\[h3\] hostile: 1 scenarios, 1 contained$",
    r"^\[h3\] hostile: cr3-above-ram: CR3 = 0x10000000 \(above its RAM\), then reading linear "
    r"0x1000000$",
    r"^partition h3: stopped on cpu 3: access outside its memory \(EPT violation\)$",
    r"^partition h3:   guest-physical 0x10000000 linear 0x[0-9a-f]+$",
]


def _all_interact(session):
    # Typed while the attacks run: h0 (the boot CPU's guest) sweeps ports, h1 sweeps MSRs.
    _step(session, "parts\r", [r"^h0 +0 +running +32 MiB", r"^h1 +1 +running +32 MiB"])
    _step(session, "exits h1\r", [r"^exits of h1: \d+ in all$", r"^RDMSR +\d+ "])
    _step(session, "exits h0\r", [r"^exits of h0: \d+ in all$"])
    _step(session, None, ALL_LINES, timeout=150, from_start=True)
    _step(session, "parts\r", [r"^h0 +0 +stopped +32 MiB .*: triple fault$",
                               r"^h1 +1 +stopped +32 MiB .*: access outside its memory",
                               r"^h2 +2 +stopped +32 MiB .*: access outside its memory",
                               r"^h3 +3 +stopped +32 MiB .*: access outside its memory"])
    _step(session, "uptime\r", [r"^up \d"])


def _interactive_tests():
    """hostile-all and hostile-boot: shell commands typed while the attacks run."""
    return [
        EmuTest(
            name="bochs-hostile-all",
            machine=BOCHS_SMP4_256M,
            hostile=True,
            cmdline="partitions=hostile-all",
            serial="socket",
            expect=[r"^partition h0: running on cpu 0$", r"^partition h3: running on cpu 3$",
                    r"^shell: type help for the commands$"],
            interact=_all_interact,
            forbid=HOSTILE_FORBID,
            timeout=150,
        ),
        EmuTest(
            name="bochs-hostile-boot",
            machine=BOCHS_SMP2_256M,
            guest=True,
            hostile=True,
            cmdline="partitions=hostile-boot",
            serial="socket",
            expect=[r"^partition boot: running on cpu 0$",
                    r"^\[boot\] hostile: tpr-raise: CR8 15, holding until a key arrives \(at "
                    r"most 1000 Mcycles\)$"],
            interact=_boot_interact,
            forbid=HOSTILE_FORBID + (r"partition boot: stopped", r".\[alpha\] ",
                                     r"^\[alpha\] .*print-flood",
                                     r"^(?!\[boot\] ).*print-flood \d{5}/10000$"),
            timeout=150,
        ),
    ]


def hostile_tests():
    """The hostile tests, in the order suite.py lists them."""
    return [
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
                    r"^\[hostile\] hostile: tf-single-step: TF over CPUID: 1 #DB, at rip "
                    r"(0x[0-9a-f]+) \(expected \1\), DR6 0x[0-9a-f]+ \(BS set\)$",
                    r"^\[hostile\] hostile: movss-shadow-exit: TF, MOV SS, CPUID: 1 #DB, at rip "
                    r"(0x[0-9a-f]+) \(expected \1\), DR6 0x[0-9a-f]+ \(BS set\)$",
                    r"^\[hostile\] hostile: tf-hlt: TF over HLT: 1 #DB, at rip (0x[0-9a-f]+) "
                    r"\(expected \1\), DR6 0x[0-9a-f]+ \(BS set\)$",
                    # CPUID hides PKU, so CR4.PKE is #GP: no PKRU to dirty.
                    r"^\[hostile\] hostile: leftover-state: found xcr0 0x1 dr 0/0/0/0 fcw 0x37f "
                    r"mxcsr 0x1f80 pkru n/a \(CR4\.PKE #GP\); left 4 of 4 changed$",
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
                    r"^partition dbloop:   exit exception or non-maskable interrupt \(NMI\) \(0\) "
                    r"on cpu 1, qualification 0x1$",
                    r"^\[alpha\] heartbeat 5$"],
            forbid=HOSTILE_FORBID,
            interact=_heartbeat_after(),
            timeout=120,
        ),
        EmuTest(
            name="bochs-hostile-stop-shell",
            machine=BOCHS_SMP4_256M,
            guest=True,
            hostile=True,
            serial="socket",
            cmdline="partitions=hostile-stop-shell",
            expect=[r"^\[storm\] hostile: exit-storm: CPUID in a loop until a key arrives",
                    r"^\[tpr\] hostile: tpr-raise: CR8 15, holding until a key arrives",
                    r"^\[spin\] hostile: cli-spin: cli; spinning with no exits$",
                    r"^\[alpha\] heartbeat 2$"],
            forbid=HOSTILE_FORBID,
            interact=_stop_start_under_attack(
                [("storm", 1), ("tpr", 2), ("spin", 3)],
                {"storm": r"^\[storm\] hostile: exit-storm: CPUID in a loop until a key arrives",
                 "tpr": r"^\[tpr\] hostile: tpr-raise: CR8 15, holding until a key arrives",
                 "spin": r"^\[spin\] hostile: cli-spin: cli; spinning with no exits$"}),
            timeout=240,
        ),
        EmuTest(
            name="bochs-hostile-leftover",
            machine=BOCHS_TIGERLAKE_SMP2,
            guest=True,
            hostile=True,
            cmdline="partitions=hostile-leftover",
            serial="socket",
            expect=[LEFTOVER_CLEAN, r"^\[left\] hostile: 1 scenarios, 1 contained$"],
            forbid=HOSTILE_FORBID,
            # Twice: the run the restart replaces left XCR0, DR0-DR3, the x87 control word and
            # MXCSR dirty; each new run must find them reset, and CR4.PKE refused.
            interact=_restarts_find_clean("left", 2),
            timeout=180,
        ),
        *_interactive_tests(),
    ]


# The whole catalog (docs/HOSTILE.md): each scenario, the test whose boot runs it, and the
# console line that shows it was contained. The survivable ones are the guest's own verdicts;
# a stopping scenario's proof is the hypervisor's report, since the guest cannot report on
# itself. hostile_catalog() checks them all once the five tests have run.
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
    ("xcr0-rules", "bochs-hostile-all", r"^\[h0\] hostile: xcr0-rules: #GP each: .* 7 of 7; 0x7 set, xgetbv 0x7$"),
    ("cr-rules", "bochs-hostile-all", r"^\[h0\] hostile: cr-rules: #GP each: .* 6 of 6; .* unchanged$"),
    ("port-sweep", "bochs-hostile-all", r"^\[h0\] hostile: port-sweep: 65528 ports, 262112 accesses: 0 not all ones, 0 faulted"),
    ("rdmsr-sweep", "bochs-hostile-all", r"^\[h1\] hostile: rdmsr-sweep: 20480 MSRs: 17 read, 20463 #GP, 0 not as documented"),
    ("wrmsr-sweep", "bochs-hostile-all", r"^\[h1\] hostile: wrmsr-sweep: 20480 MSRs: 14 written back, 20466 #GP, 0 not as documented, 0 changed"),
    ("rdpmc", "bochs-hostile-boot", r"^\[boot\] hostile: rdpmc: .* 4 of 4 #GP$"),
    ("monitor-mwait", "bochs-hostile-boot", r"^\[boot\] hostile: monitor-mwait: 16 rounds: monitor no exception, mwait no exception"),
    ("msr-noncanonical", "bochs-hostile-all", r"^\[h1\] hostile: msr-noncanonical: #GP each: .* 7 of 7, 7 unchanged$"),
    ("wbinvd-storm", "bochs-hostile-boot", WBINVD_EXITS),
    ("debug-registers", "bochs-hostile-boot", r"^\[boot\] hostile: debug-registers: write #DB B1, read #DB B2, execute #DB B4, DR7 cleared: write no exception"),
    ("tpr-raise", "bochs-hostile-boot", TPR_DONE),
    ("exit-storm", "bochs-hostile-boot", STORM_DONE),
    ("console-escapes", "bochs-hostile-boot", r"^\[boot\] hostile: console-escapes: raw A\?\[2JB\?\]0;x\?C\?D\?\?E\?F\?G$"),
    ("vmcall-print-flood", "bochs-hostile-boot", r"^\[boot\] hostile: vmcall-print-flood: 10000 console-write hypercalls .* guest still running"),
    ("noncanonical-jump", "bochs-hostile-all", r"^partition h0: stopped on cpu 0: triple fault$"),
    ("exec-above-ram", "bochs-hostile-all", r"^partition h1:   guest-physical 0x3000000 linear 0x3000000$"),
    ("page-table-at-mmio", "bochs-hostile-all", r"^partition h2:   guest-physical 0xfec00000 linear 0x8000000000$"),
    ("cr3-above-ram", "bochs-hostile-all", r"^partition h3:   guest-physical 0x10000000 linear "),
    ("tf-single-step", "bochs-hostile-survive", r"^\[hostile\] hostile: tf-single-step: TF over CPUID: 1 #DB"),
    ("movss-shadow-exit", "bochs-hostile-survive", r"^\[hostile\] hostile: movss-shadow-exit: .*: 1 #DB"),
    ("tf-hlt", "bochs-hostile-survive", r"^\[hostile\] hostile: tf-hlt: TF over HLT: 1 #DB"),
    ("leftover-state", "bochs-hostile-leftover", LEFTOVER_CLEAN),
    ("db-delivery-loop", "bochs-hostile-stop-debug", r"^partition dbloop: stopped on cpu 1: #DB raised by the delivery of its own #DB"),
]


def hostile_catalog(results):
    """After the hostile tests: checks every catalog scenario against its test's result and
    log, prints `hostile: N scenarios, M contained`, and returns whether M == N. Returns None
    when not every hostile test ran (then there is nothing to sum up)."""
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
