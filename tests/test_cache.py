from __future__ import annotations

from app.cache import Answer, AnswerCache


def test_least_recently_used_goes_first() -> None:
    cache = AnswerCache(capacity=2)
    cache.put("a", Answer(b"1", "text/plain"))
    cache.put("b", Answer(b"2", "text/plain"))
    assert cache.get("a") is not None  # a is now the most recent
    cache.put("c", Answer(b"3", "text/plain"))
    assert cache.get("b") is None
    assert cache.get("a") == Answer(b"1", "text/plain")
    assert len(cache) == 2
    assert (cache.hits, cache.misses) == (2, 1)


def test_bounded_in_bytes() -> None:
    cache = AnswerCache(capacity=1000, max_bytes=16_000)
    for i in range(100):
        cache.put(str(i), Answer(b"x" * 200, "text/plain"))
    assert cache.size_bytes <= 16_000
    assert cache.get("99") is not None and cache.get("0") is None
    cache.put("huge", Answer(b"x" * 1001, "text/plain"))  # over a sixteenth: not kept
    assert cache.get("huge") is None


def test_big_answers_cannot_flush_the_small_ones() -> None:
    # Five 32 MB answers flushed a 128 MB cache, course pages' images with it.
    cache = AnswerCache(capacity=1000, max_bytes=64_000)
    for i in range(40):
        cache.put(f"small{i}", Answer(b"s" * 500, "image/svg+xml"))  # 20,000 bytes
    for i in range(100):
        cache.put(f"big{i}", Answer(b"b" * 4_000, "application/json"))  # each admitted
    assert all(cache.get(f"small{i}") is not None for i in range(40))
    big = [i for i in range(100) if cache.get(f"big{i}") is not None]
    assert big and big == list(range(100 - len(big), 100))  # the most recent big ones
    assert sum(4_000 for _ in big) <= 32_000
    assert cache.size_bytes <= 64_000


def test_zero_capacity_keeps_nothing() -> None:
    cache = AnswerCache(capacity=0)
    cache.put("a", Answer(b"1", "text/plain"))
    assert cache.get("a") is None


def test_memo_is_a_bounded_lru() -> None:
    from app.cache import Memo

    memo: Memo[str] = Memo(capacity=2)
    memo.put(("a", b""), "1")
    memo.put(("b", b""), "2")
    assert memo.get(("a", b"")) == "1"  # a is now the most recent
    memo.put(("c", b""), "3")
    assert memo.get(("b", b"")) is None and memo.get(("a", b"")) == "1"
    assert len(memo) == 2
    nothing: Memo[str] = Memo(capacity=0)
    nothing.put("a", "1")
    assert nothing.get("a") is None
