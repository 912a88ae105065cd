"""The customer screen edits an organisation from the keyboard: its contacts and its assets,
each value checked before anything is written; the new-ticket form picks the organisation,
then its contact and asset; the demo shows organisations as they are."""

from __future__ import annotations

import json

from sqlmodel import select
from textual.widgets import DataTable, Input, OptionList, Select, Static, TextArea

from cs_console.app import ConsoleApp
from cs_console.config import Config
from cs_console.demo.data_set import demo_id
from cs_console.identifiers import imo_problem
from cs_console.screens.customer import CustomerScreen
from cs_console.screens.new_ticket import NewTicketScreen
from cs_console.screens.organisation_form import RecordForm
from cs_console.screens.ticket import TicketScreen
from cs_console.storage.models import Asset, Contact, Customer, Ticket
from cs_console.widgets.virtual_table import VirtualTable
from tests.conftest import NOW

SIZE = (100, 32)


def organisation(store):
    agent = store.create_agent("Lin Wei", team="Maritime Desk")
    store.set_current_agent(agent.id)
    ticket = store.create_ticket(new_customer=Customer(name="Hai Xing Shipping", kind="shipowner"),
                                 new_contact=Contact(name="Chen Jie", role="master", phones='["+8613800138000"]'),
                                 subject="Gyro compass drift", first_message="drifts 3 degrees",
                                 assignee_id=agent.id, at=NOW)
    return ConsoleApp(store, Config(), clock=lambda: NOW), ticket


async def settle(pilot) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def shown(app) -> str:
    return "\n".join(str(widget.render()) for widget in app.screen.query(Static))


async def open_customer(pilot, customer_id: str) -> CustomerScreen:
    pilot.app.open_customer(customer_id)
    await settle(pilot)
    await settle(pilot)
    assert isinstance(pilot.app.screen, CustomerScreen)
    return pilot.app.screen


async def type_into(pilot, field: str, text: str) -> None:
    form = pilot.app.screen
    form.query_one(f"#form-{field}", Input).value = ""
    form.query_one(f"#form-{field}", Input).focus()
    await pilot.press(*text)


async def test_editing_a_contact_from_the_keyboard(store):
    app, ticket = organisation(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = await open_customer(pilot, ticket.customer_id)
        contacts = screen.query_one("#customer-contacts", DataTable)
        assert contacts.get_row_at(0)[:3] == ["Chen Jie", "master", "+8613800138000"]
        contacts.focus()
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, RecordForm)
        await type_into(pilot, "phones", "+86 138 0013 8000, 0047 22 33 44 55")
        await type_into(pilot, "emails", "chen.jie@haixing")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, RecordForm), "a bad address keeps the form open"
        assert "Emails" in shown(app) and "'chen.jie@haixing'" not in shown(app) and "chen.jie@haixing" in shown(app)
        assert app.screen.query_one("#form-emails", Input).has_focus
        assert store.contacts_of(ticket.customer_id)[0].emails == "[]", "nothing half-written"
        await type_into(pilot, "emails", "chen.jie@haixing.example")
        await pilot.press("enter")
        await settle(pilot)
        await settle(pilot)
        assert isinstance(app.screen, CustomerScreen)
        contact = store.contacts_of(ticket.customer_id)[0]
        assert json.loads(contact.phones) == ["+8613800138000", "+4722334455"]
        assert json.loads(contact.emails) == ["chen.jie@haixing.example"]
        assert "chen.jie@haixing.example" in screen.query_one("#customer-contacts", DataTable).get_row_at(0)[3]


async def test_adding_a_vessel_refuses_a_wrong_imo_check_digit_then_takes_the_right_one(store):
    app, ticket = organisation(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = await open_customer(pilot, ticket.customer_id)
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(app.screen, RecordForm)
        await type_into(pilot, "name", "MV Ocean Pioneer")
        await type_into(pilot, "imo", "9074728")
        await type_into(pilot, "flag", "Panama")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, RecordForm)
        problem = str(app.screen.query_one("#form-problem", Static).render())
        assert "IMO number" in problem and "check digit would be 9" in problem
        assert app.screen.query_one("#form-imo", Input).has_focus
        assert store.assets_of(ticket.customer_id) == [], "nothing half-written"
        await type_into(pilot, "imo", "IMO 9074729")
        await pilot.press("enter")
        await settle(pilot)
        await settle(pilot)
        assert isinstance(app.screen, CustomerScreen)
        [vessel] = store.assets_of(ticket.customer_id)
        assert (vessel.name, vessel.kind, vessel.imo, vessel.flag) == ("MV Ocean Pioneer", "vessel", "9074729", "Panama")
        assets = screen.query_one("#customer-assets", DataTable)
        assert assets.get_row_at(0)[0] == "MV Ocean Pioneer"


async def test_history_per_contact_and_asset(store):
    app, ticket = organisation(store)
    contact = store.contacts_of(ticket.customer_id)[0]
    other = store.add_contact(Contact(customer_id=ticket.customer_id, name="Wang Fang"))
    store.create_ticket(customer_id=ticket.customer_id, contact_id=other.id, subject="Invoice copy", first_message="x")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = await open_customer(pilot, ticket.customer_id)
        tickets = screen.query_one("#customer-tickets", VirtualTable)
        assert tickets.row_count == 2
        contacts = screen.query_one("#customer-contacts", DataTable)
        contacts.focus()
        contacts.move_cursor(row=[c.id for c in screen.contacts].index(other.id))
        await pilot.press("h")
        await settle(pilot)
        await settle(pilot)
        assert tickets.row_count == 1 and screen.tickets[0].subject == "Invoice copy"
        assert "Tickets of Wang Fang" in shown(app)
        contacts.move_cursor(row=[c.id for c in screen.contacts].index(contact.id))
        await pilot.press("x")
        await settle(pilot)
        await settle(pilot)
        assert [c.name for c in store.contacts_of(ticket.customer_id)] == ["Wang Fang"]
        assert store.contact(contact.id).removed, "a removed contact keeps its tickets' history"


def test_the_demo_has_organisations_with_several_contacts_and_vessels(demo_store):
    haixing = demo_id("customer", "haixing-shipping")
    assert {c.name for c in demo_store.contacts_of(haixing)} == {"周建国", "李国强", "王晓燕"}
    vessels = [a for a in demo_store.assets_of(haixing) if a.kind == "vessel"]
    assert {(v.name, v.imo) for v in vessels} == {("海星荣耀 MV Haixing Glory", "9413274"),
                                                 ("海星和谐 MV Haixing Harmony", "9468217")}
    with demo_store.read() as session:
        imos = [a.imo for a in session.exec(select(Asset).where(Asset.imo != ""))]
        tickets = list(session.exec(select(Ticket)))
    assert len(imos) > 20 and all(imo_problem(imo) is None for imo in imos)
    assert all(t.contact_id for t in tickets) and sum(1 for t in tickets if t.asset_id) > 20


async def test_the_new_ticket_form_picks_the_organisation_then_its_contact_and_asset(store):
    app, ticket = organisation(store)
    wang = store.add_contact(Contact(customer_id=ticket.customer_id, name="Wang Fang", role="purchasing"))
    vessel = store.add_asset(Asset(customer_id=ticket.customer_id, kind="vessel", name="MV Ocean Pioneer", imo="9074729"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, NewTicketScreen)
        await pilot.press(*"9074729")  # the vessel's IMO number finds its owner
        await settle(pilot)
        options = app.screen.query_one("#customer-matches", OptionList)
        assert "Hai Xing Shipping" in str(options.get_option_at_index(0).prompt)
        options.focus()
        await pilot.press("enter")
        await settle(pilot)
        contact, asset = app.screen.query_one("#contact", Select), app.screen.query_one("#asset", Select)
        assert contact.value == ticket.contact_id, "the first contact, chosen already"
        contact.value, asset.value = wang.id, vessel.id
        app.screen.query_one("#subject", Input).value = "Invoice for the radar repair"
        app.screen.query_one("#first-message", TextArea).load_text("Please send the invoice again.")
        await pilot.press("ctrl+s")
        await settle(pilot)
        await settle(pilot)
        assert isinstance(app.screen, TicketScreen)
        detail = store.ticket_detail(app.screen.ticket_id)
        assert (detail.contact.name, detail.asset.name) == ("Wang Fang", "MV Ocean Pioneer")
        assert "Hai Xing Shipping · Wang Fang (purchasing) · MV Ocean Pioneer (IMO 9074729)" in shown(app)

        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        await pilot.press(*"Hai Xing")
        await settle(pilot)
        app.screen.query_one("#customer-matches", OptionList).focus()
        await pilot.press("enter")
        await settle(pilot)
        app.screen.query_one("#contact-name", Input).value = "Zhao Lei"
        app.screen.query_one("#subject", Input).value = "Crew change"
        app.screen.query_one("#first-message", TextArea).load_text("New second officer joins Monday.")
        await pilot.press("ctrl+s")
        await settle(pilot)
        await settle(pilot)
        detail = store.ticket_detail(app.screen.ticket_id)
    assert (detail.contact.name, detail.contact.customer_id, detail.asset) == ("Zhao Lei", ticket.customer_id, None)
    assert {c.name for c in store.contacts_of(ticket.customer_id)} == {"Chen Jie", "Wang Fang", "Zhao Lei"}
