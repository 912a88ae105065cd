"""Which customers need soothing: weighed phrases over their latest message.

A customer who writes "无法接受", "我要投诉" or "this is unacceptable" needs a calmer, faster
answer than the clocks alone say; one who writes "我们的SIM卡无法激活" is reporting a problem,
which is what every ticket does. So words are weighed: an emotional word or phrase
(`DEFAULT_LEXICON`: 失望, 受够了, "fed up", "unacceptable") is enough alone; a sign of strain
(`STRAIN_WORDS`: 无法, 催了, "still waiting", "how many times") counts half, so it takes two of
them, or one with an emotional word. A word right after a negation ("不是不满意", "we are not
angry", "not a complaint") does not count. A ticket is marked by the customer's latest
message only: once they write calmly again, the mark goes.

Words match as red lines do (`cs_console.kb.redlines`): case and width folded, punctuation
and spaces inside a phrase ignored, Latin words whole ("complaint" does not fire on
"complaints"; list the forms you want). The `[sentiment]` config table replaces the
emotional words (`words`) or adds to them (`extra_words`).

Precision and recall are measured on labelled messages in each language
(`tests/data/sentiment_*.tsv`, `python -m cs_console.scripts.bench_sentiment`).
It refuses to guess moods with a model, to rewrite anything, or to read the database.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from cs_console.kb.redlines import find_red_lines

DEFAULT_LEXICON: tuple[str, ...] = (
    "太差", "差评", "不满", "不满意", "失望", "生气", "愤怒", "气愤", "气死", "欺骗", "骗人", "骗子", "垃圾系统", "垃圾服务", "真垃圾",
    "忍无可忍", "无法接受", "不能接受", "找律师", "律师函", "起诉", "法院见", "曝光", "消协", "12315", "要投诉", "我要投诉", "投诉你们",
    "受够了", "太过分", "什么态度", "离谱", "敷衍", "推卸责任", "没有耐心", "好欺负", "浪费时间", "浪费我们时间",
    "一问三不知", "还好意思", "凭什么", "到底有没有", "到底还想不想", "再也不", "不专业", "越修越坏", "说了多少遍",
    "别再让我等",
    "unacceptable", "not acceptable", "disappointed", "disappointing", "frustrated", "frustrating", "angry",
    "furious", "ridiculous", "terrible", "worst", "useless", "involve our lawyers", "legal action", "never again",
    "fed up", "outrageous", "appalling", "disgrace", "disgraceful", "shameful", "incompetent", "pathetic",
    "sick of", "cheated", "a joke", "unhappy", "not happy", "lost patience", "losing my patience",
    "enough is enough", "do you even care", "not seem to care", "speak to your manager", "broken promise",
    "what kind of service", "from bad to worse", "report you", "want to file a complaint", "someone competent",
    "how many times do i have to",
)
"""Emotional words and phrases: any one marks a message as needing soothing."""
STRAIN_WORDS: tuple[str, ...] = (
    "无法", "投诉", "垃圾", "律师", "太慢", "一直没人", "没人管", "没人理", "没人接", "催了", "还没", "一拖再拖", "又一次", "多次",
    "好几次", "三次", "五次", "很多次", "十几个", "一个星期", "半个月", "整整", "再这样", "赔偿", "损失", "根本",
    "白白",
    "unable to", "cannot", "lawyer", "lawyers", "still waiting", "still no answer", "nobody answers", "no one answers", "nobody",
    "no one", "again and again", "once again", "how many times", "third time", "fourth", "three times",
    "five times", "two weeks", "days without", "complaint", "complain", "complained", "again", "wasted",
)
"""Signs of strain that a plain problem report also shows: two of them mark a message."""
SOOTHE_AT = 2
"""The weight that marks a message: an emotional word weighs 2, a sign of strain 1."""
NEGATIONS = ("不是", "并非", "并不", "没有", "not", "no", "never", "isn't", "aren't", "wasn't", "don't")
"""A word just after one of these ("不是不满意", "not angry", "not a complaint") is not counted."""
SOOTHE_MARK = "☹"
"""Shown beside a ticket whose customer needs soothing; one cell wide in CJK terminals too."""

_LATIN_WORDS = re.compile(r"[a-z']+")


def needs_soothing(text: str | None, lexicon: Iterable[str] = DEFAULT_LEXICON,
                   strain: Iterable[str] = STRAIN_WORDS) -> tuple[str, ...]:
    """The words found in `text`, in text order, when together they mark it as needing
    soothing; empty when it reads calm (or only reports a problem)."""
    if not text:
        return ()
    emotional = set(lexicon)
    weight, found = 0, []
    for hit in find_red_lines(text, (*emotional, *strain)):
        if _negated(text[max(0, hit.start - 12):hit.start]):
            continue
        weight += 2 if hit.phrase in emotional else 1
        found.append(hit.phrase)
    return tuple(dict.fromkeys(found)) if weight >= SOOTHE_AT else ()


def _negated(before: str) -> bool:
    """True when the text just before a word negates it: "不是" right before, or "not" among
    the two Latin words before."""
    before = before.casefold().rstrip()
    if before.endswith(tuple(n for n in NEGATIONS if not n.isascii())):
        return True
    return any(word in NEGATIONS for word in _LATIN_WORDS.findall(before)[-2:])


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
