"""CPU time of a partitioned build against one cold build, interleaved: what the shared gather and the merge cost.

    .venv/bin/python bench/partition.py --articles 1000 --partitions 2 --repeat 2

Each round builds the same corpus (bench/corpus.py) three ways, each in a fresh copy with no output and no cache:
`wikigen build`; the partitions one after another and the merge, each with `--no-cache` (as CI's jobs, which
start without one); and the same sharing the site's cache (one machine, one after another). CPU time is user +
system of the process tree (workers and Pagefind included), the machine being shared; each way's merged output
is compared byte for byte with the build's.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
WIKIGEN = [sys.executable, "-m", "wikigen"]


def cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(root: Path, *args: str) -> tuple[float, float]:
    """(CPU, wall) seconds of one wikigen command in `root`."""
    before, started = cpu(), time.perf_counter()
    subprocess.run([*WIKIGEN, *args], cwd=root, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return cpu() - before, time.perf_counter() - started


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--partitions", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--out", type=Path, default=BENCH / "out" / "partition")
    args = parser.parse_args()
    corpus = args.out / f"corpus-{args.articles}"
    if not (corpus / "wikigen").is_dir():
        subprocess.run([sys.executable, str(BENCH / "corpus.py"), str(corpus), "--articles", str(args.articles)],
                       check=True, stdout=subprocess.DEVNULL)
    count = args.partitions
    steps = [*(f"partition {i}/{count}" for i in range(count)), "merge"]
    times: dict[str, dict[str, list[float]]] = {}
    for round_ in range(args.repeat):
        outputs = {}
        for way in ("build", "partitioned, no cache", "partitioned, shared cache"):
            root = args.out / "site"
            shutil.rmtree(root, ignore_errors=True)
            shutil.copytree(corpus / "wikigen", root)
            spent = times.setdefault(way, {})
            if way == "build":
                spent.setdefault("build", []).append(timed(root, "build")[0])
            else:
                flags = ["--no-cache"] if "no cache" in way else []
                for index in range(count):
                    used = timed(root, "build", "--partition", f"{index}/{count}", *flags)[0]
                    spent.setdefault(steps[index], []).append(used)
                parts = [f"parts/{index}-of-{count}" for index in range(count)]
                spent.setdefault("merge", []).append(timed(root, "merge", *parts, *flags)[0])
            outputs[way] = snapshot(root / "public")
            print(f"round {round_ + 1}: {way}: " + ", ".join(f"{s} {v[-1]:.1f} s" for s, v in spent.items()),
                  flush=True)
        assert all(files == outputs["build"] for files in outputs.values()), "a merged output differs from the build"
    build = statistics.median(times["build"]["build"])
    print(f"\nCPU seconds, median of {args.repeat}; ratio of the total to the build's ({build:.1f} s)")
    for way, spent in times.items():
        if way == "build":
            continue
        medians = {step: statistics.median(values) for step, values in spent.items()}
        total = statistics.median([sum(values[r] for values in spent.values()) for r in range(args.repeat)])
        print(f"{way}: " + ", ".join(f"{step} {value:.1f}" for step, value in medians.items())
              + f"; total {total:.1f} = {total / build:.2f}x")
    shutil.rmtree(args.out / "site", ignore_errors=True)


if __name__ == "__main__":
    main()
