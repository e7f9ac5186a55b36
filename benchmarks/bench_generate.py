"""Cold-start benchmark: `rxstretch generate` against a plain ReportLab script, in one run.

Each measurement is a fresh process (what a physiotherapist waits for at the command line).
Both commands are run alternately so that machine noise hits them alike.

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
        {
            name: Path(scratch, f).stat().st_size
            for name, f in (("rxstretch generate", "rx.pdf"), ("plain ReportLab", "plain.pdf"))
        }
    medians = {name: statistics.median(values) for name, values in times.items()}
    for name, _median in medians.items():
        f"{min(times[name]) * 1000:.0f}-{max(times[name]) * 1000:.0f}"
    medians["rxstretch generate"] / medians["plain ReportLab"]


if __name__ == "__main__":
    main()
