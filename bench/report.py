"""Time `wikigen report` against `wikigen check` on a site whose check is cached (as in CI with the cache kept).

    python bench/report.py ROOT [--repeat 3]

Runs `wikigen check` once to fill the cache (timed: with an empty cache that is the cold check), then, in
each repetition, interleaved, `wikigen check`, `wikigen report` (text), `--format json` and `--format csv`,
each as its own process with output to /dev/null. Prints each median and its ratio to the cached check.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

COMMANDS = {
    "check": ["check"],
    "report": ["report"],
    "report-json": ["report", "--format", "json"],
    "report-csv": ["report", "--format", "csv"],
}


def _run(root: Path, args: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "wikigen", *args, "--root", str(root)], stdout=subprocess.DEVNULL,
                   check=False)
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("root", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    first = _run(args.root, ["check"])
    print(f"first check (fills the cache): {first:.2f} s")
    times: dict[str, list[float]] = {name: [] for name in COMMANDS}
    for _ in range(args.repeat):
        for name, command in COMMANDS.items():
            times[name].append(_run(args.root, command))
    base = statistics.median(times["check"])
    for name, found in times.items():
        median = statistics.median(found)
        print(f"{name:12} median {median:.2f} s ({', '.join(f'{t:.2f}' for t in found)}), {median / base:.2f}x check")
    return 0


if __name__ == "__main__":
    sys.exit(main())
