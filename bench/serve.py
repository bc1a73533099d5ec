"""How long `wikigen serve` takes to show an edit: save an article, then time what the browser would see.

    .venv/bin/python bench/serve.py ROOT [--edits 5] [--no-search]

ROOT is a built corpus (e.g. bench/out/run-1000/wikigen after bench/run.py). The server runs as users run it,
`python -m wikigen serve`, in its own process; this script plays the browser, polling `/__wikigen/status`
every 10 ms. For each edit (a sentence added to the middle article's first paragraph, then restored, each
timed) it reports the seconds from the save to:

    view        the server shows something new (live.js reloads the page)
    page        GET of the article returns the edited text
    published   the build that writes the edit into the output folder has finished
    indexed     the search index is up to date again (with search)

Medians over all saves, restores included.
"""

from __future__ import annotations

import argparse
import json
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from run import edit_article  # noqa: E402

DEADLINE = 1800.0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.read()


def _until(check, started: float) -> float:
    while not check():
        if time.perf_counter() - started > DEADLINE:
            raise TimeoutError("the server did not get there")
        time.sleep(0.01)
    return time.perf_counter() - started


class Browser:
    """Polls the dev server the way live.js does."""

    def __init__(self, base: str):
        self.base = base

    def status(self) -> dict:
        try:
            return json.loads(_get(self.base + "__wikigen/status"))
        except OSError:
            return {}

    def idle(self) -> bool:
        now = self.status()
        return bool(now.get("ok")) and not now.get("building") and not now.get("indexing")

    def save(self, article: Path, text: str, search: bool) -> dict[str, float]:
        """Write `text` into the article; seconds from then until each stage shows it."""
        before = self.status()
        url = self.base + "articles/" + article.stem + "/"
        marker = text.encode().count(MARKER)
        article.write_text(text, encoding="utf-8")
        saved = time.perf_counter()
        seen = {
            "view": _until(lambda: self.status().get("view", 0) > before["view"], saved),
            "page": _until(lambda: _get(url).count(MARKER) == marker, saved),
            "published": _until(lambda: self.status().get("published", 0) > before["published"], saved),
        }
        if search:
            seen["indexed"] = _until(self.idle, saved)
        _until(self.idle, saved)
        return seen


MARKER = b"An edit made by the benchmark"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("root", type=Path)
    parser.add_argument("--edits", type=int, default=5)
    parser.add_argument("--no-search", action="store_true")
    args = parser.parse_args(argv)
    root = args.root.resolve()
    port = _free_port()
    browser = Browser(f"http://127.0.0.1:{port}/")
    command = [sys.executable, "-m", "wikigen", "serve", "--root", str(root), "--port", str(port)]
    server = subprocess.Popen([*command, *(["--no-search"] if args.no_search else [])],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    timings: dict[str, list[float]] = {}
    started = time.perf_counter()
    try:
        print(f"first build and warm-up: {_until(browser.idle, started):.1f} s", flush=True)
        for number in range(args.edits):
            article, original = edit_article(root, number + 1)
            edited = article.read_text(encoding="utf-8")
            article.write_text(original, encoding="utf-8")  # the save below is the edit
            for label, text in ((f"edit {number + 1}", edited), ("restored", original)):
                seen = browser.save(article, text, not args.no_search)
                for name, seconds in seen.items():
                    timings.setdefault(name, []).append(seconds)
                print(f"{label}: " + ", ".join(f"{name} {seconds:.2f} s" for name, seconds in seen.items()),
                      flush=True)
    finally:
        server.terminate()
        server.wait(30)
    print("medians: " + ", ".join(f"{name} {statistics.median(values):.2f} s" for name, values in timings.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
