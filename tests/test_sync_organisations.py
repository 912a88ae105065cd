"""Contacts and assets sync like their customer, against real server processes: edits made
offline on two devices converge field by field, a contact edit reaches whoever sees the
customer and nobody else, and the server refuses a wrong IMO number, email or phone with a
4xx naming the field. Runs on each backend (SQLite, and PostgreSQL where one answers)."""

from __future__ import annotations

import json
import uuid

import httpx
import pytest

from cs_console.storage.models import Asset, Contact, Customer
from cs_console.sync.protocol import PROTOCOL_VERSION, SYNC_PATH
from cs_console.text.strings import Strings
from cs_console.usecases.organisation_edit import ContactForm, save_contact
from tests.test_server_protocol import offline_ticket, ticket_count, wire_ops
from tests.test_sync_harness import (  # noqa: F401  (fixtures)
    account,
    database,
    database_url,
    device,
    server,
)

EN = Strings("en")


def organisation_ticket(creator, customer_name: str = "Blue Whale Shipping"):
    return creator.store.create_ticket(
        new_customer=Customer(name=customer_name, kind="shipowner"),
        new_contact=Contact(name="Wang Lei", role="superintendent", phones='["+8613800138000"]'),
        subject="Liferaft servicing overdue", first_message="Our liferaft certificate expires Friday.", team="deck")


def row_of(session, model, row_id: str) -> dict:
    return session.get(model, row_id).model_dump(exclude={"field_clocks"})


def test_contact_edits_made_offline_on_two_devices_converge(tmp_path, server, database):
    alice = device(tmp_path, server.url, database, "agent")
    lena = device(tmp_path, server.url, database, "lead")
    lena.sync_until_done()
    ticket = organisation_ticket(lena)
    lena.sync_until_done()
    alice.sync_until_done()
    contact = alice.store.contacts_of(ticket.customer_id)[0]
    assert (contact.id, contact.name) == (ticket.contact_id, "Wang Lei")

    # offline: Lena changes the role, then Alice the phones and the name, a moment later
    lena.store.change_contact(contact.id, {"role": "technical superintendent", "name": "Wang Lei (Lena)"})
    save_contact(alice.store, ticket.customer_id, contact.id,
                 ContactForm("Wang Lei 王磊", "superintendent", "+86 138 0013 8000, +47 22 33 44 55",
                             "wang.lei@bluewhale.example"), EN, "CN")
    vessel = alice.store.add_asset(Asset(customer_id=ticket.customer_id, kind="vessel", name="MV Blue Whale",
                                         imo="9074729", flag="Panama"))
    for member in (alice, lena, alice, lena):
        member.sync_until_done()

    with database.read() as session:
        final = row_of(session, Contact, contact.id)
        final_vessel = row_of(session, Asset, vessel.id)
    for member in (alice, lena):
        with member.store.read() as session:
            assert row_of(session, Contact, contact.id) == final
            assert row_of(session, Asset, vessel.id) == final_vessel
    assert final["name"] == "Wang Lei 王磊", "Alice's later name wins"
    assert final["role"] == "technical superintendent", "Alice left the role as it was: Lena's change stays"
    assert json.loads(final["phones"]) == ["+8613800138000", "+4722334455"]
    assert json.loads(final["emails"]) == ["wang.lei@bluewhale.example"]
    assert final_vessel["imo"] == "9074729"

    lena.store.change_contact(contact.id, {"role": "DPA"})
    lena.sync_until_done()
    alice.sync_until_done()
    assert alice.store.contact(contact.id).role == "DPA"


def test_a_contact_stays_with_those_who_see_its_customer(tmp_path, server, database):
    lena = device(tmp_path, server.url, database, "lead", team="deck")
    other = device(tmp_path, server.url, database, "agent", team="engine")  # sees nothing of team deck
    ticket = organisation_ticket(lena, "Deck Only Shipping")
    lena.sync_until_done()
    other.sync_until_done()
    with other.store.read() as session:
        assert session.get(Contact, ticket.contact_id) is None
    outsider_token = account(database, "agent", team="engine")[1]
    op = [1, str(uuid.uuid4()), "contact", ticket.contact_id, "update", {"role": "hijacked"}, "1796662042009.00000.abc"]
    answer = httpx.post(f"{server.url}{SYNC_PATH}", headers={"authorization": f"Bearer {outsider_token}"},
                        json={"v": PROTOCOL_VERSION, "d": str(uuid.uuid4()), "c": 0, "k": 0, "b": 0, "o": [op]})
    assert answer.status_code == 403, answer.text
    assert "belongs to a customer with no ticket in your scope" in answer.json()["problems"][0]["message"]
    with database.read() as session:
        assert session.get(Contact, ticket.contact_id).role == "superintendent"


@pytest.mark.parametrize(
    ("entity", "values", "says"),
    [
        ("asset", {"kind": "vessel", "name": "MV Wrong", "imo": "9074728"}, "asset.imo: '9074728' is not an IMO number"),
        ("contact", {"name": "Li", "emails": '["li@nowhere"]'}, "contact.emails: 'li@nowhere' is not an email address"),
        ("contact", {"name": "Li", "phones": '["138 0013"]'}, "contact.phones: '138 0013' is not a phone number"),
    ],
)
def test_the_server_refuses_a_bad_imo_email_or_phone(tmp_path, server, database, entity, values, says):
    admin, token = account(database, "admin")
    ops = wire_ops(offline_ticket(tmp_path, None))
    customer_op = next(op for op in ops if op[2] == "customer")
    row = {"id": str(uuid.uuid4()), "customer_id": customer_op[3], **values}
    bad = [len(ops) + 1, str(uuid.uuid4()), entity, row["id"], "insert", row, customer_op[6]]
    before = ticket_count(database)
    answer = httpx.post(f"{server.url}{SYNC_PATH}", headers={"authorization": f"Bearer {token}"},
                        json={"v": PROTOCOL_VERSION, "d": str(uuid.uuid4()), "c": 0, "k": 0, "b": 0, "o": [*ops, bad]})
    assert answer.status_code == 422, answer.text
    [problem] = answer.json()["problems"]
    assert problem["seq"] == bad[0] and says in problem["message"]
    assert ticket_count(database) == before, "nothing of the batch is applied"
