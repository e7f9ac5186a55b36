"""Library loading as it grows: the bundled library against a generated 5,000-exercise clinic library.

Prints, from one run:
- load_library(lazy=True): what `generate` pays (reads vocabularies, conditions, programs and the
  folder listing; an exercise file is read when a handout uses it);
- load_library(lazy=False): what `validate` and `list` pay (every file read and checked);
- a cold `rxstretch list` on the bundled library (fresh process, median).

Usage: python benchmarks/bench_library.py [--size 5000] [--runs 5]
"""

from __future__ import annotations

import argparse
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
    args = parser.parse_args()
    bundled_count = len(load_library(use_env=False).exercises)
    with tempfile.TemporaryDirectory() as scratch:
        clinic = _clinic_library(Path(scratch) / "clinic", args.size)
        rows = []
        for lazy in (True, False):
            runs = args.runs if lazy else max(1, args.runs // 2)
            bundled = _median_seconds(lambda lazy=lazy: load_library(use_env=False, lazy=lazy), runs)
            grown = _median_seconds(lambda lazy=lazy: load_library([clinic], use_env=False, lazy=lazy), runs)
            rows.append(("lazy (generate)" if lazy else "eager (validate, list)", bundled, grown))
    print(f"library load, bundled ({bundled_count} exercises) vs + {args.size} clinic exercises, median")
    for name, bundled, grown in rows:
        print(f"  {name:24s} {bundled * 1000:8.1f} ms  {grown * 1000:9.1f} ms  ratio {grown / bundled:6.2f}")
    rxstretch = shutil.which("rxstretch") or sys.exit("rxstretch is not installed in this environment")
    cold = []
    for _ in range(args.runs):
        start = time.perf_counter()
        subprocess.run([rxstretch, "list"], check=True, capture_output=True)
        cold.append(time.perf_counter() - start)
    median_ms = statistics.median(cold) * 1000
    print(f"  cold `rxstretch list` (bundled): {median_ms:.0f} ms median (target < 300 ms)")


if __name__ == "__main__":
    main()
