"""The lead reviews' section of a service report, in each of its formats and on the KPI pane.

`lead.reports` lays out the rest of the report and calls these for this section, so the
figures (already rounded by `lead.review_scores`) read the same everywhere. A mean that
cannot be measured (no review scored it) is written "—", or an empty cell in a CSV.
"""

from __future__ import annotations

import html

from cs_console.lead.review_scores import ReviewLine, ReviewSection
from cs_console.text.strings import Strings

EMPTY = "—"


def _mean(value: float | None, empty: str = EMPTY) -> str:
    return empty if value is None else f"{value:.2f}"


def _rows(section: ReviewSection, strings: Strings) -> list[tuple[str, ReviewLine]]:
    """Each line with its name: the team this period, the period before, then each agent."""
    return [(strings("review.report_team"), section.team), (strings("review.report_previous"), section.previous),
            *((line.name, line) for line in section.agents)]


def _header(section: ReviewSection, strings: Strings) -> list[str]:
    return [strings("report.name"), strings("review.report_count"), strings("review.report_overall"),
            *(section.label(key, strings.language) for key, _, _ in section.items)]


def _cells(section: ReviewSection, line: ReviewLine, empty: str = EMPTY) -> list[str]:
    return [str(line.reviews), _mean(line.overall, empty), *(_mean(line.items[key], empty) for key, _, _ in section.items)]


def review_json(section: ReviewSection) -> dict:
    def line_json(line: ReviewLine) -> dict:
        return {"reviews": line.reviews, "overall": line.overall, "items": dict(line.items)}

    return {
        "items": [{"key": key, "en": en, "zh": zh} for key, en, zh in section.items],
        "team": line_json(section.team),
        "previous": line_json(section.previous),
        "agents": [{"name": line.name, **line_json(line)} for line in section.agents],
    }


def review_csv_rows(section: ReviewSection, team: str, strings: Strings) -> list[list[str]]:
    """Rows in the report's long CSV shape: section, name, metric, label, value, previous, change, unit."""
    rows = []
    for name, line, previous in ((team, section.team, section.previous),
                                 *((line.name, line, None) for line in section.agents)):
        section_name = "review_team" if previous is not None else "review_agent"
        rows.append([section_name, name, "reviews", strings("review.report_count"), str(line.reviews),
                     str(previous.reviews) if previous else "", "", "count"])
        figures = [("overall", strings("review.report_overall"), line.overall, previous.overall if previous else None)]
        figures += [(key, section.label(key, strings.language), line.items[key],
                     previous.items[key] if previous else None) for key, _, _ in section.items]
        for key, label, value, before in figures:
            rows.append([section_name, name, f"review_{key}", label, _mean(value, ""), _mean(before, ""), "", "score"])
    return rows


def review_markdown(section: ReviewSection, strings: Strings) -> list[str]:
    lines = [f"## {strings('review.report_heading')}", ""]
    if not section.team.reviews and not section.previous.reviews:
        return lines + [strings("report.none"), ""]
    header = _header(section, strings)
    lines += ["| " + " | ".join(header) + " |", "|---|" + "---:|" * (len(header) - 1)]
    lines += ["| " + " | ".join([name.replace("|", "\\|"), *_cells(section, line)]) + " |"
              for name, line in _rows(section, strings)]
    return lines + [""]


def review_html(section: ReviewSection, strings: Strings) -> str:
    e = html.escape
    heading = f"<h2>{e(strings('review.report_heading'))}</h2>"
    if not section.team.reviews and not section.previous.reviews:
        return f"{heading}<p>{e(strings('report.none'))}</p>"
    head = "".join(f"<th>{e(cell)}</th>" for cell in _header(section, strings))
    body = "".join("<tr>" + f"<td>{e(name)}</td>" + "".join(f"<td class=n>{e(cell)}</td>"
                                                          for cell in _cells(section, line)) + "</tr>"
                   for name, line in _rows(section, strings))
    return f"{heading}<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def review_text(section: ReviewSection, strings: Strings) -> list[list[str]]:
    """The section as a table's rows for the lead's KPI pane: header first."""
    return [_header(section, strings), *([name, *_cells(section, line)] for name, line in _rows(section, strings))]
