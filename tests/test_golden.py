"""Golden whole-site output: the fixture site under tests/sites/render must build to exactly the files in
tests/golden/render. After a deliberate change to the output, regenerate them with one command,

    WIKIGEN_UPDATE=1 .venv/bin/python -m pytest tests/test_golden.py

and read the diff before committing it.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from wikigen.build import SearchMode, build

SITE = Path(__file__).parent / "sites" / "render"
GOLDEN = Path(__file__).parent / "golden" / "render"
COMPARED = (".html", ".xml", ".txt")  # pages; theme assets and media are copies of files in the repository


def _pages(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.suffix in COMPARED
    }


def test_site_matches_golden_output(tmp_path: Path) -> None:
    root = tmp_path / "site"
    shutil.copytree(SITE, root)
    assert build(root, search=SearchMode.OFF, use_cache=False).published
    actual = _pages(root / "public")
    if os.environ.get("WIKIGEN_UPDATE"):
        shutil.rmtree(GOLDEN, ignore_errors=True)
        for name, content in actual.items():
            (GOLDEN / name).parent.mkdir(parents=True, exist_ok=True)
            (GOLDEN / name).write_bytes(content)
    expected = _pages(GOLDEN)
    assert sorted(actual) == sorted(expected)
    for name in expected:
        assert actual[name] == expected[name], f"{name} differs from tests/golden/render/{name}"
