"""Big clinic libraries: `rxstretch validate` and `list` of 5,000 exercise files, cold and warm.

Two generated clinic libraries, each of --size files:
- "clinic files": the bundled exercises cut down to two languages (en, fr), as a clinic's own
  files are (about 8 KB each);
- "bundled copies": full copies of the bundled exercises, in all 13 languages (about 55 KB each),
  the heaviest case.
With --baseline, both are made only of exercises that both executables accept: a previous
release refuses keys and vocabulary added since, so keys it calls unknown are cut (for both) and
exercises it still refuses are left out; the output lists what was cut or left out. A timed run
that fails is reported as FAILED, never timed.
Each command runs in a fresh process, first with an empty check cache ("cold"), then again
("warm"); with --baseline, another rxstretch executable (e.g. an install of the previous release)
runs the same commands alternately in the same run, as the reference for the ratios. Every run
uses a scratch cache folder (XDG_CACHE_HOME), never the user's.

Also prints what a lazy library load (what `generate` pays) costs with and without the clinic
library, in this process.

Usage: python benchmarks/bench_library.py [--size 5000] [--runs 3] [--baseline PATH/TO/rxstretch]
       [--other NAME=PATH/TO/rxstretch ...]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

LANGUAGES = ("en", "fr")
# "file:line: field: message" (rxstretch validate's problem lines)
PROBLEM = re.compile(r"^(?P<file>[^:\n]+\.yaml):\d+(?::\d+)?: (?P<field>[^\n]+?): (?P<message>.*)$", re.M)


def _sources(languages: tuple[str, ...] | None) -> dict[str, dict[str, Any]]:
    """The bundled exercises by id (cut to ``languages`` if given), as parsed YAML."""
    from rxstretch.loaders.library import bundled_library_dir

    sources = {}
    for source in sorted((bundled_library_dir() / "exercises").glob("*.yaml")):
        data = yaml.safe_load(source.read_text(encoding="utf-8"))
        if languages:
            data["text"] = {k: v for k, v in data["text"].items() if k in languages}
            alt = data.get("illustration", {}).get("alt")
            if alt:
                data["illustration"]["alt"] = {k: v for k, v in alt.items() if k in languages}
        sources[source.stem] = data
    return sources


def _delete(data: Any, field: str) -> bool:
    """Remove ``field`` ("contraindications[0].reason") from ``data``; whether it was there."""
    steps = [int(p) if p.isdigit() else p for p in re.findall(r"[^.\[\]]+", field)]
    for step in steps[:-1]:
        try:
            data = data[step]
        except (KeyError, IndexError, TypeError):
            return False
    if isinstance(data, dict) and steps and steps[-1] in data:
        del data[steps[-1]]
        return True
    return False


def _problems(
    executable: str, folder: Path, environment: dict[str, str]
) -> dict[str, list[tuple[str, str]]] | None:
    """(field, message) of every problem ``executable validate folder`` reports, by file stem;
    None if it failed without naming any (a crash, not a finding)."""
    done = subprocess.run(
        [executable, "validate", str(folder)], capture_output=True, text=True, env=environment
    )
    if done.returncode == 0:
        return {}
    found: dict[str, list[tuple[str, str]]] = {}
    for match in PROBLEM.finditer(done.stderr + done.stdout):
        found.setdefault(Path(match["file"]).stem, []).append((match["field"], match["message"]))
    return found or None


def _accepted(
    sources: dict[str, dict[str, Any]],
    executables: dict[str, str],
    scratch: Path,
    environment: dict[str, str],
) -> tuple[dict[str, str], list[str]]:
    """The exercises every executable accepts, as YAML text, and what was left out or cut.

    A previous release does not know newer keys (a rule's reason) or newer vocabulary: keys it
    calls unknown are cut from the files (for every executable alike), and an exercise it still
    refuses is left out, so that each measures the same work on files it accepts.
    """
    kept = {stem: data for stem, data in sources.items()}
    notes: list[str] = []
    for attempt in range(4):
        probe = scratch / f"probe-{attempt}"
        (probe / "exercises").mkdir(parents=True)
        for stem, data in kept.items():
            text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)
            (probe / "exercises" / f"{stem}.yaml").write_text(text, encoding="utf-8")
        refused: dict[str, list[tuple[str, str]]] = {}
        for who, executable in executables.items():
            found = _problems(executable, probe, environment)
            if found is None:
                sys.exit(f"{who} ({executable}) fails on the bundled exercises without naming a problem")
            for stem, problems in found.items():
                refused.setdefault(stem, []).extend(problems)
        if not refused:
            texts = {
                stem: yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)
                for stem, data in kept.items()
            }
            return texts, notes
        for stem, problems in refused.items():
            unknown = [field for field, message in problems if message.startswith("unknown key")]
            others = [f"{field}: {message}" for field, message in problems if field not in unknown]
            if others or not all(_delete(kept[stem], field) for field in unknown):
                kept.pop(stem, None)
                notes.append(f"{stem}: left out ({others[0] if others else problems[0][0]})")
            else:
                notes.append(f"{stem}: cut {', '.join(sorted({re.sub(r'[0-9]+', 'N', f) for f in unknown}))}")
    sys.exit("the executables still refuse the probe library after cutting unknown keys")


def _print_notes(notes: list[str]) -> None:
    """What _accepted cut or left out, one line per kind of change."""
    cut: dict[str, int] = {}
    left_out: list[str] = []
    for note in notes:
        stem, _, change = note.partition(": ")
        if change.startswith("cut "):
            cut[change] = cut.get(change, 0) + 1
        else:
            left_out.append(stem)
    for change, count in sorted(cut.items()):
        print(f"  {change} in {count} exercises")
    if left_out:
        print(f"  left out {len(left_out)} (vocabulary or figures not all know): {', '.join(left_out)}")


def _clinic_library(folder: Path, size: int, texts: dict[str, str]) -> Path:
    """``size`` copies of the exercises ``texts`` under new ids."""
    stems = sorted(texts)
    target = folder / "exercises"
    target.mkdir(parents=True)
    for number in range(size):
        stem = stems[number % len(stems)]
        new_id = f"{stem}-{number:05d}"
        text = texts[stem].replace(f"id: {stem}", f"id: {new_id}", 1)
        (target / f"{new_id}.yaml").write_text(text, encoding="utf-8")
    return folder


def _seconds(command: list[str], environment: dict[str, str]) -> float | None:
    """Wall seconds of ``command``, or None if it failed (a failing run is reported, not timed)."""
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, env=environment)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        print(
            f"FAILED ({done.returncode}): {' '.join(command)}\n{done.stderr.decode()[-2000:]}",
            file=sys.stderr,
        )
        return None
    return elapsed


def _measure(
    library: Path, cache: Path, executables: dict[str, str], runs: int
) -> dict[tuple[str, str, str], list[float | None]]:
    """Seconds per (who, command, cold|warm), alternating between the executables."""
    environment = {**os.environ, "XDG_CACHE_HOME": str(cache)}
    environment.pop("RXSTRETCH_LIBRARY", None)
    times: dict[tuple[str, str, str], list[float | None]] = {}
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


def _median(values: list[float | None]) -> float | None:
    return None if None in values else statistics.median(v for v in values if v is not None)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--baseline", help="another rxstretch executable to measure alongside")
    parser.add_argument(
        "--other",
        action="append",
        default=[],
        metavar="NAME=PATH",
        help="one more executable to measure alongside (e.g. before=...), repeatable",
    )
    args = parser.parse_args()
    rxstretch = shutil.which("rxstretch") or sys.exit("rxstretch is not installed in this environment")
    executables = {"rxstretch": rxstretch, **({"baseline": args.baseline} if args.baseline else {})}
    for other in args.other:
        name, _, path = other.partition("=")
        if not name or not path or name in executables:
            sys.exit(f"--other {other}: give NAME=PATH with a new name")
        executables[name] = path
    with tempfile.TemporaryDirectory() as scratch:
        os.environ["XDG_CACHE_HOME"] = str(Path(scratch) / "cache")  # also for this process
        from rxstretch.api import load_library

        probe_environment = {**os.environ, "XDG_CACHE_HOME": str(Path(scratch) / "probe-cache")}
        probe_environment.pop("RXSTRETCH_LIBRARY", None)
        kinds = {}
        for kind, languages, name in (
            (f"clinic files ({', '.join(LANGUAGES)})", LANGUAGES, "small"),
            ("bundled copies (13 languages)", None, "big"),
        ):
            texts, notes = _accepted(
                _sources(languages), executables, Path(scratch) / name, probe_environment
            )
            kinds[kind] = _clinic_library(Path(scratch) / name / "library", args.size, texts)
            print(f"{kind}: {len(texts)} exercises accepted by {' and '.join(executables)}, copied")
            _print_notes(notes)
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
            median = _median(values)
            if median is None:
                print(f"    {who:9s} {name:8s} {run:4s}  FAILED (not timed; see above)")
                continue
            best = min(v for v in values if v is not None)
            line = f"    {who:9s} {name:8s} {run:4s} {median:7.2f} s ({best:6.2f} s)"
            if who == "rxstretch":
                for other in executables:
                    reference = _median(times.get((other, name, run), [None])) if other != who else None
                    if reference:
                        line += f"   ratio to {other} {median / reference:.3f}"
            print(line)


if __name__ == "__main__":
    main()
