"""Caches owned by the app object: made by ``create_app``, handed to whatever needs them
(dependency injection, the Jinja set-up), and gone with the app. Never module globals, so
every app (each test's too) starts empty, and every map has a bound.

Two kinds: ``bounded`` maps keep the most recently used entries up to a size; ``weak`` maps
hold a value only while its key object lives (e.g. the "Get help" panel rendered for one
snapshot of a consultation, dropped with the snapshot).
"""

from __future__ import annotations

import weakref
from collections import OrderedDict
from collections.abc import Hashable
from typing import Any, Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

DEFAULT_SIZE = 256


class Bounded(Generic[K, V]):
    """A least-recently-used map of at most ``size`` entries."""

    def __init__(self, size: int = DEFAULT_SIZE) -> None:
        self.size = size
        self._items: OrderedDict[K, V] = OrderedDict()

    def get(self, key: K) -> V | None:
        value = self._items.get(key)
        if value is not None:
            self._items.move_to_end(key)
        return value

    def put(self, key: K, value: V) -> V:
        self._items[key] = value
        self._items.move_to_end(key)
        while len(self._items) > self.size:
            self._items.popitem(last=False)
        return value

    def clear(self) -> None:
        self._items.clear()

    def __len__(self) -> int:
        return len(self._items)


class AppCache:
    """Every cache of one app, by name; ``clear()`` empties them all."""

    def __init__(self, size: int = DEFAULT_SIZE) -> None:
        self.size = size
        self._bounded: dict[str, Bounded[Any, Any]] = {}
        self._weak: dict[str, weakref.WeakKeyDictionary[Any, Any]] = {}

    def bounded(self, name: str) -> Bounded[Any, Any]:
        found = self._bounded.get(name)
        if found is None:
            found = self._bounded[name] = Bounded(self.size)
        return found

    def weak(self, name: str) -> weakref.WeakKeyDictionary[Any, Any]:
        found = self._weak.get(name)
        if found is None:
            found = self._weak[name] = weakref.WeakKeyDictionary()
        return found

    def clear(self) -> None:
        for bounded in self._bounded.values():
            bounded.clear()
        for weak in self._weak.values():
            weak.clear()
