"""Big clinic libraries: `rxstretch validate` and `list` of 5,000 exercise files, cold and warm.

Two generated clinic libraries, each of --size files:
- "clinic files": the bundled exercises cut down to two languages (en, fr), as a clinic's own
  files are (about 8 KB each);
- "bundled copies": full copies of the bundled exercises, in all 13 languages (about 55 KB each),
  the heaviest case.
Each command runs in a fresh process, first with an empty check cache ("cold"), then again
("warm"); with --baseline, another rxstretch executable (e.g. an install of the previous release)
runs the same commands alternately in the same run, as the reference for the ratios. Every run
uses a scratch cache folder (XDG_CACHE_HOME), never the user's.

Also prints what a lazy library load (what `generate` pays) costs with and without the clinic
library, in this process.

Usage: python benchmarks/bench_library.py [--size 5000] [--runs 3] [--baseline PATH/TO/rxstretch]
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
from pathlib import Path

import yaml

LANGUAGES = ("en", "fr")


def _clinic_library(folder: Path, size: int, languages: tuple[str, ...] | None) -> Path:
    """Copies of the bundled exercises under new ids (cut to ``languages`` if given)."""
    from rxstretch.loaders.library import bundled_library_dir

    sources = sorted((bundled_library_dir() / "exercises").glob("*.yaml"))
    texts = {}
    for source in sources:
        text = source.read_text(encoding="utf-8")
        if languages:
            data = yaml.safe_load(text)
            data["text"] = {k: v for k, v in data["text"].items() if k in languages}
            alt = data.get("illustration", {}).get("alt")
            if alt:
                data["illustration"]["alt"] = {k: v for k, v in alt.items() if k in languages}
            text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)
        texts[source.stem] = text
    target = folder / "exercises"
    target.mkdir(parents=True)
    for number in range(size):
        stem = sources[number % len(sources)].stem
        new_id = f"{stem}-{number:05d}"
        text = texts[stem].replace(f"id: {stem}", f"id: {new_id}", 1)
        (target / f"{new_id}.yaml").write_text(text, encoding="utf-8")
    return folder


def _seconds(command: list[str], environment: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, env=environment)
    return time.perf_counter() - start


def _measure(
    library: Path, cache: Path, executables: dict[str, str], runs: int
) -> dict[tuple[str, str, str], list[float]]:
    """Seconds per (who, command, cold|warm), alternating between the executables."""
    environment = {**os.environ, "XDG_CACHE_HOME": str(cache)}
    environment.pop("RXSTRETCH_LIBRARY", None)
    times: dict[tuple[str, str, str], list[float]] = {}
    commands = {"validate": ["validate", str(library)], "list": ["list", "--library", str(library)]}
    for _ in range(runs):
        for name, arguments in commands.items():
            for who, executable in executables.items():
                shutil.rmtree(cache, ignore_errors=True)
                for run in ("cold", "warm"):
                    times.setdefault((who, name, run), []).append(
                        _seconds([executable, *arguments], environment)
                    )
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--baseline", help="another rxstretch executable to measure alongside")
    args = parser.parse_args()
    rxstretch = shutil.which("rxstretch") or sys.exit("rxstretch is not installed in this environment")
    executables = {"rxstretch": rxstretch, **({"baseline": args.baseline} if args.baseline else {})}
    with tempfile.TemporaryDirectory() as scratch:
        os.environ["XDG_CACHE_HOME"] = str(Path(scratch) / "cache")  # also for this process
        from rxstretch.api import load_library

        kinds = {
            f"clinic files ({', '.join(LANGUAGES)})": _clinic_library(
                Path(scratch) / "small", args.size, LANGUAGES
            ),
            "bundled copies (13 languages)": _clinic_library(Path(scratch) / "big", args.size, None),
        }
        start = time.perf_counter()
        load_library(use_env=False, lazy=True)
        bundled = time.perf_counter() - start
        start = time.perf_counter()
        load_library([next(iter(kinds.values()))], use_env=False, lazy=True)
        grown = time.perf_counter() - start
        print(
            f"lazy library load (what generate pays): bundled {bundled * 1000:.0f} ms, "
            f"+ {args.size:,} clinic files {grown * 1000:.0f} ms"
        )
        results = {
            kind: _measure(folder, Path(scratch) / "cache", executables, args.runs)
            for kind, folder in kinds.items()
        }
    print(f"{args.size:,}-file clinic libraries, fresh processes, median of {args.runs} (best)")
    for kind, times in results.items():
        print(f"  {kind}")
        for (who, name, run), values in times.items():
            line = (
                f"    {who:9s} {name:8s} {run:4s} {statistics.median(values):7.2f} s ({min(values):6.2f} s)"
            )
            reference = times.get(("baseline", name, run))
            if who == "rxstretch" and reference:
                line += f"   ratio to baseline {statistics.median(values) / statistics.median(reference):.3f}"
            print(line)


if __name__ == "__main__":
    main()
