"""How the queue feels at 100,000 tickets, beside Textual's DataTable, in one run.

`python -m cs_console.scripts.bench_queue --tickets 100000` generates a desk with
`cs_console.demo.history` (fixed seed and `now`, so every run measures the same
store), then measures, each part in a fresh process so that one cannot warm or swell
another:

- `startup_s`: `python -m cs_console` started in a pseudo-terminal until the agent's queue
  has drawn its first ticket (median of several starts, after one to warm the disk cache);
- `first_paint_s`: opening the queue of everyone's tickets with every status, the whole
  desk (`rows`), until its first rows are rendered, loading from SQLite included (median);
  `agent_first_paint_s` the same for the agent's own active queue (`agent_rows`), the one
  the console opens on, and `history_first_paint_s` for the interactions of the customer
  with the longest history (`history_rows`);
- `scroll_ms_p95`: one page down in that queue: the key's action and every line of the
  new page rendered, which is what a frame waits on;
- `filter_ms_p95`: per keystroke of realistic filters typed letter by letter (and each
  cleared again): the keystroke's frame, the first slice of rows tested in memory
  (`queue.FILTER_SLICE`) and the lines on screen rendered; `filter_slice_ms_p95` each
  later slice (the screen runs one per frame), and `filter_done_ms_p95` the key and all
  its slices together, the work of a filter over every row without the frames between;
  `filter_cpu_ms_p95` the keystroke's frame in this thread's CPU time, which other
  processes on a shared machine do not lengthen;
- `peak_rss_mb`: the peak memory of the process that did the three above;
- `datatable_first_paint_s` (and `datatable_peak_rss_mb`): the same rows, cells already
  computed and nothing to load, put into a plain Textual DataTable until its first rows
  are rendered.

It prints one JSON object, the targets beside the figures, and asserts nothing. At
100,000 tickets it takes a few minutes, most of it generating the store (`--db PATH` keeps
it for the next run) and filling the DataTable.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from cs_console.demo.history import NUMBER_PREFIX
from cs_console.scripts.bench_start import start_in_terminal, terminal_env
from cs_console.scripts.generated_desk import NOW, generate_store

SIZE = (120, 40)
"""Terminal columns and lines for every measurement."""
STARTS = 5
PAINTS = 5
PAGE_DOWNS = 300
QUERIES = ("ocean", "台风", "hist-0999", "nordic tern", "refund", "sim", "crew change", "延误", "#台风", "#psc-detention")
"""Filters an agent might type: a vessel, Chinese words, a ticket number, a customer, tags."""
TARGETS = {"startup_s": 1.0, "first_paint_s": 0.1, "scroll_ms_p95": 16, "filter_ms_p95": 16, "peak_rss_mb": 250}
MARKER = NUMBER_PREFIX.encode()
"""Every generated ticket number starts so; the queue's rows are the first thing to show one."""


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=100_000, help="tickets in the generated store (default 100000)")
    parser.add_argument("--db", type=Path, help="keep the generated store here and reuse it when it exists")
    parser.add_argument("--part", choices=("console", "datatable"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.part:
        figures = asyncio.run(_console(args.db) if args.part == "console" else _datatable(args.db))
        print(json.dumps(figures))
        return
    with tempfile.TemporaryDirectory() as folder:
        path = args.db or Path(folder) / "desk.db"
        generate_s = generate_store(path, args.tickets)
        startup_s = _startup(path, Path(folder) / "home")
        console = _part("console", path)
        baseline = _part("datatable", path)
    print(json.dumps({
        "tickets": args.tickets,
        "startup_s": startup_s,
        **console,
        "datatable_first_paint_s": baseline["first_paint_s"],
        "datatable_peak_rss_mb": baseline["peak_rss_mb"],
        "generate_s": generate_s,
        "targets": TARGETS,
    }, ensure_ascii=False))


def _part(part: str, path: Path) -> dict:
    done = subprocess.run([sys.executable, "-m", "cs_console.scripts.bench_queue", "--part", part, "--db", str(path)],
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def _peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


# -- start-up, in a pseudo-terminal ---------------------------------------------------------


def _startup(path: Path, home: Path) -> float:
    """Median seconds from starting the console to its queue's first ticket on screen."""
    times = [_start_once(path, home) for _ in range(STARTS + 1)]
    return round(statistics.median(times[1:]), 3)


def _start_once(path: Path, home: Path) -> float:
    return start_in_terminal([sys.executable, "-m", "cs_console", "--db", str(path)], terminal_env(home), MARKER)


# -- the console's queue, in-process ----------------------------------------------------------


async def _console(path: Path) -> dict:
    from textual.widgets import Input

    from cs_console.app import ConsoleApp
    from cs_console.config import Config
    from cs_console.screens.customer import CustomerScreen
    from cs_console.screens.queue import QueueScreen
    from cs_console.store import Store
    from cs_console.widgets.virtual_table import VirtualTable

    first_paint = _FirstPaint(VirtualTable)
    store = Store.open(path)
    app = ConsoleApp(store, Config(), clock=lambda: NOW)
    async with app.run_test(size=SIZE) as pilot:
        await _settled(pilot)

        async def open_screen(make, table_id: str):
            """Median seconds to the first rows of a screen's table, opened PAINTS times, and
            the last screen opened (left open)."""
            paints = []
            for _ in range(PAINTS):
                screen = make()
                started = time.perf_counter()
                await app.push_screen(screen)
                paints.append(await first_paint(screen.query_one(table_id, VirtualTable)) - started)
                await _settled(pilot)
                if len(paints) < PAINTS:
                    app.pop_screen()
                    await _settled(pilot)
            return statistics.median(paints), screen

        with store.read() as session:
            busiest = session.connection().exec_driver_sql(
                "SELECT customer_id FROM ticket GROUP BY customer_id ORDER BY count(*) DESC LIMIT 1").scalar()
        history_paint, customer = await open_screen(lambda: CustomerScreen(busiest), "#customer-history")
        history_rows = len(customer.entries)
        app.pop_screen()
        agent_paint, mine = await open_screen(QueueScreen, "#queue-table")
        agent_rows = len(mine.rows)
        app.pop_screen()
        await _settled(pilot)
        paint, screen = await open_screen(lambda: QueueScreen(everyone=True, status="all"), "#queue-table")
        table, rows = screen.query_one(VirtualTable), len(screen.rows)

        scrolls = []
        for _ in range(PAGE_DOWNS):
            started = time.perf_counter()
            table.action_page(1)
            _render(table)
            scrolls.append(time.perf_counter() - started)
        await pilot.pause()

        search = screen.query_one("#queue-search", Input)
        keystrokes, keystrokes_cpu, slices, done = [], [], [], []
        for query in QUERIES:
            for typed in [*(query[:end] for end in range(1, len(query) + 1)), ""]:
                with search.prevent(Input.Changed):
                    search.value = typed
                started, cpu = time.perf_counter(), time.thread_time()
                screen.apply_filter()
                _render(table)
                keystrokes.append(time.perf_counter() - started)
                keystrokes_cpu.append(time.thread_time() - cpu)
                queue = screen.queue
                while not queue.filtered:  # the slices the screen would run in the next frames
                    begun = time.perf_counter()
                    screen._filter_more(queue, queue.filter)
                    _render(table)
                    slices.append(time.perf_counter() - begun)
                done.append(time.perf_counter() - started)
            await pilot.pause()
    store.close()
    return {
        "rows": rows,
        "first_paint_s": round(paint, 4),
        "agent_rows": agent_rows,
        "agent_first_paint_s": round(agent_paint, 4),
        "history_rows": history_rows,
        "history_first_paint_s": round(history_paint, 4),
        "scroll_ms_p95": p95_ms(scrolls),
        "filter_ms_p95": p95_ms(keystrokes),
        "filter_cpu_ms_p95": p95_ms(keystrokes_cpu),
        "filter_slice_ms_p95": p95_ms(slices),
        "filter_done_ms_p95": p95_ms(done),
        "peak_rss_mb": _peak_rss_mb(),
    }


class _FirstPaint:
    """When each table of a class first renders a line of a row (not the header): `await
    first_paint(table)` gives the moment, without polling the event loop meanwhile (a
    poll would take the interpreter from the worker being measured)."""

    def __init__(self, table_class) -> None:
        self._seen: dict = {}
        self._waiting: dict = {}
        render_line = table_class.render_line

        def watched(table, y: int):
            strip = render_line(table, y)
            if y >= 1 and table.row_count and table not in self._seen:
                self._seen[table] = time.perf_counter()
                if table in self._waiting:
                    self._waiting.pop(table).set()
            return strip

        table_class.render_line = watched

    async def __call__(self, table) -> float:
        if table not in self._seen:
            self._waiting[table] = asyncio.Event()
            await self._waiting[table].wait()
        return self._seen[table]


def _render(table) -> None:
    """Every line the table shows, as a frame asks for them."""
    for y in range(table.scrollable_content_region.height):
        table.render_line(y)


async def _settled(pilot) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def p95_ms(seconds: list[float]) -> float | None:
    """The 95th percentile in milliseconds; None when nothing was measured (a queue small
    enough to filter in one slice has no later slices)."""
    if len(seconds) < 2:
        return round(seconds[0] * 1000, 2) if seconds else None
    return round(statistics.quantiles(seconds, n=100)[94] * 1000, 2)


# -- the baseline: the same rows in a DataTable ------------------------------------------------


async def _datatable(path: Path) -> dict:
    from textual.app import App, ComposeResult
    from textual.widgets import DataTable

    from cs_console.clocks.sla import follow_up_clocks
    from cs_console.config import Config
    from cs_console.screens.queue import COLUMNS, RowLabels, row_cells
    from cs_console.store import Store
    from cs_console.text.strings import Strings
    from cs_console.usecases.queue_list import SETTLED_CLOCKS, QueueList
    from cs_console.widgets.virtual_table import with_headings

    store, config, strings = Store.open(path), Config(), Strings("en")
    queue = QueueList(store.live_tickets(None, NOW), config.policy, config.calendar, NOW)
    page = store.settled_page(None, NOW, None, 10_000)
    while page:
        queue.add_settled(page, last=False)
        page = store.settled_page(None, NOW, page[-1], 10_000)
    queue.add_settled([], last=True)
    labels = RowLabels.of(strings)
    rows = [
        row_cells(row, follow_up_clocks(row.events, row.priority, config.policy, config.calendar, NOW)
               if queue.is_live(row) else SETTLED_CLOCKS, NOW, labels)
        for row in queue
    ]
    keys = [row.id for row in queue]
    store.close()

    class Baseline(App):
        def compose(self) -> ComposeResult:
            yield DataTable(cursor_type="row", zebra_stripes=True)

    first_paint = _FirstPaint(DataTable)
    app = Baseline()
    async with app.run_test(size=SIZE) as pilot:
        table = app.query_one(DataTable)
        started = time.perf_counter()
        for column in with_headings(COLUMNS, strings):
            table.add_column(column.heading, key=column.key)
        for key, cells in zip(keys, rows):
            table.add_row(*cells, key=key)
        first_paint_s = await first_paint(table) - started
        await pilot.pause()
    return {"rows": len(rows), "first_paint_s": round(first_paint_s, 3), "peak_rss_mb": _peak_rss_mb()}


if __name__ == "__main__":
    main()
