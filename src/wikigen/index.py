"""Stage 6: the Pagefind search index, built from the written HTML by the binary that `pagefind[bin]` ships.

The binary (`python -m pagefind`, nothing downloaded) rather than Pagefind's Python API: the API is async
and drives the very same binary as a service over a pipe, so it would add an event loop to a synchronous
build for no gain. Its one advantage, indexing HTML held in memory, does not apply: the pages are already
written to the staging folder, and indexing them there means the index describes exactly the files that
get published. The binary's output is deterministic (byte-identical rebuilds), and it writes the index,
its WebAssembly and its JS API (`/pagefind/pagefind.js`, which the theme's assets/search.js drives) into
the staging folder, so a failed index leaves the published site untouched.

What gets indexed is decided by the theme: only `data-pagefind-body` (the article) is indexed, badges and
boilerplate inside it carry `data-pagefind-ignore`, and `data-pagefind-filter/meta/sort` supply the filters
(type, discipline, evidence, population, problem, tier), the result's title, summary and sourced share,
and the sort keys (title, date).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

INDEX_FOLDER = "pagefind"  # in the output: Pagefind's default bundle path


class SearchIndexError(Exception):
    """Pagefind failed; the message carries its output."""


def index_site(folder: Path) -> str:
    """Index `folder` in place (bundle at /pagefind/). Returns Pagefind's summary output."""
    command = [sys.executable, "-m", "pagefind", "--site", str(folder), "--silent"]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise SearchIndexError((result.stderr or result.stdout).strip() or f"pagefind exited {result.returncode}")
    return result.stdout
