"""How well the soothing mark picks out upset customers, per language.

`python -m cs_console.scripts.bench_sentiment [FILE...]` reads labelled messages (one a
line, `label<TAB>message`, 1 for a customer who needs soothing, 0 for a plain request or
problem report, `#` lines skipped; by default the Chinese and English sets in the
checkout's `tests/data/sentiment_*.tsv`), runs `cs_console.lead.sentiment.needs_soothing`
with the default lexicon over each, and prints one JSON object: per set its size,
precision, recall and the messages it got wrong. The target is precision >= 0.9: a mark
on a calm customer teaches agents to ignore the mark.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass
from pathlib import Path

from cs_console.lead.sentiment import needs_soothing

DATA = Path(__file__).resolve().parents[2] / "tests" / "data"
DEFAULT_SETS = (DATA / "sentiment_zh.tsv", DATA / "sentiment_en.tsv")
PRECISION_TARGET = 0.9


@dataclass(frozen=True)
class Labelled:
    upset: bool
    text: str


def read_set(path: Path) -> list[Labelled]:
    """The labelled messages of one file.

    Raises:
        ValueError: a line is not `0<TAB>text` or `1<TAB>text`; the message names file and line.
    """
    messages = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        label, _, text = line.partition("\t")
        if label not in ("0", "1") or not text.strip():
            raise ValueError(f"{path}:{number}: expected 0 or 1, a tab, then the message")
        messages.append(Labelled(label == "1", text))
    return messages


def measure(messages: list[Labelled]) -> dict:
    """Precision and recall of the mark over `messages`, with the ones it got wrong."""
    marked = [(m, bool(needs_soothing(m.text))) for m in messages]
    true_positives = sum(m.upset and flag for m, flag in marked)
    flagged = sum(flag for _, flag in marked)
    upset = sum(m.upset for m in messages)
    return {
        "messages": len(messages),
        "upset": upset,
        "precision": round(true_positives / flagged, 3) if flagged else 1.0,
        "recall": round(true_positives / upset, 3) if upset else 1.0,
        "false_positives": [m.text for m, flag in marked if flag and not m.upset],
        "missed": [m.text for m, flag in marked if m.upset and not flag],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="*", type=Path, default=list(DEFAULT_SETS), metavar="FILE")
    args = parser.parse_args(argv)
    report = {path.stem.removeprefix("sentiment_"): measure(read_set(path)) for path in args.files}
    print(json.dumps({"precision_target": PRECISION_TARGET, "sets": report}, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
