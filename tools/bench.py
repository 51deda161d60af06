#!/usr/bin/env python3
"""Measures tessera's image size and boot time; prints a table and writes it to --out.

    python3 tools/bench.py --elf build/tessera.elf --iso build/tessera.iso --out build/bench.txt

  size   text, data, bss of the ELF (binutils `size`), and the ISO's size
  qemu   wall time from launching QEMU (TCG, SeaBIOS, 64 MiB) to the "boot: ready" line,
         median of 5 runs; GRUB waits 0 s (a bench ISO is built from --elf)
  bochs  N from "boot: entry-to-ready tsc N" under Bochs (corei7_skylake_x, 64 MiB).
         Bochs' TSC advances one tick per instruction, so N is an instruction count and
         the same on every run of the same image.
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

QEMU_RUNS = 5
READY = r"^boot: ready$"
TSC = re.compile(r"^boot: entry-to-ready tsc (\d+)$")
LOG_DIR = harness.BUILD / "bench-logs"


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


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--elf", default=str(harness.ELF))
    ap.add_argument("--iso", default=str(harness.BUILD / "tessera.iso"))
    ap.add_argument("--out", default=str(harness.BUILD / "bench.txt"))
    args = ap.parse_args()
    elf, iso = Path(args.elf), Path(args.iso)

    harness.install_signal_handlers()
    harness.POLL_SECONDS = 0.005                  # finer timing than the tests need
    try:
        text, data, bss = image_size(elf)
        bench_iso = harness.build_iso("bench", harness.grub_cfg_text(title="tessera bench"), elf)
        times = qemu_boot_seconds(bench_iso)
        tsc = bochs_tsc(bench_iso)
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
        f"  qemu tcg to ready   {statistics.median(times):>12.3f} s   median of {len(times)} "
        f"(min {min(times):.3f}, max {max(times):.3f}; SeaBIOS, 64 MiB)",
        f"  bochs entry-ready   {tsc:>12} instructions (tsc, corei7_skylake_x)",
    ]
    table = "\n".join(rows) + "\n"
    print(table, end="")
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
