"""The rubric a lead scores a conversation on, as data: items with a key and English and
Chinese labels, each scored with one digit (`SCORES`).

The default is the team-management standard's dialogue quality (对话质量), the
distribution desk's answer accuracy (解答准确), compliance (合规) and PEARL's empathy (共情),
shipped as assets/review_rubric.json; an admin replaces it with a file of the same shape
(`usecases.reviews` finds it). Reviews store their digits by item key, so a reworded item
keeps its history and a removed one still shows under its key. This module parses and
checks; it refuses to read files.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

SCORES = range(1, 6)
"""One digit per item: 1 poor, 3 as expected, 5 excellent."""
MAX_ITEMS = 9
"""Items a rubric may have: each is picked with one keystroke, and the form fits 80x24."""
KEY_PATTERN = re.compile(r"[a-z][a-z0-9_]{0,31}")
"""An item's key: short, lower-case, stable across rewordings."""


class RubricError(ValueError):
    """A rubric file that cannot be used; the message names the file's problem."""


@dataclass(frozen=True)
class RubricItem:
    key: str
    labels: tuple[str, str]
    """English, Chinese."""
    hints: tuple[str, str] = ("", "")

    def label(self, language: str) -> str:
        return self.labels[1] if language == "zh" else self.labels[0]

    def hint(self, language: str) -> str:
        return self.hints[1] if language == "zh" else self.hints[0]


@dataclass(frozen=True)
class Rubric:
    items: tuple[RubricItem, ...]

    def label(self, key: str, language: str) -> str:
        """The item's label, or its key when this rubric no longer has it."""
        return next((item.label(language) for item in self.items if item.key == key), key)


def parse_rubric(text: str, source: str) -> Rubric:
    """The rubric in `text` (JSON: {"items": [{"key", "en", "zh", "en_hint"?, "zh_hint"?}]}).

    Raises:
        RubricError: not that shape; the message names `source` and the item.
    """
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise RubricError(f"{source}: not JSON ({error.msg} at line {error.lineno})") from None
    items = data.get("items") if isinstance(data, dict) else None
    if not isinstance(items, list) or not 1 <= len(items) <= MAX_ITEMS:
        raise RubricError(f"{source}: needs \"items\", a list of 1 to {MAX_ITEMS} items")
    parsed, seen = [], set()
    for number, item in enumerate(items, start=1):
        where = f"{source}: item {number}"
        if not isinstance(item, dict):
            raise RubricError(f"{where} is not an object")
        key = item.get("key")
        if not isinstance(key, str) or not KEY_PATTERN.fullmatch(key):
            raise RubricError(f"{where}: \"key\" must be lower-case letters, digits or _ (like \"empathy\"), "
                              f"not {key!r}")
        if key in seen:
            raise RubricError(f"{where}: key {key!r} is used twice")
        seen.add(key)
        texts = [item.get(name, "") for name in ("en", "zh", "en_hint", "zh_hint")]
        if not all(isinstance(t, str) for t in texts) or not texts[0].strip() or not texts[1].strip():
            raise RubricError(f"{where} ({key}): needs an \"en\" and a \"zh\" label (text)")
        parsed.append(RubricItem(key, (texts[0], texts[1]), (texts[2], texts[3])))
    return Rubric(tuple(parsed))


def scores_problem(text: object) -> str | None:
    """Why `text` is not a review's stored scores (a JSON object of item key to digit), or None."""
    if not isinstance(text, str):
        return "review.scores must be text holding a JSON object"
    try:
        scores = json.loads(text)
    except json.JSONDecodeError:
        return "review.scores is not JSON"
    if not isinstance(scores, dict) or not scores:
        return "review.scores must be a JSON object with at least one item, like {\"empathy\": 4}"
    for key, value in scores.items():
        if not KEY_PATTERN.fullmatch(key):
            return f"review.scores: {key[:40]!r} is not a rubric item key"
        if isinstance(value, bool) or not isinstance(value, int) or value not in SCORES:
            return f"review.scores.{key} must be a whole number from {SCORES.start} to {SCORES[-1]}, not {value!r}"
    return None


def read_scores(text: str) -> dict[str, int]:
    """A review's stored scores; ones that do not parse (never written so) read as none."""
    return {} if scores_problem(text) else json.loads(text)


def mean_score(scores: dict[str, int]) -> float | None:
    return sum(scores.values()) / len(scores) if scores else None
