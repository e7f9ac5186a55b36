"""Cold-start benchmark: `rxstretch generate` against a plain ReportLab script, in one run.

Each measurement is a fresh process (what a physiotherapist waits for at the command line).
Both commands are run alternately so that machine noise hits them alike.

Run it from an environment with a regular `pip install .`: an editable install reads
rxstretch from src/, and where PYTHONDONTWRITEBYTECODE is set, recompiles it on every start.

Usage: python benchmarks/bench_generate.py [--runs N]
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
        for command in (ours, plain):  # warm the OS file cache once
            wall_time(command)
        times: dict[str, list[float]] = {"rxstretch generate": [], "plain ReportLab": []}
        for _ in range(args.runs):
            times["rxstretch generate"].append(wall_time(ours))
            times["plain ReportLab"].append(wall_time(plain))
        sizes = {
            name: Path(scratch, f).stat().st_size
            for name, f in (("rxstretch generate", "rx.pdf"), ("plain ReportLab", "plain.pdf"))
        }
    medians = {name: statistics.median(values) for name, values in times.items()}
    print(f"cold single handout, 4 exercises, median of {args.runs} runs")
    for name, median in medians.items():
        spread = f"{min(times[name]) * 1000:.0f}-{max(times[name]) * 1000:.0f}"
        print(f"  {name:20s} {median * 1000:7.0f} ms  (range {spread} ms, {sizes[name]:,} bytes)")
    ratio = medians["rxstretch generate"] / medians["plain ReportLab"]
    print(f"  ratio rxstretch / plain: {ratio:.2f} (target <= 1.5)")


if __name__ == "__main__":
    main()
