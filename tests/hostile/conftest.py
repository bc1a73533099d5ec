"""Helpers for the hostile-input suite: small sites on disk, the CLI in a subprocess, position checks.

Every test here attacks the tool the way bad input and bad luck will (issue 6). Time-bounded tests measure
CPU time of this process (`time.process_time`) so a busy CI machine does not make them flaky.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import pytest

from wikigen.build import gather
from wikigen.model import CheckedSite, Diagnostic
from wikigen.report import text_line

FRONT = "---\ntitle: A\nsummary: S [@a].\ntype: theory\n---\n"
DEFAULTS: dict[str, str | bytes] = {
    "pyproject.toml": '[tool.wikigen]\ntitle = "Hostile"\n',
    "content/a.md": FRONT + "A claim [@a].\n",
    "bibliography.bib": "@article{a, title = {A}, year = 2001}\n",
}
SRC = Path(__file__).resolve().parents[2] / "src"


def make_site(root: Path, files: Mapping[str, str | bytes | None]) -> Path:
    """Write DEFAULTS overridden by `files` (None deletes a default); bytes are written as they are."""
    root.mkdir(parents=True, exist_ok=True)
    for name, body in {**DEFAULTS, **files}.items():
        if body is None:
            continue
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(body, bytes):
            path.write_bytes(body)
        else:
            path.write_text(body, encoding="utf-8", newline="")
    return root


def line_count(raw: bytes) -> int:
    """Lines as the loader counts them: LF, CRLF and lone CR all end a line."""
    return raw.count(b"\n") + raw.count(b"\r") - raw.count(b"\r\n") + 1


def assert_positioned(root: Path, diagnostics: tuple[Diagnostic, ...] | list[Diagnostic]) -> None:
    """Every diagnostic names a path, has line >= 1 and column >= 1, and its line exists in that file."""
    lines: dict[str, int | None] = {}
    for d in diagnostics:
        assert d.path and d.message, d
        assert d.line >= 1 and d.column >= 1, text_line(d)
        if d.path not in lines:
            target = root / d.path
            readable = target.is_file() and not target.is_symlink()
            lines[d.path] = line_count(target.read_bytes()) if readable else None
        if lines[d.path] is not None:
            assert d.line <= lines[d.path], text_line(d)


def codes(site: CheckedSite) -> list[str]:
    return [d.code for d in site.diagnostics]


def where(site: CheckedSite, code: str) -> list[tuple[str, int, int]]:
    return [(d.path, d.line, d.column) for d in site.diagnostics if d.code == code]


@pytest.fixture
def site(tmp_path: Path) -> Callable[..., Path]:
    """`site({"content/a.md": ...})` writes a fixture site under tmp_path/site and returns its root."""

    def make(files: Mapping[str, str | bytes | None] | None = None, name: str = "site") -> Path:
        return make_site(tmp_path / name, files or {})

    return make


@pytest.fixture
def checked() -> Callable[[Path], CheckedSite]:
    """Run the checker and assert every diagnostic is positioned inside its file."""

    def run(root: Path) -> CheckedSite:
        result = gather(root, use_cache=False)  # the parser under test, not the cache
        assert_positioned(root, result.diagnostics)
        return result

    return run


@contextmanager
def cpu_budget(seconds: float, label: str) -> Iterator[None]:
    """Fail when the block uses more than `seconds` of this process's CPU; print the time for the report."""
    start_cpu, start_wall = time.process_time(), time.perf_counter()
    yield
    cpu, wall = time.process_time() - start_cpu, time.perf_counter() - start_wall
    print(f"[timing] {label}: {cpu:.2f} s CPU, {wall:.2f} s wall")
    assert cpu < seconds, f"{label} took {cpu:.1f} s CPU (budget {seconds} s)"


def wikigen(*args: str, cwd: Path | None = None, timeout: float = 60, env: Mapping[str, str] | None = None,
            fake_render: bool = False) -> subprocess.CompletedProcess[str]:
    """The CLI in a fresh interpreter, as an editor or CI runs it."""
    command = [sys.executable, "-c", RUNNER, "1" if fake_render else "0", *args]
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=timeout,
                          env=_env(env), check=False)


def spawn(*args: str, cwd: Path | None = None, env: Mapping[str, str] | None = None,
          fake_render: bool = True) -> subprocess.Popen[str]:
    command = [sys.executable, "-c", RUNNER, "1" if fake_render else "0", *args]
    return subprocess.Popen(command, cwd=cwd, env=_env(env), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def _env(extra: Mapping[str, str] | None) -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": str(SRC), "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("PYTHONWARNINGS", None)
    return {**env, **(extra or {})}


# A stand-in for the site pages used by the write-stage fault tests: FAKE_FILES files whose content depends on
# FAKE_VERSION, written FAKE_DELAY seconds apart; it touches FAKE_READY when it starts so a test knows the build
# is inside the write stage. The kill and lock tests are about `write.staged`, not about rendering.
RUNNER = textwrap.dedent(
    """
    import os, sys, time
    if sys.argv[1] == "1":
        import wikigen.build
        from wikigen.model import OutputFile

        def fake_render(self, pages, *rest):
            version = os.environ.get("FAKE_VERSION", "1")
            delay = float(os.environ.get("FAKE_DELAY", "0"))
            ready = os.environ.get("FAKE_READY")
            if ready:
                open(ready, "w").close()
            for number in range(int(os.environ.get("FAKE_FILES", "20"))):
                if delay:
                    time.sleep(delay)
                body = f"<!doctype html><title>{number}</title><p>version {version} page {number}</p>\\n"
                yield OutputFile(f"pages/{number % 7}/{number}.html", (body * 50).encode())

        wikigen.build.SiteRenderer.site_files = fake_render
        wikigen.build.listings = lambda renderer: []  # the fake files stand in for the site's pages,
        wikigen.build.SiteRenderer.broken_links = lambda self: []  # which are not there to link to
        if sys.argv[2] == "build":
            sys.argv.append("--no-cache")  # each fake version must really be built
    from wikigen.cli import main
    sys.argv = ["wikigen", *sys.argv[2:]]
    sys.exit(main(sys.argv[1:]))
    """
)


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` by relative path, with its bytes."""
    if not folder.is_dir():
        return {}
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}
