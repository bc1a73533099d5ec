"""Partitioned builds: N partitions merged equal one build, byte for byte; partitions that do not make one
whole are refused with a clear message and leave the output as it was; the example workflow runs commands
the CLI has."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from samplewiki import copy_sample
from wikigen import partition
from wikigen.build import SearchMode, build, build_partition, merge
from wikigen.cli import main, parser

TESTS = Path(__file__).parent
REPO = TESTS.parent
RENDER_SITE = TESTS / "sites" / "render"
WORKFLOW = REPO / ".github" / "workflows" / "partitioned.yml"


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def sample(target: Path) -> Path:
    return copy_sample(target)


def bucketed_sample(target: Path) -> Path:
    """The sample wiki with its pages in buckets (and a `_redirects`), as a wiki past `article_buckets_from` has."""
    return copy_sample(target, "article_buckets_from = 1")


def render_site(target: Path) -> Path:
    shutil.copytree(RENDER_SITE, target)
    return target


def partitioned(root: Path, count: int, search: SearchMode = SearchMode.BUILD, cache: bool = False) -> list[Path]:
    """Every partition of the site, each with no cache (as CI's matrix jobs make them) or sharing the site's;
    then merged."""
    for index in range(count):
        assert build_partition(root, partition.Spec(index, count), use_cache=cache).published
    parts = [root / "parts" / f"{index}-of-{count}" for index in range(count)]
    assert merge(root, parts, search=search, use_cache=cache).published
    return parts


@pytest.mark.slow
@pytest.mark.parametrize("make", [render_site, sample, bucketed_sample],
                         ids=["render-site", "sample-wiki", "bucketed-sample-wiki"])
def test_partitions_merged_equal_one_build(make, tmp_path: Path) -> None:
    """In another folder than the build's, too: the output depends on no absolute path."""
    one = make(tmp_path / "one")
    assert build(one, use_cache=False).published
    expected = snapshot(one / "public")
    assert any(path.startswith("pagefind/") for path in expected)  # the search index is compared too
    assert ("_redirects" in expected) == (make is bucketed_sample)
    for count in (1, 2, 3):
        root = make(tmp_path / f"split-{count}")
        parts = partitioned(root, count)
        assert snapshot(root / "public") == expected, count
        rendered = [json.loads((part / partition.RECORD).read_bytes())["pages"] for part in parts]
        slugs = [page["slug"] for pages in rendered for page in pages]
        assert sorted(slugs) == sorted(set(slugs)) and len(slugs) == len(list((root / "content").rglob("*.md")))


def test_a_merge_over_a_previous_output_equals_a_cold_build(tmp_path: Path) -> None:
    """The merge recycles the output as a build does, and records the manifest a next build takes over."""
    root = sample(tmp_path / "site")
    assert build(root, search=SearchMode.OFF).published
    article = root / "content" / "mastery-approach-goals.md"
    article.write_text(article.read_text(encoding="utf-8").replace("title: ", "title: Renamed ", 1), encoding="utf-8")
    partitioned(root, 2, SearchMode.OFF, cache=True)
    cold = sample(tmp_path / "cold")
    shutil.copy2(article, cold / "content" / article.name)
    assert build(cold, search=SearchMode.OFF, use_cache=False).published
    assert snapshot(root / "public") == snapshot(cold / "public")
    again = build(root, search=SearchMode.OFF)
    assert again.published and again.site is None  # nothing changed since the merge


def test_membership_is_a_stable_hash_of_the_slug() -> None:
    """The same partition in every process (Python's own hash() of a string changes with PYTHONHASHSEED)."""
    slugs = [f"article-{n}" for n in range(200)]
    here = [partition.member(slug, 3) for slug in slugs]
    script = f"from wikigen.partition import member; print([member(s, 3) for s in {slugs!r}])"
    for seed in ("1", "2"):
        done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                              env={**os.environ, "PYTHONHASHSEED": seed})
        assert json.loads(done.stdout) == here
    assert all(here.count(i) > 40 for i in range(3))  # spread over all three


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return render_site(tmp_path / "site")


def run(root: Path, *args: str) -> int:
    return main([*args[:1], "--root", str(root), *args[1:]])


@pytest.mark.parametrize("value", ["3/3", "5/2", "0/0", "1", "a/b", "-1/2"])
def test_a_bad_partition_is_a_usage_error(site: Path, value: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        run(site, "build", "--partition", value)
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert "--partition" in err and "Traceback" not in err
    assert not (site / "parts").exists()


def refused(site: Path, capsys: pytest.CaptureFixture[str], *parts: Path) -> str:
    """Merge the parts: it must fail with a message, and leave the output as the build before left it."""
    before = snapshot(site / "public")
    capsys.readouterr()
    assert run(site, "merge", "--no-search", *map(str, parts)) == 2
    err = capsys.readouterr().err
    assert err.startswith("wikigen: ") and "Traceback" not in err
    assert snapshot(site / "public") == before
    return err


def make_parts(site: Path, count: int, *indexes: int) -> list[Path]:
    for index in indexes or range(count):
        assert run(site, "build", "--partition", f"{index}/{count}") == 0
    return [site / "parts" / f"{index}-of-{count}" for index in indexes or range(count)]


def test_a_missing_or_doubled_partition_is_refused(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert build(site, search=SearchMode.OFF).published
    first, _, third = make_parts(site, 3)
    assert "partition 1/3 missing" in refused(site, capsys, first, third)
    assert "given twice" in refused(site, capsys, first, first, third)
    other = make_parts(site, 2, 0)[0]
    assert "different partitionings" in refused(site, capsys, first, other, third)
    assert "no such folder" in refused(site, capsys, site / "parts" / "9-of-3")
    assert "not a partition" in refused(site, capsys, site / "content")


def test_partitions_of_other_inputs_are_refused(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert build(site, search=SearchMode.OFF).published
    first = make_parts(site, 2, 0)[0]
    article = site / "content" / "alpha-theory.md"
    article.write_text(article.read_text(encoding="utf-8").replace("[@llm]", "[@llm]. One more [@llm]", 1),
                       encoding="utf-8")
    second = make_parts(site, 2, 1)[0]
    assert "different inputs" in refused(site, capsys, first, second)
    first = make_parts(site, 2, 0)[0]  # both of the edited site now: the merge goes through
    config = site / "pyproject.toml"
    config.write_text(config.read_text(encoding="utf-8").replace("[tool.wikigen]", '[tool.wikigen]\ntitle = "Other"'),
                      encoding="utf-8")
    assert "other inputs than this site's" in refused(site, capsys, first, second)  # the config changed since


def test_a_page_made_from_other_inputs_is_refused(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A stored source text is not among the digested inputs, but every page key that depends on it is."""
    assert build(site, search=SearchMode.OFF).published
    parts = make_parts(site, 1)
    evidence = site / "evidence" / "webpage2020.txt"
    evidence.write_text(evidence.read_text(encoding="utf-8") + "\nA passage added since.\n", encoding="utf-8")
    assert "was rendered from other inputs" in refused(site, capsys, *parts)


def test_an_incomplete_or_damaged_partition_is_refused(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert build(site, search=SearchMode.OFF).published
    parts = make_parts(site, 1)
    record = parts[0] / partition.RECORD
    page = json.loads(record.read_bytes())["pages"][0]["path"]
    (parts[0] / partition.SITE / page).unlink()
    assert "is missing" in refused(site, capsys, *parts)
    record.write_text("{not json", encoding="utf-8")
    assert "unreadable" in refused(site, capsys, *parts)
    record.write_text(json.dumps({"format": partition.FORMAT, "partition": 0}), encoding="utf-8")
    assert "malformed" in refused(site, capsys, *parts)


def test_a_partition_with_errors_writes_nothing(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    article = site / "content" / "alpha-theory.md"
    article.write_text(article.read_text(encoding="utf-8") + "\nAn unmarked sentence.\n", encoding="utf-8")
    assert run(site, "build", "--partition", "0/2") == 1
    assert "P001" in capsys.readouterr().err
    assert not (site / "parts" / "0-of-2").exists()


def test_a_partition_folder_may_not_replace_the_site(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for folder in (site / "content", site / "public" / "part", site):
        assert run(site, "build", "--partition", "0/1", "--into", str(folder)) == 2
        assert "partition folder" in capsys.readouterr().err
    assert (site / "content" / "alpha-theory.md").is_file()


# ---------------------------------------------------------------- the example workflow


def workflow_commands() -> list[tuple[str, str]]:
    """(job, command) of every `wikigen` command the partitioned workflow runs, its expressions filled in."""
    workflow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    commands = []
    for name, job in workflow["jobs"].items():
        total = len(job.get("strategy", {}).get("matrix", {}).get("partition", [None]))
        for step in job["steps"]:
            script = step.get("run", "")
            script = script.replace("${{ strategy.job-index }}", "0").replace("${{ strategy.job-total }}", str(total))
            script = re.sub(r"\$\{\{ *matrix\.partition *\}\}", "0", script)
            commands += [(name, line.strip()) for line in script.splitlines() if line.strip().startswith("wikigen ")]
    return commands


def test_the_partitioned_workflow_runs_commands_the_cli_has() -> None:
    workflow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    jobs = workflow["jobs"]
    assert set(jobs) == {"partition", "merge"} and jobs["merge"]["needs"] == "partition"
    commands = workflow_commands()
    assert [job for job, _ in commands] == ["partition", "merge"]
    for _, command in commands:
        words = shlex.split(command)[1:]
        assert "$" not in command, command  # every expression is one the test knows how to fill in
        parser().parse_args(words)  # exits on an unknown command or option
    partitioned_build = parser().parse_args(shlex.split(commands[0][1])[1:])
    assert partitioned_build.partition == partition.Spec(0, len(jobs["partition"]["strategy"]["matrix"]["partition"]))


def test_the_partitioned_workflow_merges_what_the_partitions_upload() -> None:
    jobs = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))["jobs"]
    upload = next(s for s in jobs["partition"]["steps"] if s.get("uses", "").startswith("actions/upload-artifact@"))
    download = next(s for s in jobs["merge"]["steps"] if s.get("uses", "").startswith("actions/download-artifact@"))
    built = parser().parse_args(shlex.split(workflow_commands()[0][1])[1:])
    assert upload["with"]["path"] == built.into
    prefix = upload["with"]["name"].split("${{")[0]
    assert download["with"]["pattern"] == prefix + "*"
    merged = parser().parse_args(shlex.split(workflow_commands()[1][1])[1:])
    assert merged.parts == [download["with"]["path"] + "/*"] or all(
        p.startswith(download["with"]["path"] + "/") for p in merged.parts)
    deploy = [s for s in jobs["merge"]["steps"] if "netlify" in s.get("run", "") and " deploy" in s.get("run", "")]
    assert len(deploy) == 1 and "--dir public" in deploy[0]["run"] and "--prod" in deploy[0]["run"]
    assert set(deploy[0]["env"]) == {"NETLIFY_AUTH_TOKEN", "NETLIFY_SITE_ID"}
