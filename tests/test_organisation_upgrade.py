"""A store of the release before contacts and assets upgrades without loss: each customer's
person becomes a contact its tickets name, each site an asset (a vessel when it carries a
valid IMO number), and both are found as the old fields were."""

from __future__ import annotations

import json
import sqlite3

from cs_console.storage import migrations
from cs_console.storage.organisation_upgrade import contact_id_of
from cs_console.store import Store
from cs_console.usecases.caller_lookup import look_up_caller
from cs_console.usecases.search_all import find_customers

BEFORE_CONTACTS = 12
"""The last schema step of the release before contacts and assets."""
OLD_TIME = "2025-01-01 00:00:00.000000"


def old_store(path) -> None:
    """A file as that release left it: its schema, and rows as its code wrote them."""
    old = sqlite3.connect(path, isolation_level=None)
    migrations.upgrade(old, target=BEFORE_CONTACTS)
    old.execute("INSERT INTO meta VALUES ('device_id', '6f1c1d52-6a43-4f0e-8b1e-1f9e6c1b2a77')")
    customers = [
        ("c1", "海星国际船务（宁波）有限公司", "周建国", "+86 574 8736 2150", "zhoujg@haixing.example", "zh",
         json.dumps(["海星荣耀 MV Haixing Glory (IMO 9413274)", "宁波北仑办公室", "MV Typo (IMO 9413275)"])),
        ("c2", "Nordlys Telecom", "", "0047 22 33 44 55", "", "en", "[]"),
        ("c3", "Acme Ltd", "", "", "", "en", "Stavanger base, Bergen yard"),
        ("c4", "Quiet Shipping", "", "", "", "en", "[]"),
    ]
    for cid, name, person, phone, email, language, sites in customers:
        old.execute("INSERT INTO customer VALUES (?, ?, 'shipping_line', ?, ?, ?, ?, ?, 'calls after 10', 'notes', "
                    "?, ?, '{\"name\": \"1700000000000.00000.dev\"}')",
                    (cid, name, person, phone, email, language, sites, OLD_TIME, OLD_TIME))
    for n, cid in enumerate(["c1", "c1", "c2", "c4"]):
        old.execute("INSERT INTO ticket (id, number, customer_id, assignee_id, team, subject, category, priority, "
                    "channel, status, created_at, updated_at, field_clocks) VALUES (?, ?, ?, NULL, '', ?, 'other', "
                    "'normal', 'phone', 'open', ?, ?, '{}')", (f"t{n}", f"OLD-{n:04d}", cid, f"Gyro drift {n}",
                                                               OLD_TIME, OLD_TIME))
        old.execute("INSERT INTO interaction (id, ticket_id, kind, author_id, body, satisfaction, created_at, hlc, "
                    "nps, channel) VALUES (?, ?, 'customer_message', NULL, 'help', NULL, ?, '', NULL, 'phone')",
                    (f"i{n}", f"t{n}", OLD_TIME))
    old.close()


def test_each_customer_becomes_an_organisation_with_its_contact_and_assets(tmp_path):
    path = tmp_path / "old.db"
    old_store(path)
    store = Store.open(path)
    try:
        [zhou] = store.contacts_of("c1")
        assert (zhou.id, zhou.name, json.loads(zhou.phones), json.loads(zhou.emails), zhou.language) == (
            contact_id_of("c1"), "周建国", ["+86 574 8736 2150"], ["zhoujg@haixing.example"], "zh")
        assets = {asset.name: (asset.kind, asset.imo) for asset in store.assets_of("c1")}
        assert assets == {"海星荣耀 MV Haixing Glory": ("vessel", "9413274"), "宁波北仑办公室": ("site", ""),
                          "MV Typo (IMO 9413275)": ("site", "")}, "an IMO number with a wrong check digit stays text"
        [nordlys] = store.contacts_of("c2")
        assert (nordlys.name, json.loads(nordlys.phones)) == ("Nordlys Telecom", ["0047 22 33 44 55"])
        assert [a.name for a in store.assets_of("c3")] == ["Stavanger base, Bergen yard"], "text that is no JSON list"
        assert store.contacts_of("c3") == store.contacts_of("c4") == [] and store.assets_of("c4") == []

        assert {t: store.ticket_detail(t).ticket.contact_id for t in ("t0", "t1", "t2", "t3")} == {
            "t0": zhou.id, "t1": zhou.id, "t2": nordlys.id, "t3": None}
        customer = store.customer("c1")
        assert (customer.contact_name, customer.phone, customer.email, customer.sites) == ("", "", "", "[]")
        assert (customer.name, customer.preferences, customer.notes) == ("海星国际船务（宁波）有限公司", "calls after 10", "notes")
        assert store.pending_count() == 0, "every device and the server derive the same rows: nothing to send"

        assert [h.id for h in store.search_customers(["9413274"], 8)] == ["c1"]
        assert [h.id for h in find_customers(store, "周建国")] == ["c1"]
        assert look_up_caller(store, "+47 22 33 44 55", "CN").contact.id == nordlys.id
        assert [t.number for t in store.customer_tickets_page("c1", None, 10, contact_id=zhou.id)] == [
            "OLD-0001", "OLD-0000"]
        assert store.ticket_detail("t0").contact.name == "周建国", "the ticket screen names the contact"
    finally:
        store.close()


def test_two_devices_upgrading_on_their_own_give_the_same_ids(tmp_path):
    ids = []
    for name in ("ship.db", "shore.db"):
        old_store(tmp_path / name)
        store = Store.open(tmp_path / name)
        ids.append(({c.id for c in store.contacts_of("c1")}, {a.id for a in store.assets_of("c1")}))
        store.close()
    assert ids[0] == ids[1] and len(ids[0][1]) == 3
