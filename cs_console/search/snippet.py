"""The part of a long text that shows why it matched, with the matched words marked.

A message runs to paragraphs; a result line shows a few dozen characters. The snippet is
cut around the first place any searched word occurs (compared folded, as the knowledge
base compares: `cs_console.kb.normalize`), and every occurrence inside it is marked.
"""

from __future__ import annotations

from collections.abc import Sequence

from cs_console.kb.normalize import fold, fold_with_origins

BEFORE = 12
"""Characters kept before the first match, so it is read in context; few, as a result's
column may be narrow."""
ELLIPSIS = "…"


def snippet(text: str, words: Sequence[str], width: int = 120) -> tuple[str, list[tuple[int, int]]]:
    """At most `width` characters of `text` on one line, starting a little before the first
    match of any of `words`, and the (start, end) spans of the matches within it."""
    line = " ".join(text.split())
    folded, origins = fold_with_origins(line)
    found: list[tuple[int, int]] = []
    for word in {fold(w) for w in words if w.strip()}:
        at = folded.find(word)
        while at >= 0:
            found.append((origins[at], origins[at + len(word) - 1] + 1))
            at = folded.find(word, at + len(word))
    first = min((start for start, _ in found), default=0)
    start = max(0, first - BEFORE)
    prefix = ELLIPSIS if start else ""
    shown = prefix + line[start:start + width - len(prefix)]
    shift = len(prefix) - start
    spans = sorted((s + shift, min(e + shift, len(shown))) for s, e in found if s >= start and s + shift < len(shown))
    return shown, spans
