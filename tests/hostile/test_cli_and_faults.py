"""The CLI under hostile input and bad luck: no tracebacks, documented exit codes, nothing lost.

Build tests run `wikigen build` in a subprocess with a stand-in render stage (conftest.RUNNER) that writes
numbered pages slowly, so a kill can land inside the write stage. They are about `write.staged`, not rendering.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import time
from pathlib import Path

import pytest

from conftest import FRONT, make_site, snapshot, spawn, wikigen
from wikigen import write

DEBUG = {"WIKIGEN_DEBUG": "1"}  # an internal error then shows its traceback, which these tests look for


def _no_traceback(result: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout, result.stderr[-2000:]
    assert "internal error" not in result.stderr, result.stderr


HOSTILE_FILES: dict[str, str | bytes] = {
    "content/empty.md": "",
    "content/latin1.md": FRONT.encode() + b"caf\xe9 [@a].\n",
    "content/bom-crlf.md": b"\xef\xbb\xbf" + FRONT.replace("\n", "\r\n").encode() + b"Bare.\r\nMixed [@a].\r",
    "content/unterminated.md": "---\ntitle: A\nBare.\n",
    "content/list.md": "---\n- a\n---\nBare.\n",
    "content/tag.md": "---\ntitle: !!python/object/apply:os.system ['echo PWNED']\n---\nx [@a].\n",
    "content/laughs.md": "---\na: &a [x, x]\nb: [*a, *a]\n---\nx [@a].\n",
    "content/nested.md": FRONT + ">" * 5000 + " deep [@a].\n" + "- " * 5000 + "x\n",
    "content/markers.md": FRONT + "[@]\n[@ a]\n[@a\n[@llm; @a]\n[@zz]. \\[@a] x.\n| a |\n|---|\n| b |\n",
    "content/links.md": FRONT + "[x](javascript:alert(1)) [@a].\n",
    "content/name with space.md": FRONT + "ok [@a].\n",
    "content/Name With Space.md": FRONT + "ok [@a].\n",
    "content/\u00fcml\u00e4ut.md": FRONT + "ok [@a].\n",
    "content/tab\tname.md": FRONT + "ok [@a].\n",
    "bibliography.bib": "@string{j = {J}}\n@comment{x}\n@article{a, title = {A}, journal = j, crossref = {zz}}\n"
                        "@article{b, title = {Unclosed\n@article{a, title = {dup}}\n@article{\u00e9, title = {E}}\n",
}


@pytest.fixture(scope="module")
def hostile_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = make_site(tmp_path_factory.mktemp("hostile") / "site", HOSTILE_FILES)
    (root / "content" / os.fsdecode(b"bad\xffname.md")).write_text(FRONT + "ok [@a].\n", encoding="utf-8")
    os.symlink("/etc/passwd", root / "content" / "passwd.md")
    return root


@pytest.mark.parametrize("fmt", ["text", "json", "github"])
def test_check_on_everything_hostile_exits_1_without_traceback(hostile_root: Path, fmt: str) -> None:
    result = wikigen("check", "--root", str(hostile_root), "--format", fmt, env=DEBUG)
    _no_traceback(result)
    assert result.returncode == 1
    assert "PWNED" not in result.stdout
    if fmt == "json":
        report = json.loads(result.stdout)
        found = {d["code"] for d in report["diagnostics"]}
        assert {"E002", "E003", "E006", "F001", "F004", "P001", "P002", "P003", "P004", "L001", "B001", "B002"} <= found
        for d in report["diagnostics"]:
            assert d["line"] >= 1 and d["column"] >= 1


def test_build_of_a_broken_site_exits_1(hostile_root: Path) -> None:
    result = wikigen("build", "--root", str(hostile_root), "--no-search", env=DEBUG)
    _no_traceback(result)
    assert result.returncode == 1 and "build refused" in result.stderr
    assert not (hostile_root / "public").exists()


def test_check_piped_into_a_closed_reader(hostile_root: Path) -> None:
    """`wikigen check | head -1`: the reader leaves early; the writer must not print a traceback."""
    writer = spawn("check", "--root", str(hostile_root), fake_render=False, env=DEBUG)
    assert writer.stdout is not None and writer.stderr is not None
    writer.stdout.close()  # nobody reads the report
    err = writer.stderr.read()
    writer.stderr.close()
    writer.wait(timeout=60)
    assert "Traceback" not in err and "internal error" not in err and "Exception ignored" not in err, err


@pytest.mark.parametrize(
    ("args", "files"),
    [
        (["check", "--root", "/nonexistent/site"], {}),
        (["check", "--root", "{root}", "/etc/passwd"], {}),
        (["check", "--root", "{root}", "{root}/content/missing.md"], {}),
        (["check", "--root", "{root}", "--format", "xml"], {}),
        (["build", "--root", "{root}", "--no-search"], {"pyproject.toml": '[tool.wikigen]\noutput = "../outside"\n'}),
        (["build", "--root", "{root}", "--no-search"], {"pyproject.toml": '[tool.wikigen]\noutput = "/tmp"\n'}),
        (["build", "--root", "{root}", "--no-search"], {"pyproject.toml": '[tool.wikigen]\noutput = "content"\n'}),
        (["build", "--root", "{root}", "--no-search"], {"pyproject.toml": '[tool.wikigen]\noutput = "content/x"\n'}),
        (["build", "--root", "{root}", "--no-search"], {"pyproject.toml": '[tool.wikigen]\noutput = "."\n'}),
        (["build", "--root", "{root}", "--no-search"], {"pyproject.toml": '[tool.wikigen]\noutput = "theme"\n'}),
        (["build", "--root", "{root}", "--no-search"],
         {"pyproject.toml": '[tool.wikigen]\noutput = "bibliography.bib"\n'}),
        (["build", "--root", "{root}", "--no-search"],
         {"pyproject.toml": '[tool.wikigen]\noutput = "pyproject.toml"\n'}),
        (["new", "A claim", "--type", "theory", "--root", "{root}"], {"content/a-claim.md": "MINE"}),
        (["new", "A claim", "--type", "nonsense", "--root", "{root}"], {}),
        (["new", "..", "--type", "theory", "--root", "{root}"], {}),
    ],
)
def test_usage_and_io_problems_exit_2_and_change_nothing(tmp_path: Path, args: list[str], files: dict) -> None:
    root = make_site(tmp_path / "site", {**files, "theme/templates/keep.html": "KEEP"})
    before = snapshot(tmp_path)
    result = wikigen(*[a.format(root=root) for a in args], env=DEBUG, fake_render=True)
    _no_traceback(result)
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert result.stderr.startswith("wikigen: ") or "usage:" in result.stderr
    after = snapshot(tmp_path)
    assert {k: v for k, v in after.items() if not k.endswith(".lock")} == before


def test_output_outside_root_only_when_allowed(tmp_path: Path) -> None:
    config = '[tool.wikigen]\noutput = "../outside"\nallow_output_outside_root = true\n'
    root = make_site(tmp_path / "site", {"pyproject.toml": config})
    result = wikigen("build", "--root", str(root), "--no-search", env=DEBUG, fake_render=True)
    _no_traceback(result)
    assert result.returncode == 0, result.stderr
    assert len(snapshot(tmp_path / "outside")) == 21  # the fake pages and the one article


def test_new_never_overwrites(tmp_path: Path) -> None:
    root = make_site(tmp_path / "site", {})
    first = wikigen("new", "Goal Theory", "--type", "theory", "--root", str(root), env=DEBUG)
    assert first.returncode == 0, first.stderr
    created = root / "content" / "goal-theory.md"
    created.write_text("EDITED BY A HUMAN", encoding="utf-8")
    for title in ("Goal Theory", "goal theory", "GOAL  THEORY!"):
        again = wikigen("new", title, "--type", "theory", "--root", str(root), env=DEBUG)
        _no_traceback(again)
        assert again.returncode == 2
    assert created.read_text(encoding="utf-8") == "EDITED BY A HUMAN"
    secret = tmp_path / "secret.md"
    secret.write_text("SECRET", encoding="utf-8")
    os.symlink(secret, root / "content" / "other.md")
    linked = wikigen("new", "Other", "--type", "theory", "--root", str(root), env=DEBUG)
    assert linked.returncode == 2 and secret.read_text(encoding="utf-8") == "SECRET"


# ---------------------------------------------------------------- nothing is lost


def _build(root: Path, version: str, **extra: str) -> subprocess.CompletedProcess[str]:
    env = {**DEBUG, "FAKE_VERSION": version, "FAKE_FILES": "40", **extra}
    return wikigen("build", "--root", str(root), "--no-search", env=env, fake_render=True)


def _expected(tmp_path: Path, version: str) -> dict[str, bytes]:
    root = make_site(tmp_path / f"expected-{version}", {})
    assert _build(root, version).returncode == 0
    return snapshot(root / "public")


def _stale(root: Path) -> list[str]:
    return sorted(p.name for p in root.glob(".public.*.tmp"))


def _wait_for(path: Path, process: subprocess.Popen[str], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the build never reached the write stage"
        time.sleep(0.01)


def test_sigkill_at_random_points_loses_nothing(tmp_path: Path) -> None:
    root = make_site(tmp_path / "site", {})
    old, new, final = (_expected(tmp_path, v) for v in ("old", "new", "final"))
    assert _build(root, "old").returncode == 0
    assert snapshot(root / "public") == old
    rng = random.Random(6)
    outcomes = []
    for attempt in range(6):
        ready = tmp_path / f"ready-{attempt}"
        env = {**DEBUG, "FAKE_VERSION": "new", "FAKE_FILES": "40", "FAKE_DELAY": "0.01", "FAKE_READY": str(ready)}
        process = spawn("build", "--root", str(root), "--no-search", env=env)
        if attempt % 2:  # anywhere from start-up to the swap
            time.sleep(rng.uniform(0.0, 1.5))
        else:  # inside the write stage
            _wait_for(ready, process)
            time.sleep(rng.uniform(0.0, 0.45))
        process.send_signal(signal.SIGKILL)
        process.communicate(timeout=30)
        current = snapshot(root / "public")
        assert current in (old, new), f"attempt {attempt}: output is neither the old nor the new build"
        outcomes.append("new" if current == new else "old")
        if current == new:  # the kill came after the swap: start again from the old output
            assert _build(root, "old").returncode == 0
    print(f"[kills] outcomes: {outcomes}")
    assert "old" in outcomes
    result = _build(root, "final")
    assert result.returncode == 0, result.stderr
    assert snapshot(root / "public") == final
    assert _stale(root) == []


def test_sigint_exits_with_a_message(tmp_path: Path) -> None:
    root = make_site(tmp_path / "site", {})
    old = _expected(tmp_path, "old")
    assert _build(root, "old").returncode == 0
    ready = tmp_path / "ready"
    env = {**DEBUG, "FAKE_VERSION": "new", "FAKE_DELAY": "0.05", "FAKE_FILES": "200", "FAKE_READY": str(ready)}
    process = spawn("build", "--root", str(root), "--no-search", env=env)
    _wait_for(ready, process)
    time.sleep(0.2)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=30)
    assert process.returncode == 130, err
    assert "Traceback" not in err and "interrupted" in err
    assert snapshot(root / "public") == old
    assert _stale(root) == []


def test_concurrent_builds_do_not_corrupt_the_output(tmp_path: Path) -> None:
    root = make_site(tmp_path / "site", {})
    one, two = _expected(tmp_path, "one"), _expected(tmp_path, "two")
    processes = [
        spawn("build", "--root", str(root), "--no-search",
              env={**DEBUG, "FAKE_VERSION": version, "FAKE_FILES": "40", "FAKE_DELAY": "0.005"})
        for version in ("one", "two")
    ]
    results = [(p.wait(timeout=60), p.communicate()) for p in processes]
    assert [code for code, _ in results] == [0, 0], results
    assert snapshot(root / "public") in (one, two)
    assert _stale(root) == []


def test_a_failed_render_leaves_the_previous_output(tmp_path: Path) -> None:
    output = tmp_path / "public"
    with write.staged(output) as staging:
        (staging / "index.html").write_text("old", encoding="utf-8")
    with pytest.raises(RuntimeError), write.staged(output) as staging:
        (staging / "index.html").write_text("half", encoding="utf-8")
        raise RuntimeError("render failed")
    assert snapshot(output) == {"index.html": b"old"}
    assert _stale(tmp_path) == []


def test_a_kill_between_the_fallback_renames_is_undone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Where the atomic exchange is unavailable the old output is renamed aside first; a kill right then leaves
    no output folder, and the next build must put the old one back before anything else."""
    output = tmp_path / "public"
    with write.staged(output) as staging:
        (staging / "index.html").write_text("old", encoding="utf-8")
    os.replace(output, tmp_path / ".public.old.tmp")  # the state right after the first rename
    (tmp_path / ".public.abc123.tmp").mkdir()  # and a staging folder of the killed build
    with pytest.raises(RuntimeError), write.staged(output):
        assert snapshot(output) == {"index.html": b"old"}
        raise RuntimeError("this build fails too")
    assert snapshot(output) == {"index.html": b"old"}
    assert _stale(tmp_path) == []
    monkeypatch.setattr(write, "_exchange", lambda first, second: False)
    with write.staged(output) as staging:
        (staging / "index.html").write_text("new", encoding="utf-8")
    assert snapshot(output) == {"index.html": b"new"}
    assert _stale(tmp_path) == []


def test_written_paths_cannot_leave_the_output(tmp_path: Path) -> None:
    from wikigen.model import OutputFile

    for bad in ("../escape.html", "/etc/escape.html", "a/../../escape.html", ".", ""):
        with pytest.raises(write.OutputError), write.staged(tmp_path / "public") as staging:
            write.write_files(staging, [OutputFile(bad, b"x")])
    assert not (tmp_path / "escape.html").exists()
