"""Which customers need soothing: an editable keyword lexicon over their latest message.

A customer who writes "无法接受", "我要投诉" or "this is unacceptable" needs a calmer, faster
answer than the clocks alone say. A lexicon of such words in Chinese and English marks
those tickets, so the queue can show a mark beside them and the lead view can count them.
A ticket is marked by the customer's latest message only: once they write calmly again,
the mark goes.

Words match as red lines do (`cs_console.kb.redlines`): case and width folded, punctuation
and spaces inside a phrase ignored, Latin words whole ("complaint" does not fire on
"complaints"; list the forms you want). The `[sentiment]` config table replaces the words
(`words`) or adds to them (`extra_words`).

It refuses to guess moods with a model, to rewrite anything, or to read the database.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from cs_console.kb.redlines import find_red_lines

DEFAULT_LEXICON: tuple[str, ...] = (
    "无法", "投诉", "不满", "不满意", "失望", "太差", "差评", "生气", "愤怒", "气愤", "欺骗",
    "骗人", "垃圾", "忍无可忍", "无法接受", "不能接受", "太慢", "一直没人", "没人管",
    "催了", "再也不", "律师", "起诉", "曝光", "消协", "12315",
    "unacceptable", "complaint", "complain", "disappointed", "frustrated", "frustrating",
    "angry", "furious", "ridiculous", "terrible", "worst", "useless", "lawyer", "legal action",
    "still waiting", "nobody answers", "no one answers", "again and again", "never again",
)
"""Words and phrases that mark a message as needing soothing, Chinese and English."""
SOOTHE_MARK = "☹"
"""Shown beside a ticket whose customer needs soothing; one cell wide in CJK terminals too."""


def needs_soothing(text: str | None, lexicon: Iterable[str] = DEFAULT_LEXICON) -> tuple[str, ...]:
    """The lexicon words found in `text`, in text order; empty when it reads calm."""
    if not text:
        return ()
    return tuple(dict.fromkeys(hit.phrase for hit in find_red_lines(text, lexicon)))


def soothing_flags(latest_messages: Mapping[str, str], lexicon: Iterable[str] = DEFAULT_LEXICON) -> dict[str, tuple[str, ...]]:
    """Ticket id to the words found in its latest customer message, for the tickets that
    need soothing only."""
    words = tuple(lexicon)
    flags = {}
    for ticket_id, text in latest_messages.items():
        found = needs_soothing(text, words)
        if found:
            flags[ticket_id] = found
    return flags
