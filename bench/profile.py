"""Profile one build with pyinstrument and write the call tree as text (the profiles the README cites).

    .venv/bin/python bench/profile.py cold ROOT OUT.txt   # cold build, in one process (no workers), with search
    .venv/bin/python bench/profile.py edit ROOT OUT.txt   # one article edited (restored afterwards), --no-search

In one process so that the profile sees the parsing and rendering the workers do in a normal build (it is
slower than a parallel build; the shares are what matter). The edit profile expects a warm cache: build once first.
"""

from __future__ import annotations

import shutil
import sys
import threading
import time
from pathlib import Path

from pyinstrument import Profiler

from wikigen.build import build


def main(mode: str, root: Path, out: Path) -> None:
    threading.Thread(target=threading.Event().wait, daemon=True).start()  # a live thread: build does not fork
    if mode == "cold":
        for name in ("public", ".wikigen-cache"):
            shutil.rmtree(root / name, ignore_errors=True)
    article = sorted((root / "content").glob("*.md"))[7]
    original = article.read_text(encoding="utf-8")
    if mode == "edit":
        # A sentence of its own each time: the same edit again would find its page already published.
        sentence = f"The profiled edit number {time.time_ns()} adds this sentence [@llm]."
        article.write_text(original.replace("\n\n", f"\n\n{sentence}\n\n", 1), encoding="utf-8")
    profiler = Profiler(interval=0.005)
    try:
        with profiler:
            result = build(root, search=mode == "cold")
    finally:
        article.write_text(original, encoding="utf-8")
    out.write_text(f"# {mode} build of {root}: {result.seconds:.1f} s, {result.rendered} pages rendered, "
                   f"{result.reused} kept\n\n" + profiler.output_text(unicode=False, color=False, show_all=False),
                   encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3]))
