"""How fast the knowledge-base search is at scale, keystroke by keystroke.

`python -m cs_console.scripts.bench_search --docs 100000` builds an index over the synthetic
corpus of `cs_console.demo.corpus`, types each of a fixed list of realistic queries one
character at a time (pinyin initials, full pinyin, Chinese, English with a slip, mixed),
times every keystroke's search, and prints one JSON object with the build time, keystroke
percentiles, peak resident memory, and for comparison the median time `fzf --filter` takes
over the same titles and tags (null when fzf is not installed).

Peak memory counts the corpus as the caller holds it while the index is built, as the
application holds its documents. It asserts nothing: the targets are printed beside the
figures for a person or CI to judge.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from cs_console.demo.corpus import documents
from cs_console.kb.search import SearchIndex

QUERIES = [
    "tfyw", "taifeng yanwu", "台风延误", "tyhpoon delay", "台风 delay",
    "wxdh", "weixingdianhua", "卫星电话信号", "satelite phone", "卫星电话 outage",
    "tbbzj", "投标保证金退款", "bid bnod refund", "zhaobiao gonggao", "招标 notice",
    "zqf", "滞期费减免", "demurage waiver", "shanghaigang", "上海港靠泊",
    "crew chnage", "船员换班", "brodband outage", "kuandai guzhang", "ningbo",
    "compnsation", "prequalificaton", "应急撤离", "helicoptor", "5g",
]
"""Thirty queries an agent might type, each typed from its first character to its last."""

TARGETS = {"p95_ms": 10, "build_s": 3, "peak_rss_mb": 300}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        docs = list(documents(args.docs, seed=args.seed))
        lines = Path(folder) / "titles.txt"
        lines.write_text("".join(f"{d['title']} {' '.join(d['tags'])}\n" for d in docs), encoding="utf-8")

        started = time.perf_counter()
        index = SearchIndex(docs)
        build_s = time.perf_counter() - started
        del docs

        timings = []
        for query in QUERIES:
            for end in range(1, len(query) + 1):
                started = time.perf_counter()
                index.search(query[:end])
                timings.append((time.perf_counter() - started) * 1000)
        cuts = statistics.quantiles(timings, n=100)
        peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

        print(json.dumps({
            "docs": len(index),
            "build_s": round(build_s, 3),
            "p50_ms": round(statistics.median(timings), 3),
            "p95_ms": round(cuts[94], 3),
            "p99_ms": round(cuts[98], 3),
            "peak_rss_mb": round(peak_rss_mb, 1),
            "fzf_filter_ms": _fzf_median_ms(lines),
            "targets": TARGETS,
        }))


def _fzf_median_ms(lines: Path) -> float | None:
    """Median wall time of `fzf --filter QUERY` over the titles and tags, one line a document."""
    fzf = shutil.which("fzf")
    if fzf is None:
        return None
    timings = []
    for query in QUERIES:
        with lines.open("rb") as stdin:
            started = time.perf_counter()
            subprocess.run([fzf, "--filter", query], stdin=stdin, stdout=subprocess.DEVNULL, check=False)
            timings.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(timings), 3)


if __name__ == "__main__":
    main()
