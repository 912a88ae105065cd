"""What the console costs a slow link: `python -m cs_console.scripts.bench_terminal`.

A team lead on an SSH hop from a ship pays for every byte the terminal is sent. This script
runs the real console in a pseudo-terminal (100x30 by default, TERM=xterm-256color) on
a fresh copy of the demo data, waits for the first screen, leaves it idle on the queue,
and counts the bytes written; then the same in low-bandwidth mode, the lead's team view
idle, and, as a baseline, a plain Textual DataTable with 40 timers each ticking a seconds
countdown. All four run at once, each in its own terminal. It prints one JSON object:

    {"first_screen_bytes": ..., "idle_bytes_per_s": ..., "idle_bytes_per_s_low_bandwidth": ...,
     "first_screen_bytes_low_bandwidth": ..., "lead_idle_bytes_per_s": ...,
     "datatable_idle_bytes_per_s": ..., "targets": {...}, "within_targets": true, ...}

The first screen is everything written until the output has been quiet for a second after
the first ticket number appears (three seconds at most, for the baseline that never rests). Nothing here asserts on time; the targets are reported.
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import pty
import select
import signal
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

IDLE_SECONDS = 60.0
"""How long each console sits idle while its output is counted."""
QUIET_SECONDS = 1.0
"""Output quiet this long after the marker appears means the first screen is complete."""
SETTLE_MAX_SECONDS = 3.0
"""...or this long after the marker, for a screen that is never quiet (the ticking baseline)."""
START_TIMEOUT_S = 60.0
TARGET_IDLE_BYTES_PER_S = 1000
"""Idle on the queue, normal mode: at most 1 KB/s."""
TARGET_IDLE_BYTES_PER_S_LOW_BANDWIDTH = 200
"""Idle on the queue, low-bandwidth mode: at most 200 B/s."""
BASELINE_ROWS = 40
"""Rows (and timers) of the plain DataTable the console is compared with."""


@dataclass(frozen=True)
class Measure:
    first_screen_bytes: int
    idle_bytes: int
    seconds: float

    @property
    def idle_bytes_per_s(self) -> float:
        return round(self.idle_bytes / self.seconds, 1)


class Terminal:
    """A program in its own pseudo-terminal of a given size, its output counted as it comes."""

    def __init__(self, argv: list[str], env: dict[str, str], width: int, height: int) -> None:
        self._master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", height, width, 0, 0))
        self.process = subprocess.Popen(
            argv, stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True, close_fds=True,
        )
        os.close(slave)
        self._lock = threading.Lock()
        self._output = bytearray()
        self._last_at = time.monotonic()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        while True:
            ready, _, _ = select.select([self._master], [], [], 0.5)
            if not ready:
                if self.process.poll() is not None:
                    return
                continue
            try:
                chunk = os.read(self._master, 65536)
            except OSError:
                return
            if not chunk:
                return
            with self._lock:
                self._output += chunk
                self._last_at = time.monotonic()

    @property
    def written(self) -> int:
        with self._lock:
            return len(self._output)

    def wait_for_screen(self, marker: bytes) -> int:
        """Bytes written up to the first complete screen: `marker` seen, then output quiet.

        Raises:
            RuntimeError: the screen never settled; the message carries the program's output.
        """
        deadline = time.monotonic() + START_TIMEOUT_S
        seen_at = None
        while time.monotonic() < deadline:
            with self._lock:
                now = time.monotonic()
                if seen_at is None and marker in self._output:
                    seen_at = now
                quiet = now - self._last_at >= QUIET_SECONDS
                size = len(self._output)
            if seen_at is not None and (quiet or now - seen_at >= SETTLE_MAX_SECONDS):
                return size
            if self.process.poll() is not None:
                break
            time.sleep(0.05)
        with self._lock:
            tail = self._output[-2000:].decode("utf-8", "replace")
        raise RuntimeError(f"{marker.decode()!r} never settled on screen; the terminal's last output:\n{tail}")

    def send(self, keys: bytes) -> None:
        os.write(self._master, keys)

    def close(self) -> None:
        try:
            self.send(b"\x11")  # ctrl+q
            self.process.wait(timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        os.close(self._master)


def measure(argv: list[str], env: dict[str, str], marker: bytes, seconds: float, width: int, height: int,
            keys: bytes = b"", second_marker: bytes = b"") -> Measure:
    """Start `argv`, wait for its first screen (then press `keys` and wait for `second_marker`),
    and count what it writes while left alone for `seconds`."""
    terminal = Terminal(argv, env, width, height)
    try:
        first = terminal.wait_for_screen(marker)
        if keys:
            terminal.send(keys)
            terminal.wait_for_screen(second_marker)
        before = terminal.written
        time.sleep(seconds)
        return Measure(first, terminal.written - before, seconds)
    finally:
        terminal.close()


def console_home(root: Path, name: str, config: str = "") -> dict[str, str]:
    """A fresh data folder with the demo loaded (times placed around now), and its env."""
    home = root / name
    home.mkdir()
    if config:
        (home / "config.toml").write_text(config, encoding="utf-8")
    env = {**os.environ, "CS_CONSOLE_HOME": str(home), "TERM": "xterm-256color", "COLORTERM": ""}
    env.pop("NO_COLOR", None)
    env.pop("TEXTUAL_FPS", None)
    subprocess.run([sys.executable, "-m", "cs_console", "demo"], env=env, check=True, capture_output=True)
    return env


def run(seconds: float, width: int, height: int) -> dict:
    console = [sys.executable, "-m", "cs_console"]
    with tempfile.TemporaryDirectory(prefix="cs-console-bench-") as folder:
        root = Path(folder)
        normal = console_home(root, "normal")
        low = console_home(root, "low", "low_bandwidth = true\n")
        lead = console_home(root, "lead")
        baseline_env = {**normal, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
        jobs = {
            "normal": (console, normal, b"DEMO-", b"", b""),
            "low": (console, low, b"DEMO-", b"", b""),
            "lead": ([*console, "--agent", "zhao.min"], lead, b"DEMO-", b"t", b"Oldest"),
            "datatable": ([sys.executable, "-m", "cs_console.scripts.bench_terminal", "--baseline-app"],
                          baseline_env, b"T-0000", b"", b""),
        }
        with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
            futures = {name: pool.submit(measure, argv, env, marker, seconds, width, height, keys, second)
                       for name, (argv, env, marker, keys, second) in jobs.items()}
            results = {name: future.result() for name, future in futures.items()}
    numbers = {
        "size": f"{width}x{height}",
        "idle_seconds": seconds,
        "first_screen_bytes": results["normal"].first_screen_bytes,
        "idle_bytes_per_s": results["normal"].idle_bytes_per_s,
        "first_screen_bytes_low_bandwidth": results["low"].first_screen_bytes,
        "idle_bytes_per_s_low_bandwidth": results["low"].idle_bytes_per_s,
        "lead_idle_bytes_per_s": results["lead"].idle_bytes_per_s,
        "datatable_idle_bytes_per_s": results["datatable"].idle_bytes_per_s,
        "targets": {"idle_bytes_per_s": TARGET_IDLE_BYTES_PER_S,
                    "idle_bytes_per_s_low_bandwidth": TARGET_IDLE_BYTES_PER_S_LOW_BANDWIDTH},
    }
    numbers["within_targets"] = (
        numbers["idle_bytes_per_s"] <= TARGET_IDLE_BYTES_PER_S
        and numbers["idle_bytes_per_s_low_bandwidth"] <= TARGET_IDLE_BYTES_PER_S_LOW_BANDWIDTH
    )
    return numbers


def baseline_app() -> None:
    """The naive way: a DataTable whose 40 rows each own a timer ticking a seconds countdown."""
    from functools import partial

    from textual.app import App, ComposeResult
    from textual.widgets import DataTable

    class TimersApp(App):
        BINDINGS = [("ctrl+q", "quit", "Quit")]

        def compose(self) -> ComposeResult:
            yield DataTable()

        def on_mount(self) -> None:
            table = self.query_one(DataTable)
            table.add_column("Ticket", key="ticket")
            table.add_column("Customer", key="customer")
            table.add_column("Due in", key="due")
            self.started = time.monotonic()
            for row in range(BASELINE_ROWS):
                table.add_row(f"T-{row:04d}", f"Customer {row}", self._due(row), key=str(row))
                self.set_interval(1.0, partial(self._tick, row))

        def _due(self, row: int) -> str:
            left = 3600 * (row + 1) - int(time.monotonic() - self.started)
            return f"{left // 3600}h {left % 3600 // 60:02d}m {left % 60:02d}s"

        def _tick(self, row: int) -> None:
            self.query_one(DataTable).update_cell(str(row), "due", self._due(row))

    TimersApp().run()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=IDLE_SECONDS, help="idle time measured (default 60)")
    parser.add_argument("--width", type=int, default=100)
    parser.add_argument("--height", type=int, default=30)
    parser.add_argument("--baseline-app", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.baseline_app:
        baseline_app()
        return
    print(json.dumps(run(args.seconds, args.width, args.height)))


if __name__ == "__main__":
    main()
