"""bench_compare prints a benchmark's figures for a baseline interpreter and this one, side by side."""

from __future__ import annotations

import json
import subprocess
import sys

from cs_console.scripts.bench_compare import medians


def test_medians_take_each_number_and_keep_the_rest():
    runs = [{"s": 3.0, "n": 10, "name": "a"}, {"s": 1.0, "n": 10, "name": "b"}, {"s": 2.0, "n": 12, "name": "c"}]
    assert medians(runs) == {"s": 2.0, "n": 10, "name": "a"}


def test_a_comparison_prints_both_sides_and_their_ratio():
    done = subprocess.run(
        [sys.executable, "-m", "cs_console.scripts.bench_compare", "--baseline-python", sys.executable, "--runs", "2",
         "bench_clocks", "--tickets", "300"],
        capture_output=True, text=True, check=True,
    )
    figures = json.loads(done.stdout)
    assert figures["baseline"]["tickets"] == figures["current"]["tickets"] == 300
    assert figures["change"]["tickets"] == 1.0
    assert set(figures["change"]) >= {"compute_s", "total_s"}
