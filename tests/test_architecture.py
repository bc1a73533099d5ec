"""The layering contract (import-linter), the lint rules, the types and the example CI workflow are part of the
suite."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml

from wikigen.config import Config

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def _run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=REPO, capture_output=True, text=True, check=False)


def test_stages_import_only_downwards() -> None:
    result = _run(str(BIN / "lint-imports"))
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_is_clean() -> None:
    result = _run(str(BIN / "ruff"), "check", "src", "tests", "bench")
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_is_clean() -> None:
    """The types the stages hand each other hold (`[tool.mypy]` in pyproject.toml: src/wikigen)."""
    result = _run(str(BIN / "mypy"))
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_example_ci_restores_the_cache_before_checking() -> None:
    """CI checks a pull request in seconds only with the previous run's cache; a wrong path caches nothing."""
    workflow = yaml.safe_load((REPO / ".github" / "workflows" / "wikigen.yml").read_text(encoding="utf-8"))
    for name, job in workflow["jobs"].items():
        steps = job["steps"]
        cache = [i for i, s in enumerate(steps) if s.get("uses", "").startswith("actions/cache@")]
        check = [i for i, s in enumerate(steps) if s.get("run", "").startswith("wikigen check")]
        assert cache and check and cache[0] < check[0], name
        assert steps[cache[0]]["with"]["path"] == Config().cache
