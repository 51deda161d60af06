#!/usr/bin/env python3
"""Runs tessera in an emulator with its console on this terminal (make run, run-bochs, run-qemu).

    python3 tools/serial_bridge.py bochs [--cpus N] [--mem MiB] [--model M] ISO
    python3 tools/serial_bridge.py qemu [--kvm] [--cpus N] [--mem MiB] ISO

bochs: Bochs runs headless in the background (display library term under `script`); its
COM1 is a loopback TCP connection to this program, which copies bytes both ways. The
terminal is raw from the start, so Ctrl-] quits at once, even while Bochs is starting.
Everything COM1 printed is also kept in build/run/bochs.log; Bochs' own log is
build/run/bochs.bochs.log.

qemu: QEMU reads the keyboard itself (-serial mon:stdio: Ctrl-A then X quits at once,
Ctrl-A then C is its monitor); its output passes through this program.

GRUB clears the screen, so once tessera's shell has announced itself and the console has
gone quiet, one line repeats how to reach the shell and how to quit. Whatever ends this
program (the quit key, the emulator exiting, SIGTERM, SIGHUP) kills the emulator and every
process below it, and restores the terminal.
"""

import argparse
import os
import select
import sys
import termios
import threading
import time
import tty
from pathlib import Path

sys.dont_write_bytecode = True       # keep __pycache__ out of the source tree
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from emu import harness  # noqa: E402

BOCHS_QUIT = b"\x1d"                 # Ctrl-]
QUIT_TEXT = {"bochs": "Ctrl-]", "qemu": "Ctrl-A then X"}
RUN_DIR = harness.BUILD / "run"
SHELL_BANNER = b"type help for the commands"     # shell/commands.c: shell_start()
QUIET_SECONDS = 3.0                  # console silent this long after the banner: show the hint
BANNER_WAIT_SECONDS = 15.0           # ... or this long after the banner, however chatty
NO_SHELL_SECONDS = 20.0              # no banner (boot stopped early): after this much silence
POLL_SECONDS = 0.1


class Terminal:
    """This program's standard output, shared by the copying thread and the hint; the
    terminal settings are saved first and restored by restore()."""

    def __init__(self):
        self.out_fd = sys.stdout.fileno()
        self.in_fd = sys.stdin.fileno()
        self.saved = termios.tcgetattr(self.in_fd) if os.isatty(self.in_fd) else None
        self.lock = threading.Lock()

    def raw(self):
        # TCSANOW keeps what was typed already: a Ctrl-] typed during the build still quits.
        if self.saved is not None:
            tty.setraw(self.in_fd, termios.TCSANOW)

    def write(self, data):
        with self.lock:
            try:
                os.write(self.out_fd, data)
            except OSError:
                pass

    def restore(self):
        if self.saved is not None:
            termios.tcsetattr(self.in_fd, termios.TCSADRAIN, self.saved)


class QuitHint:
    """Decides when to print the line that says how to reach the shell and how to quit: when
    the console goes quiet after the shell's banner and, with `repeat` (the bridge sees the
    keys), again after each later burst of output until the first key is typed: a slow
    guest's greeting (Bochs) may pause longer than the quiet period."""

    def __init__(self, quit_text, repeat):
        self.repeat = repeat
        self.text = (f"\r\n[run: tessera's debug shell is on this console: type help and Enter "
                     f"for its commands. Quit: {quit_text}.]\r\n").encode()
        self.tail = b""
        self.banner_at = None
        self.last_output = None
        self.shown_at = None
        self.typed = False

    def saw(self, data, now):
        self.last_output = now
        if self.banner_at is None:
            self.tail = (self.tail + data)[-2 * len(SHELL_BANNER):]
            if SHELL_BANNER in self.tail:
                self.banner_at = now

    def key_typed(self):
        self.typed = True

    def due(self, now):
        """The hint's bytes when it is due, else None."""
        if self.typed or self.last_output is None:
            return None
        if self.shown_at is not None and (not self.repeat or self.last_output <= self.shown_at):
            return None                  # shown, and nothing new since
        quiet = now - self.last_output
        if self.banner_at is None:
            due = quiet >= NO_SHELL_SECONDS
        elif self.shown_at is None:
            due = quiet >= QUIET_SECONDS or now - self.banner_at >= BANNER_WAIT_SECONDS
        else:
            due = quiet >= QUIET_SECONDS
        if not due:
            return None
        self.shown_at = now
        return self.text


def run_bochs(args, term):
    """Bochs with COM1 on a socket; the machine starts in a thread so the keyboard is read
    (and Ctrl-] honoured) from the first moment."""
    machine = harness.Machine(emulator="bochs", cpus=args.cpus, mem_mib=args.mem,
                              cpu_model=args.model)
    hint = QuitHint(QUIT_TEXT["bochs"], repeat=True)

    def from_com1(data):
        term.write(data)
        hint.saw(data, time.monotonic())

    started = {}
    done = threading.Event()

    # The ISO's own entry, with the screen console off: Bochs' headless display redraws a
    # hidden terminal for every character tessera puts on its screen (tests/emu/harness.py).
    iso = harness.build_iso("run-bochs", harness.grub_cfg_text(
        harness.BOCHS_CMDLINE, title="tessera", guest=True, hostile=True), harness.ELF,
        [harness.GUEST_IMAGE, harness.HOSTILE_IMAGE])

    def start():
        try:
            started["session"] = harness.start_machine(machine, iso, "bochs",
                                                       serial="socket", log_dir=RUN_DIR,
                                                       on_data=from_com1)
        except (KeyboardInterrupt, RuntimeError, OSError) as e:
            started["error"] = e
        # The kernel sends Bochs' wrapper its parent-death signal when the *thread* that
        # started it ends (PR_SET_PDEATHSIG), so this thread lives as long as the run.
        done.wait()

    starter = threading.Thread(target=start, daemon=True)
    starter.start()
    typed = b""                          # keys typed before COM1 connected
    stdin_open = True
    try:
        while True:
            session = started.get("session")
            if "error" in started:
                return f"error: {started['error']}"
            if session is not None:
                if typed:
                    session.send(typed)
                    typed = b""
                status = session.emu.poll()
                if status is not None:
                    return f"Bochs exited with status {status}"
            ready, _, _ = select.select([term.in_fd] if stdin_open else [], [], [],
                                        POLL_SECONDS)
            line = hint.due(time.monotonic())
            if line:
                term.write(line)
            if not ready:
                continue
            data = os.read(term.in_fd, 1024)
            if not data:
                stdin_open = False       # input ended (not a terminal): keep showing output
                continue
            hint.key_typed()
            if BOCHS_QUIT in data:
                data = data[:data.index(BOCHS_QUIT)]
                if data and session is not None:
                    session.send(data)
                return "quit"
            if session is not None:
                session.send(data)
            else:
                typed += data
    finally:
        harness.kill_all()               # also ends a Bochs still starting in the thread
        if started.get("session") is not None:
            started["session"].close()
        done.set()
        starter.join(timeout=15)


class StdioSerial:
    """COM1 and QEMU's monitor on QEMU's own standard input and output."""

    @staticmethod
    def qemu_args():
        return ["-serial", "mon:stdio"]


def run_qemu(args, term):
    """QEMU with -serial mon:stdio: it reads the keyboard; its output comes through here."""
    machine = harness.Machine(emulator="qemu", accel="kvm" if args.kvm else "tcg",
                              cpus=args.cpus, mem_mib=args.mem)
    hint = QuitHint(QUIT_TEXT["qemu"], repeat=False)
    emu = harness.Emulator(harness.qemu_command(machine, args.iso, StdioSerial()), None)
    out_fd = emu.proc.stdout.fileno()
    try:
        while True:
            ready, _, _ = select.select([out_fd], [], [], POLL_SECONDS)
            now = time.monotonic()
            if ready:
                data = os.read(out_fd, 4096)
                if not data:
                    return f"QEMU exited with status {emu.proc.wait()}"
                term.write(data)
                hint.saw(data, now)
            line = hint.due(now)
            if line:
                term.write(line)
    finally:
        emu.kill()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("emulator", choices=("bochs", "qemu"))
    ap.add_argument("iso")
    ap.add_argument("--cpus", type=int, default=2)
    ap.add_argument("--mem", type=int, default=512, help="guest memory in MiB")
    ap.add_argument("--model", default="corei7_skylake_x", help="Bochs CPU model")
    ap.add_argument("--kvm", action="store_true", help="QEMU: use KVM (-cpu host)")
    args = ap.parse_args()

    args.iso = Path(args.iso).resolve()
    if not args.iso.exists():
        print(f"error: {args.iso} does not exist", file=sys.stderr)
        return 1
    harness.install_signal_handlers()
    term = Terminal()
    try:
        if args.emulator == "bochs":
            term.raw()
            status = run_bochs(args, term)
        else:
            status = run_qemu(args, term)      # QEMU makes the terminal raw itself
    except KeyboardInterrupt:
        status = "interrupted"
    finally:
        harness.kill_all()
        term.restore()
    where = (f"; COM1 log: {RUN_DIR / 'bochs.log'}, Bochs log: {RUN_DIR / 'bochs.bochs.log'}"
             if args.emulator == "bochs" else "")
    print(f"\r\n[{status}{where}]")
    return 0


if __name__ == "__main__":
    sys.exit(main())
