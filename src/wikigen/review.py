"""`wikigen review PATH --by NAME`: record a clinician's review in the article's front matter.

The `reviewed:` block is written with the digest of the article's checked text as the check computes it,
and nothing else of the file changes: not the other fields' formatting or comments, not the line endings,
not a byte order mark. The file is edited as text, the result parsed again and compared with the original
before anything is written.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from wikigen.build import gather
from wikigen.model import Severity
from wikigen.parse.frontmatter import parse_front_matter

_BOM = b"\xef\xbb\xbf"
_FENCE = re.compile(r"---[ \t]*")
_END = re.compile(r"(---|\.\.\.)[ \t]*")
_KEY = re.compile(r"""(reviewed|"reviewed"|'reviewed')[ \t]*:""")


class ReviewError(Exception):
    """The review cannot be recorded (no such article, check errors, front matter it cannot edit safely)."""


@dataclass(frozen=True)
class Recorded:
    path: Path
    digest: str
    date: str
    replaced: bool  # an earlier review was replaced


def _body(line: str) -> str:
    return line.rstrip("\r\n")


def _block(by: str, date: str, digest: str, newline: str) -> str:
    return newline.join(["reviewed:", f"  by: {json.dumps(by, ensure_ascii=False)}", f"  date: {date}",
                         f"  digest: {json.dumps(digest)}", ""])


def insert_review(text: str, by: str, date: str, digest: str) -> tuple[str, bool]:
    """`text` (an article, any line endings) with its `reviewed:` block replaced, or added before the front
    matter's closing line; returns whether one was replaced."""
    lines = text.splitlines(keepends=True)
    if not lines or not _FENCE.fullmatch(_body(lines[0])):
        raise ReviewError("no front matter: the file must start with a `---` line")
    end = next((i for i in range(1, len(lines)) if _END.fullmatch(_body(lines[i]))), None)
    if end is None:
        raise ReviewError("the front matter is not closed by a `---` line")
    first = lines[0]
    newline = first[len(_body(first)) :] or "\n"
    start = next((i for i in range(1, end) if _KEY.match(lines[i])), None)
    if start is None:
        return "".join([*lines[:end], _block(by, date, digest, newline), *lines[end:]]), False
    stop = start + 1
    while stop < end and (lines[stop][:1] in (" ", "\t") or not lines[stop].strip()):
        stop += 1
    while stop > start + 1 and not lines[stop - 1].strip():  # blank lines after the block stay where they are
        stop -= 1
    return "".join([*lines[:start], _block(by, date, digest, newline), *lines[stop:]]), True


def _front(text: str) -> dict:
    lines = text.splitlines()
    end = next(i for i in range(1, len(lines)) if _END.fullmatch(lines[i]))
    front, problems = parse_front_matter("\n".join(lines[1:end]) + "\n")
    if front is None or problems:
        raise ReviewError("the front matter does not parse after the edit; the file is left as it was")
    return dict(front.data)


def review(root: Path, path: Path, by: str, date: str | None = None) -> Recorded:
    """Check the article, then write its review. Refused while the article has check errors other than Q002
    (the missing or outdated review itself): a clinician signs the text as it will be published."""
    by = " ".join(by.split())
    if not by:
        raise ReviewError("--by must name the reviewer, e.g. \"Dr Jane Doe, MD\"")
    day = date or dt.date.today().isoformat()
    try:
        dt.date.fromisoformat(day)
    except ValueError:
        raise ReviewError(f"--date {day!r} is not a date like 2026-06-04") from None
    site = gather(root, [path])
    rel = path.resolve().relative_to(root.resolve()).as_posix()
    article = next((a for a in site.articles if a.document.path == rel), None)
    if article is None:
        raise ReviewError(f"{rel} is not an article of the site (articles are *.md files under the content folder)")
    errors = [d for d in site.diagnostics if d.path == rel and d.severity is Severity.ERROR and d.code != "Q002"]
    if errors:
        first = errors[0]
        raise ReviewError(f"{rel} has {len(errors)} check error{'s' * (len(errors) != 1)} (first: {first.line}:"
                          f"{first.column} {first.code} {first.message}); fix them before recording a review")
    digest = article.figures.digest
    raw = path.read_bytes()
    bom = _BOM if raw.startswith(_BOM) else b""
    try:
        text = raw[len(bom) :].decode("utf-8")
    except UnicodeDecodeError:
        raise ReviewError(f"{rel} is not UTF-8") from None
    edited, replaced = insert_review(text, by, day, digest)
    before, after = _front(text), _front(edited)
    expected = {"by": by, "date": day, "digest": digest}
    if {k: v for k, v in after.items() if k != "reviewed"} != {k: v for k, v in before.items() if k != "reviewed"} \
            or after.get("reviewed") != expected:
        raise ReviewError(f"{rel}: the `reviewed` block could not be written without changing other fields; "
                          "write it by hand")
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".review-")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(bom + edited.encode("utf-8"))
        shutil.copymode(path, temporary)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return Recorded(path, digest, day, replaced)
