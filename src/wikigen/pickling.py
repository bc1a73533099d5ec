"""How the cache and the worker processes pickle wikigen's values: quickly, with the same result.

Kept out of `model` (plain values): importing this module gives every frozen slotted dataclass of `model` a
tuple state, and `no_gc` pauses the cyclic GC around bulk pickling. Both change only speed: the tuple state
holds the fields in order, as dataclasses' own slotted state does (tests/test_build.py round-trips them).
"""

from __future__ import annotations

import dataclasses
import gc
import operator
from collections.abc import Iterator
from contextlib import contextmanager

from wikigen import model


@contextmanager
def no_gc() -> Iterator[None]:
    """Parsing, pickling and unpickling make millions of objects that all stay alive: cyclic GC would rescan
    them again and again, a large share of parsing and of reading the cached checks, and find nothing to free."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _pickle_as_tuples(cls: type) -> None:
    """A frozen slotted dataclass pickles through dataclasses' `__getstate__`, which calls `fields()` for every
    object, a large share of caching a parsed document. The same state as a plain tuple is not."""
    names = tuple(f.name for f in dataclasses.fields(cls))
    get = operator.attrgetter(*names)

    def getstate(self) -> tuple:
        return get(self) if len(names) > 1 else (get(self),)

    def setstate(self, state: tuple) -> None:
        for name, value in zip(names, state, strict=True):
            object.__setattr__(self, name, value)

    cls.__getstate__ = getstate  # type: ignore[method-assign,assignment]
    cls.__setstate__ = setstate  # type: ignore[attr-defined]


for _class in [v for v in vars(model).values() if isinstance(v, type) and dataclasses.is_dataclass(v)]:
    if "__slots__" in _class.__dict__:
        _pickle_as_tuples(_class)
del _class
