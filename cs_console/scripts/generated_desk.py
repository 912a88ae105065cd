"""The desk the queue and start benchmarks measure: `cs_console.demo.history` with a fixed
seed and `now`, so that every run measures the same store."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

NOW = datetime(2026, 2, 25, 2, 30, tzinfo=UTC)
"""The generated desk's "now", and the clock of the measured console (10:30 in Shanghai)."""
SEED = 137


def generate_store(path: Path, tickets: int) -> float | None:
    """Generate the desk unless `path` holds one already; returns the seconds it took."""
    if path.exists():
        return None
    from cs_console.demo.history import generate
    from cs_console.store import Store

    started = time.perf_counter()
    store = Store.open(path)
    try:
        generate(store, tickets, now=NOW, seed=SEED)
    finally:
        store.close()
    return round(time.perf_counter() - started, 1)
