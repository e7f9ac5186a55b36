"""Cold-start benchmark: `rxstretch generate` against a plain ReportLab script, in one run.

Each measurement is a fresh process (what a physiotherapist waits for at the command line).
Both commands are run alternately so that machine noise hits them alike.

Run it from an environment with a regular `pip install .`: an editable install reads
rxstretch from src/, and where PYTHONDONTWRITEBYTECODE is set, recompiles it on every start.

Also prints `rxstretch --version` and `--help` against a bare `python -c pass`, and with
--baseline, the same figures for another rxstretch executable (e.g. an install of the previous
release), all measured in the same run.

Usage: python benchmarks/bench_generate.py [--runs N] [--baseline PATH/TO/rxstretch]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def wall_time(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--baseline", help="another rxstretch executable to measure alongside")
    args = parser.parse_args()
    rxstretch = shutil.which("rxstretch") or sys.exit("rxstretch is not installed in this environment")
    located = subprocess.run(
        [sys.executable, "-c", "import rxstretch; print(rxstretch.__file__)"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    if Path(located).is_relative_to(REPO / "src"):
        print("warning: rxstretch is an editable install; cold starts include compiling it", file=sys.stderr)
    with tempfile.TemporaryDirectory() as scratch:
        ours = [
            rxstretch,
            "generate",
            str(REPO / "examples" / "low-back.yaml"),
            "-o",
            f"{scratch}/rx.pdf",
            "--force",
        ]
        plain = [sys.executable, str(REPO / "benchmarks" / "plain_reportlab.py"), f"{scratch}/plain.pdf"]
        commands = {
            "rxstretch generate": ours,
            "plain ReportLab": plain,
            "python -c pass": [sys.executable, "-c", "pass"],
            "rxstretch --version": [rxstretch, "--version"],
            "rxstretch --help": [rxstretch, "--help"],
        }
        if args.baseline:
            commands["baseline generate"] = [
                args.baseline,
                *ours[1:3],
                "-o",
                f"{scratch}/base.pdf",
                "--force",
            ]
            commands["baseline --version"] = [args.baseline, "--version"]
            commands["baseline --help"] = [args.baseline, "--help"]
        for command in commands.values():  # warm the OS file cache once
            wall_time(command)
        times: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(args.runs):  # alternately, so that machine noise hits every command alike
            for name, command in commands.items():
                times[name].append(wall_time(command))
        sizes = {name: Path(scratch, f).stat().st_size for name, f in (("rxstretch generate", "rx.pdf"),)}
    best = {name: min(values) for name, values in times.items()}
    print(f"cold starts, best and median of {args.runs} runs (median/best shows the noise)")
    for name, values in times.items():
        median = statistics.median(values)
        print(f"  {name:20s} best {best[name] * 1000:6.0f} ms  median {median * 1000:6.0f} ms")
    print(f"  handout size: {sizes['rxstretch generate']:,} bytes")
    for who in ("rxstretch", "baseline"):
        if f"{who} --version" not in best:
            continue
        ratio = (
            best[f"{who} generate" if who == "baseline" else "rxstretch generate"] / best["plain ReportLab"]
        )
        print(f"  {who}: generate / plain ReportLab {ratio:.2f} (target <= 1.0, best of runs)")
        for flag in ("--version", "--help"):
            above = (best[f"{who} {flag}"] - best["python -c pass"]) * 1000
            print(f"  {who}: {flag} {above:.0f} ms above python -c pass (target < 50)")


if __name__ == "__main__":
    main()
