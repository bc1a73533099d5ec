"""Cold formatting of a bibliography's references: every entry of the bench corpus, nothing cached.

    python bench/references.py OUT_DIR/wikigen/bibliography.bib [--csl apa]

Prints the wall time, this process's CPU time and its children's (pandoc runs as a child), for parsing
and for formatting. Run it with an older checkout's interpreter to compare (its `format_reference` per entry).
"""

from __future__ import annotations

import argparse
import resource
import time
from pathlib import Path

from wikigen.model import SourceFile
from wikigen.parse.bibliography import parse_bibliography


def _cpu() -> tuple[float, float]:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, children.ru_utime + children.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("bibliography", type=Path)
    parser.add_argument("--csl", default="apa")
    args = parser.parse_args()
    bib = parse_bibliography(SourceFile(str(args.bibliography), args.bibliography.read_text(encoding="utf-8"), ""))
    entries = list(bib.entries.values())
    wall, (own, children) = time.perf_counter(), _cpu()
    try:
        from wikigen.config import Config
        from wikigen.render.references import format_references, load_style

        formatted = format_references(entries, load_style(Config(csl=args.csl)))
    except ImportError:  # a checkout from before pandoc: one entry at a time through citeproc-py
        from wikigen.render.references import format_reference

        formatted = [format_reference(entry) for entry in entries]
    wall, (own2, children2) = time.perf_counter() - wall, _cpu()
    cpu = f"cpu {own2 - own:.2f} s + children {children2 - children:.2f} s"
    print(f"{len(formatted)} references: wall {wall:.2f} s, {cpu}")


if __name__ == "__main__":
    main()
