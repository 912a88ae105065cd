"""How a customer of the releases before contacts and assets becomes an organisation.

Those releases kept one person on the customer row (`contact_name`, `phone`, `email`) and
its sites as a JSON array of names. The upgrade moves the person into a `Contact` and each
site into an `Asset` (a vessel when its name carries a valid IMO number, else a site), points
the customer's tickets at the contact, and empties the old columns, which stay only so that
devices of earlier releases still sync. Every device and the server derive the same rows
with the same ids (`uuid5` of the customer's id), so the upgrade needs no operation to sync:
each side already holds what the other would send.

It refuses to lose text: a phone or address is moved as it was typed, even one that the
contact editor would refuse now (it asks for a fix the first time the contact is edited).
"""

from __future__ import annotations

import json
import re
import sqlite3
import uuid
from collections.abc import Sequence

from cs_console.identifiers import imo_in

UPGRADE_NAMESPACE = uuid.UUID("5b0f4a8e-3c1d-4a57-9a51-8f3b0f0c2d11")
"""The namespace of the ids the upgrade gives, so every device and the server give the same."""
LEGACY_COLUMNS = ("contact_name", "phone", "email", "sites")


def contact_id_of(customer_id: str) -> str:
    return str(uuid.uuid5(UPGRADE_NAMESPACE, f"contact/{customer_id}"))


def asset_id_of(customer_id: str, position: int, name: str) -> str:
    return str(uuid.uuid5(UPGRADE_NAMESPACE, f"asset/{customer_id}/{position}/{name}"))


def site_names(stored: str | None) -> list[str]:
    """The site names in a customer's old `sites` (a JSON array), in order; text that is not
    an array is the one site it names, so nothing typed is lost."""
    if not stored or not stored.strip():
        return []
    try:
        found = json.loads(stored)
    except ValueError:
        return [stored.strip()]
    if not isinstance(found, list):
        return [str(found)]
    return [str(name).strip() for name in found if str(name).strip()]


def _vessel_name(site: str, imo: str) -> str:
    """The site's name without the IMO number written in it: "MV Blue Whale (IMO 9400001)" is "MV Blue Whale"."""
    name = re.sub(rf"[(\[]?\s*IMO[\s:.#-]*{imo}\s*[)\]]?", "", site, flags=re.IGNORECASE)
    return " ".join(name.split()).strip(" ,;-") or site


def legacy_rows(customer: dict) -> tuple[dict | None, list[dict]]:
    """The contact (None when the old row named nobody) and assets a customer row of an
    earlier release becomes; `customer` holds its id, name, language, created_at and the
    LEGACY_COLUMNS. Values are as the tables hold them (text times, JSON arrays)."""
    person = {name: (customer.get(name) or "").strip() for name in ("contact_name", "phone", "email")}
    contact = None
    if any(person.values()):
        contact = {
            "id": contact_id_of(customer["id"]), "customer_id": customer["id"],
            "name": person["contact_name"] or customer["name"], "role": "",
            "phones": json.dumps([person["phone"]] if person["phone"] else [], ensure_ascii=False),
            "emails": json.dumps([person["email"]] if person["email"] else [], ensure_ascii=False),
            "language": customer.get("language") or "", "channel": "", "removed": False,
            "created_at": customer["created_at"], "updated_at": customer["created_at"], "field_clocks": "{}",
        }
    assets = []
    for position, site in enumerate(site_names(customer.get("sites"))):
        imo = imo_in(site)
        assets.append({
            "id": asset_id_of(customer["id"], position, site), "customer_id": customer["id"],
            "kind": "vessel" if imo else "site", "name": _vessel_name(site, imo) if imo else site, "imo": imo or "",
            "flag": "", "vessel_type": "", "notes": "", "removed": False,
            "created_at": customer["created_at"], "updated_at": customer["created_at"], "field_clocks": "{}",
        })
    return contact, assets


def legacy_customers(rows: Sequence[tuple]) -> list[dict]:
    """Rows of (id, name, language, created_at, *LEGACY_COLUMNS) as the dicts `legacy_rows` takes."""
    keys = ("id", "name", "language", "created_at", *LEGACY_COLUMNS)
    return [dict(zip(keys, row, strict=True)) for row in rows]


LEGACY_SELECT = f"SELECT id, name, language, created_at, {', '.join(LEGACY_COLUMNS)} FROM customer"
LEGACY_WHERE = " OR ".join(f"{column} != ''" for column in LEGACY_COLUMNS if column != "sites") + \
    " OR sites NOT IN ('', '[]')"


def move_customer_details(connection: sqlite3.Connection) -> None:
    """The device's upgrade step: contacts and assets out of the old customer columns, the
    customer's tickets pointing at its contact, the old columns emptied."""
    customers = legacy_customers(connection.execute(f"{LEGACY_SELECT} WHERE {LEGACY_WHERE}").fetchall())
    for customer in customers:
        contact, assets = legacy_rows(customer)
        for table, row in [("contact", contact)] * (contact is not None) + [("asset", asset) for asset in assets]:
            connection.execute(f"INSERT OR IGNORE INTO {table} ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
                               tuple(row.values()))
        if contact is not None:
            connection.execute("UPDATE ticket SET contact_id = ? WHERE customer_id = ? AND contact_id IS NULL",
                               (contact["id"], customer["id"]))
        connection.execute("UPDATE customer SET contact_name = '', phone = '', email = '', sites = '[]' WHERE id = ?",
                           (customer["id"],))
