"""The service report's section on service quality as the standards measure it: the
callback survey's parts (per team, agent and tenure band, against the period before) and
the team's stability (headcount, joiners, leavers, turnover, tenure bands).

Built once with the report (`lead.reports.build`) and laid out here as tables every format
shares: Markdown and HTML print `tables`, the lead screen shows them, CSV writes
`csv_rows` (one number per line, as the rest of the report) and JSON `to_data`. Numbers
are rounded once, where they are computed (`lead.survey_figures`, `lead.stability`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from cs_console.lead.kpi import TicketFacts
from cs_console.lead.periods import Period
from cs_console.lead.stability import Stability, stability
from cs_console.lead.survey import Question
from cs_console.lead.survey_figures import GroupParts, PartLine, SurveyFigures, decimals, survey_figures
from cs_console.text.strings import Strings

EMPTY = "—"
STABILITY_FIGURES = ("headcount_start", "headcount_end", "joiners", "leavers", "turnover")
"""The stability figures, in the order shown."""


@dataclass(frozen=True)
class QualitySection:
    survey: SurveyFigures
    stability: Stability


@dataclass(frozen=True)
class QualityTable:
    title: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


def quality_section(tickets: Iterable[TicketFacts], agents: Iterable, period: Period, now: datetime,
                    questions: tuple[Question, ...]) -> QualitySection:
    """The section for `period`, from the report's tickets and agents (those of its team)."""
    agents = list(agents)
    previous = period.previous()
    figures = survey_figures(tickets, agents, questions, ((period.start, period.end), (previous.start, previous.end)),
                             now, period.zone)
    return QualitySection(figures, stability(agents, period.first, period.after))


def tables(section: QualitySection, strings: Strings) -> tuple[QualityTable, ...]:
    """The section as titled tables of text, in the interface language."""
    s, survey, team = strings, section.survey, section.stability
    questions = survey.questions
    labels = tuple(q.label(s.language) for q in questions)
    parts = QualityTable(
        s("quality.survey", count=survey.callbacks),
        (s("quality.part"), s("quality.this"), s("quality.before"), s("report.change"), s("quality.answers")),
        tuple((label, _value(survey.team[q.key].current, q), _value(survey.team[q.key].previous, q),
               _change(survey.team[q.key].change, q), str(survey.team[q.key].count))
              for q, label in zip(questions, labels)),
    )
    agents = QualityTable(
        s("quality.survey_agents"), (s("report.agent"), s("quality.callbacks"), *labels),
        tuple((line.name, str(line.callbacks), *_cells(line, questions)) for line in survey.agents),
    )
    figures = {"headcount_start": str(team.headcount_start), "headcount_end": str(team.headcount_end),
               "joiners": _names(len(team.joiners), team.joiners), "leavers": _names(len(team.leavers), team.leavers),
               "turnover": EMPTY if team.turnover is None else f"{team.turnover:.1f}%"}
    stable = QualityTable(s("quality.stability"), (s("report.metric"), s("quality.this")),
                          tuple((s(f"quality.{key}"), figures[key]) for key in STABILITY_FIGURES))
    bands = QualityTable(
        s("quality.tenure"), (s("quality.band"), s("quality.agents_at_end"), s("quality.callbacks"), *labels),
        tuple((s(f"tenure.{line.name}"), str(team.bands[line.name]), str(line.callbacks), *_cells(line, questions))
              for line in survey.bands),
    )
    return parts, agents, stable, bands


def csv_rows(section: QualitySection, strings: Strings, team: str) -> list[list]:
    """Rows for the report's CSV: section, name, metric, label, value, previous, change, unit."""
    survey, people = section.survey, section.stability
    rows: list[list] = []

    def part_rows(kind: str, name: str, lines: dict[str, PartLine]) -> None:
        for q in survey.questions:
            line = lines[q.key]
            rows.append([kind, name, q.key, q.label(strings.language), _value(line.current, q, ""),
                         _value(line.previous, q, ""), _value(line.change, q, ""), q.scale])

    part_rows("survey", team, survey.team)
    for line in survey.agents:
        part_rows("survey_agent", line.name, line.parts)
    for line in survey.bands:
        part_rows("survey_tenure", line.name, line.parts)
    counts = {"headcount_start": people.headcount_start, "headcount_end": people.headcount_end,
              "joiners": len(people.joiners), "leavers": len(people.leavers)}
    for key in STABILITY_FIGURES:
        value = people.turnover if key == "turnover" else counts[key]
        rows.append(["stability", team, key, strings(f"quality.{key}"), "" if value is None else value, "", "",
                     "percent" if key == "turnover" else "count"])
    for band, count in people.bands.items():
        rows.append(["tenure", band, "agents", strings(f"tenure.{band}"), count, "", "", "count"])
    return rows


def to_data(section: QualitySection) -> dict:
    """The section for the report's JSON."""
    survey, people = section.survey, section.stability

    def parts(lines: dict[str, PartLine]) -> dict:
        return {key: {"value": line.current, "previous": line.previous, "change": line.change, "count": line.count}
                for key, line in lines.items()}

    def groups(lines: tuple[GroupParts, ...], name: str) -> list[dict]:
        return [{name: line.name, "callbacks": line.callbacks, "parts": parts(line.parts)} for line in lines]

    return {
        "survey": {
            "questions": [{"key": q.key, "scale": q.scale, "en": q.en, "zh": q.zh} for q in survey.questions],
            "callbacks": survey.callbacks, "team": parts(survey.team),
            "agents": groups(survey.agents, "name"), "tenure_bands": groups(survey.bands, "band"),
        },
        "stability": {
            "headcount_start": people.headcount_start, "headcount_end": people.headcount_end,
            "joiners": list(people.joiners), "leavers": list(people.leavers), "turnover": people.turnover,
            "tenure_bands": dict(people.bands),
        },
    }


def _value(value: float | None, question: Question, empty: str = EMPTY) -> str:
    """A question's figure as every format prints it: its decimals, `empty` for none."""
    return empty if value is None else f"{value:.{decimals(question)}f}"


def _change(value: float | None, question: Question) -> str:
    return EMPTY if value is None else ("+" if value > 0 else "") + f"{value:.{decimals(question)}f}"


def _cells(line: GroupParts, questions: tuple[Question, ...]) -> tuple[str, ...]:
    """Each question's result, with its change against the period before when there is one."""
    cells = []
    for q in questions:
        part = line.parts[q.key]
        cells.append(_value(part.current, q) + (f" ({_change(part.change, q)})" if part.change is not None else ""))
    return tuple(cells)


def _names(count: int, names: tuple[str, ...]) -> str:
    return f"{count} ({', '.join(names)})" if names else str(count)
