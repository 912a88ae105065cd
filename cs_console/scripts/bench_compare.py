"""One benchmark run against a baseline build and this one, alternately, in one run.

`python -m cs_console.scripts.bench_compare --baseline-python OLD/bin/python bench_clocks --tickets 100000`
runs `python -m cs_console.scripts.bench_clocks --tickets 100000` with the baseline's
interpreter (a virtual environment where an older revision is installed, e.g. from a
`git worktree` of it) and with this one, `--runs` times each, alternating so that both
sides see the same machine load, and prints one JSON object: each side's median of every
number the benchmark printed, and `change`, the current figure over the baseline's.

It refuses to judge: whether a change is a regression depends on the figure (seconds want
lower, savings want higher), so it prints and asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile


def run_once(python: str, bench: str, args: list[str]) -> dict:
    """The benchmark's JSON object, run from a folder outside any checkout."""
    with tempfile.TemporaryDirectory() as elsewhere:
        done = subprocess.run([python, "-m", f"cs_console.scripts.{bench}", *args], cwd=elsewhere,
                              capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def medians(runs: list[dict]) -> dict:
    """Per key, the median of the numbers the runs printed; other values as the first run has them."""
    merged = {}
    for key, value in runs[0].items():
        values = [run.get(key) for run in runs]
        numbers = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values)
        merged[key] = round(statistics.median(values), 4) if numbers else value
    return merged


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--baseline-python", required=True, metavar="PATH",
                        help="an interpreter with the baseline revision of cs-console installed")
    parser.add_argument("--runs", type=int, default=1, metavar="N", help="runs of each side (default 1)")
    parser.add_argument("bench", help="the benchmark module in cs_console.scripts, e.g. bench_clocks")
    parser.add_argument("args", nargs=argparse.REMAINDER, help="its arguments")
    options = parser.parse_args(argv)
    baseline, current = [], []
    for _ in range(options.runs):
        baseline.append(run_once(options.baseline_python, options.bench, options.args))
        current.append(run_once(sys.executable, options.bench, options.args))
    before, after = medians(baseline), medians(current)
    change = {key: round(after[key] / before[key], 3) for key in before
              if isinstance(before[key], (int, float)) and not isinstance(before[key], bool)
              and isinstance(after.get(key), (int, float)) and before[key]}
    print(json.dumps({"bench": options.bench, "args": options.args, "runs": options.runs,
                      "baseline": before, "current": after, "change": change}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
