"""Time the search page in Chromium (Debian's, driven by Playwright) over a built site served as Netlify would.

    .venv/bin/python bench/search.py PUBLIC [--query WORD] [--repeat 3]

For each repetition, in a fresh browser context (nothing cached): the time from opening /search/ until its
filters are ready, with the requests and bytes that took; then from pressing Enter on a query to the result
count shown; then from choosing "Title (A-Z)" to the sorted list (the first sort fetches order.json). Then,
in another fresh context, the time to first result: from opening /search/?q=QUERY (a link to a search) to
the first result shown, with its requests and bytes. Prints medians. The reader's side of the sharded
index: each shard adds its entry, metadata and filter files.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests" / "browser"))
from netlify_site import header_rules, load_netlify, serve  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic"]


def main(argv: list[str] | None = None) -> int:
    from playwright.sync_api import sync_playwright

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("public", type=Path)
    parser.add_argument("--query", default="goal")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    shards = json.loads((args.public / "pagefind" / "bundles.json").read_bytes())["bundles"]
    server, thread = serve(args.public.resolve(), header_rules(load_netlify()))
    base = "http://{}:{}".format(*server.server_address[:2])
    timings: dict[str, list[float]] = {}
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            for _ in range(args.repeat):
                context = browser.new_context(base_url=base)
                page = context.new_page()
                fetched: list[int] = []
                page.on("requestfinished", lambda request, fetched=fetched: fetched.append(
                    request.sizes()["responseBodySize"]))
                started = time.perf_counter()
                page.goto("/search/")
                page.wait_for_selector("#search.search-ready", state="attached", timeout=120_000)
                ready = time.perf_counter() - started
                requests, size = len(fetched), sum(fetched)
                status = page.locator(".search-status")
                page.get_by_label("Search the wiki").fill(args.query)
                started = time.perf_counter()
                page.get_by_label("Search the wiki").press("Enter")
                status.filter(has_text=re.compile(r"\d+ articles? for")).wait_for(timeout=120_000)
                query = time.perf_counter() - started
                count = status.inner_text()
                started = time.perf_counter()
                page.get_by_label("Sort by").select_option("title:asc")
                page.wait_for_url(re.compile(r"sort=title"), timeout=120_000)
                status.filter(has_text=re.compile(r"\d+ articles? for")).wait_for(timeout=120_000)
                page.wait_for_function("!document.getElementById('search').hasAttribute('aria-busy')")
                sort = time.perf_counter() - started
                for name, value in (("ready", ready), ("query", query), ("sort", sort)):
                    timings.setdefault(name, []).append(value)
                context.close()
                context = browser.new_context(base_url=base)
                page = context.new_page()
                linked: list[int] = []
                page.on("requestfinished", lambda request, linked=linked: linked.append(
                    request.sizes()["responseBodySize"]))
                started = time.perf_counter()
                page.goto(f"/search/?q={args.query}")
                page.locator(".search-result").first.wait_for(timeout=120_000)
                first = time.perf_counter() - started
                timings.setdefault("first result", []).append(first)
                print(f"{len(shards)} shards: ready {ready:.2f} s ({requests} requests, {size / 1024:.0f} KB), "
                      f"query {query:.2f} s ({count}), sort {sort:.2f} s; first result from a link {first:.2f} s "
                      f"({len(linked)} requests, {sum(linked) / 1024:.0f} KB)", flush=True)
                context.close()
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
    print("medians: " + ", ".join(f"{k} {statistics.median(v):.2f} s" for k, v in timings.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
