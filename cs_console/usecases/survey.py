"""The callback survey's questions in force: the config's `[[survey.questions]]`, else the
ones shipped in assets/survey.toml. The callback dialog and the reports ask here, so both
use the same questions. It refuses to store answers (`usecases.ticket_changes` does)."""

from __future__ import annotations

import functools
import tomllib
from typing import TYPE_CHECKING

from cs_console.lead.survey import Question, questions_from_mapping
from cs_console.paths import asset

if TYPE_CHECKING:
    from cs_console.config import Config

SHIPPED = "survey.toml"
"""The default questions' file among the assets."""


def survey_questions(config: Config) -> tuple[Question, ...]:
    """The questions an agent asks on a callback, in order."""
    return config.survey if config.survey is not None else shipped_questions()


@functools.cache
def shipped_questions() -> tuple[Question, ...]:
    """The questions of assets/survey.toml: the five parts of the standard, CES and NPS."""
    data = tomllib.loads(asset(SHIPPED).read_text(encoding="utf-8"))
    return questions_from_mapping(data.get("questions"), f"assets/{SHIPPED}")
