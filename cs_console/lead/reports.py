"""The service report for a period: KPIs against the period before, the voice of the
customer, each agent's scores, in Markdown, CSV, HTML or JSON.

A report is built once, with every number already rounded, and each format only lays it
out: the same numbers in every format, whatever reads them (a spreadsheet, a browser, a
script, an e-mail). The top customer issues are the most frequent categories and tags of
the tickets created in the period, and those rising fastest are the ones whose count grew
most since the period before.

It refuses to read the database (the caller gives the tickets) and to invent a number:
what cannot be measured is empty, written "—".
"""

from __future__ import annotations

import csv
import html
import io
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from cs_console.clocks.calendars import BusinessCalendar
from cs_console.clocks.sla import SlaPolicy
from cs_console.lead import complaints, kb_contribution, kpi, quality_report
from cs_console.lead.charts import sparkline
from cs_console.lead.periods import Period
from cs_console.lead.quality_report import QualitySection, quality_section
from cs_console.lead.report_formats import FORMATS
from cs_console.lead.review_report import review_csv_rows, review_html, review_json, review_markdown
from cs_console.lead.review_scores import ReviewSection, ScoredWork, review_section
from cs_console.lead.rubric import Rubric
from cs_console.lead.survey import Question
from cs_console.text.display import channel_name
from cs_console.text.strings import Strings

if TYPE_CHECKING:
    from cs_console.storage.models import Agent

TOP_ISSUES = 5
"""How many categories and tags the voice-of-the-customer lists show."""
EMPTY = "—"
TIME_FORMAT = "%Y-%m-%d %H:%M"
"""Times in a report's heading, local to the zone it names."""
"""How a number that could not be measured is written."""


@dataclass(frozen=True)
class MetricSpec:
    key: str
    unit: str
    """count, minutes, hours, percent or score."""
    decimals: int
    better: int
    """+1 when higher is better, -1 when lower is, 0 when neither."""


METRICS: tuple[MetricSpec, ...] = (
    MetricSpec("created", "count", 0, 0),
    MetricSpec("solved", "count", 0, +1),
    MetricSpec("first_response_median", "minutes", 1, -1),
    MetricSpec("first_response_p90", "minutes", 1, -1),
    MetricSpec("first_response_met", "percent", 1, +1),
    MetricSpec("solution_met", "percent", 1, +1),
    MetricSpec("closure_met", "percent", 1, +1),
    MetricSpec("escalation_met", "percent", 1, +1),
    MetricSpec("fcr", "percent", 1, +1),
    MetricSpec("escalation_rate", "percent", 1, -1),
    MetricSpec("reopen_rate", "percent", 1, -1),
    MetricSpec("csat", "percent", 1, +1),
    MetricSpec("csat_mean", "score", 2, +1),
    MetricSpec("nps", "score", 1, +1),
    MetricSpec("backlog", "count", 0, -1),
    MetricSpec("backlog_median_age", "hours", 1, -1),
    MetricSpec("backlog_oldest_age", "hours", 1, -1),
    *(MetricSpec(*spec) for spec in (*complaints.METRIC_SPECS, *kb_contribution.METRIC_SPECS)),
)
"""Every number of a report, in the order it is shown."""
SPECS = {spec.key: spec for spec in METRICS}
AGENT_METRICS = ("created", "solved", "first_response_median", "first_response_met", "fcr", "csat",
                 "reopen_rate", "escalation_rate", "backlog", "complaints", "kb_approved", "kb_used_by_others")
"""The scores each agent's line shows."""
TREND_METRICS = ("created", "first_response_median", "csat")
"""What the trend charts follow, bucket by bucket through the period."""
UNIT_SUFFIX = {"count": "", "minutes": "", "hours": "", "percent": "%", "score": ""}


@dataclass(frozen=True)
class MetricLine:
    key: str
    current: float | None
    previous: float | None
    change: float | None


@dataclass(frozen=True)
class IssueLine:
    """A category or tag: tickets created with it this period and the period before."""

    name: str
    count: int
    previous: int
    change: int


@dataclass(frozen=True)
class ChannelLine:
    """A channel (phone, email, api...): tickets that came in by it this period, their share
    of the period's tickets in percent, and the count the period before."""

    name: str
    count: int
    share: float
    previous: int
    change: int


@dataclass(frozen=True)
class AgentLine:
    agent_id: str
    name: str
    values: dict[str, float | None]


@dataclass(frozen=True)
class TrendLine:
    key: str
    labels: tuple[str, ...]
    values: tuple[float | None, ...]


@dataclass(frozen=True)
class Report:
    kind: str
    period: str
    previous_period: str
    start: datetime
    end: datetime
    zone: str
    team: str | None
    generated_at: datetime
    metrics: tuple[MetricLine, ...]
    trends: tuple[TrendLine, ...]
    top_categories: tuple[IssueLine, ...]
    rising_categories: tuple[IssueLine, ...]
    top_tags: tuple[IssueLine, ...]
    rising_tags: tuple[IssueLine, ...]
    agents: tuple[AgentLine, ...]
    channel_mix: tuple[ChannelLine, ...] = ()
    reviews: ReviewSection | None = None
    """The leads' reviews of conversations, when the caller gave a rubric."""
    quality: QualitySection | None = None
    """The callback survey's parts and the team's stability (`lead.quality_report`)."""


def metric_values(numbers: kpi.Kpis, extra: dict[str, float | None]) -> dict[str, float | None]:
    """A period's KPIs, and the `extra` figures of complaints and learning, as the report's
    metrics, rounded as every format prints them."""
    raw = {
        **extra,
        "created": numbers.created,
        "solved": numbers.solved,
        "first_response_median": numbers.first_response_median_min,
        "first_response_p90": numbers.first_response_p90_min,
        **{f"{name}_met": _percent(share) for name, share in numbers.clock_met.items()},
        "fcr": _percent(numbers.fcr),
        "escalation_rate": _percent(numbers.escalation_rate),
        "reopen_rate": _percent(numbers.reopen_rate),
        "csat": _percent(numbers.csat),
        "csat_mean": numbers.csat_mean,
        "nps": numbers.nps,
        "backlog": numbers.backlog,
        "backlog_median_age": numbers.backlog_median_age_h,
        "backlog_oldest_age": numbers.backlog_oldest_age_h,
    }
    return {spec.key: _rounded(raw[spec.key], spec.decimals) for spec in METRICS}


def build(
    tickets: Iterable[kpi.TicketFacts],
    agents: Iterable[Agent],
    period: Period,
    now: datetime,
    policy: SlaPolicy,
    calendar: BusinessCalendar,
    team: str | None = None,
    reviews: Iterable[ScoredWork] = (),
    rubric: Rubric | None = None,
    questions: tuple[Question, ...] = (),
    learning: kb_contribution.Learning = kb_contribution.Learning(),
) -> Report:
    """The report for `period` (with trends against the one before) from `tickets`, which
    must include every ticket created in either period, still open, or touched since, and
    from the knowledge-base proposals and their uses (`learning`); with a `rubric`, the
    `reviews` (of both periods) of the agents given roll up in its section; with the
    callback survey's `questions`, its quality section too."""
    agents = list(agents)
    tickets = list(tickets)
    members = {agent.id for agent in agents}
    if team is not None:
        members = {agent.id for agent in agents if agent.team == team}
        tickets = [t for t in tickets if t.assignee_id in members or (t.assignee_id is None and t.team == team)]

    def extra(own: list[kpi.TicketFacts], start: datetime, end: datetime, authors: set[str]) -> dict:
        return {**complaints.figures(own, start, end, now), **kb_contribution.figures(learning, start, end, now, authors)}

    previous = period.previous()
    current = kpi.compute(tickets, period.start, period.end, now, policy, calendar)
    before = kpi.compute(tickets, previous.start, previous.end, now, policy, calendar)
    now_values = metric_values(current, extra(tickets, period.start, period.end, members))
    before_values = metric_values(before, extra(tickets, previous.start, previous.end, members))
    metrics = tuple(
        MetricLine(key, now_values[key], before_values[key], _change(now_values[key], before_values[key], SPECS[key]))
        for key in now_values
    )
    buckets = [b for b in period.buckets() if b.start < now]
    bucket_values = [
        metric_values(kpi.compute(tickets, bucket.start, bucket.end, now, policy, calendar),
                      extra(tickets, bucket.start, bucket.end, members)) for bucket in buckets
    ]
    trends = tuple(
        TrendLine(key, tuple(b.label for b in buckets), tuple(values[key] for values in bucket_values))
        for key in TREND_METRICS
    )
    categories = _issues(current.by_category, before.by_category)
    tags = _issues(current.by_tag, before.by_tag)
    names = {agent.id: agent.name for agent in agents}
    agent_lines = []
    for agent_id, own in sorted(kpi.by_assignee(tickets).items(), key=lambda item: names.get(item[0] or "", "~")):
        if agent_id is None:
            continue
        values = metric_values(kpi.compute(own, period.start, period.end, now, policy, calendar),
                               extra(own, period.start, period.end, {agent_id}))
        if values["created"] or values["backlog"] or values["solved"]:
            agent_lines.append(AgentLine(agent_id, names.get(agent_id, agent_id), {k: values[k] for k in AGENT_METRICS}))
    return Report(
        kind=period.kind, period=period.label, previous_period=previous.label,
        start=period.start, end=period.end, zone=period.zone, team=team, generated_at=now,
        metrics=metrics, trends=trends,
        top_categories=categories[:TOP_ISSUES], rising_categories=_rising(categories),
        top_tags=tags[:TOP_ISSUES], rising_tags=_rising(tags),
        agents=tuple(agent_lines),
        channel_mix=_channel_mix(current.by_channel, before.by_channel),
        reviews=None if rubric is None else review_section(
            reviews, {a.id: a.name for a in agents if team is None or a.team == team}, rubric,
            (period.start, period.end), (previous.start, previous.end)),
        quality=quality_section(tickets, [a for a in agents if team is None or a.team == team], period, now,
                                questions) if questions else None,
    )


def format_value(value: float | None, key: str, *, suffix: bool = True, empty: str = EMPTY) -> str:
    """A metric's value as every format writes it: its decimals, "%" for shares, `empty`
    ("—", or nothing in a CSV number column) if none."""
    if value is None:
        return empty
    spec = SPECS[key]
    text = f"{value:.{spec.decimals}f}"
    return text + (UNIT_SUFFIX[spec.unit] if suffix else "")


def format_change(value: float | None, key: str, empty: str = EMPTY) -> str:
    if value is None:
        return empty
    return ("+" if value > 0 else "") + format_value(value, key, suffix=False)


def trend_arrow(line: MetricLine) -> str:
    """▲ or ▼ for the direction, ✔ or ✖ after it when that direction is better or worse."""
    if not line.change:
        return "="
    arrow = "▲" if line.change > 0 else "▼"
    better = SPECS[line.key].better
    if not better:
        return arrow
    return arrow + ("✔" if (line.change > 0) == (better > 0) else "✖")


def render(report: Report, fmt: str, strings: Strings) -> str:
    """The report as text in `fmt` (md, csv, html or json).

    Raises:
        ValueError: an unknown format.
    """
    if fmt == "json":
        return to_json(report)
    if fmt == "csv":
        return to_csv(report, strings)
    if fmt == "md":
        return to_markdown(report, strings)
    if fmt == "html":
        return to_html(report, strings)
    raise ValueError(f"unknown report format {fmt!r}; expected one of {', '.join(FORMATS)}")


def to_json(report: Report) -> str:
    def issues(lines: Sequence[IssueLine]) -> list[dict]:
        return [{"name": i.name, "count": i.count, "previous": i.previous, "change": i.change} for i in lines]

    data = {
        "kind": report.kind,
        "period": report.period,
        "previous_period": report.previous_period,
        "start": _local(report, report.start).isoformat(),
        "end": _local(report, report.end).isoformat(),
        "timezone": report.zone,
        "team": report.team,
        "generated_at": _local(report, report.generated_at).isoformat(),
        "metrics": {m.key: {"value": m.current, "previous": m.previous, "change": m.change,
                            "unit": SPECS[m.key].unit} for m in report.metrics},
        "trends": {t.key: {"labels": list(t.labels), "values": list(t.values)} for t in report.trends},
        "voice_of_customer": {
            "top_categories": issues(report.top_categories),
            "rising_categories": issues(report.rising_categories),
            "top_tags": issues(report.top_tags),
            "rising_tags": issues(report.rising_tags),
        },
        "agents": [{"id": a.agent_id, "name": a.name, **a.values} for a in report.agents],
        "channel_mix": [{"channel": c.name, "count": c.count, "share": c.share, "previous": c.previous,
                         "change": c.change} for c in report.channel_mix],
        "reviews": review_json(report.reviews) if report.reviews else None,
        **({"quality": quality_report.to_data(report.quality)} if report.quality else {}),
    }
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def to_csv(report: Report, strings: Strings) -> str:
    """Long format, one number per line: section, name, metric, label, value, previous, change.
    A value that cannot be measured is an empty cell, so a spreadsheet reads the column as numbers."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["section", "name", "metric", "label", "value", "previous", "change", "unit"])
    for m in report.metrics:
        writer.writerow(["team", report.team or "", m.key, strings(f"metric.{m.key}"),
                         format_value(m.current, m.key, suffix=False, empty=""),
                         format_value(m.previous, m.key, suffix=False, empty=""), format_change(m.change, m.key, empty=""),
                         SPECS[m.key].unit])
    for section, lines in _issue_sections(report):
        for i in lines:
            writer.writerow([section, i.name, "tickets", strings(f"report.{section}"), i.count, i.previous,
                             _signed(i.change), "count"])
    for c in report.channel_mix:
        writer.writerow(["channel_mix", c.name, "tickets", channel_name(c.name, strings), c.count, c.previous,
                         _signed(c.change), "count"])
    for trend in report.trends:
        for label, value in zip(trend.labels, trend.values):
            writer.writerow(["trend", label, trend.key, strings(f"metric.{trend.key}"),
                             format_value(value, trend.key, suffix=False, empty=""), "", "", SPECS[trend.key].unit])
    for agent in report.agents:
        for key, value in agent.values.items():
            writer.writerow(["agent", agent.name, key, strings(f"metric.{key}"),
                             format_value(value, key, suffix=False, empty=""), "", "", SPECS[key].unit])
    writer.writerows(review_csv_rows(report.reviews, report.team or "", strings) if report.reviews else [])
    if report.quality:
        writer.writerows(quality_report.csv_rows(report.quality, strings, report.team or ""))
    return out.getvalue()


def to_markdown(report: Report, strings: Strings) -> str:
    lines = [f"# {_title(report, strings)}", "", _subtitle(report, strings), ""]
    lines += [f"## {strings('report.kpis')}", "",
              f"| {strings('report.metric')} | {report.period} | {report.previous_period} | {strings('report.change')} |",
              "|---|---:|---:|---:|"]
    for m in report.metrics:
        lines.append(f"| {strings(f'metric.{m.key}')} | {format_value(m.current, m.key)} | "
                     f"{format_value(m.previous, m.key)} | {format_change(m.change, m.key)} {trend_arrow(m)} |")
    lines += ["", f"## {strings('report.trends')}", ""]
    for trend in report.trends:
        first, last = (trend.labels[0], trend.labels[-1]) if trend.labels else ("", "")
        lines.append(f"- {strings(f'metric.{trend.key}')}: `{sparkline(trend.values)}` ({first} … {last}: "
                     + ", ".join(format_value(v, trend.key) for v in trend.values) + ")")
    lines += ["", f"## {strings('report.channel_mix')}", ""]
    if report.channel_mix:
        lines += [f"| {strings('report.channel')} | {report.period} | % | {report.previous_period} | "
                  f"{strings('report.change')} |", "|---|---:|---:|---:|---:|"]
        lines += [f"| {channel_name(c.name, strings)} | {c.count} | {c.share:.1f}% | {c.previous} | {_signed(c.change)} |"
                  for c in report.channel_mix]
    else:
        lines.append(strings("report.none"))
    lines += ["", f"## {strings('report.voice')}", ""]
    for section, issues in _issue_sections(report):
        lines += [f"### {strings(f'report.{section}')}", ""]
        if not issues:
            lines += [strings("report.none"), ""]
            continue
        lines += [f"| {strings('report.name')} | {report.period} | {report.previous_period} | {strings('report.change')} |",
                  "|---|---:|---:|---:|"]
        lines += [f"| {_md(i.name)} | {i.count} | {i.previous} | {_signed(i.change)} |" for i in issues]
        lines.append("")
    lines += review_markdown(report.reviews, strings) if report.reviews else []
    lines += [f"## {strings('report.agents')}", ""]
    if report.agents:
        lines += ["| " + " | ".join([strings("report.agent"), *(strings(f"metric.{k}") for k in AGENT_METRICS)]) + " |",
                  "|---|" + "---:|" * len(AGENT_METRICS)]
        lines += ["| " + " | ".join([_md(a.name), *(format_value(a.values[k], k) for k in AGENT_METRICS)]) + " |"
                  for a in report.agents]
    else:
        lines.append(strings("report.none"))
    for table in quality_report.tables(report.quality, strings) if report.quality else ():
        lines += ["", f"## {table.title}", "", "| " + " | ".join(table.header) + " |",
                  "|---|" + "---:|" * (len(table.header) - 1),
                  *("| " + " | ".join(map(_md, row)) + " |" for row in table.rows)]
    return "\n".join(lines) + "\n"


def to_html(report: Report, strings: Strings) -> str:
    e = html.escape
    parts = [
        "<!DOCTYPE html>", f'<html lang="{strings.language}"><head><meta charset="utf-8">',
        f"<title>{e(_title(report, strings))}</title>",
        "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;margin-bottom:1.5em}"
        "td,th{border:1px solid #999;padding:.2em .6em}td.n{text-align:right}</style></head><body>",
        f"<h1>{e(_title(report, strings))}</h1>", f"<p>{e(_subtitle(report, strings))}</p>",
        f"<h2>{e(strings('report.kpis'))}</h2>",
        _html_table(
            [strings("report.metric"), report.period, report.previous_period, strings("report.change")],
            [[strings(f"metric.{m.key}"), format_value(m.current, m.key), format_value(m.previous, m.key),
              f"{format_change(m.change, m.key)} {trend_arrow(m)}"] for m in report.metrics],
        ),
        f"<h2>{e(strings('report.trends'))}</h2><ul>",
    ]
    for trend in report.trends:
        parts.append(f"<li>{e(strings(f'metric.{trend.key}'))}: <code>{e(sparkline(trend.values))}</code> "
                     + e(", ".join(f"{label} {format_value(v, trend.key)}" for label, v in zip(trend.labels, trend.values)))
                     + "</li>")
    parts += ["</ul>", f"<h2>{e(strings('report.channel_mix'))}</h2>"]
    parts.append(
        _html_table([strings("report.channel"), report.period, "%", report.previous_period, strings("report.change")],
                    [[channel_name(c.name, strings), str(c.count), f"{c.share:.1f}%", str(c.previous), _signed(c.change)]
                     for c in report.channel_mix])
        if report.channel_mix else f"<p>{e(strings('report.none'))}</p>"
    )
    parts.append(f"<h2>{e(strings('report.voice'))}</h2>")
    for section, issues in _issue_sections(report):
        parts.append(f"<h3>{e(strings(f'report.{section}'))}</h3>")
        parts.append(
            _html_table([strings("report.name"), report.period, report.previous_period, strings("report.change")],
                        [[i.name, str(i.count), str(i.previous), _signed(i.change)] for i in issues])
            if issues else f"<p>{e(strings('report.none'))}</p>"
        )
    parts += [review_html(report.reviews, strings)] if report.reviews else []
    parts.append(f"<h2>{e(strings('report.agents'))}</h2>")
    parts.append(
        _html_table([strings("report.agent"), *(strings(f"metric.{k}") for k in AGENT_METRICS)],
                    [[a.name, *(format_value(a.values[k], k) for k in AGENT_METRICS)] for a in report.agents])
        if report.agents else f"<p>{e(strings('report.none'))}</p>"
    )
    for table in quality_report.tables(report.quality, strings) if report.quality else ():
        parts += [f"<h2>{e(table.title)}</h2>", _html_table(list(table.header), [list(row) for row in table.rows])]
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def _html_table(header: list[str], rows: list[list[str]]) -> str:
    e = html.escape
    head = "".join(f"<th>{e(cell)}</th>" for cell in header)
    body = "".join(
        "<tr>" + "".join(f'<td{" class=n" if index else ""}>{e(cell)}</td>' for index, cell in enumerate(row)) + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _title(report: Report, strings: Strings) -> str:
    return strings("report.title", kind=strings(f"period.{report.kind}"), period=report.period)


def _subtitle(report: Report, strings: Strings) -> str:
    return strings(
        "report.subtitle",
        start=_local(report, report.start).strftime(TIME_FORMAT), end=_local(report, report.end).strftime(TIME_FORMAT),
        zone=report.zone, team=report.team or strings("report.all_teams"), previous=report.previous_period,
        generated=_local(report, report.generated_at).strftime(TIME_FORMAT),
    )


def _local(report: Report, moment: datetime) -> datetime:
    """`moment` in the report's zone, the one its heading names."""
    return moment.astimezone(ZoneInfo(report.zone))


def _issue_sections(report: Report) -> tuple[tuple[str, tuple[IssueLine, ...]], ...]:
    return (
        ("top_categories", report.top_categories),
        ("rising_categories", report.rising_categories),
        ("top_tags", report.top_tags),
        ("rising_tags", report.rising_tags),
    )


def _issues(current: Sequence[tuple[str, int]], before: Sequence[tuple[str, int]]) -> tuple[IssueLine, ...]:
    """Every name of this period, most frequent first, with its count the period before."""
    earlier = dict(before)
    return tuple(IssueLine(name, count, earlier.get(name, 0), count - earlier.get(name, 0)) for name, count in current)


def _channel_mix(current: Sequence[tuple[str, int]], before: Sequence[tuple[str, int]]) -> tuple[ChannelLine, ...]:
    """Every channel of this period or the one before, most tickets this period first."""
    now, earlier = dict(current), dict(before)
    total = sum(now.values())
    names = [name for name, _ in current] + sorted(set(earlier) - set(now))
    return tuple(
        ChannelLine(name, now.get(name, 0), round(100 * now.get(name, 0) / total, 1) if total else 0.0,
                    earlier.get(name, 0), now.get(name, 0) - earlier.get(name, 0))
        for name in names
    )


def _rising(lines: Sequence[IssueLine]) -> tuple[IssueLine, ...]:
    """The names that grew, most growth first (ties: more tickets, then name)."""
    grown = [line for line in lines if line.change > 0]
    return tuple(sorted(grown, key=lambda line: (-line.change, -line.count, line.name))[:TOP_ISSUES])


def _change(current: float | None, previous: float | None, spec: MetricSpec) -> float | None:
    if current is None or previous is None:
        return None
    return _rounded(current - previous, spec.decimals)


def _rounded(value: float | None, decimals: int) -> float | int | None:
    if value is None:
        return None
    return int(round(value)) if decimals == 0 else round(float(value), decimals)


def _percent(share: float | None) -> float | None:
    return None if share is None else 100 * share


def _signed(value: int) -> str:
    return f"+{value}" if value > 0 else str(value)


def _md(text: str) -> str:
    return text.replace("|", "\\|")
