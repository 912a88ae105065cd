"""The team lead's commands: who works on this device, the service reports, staffing, and
routing new tickets — `cs-console agent`, `report`, `staffing` and `route`.

`cli` parses the global options and opens the store; this module adds these subcommands'
parsers and runs them. The figures come from the use cases the lead screen calls
(`usecases.team_load`, `reports`, `staffing`, `routing`), so both show the same numbers.
Bad input gets one sentence on stderr and exit status 2; output is plain text or, where a
script may read it, JSON. Sentences come from `cs_console.text.strings`
in the interface language. Moving work (`route --apply`) needs a lead or admin and a
writable store; everything else only reads.
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict, replace
from pathlib import Path
from typing import TYPE_CHECKING

from cs_console.commands import whole_number
from cs_console.errors import UserError
from cs_console.lead.periods import KINDS
from cs_console.lead.report_formats import FORMATS
from cs_console.utc import utcnow

if TYPE_CHECKING:  # what runs the commands is loaded by them: `cs-console --help` stays quick
    from cs_console.config import Config
    from cs_console.storage.models import Agent
    from cs_console.store import Store
    from cs_console.text.strings import Strings

COMMANDS = ("agent", "report", "staffing", "route")
"""The subcommands this module adds and runs."""
WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
"""What `staffing --day` takes."""


class CommandError(UserError):
    """Input a command cannot act on; the message is the sentence the user reads."""


def add_commands(commands) -> None:
    """Add `agent`, `report`, `staffing` and `route` to the subcommand parser."""
    agent = commands.add_parser("agent", help="list the agents, or choose who works on this device")
    agent_commands = agent.add_subparsers(dest="agent_command", metavar="COMMAND", required=True)
    agent_commands.add_parser("list", help="list the agents, their roles, teams, start and last working days; "
                              "* marks who works here now")
    use = agent_commands.add_parser("use", help="work as NAME on this device from now on (a lead gets the team view)")
    use.add_argument("name", metavar="NAME", help="part of the name (zhao.min, 赵敏), or the agent id")
    dates = agent_commands.add_parser("dates", help="record when NAME joined the team and, when they leave, "
                                      "their last working day (a lead for their team, an admin for any)")
    dates.add_argument("name", metavar="NAME", help="part of the name (zhao.min, 赵敏), or the agent id")
    dates.add_argument("--started", metavar="DAY", help="the day they joined, like 2024-03-01 (none: not known)")
    dates.add_argument("--left", metavar="DAY", help="their last working day, like 2026-11-30 (none: they stay)")

    report = commands.add_parser("report", help="write the service report of a week, month, quarter or year")
    report.add_argument("kind", choices=KINDS, help="the period the report covers")
    report.add_argument("--period", metavar="P", help="which one: 2026-W48, 2026-11, 2026-Q4, 2026, a date inside "
                        "it, current (the default) or previous")
    report.add_argument("--format", choices=FORMATS, default="md", help="md (the default), csv, html or json")
    report.add_argument("--output", "-o", type=Path, metavar="PATH", help="write to PATH instead of the screen")
    report.add_argument("--team", metavar="TEAM", help="only this team's agents and tickets")

    staffing = commands.add_parser("staffing", help="agents needed per hour (Erlang C over the team's ticket arrivals)")
    staffing.add_argument("--day", choices=(*WEEKDAY_NAMES, "all"), help="which weekday (default: today), or all")
    staffing.add_argument("--weeks", type=whole_number, metavar="N", help="weeks of arrivals to average (default 4)")
    staffing.add_argument("--handle-minutes", type=float, metavar="M", help="agent time per ticket (default 20)")
    staffing.add_argument("--target", type=float, metavar="SHARE", help="share answered in time (default 0.85)")
    staffing.add_argument("--answer-minutes", type=float, metavar="M",
                          help="the answer time (default: the first-response budget, 60)")
    staffing.add_argument("--json", action="store_true", help="print every hour of the week as JSON")
    staffing.add_argument("--team", metavar="TEAM",
                          help="this team's tickets (default: the team of who works here; an admin's: all teams)")

    route = commands.add_parser("route", help="suggest (or with --apply, make) an agent for each unassigned ticket")
    route.add_argument("--apply", action="store_true", help="assign as suggested (a lead or admin only)")


def run(store: Store, config: Config, args) -> int:
    """Run one of this module's subcommands; returns the exit status."""
    from cs_console.lead.periods import PeriodError
    from cs_console.store import ReadOnly
    from cs_console.text.strings import Strings, interface_language
    from cs_console.usecases.teams import UnknownTeam

    strings = Strings(interface_language(config.raw, config.language))
    agent = store.current_agent()
    if agent is not None:
        config = config.for_agent(agent.timezone)
    try:
        if args.command == "agent":
            return _agent(store, args, strings)
        if args.command == "report":
            return _report(store, config, args, strings)
        if args.command == "staffing":
            return _staffing(store, config, args, strings, agent)
        return _route(store, config, args, strings, agent)
    except UnknownTeam as error:
        print(f"cs-console: error: --team {error}", file=sys.stderr)
        return 2
    except (CommandError, PeriodError, ValueError) as error:
        print(f"cs-console: error: {error}", file=sys.stderr)
        return 2
    except ReadOnly:
        print(f"cs-console: error: {strings('cli.readonly')}", file=sys.stderr)
        return 2


def match_agent(agents: list[Agent], text: str, strings: Strings) -> Agent:
    """The one agent `text` names: their id, their whole name, or every word of `text`
    (split at spaces, dots and underscores) found in their name, any case.

    Raises:
        CommandError: no agent matches, or several do.
    """
    if not agents:
        raise CommandError(strings("cli.agent_none"))
    wanted = text.strip().casefold()
    for agent in agents:
        if wanted in (agent.id, agent.name.casefold()):
            return agent
    words = wanted.replace(".", " ").replace("_", " ").split()
    found = [a for a in agents if words and all(word in a.name.casefold() for word in words)]
    if len(found) == 1:
        return found[0]
    if not found:
        raise CommandError(strings("cli.agent_unknown", name=text, known=", ".join(a.name for a in agents)))
    raise CommandError(strings("cli.agent_ambiguous", name=text, matches=", ".join(a.name for a in found)))


def use_agent(store: Store, text: str, strings: Strings) -> Agent:
    """Make the agent `text` names the one working on this device.

    Raises:
        CommandError: no agent, or several, match `text`; or the device is logged in to a
            server as another agent (`usecases.agent_switch`).
    """
    from cs_console.usecases.agent_switch import switch_refusal

    agent = match_agent(store.agents(), text, strings)
    refusal = switch_refusal(strings, agent.id)
    if refusal is not None:
        raise CommandError(refusal)
    store.set_current_agent(agent.id)
    return agent


def _agent(store: Store, args, strings: Strings) -> int:
    from cs_console.text.display import pad

    if args.agent_command == "dates":
        return _agent_dates(store, args, strings)
    if args.agent_command == "use":
        agent = use_agent(store, args.name, strings)
        print(strings("cli.agent_now", name=agent.name, role=strings(f"lead.role.{agent.role}"), team=agent.team or "-"))
        return 0
    current = store.current_agent()
    for agent in store.agents():
        mark = "*" if current is not None and agent.id == current.id else " "
        print(f"{mark} {pad(agent.name, 24)} {agent.role:<6} {pad(agent.team or '-', 16)} "
              f"{agent.started_on or '-':<10} {agent.left_on or '-':<10} {agent.id}")
    return 0


def _agent_dates(store: Store, args, strings: Strings) -> int:
    from cs_console.usecases.agent_dates import NotAllowed, set_agent_dates

    agent = match_agent(store.agents(), args.name, strings)
    changes = {name: None if value.strip().casefold() == "none" else value.strip()
               for name, value in (("started_on", args.started), ("left_on", args.left)) if value is not None}
    if changes:
        try:
            agent = set_agent_dates(store, store.current_agent(), agent, changes)
        except NotAllowed as error:
            raise CommandError(str(error)) from None
    print(strings("cli.agent_dates", name=agent.name, started=agent.started_on or "-", left=agent.left_on or "-"))
    return 0


def _report(store: Store, config: Config, args, strings: Strings) -> int:
    from cs_console.lead.periods import parse_period
    from cs_console.lead.reports import render
    from cs_console.lead.team import Scope
    from cs_console.usecases.reports import service_report

    now = utcnow()
    period = parse_period(args.kind, args.period, now.astimezone(config.zone).date(), config.timezone)
    text = render(service_report(store, config, period, now, Scope(None), team=args.team), args.format, strings)
    if args.output is None:
        sys.stdout.write(text)
        return 0
    try:
        args.output.write_text(text, encoding="utf-8")
    except OSError as error:
        raise CommandError(strings("cli.cannot_write", path=args.output, reason=error.strerror)) from None
    print(strings("cli.report_written", kind=strings(f"period.{period.kind}"), period=period.label, path=args.output))
    return 0


def _staffing(store: Store, config: Config, args, strings: Strings, agent: Agent | None) -> int:
    from cs_console.lead import team
    from cs_console.lead.staffing import StaffingError
    from cs_console.usecases.staffing import staffing_plan

    settings = config.staffing
    try:
        settings = replace(
            settings,
            **{name: value for name, value in (("history_weeks", args.weeks), ("handle_minutes", args.handle_minutes),
                                               ("target", args.target), ("answer_minutes", args.answer_minutes))
               if value is not None},
        )
    except StaffingError as error:
        raise CommandError(str(error).replace("staffing.", "--").replace("_", "-")) from None
    scope = team.Scope(args.team) if args.team is not None else team.Scope.of(agent) if agent else team.Scope(None)
    now = utcnow()
    found = staffing_plan(store, config, now, scope, settings)
    hours, answer = found.hours, found.answer_minutes
    if args.json:
        print(json.dumps({
            "team": scope.team, "tickets": found.tickets,
            "timezone": config.timezone, **asdict(settings), "answer_minutes": answer,
            "hours": [{"weekday": h.weekday, "hour": h.hour, **asdict(h.staffing)} for h in hours],
        }, allow_nan=False, default=str))
        return 0
    today = now.astimezone(config.zone).weekday()
    days = range(7) if args.day == "all" else [WEEKDAY_NAMES.index(args.day) if args.day else today]
    print(strings("staffing.scope", team=scope.label(strings("report.all_teams")), count=found.tickets,
                  weeks=settings.history_weeks, zone=config.timezone))
    for day in days:
        print(strings("cli.staffing_heading", day=strings(f"staffing.weekday.{day}"), target=settings.target,
                      answer=answer, handle=settings.handle_minutes))
        print(f"  {strings('staffing.hour'):>6} {strings('staffing.arrivals'):>10} {strings('staffing.agents'):>7} "
              f"{strings('staffing.occupancy'):>10} {strings('staffing.wait'):>9} {strings('staffing.service'):>17}")
        for hour in (h for h in hours if h.weekday == day):
            print("  " + staffing_line(hour.hour, hour.staffing))
    return 0


def staffing_line(hour: int, staffing) -> str:
    """One hour of a staffing table, as the command and the lead screen print it."""
    wait = "-" if staffing.agents == 0 else f"{staffing.average_wait_minutes:.1f}m"
    return (f"{hour:02d}:00 {staffing.arrivals_per_hour:>10.2f} {staffing.agents:>7} {staffing.occupancy:>10.0%} "
            f"{wait:>9} {staffing.service_level:>17.1%}")


def _route(store: Store, config: Config, args, strings: Strings, agent: Agent | None) -> int:
    from cs_console.lead import routing
    from cs_console.lead.roles import is_lead
    from cs_console.usecases.routing import move_tickets, route_plan
    from cs_console.usecases.team_load import load_team

    if args.apply and not is_lead(agent):
        raise CommandError(strings("cli.route_not_lead", agent=agent.name if agent else "-",
                                   role=strings(f"lead.role.{agent.role}") if agent else "-"))
    plan = route_plan(load_team(store, agent, config, utcnow()))
    if not plan.waiting:
        print(strings("cli.route_nothing"))
        return 0
    for ticket, suggestion in plan.moves:
        print(strings("cli.route_plan", number=ticket.number, agent=suggestion.agent_name,
                      why=routing.explain(suggestion.reasons, strings)))
    if not args.apply:
        print(strings("cli.route_dry_run"))
        return 0
    moved = move_tickets(store, plan.by_agent())
    if moved.error is not None:
        raise moved.error
    print(strings("cli.route_applied", count=len(plan.moves)))
    return 0

