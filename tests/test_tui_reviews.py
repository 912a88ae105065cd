"""A lead reviews conversations through Textual's pilot at 80x24: a sample of the team's
finished tickets (random or filtered), one scored on the rubric with a comment and saved,
and the agent reads it in "My reviews"; the KPI pane shows the review figures."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlmodel import select
from textual.widgets import Input, OptionList, Static

from cs_console.app import ConsoleApp
from cs_console.config import Config
from cs_console.demo.data_set import demo_id
from cs_console.screens.my_reviews import MyReviewsScreen
from cs_console.screens.review import ReviewSampleScreen, ReviewScreen
from cs_console.storage.models import OutboxOp, Review, Ticket
from cs_console.usecases.ticket_changes import add_interaction
from cs_console.widgets.rubric_form import RubricForm
from tests.conftest import NOW
from tests.test_lead_screen import LIN, SIZE, ZHAO, lead_app, open_team_view, settle

FINISHED = ("resolved", "closed")


async def open_sample(pilot) -> ReviewSampleScreen:
    await open_team_view(pilot)
    await pilot.press("v")
    await settle(pilot)
    assert isinstance(pilot.app.screen, ReviewSampleScreen)
    return pilot.app.screen


def maritime_tickets(store) -> dict[str, Ticket]:
    members = {a.id for a in store.agents() if a.team == "Maritime Desk"}
    with store.read() as session:
        return {t.id: t for t in session.exec(select(Ticket)) if t.assignee_id in members}


async def test_the_sample_holds_finished_unreviewed_team_tickets_and_filters_narrow_it(demo_store):
    escalated, unhappy = demo_id("ticket", "t007"), demo_id("ticket", "t042")
    demo_store.escalate(escalated, "Telecom Desk", "roaming on board", author_id=LIN, at=NOW - timedelta(days=2))
    add_interaction(demo_store, unhappy, "callback", "still waiting for the certificate", author_id=LIN,
                    satisfaction=1, at=NOW - timedelta(days=1))
    tickets = maritime_tickets(demo_store)
    reviewed = {demo_id("ticket", key) for key in ("t001", "t002", "t005", "t006", "t010")}
    async with lead_app(demo_store).run_test(size=SIZE) as pilot:
        screen = await open_sample(pilot)
        assert 0 < len(screen.samples) <= 5
        for candidate in screen.samples:
            assert candidate.ticket_id in tickets and tickets[candidate.ticket_id].status in FINISHED
            assert candidate.ticket_id not in reviewed
        assert "random" in str(screen.query_one("#review-sample-title", Static).render())
        await pilot.press("f")
        await settle(pilot)
        assert screen.how == "low_score" and unhappy in {c.ticket_id for c in screen.samples}
        assert all((c.lowest_satisfaction or 5) <= 2 or (c.lowest_nps is not None and c.lowest_nps <= 6)
                   for c in screen.samples)
        assert "☹ low score" in str(screen.query_one(OptionList).get_option_at_index(0).prompt)
        await pilot.press("f")
        await settle(pilot)
        assert screen.how == "escalated" and [c.ticket_id for c in screen.samples] == [escalated]
        assert "⇪ escalated" in str(screen.query_one(OptionList).get_option_at_index(0).prompt)


async def test_a_lead_scores_a_conversation_and_the_agent_reads_it(demo_store):
    async with lead_app(demo_store).run_test(size=SIZE) as pilot:
        screen = await open_sample(pilot)
        lin_sample = next(i for i, c in enumerate(screen.samples) if c.agent_id == LIN) if any(
            c.agent_id == LIN for c in screen.samples) else 0
        chosen = screen.samples[lin_sample]
        screen.query_one(OptionList).highlighted = lin_sample
        await pilot.press("enter")
        await settle(pilot)
        review = pilot.app.screen
        assert isinstance(review, ReviewScreen)
        assert chosen.number in str(review.query_one("#review-title", Static).render())
        assert review.query("#review-thread .entry"), "the conversation shows above the rubric"
        await pilot.press("ctrl+s")  # nothing scored yet: refused by name, nothing saved
        await settle(pilot)
        assert "missing Dialogue quality, Correctness, Policy compliance, Empathy" in str(
            review.query_one("#review-status", Static).render())
        assert isinstance(pilot.app.screen, ReviewScreen)
        await pilot.press("4", "5", "3", "2")
        await settle(pilot)
        assert review.query_one("#review-comment", Input).has_focus
        await pilot.press(*"Warmer close")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(pilot.app.screen, ReviewSampleScreen)
        assert "✔" in str(pilot.app.screen.query_one(OptionList).get_option_at_index(lin_sample).prompt)
    with demo_store.read() as session:
        saved = session.exec(select(Review).where(Review.ticket_id == chosen.ticket_id)).one()
        sent = session.exec(select(OutboxOp).where(OutboxOp.entity == "review")).all()
    assert json.loads(saved.scores) == {"dialogue": 4, "correctness": 5, "policy": 3, "empathy": 2}
    assert (saved.comment, saved.agent_id, saved.reviewer_id) == ("Warmer close", chosen.agent_id, ZHAO)
    assert [op.entity_id for op in sent] == [saved.id]

    demo_store.set_current_agent(chosen.agent_id)
    async with ConsoleApp(demo_store, Config(), clock=lambda: NOW).run_test(size=SIZE) as pilot:
        await settle(pilot)
        pilot.app.push_screen(MyReviewsScreen())
        await settle(pilot)
        mine = pilot.app.screen
        lines = [str(mine.query_one(OptionList).get_option_at_index(i).prompt)
                 for i in range(mine.query_one(OptionList).option_count)]
        assert any(chosen.number in line and "3.5" in line for line in lines)
        assert "Zhao Min" in lines[0] and chosen.number in lines[0]  # newest first
        detail = str(mine.query_one("#my-review-detail", Static).render())
        assert "Warmer close" in detail and "Empathy 2" in detail


async def test_the_review_opens_a_review_made_before_and_replaces_it(demo_store):
    ticket = demo_id("ticket", "t006")
    async with lead_app(demo_store).run_test(size=SIZE) as pilot:
        await settle(pilot)
        pilot.app.push_screen(ReviewScreen(ticket, LIN))
        await settle(pilot)
        screen = pilot.app.screen
        assert screen.query_one(RubricForm).scores == {"dialogue": 3, "correctness": 4, "policy": 4, "empathy": 2}
        assert "Reviewed before" in str(screen.query_one("#review-status", Static).render())
        await pilot.press("down", "down", "down", "4", "ctrl+s")
        await settle(pilot)
    with demo_store.read() as session:
        rows = session.exec(select(Review).where(Review.ticket_id == ticket)).all()
    assert len(rows) == 1 and json.loads(rows[0].scores)["empathy"] == 4


async def test_the_kpi_pane_shows_the_review_figures(demo_store):
    async with lead_app(demo_store).run_test(size=SIZE) as pilot:
        await open_team_view(pilot)
        await pilot.press("4", "w", "w")  # the month's KPIs
        await settle(pilot)
        from tests.test_lead_screen import pane_text

        text = pane_text(pilot.app, "#kpi-body")
        assert "Lead reviews of conversations" in text and "Empathy" in text


async def test_the_review_screen_speaks_chinese(demo_store):
    from cs_console.config import from_mapping

    app = lead_app(demo_store, config=from_mapping({"language": "zh"}))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        pilot.app.push_screen(ReviewScreen(demo_id("ticket", "t007"), LIN))
        await settle(pilot)
        screen = pilot.app.screen
        rubric = str(screen.query_one(RubricForm).render())
        assert all(label in rubric for label in ("对话质量", "解答准确", "合规", "共情"))
        assert "为 ▸ 所指项打分" in str(screen.query_one("#review-rubric-hint", Static).render())
        assert screen.query_one("#review-comment", Input).placeholder == "给坐席的评语"
        assert "质检 DEMO-0007" in str(screen.query_one("#review-title", Static).render())


async def test_a_broken_rubric_file_is_named_and_the_console_goes_on(demo_store, isolated_home):
    isolated_home.mkdir(parents=True, exist_ok=True)
    (isolated_home / "review_rubric.json").write_text('{"items": [{"key": "Tone"}]}', encoding="utf-8")
    async with lead_app(demo_store).run_test(size=SIZE, notifications=True) as pilot:
        await open_team_view(pilot)
        await pilot.press("4")
        await settle(pilot)
        said = [n.message for n in pilot.app._notifications]
        assert any("review_rubric.json: item 1: \"key\" must be lower-case" in message for message in said), said
        assert pilot.app.is_running
