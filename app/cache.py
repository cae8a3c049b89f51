"""A small LRU of finished answers, keyed by the canonical request.

One per server process: a repeated embed (the same <img> on a course page
loaded by a hundred students) costs a dictionary look-up. Bounded both in
entries and in bytes, since one answer may be a 5,000-node SVG. Entries are
immutable, and the event loop is single-threaded, so no locking is needed.

Big answers must not flush the small ones that course pages live on: an
answer larger than 1/ADMIT of the cache is not kept at all, and answers
larger than 1/BIG of it ("big") hold at most half of its bytes together,
the least recently used big one going first. So however many large answers
a client asks for, half the cache stays with the others.
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


ADMIT = 16  # an answer over max_bytes // ADMIT is not kept
BIG = 64  # answers over max_bytes // BIG hold at most half of max_bytes together


class AnswerCache:
    def __init__(self, capacity: int, max_bytes: int = 128 << 20) -> None:
        self.capacity = capacity
        self.max_bytes = max_bytes
        self.big = max_bytes // BIG
        self._items: OrderedDict[str, Answer] = OrderedDict()
        self._bytes = 0
        self._big_bytes = 0
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
        if self.capacity <= 0 or size > self.max_bytes // ADMIT:
            return  # one huge answer must not flush everything else
        self._drop(key)
        self._items[key] = answer
        self._bytes += size
        if size > self.big:
            self._big_bytes += size
            if self._big_bytes > self.max_bytes // 2:
                big = [k for k, a in self._items.items() if len(a.body) > self.big]
                for old in big:
                    if self._big_bytes <= self.max_bytes // 2:
                        break
                    self._drop(old)
        while len(self._items) > self.capacity or self._bytes > self.max_bytes:
            self._drop(next(iter(self._items)))

    def _drop(self, key: str) -> None:
        old = self._items.pop(key, None)
        if old is not None:
            self._bytes -= len(old.body)
            if len(old.body) > self.big:
                self._big_bytes -= len(old.body)

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
