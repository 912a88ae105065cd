"""Attaching files from the ticket screen, keyboard first: `f` asks for a path (Tab completes,
a paste works), the file goes with the reply being written (or onto the ticket when the
composer is empty), and each file shows its state under its message; the outbox lists the
files not yet on the server, and `w` sends them whatever the budget says."""

from __future__ import annotations

import random
import threading
from datetime import timedelta

from textual import events
from textual.widgets import Input, OptionList, Static, TextArea

from cs_console.app import ConsoleApp
from cs_console.config import Config
from cs_console.screens.attach import AttachScreen
from cs_console.screens.outbox import OutboxScreen
from cs_console.screens.ticket import TicketScreen
from cs_console.storage.models import Customer
from cs_console.sync.attachment_budget import Budget, BudgetError, budget_from_config
from cs_console.usecases.attachments import AttachError, attach_path, path_completions
from tests.conftest import NOW
from tests.test_tui_drafts import WAIT_S
from tests.test_tui_drafts import until as until_while_working
from tests.test_tui_outbox import everything_sent, option_texts, settle, until

SIZE = (100, 30)
REPLY = "Photo of the hatch seal attached; the technician boards at 14:00."


def rig(store):
    agent = store.create_agent("Lin Wei", team="Maritime Desk")
    store.set_current_agent(agent.id)
    ticket = store.create_ticket(new_customer=Customer(name="Hai Xing Shipping"), subject="Hatch cover seal",
                                 first_message="water in hold 3", at=NOW - timedelta(hours=1))
    everything_sent(store)
    return agent, ticket


def photo(tmp_path, name="hatch.jpg", size=700_000):
    path = tmp_path / "pictures" / name
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(b"\xff\xd8\xff\xe0" + random.Random(1).randbytes(size - 4))
    return path


def conversation_text(app) -> str:
    return "\n".join(str(entry.render()) for entry in app.screen.query("#conversation Static"))


async def open_ticket(pilot, ticket_id: str) -> None:
    await settle(pilot)
    pilot.app.open_ticket(ticket_id)
    await until(pilot, lambda: isinstance(pilot.app.screen, TicketScreen), "the ticket opens")
    await settle(pilot)


async def test_a_pasted_path_goes_with_the_reply_and_shows_its_state(store, tmp_path):
    agent, ticket = rig(store)
    path = photo(tmp_path)
    app = ConsoleApp(store, Config(), clock=lambda: NOW)
    async with app.run_test(size=SIZE) as pilot:
        await open_ticket(pilot, ticket.id)
        await pilot.press("r", *REPLY)
        await pilot.press("escape", "f")
        await until(pilot, lambda: isinstance(app.screen, AttachScreen), "the path prompt opens")
        app.screen.query_one(Input).post_message(events.Paste(f"'{path}'"))  # as a terminal pastes a dragged file
        await settle(pilot)
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, TicketScreen), "the prompt closes")
        assert "hatch.jpg · goes with the next reply" in str(app.screen.query_one("#composer-status", Static).render())
        await pilot.press("r", "ctrl+s")
        await until(pilot, lambda: "📎 hatch.jpg" in conversation_text(app), "the file shows under the reply")
        [held] = store.attached_files(ticket.id)
        reply = next(i for i in store.ticket_detail(ticket.id).interactions if i.kind == "public_reply")
        assert held.attachment.interaction_id == reply.id and held.held
        text = conversation_text(app)
        assert f"{REPLY}\n📎 hatch.jpg · 700.0 KB · deferred by budget (over 512 KB, waits for a fast link)" in text
        store.note_transfer(held.attachment.sha256, 350_000)
        store.send_now([held.attachment.sha256])
        app.screen.reload()
        await until(pilot, lambda: "hatch.jpg · 700.0 KB · sending 50%" in conversation_text(app), "sending 50%")
        store.note_transfer(held.attachment.sha256, 700_000, done=True)
        app.screen.reload()
        await until(pilot, lambda: "hatch.jpg · 700.0 KB · on the server" in conversation_text(app), "on the server")


async def test_tab_completes_the_path_and_a_wrong_path_is_named_and_the_prompt_stays(store, tmp_path):
    _, ticket = rig(store)
    path = photo(tmp_path, "psc-deficiencies.pdf", 5000)
    app = ConsoleApp(store, Config(), clock=lambda: NOW)
    async with app.run_test(size=SIZE) as pilot:
        await open_ticket(pilot, ticket.id)
        await pilot.press("f")
        await until(pilot, lambda: isinstance(app.screen, AttachScreen), "the path prompt opens")
        await pilot.press(*f"{tmp_path}/nothing-here.pdf", "enter")
        await settle(pilot)
        assert isinstance(app.screen, AttachScreen)
        assert "nothing-here.pdf: no such file" in str(app.screen.query_one("#attach-problem", Static).render())
        field = app.screen.query_one(Input)
        field.value = ""
        await pilot.press(*f"{path.parent}/psc")
        await until(pilot, lambda: field._suggestion == str(path), "the completion is offered")
        await pilot.press("tab")
        assert field.value == str(path)
        await pilot.press("enter")
        await until(pilot, lambda: "📎 psc-deficiencies.pdf" in conversation_text(app), "the file is on the ticket")
        [held] = store.attached_files(ticket.id)
        assert held.attachment.interaction_id is None and held.attachment.content_type == "application/pdf"


async def test_typing_a_path_goes_on_while_a_slow_folder_is_listed(store, tmp_path, monkeypatch):
    _, ticket = rig(store)
    listing, release, listed = threading.Event(), threading.Event(), threading.Event()

    def slow_folder(text):
        """A folder on a network mount that takes its time to list."""
        listing.set()
        release.wait(WAIT_S)
        listed.set()
        return []

    monkeypatch.setattr("cs_console.screens.attach.path_completions", slow_folder)
    app = ConsoleApp(store, Config(), clock=lambda: NOW)
    async with app.run_test(size=SIZE) as pilot:
        await open_ticket(pilot, ticket.id)
        await pilot.press("f")
        await until(pilot, lambda: isinstance(app.screen, AttachScreen), "the path prompt opens")
        await pilot.press("/")
        await until_while_working(pilot, listing.is_set, "the folder is being listed")
        await pilot.press(*"mnt/ship")
        field = app.screen.query_one(Input)
        await until_while_working(pilot, lambda: field.value == "/mnt/ship", "the keys typed while the folder is listed")
        assert not listed.is_set(), "the keys waited for the folder to be listed"
        release.set()


async def test_the_outbox_lists_files_not_on_the_server_and_w_sends_them_now(store, tmp_path):
    agent, ticket = rig(store)
    attach_path(store, ticket.id, str(photo(tmp_path)), Budget(), author_id=agent.id)
    everything_sent(store)
    app = ConsoleApp(store, Config(), clock=lambda: NOW)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+o")
        await until(pilot, lambda: isinstance(app.screen, OutboxScreen), "the outbox opens")
        await until(pilot, lambda: any("hatch.jpg" in text for text in option_texts(app)), "the file is listed")
        assert any(text.startswith("📎 deferred by budget") for text in option_texts(app))
        await pilot.press("w")
        await until(pilot, lambda: any(text.startswith("📎 on this device · hatch.jpg") for text in option_texts(app)),
                    "the file goes at the next sync")
        assert all(transfer.send_now for transfer in store.transfers_unsent())
        assert app.screen.query_one(OptionList)


def test_attaching_refuses_what_the_budget_or_the_file_system_refuses(store, tmp_path):
    _, ticket = rig(store)
    big = photo(tmp_path, "scan.tif", 3000)
    for text, expected in ((str(big), "attachments.max_file_kb allows at most 1 KB"),
                           (str(tmp_path), "not a file"), ("", "type or paste the path")):
        try:
            attach_path(store, ticket.id, text, Budget(max_file_bytes=1024), author_id=None)
        except AttachError as error:
            assert expected in str(error)
        else:
            raise AssertionError(f"{text!r} was attached")
    assert store.attached_files(ticket.id) == []
    assert path_completions(f"{big.parent}/sc") == [str(big)]
    assert path_completions(f"file://{big.parent}/") == [f"file://{big.parent}/scan.tif"]


def test_the_budget_reads_from_the_config_and_refuses_a_wrong_setting():
    budget = budget_from_config({"attachments": {"defer_above_kb": 100, "fast_link_kbit": 128, "daily_kb": 1000}})
    assert budget.defer_above_bytes == 102_400 and budget.fast_link_bytes_per_second == 16_000
    assert budget.deferral(200_000, send_now=False, speed=20_000.0, sent_today=0) is None
    assert "fast link" in budget.deferral(200_000, send_now=False, speed=1_200.0, sent_today=0)
    assert "today's budget" in budget.deferral(200_000, send_now=False, speed=20_000.0, sent_today=900_000)
    assert budget.deferral(200_000, send_now=True, speed=None, sent_today=900_000) is None
    for table, named in (({"defer_kb": 1}, "attachments.defer_kb: no such setting"),
                         ({"daily_kb": -1}, "attachments.daily_kb: expected a whole number")):
        try:
            budget_from_config({"attachments": table}, "config.toml")
        except BudgetError as error:
            assert named in str(error) and "config.toml" in str(error)
        else:
            raise AssertionError(f"{table} was taken")


def test_a_photo_is_scaled_down_when_the_budget_says_so_and_other_files_never_are(store, tmp_path):
    import io

    from PIL import Image

    _, ticket = rig(store)
    shot = tmp_path / "hatch.jpg"
    noise = Image.frombytes("RGB", (2400, 1800), random.Random(4).randbytes(2400 * 1800 * 3))
    noise.save(shot, quality=92)
    pdf = tmp_path / "scan.pdf"
    pdf.write_bytes(b"%PDF-1.4 " + random.Random(5).randbytes(50_000))
    budget = Budget(photo_max_px=800)
    photo_row = attach_path(store, ticket.id, str(shot), budget, author_id=None)
    pdf_row = attach_path(store, ticket.id, str(pdf), budget, author_id=None)
    with Image.open(io.BytesIO(store.blobs.read(photo_row.sha256))) as kept:
        assert kept.size == (800, 600) and kept.format == "JPEG"
    assert photo_row.size == len(store.blobs.read(photo_row.sha256)) < shot.stat().st_size / 4
    assert store.blobs.read(pdf_row.sha256) == pdf.read_bytes()
    assert budget_from_config({"attachments": {"photo_max_px": 1600}}).photo_max_px == 1600


async def test_a_new_ticket_takes_a_file_with_its_first_message(store, tmp_path):
    from cs_console.screens.new_ticket import NewTicketScreen

    agent, _ = rig(store)
    scan = photo(tmp_path, "crane-certificate.pdf", 40_000)
    app = ConsoleApp(store, Config(), clock=lambda: NOW)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await until(pilot, lambda: isinstance(app.screen, NewTicketScreen), "the form opens")
        await pilot.press(*"Hai Xing")
        await settle(pilot)
        await pilot.press("enter", "enter")  # into the matches, the customer
        await pilot.press(*"Crane certificate renewal")
        app.screen.query_one("#first-message", TextArea).focus()
        await pilot.press(*"Scan of the current certificate attached.", "f4")
        await until(pilot, lambda: isinstance(app.screen, AttachScreen), "the path prompt opens")
        await pilot.press(*str(scan), "enter")
        await until(pilot, lambda: isinstance(app.screen, NewTicketScreen), "the prompt closes")
        assert "crane-certificate.pdf · goes with the ticket's first message" in \
            str(app.screen.query_one("#new-ticket-status", Static).render())
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, TicketScreen), "the new ticket opens")
        await until(pilot, lambda: "📎 crane-certificate.pdf · 40.0 KB · on this device" in conversation_text(app),
                    "the file shows under the first message")
        ticket_id = app.screen.ticket_id
    [held] = store.attached_files(ticket_id)
    first = store.ticket_detail(ticket_id).interactions[0]
    assert held.attachment.interaction_id == first.id and first.body == "Scan of the current certificate attached."


async def test_o_opens_a_file_in_the_viewer_or_saves_it_where_the_console_says(store, tmp_path, monkeypatch):
    from cs_console.screens.choose import ChooseScreen
    from cs_console.usecases import attachments as attachments_usecase

    agent, ticket = rig(store)
    scan = photo(tmp_path, "psc-deficiencies.pdf", 5000)
    attach_path(store, ticket.id, str(scan), Budget(), author_id=agent.id)
    monkeypatch.setattr(attachments_usecase.shutil, "which", lambda _name: None)  # a rig terminal with no viewer
    app = ConsoleApp(store, Config(), clock=lambda: NOW)
    async with app.run_test(size=SIZE) as pilot:
        await open_ticket(pilot, ticket.id)
        await pilot.press("v")
        await until(pilot, lambda: isinstance(app.screen, ChooseScreen), "the files are offered")
        options = app.screen.query_one(OptionList)
        assert "psc-deficiencies.pdf · 5.0 KB · on this device" in str(options.get_option_at_index(0).prompt)
        await pilot.press("enter")
        saved = lambda: list(attachments_usecase.opened_dir().rglob("psc-deficiencies.pdf"))  # noqa: E731
        await until(pilot, lambda: saved(), "it is saved for the agent")
        assert saved()[0].read_bytes() == scan.read_bytes()
        await until(pilot, lambda: any("No viewer on this system" in str(note.message)
                                       for note in app._notifications), "the console says where it is")
