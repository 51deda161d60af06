"""make bench's Linux figures (issue 13), both in Bochs (corei7_skylake_x, ips 50 M):

  boot   the Debian kernel and the busybox initramfs of `make linux-images` booted bare by
         GRUB (1 CPU, 256 MiB) and in tessera's `linux` table (Linux's partition 256 MiB on
         CPU 1, the test guest on CPU 0): Linux's own clock at Run /init, emulated time on
         both sides (the partition's kernel is told the TSC frequency tessera measures; the
         bare one gets it on its command line, BARE_TSC_KHZ), their ratio (target <= 1.2),
         and the host's wall time from the kernel's first line to the init marker, which
         mostly shows what Bochs' emulation of VMX non-root mode costs.
  idle   exits per second of the Linux partition idling at its shell prompt, by reason:
         two `exits linux` a known emulated time apart (tessera's `uptime` is TSC-based).
  tty    `time cat /bench/64k.txt` (64 KiB, 1024 lines) on the partition's ttyS0, in
         Linux's clock, against a 115200-baud line (11520 bytes/s).
"""

import re
import time
from pathlib import Path

from emu import harness

LINUX_DIR = harness.BUILD / "linux"
KERNEL = LINUX_DIR / "vmlinuz"
INITRD = LINUX_DIR / "initrd.img"
LOG_DIR = harness.BUILD / "bench-logs"
MARKER = r"tessera-linux: init reached$"
RUN_INIT = re.compile(r"\[\s*(\d+\.\d+)\] Run /init as init process")
TSC_MHZ = re.compile(r"tsc: Detected (\d+\.\d+) MHz")
FIRST_KERNEL_LINE = r"\[\s*0\.000000\] Linux version"
UPTIME = re.compile(r"^up (?:(\d+)h )?(?:(\d+)m )?(\d+)\.(\d{3})s$")
EXIT_ROW = re.compile(r"^(\S.*?)\s+(\d+)   root-mode cost")
TIME_REAL = re.compile(r"real\s+(\d+)m\s*(\d+\.\d+)s")
LINE_RATE = 115200 // 10            # bytes/s of a 115200-baud 8N1 line
IDLE_SETTLE_S = 20                  # wall seconds after init before idling is measured
IDLE_WINDOW_S = 40                  # wall seconds between the two exit counts
BOOT_TIMEOUT_S = 1200


def _machine(cpus, extra=()):
    return harness.Machine(emulator="bochs", mem_mib=512 if cpus > 1 else 256, cpus=cpus,
                           cpu_model="corei7_skylake_x", bochsrc_extra=tuple(extra))


# Bare, the kernel reads MSRs Bochs does not model (IA32_MISC_ENABLE in its 32-bit CPU check)
# and would triple-fault on the #GP; in a partition tessera answers them (docs/LINUX.md).
BARE_EXTRA = ("cpu: ignore_bad_msrs=1",)
# Bare, Linux would take Bochs' advertised 3.5 GHz for the TSC, which Bochs advances once per
# instruction (ips 50 M); the partition's kernel is told the 50 MHz tessera measures. With the
# same frequency on its command line the bare kernel's clock is emulated time too.
BARE_TSC_KHZ = 50000


def _wait(session, patterns, timeout, what):
    w = session.wait_for(patterns, timeout)
    if not w.ok:
        raise RuntimeError(f"{session.name}: {what}: missing {w.missing} "
                           f"(log {session.log_path})")


def _first(session, regex, what):
    for line in session.lines:
        m = regex.search(line)
        if m:
            return float(m.group(1))
    raise RuntimeError(f"{session.name}: no {what} line (log {session.log_path})")


def _timed_boot(session):
    """Wall seconds from the kernel's first console line to the init marker, Linux's clock at
    Run /init, and the TSC frequency Linux took (MHz)."""
    _wait(session, [FIRST_KERNEL_LINE], BOOT_TIMEOUT_S, "kernel start")
    t0 = time.monotonic()
    _wait(session, [MARKER], BOOT_TIMEOUT_S, "init marker")
    return (time.monotonic() - t0, _first(session, RUN_INIT, "Run /init"),
            _first(session, TSC_MHZ, "TSC frequency"))


def bare_boot(elf):
    cfg = "\n".join([
        "serial --unit=0 --speed=115200 --word=8 --parity=no --stop=1",
        "terminal_input serial console", "terminal_output serial console",
        "set timeout=0", "set default=0",
        'menuentry "Linux bare" {',
        f"    linux /boot/{KERNEL.name} console=ttyS0 tsc_early_khz={BARE_TSC_KHZ}",
        f"    initrd /boot/{INITRD.name}",
        "}"]) + "\n"
    iso = harness.build_iso("bench-linux-bare", cfg, elf, [KERNEL, INITRD])
    session = harness.start_machine(_machine(1, BARE_EXTRA), iso, "bench-linux-bare",
                                    log_dir=LOG_DIR)
    try:
        return _timed_boot(session)
    finally:
        session.close()


def _send(session, typed, expect, timeout=120):
    mark = session.mark()
    session.send(typed + "\r")
    w = session.wait_for(expect, timeout, since=mark)
    if not w.ok:
        raise RuntimeError(f"{session.name}: after {typed!r}: missing {w.missing} "
                           f"(log {session.log_path})")
    return session.lines[mark:]


def _uptime_seconds(lines):
    for line in lines:
        m = UPTIME.match(line)
        if m:
            h, mi, s, ms = (int(g) if g else 0 for g in m.groups())
            return h * 3600 + mi * 60 + s + ms / 1000
    raise RuntimeError("no uptime line")


def _exit_counts(lines):
    return {m.group(1): int(m.group(2)) for m in map(EXIT_ROW.match, lines) if m}


def _counts_at(session):
    up = _uptime_seconds(_send(session, "uptime", [UPTIME.pattern]))
    counts = _exit_counts(_send(session, "exits linux", [r"^last \d+ exits, oldest first:$"]))
    return up, counts


def partition_figures(elf):
    modules = [(KERNEL, "linux console=ttyS0"), (INITRD, "linux-initrd")]
    iso = harness.build_iso("bench-linux-partition", harness.grub_cfg_text(
        harness.emulator_cmdline(_machine(2), "partitions=linux"), title="tessera bench",
        guest=True, extra_modules=modules), elf, [harness.GUEST_IMAGE, KERNEL, INITRD])
    session = harness.start_machine(_machine(2), iso, "bench-linux-partition", "socket",
                                    log_dir=LOG_DIR)
    try:
        wall, clock, mhz = _timed_boot(session)
        time.sleep(IDLE_SETTLE_S)
        up0, counts0 = _counts_at(session)
        time.sleep(IDLE_WINDOW_S)
        up1, counts1 = _counts_at(session)
        seconds = up1 - up0
        idle = {r: (n - counts0.get(r, 0)) / seconds for r, n in counts1.items()
                if n - counts0.get(r, 0)}
        _send(session, "console linux", [r"^console: keyboard to linux"])
        lines = _send(session, "time cat /bench/64k.txt", [TIME_REAL.pattern], 600)
        m = next(filter(None, map(TIME_REAL.search, lines)))
        cat_seconds = int(m.group(1)) * 60 + float(m.group(2))
        got = sum(1 for l in lines if re.match(r"^\[linux\] \d{4} 0123456789abc", l))
        dropped = sum(int(d.group(1)) for d in
                      (re.search(r"^\[linux\] \.\.\. (\d+) lines dropped$", l) for l in lines) if d)
        return {"wall": wall, "clock": clock, "mhz": mhz, "idle": idle, "idle_seconds": seconds,
                "cat_seconds": cat_seconds, "cat_lines": got, "cat_dropped": dropped}
    finally:
        session.close()



def rows(elf):
    """The bench table's Linux rows."""
    if not KERNEL.exists() or not INITRD.exists():
        return [f"  linux               skipped: {KERNEL} or {INITRD} missing (make linux-images)"]
    bare_wall, bare_clock, bare_mhz = bare_boot(elf)
    f = partition_figures(elf)
    ratio = f["clock"] / bare_clock if bare_clock else float("inf")
    out = [
        f"  linux boot bare     {bare_clock:>10.3f} s Linux's clock at Run /init ({bare_mhz:.0f} MHz "
        f"TSC; GRUB, 1 CPU, 256 MiB), {bare_wall:.0f} s wall to the init marker",
        f"  linux boot in part. {f['clock']:>10.3f} s Linux's clock at Run /init ({f['mhz']:.0f} MHz "
        f"TSC; table linux), {f['wall']:.0f} s wall to the init marker",
        f"  linux boot ratio    {ratio:>10.2f}   partition / bare in emulated time (target <= 1.2)",
    ]
    total = sum(f["idle"].values())
    out.append(f"  linux idle exits    {total:>10.1f} /s at the shell prompt over "
               f"{f['idle_seconds']:.1f} s of emulated time, by reason:")
    for reason, rate in sorted(f["idle"].items(), key=lambda kv: -kv[1]):
        out.append(f"        {reason:<28} {rate:>8.1f} /s")
    rate = 65536 / f["cat_seconds"] if f["cat_seconds"] else float("inf")
    out.append(f"  linux ttyS0 cat     {rate:>10.0f} bytes/s (64 KiB in {f['cat_seconds']:.2f} s "
               f"of Linux's clock; {f['cat_lines']} of 1024 lines printed, "
               f"{f['cat_dropped']} dropped); line rate at 115200 baud {LINE_RATE} bytes/s, "
               f"ratio {rate / LINE_RATE:.2f}")
    return out
