"""One evaluation process, a thousand training programs: its memory stays put.

Models hold the run that made them (a program class's module keeps its
machine, for `forward`'s callback), the module calls register global hooks
for their duration, optimizers patch their step: none of it may outlive the
evaluation. As tests/workers/test_leaks.py, with the nn programs of
real-code.json, the gallery's training loop and a program class.
"""

from __future__ import annotations

import asyncio
import json
import random
from collections.abc import Iterator
from typing import Any

import pytest

from app.api.examples import DATA
from app.job import Job
from app.workers import WorkerPool
from tests.workers.procs import rss_bytes

pytestmark = [pytest.mark.load, pytest.mark.timeout(600)]

WARM_UP = 150
MEASURED = 1_000
CLASS = """
class Net(nn.Module):
    def __init__(self, n):
        super().__init__()
        self.layers = nn.ModuleList([nn.Linear(n, n) for i in range(3)])

    def forward(self, x):
        for layer in self.layers:
            x = torch.tanh(layer(x))
        return x

net = Net(4)
opt = torch.optim.Adam(net.parameters(), lr=0.01)
for step in range(5):
    opt.zero_grad()
    loss = net(torch.ones(2, 4)).pow(2).sum()
    loss.backward()
    opt.step()
"""


def _programs() -> list[str]:
    real = json.loads((DATA / "real-code.json").read_text())["lessons"]
    gallery = json.loads((DATA / "gallery.json").read_text())["lessons"]
    sources = [lesson["source"] for lesson in real if "nn" in lesson["area"].split("+")]
    sources += [lesson["source"] for lesson in gallery if "source" in lesson]
    return [*sources, CLASS]


def requests(seed: int) -> Iterator[dict[str, Any]]:
    rng = random.Random(seed)
    programs = _programs()
    n = 0
    while True:
        n += 1
        source = f"{rng.choice(programs)}\n# {seed}-{n}"  # a new job each time
        image = rng.random() < 0.3
        job = Job(source=source, format="png" if image else "svg")
        yield {"kind": "image" if image else "evaluate", "job": job.model_dump(mode="json")}


async def serve(pool: WorkerPool, count: int, seed: int) -> None:
    made = requests(seed)
    for _ in range(count):
        meta, body = await pool.submit(next(made))
        assert body


def test_training_programs_do_not_grow_the_process() -> None:
    async def scenario() -> tuple[int, int, list[int]]:
        async with WorkerPool(
            "app.pipeline:handle", size=1, wall_time_s=10, recycle_after=None
        ) as pool:
            await serve(pool, WARM_UP, seed=1)
            [pid] = pool.pids()
            before = rss_bytes(pid)
            await serve(pool, MEASURED, seed=2)
            after = rss_bytes(pid)
            assert pool.stats().crashes == 0
            return before, after, [pid, *pool.pids()]

    before, after, pids = asyncio.run(scenario())
    assert pids[0] == pids[1], "the evaluation process was replaced"
    print(f"\nevaluation process RSS {before / 2**20:.1f} -> {after / 2**20:.1f} MiB")
    assert after <= before * 1.10, (before, after)
