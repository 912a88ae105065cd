"""The lead's flows through Textual's pilot at 80x24: the team view, drilling down, moving a
selection from one agent's queue to another's, routing, KPIs, staffing, read-only, Chinese."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from rich.console import Console
from sqlmodel import select
from textual.widgets import OptionList, Static

from cs_console.app import ConsoleApp
from cs_console.config import Config, from_mapping
from cs_console.demo.data_set import demo_id
from cs_console.lead import team
from cs_console.screens.assign import AssignScreen
from cs_console.screens.choose import ChooseScreen
from cs_console.screens.confirm import ConfirmScreen
from cs_console.screens.lead import AgentQueueScreen, LeadScreen
from cs_console.screens.queue import QueueScreen
from cs_console.screens.ticket import TicketScreen
from cs_console.text.display import short_age
from cs_console.usecases.ticket_facts import ticket_facts
from cs_console.widgets.steady_table import SteadyTable
from cs_console.widgets.ticket_table import TicketTable
from tests.conftest import NOW
from tests.test_tui_clocks import MovableClock

SIZE = (80, 24)
LIN, INGRID, ZHAO = (demo_id("agent", key) for key in ("lin.wei", "ingrid.haugen", "zhao.min"))


def lead_app(demo_store, agent=ZHAO, config: Config | None = None, clock=None) -> ConsoleApp:
    demo_store.set_current_agent(agent)
    return ConsoleApp(demo_store, config or Config(), clock=clock or (lambda: NOW))


async def settle(pilot, rounds: int = 3) -> None:
    for _ in range(rounds):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


def text_of(app, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


def pane_text(app, selector: str) -> str:
    """A pane's rich renderable as the terminal would show it, 80 columns wide."""
    console = Console(width=80, record=True, file=io.StringIO())
    console.print(app.screen.query_one(selector, Static).content)
    return console.export_text()


def footer_keys(app) -> set[str]:
    return {binding.key for binding in (b.binding for b in app.screen.active_bindings.values()) if binding.show}


async def open_team_view(pilot) -> LeadScreen:
    await settle(pilot)
    assert isinstance(pilot.app.screen, QueueScreen)
    await pilot.press("t")
    await settle(pilot)
    assert isinstance(pilot.app.screen, LeadScreen)
    return pilot.app.screen


async def drill_into(pilot, agent_id: str) -> AgentQueueScreen:
    board = pilot.app.screen.query_one("#team", SteadyTable)
    board.focus()
    board.move_cursor(row=board.keys.index(agent_id))
    await pilot.press("enter")
    await settle(pilot)
    assert isinstance(pilot.app.screen, AgentQueueScreen)
    return pilot.app.screen


async def test_the_team_board_shows_who_is_drowning(demo_store):
    app = lead_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        lead = await open_team_view(pilot)
        board = lead.query_one("#team", SteadyTable)
        assert board.keys == (LIN, INGRID, ZHAO, ""), "the Maritime Desk, busiest first, then the unassigned"
        assert "Team · Maritime Desk · 赵敏 Zhao Min" in text_of(app, "#lead-title")
        assert "3 agents · 56 active" in text_of(app, "#lead-title")
        assert "☹ 1 upset" in text_of(app, "#lead-title"), "a plain fault report (无法启动) is not an upset customer"
        expected = next(row for row in lead.data.rows if row.agent_id == LIN)
        lin = [str(cell) for cell in board.get_row(LIN)]
        assert lin[:5] == ["林伟 Lin Wei", "41", f"✖ {expected.breached}", f"! {expected.at_risk}", "1"]
        assert expected.breached and expected.at_risk
        assert lin[5] == f"{short_age(expected.oldest_wait)} {expected.oldest_number}", "waited longest on us"
        breaches = len(team.breaches(lead.data.states))
        assert "1 Team" in text_of(app, "#lead-tabs") and f"2 Breaches ({breaches})" in text_of(app, "#lead-tabs")


async def test_drill_down_reassign_a_selection_and_see_it_change_queues(demo_store):
    app = lead_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        await open_team_view(pilot)
        drill = await drill_into(pilot, LIN)
        table = drill.query_one(TicketTable)
        assert "Queue of 林伟 Lin Wei · 41 active · 0 selected" in text_of(app, "#drill-title")
        moving = list(table.keys[:2])
        await pilot.press("space", "space")
        assert table.selected == set(moving)
        assert "2 selected" in text_of(app, "#drill-title")

        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, AssignScreen)
        options = app.screen.query_one(OptionList)
        offered = [options.get_option_at_index(i).id for i in range(options.option_count)]
        assert LIN not in offered and set(offered) == {INGRID, ZHAO}, "the team, without the current owner"
        assert "speaks" in text_of(app, "#assign-reasons"), "the highlighted agent's reasons"
        options.highlighted = offered.index(INGRID)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("enter")  # Enter alone never confirms
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(pilot, 5)

        assert isinstance(app.screen, AgentQueueScreen)
        assert not set(moving) & set(table.keys), "they left Lin Wei's queue"
        assert "Queue of 林伟 Lin Wei · 39 active · 0 selected" in text_of(app, "#drill-title")
        assert any("Moved 2 tickets to Ingrid Haugen." == n.message for n in app._notifications)
        await pilot.press("escape")
        await settle(pilot)
        board = app.screen.query_one("#team", SteadyTable)
        assert str(board.get_row(INGRID)[1]) == "10"
        ingrid = await drill_into(pilot, INGRID)
        assert set(moving) <= set(ingrid.query_one(TicketTable).keys), "and joined Ingrid's"
    assert {f.assignee_id for f in ticket_facts(demo_store) if f.id in moving} == {INGRID}


async def test_reassign_from_the_breach_list_and_open_a_ticket(demo_store):
    app = lead_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        lead = await open_team_view(pilot)
        await pilot.press("2")
        breaches = lead.query_one("#breaches", TicketTable)
        assert breaches.has_focus and breaches.row_count == len(team.breaches(lead.data.states)) > 0
        first = breaches.keys[0]
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, AssignScreen) and "Reassign 1 ticket:" in str(
            app.screen.query_one(Static).render())
        await pilot.press("escape")
        assert app.screen is lead
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, TicketScreen) and app.screen.ticket_id == first


async def test_the_escalation_queue_shows_the_experts_clock(demo_store):
    app = lead_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        lead = await open_team_view(pilot)
        await pilot.press("3")
        escalations = lead.query_one("#escalations", TicketTable)
        assert escalations.row_count == len(team.escalations(lead.data.states)) == 5
        assert "48h answer" in [str(column.label) for column in escalations.columns.values()]
        due = [str(escalations.get_row(key)[4]) for key in escalations.keys]
        assert due[0].startswith("✖ -"), "the overdue expert answer first"


async def test_the_escalation_column_is_titled_by_the_policys_own_target(demo_store):
    app = lead_app(demo_store, config=from_mapping({"sla": {"escalation": "24h"}}, "test"))
    async with app.run_test(size=SIZE) as pilot:
        lead = await open_team_view(pilot)
        await pilot.press("3")
        escalations = lead.query_one("#escalations", TicketTable)
        assert "24h answer" in [str(column.label) for column in escalations.columns.values()]


async def test_unassigned_tickets_are_routed_as_suggested(demo_store):
    app = lead_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        await open_team_view(pilot)
        await pilot.press("u")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        assert "Route 4 unassigned tickets as suggested?" in str(app.screen.query_one(Static).render())
        await pilot.press("y")
        await settle(pilot, 5)
        board = app.screen.query_one("#team", SteadyTable)
        assert str(board.get_row("")[1]) == "0"
    maritime = {LIN, INGRID, ZHAO}
    routed = [f for f in ticket_facts(demo_store) if f.team == "Maritime Desk" and f.status == "open"]
    assert all(f.assignee_id in maritime for f in routed)


async def test_kpis_and_staffing_views(demo_store):
    app = lead_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        await open_team_view(pilot)
        await pilot.press("4")
        await settle(pilot)
        kpis = pane_text(app, "#kpi-body")
        assert "Weekly 2026-W48 · against 2026-W47" in kpis
        assert "1h first response met" in kpis and "Trends:" in kpis
        await pilot.press("w")
        await settle(pilot)
        assert "Monthly 2026-11 · against 2026-10" in pane_text(app, "#kpi-body")
        await pilot.press("left_square_bracket")
        await settle(pilot)
        assert "Monthly 2026-10 · against 2026-09" in pane_text(app, "#kpi-body")
        await pilot.press("5")
        await settle(pilot)
        staffing = pane_text(app, "#staffing-body")
        maritime = team.Scope("Maritime Desk")
        agents = demo_store.agents()
        arrivals = demo_store.ticket_arrivals(NOW - timedelta(weeks=4), NOW, maritime.members(agents), maritime.pools)
        assert 0 < len(arrivals) < len(demo_store.ticket_arrivals(NOW - timedelta(weeks=4), NOW)), "not every team's"
        assert f"Maritime Desk · {len(arrivals)} tickets created in the last 4 weeks · hours in Asia/Shanghai" in staffing
        assert "Erlang C · Tue · 85% answered within 60 min" in staffing
        assert "23:00" in staffing and "Agents needed at the busiest hour: Mon" in staffing
        await pilot.press("d")
        assert "Erlang C · Wed" in pane_text(app, "#staffing-body")


async def test_countdowns_move_with_the_clock(demo_store):
    clock = MovableClock(NOW)
    app = lead_app(demo_store, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        lead = await open_team_view(pilot)
        breaches = lead.query_one("#breaches", TicketTable)
        key = next(k for k in breaches.keys if str(breaches.get_row(k)[4]).startswith("!"))
        before = str(breaches.get_row(key)[4])
        clock.advance(minutes=2)
        app.tick()
        await settle(pilot)
        assert str(breaches.get_row(key)[4]) != before


async def test_an_agent_gets_no_team_view(demo_store):
    app = lead_app(demo_store, agent=LIN)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "t" not in footer_keys(app)
        await pilot.press("t")
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen)
        titles = [command.title for command in app.get_system_commands(app.screen)]
        assert "Team view" not in titles and "Switch agent" in titles


async def test_a_lead_sees_the_team_key_and_palette_command(demo_store):
    app = lead_app(demo_store)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert "t" in footer_keys(app)
        assert "Team view" in [command.title for command in app.get_system_commands(app.screen)]


async def test_switching_agent_from_the_palette(demo_store):
    app = lead_app(demo_store, agent=LIN)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.action_switch_agent()
        await settle(pilot)
        assert isinstance(app.screen, ChooseScreen)
        options = app.screen.query_one(OptionList)
        ids = [options.get_option_at_index(i).id for i in range(options.option_count)]
        options.highlighted = ids.index(ZHAO)
        await pilot.press("enter")
        await settle(pilot)
        assert app.agent.id == ZHAO and isinstance(app.screen, QueueScreen)
        await pilot.press("t")
        await settle(pilot)
        assert isinstance(app.screen, LeadScreen)
    assert demo_store.current_agent().id == ZHAO


async def test_read_only_moves_nothing(demo_store):
    demo_store.readonly = True
    app = lead_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        lead = await open_team_view(pilot)
        assert "READ-ONLY: nothing can be changed" in text_of(app, "#lead-title")
        assert "u" not in footer_keys(app)
        await pilot.press("2")
        assert not {"a", "space"} & footer_keys(app)
        await pilot.press("space", "a", "u")
        await settle(pilot)
        assert app.screen is lead and not lead.query_one("#breaches", TicketTable).selected
        lead.start_reassign([lead.query_one("#breaches", TicketTable).keys[0]])
        await pilot.pause()
        assert app.screen is lead
        assert any("Read-only session" in n.message for n in app._notifications)


async def test_the_team_view_speaks_chinese(demo_store):
    app = lead_app(demo_store, config=from_mapping({"language": "zh"}))
    async with app.run_test(size=SIZE) as pilot:
        await open_team_view(pilot)
        assert "团队 · Maritime Desk · 赵敏 Zhao Min" in text_of(app, "#lead-title")
        assert "超时" in text_of(app, "#lead-title")
        assert "2 超时 (" in text_of(app, "#lead-tabs")
        await pilot.press("2")
        labels = {b.binding.description for b in app.screen.active_bindings.values() if b.binding.show}
        assert {"选择", "转派", "自动分配"} <= labels
        breaches = app.screen.query_one("#breaches", TicketTable)
        priorities = {str(breaches.get_row_at(row)[3]) for row in range(breaches.row_count)}  # after the agent
        assert priorities and priorities <= {"‼ 紧急", "! 高", "· 普通", "  低"}, priorities


@pytest.mark.parametrize("size", [(80, 24), (100, 30)])
async def test_every_view_fits_the_terminal(demo_store, size):
    app = lead_app(demo_store)
    async with app.run_test(size=size) as pilot:
        lead = await open_team_view(pilot)
        for view in "12345":
            await pilot.press(view)
            await settle(pilot)
            assert lead.query_one("#lead-views").region.bottom <= size[1] - 2, "above the sync line and footer"
            assert lead.query_one("#lead-views").region.right <= size[0]


async def test_a_logged_in_device_offers_no_switching_agent(store, isolated_home):
    """A device logged in works as the token's owner (a demo database never syncs, so it is
    not one: this is a plain store)."""
    from cs_console.sync.login import Settings, save_settings

    lin = store.create_agent("林伟 Lin Wei", role="lead")
    store.create_agent("Ingrid Haugen")
    save_settings(Settings(server="http://127.0.0.1:9", token="t0ken", agent_id=lin.id, agent_name=lin.name))
    app = lead_app(store, agent=lin.id)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.sync_state.configured
        assert "Switch agent" not in [command.title for command in app.get_system_commands(app.screen)]
        app.action_switch_agent()
        await settle(pilot)
        assert not isinstance(app.screen, ChooseScreen)
        assert any("logged in to http://127.0.0.1:9 as 林伟 Lin Wei" in n.message for n in app._notifications)
    assert store.current_agent().id == lin.id


async def test_replies_the_server_could_not_mail_are_named_with_the_reason(demo_store):
    from cs_console.storage.models import Ticket
    from cs_console.sync.apply import store_sync_page

    with demo_store.read() as session:
        ticket = session.exec(select(Ticket).order_by(Ticket.number)).first()
    failed = {"id": "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d", "ticket_id": ticket.id, "state": "failed",
              "reason": "550 5.1.1 User unknown", "attempts": 1, "retry_at": None,
              "updated_at": "2026-11-24 09:00:00.000000", "field_clocks": {"state": "1796652508870.00001.server"}}
    store_sync_page(demo_store, acked_through=None, rows={"reply_delivery": [failed]}, cursor=0, library_cursor=0,
                    server_ms=1796652508870)
    app = lead_app(demo_store)
    async with app.run_test(size=(120, 24)) as pilot:
        await open_team_view(pilot)
        line = app.screen.query_one("#lead-mail", Static)
        assert line.display
        assert f"✗ 1 mailed reply failed: {ticket.number} (550 5.1.1 User unknown)" in text_of(app, "#lead-mail")


async def test_no_failed_reply_no_line(demo_store):
    app = lead_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        await open_team_view(pilot)
        assert not app.screen.query_one("#lead-mail", Static).display


async def test_a_lead_sees_the_mail_problems_of_their_teams_mailbox_and_the_relay_only(demo_store):
    from cs_console.sync.apply import store_sync_page

    def problem(problem_id: str, team: str, source: str, address: str, kind: str, count: int) -> dict:
        return {"id": problem_id, "team": team, "source": source, "address": address, "problem": kind,
                "detail": "AUTHENTICATIONFAILED", "count": count, "since": "2026-11-24 02:02:00.000000",
                "last_at": "2026-11-24 02:30:00.000000", "field_clocks": {"problem": "1796652508870.00001.server"}}

    rows = [problem("mailbox:Maritime Desk", "Maritime Desk", "mailbox", "support@seanet.example", "login_refused", 3),
            problem("relay", "", "relay", "smtp.seanet.example:587", "unreachable", 1),
            problem("mailbox:SIM Desk", "SIM Desk", "mailbox", "sim@seanet.example", "login_refused", 2)]
    store_sync_page(demo_store, acked_through=None, rows={"mail_problem": rows}, cursor=0, library_cursor=0,
                    server_ms=1796652508870)
    app = lead_app(demo_store, config=from_mapping({"language": "en", "timezone": "Asia/Shanghai"}))
    async with app.run_test(size=(120, 24)) as pilot:
        await open_team_view(pilot)
        line = text_of(app, "#lead-mail")
    assert "✗ mailbox support@seanet.example: login refused (3 times since 10:02): AUTHENTICATIONFAILED" in line
    assert "✗ SMTP relay smtp.seanet.example:587: cannot be reached (10:02)" in line
    assert "sim@seanet.example" not in line
