"""Library loading as it grows: the bundled library against a generated 5,000-exercise clinic library.

Prints, from one run:
- load_library(lazy=True): what `generate` pays (reads vocabularies, conditions, programs and the
  folder listing; an exercise file is read when a handout uses it);
- load_library(lazy=False): what `validate` and `list` pay (every file read and checked);
- a cold `rxstretch list` on the bundled library (fresh process, median);
- `rxstretch validate` and `list` of the clinic library in fresh processes: first run with an empty
  parse cache, then a second run reading it; with --baseline, the same commands of another
  rxstretch executable (e.g. the previous release) in the same run, as the reference for ratios.

Usage: python benchmarks/bench_library.py [--size 5000] [--runs 5] [--baseline PATH/TO/rxstretch]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from rxstretch.api import load_library
from rxstretch.loaders.library import bundled_library_dir


def _median_seconds(action: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _clinic_library(folder: Path, size: int) -> Path:
    """Copies of the bundled exercises under new ids, as a clinic library folder of ``size`` files."""
    sources = sorted((bundled_library_dir() / "exercises").glob("*.yaml"))
    target = folder / "exercises"
    target.mkdir(parents=True)
    for number in range(size):
        source = sources[number % len(sources)]
        new_id = f"{source.stem}-{number:05d}"
        text = source.read_text(encoding="utf-8").replace(f"id: {source.stem}", f"id: {new_id}", 1)
        (target / f"{new_id}.yaml").write_text(text, encoding="utf-8")
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--baseline", help="another rxstretch executable to measure alongside")
    args = parser.parse_args()
    rxstretch = shutil.which("rxstretch") or sys.exit("rxstretch is not installed in this environment")
    bundled_count = len(load_library(use_env=False).exercises)
    with tempfile.TemporaryDirectory() as scratch:
        clinic = _clinic_library(Path(scratch) / "clinic", args.size)
        rows = []
        for lazy in (True, False):
            runs = args.runs if lazy else max(1, args.runs // 2)
            bundled = _median_seconds(lambda lazy=lazy: load_library(use_env=False, lazy=lazy), runs)
            grown = _median_seconds(lambda lazy=lazy: load_library([clinic], use_env=False, lazy=lazy), runs)
            rows.append(("lazy (generate)" if lazy else "eager (validate, list)", bundled, grown))
        commands = _clinic_commands(clinic, Path(scratch) / "cache", rxstretch, args.baseline, args.runs)
    print(f"library load, bundled ({bundled_count} exercises) vs + {args.size} clinic exercises, median")
    for name, bundled, grown in rows:
        print(f"  {name:24s} {bundled * 1000:8.1f} ms  {grown * 1000:9.1f} ms  ratio {grown / bundled:6.2f}")
    cold = []
    for _ in range(args.runs):
        start = time.perf_counter()
        subprocess.run([rxstretch, "list"], check=True, capture_output=True)
        cold.append(time.perf_counter() - start)
    median_ms = statistics.median(cold) * 1000
    print(f"  cold `rxstretch list` (bundled): {median_ms:.0f} ms median (target < 300 ms)")
    print(f"{args.size:,}-file clinic library in fresh processes, best (median) of the runs")
    for name, values in commands.items():
        print(f"  {name:34s} {min(values):6.2f} s ({statistics.median(values):6.2f} s)")
        reference = commands.get("baseline " + name.split()[1])
        if reference and name.startswith("rxstretch"):
            print(f"  {'':34s} ratio to baseline {min(values) / min(reference):.2f}")


def _clinic_commands(
    clinic: Path, cache: Path, rxstretch: str, baseline: str | None, runs: int
) -> dict[str, list[float]]:
    """Seconds of validate and list: empty cache then warm cache, alternating with the baseline."""
    commands = {}
    for who, executable in (("rxstretch", rxstretch), ("baseline", baseline)):
        if executable:
            commands[f"{who} validate"] = [executable, "validate", str(clinic)]
            commands[f"{who} list"] = [executable, "list", "--library", str(clinic)]
    times: dict[str, list[float]] = {}
    environment = {**os.environ, "XDG_CACHE_HOME": str(cache)}
    for _ in range(max(1, runs // 2)):
        for name, command in commands.items():
            first = name.startswith("rxstretch")
            for run in ("cold", "warm") if first else ("",):
                if run == "cold":
                    shutil.rmtree(cache, ignore_errors=True)
                start = time.perf_counter()
                subprocess.run(command, check=True, capture_output=True, env=environment)
                times.setdefault(f"{name} {run}".strip(), []).append(time.perf_counter() - start)
    return times


if __name__ == "__main__":
    main()
