"""The team lead's screen: in a minute, who is drowning, which clocks break next, and move work.

Five views on keys 1-5: the team board (one row per agent: active tickets, overdue and
at-risk clocks, upset customers, the ticket waiting longest, load), the breach list across
the team, the escalation queue with its 48-hour clock, the KPIs of a week, month, quarter
or year against the one before, and Erlang C staffing per hour. Enter on an agent drills
into their queue; on a ticket list, space selects and `a` reassigns the selection (or the
ticket under the cursor) to an agent the routing ranks first, with its reasons, `#` tags
it, `p` gives it a priority and `x` closes it as duplicates, each in one transaction; `u`
routes every unassigned ticket as suggested; `f` shows only the tickets with one tag; `v`
samples the team's finished conversations to review on the rubric (`screens.review`).
Nothing changes without a deliberate `y` to a question that says how many, and nothing at
all in a read-only session.

Made for SSH and slow links: every number has a word or symbol beside any colour, tables
repaint only the cells whose text changed on the app's tick, and database work runs in
thread workers, each calling one use case (`usecases.team_load`, `reports`, `staffing`,
`routing`) that `cs-console route`, `report` and `staffing` call too. Strings come from
`cs_console.text.strings`. It refuses to open for an agent who is not a lead or admin (the
app checks before pushing it).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from rich.console import Group, RenderableType
from rich.markup import escape
from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import ContentSwitcher, DataTable, Static
from textual.worker import get_current_worker

from cs_console.clocks.sla import STATE_SYMBOLS
from cs_console.config import Config
from cs_console.lead import routing, team
from cs_console.lead.charts import bar, sparkline
from cs_console.lead.periods import KINDS, period_containing
from cs_console.lead.quality_report import QualityTable, tables
from cs_console.lead.reports import Report, format_change, format_value, trend_arrow
from cs_console.lead.review_report import review_text
from cs_console.lead.review_scores import ReviewSection
from cs_console.lead.rubric import RubricError
from cs_console.lead.staffing import HourPlan
from cs_console.screens.assign import AgentChoice, AssignScreen
from cs_console.screens.base import ConsoleScreen
from cs_console.storage.models import MailProblem
from cs_console.storage.tickets import FailedReply
from cs_console.store import StoreError
from cs_console.text.display import clip, local_time, short_age
from cs_console.text.strings import Strings, english
from cs_console.usecases.reports import service_report
from cs_console.usecases.routing import move_tickets, reassign_options, route_plan
from cs_console.usecases.staffing import StaffingPlan, staffing_plan
from cs_console.usecases.tagging import change_tags, tags_in_use
from cs_console.usecases.team_load import TeamData, load_team, scope_of
from cs_console.usecases.ticket_changes import close_as
from cs_console.vocabulary import PRIORITIES
from cs_console.widgets.clock_text import clock_text
from cs_console.widgets.current_result import show_if_current
from cs_console.widgets.key_footer import KeyFooter
from cs_console.widgets.steady_table import SteadyTable
from cs_console.widgets.sync_status import SyncStatusBar
from cs_console.widgets.ticket_table import AGENT_MIN_WIDTH, TicketTable

VIEWS = ("team", "breaches", "escalations", "kpis", "staffing")
"""The lead screen's views, on keys 1 to 5."""
ROUTE_PREVIEW = 8
"""Routing moves listed in the confirmation; the rest are counted."""


def show_text(widget: Static, content: str | Text) -> None:
    """Update a Static only when its text changes: every repaint costs bytes on the link."""
    if str(widget.content) != str(content):
        widget.update(content)


class LeadScreen(ConsoleScreen):
    BINDINGS = [
        *(Binding(str(n), f"view('{view}')", english(f"lead.tab.{view}"), show=False)
          for n, view in enumerate(VIEWS, start=1)),
        Binding("u", "auto_route", english("key.auto_route"), id="auto_route"),
        Binding("v", "review", english("key.review"), id="review"),
        Binding("w", "period_kind", english("key.period_kind"), id="period_kind"),
        Binding("left_square_bracket", "period(-1)", "Earlier", show=False),
        Binding("right_square_bracket", "period(1)", "Later", show=False),
        Binding("d", "next_day", english("key.next_day"), id="next_day"),
        Binding("f", "tag_filter", english("key.tag_filter"), id="tag_filter"),
        Binding("r", "refresh", english("key.refresh"), id="refresh"),
        Binding("escape", "back", english("key.back"), id="back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.view = "team"
        self.tag_filter: str | None = None
        """The tag the ticket lists are narrowed to (None: every ticket)."""
        self.data: TeamData | None = None
        self.report: Report | None = None
        self.hours: list[HourPlan] = []
        self.staffing_scope = ""
        """Whose arrivals the staffing figures come from, as the pane's first line says."""
        self.staffing_answer = 0.0
        """The answer time the staffing figures aim at, in minutes."""
        self.period_kind = KINDS[0]
        self.period_offset = 0
        """0: the period containing today; -1 the one before, and so on."""
        self.staffing_day: int | None = None
        self._generation = 0

    def compose(self) -> ComposeResult:
        yield Static(id="lead-title", classes="title-bar")
        yield Static(id="lead-mail")
        yield Static(id="lead-tabs")
        with ContentSwitcher(initial="team", id="lead-views"):
            yield SteadyTable(id="team")
            yield TicketTable(id="breaches")
            yield TicketTable(id="escalations", clock="escalation")
            with VerticalScroll(id="kpis", classes="lead-pane"):
                yield Static(self.strings("lead.loading"), id="kpi-body")
            with VerticalScroll(id="staffing", classes="lead-pane"):
                yield Static(self.strings("lead.loading"), id="staffing-body")
        yield SyncStatusBar()
        yield KeyFooter()

    def on_mount(self) -> None:
        s = self.strings
        self.query_one("#team", SteadyTable).set_columns([
            ("agent", s("lead.col.agent")), ("active", s("lead.col.active")), ("breached", s("lead.col.breached")),
            ("at_risk", s("lead.col.at_risk")), ("upset", s("lead.col.upset")), ("oldest", s("lead.col.oldest")),
            ("load", s("lead.col.load")),
        ])
        self._show_tabs()
        self.query_one("#team").focus()
        self.query_one(SyncStatusBar).show_now()
        self.reload()

    def on_screen_resume(self) -> None:
        self.reload()

    # -- loading ------------------------------------------------------------------------------

    def reload(self) -> None:
        """Read the scope again (after a change, a sync, or `r`), and the open pane's numbers."""
        self._generation += 1
        self._load_team(self._generation)
        self._load_mail_line()
        if self.view == "kpis":
            self._load_kpis()
        elif self.view == "staffing":
            self._load_staffing()

    @work(thread=True, exclusive=True, group="lead-team")
    def _load_team(self, generation: int) -> None:
        app = self.app
        try:
            data = load_team(app.store, app.agent, app.config, app.now(), generation)
        except StoreError as error:
            app.call_from_thread(self.notify, str(error), severity="error")
            return
        show_if_current(app, self._show, data)

    @work(thread=True, exclusive=True, group="lead-mail")
    def _load_mail_line(self) -> None:
        app = self.app
        try:
            problems = app.store.mail_problems(team.Scope.of(app.agent).team)
            failed = app.store.failed_replies()
        except StoreError as error:
            app.call_from_thread(self.notify, str(error), severity="error")
            return
        show_if_current(app, self._show_mail_line, problems, failed)

    def _show_mail_line(self, problems: list[MailProblem], failed: list[FailedReply]) -> None:
        """A line per mailbox or relay the server has a problem with, then one naming the
        replies it could not mail, and why; nothing wrong: no line."""
        s, zone, now = self.strings, self.app.config.zone, self.app.now()
        width = self.app.size.width - 2
        lines = [clip(s("lead.mail_problem", source=s(f"mail_source.{p.source}"), address=p.address,
                        problem=s(f"mail_problem.{p.problem}"), count=p.count, detail=p.detail,
                        since=local_time(p.since or p.last_at or now, zone, now, s)), width)
                 for p in problems]
        if failed:
            listed = s("common.list_separator").join(
                s("lead.failed_reply_retrying" if item.retry_at else "lead.failed_reply", number=item.number,
                  reason=item.reason)
                for item in failed)
            lines.append(clip(s("lead.failed_replies", count=len(failed), list=listed), width))
        line = self.query_one("#lead-mail", Static)
        line.display = bool(lines)
        if lines:
            show_text(line, Text("\n".join(lines)))

    def tick(self) -> None:
        """The app's tick: the clocks move, the tickets stay; recomputed off the event loop."""
        if self.data is not None:
            self._retick(self.app, self.data, self.app.now())

    @work(thread=True, exclusive=True, group="lead-tick")
    def _retick(self, app: App, data: TeamData, now: datetime) -> None:
        """The app and `now` come from the tick: a worker that starts as the app closes
        finds no active app to look up, and shows nothing once cancelled."""
        moved = data.at(now, app.config)
        if not get_current_worker().is_cancelled:
            show_if_current(app, self._show, moved)

    def _show(self, data: TeamData) -> None:
        if self.data is not None and data.generation < self.data.generation:
            return
        self.data = data
        s = self.strings
        lead = data.lead
        team_name = lead.team if team.Scope.of(lead).team else s("lead.all_teams")
        title = s("lead.title", team=team_name, lead=lead.name)
        if self.tag_filter is not None:
            title += " · " + s("lead.tag_filter", tag=self.tag_filter)
        title += self.readonly_mark()
        names, states = data.names, team.tagged(data.states, self.tag_filter)
        rows = data.rows if self.tag_filter is None else tuple(team.board(data.agents, states, data.now))
        summary = s("lead.summary", agents=len(data.agents), active=len(states),
                    breached=sum(r.breached for r in rows), at_risk=sum(r.at_risk for r in rows),
                    upset=sum(r.upset for r in rows))
        show_text(self.query_one("#lead-title", Static), Text(f"{title}\n{summary}"))
        self._show_board(rows)
        self.query_one("#breaches", TicketTable).show(team.breaches(states), names, data.now)
        self.query_one("#escalations", TicketTable).show(team.escalations(states), names, data.now)
        self._show_tabs()
        for screen in self.app.screen_stack:
            if isinstance(screen, AgentQueueScreen) and screen.lead is self:
                screen.show(data)

    def _show_board(self, rows: tuple[team.AgentRow, ...]) -> None:
        s = self.strings
        table = self.query_one("#team", SteadyTable)
        width = max(AGENT_MIN_WIDTH, self.app.size.width - 6 - 6 - 6 - 2 - 16 - 10 - 2 * 7 - 4)
        most = max((row.load for row in rows), default=0)
        lines = []
        for row in rows:
            name = s("lead.unassigned") if row.agent_id is None else row.name
            if row.role in ("lead", "admin"):
                name += f" ({s(f'lead.role.{row.role}')})"
            oldest = f"{short_age(row.oldest_wait)} {row.oldest_number}" if row.oldest_wait is not None else "-"
            lines.append((row.agent_id or "", (
                clip(name, width),
                str(row.active),
                clock_text(f"{STATE_SYMBOLS['breached']} {row.breached}", self.app.no_color) if row.breached else "0",
                clock_text(f"{STATE_SYMBOLS['at_risk']} {row.at_risk}", self.app.no_color) if row.at_risk else "0",
                str(row.upset) if row.upset else "",
                oldest,
                f"{bar(row.load, most, 6)} {row.load:g}",
            )))
        table.show_rows(lines)

    def _show_tabs(self) -> None:
        s = self.strings
        data = self.data
        states = team.tagged(data.states, self.tag_filter) if data else []
        counts = {"breaches": len(team.breaches(states)), "escalations": len(team.escalations(states))} \
            if data else {}
        parts = []
        for number, view in enumerate(VIEWS, start=1):
            label = f"{number} {s(f'lead.tab.{view}')}" + (f" ({counts[view]})" if view in counts else "")
            parts.append(f"[reverse b]▸{escape(label)}◂[/]" if view == self.view else f" {escape(label)} ")
        show_text(self.query_one("#lead-tabs", Static), " ".join(parts))

    # -- views ------------------------------------------------------------------------------

    def action_view(self, view: str) -> None:
        self.view = view
        self.query_one(ContentSwitcher).current = view
        self.query_one(f"#{view}").focus()
        self._show_tabs()
        self.refresh_bindings()
        if view == "kpis" and self.report is None:
            self._load_kpis()
        elif view == "staffing" and not self.hours:
            self._load_staffing()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("period_kind", "period"):
            return self.view == "kpis"
        if action == "next_day":
            return self.view == "staffing"
        if action in ("auto_route", "review"):
            return not self.app.store.readonly
        return True

    def action_review(self) -> None:
        """Sample the team's finished conversations to review (`screens.review`)."""
        from cs_console.screens.review import ReviewSampleScreen

        self.app.push_screen(ReviewSampleScreen())

    def action_refresh(self) -> None:
        self.reload()

    def action_back(self) -> None:
        self.app.go_back()

    def action_period_kind(self) -> None:
        self.period_kind = KINDS[(KINDS.index(self.period_kind) + 1) % len(KINDS)]
        self.period_offset = 0
        self._load_kpis()

    def action_period(self, step: int) -> None:
        self.period_offset = min(0, self.period_offset + step)
        self._load_kpis()

    def action_next_day(self) -> None:
        today = self.app.now().astimezone(self.app.config.zone).weekday()
        self.staffing_day = ((today if self.staffing_day is None else self.staffing_day) + 1) % 7
        self._show_staffing()

    @on(DataTable.RowSelected, "#team")
    def _drill_down(self, event: DataTable.RowSelected) -> None:
        key = event.row_key.value
        self.app.push_screen(AgentQueueScreen(self, key or None))

    @on(DataTable.RowSelected, "TicketTable")
    def _open_ticket(self, event: DataTable.RowSelected) -> None:
        self.app.open_ticket(event.row_key.value)

    # -- KPIs -------------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="lead-kpis")
    def _load_kpis(self) -> None:
        app = self.app
        config, now = app.config, app.now()
        period = period_containing(self.period_kind, now.astimezone(config.zone).date(), config.timezone)
        for _ in range(-self.period_offset):
            period = period.previous()
        try:
            report = service_report(app.store, config, period, now, scope_of(app.agent))
        except (StoreError, RubricError) as error:
            app.call_from_thread(self.notify, str(error), severity="error")
            return
        show_if_current(app, self._show_kpis, report)

    def _show_kpis(self, report: Report) -> None:
        self.report = report
        self.query_one("#kpi-body", Static).update(kpi_renderable(report, self.strings))

    # -- staffing ---------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="lead-staffing")
    def _load_staffing(self) -> None:
        app = self.app
        try:
            found = staffing_plan(app.store, app.config, app.now(), scope_of(app.agent))
        except StoreError as error:
            app.call_from_thread(self.notify, str(error), severity="error")
            return
        show_if_current(app, self._staffing_loaded, found)

    def _staffing_loaded(self, found: StaffingPlan) -> None:
        self.hours = found.hours
        self.staffing_answer = found.answer_minutes
        self.staffing_scope = self.strings("staffing.scope", team=found.scope.label(self.strings("lead.all_teams")),
                                           count=found.tickets, weeks=found.settings.history_weeks,
                                           zone=self.app.config.timezone)
        self._show_staffing()

    def _show_staffing(self) -> None:
        if not self.hours:
            return
        config = self.app.config
        day = self.staffing_day if self.staffing_day is not None else self.app.now().astimezone(config.zone).weekday()
        self.query_one("#staffing-body", Static).update(
            staffing_renderable(self.hours, day, config, self.staffing_answer, self.strings, self.staffing_scope))

    # -- narrowing to a tag -----------------------------------------------------------------

    @work(thread=True, group="lead-tags")
    def _read_tags_in_use(self, then: Callable[[list[str]], None]) -> None:
        """Read the tags in use off the event loop, then hand them to `then` on it."""
        app = self.app
        try:
            in_use = tags_in_use(app.store)
        except StoreError as error:
            app.call_from_thread(self.notify, str(error), severity="error")
            return
        app.call_from_thread(then, in_use)

    def action_tag_filter(self) -> None:
        self._read_tags_in_use(self._ask_tag_filter)

    def _ask_tag_filter(self, in_use: list[str]) -> None:
        from cs_console.screens.choose import ChooseScreen

        s = self.strings
        options = [("", s("lead.tag_filter_off")), *((tag, f"#{tag}") for tag in in_use)]
        self.app.push_screen(ChooseScreen(s("lead.tag_filter_title"), options), self._tag_filter_chosen)

    def _tag_filter_chosen(self, tag: str | None) -> None:
        if tag is None:
            return
        self.tag_filter = tag or None
        if self.data is not None:
            self._show(self.data)

    # -- changing many tickets at once ------------------------------------------------------

    @on(TicketTable.BulkAction)
    def _bulk_asked(self, event: TicketTable.BulkAction) -> None:
        self.start_bulk(event.action, event.ticket_ids)

    def start_bulk(self, action: str, ticket_ids: list[str]) -> None:
        """Ask what to do to these tickets (the tags, the priority), confirm how many, then do it."""
        from cs_console.screens.choose import ChooseScreen

        s = self.strings
        if self.app.store.readonly:
            self.notify(s("lead.readonly_refused"), severity="warning")
            return
        if not ticket_ids:
            self.notify(s("lead.nothing_chosen"), severity="warning")
            return
        if action == "tag":
            self._read_tags_in_use(lambda in_use: self._show_bulk_tags(ticket_ids, in_use))
        elif action == "set_priority":
            options = [(priority, s(f"priority.{priority}")) for priority in PRIORITIES]
            self.app.push_screen(ChooseScreen(s("lead.bulk_priority_title", count=len(ticket_ids)), options),
                                 lambda priority: self._confirm_bulk(action, ticket_ids, priority) if priority else None)
        else:
            self._confirm_bulk(action, ticket_ids, "duplicate")

    def _show_bulk_tags(self, ticket_ids: list[str], in_use: list[str]) -> None:
        from cs_console.screens.tag import TagScreen

        self.app.push_screen(TagScreen(self.strings("lead.bulk_tag_title", count=len(ticket_ids)), in_use),
                             lambda typed: self._confirm_bulk("tag", ticket_ids, typed.strip()) if typed else None)

    def _confirm_bulk(self, action: str, ticket_ids: list[str], value: str) -> None:
        from cs_console.screens.confirm import ConfirmScreen

        s, chosen = self.strings, set(ticket_ids)
        numbers = ", ".join(state.facts.number for state in (self.data.states if self.data else ())
                            if state.facts.id in chosen)
        question = s(f"lead.confirm.{action}", count=len(ticket_ids), value=self._bulk_value(action, value),
                     numbers=clip(numbers, 200))
        self.app.push_screen(ConfirmScreen(escape(question)),
                             lambda yes: self._bulk(action, ticket_ids, value) if yes else None)

    @work(thread=True, group="lead-write")
    def _bulk(self, action: str, ticket_ids: list[str], value: str) -> None:
        """Change every ticket in one transaction with its outbox operations, then say so."""
        app, s = self.app, self.strings
        author = app.agent.id if app.agent else None
        try:
            if action == "tag":
                change_tags(app.store, ticket_ids, value, author_id=author, at=app.now())
            elif action == "set_priority":
                app.store.change_priorities(ticket_ids, value, author_id=author, at=app.now())
            else:
                close_as(app.store, ticket_ids, value, author_id=author, at=app.now())
        except (StoreError, ValueError) as error:
            app.call_from_thread(self.notify, s("lead.bulk_failed", reason=str(error)), severity="error")
            return
        show_if_current(app, self._moved, s(f"lead.done.{action}", count=len(ticket_ids),
                                            value=self._bulk_value(action, value)))

    def _bulk_value(self, action: str, value: str) -> str:
        """What a bulk action sets, as the lead reads it: a priority in words, tags as typed."""
        return self.strings(f"priority.{value}") if action == "set_priority" else value

    # -- moving work ------------------------------------------------------------------------

    @on(TicketTable.Reassign)
    def _reassign_asked(self, event: TicketTable.Reassign) -> None:
        self.start_reassign(event.ticket_ids)

    def start_reassign(self, ticket_ids: list[str]) -> None:
        """Rank the agents for these tickets, let the lead pick one, confirm, then move them."""
        s = self.strings
        if self.app.store.readonly:
            self.notify(s("lead.readonly_refused"), severity="warning")
            return
        tickets, options = reassign_options(self.data, ticket_ids) if self.data else ([], [])
        if not tickets:
            self.notify(s("lead.nothing_chosen"), severity="warning")
            return
        choices = [
            AgentChoice(option.agent_id, s("assign.option", name=option.name, score=option.score,
                                           load=f"{option.load:g}"),
                        routing.explain(option.reasons, s))
            for option in options
        ]
        numbers = ", ".join(ticket.number for ticket in tickets)
        self.app.push_screen(
            AssignScreen(s("assign.title", count=len(tickets), numbers=clip(numbers, 50)),
                         s("assign.hint", number=tickets[0].number), choices),
            lambda agent_id: self._confirm_move([t.id for t in tickets], numbers, agent_id),
        )

    def _confirm_move(self, ticket_ids: list[str], numbers: str, agent_id: str | None) -> None:
        from cs_console.screens.confirm import ConfirmScreen

        if agent_id is None or self.data is None:
            return
        name = self.data.names.get(agent_id, agent_id)
        question = escape(self.strings("lead.confirm_move", count=len(ticket_ids), agent=name, numbers=numbers))
        self.app.push_screen(ConfirmScreen(question),
                             lambda yes: self._move({agent_id: ticket_ids}, name) if yes else None)

    def action_auto_route(self) -> None:
        from cs_console.screens.confirm import ConfirmScreen

        s, data = self.strings, self.data
        if data is None:
            return
        plan = route_plan(data)
        if not plan.moves:
            self.notify(s("lead.route_none" if not plan.waiting else "lead.route_nobody"), severity="warning")
            return
        moves = plan.moves
        lines = [
            clip(s("lead.route_line", number=ticket.number, agent=suggestion.agent_name,
                   why=routing.explain([r for r in suggestion.reasons if r.points][:2], s)), 72)
            for ticket, suggestion in moves[:ROUTE_PREVIEW]
        ]
        if len(moves) > ROUTE_PREVIEW:
            lines.append(s("lead.route_more", count=len(moves) - ROUTE_PREVIEW))
        question = escape(s("lead.confirm_route", count=len(moves), plan="\n".join(lines)))
        self.app.push_screen(ConfirmScreen(question), lambda yes: self._move(plan.by_agent(), None) if yes else None)

    @work(thread=True, group="lead-write")
    def _move(self, by_agent: dict[str, list[str]], name: str | None) -> None:
        """Assign each agent their tickets (one transaction per agent), then say so."""
        app, s = self.app, self.strings
        moved = move_tickets(app.store, by_agent, at=app.now(), author_id=app.agent.id if app.agent else None)
        if moved.error is not None:
            app.call_from_thread(self.notify, s("lead.move_failed", reason=str(moved.error)), severity="error")
        if moved.count:
            message = s("lead.moved", count=moved.count, agent=name) if name else s("lead.routed", count=moved.count)
            show_if_current(app, self._moved, message)

    def _moved(self, message: str) -> None:
        self.notify(message)
        for screen in self.app.screen_stack:
            for table in screen.query(TicketTable):
                table.clear_selection()
        self.app.local_change()
        self.reload()


class AgentQueueScreen(ConsoleScreen):
    """One agent's active tickets (or the unassigned ones), drilled into from the team board."""

    BINDINGS = [Binding("escape", "back", english("key.back"), id="back")]

    def __init__(self, lead: LeadScreen, agent_id: str | None) -> None:
        super().__init__()
        self.lead = lead
        self.agent_id = agent_id

    def compose(self) -> ComposeResult:
        yield Static(id="drill-title", classes="title-bar")
        yield TicketTable(id="drill-table", show_agent=False)
        yield SyncStatusBar()
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one(TicketTable).focus()
        self.query_one(SyncStatusBar).show_now()
        if self.lead.data is not None:
            self.show(self.lead.data)

    def show(self, data: TeamData) -> None:
        tickets = team.queue_of(team.tagged(data.states, self.lead.tag_filter), self.agent_id)
        table = self.query_one(TicketTable)
        table.show(tickets, data.names, data.now)
        self._title(len(tickets))

    def _title(self, count: int | None = None) -> None:
        s = self.strings
        table = self.query_one(TicketTable)
        name = s("lead.nobody") if self.agent_id is None else self.lead.data.names.get(self.agent_id, "?")
        count = table.row_count if count is None else count
        show_text(self.query_one("#drill-title", Static),
                  Text(s("lead.queue_title", agent=name, count=count, selected=len(table.selected))))

    @on(TicketTable.SelectionChanged)
    def _selection_changed(self) -> None:
        self._title()

    @on(TicketTable.Reassign)
    def _reassign_asked(self, event: TicketTable.Reassign) -> None:
        self.lead.start_reassign(event.ticket_ids)

    @on(TicketTable.BulkAction)
    def _bulk_asked(self, event: TicketTable.BulkAction) -> None:
        self.lead.start_bulk(event.action, event.ticket_ids)

    @on(DataTable.RowSelected)
    def _open_ticket(self, event: DataTable.RowSelected) -> None:
        self.app.open_ticket(event.row_key.value)

    def tick(self) -> None:
        self.lead.tick()

    def reload(self) -> None:
        self.lead.reload()

    def action_back(self) -> None:
        self.app.go_back()


def kpi_renderable(report: Report, strings: Strings) -> RenderableType:
    """The KPI pane: the figures against the period before, trends, top issues, agents."""
    s = strings
    heading = Text(s("kpi.heading", kind=s(f"period.{report.kind}"), period=report.period,
                     previous=report.previous_period), style="bold")
    figures = Table(box=None, pad_edge=False, expand=False, show_edge=False)
    figures.add_column(s("report.metric"))
    for name in ("kpi.this", "kpi.before", "kpi.change"):
        figures.add_column(s(name), justify="right")
    for line in report.metrics:
        figures.add_row(s(f"metric.{line.key}"), format_value(line.current, line.key),
                        format_value(line.previous, line.key), f"{format_change(line.change, line.key)} {trend_arrow(line)}")
    trends = Text(s("kpi.trends") + ": ", style="bold")
    for trend in report.trends:
        trends.append(f"{s(f'metric.{trend.key}')} ", style="")
        trends.append(sparkline(trend.values), style="")
        trends.append("   ")
    issues = Table(box=None, pad_edge=False, show_edge=False)
    issues.add_column(s("kpi.categories"))
    issues.add_column("", justify="right")
    issues.add_column("")
    most = max((line.count for line in report.top_categories), default=0)
    for line in report.top_categories:
        issues.add_row(line.name, str(line.count), bar(line.count, most, 12))
    rising = Text(s("kpi.rising") + ": ", style="bold")
    rising.append(", ".join(f"{line.name} +{line.change}" for line in report.rising_categories) or s("kpi.none"),
                  style="")
    tags = Text(s("kpi.tags") + ": ", style="bold")
    tags.append(", ".join(f"#{line.name} {line.count}" for line in report.top_tags) or s("kpi.none"), style="")
    agents = Table(box=None, pad_edge=False, show_edge=False)
    agents.add_column(s("kpi.agents"))
    shown = ("created", "solved", "first_response_median", "first_response_met", "fcr", "csat")
    for key in shown:
        agents.add_column(s(f"metric.{key}"), justify="right", max_width=12)
    for line in report.agents:
        agents.add_row(line.name, *(format_value(line.values[key], key) for key in shown))
    quality = [part for table in (tables(report.quality, s) if report.quality else ()) for part in ("", _table(table))]
    return Group(heading, "", figures, "", trends, "", issues, rising, tags, "", agents,
                 *(("", review_table(report.reviews, s)) if report.reviews else ()), *quality)


def review_table(section: ReviewSection, strings: Strings) -> RenderableType:
    """The leads' reviews on the KPI pane: the team now and before, each agent, each item's mean."""
    header, *rows = review_text(section, strings)
    table = Table(box=None, pad_edge=False, show_edge=False, title=strings("review.report_heading"),
                  title_justify="left", title_style="bold")
    table.add_column(header[0])
    for name in header[1:]:
        table.add_column(name, justify="right", max_width=10)
    for row in rows:
        table.add_row(*row)
    return table


def _table(table: QualityTable) -> RenderableType:
    """One of the report's quality tables (survey parts, stability, tenure) under its title."""
    shown = Table(box=None, pad_edge=False, show_edge=False)
    for index, name in enumerate(table.header):
        shown.add_column(name, justify="right" if index else "left")
    for row in table.rows:
        shown.add_row(*row)
    return Group(Text(table.title, style="bold"), shown)


def staffing_renderable(hours: list[HourPlan], day: int, config: Config, answer: float,
                        strings: Strings, scope: str = "") -> RenderableType:
    """The staffing pane: whose arrivals (`scope`), one day's 24 hours, and each day's busiest hour."""
    s = strings
    settings = config.staffing
    heading = Text(s("staffing.heading", day=s(f"staffing.weekday.{day}"), target=settings.target, answer=answer,
                     handle=settings.handle_minutes, weeks=settings.history_weeks), style="bold")
    if scope:
        heading = Text.assemble((scope, "bold"), "\n", heading)
    table = Table(box=None, pad_edge=False, show_edge=False)
    for key, justify in (("staffing.hour", "left"), ("staffing.arrivals", "right"), ("staffing.agents", "right"),
                         ("staffing.occupancy", "left"), ("staffing.wait", "right"), ("staffing.service", "right")):
        table.add_column(s(key), justify=justify)
    for hour in (h for h in hours if h.weekday == day):
        staffing = hour.staffing
        wait = "-" if staffing.agents == 0 else f"{staffing.average_wait_minutes:.1f}m"
        table.add_row(f"{hour.hour:02d}:00", f"{staffing.arrivals_per_hour:.2f}", str(staffing.agents),
                      f"{bar(staffing.occupancy, 1, 8)} {staffing.occupancy:.0%}", wait, f"{staffing.service_level:.1%}")
    peaks = " · ".join(
        f"{s(f'staffing.weekday.{weekday}')} {max(h.staffing.agents for h in hours if h.weekday == weekday)}"
        for weekday in range(7)
    )
    return Group(heading, "", table, "", Text(s("staffing.peak", peaks=peaks)))
