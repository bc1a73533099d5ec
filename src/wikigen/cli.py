"""`wikigen check | build | serve | new`. Exit 0: clean; 1: content errors; 2: usage or I/O problems."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from wikigen.build import build, gather
from wikigen.config import find_root
from wikigen.index import SearchIndexError
from wikigen.report import FORMATS, render_report, text_line
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
    site = gather(root, _selected(root, args.paths))
    print(render_report(site, args.format))
    return 1 if site.errors or (args.strict and site.warnings) else 0


def _cmd_build(args: argparse.Namespace) -> int:
    result = build(_root(args.root), strict=args.strict, search=not args.no_search)
    site = result.site
    for diagnostic in site.diagnostics:
        print(text_line(diagnostic), file=sys.stderr)
    if not result.published:
        reason = "errors" if site.errors else "warnings (--strict)"
        print(f"build refused: {site.errors} errors, {site.warnings} warnings; fix the {reason} above. "
              "The previous output is untouched.", file=sys.stderr)
        return 1
    print(f"built {len(site.articles)} articles, {result.files} files into "
          f"{site.config.output}/ in {result.seconds:.2f} s ({site.warnings} warnings)")
    return 0


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="wikigen", description=__doc__)
    commands = top.add_subparsers(dest="command", required=True)
    check = commands.add_parser("check", help="check markers, keys, front matter and bibliography")
    check.add_argument("paths", nargs="*", help="only report on these articles (keys still resolve site-wide)")
    check.add_argument("--format", choices=FORMATS, default="text")
    check.set_defaults(run=_cmd_check)
    build_cmd = commands.add_parser("build", help="check, then render the site into the output folder")
    build_cmd.add_argument("--no-search", action="store_true", help="skip the Pagefind index")
    build_cmd.set_defaults(run=_cmd_build)
    for command in (check, build_cmd):
        command.add_argument("--root", help="site root (default: nearest folder with content/ or [tool.wikigen])")
        command.add_argument("--strict", action="store_true", help="treat warnings as errors")
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.run(args)
    except (UsageError, OutputError, SearchIndexError) as exc:
        print(f"wikigen: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"wikigen: {exc.filename or ''}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("wikigen: interrupted; the previous output is untouched", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
