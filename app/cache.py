"""A small LRU of finished answers, keyed by the canonical request.

One per server process: a repeated embed (the same <img> on a course page
loaded by a hundred students) costs a dictionary look-up. Bounded both in
entries and in bytes, since one answer may be a 5,000-node SVG. Entries are
immutable, and the event loop is single-threaded, so no locking is needed.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Generic, TypeVar

V = TypeVar("V")


@dataclass(frozen=True, slots=True)
class Answer:
    body: bytes
    media_type: str


class AnswerCache:
    def __init__(self, capacity: int, max_bytes: int = 128 << 20) -> None:
        self.capacity = capacity
        self.max_bytes = max_bytes
        self._items: OrderedDict[str, Answer] = OrderedDict()
        self._bytes = 0
        self.hits = 0
        self.misses = 0

    def get(self, key: str) -> Answer | None:
        answer = self._items.get(key)
        if answer is None:
            self.misses += 1
            return None
        self._items.move_to_end(key)
        self.hits += 1
        return answer

    def put(self, key: str, answer: Answer) -> None:
        size = len(answer.body)
        if self.capacity <= 0 or size > self.max_bytes // 4:
            return  # one huge answer must not flush everything else
        old = self._items.pop(key, None)
        if old is not None:
            self._bytes -= len(old.body)
        self._items[key] = answer
        self._bytes += size
        while len(self._items) > self.capacity or self._bytes > self.max_bytes:
            _, evicted = self._items.popitem(last=False)
            self._bytes -= len(evicted.body)

    def __len__(self) -> int:
        return len(self._items)

    @property
    def size_bytes(self) -> int:
        return self._bytes


class Memo(Generic[V]):
    """A bounded LRU of small values: what a raw request was worked out to mean
    (its job and canonical key), so a repeated request skips that work."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._items: OrderedDict[Hashable, V] = OrderedDict()

    def get(self, key: Hashable) -> V | None:
        value = self._items.get(key)
        if value is not None:
            self._items.move_to_end(key)
        return value

    def put(self, key: Hashable, value: V) -> None:
        if self.capacity <= 0:
            return
        self._items[key] = value
        self._items.move_to_end(key)
        while len(self._items) > self.capacity:
            self._items.popitem(last=False)

    def __len__(self) -> int:
        return len(self._items)
