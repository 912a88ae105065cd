"""Knowledge base in the TUI: search, the template picker, red lines and compliance prompts."""

from __future__ import annotations

from datetime import timedelta

from textual.widgets import Input, Static

from cs_console.app import ConsoleApp
from cs_console.config import Config
from cs_console.demo.data_set import DEMO_AGENT_KEY, demo_id
from cs_console.screens.confirm import ConfirmScreen
from cs_console.screens.knowledge_base import RESULT_LIMIT, KnowledgeBaseScreen
from cs_console.screens.queue import QueueScreen
from cs_console.screens.ticket import TicketScreen
from cs_console.storage.models import Contact, Customer
from cs_console.widgets.virtual_table import VirtualTable
from tests.conftest import NOW, stored_template
from tests.test_interface_strings import shown
from tests.test_tui_first_loop import SIZE, settle


def demo_app(store) -> ConsoleApp:
    return ConsoleApp(store, Config(), clock=lambda: NOW + timedelta(minutes=1))


def new_demo_ticket(store, message: str, contact: str = "Wang Fang"):
    return store.create_ticket(
        new_customer=Customer(name="Donghai Ocean Shipping"),
        new_contact=Contact(name=contact) if contact else None, subject="Question from the chief engineer",
        first_message=message, assignee_id=demo_id("agent", DEMO_AGENT_KEY), priority="urgent", at=NOW,
    )


def composer_text(app) -> str:
    return app.screen.query_one("#composer").text


async def open_ticket(pilot, ticket_id: str) -> None:
    await settle(pilot)
    pilot.app.push_screen(TicketScreen(ticket_id))
    await settle(pilot)


async def pick_template(pilot, ticket_id: str, query: str) -> None:
    """Open the ticket, then the template picker (ctrl+t), and type `query` there."""
    await open_ticket(pilot, ticket_id)
    await pilot.press("ctrl+t")
    await settle(pilot)
    await pilot.press(*query)
    await settle(pilot)


def results(app) -> VirtualTable:
    return app.screen.query_one("#kb-results", VirtualTable)


def preview(app) -> str:
    return str(app.screen.query_one("#kb-preview", Static).render())


def cursor_line(app) -> str:
    """The line of the screen the results' cursor mark starts, as the terminal shows it."""
    return next(line for line in shown(app).splitlines() if line.startswith(">"))


async def test_search_by_pinyin_initials_marks_the_matched_title(demo_store):
    app = demo_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen)
        await pilot.press("k")
        await settle(pilot)
        assert isinstance(app.screen, KnowledgeBaseScreen)
        await pilot.press(*"tfyw")
        await settle(pilot)
        hits = app.screen.hits
        assert hits and "台风延误" in hits[0].title
        first = results(app).render_line(1)  # line 0 is the header
        assert first.text.startswith(">"), "the best hit has the cursor"
        marked = "".join(segment.text for segment in first if segment.style and segment.style.underline)
        assert marked == "台风延误"
        await settle(pilot)
        assert hits[0].title in str(app.screen.query_one("#kb-preview", Static).render())
        await pilot.press("escape")
        assert isinstance(app.screen, QueueScreen)


async def test_page_down_from_the_query_reaches_the_last_of_many_results(demo_store):
    """More hits than fit on screen, and more than the thirty the list once stopped at: page
    down from the query field reaches the last, in the search's order, and the preview and
    the cursor follow it; End on the table gets there too."""
    app = demo_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("k")
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        expected = app.catalog().search("a", limit=RESULT_LIMIT, lang=app.config.language)
        table = results(app)
        assert [hit.id for hit in app.screen.hits] == [hit.id for hit in expected]
        assert len(expected) > max(30, len(table.visible_range()))
        last = expected[-1]

        for _ in range(len(expected) // len(table.visible_range()) + 1):
            await pilot.press("pagedown")
        await settle(pilot)
        assert app.screen.query_one("#kb-query", Input).has_focus, "the query keeps the cursor"
        assert table.cursor_row == len(expected) - 1 and table.cursor_key == last.id
        assert last.title in preview(app)
        assert last.title[:8] in cursor_line(app)

        await pilot.press("up")
        await settle(pilot)
        assert table.cursor_key == expected[-2].id and expected[-2].title in preview(app)

        await pilot.press("tab", "home")
        await settle(pilot)
        assert table.has_focus and table.cursor_key == expected[0].id and expected[0].title in preview(app)
        await pilot.press("end", "enter")
        await settle(pilot)
        assert isinstance(app.screen, KnowledgeBaseScreen), "outside the picker, Enter only previews"
        assert table.cursor_key == last.id and last.title in preview(app)
        assert last.title[:8] in cursor_line(app)


async def test_the_picker_inserts_the_last_of_many_templates(demo_store):
    ticket = new_demo_ticket(demo_store, "Bilge alarm keeps sounding.")
    app = demo_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        await pick_template(pilot, ticket.id, "a")
        found = app.catalog().search("a", limit=RESULT_LIMIT * 3, lang=app.config.language)
        expected = [hit for hit in found if hit.kind == "template"][:RESULT_LIMIT]
        assert [hit.id for hit in app.screen.hits] == [hit.id for hit in expected]
        assert len(expected) > len(results(app).visible_range())
        last = expected[-1]
        uses_before = stored_template(demo_store, last.id).uses

        await pilot.press("tab", "end")
        await settle(pilot)
        assert last.title in preview(app)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, TicketScreen)
        assert composer_text(app).strip()
    assert stored_template(demo_store, last.id).uses == uses_before + 1, "the last template was the one inserted"


async def test_colons_open_the_picker_and_enter_inserts_the_filled_template(demo_store):
    ticket = new_demo_ticket(demo_store, "Bilge alarm keeps sounding.")
    template_id = demo_id("template", "tpl-greeting-en")
    uses_before = stored_template(demo_store, template_id).uses
    app = demo_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        await open_ticket(pilot, ticket.id)
        await pilot.press("r", *"Hi", "space", ":", "x", "left", ":", "end", "space")
        assert not isinstance(app.screen, KnowledgeBaseScreen), "colons apart do not open the picker"
        assert composer_text(app) == "Hi ::x "
        await pilot.press(":", ":")
        await settle(pilot)
        assert isinstance(app.screen, KnowledgeBaseScreen) and app.screen.picker
        await pilot.press(*"greeting introduction")
        await settle(pilot)
        assert all(hit.kind == "template" for hit in app.screen.hits)
        assert app.screen.hits[0].id == template_id
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, TicketScreen)
        text = composer_text(app)
        assert text.startswith("Hi ::x Hello Wang Fang, this is 林伟 Lin Wei.")
        assert ticket.number in text and "{" not in text
    assert stored_template(demo_store, template_id).uses == uses_before + 1


async def test_an_empty_placeholder_is_marked_and_blocks_a_silent_send(demo_store):
    ticket = new_demo_ticket(demo_store, "Bilge alarm keeps sounding.", contact="")
    app = demo_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        await open_ticket(pilot, ticket.id)
        await pilot.press("ctrl+t")
        await settle(pilot)
        await pilot.press(*"greeting introduction", "enter")
        await settle(pilot)
        assert "⟦customer.contact_name⟧" in composer_text(app)
        assert "customer.contact_name⟧ empty" in str(app.screen.query_one("#composer-status", Static).render())
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        assert "placeholder not filled" in str(app.screen.query_one(Static).render())


async def test_a_red_line_blocks_the_send_until_confirmed(demo_store):
    ticket = new_demo_ticket(demo_store, "Bilge alarm keeps sounding.")
    app = demo_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        await open_ticket(pilot, ticket.id)
        await pilot.press("r")
        app.screen.query_one("#composer").insert("Sorry, that’s not my job.")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        assert "not my job" in str(app.screen.query_one(Static).render())
        await pilot.press("enter", "n")
        await settle(pilot)
        assert isinstance(app.screen, TicketScreen)
        assert composer_text(app) == "Sorry, that’s not my job.", "nothing lost, nothing sent"
        assert len(demo_store.ticket_detail(ticket.id).interactions) == 1

        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press("y")
        await settle(pilot)
        await settle(pilot)
        assert composer_text(app) == ""
    assert demo_store.ticket_detail(ticket.id).interactions[-1].body == "Sorry, that’s not my job."


async def test_internal_notes_are_not_checked_for_red_lines(demo_store):
    ticket = new_demo_ticket(demo_store, "Bilge alarm keeps sounding.")
    app = demo_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        await open_ticket(pilot, ticket.id)
        await pilot.press("i", *"Customer says it is not my job to check the OWS.", "ctrl+s")
        await settle(pilot)
        await settle(pilot)
        assert not isinstance(app.screen, ConfirmScreen)
    assert demo_store.ticket_detail(ticket.id).interactions[-1].kind == "internal_note"


async def test_a_compliance_prompt_appears_on_a_matching_ticket(demo_store):
    oily = new_demo_ticket(demo_store, "机舱含油污水今天要排放，请确认流程。")
    plain = new_demo_ticket(demo_store, "Please send the invoice again.")
    app = demo_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        await open_ticket(pilot, oily.id)
        prompt = app.screen.query_one("#ticket-compliance", Static)
        assert prompt.display and "含油污水" in str(prompt.render())
        await pilot.press("escape")
        await open_ticket(pilot, plain.id)
        assert not app.screen.query_one("#ticket-compliance", Static).display


async def test_colons_inside_a_word_are_typed_and_escape_gives_back_the_colons(demo_store):
    ticket = new_demo_ticket(demo_store, "The terminal lost its IPv6 route.")
    app = demo_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        await open_ticket(pilot, ticket.id)
        await pilot.press("r", *"Gateway fe80::1 set")
        await settle(pilot)
        assert isinstance(app.screen, TicketScreen), "an IPv6 address does not open the picker"
        assert composer_text(app) == "Gateway fe80::1 set"
        await pilot.press("space", ":", ":")
        await settle(pilot)
        assert isinstance(app.screen, KnowledgeBaseScreen) and app.screen.picker
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, TicketScreen)
        assert composer_text(app) == "Gateway fe80::1 set ::", "Escape restores what was typed"


async def test_the_red_line_warning_goes_once_the_phrase_is_edited_out(demo_store):
    ticket = new_demo_ticket(demo_store, "Bilge alarm keeps sounding.")
    app = demo_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        await open_ticket(pilot, ticket.id)
        await pilot.press("r")
        app.screen.query_one("#composer").insert("Sorry, that’s not my job.")
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press("n")
        await settle(pilot)
        status = app.screen.query_one("#composer-status", Static)
        assert "not my job" in str(status.render())
        assert app.screen.query_one("#composer").has_focus
        await pilot.press(*["backspace"] * len("not my job."), *"on its way.")
        await pilot.pause()
        assert composer_text(app) == "Sorry, that’s on its way."
        assert "not my job" not in str(status.render()), "the warning is checked again as the text changes"


async def test_enter_typed_before_the_results_picks_the_best_of_them(demo_store, monkeypatch):
    import threading

    ticket = new_demo_ticket(demo_store, "Bilge alarm keeps sounding.")
    app = demo_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        await open_ticket(pilot, ticket.id)
        await pilot.press("ctrl+t")
        await settle(pilot)
        catalog, results_held = app.catalog(), threading.Event()
        search = catalog.search
        monkeypatch.setattr(catalog, "search", lambda query, **kw: results_held.wait(30) and search(query, **kw))
        app.screen.query_one("#kb-query", Input).value = "callback no answer"
        await pilot.press("enter")  # before the results of what was typed are in
        results_held.set()
        await settle(pilot)
        await settle(pilot)
        assert isinstance(app.screen, TicketScreen), "one Enter chose"
        assert composer_text(app).startswith("Hi Wang Fang, 林伟 Lin Wei here. I tried to call you"), \
            "the best result of what was typed, not of the query before"


async def test_enter_in_the_queue_filter_opens_the_ticket_it_found(demo_store):
    app = demo_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        number = app.screen.rows[3].number
        await pilot.press("slash", *number)
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, TicketScreen), "one Enter from the filter opens the ticket"
        assert number in str(app.screen.query_one("#ticket-header", Static).render())


async def test_oily_water_finds_the_chinese_article_and_an_article_names_its_counterpart(demo_store):
    """An English query finds the Chinese article through the glossary; an article that
    exists in both languages names the other one under its preview."""
    app = demo_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("k")
        await settle(pilot)
        await pilot.press(*"oily water")
        await settle(pilot)
        titles = [hit.title for hit in app.screen.hits[:5]]
        assert any("含油污水" in title for title in titles), titles
        app.screen.query_one("#kb-query", Input).value = "Fuel oil non-availability report"
        await settle(pilot)
        await settle(pilot)
        assert app.screen.hits[0].title.startswith("Fuel oil non-availability report")
        assert "Also in Chinese: 燃油不可获得报告" in str(app.screen.query_one("#kb-counterpart", Static).render())
