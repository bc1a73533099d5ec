"""Config: defaults, every problem reported in one run, and how the site root is found."""

from __future__ import annotations

from pathlib import Path

from wikigen.config import Config, Threshold, find_root, load_config


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


def test_thresholds_by_type_and_section(tmp_path: Path) -> None:
    text = ('[tool.wikigen]\nmin_sourced_share = 0.5\n\n[tool.wikigen.by_type.therapy]\nmin_sourced_share = 0.8\n'
            'require_review = true\n\n[tool.wikigen.by_section."Evidence Base"]\nrequired_tiers = ["T1", "T2"]\n')
    loaded = load_config(_write(tmp_path, text))
    assert loaded.problems == ()
    config = loaded.config
    assert config.for_type("therapy") == Threshold(0.8, 1.0, True)
    assert config.for_type("theory") == Threshold(0.5, 1.0, False)
    assert config.for_section("evidence  base") == Threshold(required_tiers=("T1", "T2"))
    assert config.for_section("Practice") is None


def test_every_threshold_problem_is_reported(tmp_path: Path) -> None:
    text = ('[tool.wikigen]\nmax_llm_share = 2\nrequire_review = "yes"\n\n[tool.wikigen.by_type.therapy]\n'
            'required_tiers = ["T1"]\n\n[tool.wikigen.by_type.gadget]\nmin_sourced_share = 0.8\n\n'
            '[tool.wikigen.by_section."Evidence Base"]\nmin_sourced_share = -1\nrequired_tiers = ["T9"]\n')
    problems = load_config(_write(tmp_path, text)).problems
    assert [(p.line, p.code) for p in problems] == [(2, "C003"), (3, "C003"), (6, "C002"), (8, "C003"),
                                                    (12, "C003"), (13, "C003")]
    assert "a share between 0 and 1" in problems[0].message
    assert "`gadget` is not one of the types" in problems[3].message
    assert 'by_section."Evidence Base".required_tiers' in problems[5].message
