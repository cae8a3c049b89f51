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
    cache = AnswerCache(capacity=100, max_bytes=1000)
    for i in range(10):
        cache.put(str(i), Answer(b"x" * 200, "text/plain"))
    assert cache.size_bytes <= 1000
    assert cache.get("9") is not None and cache.get("0") is None
    cache.put("huge", Answer(b"x" * 600, "text/plain"))  # over a quarter: not kept
    assert cache.get("huge") is None


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
