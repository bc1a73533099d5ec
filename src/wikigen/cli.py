"""`wikigen check | report | build | merge | serve | new | review`. Exit 0: clean; 1: content errors; 2: usage or I/O
problems."""

from __future__ import annotations

import argparse
import contextlib
import gc
import io
import os
import sys
from importlib.metadata import version
from pathlib import Path
from typing import cast

from wikigen import editorial, partition
from wikigen.build import BuildResult, SearchMode, build, build_partition, gather, merge
from wikigen.config import find_root
from wikigen.index import SearchIndexError
from wikigen.model import Pos
from wikigen.render.references import FormatError
from wikigen.report import FORMATS, plural, render_report, text_line
from wikigen.write import OutputError


class UsageError(Exception):
    pass


def _root(value: str | None) -> Path:
    if value:
        root = Path(value).resolve()
        if not root.is_dir():
            raise UsageError(f"--root {value}: no such folder")
        return root
    found = find_root(Path.cwd().resolve())
    if found is None:
        raise UsageError("no site found: run inside a site (a folder with content/ or [tool.wikigen]) or pass --root")
    return found


def _selected(root: Path, paths: list[str]) -> list[Path] | None:
    if not paths:
        return None
    chosen = []
    for value in paths:
        path = Path(value).resolve()
        if not path.is_relative_to(root):
            raise UsageError(f"{value}: not inside the site root {root}")
        if not path.is_file():
            raise UsageError(f"{value}: no such file")
        chosen.append(path)
    return chosen


def _cmd_check(args: argparse.Namespace) -> int:
    root = _root(args.root)
    site = gather(root, _selected(root, args.paths), use_cache=not args.no_cache)
    print(render_report(site, args.format))
    return 1 if site.errors or (args.strict and site.warnings) else 0


def _excerpts(root: Path) -> editorial.Excerpt:
    """The text at a position of an article, for the report's list of `[@llm]` sentences: the start of the rest
    of its line, shortened. Each file is read once, only if it has such a sentence, and only the lines asked
    for are decoded (a 10,000-article wiki has some 300,000 such sentences in 200 MB of text)."""
    files: dict[str, list[bytes | str]] = {}

    def excerpt(path: str, pos: Pos) -> str | None:
        lines = files.get(path)
        if lines is None:
            try:
                lines = files[path] = list((root / path).read_bytes().split(b"\n"))
            except OSError:
                lines = files[path] = []
        if not 0 < pos.line <= len(lines):
            return None
        line = lines[pos.line - 1]
        if isinstance(line, bytes):
            line = lines[pos.line - 1] = line.decode("utf-8", "replace")
        start = pos.column - 1
        text = " ".join(line[start : start + 160].split())  # a paragraph is often one line
        return text if len(text) <= 80 else text[:79].rstrip() + "…"

    return excerpt


def _cmd_report(args: argparse.Namespace) -> int:
    root = _root(args.root)
    site = gather(root, _selected(root, args.paths), use_cache=not args.no_cache)
    print(editorial.render(site, args.format, _excerpts(root)), end="" if args.format == "csv" else "\n")
    return 0


class _Bar:
    """A one-line progress bar on a terminal's stderr; nothing in CI or when stderr is a file or pipe."""

    def __init__(self) -> None:
        self.active = sys.stderr.isatty() and not os.environ.get("CI")
        self.shown = False

    def __call__(self, step: str, done: int, total: int) -> None:
        if not self.active:
            return
        filled = 30 * done // total if total else 30
        sys.stderr.write(f"\r{step:>13} [{'#' * filled}{'.' * (30 - filled)}] {done}/{total}\x1b[K")
        sys.stderr.flush()
        self.shown = True

    def clear(self) -> None:
        if self.shown:
            sys.stderr.write("\r\x1b[K")
            sys.stderr.flush()


def _cmd_build(args: argparse.Namespace) -> int:
    if args.into and not args.partition:
        raise UsageError("--into names a partition's folder: use it with --partition I/N")
    if args.partition and args.no_search:
        raise UsageError("a partition builds no search index; the merge does (`wikigen merge --no-search` skips it)")
    bar = _Bar()
    try:
        root = _root(args.root)
        if args.partition:
            into = Path(args.into).resolve() if args.into else None
            result = build_partition(root, args.partition, into, strict=args.strict, use_cache=not args.no_cache,
                                     progress=bar)
        else:
            search = SearchMode.OFF if args.no_search else SearchMode.BUILD
            result = build(root, strict=args.strict, search=search, use_cache=not args.no_cache, progress=bar)
    finally:
        bar.clear()
    if not _reported(result):
        return 1
    if args.partition:
        shown = Path(result.output)
        shown = shown.relative_to(Path.cwd()) if shown.is_relative_to(Path.cwd()) else shown
        print(f"built partition {args.partition.name}: {result.rendered} of {plural(result.articles, 'article')} "
              f"rendered into {shown}/ in {result.seconds:.2f} s ({plural(result.warnings, 'warning')}); merge "
              "every partition with `wikigen merge`")
    elif result.site is None:
        print(f"nothing changed: {result.output}/ is up to date ({plural(result.articles, 'article')}, "
              f"{result.seconds:.2f} s)")
    else:
        print(f"built {plural(result.articles, 'article')} ({result.rendered} rendered, {result.reused} unchanged), "
              f"{plural(result.files, 'file')} into {result.output}/ in {result.seconds:.2f} s "
              f"({plural(result.warnings, 'warning')})")
    return 0


def _reported(result: BuildResult) -> bool:
    """Print a build's diagnostics, and why it was refused; whether it published."""
    for diagnostic in (*result.diagnostics, *result.problems):
        print(text_line(diagnostic), file=sys.stderr)
    if not result.published:
        reason = "errors" if result.errors else "warnings (--strict)"
        print(f"build refused: {plural(result.errors, 'error')}, {plural(result.warnings, 'warning')}; fix the "
              f"{reason} above. "
              "The previous output is untouched.", file=sys.stderr)
    return result.published


def _cmd_merge(args: argparse.Namespace) -> int:
    bar = _Bar()
    try:
        search = SearchMode.OFF if args.no_search else SearchMode.BUILD
        result = merge(_root(args.root), [Path(folder).resolve() for folder in args.parts], strict=args.strict,
                       search=search, use_cache=not args.no_cache, progress=bar)
    finally:
        bar.clear()
    if not _reported(result):
        return 1
    print(f"merged {plural(len(args.parts), 'partition')}: {plural(result.articles, 'article')}, "
          f"{plural(result.files, 'file')} into {result.output}/ in {result.seconds:.2f} s "
          f"({plural(result.warnings, 'warning')})")
    return 0


def _partition_spec(value: str) -> partition.Spec:
    try:
        return partition.parse_spec(value)
    except partition.PartitionError as exc:
        raise argparse.ArgumentTypeError(str(exc).removeprefix(f"--partition {value}: ")) from None


# ---------------------------------------------------------------- serve and new (imported here: only these need them)


def _port(value: str) -> int:
    try:
        port = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {value!r}") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"port must be 0-65535, got {port}")
    return port


def _cmd_serve(args: argparse.Namespace) -> int:
    from wikigen.serve import serve

    root = _root(args.root)
    try:
        return serve(root, args.port, args.host, search=not args.no_search, verbose=args.verbose, drafts=args.drafts)
    except OSError as exc:
        if exc.filename:
            raise
        raise UsageError(f"cannot serve on {args.host}:{args.port}: {exc.strerror or exc}") from None


def _cmd_new(args: argparse.Namespace) -> int:
    from wikigen.config import load_config
    from wikigen.scaffold import ScaffoldError, new_article

    loaded = load_config(_root(args.root))
    if loaded.problems:
        problems = "; ".join(f"pyproject.toml:{p.line}:{p.column}: {p.code} {p.message}" for p in loaded.problems)
        raise UsageError(f"fix the configuration first: {problems}")
    try:
        path = new_article(loaded.config, args.title, args.type, subtype=args.subtype, discipline=args.discipline,
                           evidence=args.evidence, model=args.model)
    except ScaffoldError as exc:
        raise UsageError(str(exc)) from None
    shown = path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path
    print(f"created {shown} as a draft: replace the [@todo] placeholders, remove `draft: true`, then run "
          "`wikigen check`")
    return 0


def _cmd_review(args: argparse.Namespace) -> int:
    from wikigen.review import ReviewError, review

    root = _root(args.root)
    (path,) = _selected(root, [args.path]) or []
    try:
        recorded = review(root, path, args.by, args.date)
    except ReviewError as exc:
        raise UsageError(str(exc)) from None
    verb = "replaced the review in" if recorded.replaced else "recorded the review in"
    print(f"{verb} {path.relative_to(root).as_posix()}: by {' '.join(args.by.split())} on {recorded.date}, "
          f"digest {recorded.digest}")
    return 0


def _add_serve_and_new(commands) -> None:
    root_help = "site root (default: nearest folder with content/ or [tool.wikigen])"
    serve_cmd = commands.add_parser("serve", help="build, serve on 127.0.0.1, rebuild and reload on change")
    serve_cmd.add_argument("--root", help=root_help)
    serve_cmd.add_argument("--port", type=_port, default=8000, help="port (default 8000; 0 picks a free one)")
    serve_cmd.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    serve_cmd.add_argument("--no-search", action="store_true", help="skip the Pagefind index")
    serve_cmd.add_argument("--verbose", action="store_true", help="log every request")
    serve_cmd.add_argument("--drafts", action="store_true", help="show drafts too, with a Draft banner")
    serve_cmd.set_defaults(run=_cmd_serve)
    new = commands.add_parser("new", help="write a new article with front matter and the standard sections")
    new.add_argument("title", metavar="TITLE", help="the article's title; the file name is derived from it")
    new.add_argument("--type", required=True, help="one of the configured types, e.g. theory")
    new.add_argument("--root", help=root_help)
    new.add_argument("--discipline", help="e.g. 'Educational psychology'")
    new.add_argument("--subtype", help="e.g. 'Motivation theory'")
    new.add_argument("--evidence", help="evidence level (default: preliminary)")
    new.add_argument("--model", default="unspecified", help="provenance.model (default: unspecified)")
    new.set_defaults(run=_cmd_new)
    review = commands.add_parser("review", help="record a clinician's review of an article in its front matter")
    review.add_argument("path", metavar="PATH", help="the article reviewed")
    review.add_argument("--by", required=True, help='the reviewer, e.g. "Dr Jane Doe, MD"')
    review.add_argument("--date", help="the review's date, YYYY-MM-DD (default: today)")
    review.add_argument("--root", help=root_help)
    review.set_defaults(run=_cmd_review)


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="wikigen", description=__doc__)
    top.add_argument("--version", action="version", version=f"%(prog)s {version('wikigen')}")
    commands = top.add_subparsers(dest="command", required=True)
    check = commands.add_parser("check", help="check markers, keys, front matter and bibliography")
    check.add_argument("paths", nargs="*", help="only report on these articles (keys still resolve site-wide)")
    check.add_argument("--format", choices=FORMATS, default="text")
    check.add_argument("--no-cache", action="store_true", help="parse every article; do not read or write the cache")
    check.set_defaults(run=_cmd_check)
    report = commands.add_parser("report", help="the editorial report: sourcing, LLM text and reviews per article")
    report.add_argument("paths", nargs="*", help="only these articles")
    report.add_argument("--format", choices=editorial.FORMATS, default="text")
    report.add_argument("--no-cache", action="store_true", help="parse every article; do not read or write the cache")
    report.add_argument("--root", help="site root (default: nearest folder with content/ or [tool.wikigen])")
    report.set_defaults(run=_cmd_report)
    build_cmd = commands.add_parser("build", help="check, then render the site into the output folder")
    build_cmd.add_argument("--no-search", action="store_true", help="skip the Pagefind index")
    build_cmd.add_argument("--no-cache", action="store_true", help="ignore and do not write the build cache")
    build_cmd.add_argument("--partition", metavar="I/N", type=_partition_spec,
                           help="check the whole site but render only partition I (from 0) of N, for `wikigen merge`")
    build_cmd.add_argument("--into", metavar="DIR", help="the partition's folder (default: parts/I-of-N in the site)")
    build_cmd.set_defaults(run=_cmd_build)
    merge_cmd = commands.add_parser("merge", help="publish the partitions' pages with the listing pages, site files, "
                                    "link check and search index into the output folder")
    merge_cmd.add_argument("parts", nargs="+", metavar="PART_DIR", help="every partition's folder, e.g. parts/*")
    merge_cmd.add_argument("--no-search", action="store_true", help="skip the Pagefind index")
    merge_cmd.add_argument("--no-cache", action="store_true", help="ignore and do not write the build cache")
    merge_cmd.set_defaults(run=_cmd_merge)
    for command in (check, build_cmd, merge_cmd):
        command.add_argument("--root", help="site root (default: nearest folder with content/ or [tool.wikigen])")
        command.add_argument("--strict", action="store_true", help="treat warnings as errors")
    _add_serve_and_new(commands)
    return top


def main(argv: list[str] | None = None) -> int:
    for stream in (sys.stdout, sys.stderr):  # a file name that is not UTF-8 must not crash the report
        with contextlib.suppress(AttributeError, ValueError):
            cast(io.TextIOWrapper, stream).reconfigure(errors="backslashreplace")
    args = parser().parse_args(argv)
    # A build holds millions of long-lived objects (the site, its checks, the manifest): at the default
    # threshold the cyclic GC rescanned them all a few times a build, 10% of a one-article edit at 10,000
    # articles. Collect young objects every 50,000 allocations instead of 700 (as mypy does).
    gc.set_threshold(50_000, 20, 10)
    try:
        return args.run(args)
    except (UsageError, OutputError, SearchIndexError, FormatError, partition.PartitionError) as exc:
        print(f"wikigen: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # `wikigen check | head`: the reader left; say nothing more
        with contextlib.suppress(OSError, ValueError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except OSError as exc:
        print(f"wikigen: {exc.filename or ''}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("wikigen: interrupted; the previous output is untouched", file=sys.stderr)
        return 130
    except Exception as exc:  # a bug (RecursionError, MemoryError too): one line, not a traceback
        if os.environ.get("WIKIGEN_DEBUG"):
            raise
        print(f"wikigen: internal error ({type(exc).__name__}: {str(exc)[:200]}); this is a bug in wikigen, "
              "not in your content. Please report it with the input that caused it "
              "(run with WIKIGEN_DEBUG=1 for the details).", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
