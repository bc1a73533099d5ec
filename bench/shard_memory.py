"""Pagefind's time and peak memory for one shard of N pages, as a build indexes it: search copies of the pages.

    .venv/bin/python bench/shard_memory.py PUBLIC --pages 500,750,2500

Takes the first N article pages of a built site (PUBLIC/articles/**/index.html, in path order), writes their
search copies (`render.markdown.search_copy`) into a scratch folder, and runs `python -m pagefind` on it
under /usr/bin/time: wall time, CPU (user + system) and the largest resident set.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from wikigen.render.markdown import search_copy


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("public", type=Path)
    parser.add_argument("--pages", default="500,750,2500")
    args = parser.parse_args(argv)
    pages = sorted((args.public / "articles").rglob("index.html"))
    for count in map(int, args.pages.split(",")):
        with tempfile.TemporaryDirectory() as scratch:
            site = Path(scratch) / "site"
            for page in pages[:count]:
                target = site / page.relative_to(args.public)
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(search_copy(page.read_bytes()))
            command = ["/usr/bin/time", "-v", sys.executable, "-m", "pagefind", "--site", str(site),
                       "--output-path", str(Path(scratch) / "bundle"), "--silent"]
            started = time.perf_counter()
            result = subprocess.run(command, capture_output=True, text=True, check=True)
            wall = time.perf_counter() - started
        user = float(re.search(r"User time \(seconds\): ([\d.]+)", result.stderr).group(1))
        system = float(re.search(r"System time \(seconds\): ([\d.]+)", result.stderr).group(1))
        rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", result.stderr).group(1))
        print(f"{min(count, len(pages))} pages: {wall:.1f} s, CPU {user + system:.1f} s, peak {rss / 1024:.0f} MB",
              flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
