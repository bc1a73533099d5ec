"""Stage 6: the Pagefind search index, built from the written HTML by the binary that `pagefind[bin]` ships."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


class SearchIndexError(Exception):
    """Pagefind failed; the message carries its output."""


def index_site(folder: Path) -> str:
    """Index `folder` in place (bundle at /pagefind/). Returns Pagefind's summary output."""
    command = [sys.executable, "-m", "pagefind", "--site", str(folder), "--silent"]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise SearchIndexError((result.stderr or result.stdout).strip() or f"pagefind exited {result.returncode}")
    return result.stdout
