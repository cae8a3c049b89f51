"""Amplification: tiny programs that would make far more than they are.

ATTACKS are refused (limit_exceeded) before the allocation: side doors
around the element and text limits, found by a review that attacked a live
server (issue 16). They are in CORPUS (tests/evaluate/hostile.py), so the
corpus test runs each in-process and the load test sends them over HTTP.

ANSWERED are programs that are answered, but whose answer would have been
far larger than the program without the byte budget (app/budget.py): the
live-server tests (tests/api/test_amplification.py) and the load test check
that each answer stays within the limit and says what it left out.
HEAVY_PAGES have the biggest pages (/embed), which the page-flood test and
the load test ask for again and again. LEAK leaves about 8 MiB behind in
the evaluation process that runs it (a reference cycle inside torch).
"""

from __future__ import annotations

LIM = "limit_exceeded"

CROSS = "a = torch.ones(20000, 1)\nb = torch.ones(1, 20000)\n"  # 400 M elements compared
SIX = "torch.zeros(6, 6, 6, 6, 6, 6)"  # 46,656 entries: 298,592 characters of text
INDEX = (
    "x = torch.zeros(1000, 1000)\ni = torch.zeros(4000, 1, dtype=torch.long)\n"
    "j = torch.zeros(1, 5000, dtype=torch.long)\n"
)
LONG = 's = "A" * 99999\n'
# index_put with the same broadcast index tensors: 400 M writes (audit16 F2).
PUT = (
    "x = torch.zeros(100, 100)\na = torch.zeros(20000, 1, dtype=torch.long)\n"
    "b = torch.zeros(1, 20000, dtype=torch.long)\n"
)
# take_along_dim broadcasts in every dimension but `dim`: (20000, 20000).
ALONG = "x = torch.zeros(20000, 5)\nk = torch.zeros(1, 20000, dtype=torch.long)\n"

ATTACKS: list[tuple[str, str]] = [
    # Comparisons through Python's protocol broadcast the tensors inside lists.
    (CROSS + "[a].count(b)", LIM),
    (CROSS + "b in [a]", LIM),
    (CROSS + "b not in [a]", LIM),
    (CROSS + "[a].index(b)", LIM),
    (CROSS + "max([a, b])", LIM),
    (CROSS + "min(a, b)", LIM),
    (CROSS + "max([a], [b])", LIM),
    (CROSS + "[a] == [b]", LIM),
    (CROSS + "(a,) < (b,)", LIM),
    (CROSS + "[[a]] != [[b]]", LIM),
    (CROSS + '{"k": a} == {"k": b}', LIM),
    (CROSS + "l = [a, 1, 2]\nl.count(b)", LIM),
    (CROSS + "b in a", LIM),
    ("a = torch.ones(1000000, 1)\nl = [1.0] * 1000\n[a] == [l]", LIM),
    # Index assignment with broadcast index tensors writes 20 M positions.
    (INDEX + "x[i, j] = 1", LIM),
    (INDEX + "x[i, j] += 1", LIM),
    # ... and so does index_put, by every name and keyword it has.
    (PUT + "y = x.index_put((a, b), torch.tensor(1.0), accumulate=True)\ny[0, 0]", LIM),
    (PUT + "x.index_put_((a, b), torch.tensor(1.0))", LIM),
    (PUT + "torch.index_put(x, (a, b), torch.tensor(2.0))", LIM),
    (PUT + "torch.index_put_(x, [a, b], torch.tensor(2.0))", LIM),
    (PUT + "x.index_put(indices=(a, b), values=torch.tensor(2.0))", LIM),
    (PUT + "torch.index_put(input=x, indices=(a, b), values=torch.tensor(2.0))", LIM),
    # The gradient of the values is as large as the positions written.
    (INDEX + "v = torch.tensor(2.0, requires_grad=True)\nx.index_put((i, j), v).sum()", LIM),
    (ALONG + "torch.take_along_dim(x, k, dim=1)", LIM),
    (ALONG + "x.take_along_dim(k, 1)", LIM),
    # Text past the limit, from a tensor that prints every entry.
    (f"str({SIX})", LIM),
    (f'f"{{{SIX}}}"', LIM),
    (f'f"{{{SIX}!r}}"', LIM),
    (f"print({SIX})", LIM),
    ("str([torch.zeros(6, 6, 6, 6, 6)] * 13)", LIM),
    ("x = torch.zeros(7, 7, 7, 7, 7, 7, 7)\nprint(x)", LIM),
    # print's separators and end, joined before the cut.
    (LONG + "print(1, 2, 3, sep=s)", LIM),
    (LONG + "print(1, end=s + s)", LIM),
    (LONG + "print(s, s, s)", LIM),
    (LONG + 'f"{s}{s}{s}"', LIM),
    # Empty tensors with huge dimensions: 9 M nested lists to write.
    ("torch.zeros(3000, 3000, 0)", LIM),
    ("torch.ones(0).reshape(3000, 3000, 0)", LIM),
    ("torch.zeros(1, 1, 0).expand(3000, 3000, 0)", LIM),
    ("torch.zeros(0, 3000, 3000)", LIM),
    ("x = torch.zeros(0)\ny = x.reshape(3000, 0, 3000)\ny.tolist()", LIM),
]

# Answered, within the byte limit (each a few dozen characters of source).
ANSWERED: list[str] = [
    '[["A"*100000]*1000]*3',
    "l = [0] * 1000\n[[l] * 30] * 30",
    'x = torch.ones(2, requires_grad=True)\ny = x\nd = {}\nfor d["'
    + "B" * 19_000
    + '"] in range(300):\n    y = y * 1.0\ny.sum()',
    "y = torch.rand(1000, requires_grad=True)\nfor i in range(200):\n    y = y * 1.0\ny.sum()",
]

# The pages closest to app.pipeline.PAGE_BYTES: a value of long strings, a
# loop drawn with its values, a drawn loop of sines.
HEAVY_PAGES: list[str] = [
    '[["A"*100000]*1000]*3',
    "y = torch.rand(1000, requires_grad=True)\nfor i in range(150):\n    y = y * 1.0\ny.sum()",
    "x = torch.tensor(1.0, requires_grad=True)\ny = x\nfor i in range(120):\n"
    "    y = torch.sin(y) * 1.01 + x\ny",
]

# `{n}` makes each one a new program (no cache answers it).
LEAK = "x = torch.ones(1000000, requires_grad=True)\nx.grad = x * 2\nx.sum() + {n}"
