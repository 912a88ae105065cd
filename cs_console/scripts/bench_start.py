"""How long the console takes to start, beside a bare Textual app started the same way.

`python -m cs_console.scripts.bench_start --tickets 100000` measures, alternating each
figure with its comparison so that both see the same machine load:

- `demo_start_s`: `python -m cs_console` in a pseudo-terminal until the demo store's
  queue shows its first ticket number; `bare_start_s`: a Textual app with one line of
  text (`--bare-app`), started as `python -m` in the same terminal until that line shows;
  `demo_ratio` the first over the second (target 1.5);
- `history_start_s` and `history_ratio`: the same on a store of `--tickets` generated
  tickets (`cs_console.demo.history`, fixed seed and `now`; `--db PATH` keeps it);
- `version_s` and `help_s`: `cs-console --version` and `--help` (as `python -m
  cs_console`) until they exit; `python_s`: `python -c pass`, the floor under both.

Each figure is the median of `--runs` starts after one to warm the disk cache. It prints
one JSON object, the targets beside the figures, and asserts nothing.
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import pty
import select
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from pathlib import Path

SIZE = (120, 40)
"""Terminal columns and lines of every start."""
RUNS = 7
TIMEOUT_S = 60
BARE_TEXT = "Bare Textual app"
TARGETS = {"demo_ratio": 1.5, "history_ratio": 1.5, "version_s": 0.15}


def start_in_terminal(argv: list[str], env: dict[str, str], marker: bytes) -> float:
    """Seconds from starting `argv` in a pseudo-terminal of SIZE until it writes `marker`.

    Raises:
        RuntimeError: the marker did not show within TIMEOUT_S; the message has the last output.
    """
    started = time.perf_counter()
    pid, fd = pty.fork()
    if pid == 0:
        fcntl.ioctl(sys.stdout.fileno(), termios.TIOCSWINSZ, struct.pack("HHHH", SIZE[1], SIZE[0], 0, 0))
        os.execve(argv[0], argv, env)
    seen = b""
    try:
        while marker not in seen:
            ready, _, _ = select.select([fd], [], [], TIMEOUT_S)
            if not ready:
                raise RuntimeError(f"{marker!r} did not show within {TIMEOUT_S} s: {seen[-500:]!r}")
            seen = seen[-len(marker):] + os.read(fd, 65536)
        return time.perf_counter() - started
    finally:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        os.close(fd)


def terminal_env(home: Path) -> dict[str, str]:
    """The environment of a console whose data folder is `home`, in a colour terminal, its
    bytecode cached as an installed program's is (the warm-up start writes it)."""
    env = {**os.environ, "CS_CONSOLE_HOME": str(home), "TERM": "xterm-256color"}
    env.pop("TEXTUAL_FPS", None)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def _exit_s(argv: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(argv, env=env, check=True, capture_output=True)
    return time.perf_counter() - started


def _medians(measures: dict, runs: int) -> dict[str, float]:
    """Each measure's median over `runs`, the measures taken in turn, after one warm-up round."""
    times: dict[str, list[float]] = {name: [] for name in measures}
    for _ in range(runs + 1):
        for name, measure in measures.items():
            times[name].append(measure())
    return {name: round(statistics.median(found[1:]), 3) for name, found in times.items()}


def run(tickets: int, runs: int, db: Path | None) -> dict:
    from cs_console.demo.history import NUMBER_PREFIX
    from cs_console.scripts.generated_desk import generate_store

    python = sys.executable
    console = [python, "-m", "cs_console"]
    bare = [python, "-m", "cs_console.scripts.bench_start", "--bare-app"]
    with tempfile.TemporaryDirectory(prefix="cs-console-bench-start-") as folder:
        root = Path(folder)
        demo_env = terminal_env(root / "demo")
        subprocess.run([*console, "demo"], env=demo_env, check=True, capture_output=True)
        history_db = db or root / "history.db"
        generate_store(history_db, tickets)
        history_env = terminal_env(root / "history")
        marker = BARE_TEXT.encode()
        figures = _medians({
            "bare_start_s": lambda: start_in_terminal(bare, demo_env, marker),
            "demo_start_s": lambda: start_in_terminal(console, demo_env, b"DEMO-"),
            "history_start_s": lambda: start_in_terminal([*console, "--db", str(history_db)], history_env,
                                                         NUMBER_PREFIX.encode()),
            "python_s": lambda: _exit_s([python, "-c", "pass"], demo_env),
            "version_s": lambda: _exit_s([*console, "--version"], demo_env),
            "help_s": lambda: _exit_s([*console, "--help"], demo_env),
        }, runs)
    return {
        "tickets": tickets,
        **figures,
        "demo_ratio": round(figures["demo_start_s"] / figures["bare_start_s"], 2),
        "history_ratio": round(figures["history_start_s"] / figures["bare_start_s"], 2),
        "runs": runs,
        "targets": TARGETS,
    }


def bare_app() -> None:
    """The comparison: a Textual app that shows one line of text, and nothing else."""
    from textual.app import App, ComposeResult
    from textual.widgets import Static

    class Bare(App):
        BINDINGS = [("ctrl+q", "quit", "Quit")]

        def compose(self) -> ComposeResult:
            yield Static(BARE_TEXT)

    Bare().run()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=100_000, help="tickets in the generated store (default 100000)")
    parser.add_argument("--runs", type=int, default=RUNS, help=f"starts measured per figure (default {RUNS})")
    parser.add_argument("--db", type=Path, help="keep the generated store here and reuse it when it exists")
    parser.add_argument("--bare-app", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.bare_app:
        bare_app()
        return
    print(json.dumps(run(args.tickets, args.runs, args.db)))


if __name__ == "__main__":
    main()
