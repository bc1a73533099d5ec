"""Build one corpus with wikigen, Hugo, Pagefind and MkDocs in one run; print medians and ratios to Hugo.

    .venv/bin/python bench/run.py --articles 1000 [--repeat 3] [--out bench/out/run-1000] [--only check,hugo]

Steps (each run `--repeat` times, interleaved so that every tool sees the same machine load):

    wikigen-check        wikigen check --format json
    wikigen-build-cold   wikigen build, output folder (and its recycled spare) and cache deleted first
    wikigen-build-noop   wikigen build again, nothing changed
    wikigen-build-edit   wikigen build after editing one article (a sentence appended; restored afterwards)
    wikigen-build-edit-nosearch   the same with --no-search: the edit without Pagefind's full re-index
    wikigen-check-cold   wikigen check --no-cache (every article parsed); wikigen-check, run after the builds,
                         finds every article's check in the cache
    hugo                 hugo, cold (public/ and resources/ deleted first)
    pagefind-on-hugo     python -m pagefind --site hugo/public
    mkdocs               mkdocs build (default theme; search plugin on, as by default)

Each step runs under /usr/bin/time -v when it exists (Debian package `time`): its "max RSS" is the largest
single process of the tree. A psutil sampler (every 20 ms) adds the summed RSS of the whole process tree
(wikigen's workers, Pagefind's binary). A failing step (non-zero exit) is reported as failed and the run goes
on. Times are wall-clock seconds; CPU is user + system of the process tree.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import corpus  # noqa: E402

try:
    import psutil
except ImportError:  # the tree sampler is optional
    psutil = None

TIME = "/usr/bin/time" if Path("/usr/bin/time").exists() else None
PY = sys.executable
STEPS = (  # wikigen-check after the builds: it measures a check that finds every article in the cache
    "wikigen-check-cold",
    "wikigen-build-cold",
    "wikigen-build-noop",
    "wikigen-build-edit",
    "wikigen-build-edit-nosearch",
    "wikigen-check",
    "hugo",
    "pagefind-on-hugo",
    "mkdocs",
)


@dataclass
class Sample:
    ok: bool
    seconds: float
    cpu: float | None = None
    max_rss_mb: float | None = None  # largest single process (/usr/bin/time)
    tree_rss_mb: float | None = None  # summed over the process tree (sampled)
    note: str = ""


@dataclass
class Step:
    name: str
    samples: list[Sample] = field(default_factory=list)

    def good(self) -> list[Sample]:
        return [s for s in self.samples if s.ok]

    def median(self, attr: str = "seconds") -> float | None:
        values = [getattr(s, attr) for s in self.good() if getattr(s, attr) is not None]
        return statistics.median(values) if values else None


class TreeSampler(threading.Thread):
    """Peak of the summed RSS of a process and all its descendants."""

    def __init__(self, pid: int, interval: float = 0.02):
        super().__init__(daemon=True)
        self.pid, self.interval, self.peak = pid, interval, 0
        self.done = threading.Event()

    def run(self) -> None:
        try:
            root = psutil.Process(self.pid)
        except psutil.Error:
            return
        while not self.done.is_set():
            try:
                procs = [root, *root.children(recursive=True)]
            except psutil.Error:
                break
            total = 0
            for proc in procs:
                with contextlib.suppress(psutil.Error):
                    total += proc.memory_info().rss
            self.peak = max(self.peak, total)
            self.done.wait(self.interval)


def measure(command: list[str], cwd: Path, log: Path) -> Sample:
    wrapped = [TIME, "-v", *command] if TIME else command
    started = time.perf_counter()
    with open(log, "w") as out, open(log.with_suffix(".err"), "w") as err:
        process = subprocess.Popen(wrapped, cwd=cwd, stdout=out, stderr=err)
        sampler = TreeSampler(process.pid) if psutil else None
        if sampler:
            sampler.start()
        code = process.wait()
        seconds = time.perf_counter() - started
        if sampler:
            sampler.done.set()
            sampler.join()
    stderr = log.with_suffix(".err").read_text(errors="replace")
    cpu = max_rss = None
    if TIME:
        user = re.search(r"User time \(seconds\): ([\d.]+)", stderr)
        system = re.search(r"System time \(seconds\): ([\d.]+)", stderr)
        rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", stderr)
        if user and system:
            cpu = float(user.group(1)) + float(system.group(1))
        if rss:
            max_rss = int(rss.group(1)) / 1024
        stderr = stderr.split("\tCommand being timed:")[0]
    note = ""
    if code != 0:
        lines = [line for line in stderr.strip().splitlines() if line.strip()]
        note = f"exit {code}: " + (lines[-1][:160] if lines else "no output")
    tree = sampler.peak / 1024 / 1024 if sampler and sampler.peak else None
    return Sample(code == 0, seconds, cpu, max_rss, tree, note)


def edit_article(wiki: Path, number: int) -> tuple[Path, str]:
    """Each edit step makes a different edit: the article is restored after the build without another build,
    so an edit repeated word for word would find its page already published and render nothing."""
    articles = sorted((wiki / "content").glob("*.md"))
    target = articles[len(articles) // 2]
    original = target.read_text(encoding="utf-8")
    head, sep, body = original.partition("\n---\n\n")
    first, rest = body.split("\n\n", 1)
    edited = f"{head}{sep}{first} Edit number {number} made by the benchmark changes this paragraph [@llm].\n\n{rest}"
    target.write_text(edited, encoding="utf-8")
    return target, original


def commands(out: Path) -> dict[str, tuple[list[str], Path]]:
    wiki, hugo, mkdocs = out / "wikigen", out / "hugo", out / "mkdocs"
    return {
        "wikigen-check-cold": ([PY, "-m", "wikigen", "check", "--root", str(wiki), "--format", "json", "--no-cache"],
                               wiki),
        "wikigen-check": ([PY, "-m", "wikigen", "check", "--root", str(wiki), "--format", "json"], wiki),
        "wikigen-build-cold": ([PY, "-m", "wikigen", "build", "--root", str(wiki)], wiki),
        "wikigen-build-noop": ([PY, "-m", "wikigen", "build", "--root", str(wiki)], wiki),
        "wikigen-build-edit": ([PY, "-m", "wikigen", "build", "--root", str(wiki)], wiki),
        "wikigen-build-edit-nosearch": ([PY, "-m", "wikigen", "build", "--root", str(wiki), "--no-search"], wiki),
        "hugo": (["hugo", "--quiet", "--destination", "public"], hugo),
        "pagefind-on-hugo": ([PY, "-m", "pagefind", "--site", "public"], hugo),
        "mkdocs": ([PY, "-m", "mkdocs", "build", "--quiet", "--clean", "--site-dir", "site"], mkdocs),
    }


def prepare(step: str, out: Path, state: dict) -> None:
    wiki, hugo = out / "wikigen", out / "hugo"
    if step == "wikigen-build-cold":
        for name in ("public", ".public.spare", ".wikigen-cache"):
            shutil.rmtree(wiki / name, ignore_errors=True)
    elif step.startswith("wikigen-build-edit"):
        state["edits"] = state.get("edits", 0) + 1
        state["edited"] = edit_article(wiki, state["edits"])
    elif step == "hugo":
        for name in ("public", "resources"):
            shutil.rmtree(hugo / name, ignore_errors=True)
        (hugo / ".hugo_build.lock").unlink(missing_ok=True)
    elif step == "pagefind-on-hugo":
        shutil.rmtree(hugo / "public" / "pagefind", ignore_errors=True)


def finish(step: str, state: dict) -> None:
    if step.startswith("wikigen-build-edit") and "edited" in state:
        target, original = state.pop("edited")
        target.write_text(original, encoding="utf-8")


def ratio(value: float | None, base: float | None) -> str:
    return f"{value / base:.2f}x" if value is not None and base else "–"


def fmt(value: float | None, unit: str = "s") -> str:
    if value is None:
        return "–"
    return f"{value:.2f} {unit}" if unit == "s" else f"{value:.0f} {unit}"


def table(steps: dict[str, Step], repeat: int) -> str:
    hugo = steps.get("hugo")
    base = hugo.median() if hugo else None
    hugo_cpu = hugo.median("cpu") if hugo else None
    pagefind = steps.get("pagefind-on-hugo")
    hugo_pf = base + pagefind.median() if base and pagefind and pagefind.median() else None
    rows = [
        "| Step | Median wall | vs Hugo cold | CPU (user+sys) | CPU vs Hugo | Peak RSS, tree sum "
        "| Max RSS, one process | OK |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, step in steps.items():
        good = step.good()
        status = f"{len(good)}/{len(step.samples)}"
        if not good:
            note = step.samples[-1].note if step.samples else "not run"
            rows.append(f"| {name} | failed | – | – | – | – | – | {status}: {note.replace('|', '/')} |")
            continue
        rows.append(
            f"| {name} | {fmt(step.median())} | {ratio(step.median(), base)} | {fmt(step.median('cpu'))} | "
            f"{ratio(step.median('cpu'), hugo_cpu)} | {fmt(step.median('tree_rss_mb'), 'MB')} | "
            f"{fmt(step.median('max_rss_mb'), 'MB')} | {status} |"
        )
    if hugo_pf:
        rows.append(f"| hugo + pagefind-on-hugo | {fmt(hugo_pf)} | {ratio(hugo_pf, base)} | | | | | |")
        cold = steps.get("wikigen-build-cold")
        if cold and cold.median():
            rows.append(f"| wikigen-build-cold vs (Hugo + Pagefind) | | {ratio(cold.median(), hugo_pf)} | | | | | |")
    mk = steps.get("mkdocs")
    cold = steps.get("wikigen-build-cold")
    if mk and cold and mk.median() and cold.median():
        rows.append(f"| wikigen-build-cold vs MkDocs | | {ratio(cold.median(), mk.median())} | | | | | |")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--out", type=Path, help="corpus and logs (default bench/out/run-N)")
    parser.add_argument("--only", help=f"comma-separated steps out of {','.join(STEPS)}")
    parser.add_argument("--regenerate", action="store_true", help="write the corpus even if it exists")
    args = parser.parse_args(argv)
    out = (args.out or HERE / "out" / f"run-{args.articles}").resolve()
    chosen = [s for s in STEPS if not args.only or s in args.only.split(",")]
    stamp = out / "corpus.json"
    wanted = {"articles": args.articles, "seed": args.seed, "entries": 2000}
    if args.regenerate or not stamp.exists() or json.loads(stamp.read_text()).get("spec") != wanted:
        started = time.perf_counter()
        stats = corpus.generate(out, args.articles, args.seed)
        stamp.write_text(json.dumps({"spec": wanted, "stats": stats}))
        print(f"corpus: {args.articles} articles in {time.perf_counter() - started:.1f} s -> {out}", flush=True)
    logs = out / "logs"
    logs.mkdir(exist_ok=True)
    load_before = os.getloadavg()
    steps = {name: Step(name) for name in chosen}
    table_commands = commands(out)
    state: dict = {}
    for rep in range(args.repeat):
        for name in chosen:
            command, cwd = table_commands[name]
            prepare(name, out, state)
            try:
                sample = measure(command, cwd, logs / f"{name}-{rep}.log")
            finally:
                finish(name, state)
            steps[name].samples.append(sample)
            shown = f"{sample.seconds:.2f} s" if sample.ok else f"FAILED ({sample.note})"
            print(f"[{rep + 1}/{args.repeat}] {name}: {shown}", flush=True)
    load_after = os.getloadavg()
    print()
    print(
        f"N = {args.articles} articles, {args.repeat} repetitions, medians; {os.cpu_count()} CPUs, "
        f"{platform.python_implementation()} {platform.python_version()}, "
        f"load average {load_before[0]:.1f} before / {load_after[0]:.1f} after"
    )
    print()
    print(table(steps, args.repeat))
    (out / "results.json").write_text(
        json.dumps(
            {
                "articles": args.articles,
                "repeat": args.repeat,
                "load": [load_before, load_after],
                "steps": {k: [asdict(s) for s in v.samples] for k, v in steps.items()},
            },
            indent=2,
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
