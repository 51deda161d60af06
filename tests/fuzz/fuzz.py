#!/usr/bin/env python3
"""Fuzzes each libFuzzer target for a while (make fuzz; docs/FUZZING.md).

    python3 tests/fuzz/fuzz.py [--seconds N] BIN...

BIN is build/fuzz/fuzz_<name>. Each target runs alone (the CPU is shared) for N seconds,
reading its committed corpus tests/fuzz/corpus/<name>/ and writing the inputs it finds to
build/fuzz/corpus/<name>/, never into the tree; crashes go to build/fuzz/artifacts/<name>/.
Per target one line says the executions, libFuzzer's final coverage (cov: edges, ft:
features) and the corpus size; the full output is in build/fuzz/logs/<name>.log.
Exits 1 when any target crashed, leaked, hung or broke an invariant.
"""

import argparse
import re
import subprocess
import sys
from pathlib import Path

sys.dont_write_bytecode = True
ROOT = Path(__file__).resolve().parents[2]
BUILD = ROOT / "build" / "fuzz"
HANG_SECONDS = 10           # one input running longer than this is a hang
SLACK_SECONDS = 120         # beyond --seconds before the whole run is killed

_STATUS = re.compile(r"^#(\d+)\s+\w+\s+cov: (\d+) ft: (\d+) corp: (\d+)/")
_EXECS = re.compile(r"^stat::number_of_executed_units: (\d+)")


def target_name(binary):
    name = Path(binary).name
    if not name.startswith("fuzz_"):
        raise SystemExit(f"error: {binary}: not a fuzz_<name> binary")
    return name[len("fuzz_"):]


def corpus_files(folder):
    return sorted(p for p in folder.iterdir() if p.is_file()) if folder.is_dir() else []


def fuzz_one(binary, seconds):
    """Runs one target; returns True when it ran clean."""
    name = target_name(binary)
    seeds = ROOT / "tests" / "fuzz" / "corpus" / name
    scratch = BUILD / "corpus" / name
    artifacts = BUILD / "artifacts" / name
    log = BUILD / "logs" / f"{name}.log"
    for d in (scratch, artifacts, log.parent):
        d.mkdir(parents=True, exist_ok=True)
    cmd = [str(Path(binary).resolve()), str(scratch), str(seeds),
           f"-max_total_time={seconds}", f"-timeout={HANG_SECONDS}",
           "-print_final_stats=1", f"-artifact_prefix={artifacts}/"]
    print(f"-- fuzz {name}: {seconds} s", flush=True)
    with open(log, "w") as out:
        try:
            rc = subprocess.run(cmd, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, cwd=ROOT,
                                timeout=seconds + SLACK_SECONDS).returncode
        except subprocess.TimeoutExpired:
            rc = None
    text = log.read_text(errors="replace").splitlines()
    status = [m for m in map(_STATUS.match, text) if m]
    execs = [m.group(1) for m in map(_EXECS.match, text) if m]
    cov, ft = (status[-1].group(2), status[-1].group(3)) if status else ("?", "?")
    runs = execs[-1] if execs else (status[-1].group(1) if status else "?")
    print(f"fuzz {name}: {runs} executions, cov {cov} ft {ft}, corpus "
          f"{len(corpus_files(seeds))} committed + {len(corpus_files(scratch))} in {scratch.relative_to(ROOT)}",
          flush=True)
    if rc == 0:
        return True
    why = "timed out" if rc is None else f"exit status {rc}"
    print(f"FAIL fuzz {name}: {why}; log {log.relative_to(ROOT)}", flush=True)
    report = [l for l in text if "ERROR:" in l or "invariant" in l or "SUMMARY" in l
              or "Test unit written" in l]
    for line in report[:8]:
        print(f"  {line}", flush=True)
    return False


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=int, default=60, help="per target (default 60)")
    ap.add_argument("binaries", nargs="+", metavar="BIN")
    args = ap.parse_args(argv)
    failed = [b for b in args.binaries if not fuzz_one(b, args.seconds)]
    print(f"fuzz: {len(args.binaries)} targets, {len(failed)} failed", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
