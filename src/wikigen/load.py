"""Stage 1: read the site's files as text, refusing anything that would reach outside the site root.

An article whose stamp (size, modification and change times, inode, device) is the one it had when last
read, and had been for a second then, is not read again: its digest comes from that read. Reading and
hashing every article was a large share of every build and check, which mostly needed none of them.
The second guards against a file written twice within the clock's granularity (git's "racy clean" rule).
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import stat
from collections.abc import Iterable, Mapping
from pathlib import Path

from wikigen.config import Config
from wikigen.model import Diagnostic, Severity, SourceFile, Sources

MAX_BYTES = 20 * 1024 * 1024  # a larger article is almost certainly not prose
SETTLED_NS = 1_000_000_000  # a stamp taken sooner than this after the file's last change is not trusted

Known = Mapping[str, tuple[tuple[int, ...], str]]  # article path -> (stamp, digest) when last read


def stamp(info: os.stat_result) -> tuple[int, ...]:
    return (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino, info.st_dev)


def _rel(config: Config, path: Path) -> str:
    return path.relative_to(config.root).as_posix()


def _outside(root: Path, path: Path, in_real_folder: bool = False) -> str | None:
    """Why `path` may not be read: it leads outside the site root, loops, or is not a regular file. A file
    `in_real_folder` (a folder inside the root reached through no link) needs only its own type looked at:
    a regular file there is inside, and one lstat costs a tenth of resolving the whole path."""
    if in_real_folder:
        with contextlib.suppress(OSError):
            if stat.S_ISREG(os.lstat(path).st_mode):
                return None
    try:
        resolved = path.resolve(strict=True)
    except RuntimeError:  # Python < 3.13 reports a symlink loop this way
        return "is a symbolic link loop; it is not read"
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "is a symbolic link loop; it is not read"
        return None  # a dangling link: reading it gives the real error
    if not resolved.is_relative_to(root):
        return "is a link that points outside the site root; it is not read"
    try:
        if not stat.S_ISREG(resolved.stat().st_mode):
            return "is not a regular file (a folder, pipe or device); it is not read"
    except OSError:
        return None
    return None


def _name_problem(rel: str) -> str | None:
    """File names become URLs: they must be text and printable."""
    try:
        rel.encode("utf-8")
    except UnicodeEncodeError:
        return "has a name that is not valid UTF-8; rename it"
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in rel):
        return "has a control character (a tab or line break) in its name; rename it"
    return None


def _slug_problem(path: Path) -> str | None:
    """The file name is the article's slug and URL: `...md` would be the page `articles/../`."""
    stem = path.stem
    if stem in ("", ".", "..") or stem[0] in ". " or stem[-1] in ". ":
        return "has a name that cannot be a page address (it starts or ends with a dot or space); rename it"
    if bad := sorted(set(stem) & set("#?%\\/")):
        return f"has {' '.join(bad)} in its name, which cannot be part of a page address; rename it"
    return None


def _printable(rel: str) -> str:
    text = rel.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return "".join(ch if ch.isprintable() else "\ufffd" for ch in text)


def _position(raw: bytes, offset: int) -> tuple[int, int]:
    """1-based line and column (in characters, as an editor shows them) of byte `offset`."""
    before = raw[:offset].decode("utf-8", "replace").removeprefix("\ufeff")
    before = before.replace("\r\n", "\n").replace("\r", "\n")
    return before.count("\n") + 1, len(before) - (before.rfind("\n") + 1) + 1


def read_source(
    config: Config, path: Path, article: bool = False, in_real_folder: bool = False
) -> tuple[SourceFile, Diagnostic | None]:
    """Decode one file; a problem becomes a diagnostic, never an exception."""
    rel = _rel(config, path)
    problem = None
    raw = b""
    if message := _name_problem(rel) or (article and _slug_problem(path)):
        rel, problem = _printable(rel), (1, 1, "E006", message)
    elif message := _outside(config.root, path, in_real_folder):
        problem = (1, 1, "E002", message)
    else:
        try:
            info = path.stat()
            if info.st_size > MAX_BYTES:
                problem = (1, 1, "E001", f"is larger than {MAX_BYTES // 1024 // 1024} MB; split it")
            else:
                raw = path.read_bytes()
        except OSError as exc:
            problem = (1, 1, "E001", f"cannot be read: {exc.strerror or exc}")
    if problem:
        line, column, code, message = problem
        return SourceFile(rel, None, ""), Diagnostic(rel, line, column, code, Severity.ERROR, f"file {message}")
    digest = hashlib.sha256(raw).hexdigest()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, column = _position(raw, exc.start)
        message = f"file is not valid UTF-8 (byte 0x{raw[exc.start]:02x}); save it as UTF-8"
        return SourceFile(rel, None, digest), Diagnostic(rel, line, column, "E003", Severity.ERROR, message)
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    return SourceFile(rel, text, digest, stamp(info)), None


def _content(config: Config) -> tuple[list[tuple[str, str]], tuple[tuple[str, int, int], ...], bool]:
    """The article files as (path from the root, path) in path order, the folder's other files (figures) as
    (path in it, size, mtime), and whether the content folder is a real folder inside the root: linked folders
    are not entered (as `Path.rglob` does not), so then every file found is in one."""
    content = config.root / config.content
    if not content.is_dir():
        return [], (), False
    articles: list[tuple[str, str]] = []
    assets: list[tuple[str, int, int]] = []
    _walk(str(content), "", articles, assets)
    prefix = _rel(config, content) + "/"
    articles.sort(key=lambda pair: pair[0].split("/"))
    found = [(prefix + name, path) for name, path in articles]
    return found, tuple(sorted(assets)), content.resolve().is_relative_to(config.root)


def _walk(folder: str, prefix: str, articles: list[tuple[str, str]], assets: list[tuple[str, int, int]]) -> None:
    """One pass of os.scandir, whose entries know their type without a stat (a rglob and a stat per file
    cost far more)."""
    try:
        with os.scandir(folder) as listing:
            entries = list(listing)
    except OSError:
        return
    for entry in entries:  # links are never followed here but to stat a figure (a loop is an error then)
        name = prefix + entry.name
        if entry.is_dir(follow_symlinks=False):
            _walk(entry.path, name + "/", articles, assets)
        elif entry.name.endswith(".md"):
            if entry.is_symlink() or entry.is_file(follow_symlinks=False):
                articles.append((name, entry.path))
        else:
            with contextlib.suppress(OSError):
                info = entry.stat()
                if stat.S_ISREG(info.st_mode):
                    assets.append((name, info.st_size, info.st_mtime_ns))


def _unchanged(path: str, rel: str, known: Known, settled_before: int) -> SourceFile | None:
    """The article as last read, if its stamp says it is unchanged (a regular file: no link to follow)."""
    entry = known.get(rel)
    if entry is None:
        return None
    try:
        info = os.lstat(path)
    except OSError:
        return None
    if not stat.S_ISREG(info.st_mode) or stamp(info) != entry[0] or info.st_mtime_ns >= settled_before:
        return None
    return SourceFile(rel, None, entry[1], entry[0], unread=True)


def load_sources(
    config: Config, selected: Iterable[Path] | None = None, known: Known | None = None, settled_before: int = 0
) -> Sources:
    """Read every article and the bibliography; with `selected` (check PATHS), only those articles: the others
    are listed, so that links to them resolve by slug, but not read. An article in `known` whose stamp has not
    changed, and whose last change came before `settled_before` (ns), is listed unread with its known digest."""
    chosen = None if selected is None else frozenset(_rel(config, p.resolve()) for p in selected)
    diagnostics: list[Diagnostic] = []
    articles = []
    paths, assets, real = _content(config)
    for rel, path in paths:
        if chosen is not None and rel not in chosen:
            articles.append(SourceFile(rel, None, ""))
            continue
        if known and real and (same := _unchanged(path, rel, known, settled_before)):
            articles.append(same)
            continue
        source, problem = read_source(config, Path(path), article=True, in_real_folder=real)
        articles.append(source)
        if problem:
            diagnostics.append(problem)
    if not articles:
        diagnostics.append(
            Diagnostic(config.content, 1, 1, "E004", Severity.ERROR, "no articles (*.md) found in the content folder")
        )
    bib_path = config.root / config.bibliography
    bibliography = None
    if bib_path.is_file():
        bibliography, problem = read_source(config, bib_path)
        if problem:
            diagnostics.append(problem)
    else:
        message = "bibliography file not found; create it or set `bibliography` in [tool.wikigen]"
        diagnostics.append(Diagnostic(config.bibliography, 1, 1, "E001", Severity.ERROR, message))
    evidence = _evidence(config, diagnostics)
    return Sources(config, tuple(articles), bibliography, tuple(diagnostics), chosen, assets, evidence)


EVIDENCE_SUFFIXES = (".md", ".txt")


def _evidence(config: Config, diagnostics: list[Diagnostic]) -> tuple[SourceFile, ...]:
    """The stored excerpts, one file a source named by its key; a missing folder means none."""
    folder = config.root / config.evidence
    if not folder.is_dir():
        return ()
    found = []
    for path in sorted(folder.iterdir()):
        if path.suffix in EVIDENCE_SUFFIXES:
            source, problem = read_source(config, path)
            if problem:
                diagnostics.append(problem)
            elif source.text is not None:
                found.append(source)
    return tuple(found)
