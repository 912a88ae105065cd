"""Time the 1-3-7 clocks of a large synthetic queue: `python -m cs_console.scripts.bench_clocks`.

A queue computes every ticket's clocks when it loads, and again on every tick of the app
(each second) while a lead watches the team; computing them and re-sorting the queue by
the most urgent clock must stay well under a second for a big team's backlog. This script
builds tickets with realistic histories on a Chinese business calendar (holidays and
make-up working days, "now" just after the Spring Festival), times both in a fresh process
and prints one JSON object:

    {"tickets": N, "compute_s": ..., "sort_s": ..., "total_s": ..., "tick_compute_s": ...,
     "tick_sort_s": ..., "tick_total_s": ..., "tick_replayed_total_s": ..., "target_total_s": 0.5,
     "total_cpu_s": ..., "tick_total_cpu_s": ..., "tick_replayed_total_cpu_s": ..., "read_all_s": ...}

compute_s is `sla.queue_clocks` on loading, which pauses the garbage collector as a refresh
should; sort_s orders the queue. The tick_ figures are a tick a second later, the median of
TICKS: `sla.queue_clocks_at` moving the clocks of the last tick, then re-sorting the queue
from its last order; tick_replayed_total_s is the same tick replaying every ticket's events
with `queue_clocks`, as ticks did before, measured in the same run. The _cpu_s figures are
in CPU time, steadier than wall time on a shared machine. read_all_s is reading every clock
of every ticket after the first sort, which makes the Clock objects a sort does not need (a
screen reads those of the rows in view): what a report over the whole queue pays on top. It
touches no database and no terminal. Compare with an earlier build with
`bench_compare --baseline-python OLD/bin/python bench_clocks`.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
from datetime import UTC, datetime, timedelta

from cs_console import collector
from cs_console.clocks.calendars import BusinessCalendar
from cs_console.clocks.sla import DEFAULT_POLICY, FollowUpClocks, queue_clocks, queue_clocks_at, urgency_key

TARGET_TOTAL_S = 0.5
"""compute_s + sort_s for 100,000 tickets on a two-core machine."""
TICK = timedelta(seconds=1)
"""How often the app's clocks move (`app.TICK_SECONDS`)."""
TICKS = 5
"""Ticks timed each way; their median is printed."""
NOW = datetime(2026, 2, 25, 2, 30, tzinfo=UTC)
"""10:30 in Shanghai on the first Wednesday after the 2026 Spring Festival break."""
CN_HOLIDAYS = (
    "2025-01-01", "2025-01-28", "2025-01-29", "2025-01-30", "2025-01-31", "2025-02-03", "2025-02-04",
    "2025-04-04", "2025-05-01", "2025-05-02", "2025-05-05", "2025-05-31", "2025-06-02", "2025-10-01",
    "2025-10-02", "2025-10-03", "2025-10-06", "2025-10-07", "2025-10-08", "2026-01-01", "2026-01-02",
    "2026-02-16", "2026-02-17", "2026-02-18", "2026-02-19", "2026-02-20", "2026-02-23", "2026-04-05",
    "2026-04-06", "2026-05-01", "2026-05-02", "2026-05-04", "2026-05-05", "2026-06-19", "2026-09-25",
    "2026-10-01", "2026-10-02", "2026-10-03", "2026-10-05", "2026-10-06", "2026-10-07",
)
CN_MAKE_UP_WORKDAYS = (
    "2025-01-26", "2025-02-08", "2025-04-27", "2025-09-28", "2025-10-11", "2026-01-04", "2026-02-14",
    "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10",
)
"""Both as the `holidays` package (0.109) publishes China for 2025 and 2026."""
PRIORITY_WEIGHTS = {"urgent": 5, "high": 20, "normal": 55, "low": 20}
STORIES = {
    "new": 20,
    "responded": 25,
    "waiting": 12,
    "replied": 10,
    "proposed": 10,
    "closed": 12,
    "escalated": 6,
    "reopened": 5,
}
"""How far each synthetic ticket has got, with weights: some paused, some finished, some reopened."""
STEPS = {
    "new": (),
    "responded": ("first_response",),
    "waiting": ("first_response", "waiting_on_customer"),
    "replied": ("first_response", "waiting_on_customer", "customer_replied"),
    "proposed": ("first_response", "solution_proposed"),
    "closed": ("first_response", "solution_proposed", "resolved", "callback", "closed"),
    "escalated": ("first_response", "escalated", "waiting_on_customer", "customer_replied"),
    "reopened": ("first_response", "resolved", "closed", "callback", "reopened"),
}


def make_tickets(count: int, seed: int) -> list[tuple[str, tuple[tuple[str, datetime], ...]]]:
    """`count` (priority, events) pairs created over the 30 days before NOW, mostly recent."""
    rng = random.Random(seed)
    priorities = rng.choices(list(PRIORITY_WEIGHTS), weights=list(PRIORITY_WEIGHTS.values()), k=count)
    stories = rng.choices(list(STORIES), weights=list(STORIES.values()), k=count)
    tickets = []
    for priority, story in zip(priorities, stories):
        at = NOW - timedelta(seconds=min(rng.expovariate(1 / (4 * 86400)), 30 * 86400))
        events = [("created", at)]
        for kind in STEPS[story]:
            at += timedelta(seconds=rng.expovariate(1 / (8 * 3600)))
            if at > NOW:
                break
            events.append((kind, at))
        tickets.append((priority, tuple(events)))
    return tickets


def most_urgent_first(tickets: list, clocks: list[FollowUpClocks]) -> tuple[list, list[FollowUpClocks]]:
    """Tickets and their clocks re-sorted, least time left first, as the queue screen does it."""
    keys = list(map(urgency_key, clocks))
    order = sorted(range(len(tickets)), key=keys.__getitem__)
    return list(map(tickets.__getitem__, order)), list(map(clocks.__getitem__, order))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=100_000, help="how many tickets (default 100000)")
    parser.add_argument("--seed", type=int, default=137, help="random seed for the synthetic queue")
    args = parser.parse_args(argv)

    calendar = BusinessCalendar("Asia/Shanghai", holidays=CN_HOLIDAYS, extra_workdays=CN_MAKE_UP_WORKDAYS)
    tickets = make_tickets(args.tickets, args.seed)

    started, cpu_started = time.perf_counter(), time.process_time()
    clocks = queue_clocks(tickets, DEFAULT_POLICY, calendar, NOW)
    computed = time.perf_counter()
    queue, clocks = most_urgent_first(tickets, clocks)
    sorted_at, cpu_sorted_at = time.perf_counter(), time.process_time()
    with collector.paused():
        every_clock = [tuple(ticket_clocks) for ticket_clocks in clocks]
    read_at = time.perf_counter()

    replayed_ticks, ticks = [], []
    now = NOW
    for _ in range(TICKS):
        now += TICK
        *figures, _ = timed_tick(queue, lambda: queue_clocks(queue, DEFAULT_POLICY, calendar, now))
        replayed_ticks.append(figures)
        *figures, (queue, clocks) = timed_tick(queue, lambda: queue_clocks_at(clocks, DEFAULT_POLICY, calendar, now))
        ticks.append(figures)
    tick_compute_s, tick_sort_s, tick_cpu_s = (statistics.median(tick[i] for tick in ticks) for i in range(3))

    compute_s, sort_s = computed - started, sorted_at - computed
    print(json.dumps({
        "tickets": len(queue),
        "clocks": sum(map(len, every_clock)),
        "compute_s": round(compute_s, 4),
        "sort_s": round(sort_s, 4),
        "total_s": round(compute_s + sort_s, 4),
        "tick_compute_s": round(tick_compute_s, 4),
        "tick_sort_s": round(tick_sort_s, 4),
        "tick_total_s": round(tick_compute_s + tick_sort_s, 4),
        "tick_replayed_total_s": round(statistics.median(compute + sort for compute, sort, _ in replayed_ticks), 4),
        "target_total_s": TARGET_TOTAL_S,
        "total_cpu_s": round(cpu_sorted_at - cpu_started, 4),
        "tick_total_cpu_s": round(tick_cpu_s, 4),
        "tick_replayed_total_cpu_s": round(statistics.median(cpu for _, _, cpu in replayed_ticks), 4),
        "read_all_s": round(read_at - sorted_at, 4),
    }))


def timed_tick(queue: list, compute) -> tuple[float, float, float, tuple[list, list[FollowUpClocks]]]:
    """(compute_s, sort_s, CPU s of both, the re-sorted queue and clocks) of one tick:
    `compute` gives the clocks of `queue`, in its order, at the tick's `now`."""
    started, cpu_started = time.perf_counter(), time.process_time()
    clocks = compute()
    computed = time.perf_counter()
    resorted = most_urgent_first(queue, clocks)
    return computed - started, time.perf_counter() - computed, time.process_time() - cpu_started, resorted


if __name__ == "__main__":
    main()
