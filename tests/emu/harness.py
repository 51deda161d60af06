"""Emulator test harness: boots tessera ISOs in QEMU or Bochs and judges the serial log.

Python 3 standard library only. Used by tests/run.py (the test suite), tools/bench.py
and tools/serial_bridge.py (make run: Bochs or QEMU on a terminal).

The pieces, from the bottom up:
  Machine        what to emulate (emulator, firmware, memory, CPUs, which UART is the console)
  FileSerial     the console UART captured to a log file (all tests today)
  SocketSerial   the console UART on a socket the harness talks to; it still writes the
                 same log file, and adds send() for tests that type at the guest
  qemu_command / write_bochsrc
                 command line and configuration for one run
  Emulator       one running emulator in its own process group; kill() ends it and every
                 process below it, by PID; kill_all() ends every live one
  Session        a running machine plus its console: wait_for(), send()
  EmuTest        a test definition; run_test() / run_tests() execute them

A test passes when every `expect` regex has matched some line of the console (in any
order) and no `forbid` regex has, before `timeout` seconds. Tests that must talk to
the guest set `interact` to a function taking the Session (see EmuTest).
"""

import ctypes
import hashlib
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import termios
import time
import tty
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional, Sequence

from .qmp import Qmp

ROOT = Path(__file__).resolve().parents[2]
BUILD = ROOT / "build"
ELF = BUILD / "tessera.elf"
LOG_DIR = BUILD / "test-logs"
ISO_DIR = BUILD / "test-iso"
VM_DIR = BUILD / "test-vm"          # generated bochsrc files, OVMF variable stores, modules
MKISO = ROOT / "iso" / "mkiso.sh"

OVMF_CODE = Path("/usr/share/OVMF/OVMF_CODE_4M.fd")
OVMF_VARS = Path("/usr/share/OVMF/OVMF_VARS_4M.fd")
BOCHS_BIOS = Path("/usr/share/bochs/BIOS-bochs-latest")
BOCHS_VGABIOS = Path("/usr/share/vgabios/vgabios.bin")
BOCHS_MAX_HOST_MIB = 2048          # Bochs 2.7 rejects memory: host= above this

MODULE_NAME = "hello"                # the module's multiboot2 string, as the kernel prints it
MODULE_FILE = "hello.txt"            # its file name on the ISO (/boot/hello.txt)
MODULE_SIZE = 4096
GUEST_IMAGE = BUILD / "guest" / "testguest.elf"     # the shipped test guest (make builds it)
GUEST_MODULE = "testguest"           # its module name, as the partition tables refer to it
HOSTILE_IMAGE = BUILD / "guest" / "hostile.elf"     # the hostile guest (docs/HOSTILE.md)
HOSTILE_MODULE = "hostile"

POLL_SECONDS = 0.05
TAIL_LINES = 15

# Escape sequences GRUB's serial terminal writes; stripped before matching.
_ANSI = re.compile(r"\x1b(\[[0-9;?]*[ -/]*[@-~]|[@-Z\\-_])")


# ---- machines ------------------------------------------------------------------------

@dataclass(frozen=True)
class Machine:
    emulator: str = "qemu"           # "qemu" or "bochs"
    firmware: str = "bios"           # "bios" (SeaBIOS / Bochs BIOS) or "uefi" (OVMF, QEMU only)
    mem_mib: int = 64
    cpus: int = 1
    bochs_topology: str = ""         # Bochs only: "P:C:T" (processors:cores:threads) for
                                     # its cpu count, e.g. "1:1:2" = one core, two threads
    smp_topology: str = ""           # QEMU only, appended to -smp N, e.g. "sockets=2,cores=3"
    cpu_model: str = ""              # "" = default: QEMU "max", Bochs "corei7_skylake_x"
    accel: str = "tcg"               # QEMU only: "tcg" or "kvm"
    console: int = 1                 # which COM port is read: 1 (0x3f8) or 2 (0x2f8)
    bochs_ips: int = 50_000_000      # Bochs: emulated instructions per emulated second
    qemu_args: tuple = ()            # extra QEMU arguments
    serial_device: str = ""          # QEMU only: "" = the console on COM`console`; else a
                                     # -device spec ("pci-serial") that gets the console's
                                     # chardev, and the PC has no ISA serial port at all
    qmp: bool = False                # QEMU only: a QMP socket for Session.qmp (screen, keys)
    bochsrc_extra: tuple = ()        # extra bochsrc lines

    def __post_init__(self):
        if self.emulator not in ("qemu", "bochs"):
            raise ValueError(f"unknown emulator {self.emulator!r}")
        if self.firmware not in ("bios", "uefi"):
            raise ValueError(f"unknown firmware {self.firmware!r}")
        if self.emulator == "bochs" and self.firmware != "bios":
            raise ValueError("Bochs boots only with its BIOS")
        if self.console not in (1, 2, 3, 4):
            raise ValueError("console must be COM1..COM4")


# ---- process handling ----------------------------------------------------------------

_live_lock = threading.Lock()
_live = set()                        # Emulator objects whose process may still run
stopping = threading.Event()         # set on Ctrl-C / SIGTERM: every wait ends at once

_PR_SET_PDEATHSIG = 1
try:
    _prctl = ctypes.CDLL(None, use_errno=True).prctl
except (OSError, AttributeError):
    _prctl = None


def _child_setup():
    # Runs in the child between fork and exec. The child already leads a new
    # session (start_new_session); also make the kernel kill it should the harness
    # itself die without cleaning up (SIGKILL, crash).
    if _prctl is not None:
        _prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


def _descendants(pid):
    """PIDs of every process below pid (children first seen first), read from /proc."""
    children = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                stat = f.read().decode("ascii", "replace")
        except OSError:
            continue
        # Field 4 (ppid) follows the parenthesised command name, which may hold spaces.
        fields = stat[stat.rfind(")") + 2:].split()
        if len(fields) >= 2:
            children.setdefault(int(fields[1]), []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


class Emulator:
    """One emulator process, started in its own session and process group.

    `script` (for Bochs) puts Bochs in yet another session on its pseudo-terminal, so
    kill() collects every descendant by PID first, kills those, then the group.

    Its output goes to out_path; with out_path None (an emulator a person types at, e.g.
    QEMU's -serial mon:stdio) it reads this process's standard input and writes into the
    pipe self.proc.stdout."""

    def __init__(self, argv, out_path, cwd=None, env=None):
        self.argv = list(argv)
        self.out_path = Path(out_path) if out_path is not None else None
        if self.out_path is not None:
            self.out_path.parent.mkdir(parents=True, exist_ok=True)
        with _live_lock:
            if stopping.is_set():
                raise KeyboardInterrupt
            out = open(self.out_path, "wb") if self.out_path is not None else None
            try:
                self.proc = subprocess.Popen(
                    self.argv, stdin=subprocess.DEVNULL if out else None,
                    stdout=out or subprocess.PIPE, stderr=subprocess.STDOUT, cwd=cwd, env=env,
                    start_new_session=True, preexec_fn=_child_setup)
            finally:
                if out:
                    out.close()
            _live.add(self)
        self.started = time.monotonic()

    @property
    def pid(self):
        return self.proc.pid

    def poll(self):
        return self.proc.poll()

    def kill(self):
        """Ends the emulator and everything it started; safe to call more than once."""
        pids = []
        if self.proc.poll() is None:
            pids = _descendants(self.proc.pid)
        for pid in reversed(pids):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if pids:
            # A wrapper (script) reaps its child and exits by itself; give it a moment
            # so no zombie is left to init.
            try:
                self.proc.wait(timeout=1)
            except subprocess.TimeoutExpired:
                pass
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
        with _live_lock:
            _live.discard(self)
        return self.proc.returncode


def kill_all():
    """Ends every emulator still running (Ctrl-C, SIGTERM, exit)."""
    stopping.set()
    with _live_lock:
        live = list(_live)
    for emu in live:
        emu.kill()


def _on_sigterm(signum, frame):
    raise KeyboardInterrupt


def install_signal_handlers():
    """SIGTERM and SIGHUP behave like Ctrl-C: the caller's KeyboardInterrupt handling
    (or the atexit hook) kills every emulator."""
    import atexit
    atexit.register(kill_all)
    # A shell starting us in the background may have set SIGINT to "ignore".
    signal.signal(signal.SIGINT, signal.default_int_handler)
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _on_sigterm)


# ---- console capture -------------------------------------------------------------------

class FileSerial:
    """The console UART written by the emulator straight into the log file."""

    def __init__(self, log_path):
        self.log_path = Path(log_path)

    def qemu_chardev(self):
        return f"file,id=console,path={self.log_path}"

    def bochs_com(self):
        return f"mode=file, dev={self.log_path}"

    def before_start(self):
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self.log_path.write_bytes(b"")

    def after_start(self, emu):
        pass

    def send(self, data):
        raise RuntimeError("this test's console is a log file; use serial='socket' to send")

    def close(self):
        pass


class SocketSerial:
    """The console UART on a socket, for tests that also type at the guest.

    QEMU listens on a Unix socket and waits (wait=on) until the harness connects, so no
    early output is lost; Bochs connects as a client to a loopback TCP server the
    harness opened first. A thread copies everything received into the log file, so
    waiting and judging work exactly as with FileSerial."""

    def __init__(self, log_path, emulator, on_data=None):
        self.log_path = Path(log_path)
        self.emulator = emulator
        self.on_data = on_data           # called with every chunk received (a terminal bridge)
        self.sock = None
        self.listener = None
        self.thread = None
        self.path = None
        self.port = None

    def qemu_chardev(self):
        self.path = str(Path(tempfile.mkdtemp(prefix="tessera-serial-")) / "com.sock")
        return f"socket,id=console,path={self.path},server=on,wait=on"

    def bochs_com(self):
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(1)
        self.port = self.listener.getsockname()[1]
        return f"mode=socket-client, dev=127.0.0.1:{self.port}"

    def before_start(self):
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self.log_path.write_bytes(b"")

    def after_start(self, emu, timeout=120.0):
        # Bochs connects only after allocating guest memory: ~20 s for 5 GiB.
        deadline = time.monotonic() + timeout
        if self.listener is not None:
            self.listener.settimeout(0.2)
        while self.sock is None:
            try:
                if self.emulator == "qemu":
                    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                    try:
                        s.connect(self.path)
                    except OSError:
                        s.close()
                        raise
                    self.sock = s
                else:
                    self.sock, _ = self.listener.accept()
                    self.sock.settimeout(None)
            except OSError:
                if emu.poll() is not None:
                    raise RuntimeError(f"{self.emulator} exited (status {emu.poll()}) "
                                       "before its serial port connected")
                if stopping.is_set():
                    raise KeyboardInterrupt
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{self.emulator}'s serial port did not connect "
                                       f"within {timeout:g}s")
                if self.emulator == "qemu":
                    time.sleep(POLL_SECONDS)
        self.thread = threading.Thread(target=self._copy, daemon=True)
        self.thread.start()

    def _copy(self):
        with open(self.log_path, "ab", buffering=0) as log:
            while True:
                try:
                    data = self.sock.recv(4096)
                except OSError:
                    return
                if not data:
                    return
                log.write(data)
                if self.on_data is not None:
                    self.on_data(data)

    def send(self, data):
        if isinstance(data, str):
            data = data.encode()
        self.sock.sendall(data)

    def close(self):
        for s in (self.sock, self.listener):
            if s is not None:
                try:
                    s.close()
                except OSError:
                    pass
        if self.path:
            shutil.rmtree(Path(self.path).parent, ignore_errors=True)


# ---- emulator command lines ---------------------------------------------------------------

def qemu_command(machine, iso, serial, vars_copy=None, qmp_path=None):
    """argv for qemu-system-x86_64; `serial` supplies the console UART's chardev."""
    argv = ["qemu-system-x86_64"]
    if machine.accel == "kvm":
        argv += ["-accel", "kvm", "-cpu", machine.cpu_model or "host"]
    else:
        argv += ["-accel", "tcg", "-cpu", machine.cpu_model or "max"]
    argv += ["-m", str(machine.mem_mib), "-smp",
             str(machine.cpus) + (f",{machine.smp_topology}" if machine.smp_topology else ""),
             "-display", "none", "-monitor", "none", "-no-reboot", "-parallel", "none"]
    if machine.serial_device:
        argv += ["-serial", "none", "-chardev", serial.qemu_chardev(),
                 "-device", f"{machine.serial_device},chardev=console"]
    else:
        # Serial ports are numbered in order: ports before the console one are null.
        argv += ["-serial", "null"] * (machine.console - 1)
        argv += ["-chardev", serial.qemu_chardev(), "-serial", "chardev:console"]
    if qmp_path:
        argv += ["-qmp", f"unix:{qmp_path},server=on,wait=off"]
    if machine.firmware == "uefi":
        argv += ["-drive", f"if=pflash,format=raw,readonly=on,file={OVMF_CODE}",
                 "-drive", f"if=pflash,format=raw,file={vars_copy}"]
    argv += ["-cdrom", str(iso), "-boot", "d"]
    argv += list(machine.qemu_args)
    return argv


def bochsrc_text(machine, iso, serial, log_path):
    """A bochsrc for a headless run: term display, BIOS boot from the ISO on CD."""
    model = machine.cpu_model or "corei7_skylake_x"
    lines = [
        "# generated by tests/emu/harness.py",
        f"cpu: model={model}, count={machine.bochs_topology or machine.cpus}, "
        f"ips={machine.bochs_ips}, "
        "reset_on_triple_fault=0, ignore_bad_msrs=0",
        f"memory: guest={machine.mem_mib}, host={min(machine.mem_mib, BOCHS_MAX_HOST_MIB)}",
        f"romimage: file={BOCHS_BIOS}",
        f"vgaromimage: file={BOCHS_VGABIOS}",
        "pci: enabled=1, chipset=i440fx",
        "ata0: enabled=1, ioaddr1=0x1f0, ioaddr2=0x3f0, irq=14",
        f"ata0-master: type=cdrom, path={iso}, status=inserted",
        "boot: cdrom",
        "display_library: term",
        "mouse: enabled=0",
        "clock: sync=none, time0=utc",
        "port_e9_hack: enabled=1",
        f"log: {log_path}",
        "logprefix: %t%e%d",
        "panic: action=fatal",
        "error: action=report",
        "info: action=report",
        "debug: action=ignore",
    ]
    for n in range(1, 5):
        if n == machine.console:
            lines.append(f"com{n}: enabled=1, {serial.bochs_com()}")
        elif n < machine.console:
            lines.append(f"com{n}: enabled=1, mode=null")
    lines += list(machine.bochsrc_extra)
    return "\n".join(lines) + "\n"


def bochs_command(bochsrc, cmds):
    """Bochs under a pseudo-terminal (display library term needs one), with a debugger
    command file that only continues (Debian's Bochs stops at a debugger prompt)."""
    inner = f"bochs -q -f {shlex.quote(str(bochsrc))} -rc {shlex.quote(str(cmds))}"
    return ["script", "-qfec", inner, "/dev/null"]


_SCREEN_PTY = re.compile(rb'Bochs connected to screen "(/dev/pts/\d+)"')


def drain_bochs_screen(emu, out_path, timeout=60):
    """Reads Bochs' screen pseudo-terminal until Bochs exits, in a daemon thread.

    With its debugger built in, Bochs' term display opens a pseudo-terminal of its own for
    the screen and says which on its output. Nobody looks at it, but unread it fills, and
    then Bochs blocks in a write to it: the whole emulated machine stops (seen after minutes
    of VGA cursor updates in the Linux test). So every byte is read and thrown away."""
    def run():
        deadline = time.monotonic() + timeout
        path = None
        while path is None and time.monotonic() < deadline and emu.poll() is None:
            try:
                m = _SCREEN_PTY.search(Path(out_path).read_bytes())
            except FileNotFoundError:
                m = None
            if m:
                path = m.group(1).decode()
            else:
                time.sleep(0.1)
        if path is None:
            return
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NOCTTY)
        except OSError:
            return
        try:
            tty.setraw(fd)       # no echo back into Bochs' keyboard, no line buffering
            while os.read(fd, 65536):
                pass
        except (OSError, termios.error):
            pass                 # EIO once Bochs has closed its side
        finally:
            os.close(fd)
    thread = threading.Thread(target=run, name=f"bochs-screen-{Path(out_path).stem}", daemon=True)
    thread.start()
    return thread


def start_machine(machine, iso, name, serial="file", log_dir=LOG_DIR, on_data=None):
    """Boots iso on machine. The console goes to <log_dir>/<name>.log; the emulator's
    own output to <name>.out (and Bochs' log to <name>.bochs.log). serial: "file" or
    "socket" (then on_data, if given, also gets every byte the guest sends).
    Returns a Session; the caller must close() it."""
    log_dir = Path(log_dir)
    log_dir.mkdir(parents=True, exist_ok=True)
    VM_DIR.mkdir(parents=True, exist_ok=True)
    log = log_dir / f"{name}.log"
    if serial == "file":
        console = FileSerial(log)
    elif serial == "socket":
        console = SocketSerial(log, machine.emulator, on_data)
    else:
        raise ValueError(f"unknown serial kind {serial!r}")
    console.before_start()
    qmp = None
    if machine.emulator == "qemu":
        vars_copy = None
        if machine.firmware == "uefi":
            vars_copy = VM_DIR / f"{name}.OVMF_VARS.fd"
            shutil.copyfile(OVMF_VARS, vars_copy)
        if machine.qmp:
            qmp = Qmp()
        argv = qemu_command(machine, iso, console, vars_copy, qmp.path if qmp else None)
    else:
        bochsrc = VM_DIR / f"{name}.bochsrc"
        cmds = VM_DIR / f"{name}.bochs-cmds"
        bochsrc.write_text(bochsrc_text(machine, iso, console, log_dir / f"{name}.bochs.log"))
        cmds.write_text("c\n")
        argv = bochs_command(bochsrc, cmds)
    try:
        emu = Emulator(argv, log_dir / f"{name}.out")
    except BaseException:
        console.close()
        if qmp:
            qmp.close()
        raise
    if machine.emulator == "bochs":
        drain_bochs_screen(emu, log_dir / f"{name}.out")
    session = Session(name, emu, console, log)
    session.qmp = qmp
    try:
        console.after_start(emu)
    except BaseException:
        session.close()
        raise
    return session


# ---- a running machine -------------------------------------------------------------------

class WaitResult:
    def __init__(self, ok, missing, forbidden_line=None, forbidden_re=None, exited=None,
                 interrupted=False):
        self.ok = ok
        self.missing = missing               # regexes not seen
        self.forbidden_line = forbidden_line
        self.forbidden_re = forbidden_re
        self.exited = exited                 # emulator exit status if it ended early
        self.interrupted = interrupted


class Session:
    """A running machine and its console log; lines are read as they arrive."""

    def __init__(self, name, emu, console, log_path):
        self.name = name
        self.emu = emu
        self.console = console
        self.log_path = Path(log_path)
        self.lines = []                      # complete lines, \r and escapes removed
        self._partial = b""
        self._offset = 0
        self._forbid = []
        self.qmp = None                      # a tests.emu.qmp.Qmp when machine.qmp is set

    def _read(self):
        try:
            with open(self.log_path, "rb") as f:
                f.seek(self._offset)
                data = f.read()
        except FileNotFoundError:
            return []
        if not data:
            return []
        self._offset += len(data)
        data = self._partial + data
        parts = data.split(b"\n")
        self._partial = parts.pop()
        new = [_clean(p) for p in parts]
        self.lines.extend(new)
        return new

    def _final_read(self):
        new = self._read()
        if self._partial:
            last = _clean(self._partial)
            self._partial = b""
            self.lines.append(last)
            new.append(last)
        return new

    def forbid(self, regexes):
        """Regexes that fail the test whenever a line matches, from now on (and for
        lines already read)."""
        self._forbid += [re.compile(r) for r in regexes]

    def mark(self):
        """Index of the next line to arrive: pass it as wait_for(since=...) to match
        only output that follows, e.g. the answer to something about to be sent."""
        self._read()
        return len(self.lines)

    def wait_for(self, expect, timeout, forbid=(), since=0):
        """Waits until every regex in expect has matched a line (any order; lines from
        index `since` on, by default all), a line matches a forbidden one, the emulator
        exits, or timeout seconds pass."""
        pending = [re.compile(r) for r in expect]
        bad = self._forbid + [re.compile(r) for r in forbid]
        deadline = time.monotonic() + timeout
        new = self.lines[since:]             # lines read before this call count too
        while True:
            new += self._read()
            exited = self.emu.poll()
            if exited is not None:
                new += self._final_read()
            for line in new:
                for r in bad:
                    if r.search(line):
                        return WaitResult(False, [p.pattern for p in pending], line, r.pattern)
                pending = [p for p in pending if not p.search(line)]
            new = []
            if not pending:
                return WaitResult(True, [])
            if exited is not None:
                return WaitResult(False, [p.pattern for p in pending], exited=exited)
            if stopping.is_set():
                return WaitResult(False, [p.pattern for p in pending], interrupted=True)
            if time.monotonic() >= deadline:
                return WaitResult(False, [p.pattern for p in pending])
            time.sleep(POLL_SECONDS)

    def watch(self, seconds):
        """Keeps reading for `seconds` (stopping early if the emulator exits) and
        returns (line, regex) for the first forbidden line, or None."""
        deadline = time.monotonic() + seconds
        while True:
            exited = self.emu.poll() is not None
            new = self._final_read() if exited else self._read()
            for line in new:
                for r in self._forbid:
                    if r.search(line):
                        return line, r.pattern
            if exited or stopping.is_set() or time.monotonic() >= deadline:
                break
            time.sleep(POLL_SECONDS)
        if not exited:
            for line in self._final_read():
                for r in self._forbid:
                    if r.search(line):
                        return line, r.pattern
        return None

    def send(self, data):
        self.console.send(data)

    def tail(self, n=TAIL_LINES):
        self._final_read()
        return [l for l in self.lines if l.strip()][-n:]

    def close(self):
        status = self.emu.kill()
        self.console.close()
        if self.qmp is not None:
            self.qmp.close()
        return status


def _clean(raw):
    text = raw.decode("utf-8", "replace").replace("\r", "")
    return _ANSI.sub("", text)


# ---- ISO images --------------------------------------------------------------------------

def module_file():
    """build/test-vm/hello.txt: 4096 bytes of text, written when absent or wrong."""
    path = VM_DIR / MODULE_FILE
    line = b"hello from the tessera test module\n"
    data = (line * (MODULE_SIZE // len(line) + 1))[:MODULE_SIZE - 1] + b"\n"
    VM_DIR.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_bytes() != data:
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(data)
        tmp.replace(path)
    return path


# Bochs has no headless display but "term", which redraws the host terminal for every cell
# written to its VGA text memory: tessera's screen console would slow a test several times
# over. The screen console is tested under QEMU; Bochs runs keep it off.
BOCHS_CMDLINE = "screen=off"


def emulator_cmdline(machine, cmdline):
    """The kernel command line a test boots with on this machine."""
    if machine.emulator == "bochs":
        return f"{cmdline or ''} {BOCHS_CMDLINE}".strip()
    return cmdline or ""


def grub_cfg_text(cmdline="", module=False, title="tessera test", guest=False, hostile=False,
                  gfxpayload="", extra_modules=()):
    """GRUB menu for a test ISO: one entry, no wait. GRUB's terminal is on COM1 too,
    so its own errors (a missing file, a bad image) reach the test log. gfxpayload, when
    given, replaces iso/grub.cfg's choice of video mode (e.g. "800x600x24"). extra_modules:
    (file, module string) pairs loaded after the others, as /boot/<file's base name>."""
    lines = [
        "serial --unit=0 --speed=115200 --word=8 --parity=no --stop=1",
        "terminal_input serial console",
        "terminal_output serial console",
        # The screen as iso/grub.cfg sets it up: GOP framebuffer (UEFI), EGA text (BIOS).
        'if [ "$grub_platform" = "efi" ]; then insmod efi_gop; insmod efi_uga; fi',
        "set timeout=0",
        "set default=0",
        f'menuentry "{title}" {{',
        f"    multiboot2 /boot/tessera.elf {cmdline}".rstrip(),
    ]
    if module:
        lines.append(f"    module2 /boot/{MODULE_FILE} {MODULE_NAME}")
    if guest:
        lines.append(f"    module2 /boot/{GUEST_IMAGE.name} {GUEST_MODULE}")
    if hostile:
        lines.append(f"    module2 /boot/{HOSTILE_IMAGE.name} {HOSTILE_MODULE}")
    for path, string in extra_modules:
        lines.append(f"    module2 /boot/{Path(path).name} {string}")
    if gfxpayload:
        lines += ['    if [ "$grub_platform" = "pc" ]; then insmod vbe; fi',
                  f"    set gfxpayload={gfxpayload}"]
    else:
        lines.append('    if [ "$grub_platform" = "pc" ]; then set gfxpayload=text; fi')
    lines += ["    boot", "}"]
    return "\n".join(lines) + "\n"


def _digest(paths, text):
    h = hashlib.sha256(text.encode())
    for p in paths:
        h.update(str(p).encode() + b"\0")
        h.update(Path(p).read_bytes())
    return h.hexdigest()


def build_iso(name, cfg_text, elf=ELF, modules=()):
    """build/test-iso/<name>.iso from elf, a grub.cfg and module files, through
    iso/mkiso.sh; rebuilt only when one of them (or mkiso.sh) changed."""
    elf = Path(elf).resolve()
    if not elf.exists():
        raise FileNotFoundError(f"{elf} does not exist (run: make {elf.relative_to(ROOT)})"
                                if elf.is_relative_to(ROOT) else f"{elf} does not exist")
    ISO_DIR.mkdir(parents=True, exist_ok=True)
    iso = ISO_DIR / f"{name}.iso"
    cfg = ISO_DIR / f"{name}.grub.cfg"
    stamp = ISO_DIR / f"{name}.stamp"
    digest = _digest([elf, MKISO, *modules], cfg_text)
    if iso.exists() and stamp.exists() and stamp.read_text().strip() == digest:
        return iso
    cfg.write_text(cfg_text)
    stamp.unlink(missing_ok=True)
    r = subprocess.run(["sh", str(MKISO), str(elf), str(cfg), str(iso), *map(str, modules)],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if r.returncode != 0:
        raise RuntimeError(f"mkiso failed for {iso}:\n{r.stdout}")
    stamp.write_text(digest + "\n")
    return iso


# ---- tests ---------------------------------------------------------------------------------

@dataclass
class EmuTest:
    """One emulator test.

    name      unique; names the ISO, the log and the bochsrc
    machine   what to boot on
    cmdline   the kernel command line in grub.cfg
    module    load build/test-vm/hello.txt as module "hello"
    guest     load build/guest/testguest.elf as module "testguest" (the partitions' image)
    hostile   load build/guest/hostile.elf as module "hostile" (docs/HOSTILE.md)
    extra_modules  (file, module string) pairs GRUB loads after those, e.g. the
              multiboot test kernels and their data module
    prepare   called before the ISO is built, e.g. to derive module files from others
    expect    regexes that must each match some console line
    forbid    regexes that fail the test as soon as a line matches
    timeout   seconds from emulator start
    serial    "file" (log capture) or "socket" (log capture plus Session.send)
    settle    seconds to keep watching for forbidden lines once all are seen
    gfxpayload  GRUB's video mode for this boot instead of iso/grub.cfg's choice
    interact  optional function(session) run after the expectations are met; it may
              call session.mark(), session.send(...) and session.wait_for(...,
              since=mark); it raises TestFailure (or returns a string) to fail the
              test. Use with serial="socket".
    """
    name: str
    machine: Machine
    expect: Sequence[str]
    cmdline: str = ""
    module: bool = False
    guest: bool = False
    hostile: bool = False
    forbid: Sequence[str] = ()
    timeout: float = 30.0
    settle: float = 0.0
    serial: str = "file"
    interact: Optional[Callable] = None
    gfxpayload: str = ""
    extra_modules: Sequence[tuple] = ()
    prepare: Optional[Callable] = None


class TestFailure(Exception):
    pass


@dataclass
class Result:
    name: str
    passed: bool
    seconds: float
    report: str                          # the PASS/FAIL text, possibly several lines
    log: Optional[Path] = None
    interrupted: bool = False


def _fmt_missing(missing):
    return " ".join(f"/{m}/" for m in missing)


def run_test(test, elf=ELF):
    """Builds the test's ISO, boots it, waits, kills the emulator; returns a Result."""
    t0 = time.monotonic()
    log = LOG_DIR / f"{test.name}.log"
    try:
        modules = [module_file()] if test.module else []
        if test.guest:
            modules.append(GUEST_IMAGE)
        if test.hostile:
            modules.append(HOSTILE_IMAGE)
        if test.prepare is not None:
            test.prepare()
        modules += [Path(path) for path, _ in test.extra_modules]
        iso = build_iso(test.name, grub_cfg_text(emulator_cmdline(test.machine, test.cmdline),
                                                 test.module, test.name, test.guest,
                                                 test.hostile, test.gfxpayload,
                                                 test.extra_modules),
                        elf, modules)
    except (OSError, RuntimeError) as e:
        return Result(test.name, False, 0.0, f"FAIL {test.name}: {e}")
    session = None
    try:
        t0 = time.monotonic()
        session = start_machine(test.machine, iso, test.name, test.serial)
        session.forbid(test.forbid)
        w = session.wait_for(test.expect, test.timeout)
        failure = None
        if w.interrupted:
            return Result(test.name, False, time.monotonic() - t0,
                          f"FAIL {test.name}: interrupted log: {log}", log, True)
        if w.forbidden_line is not None:
            failure = (f"forbidden /{w.forbidden_re}/ seen: {w.forbidden_line.strip()!r}")
        elif not w.ok:
            why = "missing " + _fmt_missing(w.missing)
            if w.exited is not None:
                why = f"emulator exited (status {w.exited}); " + why
            else:
                why += f" after {test.timeout:g}s"
            failure = why
        elif test.interact is not None:
            try:
                msg = test.interact(session)
                if msg:
                    failure = str(msg)
            except TestFailure as e:
                failure = str(e)
        if failure is None:
            late = session.watch(test.settle)
            if late:
                failure = f"forbidden /{late[1]}/ seen: {late[0].strip()!r}"
        secs = time.monotonic() - t0
        if failure is None:
            return Result(test.name, True, secs, f"PASS {test.name} ({secs:.1f}s)", log)
        tail = session.tail()
        report = [f"FAIL {test.name}: {failure} log: {log}"]
        report += [f"    | {l}" for l in tail] or ["    | (log is empty)"]
        extra = _emulator_hint(test, session)
        if extra:
            report.append(extra)
        return Result(test.name, False, secs, "\n".join(report), log)
    except Exception as e:               # a harness or interact bug fails this test only
        kind = "" if isinstance(e, (OSError, RuntimeError)) else f"{type(e).__name__}: "
        return Result(test.name, False, time.monotonic() - t0,
                      f"FAIL {test.name}: {kind}{e} log: {log}", log)
    finally:
        if session is not None:
            session.close()


def _emulator_hint(test, session):
    """Points at the emulator's own output when it ended early with something to say."""
    out = session.emu.out_path
    try:
        text = out.read_text(errors="replace")
    except OSError:
        return None
    if test.machine.emulator == "qemu":
        msg = [l for l in text.splitlines() if l.strip()][-3:]
        return "\n".join(f"    qemu: {l}" for l in msg) if msg else None
    return f"    bochs log: {LOG_DIR / (test.name + '.bochs.log')}"


def run_tests(tests, jobs=2, elf=ELF, out=sys.stdout):
    """Runs tests `jobs` at a time, printing each report as it completes. Returns the
    Results in the order given. Ctrl-C kills every emulator and re-raises."""
    results = {}
    if jobs <= 1:
        for t in tests:
            r = run_test(t, elf)
            results[t.name] = r
            print(r.report, file=out, flush=True)
        return [results[t.name] for t in tests]
    pool = ThreadPoolExecutor(max_workers=jobs)
    try:
        futures = {pool.submit(run_test, t, elf): t for t in tests}
        for fut in as_completed(futures):
            r = fut.result()
            results[r.name] = r
            print(r.report, file=out, flush=True)
    except BaseException:
        kill_all()
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown(wait=True)
    return [results[t.name] for t in tests]
