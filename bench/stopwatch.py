"""Inclusive time spent in chosen functions of the app while it runs."""

from __future__ import annotations

import functools
import inspect
import sys
import time
from collections import Counter
from collections.abc import Iterable

from bench.watched import owner_of

#: The packages whose modules may hold a watched function under its name (``from x import f``).
PATCHED_PACKAGES = ("dashboard",)


class Stopwatch:
    """Times the functions named by (label, module, attribute) entries (see bench/watched.py).

    While it is active (``with watch:``) each function is replaced by a timing wrapper where it
    is defined and in every loaded module of the app that imported it by name, so that calls
    through either are counted; everything is restored afterwards. A label's time includes what
    it calls."""

    def __init__(self, entries: Iterable[tuple[str, str, str]] = ()) -> None:
        self.entries = list(entries)
        self.totals: Counter = Counter()
        self.calls: Counter = Counter()
        self.returned: dict[str, object] = {}
        self._saved: list[tuple[object, str, object]] = []

    def _timed(self, fn, label: str):
        @functools.wraps(fn)
        def timed_call(*args, **kwargs):
            started = time.perf_counter()
            try:
                result = fn(*args, **kwargs)
                self.returned[label] = result
                return result
            finally:
                self.totals[label] += time.perf_counter() - started
                self.calls[label] += 1

        return timed_call

    def _patch(self, owner: object, name: str, new: object) -> None:
        self._saved.append((owner, name, inspect.getattr_static(owner, name)))
        setattr(owner, name, new)

    def __enter__(self) -> Stopwatch:
        for label, module, attribute in self.entries:
            owner, name = owner_of(module, attribute)
            raw = inspect.getattr_static(owner, name)
            if isinstance(raw, classmethod):
                self._patch(owner, name, classmethod(self._timed(raw.__func__, label)))
            elif isinstance(raw, staticmethod):
                self._patch(owner, name, staticmethod(self._timed(raw.__func__, label)))
            elif inspect.isclass(owner):
                self._patch(owner, name, self._timed(raw, label))
            else:
                new = self._timed(raw, label)
                self._patch(owner, name, new)
                for other in self._importers(raw, name, owner):
                    self._patch(other, name, new)
        return self

    @staticmethod
    def _importers(fn: object, name: str, home: object) -> list[object]:
        """The app's loaded modules other than *home* that hold *fn* as *name*."""
        return [
            module
            for module_name, module in list(sys.modules.items())
            if module is not home
            and module_name.split(".")[0] in PATCHED_PACKAGES
            and getattr(module, name, None) is fn
        ]

    def __exit__(self, *exc) -> None:
        for owner, name, raw in reversed(self._saved):
            setattr(owner, name, raw)
        self._saved.clear()

    def per_run(self, runs: int) -> list[dict]:
        """Seconds per run and calls per run of every label that was called, slowest first."""
        return [
            {"what": label, "seconds": self.totals[label] / runs, "calls": self.calls[label] / runs}
            for label, _ in self.totals.most_common()
        ]
