"""Screenshots of the sample wiki's article page for the README, at desktop and phone width.

    .venv/bin/python docs/screenshots.py

Builds the sample site (content/, bibliography.bib, theme/, pyproject.toml) into a temporary folder, serves it
with netlify.toml's headers (the browser tests' server) and saves, with Debian's Chromium:
docs/screenshot-article.png (1280 px wide, the top 2,400 px) and docs/screenshot-article-phone.png (the first
375 x 800 screen at twice the pixel density, then the same page with a source preview open after a tap).
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "browser"))

from netlify_site import header_rules, load_netlify, serve  # noqa: E402

from wikigen.build import build  # noqa: E402

ARTICLE = "/articles/achievement-goal-theory/"


def main() -> int:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        for name in ("content", "bibliography.bib", "theme", "pyproject.toml"):
            source = REPO / name
            (shutil.copytree if source.is_dir() else shutil.copy2)(source, root / name)
        result = build(root, search=False)
        assert result.published, "the sample wiki did not build"
        server, thread = serve(result.site.config.path("output"), header_rules(load_netlify()))
        host, port = server.server_address[:2]
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
                desktop = browser.new_page(base_url=f"http://{host}:{port}", viewport={"width": 1280, "height": 2400})
                desktop.goto(ARTICLE)
                desktop.screenshot(path=REPO / "docs" / "screenshot-article.png")
                phone = browser.new_page(base_url=f"http://{host}:{port}", viewport={"width": 375, "height": 800},
                                         device_scale_factor=2, has_touch=True, is_mobile=True)
                phone.goto(ARTICLE)
                phone.screenshot(path=REPO / "docs" / "screenshot-article-phone.png")
                badge = phone.locator(".article-body .ref > a[href^='#src-']").nth(1)
                badge.tap()
                phone.screenshot(path=REPO / "docs" / "screenshot-article-phone-preview.png")
                browser.close()
        finally:
            server.shutdown()
            thread.join(timeout=5)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
