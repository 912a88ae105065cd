"""The callback survey: which questions an agent asks on the closing callback, on which
scale, and how one callback's answers are read back.

The questions are data (assets/survey.toml, replaced by `[[survey.questions]]` in
config.toml); this module reads them from a parsed mapping and refuses a wrong one with the
entry and the field named. Answers are kept by question key, so a reworded question keeps
its history. Where they are stored is fixed: the `overall` part in the callback's
`satisfaction` (where the one callback score always was), `nps` in its `nps`, every other
key in its `survey` map. It refuses to read a file or a database.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from cs_console.errors import UserError
from cs_console.vocabulary import NPS_SCORES, SATISFACTION_SCORES, SURVEY_KEY_PATTERN, SURVEY_PART_SCORES

SCALES: dict[str, range] = {"score": SATISFACTION_SCORES, "effort": range(1, 8), "nps": NPS_SCORES}
"""The answers each kind of question takes: a 1-5 score, the 1-7 customer-effort score
(CES, 7 the easiest), the 0-10 recommendation score (NPS)."""
OVERALL, NPS = "overall", "nps"
"""The keys kept in the callback's own columns (`satisfaction`, `nps`)."""
FIXED_SCALES: dict[str, str] = {
    OVERALL: "score", NPS: "nps",
    **{key: "effort" if scores == SCALES["effort"] else "score" for key, scores in SURVEY_PART_SCORES.items()},
}
"""The standard parts' scales: a config may reword them, never rescale them, or last
quarter's answers would not compare."""
MAX_QUESTIONS = 12
"""More than this is no longer a callback survey; the dialog fits 80x24 up to it."""


class SurveyError(UserError, ValueError):
    """A survey definition that cannot be used; the message names the entry and field."""


@dataclass(frozen=True)
class Question:
    key: str
    scale: str
    """A name in `SCALES`."""
    en: str
    zh: str

    @property
    def scores(self) -> range:
        return SCALES[self.scale]

    def text(self, language: str) -> str:
        return self.zh if language == "zh" else self.en

    def label(self, language: str) -> str:
        """The question's short name for a report column: its text up to the first colon or
        bracket ("Response speed", "客服响应速度")."""
        return re.split(r"[:：?？(（]", self.text(language), maxsplit=1)[0].strip() or self.key


def questions_from_mapping(entries: object, source: str = "survey") -> tuple[Question, ...]:
    """The questions a parsed `[[questions]]` list describes, in order.

    Raises:
        SurveyError: not a list of tables; a key that is badly formed, repeated or given
            another scale than its standard one; an unknown scale; a missing text.
    """
    if not isinstance(entries, list) or not entries:
        raise SurveyError(f"{source}: expected a list of questions ([[questions]] tables)")
    if len(entries) > MAX_QUESTIONS:
        raise SurveyError(f"{source}: {len(entries)} questions; at most {MAX_QUESTIONS} fit a callback")
    questions: list[Question] = []
    for number, entry in enumerate(entries, 1):
        where = f"{source}: question {number}"
        if not isinstance(entry, Mapping):
            raise SurveyError(f"{where}: expected a table with key, scale, en and zh")
        key, scale = entry.get("key"), entry.get("scale")
        if not isinstance(key, str) or not re.fullmatch(SURVEY_KEY_PATTERN, key):
            raise SurveyError(f"{where}: key {key!r} must be lower-case letters, digits and _ (like speed)")
        if key in {q.key for q in questions}:
            raise SurveyError(f"{where}: key {key!r} is asked twice")
        if scale not in SCALES:
            raise SurveyError(f"{where} ({key}): scale {scale!r} is not one of {', '.join(SCALES)}")
        if FIXED_SCALES.get(key, scale) != scale:
            raise SurveyError(f"{where} ({key}): the {key} part is on the {FIXED_SCALES[key]} scale, not {scale}")
        texts = {language: entry.get(language) for language in ("en", "zh")}
        for language, text in texts.items():
            if not isinstance(text, str) or not text.strip():
                raise SurveyError(f"{where} ({key}): {language} is missing: the question as the agent reads it")
        questions.append(Question(key, scale, texts["en"].strip(), texts["zh"].strip()))
    return tuple(questions)


def answers_of(satisfaction: int | None, nps: int | None, survey: Iterable[tuple[str, int]]) -> dict[str, int]:
    """One callback's answers by question key, wherever each is stored."""
    answers = dict(survey)
    if satisfaction is not None:
        answers[OVERALL] = satisfaction
    if nps is not None:
        answers[NPS] = nps
    return answers


def split_answers(answers: Mapping[str, int]) -> tuple[int | None, int | None, dict[str, int]]:
    """Answers as stored: (satisfaction, nps, the rest for the `survey` map)."""
    rest = {key: value for key, value in answers.items() if key not in (OVERALL, NPS)}
    return answers.get(OVERALL), answers.get(NPS), rest


def survey_answer_texts(stored: str, questions: Iterable[Question], language: str) -> list[str]:
    """A callback's stored `survey` map as the thread shows it, in the survey's order:
    "Response speed 4/5"; a key no question asks now is named by its key."""
    try:
        answers = json.loads(stored or "{}")
    except ValueError:
        return []
    if not isinstance(answers, dict):
        return []
    asked = {question.key: question for question in questions}
    keys = [key for key in asked if key in answers] + [key for key in answers if key not in asked]
    return [f"{asked[key].label(language)} {answers[key]}/{asked[key].scores[-1]}" if key in asked
            else f"{key} {answers[key]}" for key in keys]
