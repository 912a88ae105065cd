"""bench_queue's figures at any size: a queue small enough to filter in one slice (20,000
tickets or fewer) has no later slice to measure, and the benchmark still prints its JSON."""

from __future__ import annotations

from cs_console.scripts.bench_queue import p95_ms


def test_a_figure_with_nothing_or_one_thing_measured_is_reported_not_a_failure():
    assert p95_ms([]) is None
    assert p95_ms([0.004]) == 4.0
    assert p95_ms([0.001] * 19 + [0.1]) > 1.0
