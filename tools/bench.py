#!/usr/bin/env python3
"""Measures tessera's image size and boot time; prints a table and writes it to --out.

    python3 tools/bench.py --elf build/tessera.elf --iso build/tessera.iso --out build/bench.txt

  size   text, data, bss of the ELF (binutils `size`), the ISO's size, and the hypervisor's
         source lines (tools/sloc.py)
  qemu   wall time from launching QEMU (TCG, SeaBIOS, 64 MiB) to the "boot: ready" line,
         median of 5 runs; GRUB waits 0 s (a bench ISO is built from --elf)
  bochs  N from "boot: entry-to-ready tsc N" under Bochs (corei7_skylake_x, 64 MiB).
         Bochs' TSC advances one tick per instruction, so N is an instruction count and
         the same on every run of the same image.
  smp    time from the first INIT to the last AP online: QEMU TCG -smp 4 (microseconds
         as the hypervisor measures them with its calibrated TSC, median of 5) and Bochs
         with 2 CPUs (TSC ticks = instructions)
  guests the demo partitions under Bochs (2 CPUs): the test guest's exit round trips
         (CPUID, VMCALL, a trapped OUT, a write to its virtual UART) in TSC ticks, i.e.
         instructions on the path, the memory each partition costs beyond its RAM, and the
         cost of the L1D/buffer clear the CPU's mitigation plan needs before some entries
  flood  the hostile guest's 1 MiB console flood beside alpha's heartbeat (Bochs): flood
         lines printed and dropped, alpha's lines printed meanwhile, garbled ones
  linux  a Debian kernel's boot in a partition against bare Bochs, its idle exits by reason
         and its ttyS0 throughput (tools/bench_linux.py; --no-linux skips them)
"""

import argparse
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.dont_write_bytecode = True       # keep __pycache__ out of the source tree
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from emu import harness  # noqa: E402

import bench_linux  # noqa: E402
import sloc  # noqa: E402

QEMU_RUNS = 5

# Round-trip targets (issue: within 1.25x of the floor) and the floor a minimal throw-away
# handler reaches in Bochs (PLATFORMS.md: 15 pushes/pops, the reason read, the RIP advance).
EXIT_TARGETS = {"cpuid_round_trip": (80, 65), "vmcall_round_trip": (65, 52),
                "out_round_trip": (65, 52), "uart_write_round_trip": (150, None)}
# Where the instructions of each round trip go (counted from the disassembly of this tree).
EXIT_PATHS = {
    "cpuid_round_trip": "stub 36 (15 GPR stores, 10 loads: RBP and R12-R15 survive the call, "
                        "RBX reloaded for CPUID's verdict flag, call, verdict tests, VMRESUME); "
                        "dispatch 7 (reason, its bound, one ADD that counts and decides "
                        "sampling, table jump); leaf tests 7 (bound, direct-leaf bit), the "
                        "vCPU's table row 3, its 4 registers loaded and stored 8, RIP advance 15 "
                        "(RFLAGS and interruptibility read, one shift-OR-test for TF, RF and the "
                        "interrupt shadows, the length added to RIP's low 16 bits with a carry "
                        "test, RIP written), verdict 3; 1 exit in 64 sampled (ring record, 2 "
                        "RDTSC, histogram: about 1 an exit)",
    "vmcall_round_trip": "stub 32 (15 stores, 9 loads); dispatch 7; RAX, CPL check, number "
                         "bound, table jump 8; NOP hypercall: RAX store, RIP advance 15, "
                         "verdict 2; sampling ~1",
    "out_round_trip": "stub 32; dispatch 7; qualification read 2, same-access-as-last compare "
                      "2, count 1, IN test 2, RIP advance 15, verdict 2; sampling ~1",
    "uart_write_round_trip": "stub 32; dispatch 7; span test and one-entry registry 12; "
                             "device call 12; 16550 THR write and line-queue byte ~45; RIP "
                             "advance 15, verdict 3; sampling ~1",
}
READY = r"^boot: ready$"
TSC = re.compile(r"^boot: entry-to-ready tsc (\d+)$")
LOG_DIR = harness.BUILD / "bench-logs"
BRING_UP = re.compile(r"^cpu: bring-up took (\d+) us \(tsc (\d+)\)")
FIGURE = re.compile(r"^bench: (\w+) (\w+) (\d+)$")
ENTRY_CLEAR = re.compile(r"^mitigations: clear before entry: (.+), (\d+) TSC ticks, ")
OVERHEAD = re.compile(r"^partition (\w+): .* (\d+) KiB overhead$")


def image_size(elf):
    """(text, data, bss) in bytes from Berkeley-format `size`."""
    out = subprocess.run(["size", str(elf)], check=True, capture_output=True, text=True).stdout
    fields = out.splitlines()[1].split()
    return int(fields[0]), int(fields[1]), int(fields[2])


def qemu_boot_seconds(iso, runs=QEMU_RUNS):
    machine = harness.Machine(emulator="qemu", mem_mib=64)
    times = []
    for i in range(runs):
        session = harness.start_machine(machine, iso, f"bench-qemu-{i}", log_dir=LOG_DIR)
        try:
            w = session.wait_for([READY], 60)
            if not w.ok:
                raise RuntimeError(f"QEMU run {i}: no 'boot: ready' "
                                   f"(log {LOG_DIR}/bench-qemu-{i}.log)")
            times.append(time.monotonic() - session.emu.started)
        finally:
            session.close()
    return times


def bochs_tsc(iso):
    machine = harness.Machine(emulator="bochs", mem_mib=64, cpu_model="corei7_skylake_x")
    session = harness.start_machine(machine, iso, "bench-bochs", log_dir=LOG_DIR)
    try:
        w = session.wait_for([TSC.pattern], 120)
        if not w.ok:
            raise RuntimeError(f"Bochs: no 'boot: entry-to-ready tsc' line "
                               f"(log {LOG_DIR}/bench-bochs.log)")
        for line in session.lines:
            m = TSC.search(line)
            if m:
                return int(m.group(1))
    finally:
        session.close()
    raise RuntimeError("Bochs: tsc line vanished")


def run_until(machine, iso, name, patterns, timeout):
    """Boots iso, waits for every pattern, returns the console lines."""
    session = harness.start_machine(machine, iso, name, log_dir=LOG_DIR)
    try:
        w = session.wait_for(patterns, timeout)
        if not w.ok:
            raise RuntimeError(f"{name}: missing {w.missing} (log {LOG_DIR}/{name}.log)")
        return list(session.lines)
    finally:
        session.close()


def qemu_smp_bring_up_us(iso, runs=QEMU_RUNS):
    machine = harness.Machine(emulator="qemu", mem_mib=64, cpus=4)
    values = []
    for i in range(runs):
        lines = run_until(machine, iso, f"bench-qemu-smp-{i}", [BRING_UP.pattern, READY], 60)
        values += [int(m.group(1)) for m in map(BRING_UP.search, lines) if m]
    return values


def bochs_guests(elf):
    """Bring-up TSC, exit round trips and per-partition overhead from one Bochs boot."""
    iso = harness.build_iso("bench-guests", harness.grub_cfg_text(harness.BOCHS_CMDLINE,
                                                                  title="tessera bench",
                                                                  guest=True),
                            elf, [harness.GUEST_IMAGE])
    machine = harness.Machine(emulator="bochs", mem_mib=128, cpus=2,
                              cpu_model="corei7_skylake_x")
    want = [BRING_UP.pattern, r"^bench: alpha uart_write_round_trip \d+$",
            r"^bench: beta uart_write_round_trip \d+$"]
    lines = run_until(machine, iso, "bench-bochs-guests", want, 240)
    bring_up = [int(m.group(2)) for m in map(BRING_UP.search, lines) if m][0]
    figures = {}
    for m in filter(None, map(FIGURE.search, lines)):
        figures.setdefault(m.group(2), []).append(int(m.group(3)))
    overhead = {m.group(1): int(m.group(2)) for m in map(OVERHEAD.search, lines) if m}
    clear = next((m for m in map(ENTRY_CLEAR.search, lines) if m), None)
    return bring_up, figures, overhead, clear and (clear.group(1), int(clear.group(2)))


def flood_figures(elf):
    """One partition floods 1 MiB through its COM1 while alpha prints its heartbeat: how
    many flood lines reached the console, how many were dropped, how many heartbeats alpha
    got out meanwhile, and whether any of alpha's lines came out garbled."""
    iso = harness.build_iso("bench-flood", harness.grub_cfg_text(
        "partitions=hostile-survive " + harness.BOCHS_CMDLINE, title="tessera bench", guest=True,
        hostile=True),
        elf, [harness.GUEST_IMAGE, harness.HOSTILE_IMAGE])
    machine = harness.Machine(emulator="bochs", mem_mib=256, cpus=2,
                              cpu_model="corei7_skylake_x")
    lines = run_until(machine, iso, "bench-bochs-flood", [r"hostile: \d+ scenarios"], 300)
    start = next(i for i, l in enumerate(lines) if l.startswith("[hostile] flood"))
    end = max(i for i, l in enumerate(lines) if l.startswith("[hostile] flood"))
    window = lines[start:end + 1]
    dropped = sum(int(m.group(1)) for m in
                  (re.search(r"^\[hostile\] \.\.\. (\d+) lines dropped$", l) for l in window) if m)
    printed = sum(1 for l in window if l.startswith("[hostile] flood "))
    heartbeats = sum(1 for l in window if re.match(r"^\[alpha\] heartbeat \d+$", l))
    garbled = sum(1 for l in window if l.startswith("[alpha]")
                  and not re.match(r"^\[alpha\] heartbeat \d+$", l))
    return printed, dropped, heartbeats, garbled


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--elf", default=str(harness.ELF))
    ap.add_argument("--iso", default=str(harness.BUILD / "tessera.iso"))
    ap.add_argument("--out", default=str(harness.BUILD / "bench.txt"))
    ap.add_argument("--no-linux", action="store_true", help="skip the Linux figures")
    args = ap.parse_args()
    elf, iso = Path(args.elf), Path(args.iso)

    harness.install_signal_handlers()
    harness.POLL_SECONDS = 0.005                  # finer timing than the tests need
    try:
        text, data, bss = image_size(elf)
        bench_iso = harness.build_iso("bench", harness.grub_cfg_text(title="tessera bench"), elf)
        times = qemu_boot_seconds(bench_iso)
        tsc = bochs_tsc(bench_iso)
        smp_us = qemu_smp_bring_up_us(bench_iso)
        bring_up_tsc, figures, overhead, entry_clear = bochs_guests(elf)
        flood = flood_figures(elf)
        linux_rows = [] if args.no_linux else bench_linux.rows(elf)
    except KeyboardInterrupt:
        harness.kill_all()
        print("interrupted", file=sys.stderr)
        return 130
    except (OSError, RuntimeError, subprocess.CalledProcessError) as e:
        harness.kill_all()
        print(f"error: bench: {e}", file=sys.stderr)
        return 1

    iso_size = f"{iso.stat().st_size:>12} B" if iso.exists() else f"{'(no ' + str(iso) + ')':>14}"
    rows = [
        f"tessera bench: {elf}",
        f"  image text          {text:>12} B",
        f"  image data          {data:>12} B",
        f"  image bss           {bss:>12} B",
        f"  iso size            {iso_size}",
        f"  hypervisor source   {sloc.hypervisor_sloc(harness.ROOT):>12} lines (C, asm; no guest "
        f"images, blank lines or comments: tools/sloc.py)",
        f"  qemu tcg to ready   {statistics.median(times):>12.3f} s   median of {len(times)} "
        f"(min {min(times):.3f}, max {max(times):.3f}; SeaBIOS, 64 MiB)",
        f"  bochs entry-ready   {tsc:>12} instructions (tsc, corei7_skylake_x)",
        f"  qemu smp bring-up   {statistics.median(smp_us):>12} us   median of {len(smp_us)} "
        f"(first INIT to 3 APs online, TCG -smp 4)",
        f"  bochs smp bring-up  {bring_up_tsc:>12} instructions (first INIT to 1 AP online)",
    ]
    for name, values in sorted(figures.items()):
        target, floor = EXIT_TARGETS.get(name, (None, None))
        note = f"(target <= {target}" if target else ""
        if floor:
            note += f", floor {floor}"
        note += ")" if note else ""
        rows.append(f"  bochs {name:<18} {max(values):>6} ticks = instructions on the path "
                    f"{note}".rstrip())
        if name in EXIT_PATHS:
            rows.append(f"        where they go: {EXIT_PATHS[name]}")
    if entry_clear:
        rows.append(f"  bochs entry clear   {entry_clear[1]:>6} ticks: {entry_clear[0]} before an entry "
                    f"that follows other work on the CPU (management slot, interrupt, call); "
                    f"the round trips above never pay it")
    printed, dropped, heartbeats, garbled = flood
    rows.append(f"  console flood       {printed:>6} of 8192 flood lines printed, {dropped} dropped "
                f"(1 MiB through one partition's COM1)")
    rows.append(f"  meanwhile           {heartbeats:>6} heartbeat lines from alpha, {garbled} garbled")
    for part, kib in sorted(overhead.items()):
        rows.append(f"  partition {part:<9} {kib:>8} KiB beyond its RAM (VMCS, I/O and MSR "
                    f"bitmaps, MSR lists, EPT tables)")
    rows += linux_rows
    table = "\n".join(rows) + "\n"
    print(table, end="")
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
