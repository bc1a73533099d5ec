"""Config: defaults, every problem reported in one run, and how the site root is found."""

from __future__ import annotations

from pathlib import Path

from wikigen.config import Config, find_root, load_config


def _write(root: Path, text: str) -> Path:
    (root / "pyproject.toml").write_text(text, encoding="utf-8")
    return root


def test_missing_table_gives_defaults(tmp_path: Path) -> None:
    loaded = load_config(_write(tmp_path, "[project]\nname = 'x'\n"))
    assert loaded.problems == ()
    assert loaded.config == Config(root=tmp_path.resolve())
    assert loaded.config.types[0] == "theory"


def test_values_are_typed(tmp_path: Path) -> None:
    loaded = load_config(_write(tmp_path, '[tool.wikigen]\ntypes = ["theory", "model"]\nworkers = 2\n'))
    assert loaded.problems == ()
    assert loaded.config.types == ("theory", "model")
    assert loaded.config.workers == 2


def test_every_problem_is_reported_with_its_line(tmp_path: Path) -> None:
    text = '[tool.wikigen]\ntitle = "T"\ncontnet = "c"\nworkers = -1\ntypes = []\nallow_output_outside_root = "yes"\n'
    problems = load_config(_write(tmp_path, text)).problems
    assert [(p.line, p.code) for p in problems] == [(3, "C002"), (4, "C003"), (5, "C003"), (6, "C003")]
    assert "did you mean `content`" not in problems[0].message
    assert "`contnet`" in problems[0].message


def test_near_miss_suggests_the_key(tmp_path: Path) -> None:
    (problem,) = load_config(_write(tmp_path, "[tool.wikigen]\nwords-per-minute = 180\n")).problems
    assert "did you mean `words_per_minute`" in problem.message


def test_invalid_toml_has_a_position(tmp_path: Path) -> None:
    (problem,) = load_config(_write(tmp_path, "[tool.wikigen]\ntitle = \n")).problems
    assert (problem.code, problem.line) == ("C001", 2)


def test_root_is_nearest_configured_ancestor(tmp_path: Path) -> None:
    site = _write(tmp_path, "[tool.wikigen]\n")
    deep = site / "a" / "b"
    deep.mkdir(parents=True)
    assert find_root(deep) == site
    other = tmp_path / "x"
    (other / "content").mkdir(parents=True)
    assert find_root(other / "content") == other
