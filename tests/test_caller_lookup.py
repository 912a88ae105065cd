"""The hotline's caller lookup: a call opens the caller's open ticket, else the new-ticket
form filled in for them, else a new customer with the number; the form's customer search
finds people by phone number and email however the number is written."""

from __future__ import annotations

from datetime import timedelta

import pytest
from textual.widgets import Input, OptionList, Select, Static, TextArea

from cs_console.app import ConsoleApp
from cs_console.channels.phone import normalise_phone
from cs_console.config import Config, ConfigError, from_mapping
from cs_console.screens.new_ticket import NewTicketScreen
from cs_console.screens.ticket import TicketScreen
from cs_console.storage.models import Contact, Customer
from cs_console.usecases.caller_lookup import NotAPhoneNumber, find_customers, look_up_caller
from cs_console.usecases.ticket_changes import change_status
from tests.conftest import NOW
from tests.test_tui_first_loop import SIZE, screen_text, settle


def desk(store) -> dict:
    """Hai Xing (an open ticket and an older closed one), Nordlys (only a closed ticket)."""
    agent = store.create_agent("Lin Wei", team="SIM Desk")
    store.set_current_agent(agent.id)
    hai_xing, nordlys = Customer(name="Hai Xing Shipping"), Customer(name="Nordlys Telecom")
    # Phones as an earlier release kept them, before contacts' phones were stored in E.164.
    chen = Contact(name="Chen Jie", phones='["+86 138 0013 8000"]', emails='["Ops@HaiXing.example"]')
    old = store.create_ticket(new_customer=hai_xing, new_contact=chen, subject="Roaming bill too high",
                              first_message="Bill.", assignee_id=agent.id, at=NOW - timedelta(days=9))
    change_status(store, old.id, "closed", author_id=agent.id, at=NOW - timedelta(days=8))
    open_one = store.create_ticket(customer_id=hai_xing.id, subject="SIM card not activated", first_message="No service.",
                                   assignee_id=agent.id, at=NOW - timedelta(hours=2))
    done = store.create_ticket(new_customer=nordlys, new_contact=Contact(name="Ola", phones='["0047 22 33 44 55"]'),
                               subject="Porting question", first_message="Port?", assignee_id=agent.id,
                               at=NOW - timedelta(days=3))
    change_status(store, done.id, "closed", author_id=agent.id, at=NOW - timedelta(days=2))
    return {"hai_xing": hai_xing, "nordlys": nordlys, "open": open_one}


@pytest.mark.parametrize("typed", ["+86 138 0013 8000", "13800138000", "0086-138-0013-8000", "(+86) 138.0013.8000"])
def test_one_number_however_it_is_written(typed):
    assert normalise_phone(typed, "CN") == "+8613800138000"


def test_a_number_without_country_code_is_read_in_the_configured_region(tmp_path):
    assert normalise_phone("22 33 44 55", from_mapping({"phone_region": "NO"}).phone_region) == "+4722334455"
    with pytest.raises(ConfigError, match="phone_region: 'Norway' is not a region code"):
        from_mapping({"phone_region": "Norway"})


def test_the_lookup_and_the_customer_search(store):
    known = desk(store)
    assert look_up_caller(store, "13800138000", "CN").ticket_id == known["open"].id
    caller = look_up_caller(store, "+47 22334455", "CN")
    assert (caller.customer.id, caller.contact.name) == (known["nordlys"].id, "Ola")
    unknown = look_up_caller(store, "139 1234 5678", "CN")
    assert (unknown.phone, unknown.customer, unknown.ticket_id) == ("+8613912345678", None, None)
    with pytest.raises(NotAPhoneNumber, match="'call me' is not a phone number"):
        look_up_caller(store, "call me", "CN")
    assert [c.name for c in find_customers(store, "0086 138 0013 8000", "CN")] == ["Hai Xing Shipping"]
    assert [c.name for c in find_customers(store, "ops@haixing.EXAMPLE", "CN")] == ["Hai Xing Shipping"]


def call_app(store, number: str) -> ConsoleApp:
    return ConsoleApp(store, Config(), clock=lambda: NOW, call=normalise_phone(number, "CN"))


async def test_a_call_from_a_customer_with_an_open_ticket_opens_it(store):
    known = desk(store)
    app = call_app(store, "13800138000")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await settle(pilot)
        assert isinstance(app.screen, TicketScreen) and app.screen.ticket_id == known["open"].id
        assert "SIM card not activated" in screen_text(app)


async def test_a_call_from_a_known_customer_without_one_fills_the_form(store):
    known = desk(store)
    app = call_app(store, "+47 22 33 44 55")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await settle(pilot)
        assert isinstance(app.screen, NewTicketScreen)
        assert app.screen.customer.id == known["nordlys"].id
        assert app.screen.query_one("#channel", Select).value == "phone"
        assert "Customer: Nordlys Telecom" in str(app.screen.query_one("#customer-chosen", Static).render())
        assert app.screen.query_one("#subject", Input).has_focus
        await pilot.press(*"Number porting stuck")
        app.screen.query_one("#first-message", TextArea).focus()
        await pilot.press(*"Still not ported.")
        await pilot.press("ctrl+s")
        await settle(pilot)
        await settle(pilot)
        assert isinstance(app.screen, TicketScreen)
        ticket = store.ticket_detail(app.screen.ticket_id)
    assert (ticket.customer.id, ticket.contact.name, ticket.ticket.channel, ticket.interactions[0].channel) == (
        known["nordlys"].id, "Ola", "phone", "phone")


async def test_a_call_from_an_unknown_number_offers_a_new_customer_with_it(store):
    desk(store)
    app = call_app(store, "139 1234 5678")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await settle(pilot)
        assert isinstance(app.screen, NewTicketScreen)
        assert "+86 139 1234 5678" in str(app.screen.query_one("#new-ticket-status", Static).render())
        app.screen.query_one("#subject", Input).value = "New SIM order"
        app.screen.query_one("#first-message", TextArea).load_text("Wants three SIM cards.")
        await pilot.press("ctrl+s")
        await settle(pilot)
        await settle(pilot)
        assert isinstance(app.screen, TicketScreen)
        detail = store.ticket_detail(app.screen.ticket_id)
    assert (detail.customer.name, detail.contact.name, detail.contact.phones) == (
        "+86 139 1234 5678", "+86 139 1234 5678", '["+8613912345678"]')


async def test_the_form_finds_a_customer_by_phone_number(store):
    desk(store)
    app = ConsoleApp(store, Config(), clock=lambda: NOW)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await pilot.pause()
        await pilot.press(*"0086-138-0013-8000")
        await settle(pilot)
        options = app.screen.query_one("#customer-matches", OptionList)
        assert "Hai Xing Shipping" in str(options.get_option_at_index(0).prompt)


async def test_a_call_keeps_its_own_draft_and_leaves_the_agents_form_alone(store):
    from cs_console.usecases.drafts import NEW_TICKET, call_key

    desk(store)
    store.save_draft(NEW_TICKET, "Half a complaint about roaming", {"subject": "Roaming"})
    app = call_app(store, "139 1234 5678")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await settle(pilot)
        assert isinstance(app.screen, NewTicketScreen)
        assert app.screen.query_one("#subject", Input).value == "", "the call's form, not the kept one"
        app.screen.query_one("#subject", Input).focus()
        await pilot.press(*"Lost SIM")
        await pilot.press("escape")
        await settle(pilot)
        kept_call = app.drafts.read(call_key("+8613912345678"))
        kept_form = app.drafts.read(NEW_TICKET)
        app.open_draft(call_key("+8613912345678"))
        await settle(pilot)
        await settle(pilot)
        assert isinstance(app.screen, NewTicketScreen)
        assert app.screen.query_one("#subject", Input).value == "Lost SIM"
        assert app.screen.new_customer_phone == "+8613912345678"
    assert kept_call.fields["subject"] == "Lost SIM"
    assert kept_form.body == "Half a complaint about roaming"
