"""Pilot tests of complaints and knowledge-base proposals on the agent's screens: the
sentiment flag suggests a mark, `o` marks and then opens the PEARL checklist, each step's
note lands in the trail; `k` proposes an article from a resolved ticket, a lead approves
one and rejects another with a reason the agent reads."""

from __future__ import annotations

from sqlmodel import select

from cs_console.app import ConsoleApp
from cs_console.config import Config
from cs_console.screens.kb_proposal import ProposalScreen
from cs_console.screens.kb_proposals import ProposalsScreen
from cs_console.screens.pearl import PearlScreen
from cs_console.screens.ticket import TicketScreen
from cs_console.storage.models import Customer, KbArticle, KbProposal, TicketEvent
from cs_console.usecases.ticket_changes import add_interaction, change_status
from tests.conftest import NOW
from tests.test_tui_drafts import until
from tests.test_tui_first_loop import screen_text, settle
from tests.test_tui_promises import open_first_ticket, thread_text

SIZE = (100, 32)


def angry_ticket(store):
    agent = store.create_agent("Lin Wei", team="Deck")
    store.set_current_agent(agent.id)
    ticket = store.create_ticket(new_customer=Customer(name="Hai Xing Shipping"), subject="SIM still not active",
                                 first_message="第三次了，还是无法激活，我要投诉！", assignee_id=agent.id, at=NOW)
    return agent, ticket


def events(store, ticket_id: str) -> list[TicketEvent]:
    with store.read() as session:
        return list(session.exec(select(TicketEvent).where(TicketEvent.ticket_id == ticket_id)
                                 .order_by(TicketEvent.at, TicketEvent.hlc)))


async def test_an_angry_message_suggests_a_complaint_and_the_agent_works_through_pearl(store):
    _agent, ticket = angry_ticket(store)
    app = ConsoleApp(store, Config(), clock=lambda: NOW)
    async with app.run_test(size=SIZE) as pilot:
        await open_first_ticket(pilot)
        assert "mark as complaint? (o)" in screen_text(app)
        await pilot.press("question_mark")
        await until(pilot, lambda: "To KB" in screen_text(app), "the help screen")
        assert "o                Complaint" in screen_text(app) and "k                To KB" in screen_text(app)
        await pilot.press("escape")
        await until(pilot, lambda: "mark as complaint?" in screen_text(app), "back on the ticket")

        await pilot.press("o")
        await until(pilot, lambda: "⚑ Complaint since" in screen_text(app), "the complaint banner")
        assert "PEARL 0/5" in screen_text(app)
        assert [e.kind for e in events(store, ticket.id)][-1] == "complaint_marked"

        await pilot.press("o")
        await until(pilot, lambda: isinstance(app.screen, PearlScreen), "the PEARL checklist")
        assert "Note for Professional" in screen_text(app), "the first step not done is first"
        await pilot.press(*"Checked the activation log", "enter")
        await until(pilot, lambda: "PEARL 1/5" in screen_text(app), "one step done")
        assert "PEARL Professional: Checked the activation log" in thread_text(app)

        await pilot.press("o")
        await until(pilot, lambda: isinstance(app.screen, PearlScreen), "the checklist again")
        first = str(app.screen.query_one("#pearl-steps").get_option_at_index(0).prompt)
        assert "Professional" in first and "✔ Checked the activation log" in first
        assert "Note for Empathy" in screen_text(app)
        await pilot.press(*"Said sorry for three calls", "enter")
        await until(pilot, lambda: "PEARL 2/5" in screen_text(app), "two steps done")

        await pilot.press("o")
        await until(pilot, lambda: isinstance(app.screen, PearlScreen), "the checklist to clear the mark")
        await pilot.press("ctrl+r")
        await until(pilot, lambda: "⚑ Complaint" not in screen_text(app), "the mark cleared")
    kinds = [e.kind for e in events(store, ticket.id)]
    assert kinds[-4:] == ["complaint_marked", "pearl_professional", "pearl_empathy", "complaint_cleared"]


async def resolved_ticket_app(store):
    agent = store.create_agent("Lin Wei", team="Deck")
    lead = store.create_agent("Lena Berg", team="Deck", role="lead")
    store.set_current_agent(agent.id)
    ticket = store.create_ticket(new_customer=Customer(name="Hai Xing Shipping"), subject="Roaming off after port call",
                                 first_message="No data since Busan", category="roaming", assignee_id=agent.id, at=NOW)
    add_interaction(store, ticket.id, "public_reply", "Re-register on the network: Settings, Mobile, Network, Auto.",
                    author_id=agent.id, at=NOW)
    change_status(store, ticket.id, "resolved", author_id=agent.id, at=NOW)
    return agent, lead, ticket


async def test_an_agent_proposes_an_article_from_the_thread_and_a_lead_approves_it(store):
    _agent, lead, ticket = await resolved_ticket_app(store)
    app = ConsoleApp(store, Config(), clock=lambda: NOW)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.open_ticket(ticket.id)  # a resolved ticket: the queue lists only those still worked
        await until(pilot, lambda: isinstance(app.screen, TicketScreen) and app.screen.detail is not None, "the ticket")
        await pilot.press("k")
        await until(pilot, lambda: isinstance(app.screen, ProposalScreen), "the proposal form")
        form = screen_text(app) + app.screen.query_one("#proposal-body").text
        assert "Roaming off after port call" in app.screen.query_one("#proposal-title").value
        assert "Settings, Mobile, Network, Auto." in form and "roaming" == app.screen.query_one("#proposal-category").value
        await pilot.press("ctrl+s")
        await until(pilot, lambda: bool(store.kb_proposals()), "the proposal saved")
        [row] = store.kb_proposals()
        assert (row.proposal.state, row.proposal.kind, row.number) == ("waiting", "article", ticket.number)

        app.open_kb_proposals()
        await until(pilot, lambda: isinstance(app.screen, ProposalsScreen) and app.screen.rows, "the agent's proposals")
        assert str(app.screen.query_one("#proposals-list").get_option_at_index(0).prompt).startswith("waiting · article")
        await pilot.press("a")  # an agent cannot approve: the key does nothing
        await settle(pilot)
        assert store.kb_proposals()[0].proposal.state == "waiting"

    store.set_current_agent(lead.id)
    app = ConsoleApp(store, Config(), clock=lambda: NOW)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.open_kb_proposals()
        await until(pilot, lambda: isinstance(app.screen, ProposalsScreen) and app.screen.rows, "the lead's list")
        await pilot.press("a")
        await until(pilot, lambda: store.kb_proposals()[0].proposal.state == "approved", "the approval")
    with store.read() as session:
        article = session.get(KbArticle, row.proposal.id)
        assert article.title == "Roaming off after port call" and article.category == "roaming"
        assert session.get(KbProposal, row.proposal.id).reviewer_id == lead.id


async def test_a_rejection_carries_a_reason_the_agent_reads(store):
    agent, lead, ticket = await resolved_ticket_app(store)
    store.propose_kb(ticket.id, author_id=agent.id, kind="template", title="Roaming fix", body="Re-register.", at=NOW)
    store.set_current_agent(lead.id)
    app = ConsoleApp(store, Config(), clock=lambda: NOW)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.open_kb_proposals()
        await until(pilot, lambda: isinstance(app.screen, ProposalsScreen) and app.screen.rows, "the lead's list")
        await pilot.press("j")
        await pilot.press(*"Already in the roaming article", "enter")
        await until(pilot, lambda: store.kb_proposals()[0].proposal.state == "rejected", "the rejection")
    store.set_current_agent(agent.id)
    app = ConsoleApp(store, Config(), clock=lambda: NOW)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.open_kb_proposals()
        await until(pilot, lambda: isinstance(app.screen, ProposalsScreen) and app.screen.rows, "the agent's list")
        option = str(app.screen.query_one("#proposals-list").get_option_at_index(0).prompt)
        assert "rejected by Lena Berg: Already in the roaming article" in option
