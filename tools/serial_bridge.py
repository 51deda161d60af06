#!/usr/bin/env python3
"""Runs tessera in Bochs with its COM1 on this terminal (make run-bochs).

    python3 tools/serial_bridge.py [--cpus N] [--mem MiB] [--model M] ISO

Bochs runs headless in the background (display library term under `script`); its COM1 is
a loopback TCP connection to this program, which puts the terminal in raw mode and copies
bytes both ways. Ctrl-] quits and kills Bochs. Everything COM1 printed is also kept in
build/run/bochs.log; Bochs' own log is build/run/bochs.bochs.log.
"""

import argparse
import os
import select
import sys
import termios
import tty
from pathlib import Path

sys.dont_write_bytecode = True       # keep __pycache__ out of the source tree
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from emu import harness  # noqa: E402

QUIT = b"\x1d"                       # Ctrl-]
RUN_DIR = harness.BUILD / "run"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("iso")
    ap.add_argument("--cpus", type=int, default=2)
    ap.add_argument("--mem", type=int, default=512, help="guest memory in MiB")
    ap.add_argument("--model", default="corei7_skylake_x", help="Bochs CPU model")
    args = ap.parse_args()

    iso = Path(args.iso).resolve()
    if not iso.exists():
        print(f"error: {iso} does not exist", file=sys.stderr)
        return 1
    machine = harness.Machine(emulator="bochs", cpus=args.cpus, mem_mib=args.mem,
                              cpu_model=args.model)
    out_fd = sys.stdout.fileno()

    def to_terminal(data):
        try:
            os.write(out_fd, data)
        except OSError:
            pass

    harness.install_signal_handlers()
    stdin_fd = sys.stdin.fileno()
    saved = termios.tcgetattr(stdin_fd) if os.isatty(stdin_fd) else None
    session = None
    try:
        session = harness.start_machine(machine, iso, "bochs", serial="socket",
                                        log_dir=RUN_DIR, on_data=to_terminal)
        if saved is not None:
            tty.setraw(stdin_fd)
        status = bridge(session, stdin_fd)
    except KeyboardInterrupt:
        status = "interrupted"
    except RuntimeError as e:
        status = f"error: {e}"
    finally:
        if saved is not None:
            termios.tcsetattr(stdin_fd, termios.TCSADRAIN, saved)
        if session is not None:
            session.close()
    print(f"\r\n[{status}; COM1 log: {RUN_DIR / 'bochs.log'}, "
          f"Bochs log: {RUN_DIR / 'bochs.bochs.log'}]")
    return 0


def bridge(session, stdin_fd):
    """Copies the keyboard to COM1 until Ctrl-] or until Bochs exits."""
    stdin_open = True
    while True:
        status = session.emu.poll()
        if status is not None:
            return f"Bochs exited with status {status}"
        ready = []
        if stdin_open:
            ready, _, _ = select.select([stdin_fd], [], [], 0.2)
        else:
            select.select([], [], [], 0.2)
        if not ready:
            continue
        data = os.read(stdin_fd, 1024)
        if not data:
            stdin_open = False         # input ended (not a terminal): keep showing output
            continue
        if QUIT in data:
            data = data[:data.index(QUIT)]
            if data:
                session.send(data)
            return "quit"
        session.send(data)


if __name__ == "__main__":
    sys.exit(main())
