"""The watchers: content/ and theme/ recursively, the bibliography and the config files through their folders,
each change classified (`changes.detect_change_kind`) before it is handed on.

They re-read the configuration as they go, so a moved content folder or bibliography is watched where it now
is; a change of what is watched is noted as a CONFIG change of the site root, which calls for a build.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import watchfiles

from wikigen.config import load_config
from wikigen.load import stamp
from wikigen.serve.changes import Change, ChangeKind, Layout, detect_change_kind
from wikigen.write import output_folder

WATCH_TIMEOUT_MS = 400  # how often the watchers look at the stop flag and re-read the configuration
ARM_SECONDS = 5.0  # at most this long for the watchers to start watching


def layout(root: Path) -> Layout:
    config = load_config(root).config
    try:
        output: Path | None = output_folder(config)
    except Exception:  # the build reports a bad output folder; the watchers go on
        output = None
    return Layout.of(config, output)


def classify(paths: Iterable[Path], where: Layout, exists: Callable[[Path], bool] = os.path.exists) -> list[Change]:
    """The changes among `paths` that the site reads, each with its kind and whether it is still there."""
    return [Change(kind, path, exists(path)) for path in paths if (kind := detect_change_kind(path, where))]


def stamps(root: Path) -> list[tuple[str, tuple[int, ...]]]:
    """Every watched file with its stamp (the one the loader trusts: size, times, inode, device)."""
    where = layout(root)
    found = [path for folder in where.folders if folder.is_dir() for path in folder.rglob("*")
             if where.output is None or not path.is_relative_to(where.output)]
    result = []
    for path in sorted({*found, *where.files}):
        with contextlib.suppress(OSError):
            result.append((str(path), stamp(path.stat())))
    return result


class Watcher:
    """Two watching loops (run each in a thread) that call `note` with every batch of classified changes."""

    def __init__(self, root: Path, note: Callable[[list[Change]], None], stop: threading.Event,
                 log: Callable[[str], None]) -> None:
        self.root, self.note, self.stop, self.log = root, note, stop, log
        self.armed = (threading.Event(), threading.Event())  # each loop is watching
        self._force_polling: bool | None = None  # None: watchfiles decides (inotify); True after inotify failed

    def wait_armed(self) -> None:
        for armed in self.armed:  # a save before a watcher watches is seen only by the stamps
            armed.wait(ARM_SECONDS)

    def moved(self) -> None:
        self.note([Change(ChangeKind.CONFIG, self.root, True)])

    def _watch(self, paths: Iterable[Path], **options: Any) -> Iterator[set[tuple[watchfiles.Change, str]]]:
        """watchfiles.watch, falling back to polling when the OS watcher fails (e.g. out of inotify watches)."""
        while True:
            try:
                yield from watchfiles.watch(*paths, stop_event=self.stop, yield_on_timeout=True,
                                            rust_timeout=WATCH_TIMEOUT_MS, debounce=400, step=30,
                                            force_polling=self._force_polling, **options)
                return
            except OSError as exc:
                if self._force_polling:
                    raise
                self._force_polling = True
                self.log(f"wikigen serve: file watching failed ({exc}); polling for changes instead")

    def trees(self) -> None:
        """content/ and theme/ recursively; restarts when the configured folders change or appear."""
        while not self.stop.is_set():
            where = layout(self.root)
            folders = [folder for folder in where.folders if folder.is_dir()]
            if not folders:
                self.armed[0].set()
                self.stop.wait(WATCH_TIMEOUT_MS / 1000)
                continue
            for batch in self._watch(folders, recursive=True):
                self.armed[0].set()
                if batch and (changes := classify((Path(raw) for _, raw in batch), where)):
                    self.note(changes)
                if [folder for folder in layout(self.root).folders if folder.is_dir()] != folders:
                    self.moved()
                    break

    def files(self) -> None:
        """The bibliography, pyproject.toml and netlify.toml: their folders non-recursively (editors replace
        files on save)."""
        while not self.stop.is_set():
            where = layout(self.root)
            parents = sorted({f.parent for f in where.files if f.parent.is_dir()})
            if not parents:
                self.armed[1].set()
                self.stop.wait(WATCH_TIMEOUT_MS / 1000)
                continue
            for batch in self._watch(parents, recursive=False, watch_filter=None):
                self.armed[1].set()
                if watched := [Path(raw) for _, raw in batch if Path(raw) in where.files]:
                    self.note(classify(watched, where))
                if layout(self.root).files != where.files:
                    self.moved()
                    break
