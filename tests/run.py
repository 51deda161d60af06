#!/usr/bin/env python3
"""The single entry point for tessera's tests (make test / unit-test / emu-test).

    python3 tests/run.py [--unit BIN...] [--fuzz BIN...] [--emu] [--only NAME...] [--jobs N]
                         [--elf PATH]

Unit binaries (cmocka) run one after the other with their output shown; their test
counts are read from cmocka's summary lines. Fuzz binaries (build/fuzz/fuzz_<name>,
libFuzzer) replay each file of tests/fuzz/corpus/<name>/ once and count one test each.
Emulator tests (tests/emu/suite.py) count one each and run two at a time. The last line printed is always "N passed, N failed";
the exit status is 1 when anything failed (130 when interrupted).
"""

import argparse
import os
import re
import subprocess
import sys
import time
from pathlib import Path

sys.dont_write_bytecode = True       # keep __pycache__ out of the source tree
sys.path.insert(0, str(Path(__file__).resolve().parent))
from emu import harness, suite  # noqa: E402

UNIT_TIMEOUT = 300
FUZZ_REPLAY_TIMEOUT = 120       # a whole corpus; each input gets FUZZ_INPUT_TIMEOUT
FUZZ_INPUT_TIMEOUT = 10
FUZZ_CORPUS = Path(__file__).resolve().parent / "fuzz" / "corpus"
_EXECUTED = re.compile(r"^Executed .* in \d+ ms")
_PASSED = re.compile(r"^\[  PASSED  \] (\d+) test\(s\)\.")
_FAILED = re.compile(r"^\[  FAILED  \] (\d+) test\(s\)")


class Tally:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def line(self):
        return f"{self.passed} passed, {self.failed} failed"


def run_unit(binary, tally):
    """Runs one cmocka binary, echoing its output, and adds its counts to tally."""
    print(f"-- {binary}", flush=True)
    passed = failed = 0
    seen = False
    env = dict(os.environ, CMOCKA_MESSAGE_OUTPUT="STDOUT")
    try:
        proc = subprocess.Popen([str(Path(binary).resolve())], stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env,
                                start_new_session=True)
    except OSError as e:
        print(f"FAIL {binary}: cannot run: {e}", flush=True)
        tally.failed += 1
        return
    deadline = time.monotonic() + UNIT_TIMEOUT
    try:
        for raw in proc.stdout:
            line = raw.decode("utf-8", "replace").rstrip("\n")
            print(line, flush=True)
            m = _PASSED.match(line)
            if m:
                passed += int(m.group(1))
                seen = True
            m = _FAILED.match(line)
            if m:
                failed += int(m.group(1))
                seen = True
            if time.monotonic() > deadline:
                break
        try:
            rc = proc.wait(timeout=max(1.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            rc = None
    finally:
        if proc.poll() is None:
            try:
                os.killpg(proc.pid, 9)
            except ProcessLookupError:
                pass
            proc.wait()
    if rc is None:
        print(f"FAIL {binary}: timed out after {UNIT_TIMEOUT}s", flush=True)
        failed += 1
    elif rc != 0 and (not seen or failed == 0):
        why = f"killed by signal {-rc}" if rc < 0 else f"exit status {rc}"
        print(f"FAIL {binary}: {why} without a failed-test count", flush=True)
        failed += 1
    elif not seen:
        print(f"note: {binary}: no cmocka summary; counted as 1 test", flush=True)
        passed += 1
    tally.passed += passed
    tally.failed += failed


def run_fuzz_replay(binary, tally):
    """Runs one libFuzzer binary once over every file of its corpus: one test."""
    name = Path(binary).name.removeprefix("fuzz_")
    corpus = FUZZ_CORPUS / name
    files = sorted(str(p) for p in corpus.iterdir() if p.is_file()) if corpus.is_dir() else []
    if not files:
        print(f"FAIL fuzz {name}: no corpus in {corpus}", flush=True)
        tally.failed += 1
        return
    cmd = [str(Path(binary).resolve()), f"-timeout={FUZZ_INPUT_TIMEOUT}"] + files
    t0 = time.monotonic()
    try:
        proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              stdin=subprocess.DEVNULL, timeout=FUZZ_REPLAY_TIMEOUT)
        out = proc.stdout.decode("utf-8", "replace").splitlines()
        rc = proc.returncode
    except subprocess.TimeoutExpired as e:
        out = (e.stdout or b"").decode("utf-8", "replace").splitlines()
        rc = None
    except OSError as e:
        out, rc = [f"cannot run: {e}"], -1
    executed = sum(1 for line in out if _EXECUTED.match(line))
    if rc == 0 and executed == len(files):
        print(f"PASS fuzz {name}: {executed} corpus inputs replayed in "
              f"{time.monotonic() - t0:.1f}s", flush=True)
        tally.passed += 1
        return
    why = (f"timed out after {FUZZ_REPLAY_TIMEOUT}s" if rc is None else
           f"exit status {rc}" if rc != 0 else f"{executed} of {len(files)} inputs ran")
    print(f"FAIL fuzz {name}: {why}", flush=True)
    for line in out[-30:]:
        print(f"  {line}", flush=True)
    tally.failed += 1


def run_emu(only, jobs, elf, tally):
    tests = suite.select(only)
    if only and not tests:
        names = ", ".join(t.name for t in suite.TESTS)
        print(f"FAIL --only {' '.join(only)}: no emulator test matches (known: {names})")
        tally.failed += 1
        return
    t0 = time.monotonic()
    results = harness.run_tests(tests, jobs=jobs, elf=elf)
    for r in results:
        if r.passed:
            tally.passed += 1
        else:
            tally.failed += 1
    ok = sum(r.passed for r in results)
    print(f"emulator tests: {ok}/{len(results)} passed in {time.monotonic() - t0:.1f}s",
          flush=True)
    catalog = suite.hostile_catalog(results)   # one more check over the hostile tests' logs
    if catalog is not None:
        if catalog:
            tally.passed += 1
        else:
            tally.failed += 1


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--unit", nargs="*", default=[], metavar="BIN",
                    help="cmocka test binaries to run")
    ap.add_argument("--fuzz", nargs="*", default=[], metavar="BIN",
                    help="libFuzzer binaries whose corpora to replay")
    ap.add_argument("--emu", action="store_true", help="run the emulator tests")
    ap.add_argument("--only", action="append", default=[], metavar="NAME",
                    help="emulator test name or glob (repeatable; implies --emu)")
    ap.add_argument("--jobs", type=int, default=2, help="emulators at a time (default 2)")
    ap.add_argument("--elf", default=str(harness.ELF), help="image to test (default %(default)s)")
    ap.add_argument("--list", action="store_true", help="list the emulator tests and exit")
    args = ap.parse_args(argv)

    if args.list:
        for t in suite.TESTS:
            print(f"{t.name:24} {t.machine.emulator:5} {t.machine.firmware:4} "
                  f"{t.machine.mem_mib:5} MiB  cmdline {t.cmdline!r}")
        return 0

    harness.install_signal_handlers()
    tally = Tally()
    try:
        if args.unit:
            print("== unit tests", flush=True)
            for b in args.unit:
                run_unit(b, tally)
        if args.fuzz:
            print("== fuzz corpus replay", flush=True)
            for b in args.fuzz:
                run_fuzz_replay(b, tally)
        if args.emu or args.only:
            print("== emulator tests", flush=True)
            run_emu(args.only, args.jobs, Path(args.elf), tally)
    except KeyboardInterrupt:
        harness.kill_all()
        print("\ninterrupted: every emulator killed", flush=True)
        print(tally.line(), flush=True)
        return 130
    print(tally.line(), flush=True)
    return 1 if tally.failed else 0


if __name__ == "__main__":
    sys.exit(main())
