"""Editing an organisation, its contacts and its assets: what the agent typed, checked, then saved.

Each form is checked whole before anything is written, so a refused value leaves the stored
row as it was; the refusal names the field as the form labels it, in the interface
language. Phones are stored in E.164 (typed in any common form, read in the desk's region),
emails as typed once their shape is right, an IMO number as its seven digits once its check
digit is right. The server refuses the same values (`sync.schema`), so nothing the device
saves is refused later. Call from a thread worker.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cs_console.channels.phone import normalise_phone
from cs_console.channels.reach import shown_list, typed_list
from cs_console.errors import UserError
from cs_console.identifiers import email_problem, imo_check_digit, imo_number
from cs_console.storage.models import Asset, Contact
from cs_console.sync.schema import check_values
from cs_console.vocabulary import ASSET_KINDS, CHANNELS

if TYPE_CHECKING:
    from cs_console.storage.models import Customer
    from cs_console.store import Store
    from cs_console.text.strings import Strings

class FieldRefused(UserError):
    """A value the form cannot save; the sentence names the field, `field` says which."""

    def __init__(self, field: str, sentence: str) -> None:
        self.field = field
        super().__init__(sentence)


@dataclass(frozen=True)
class OrganisationForm:
    name: str
    kind: str = ""
    language: str = ""
    preferences: str = ""
    notes: str = ""


@dataclass(frozen=True)
class ContactForm:
    name: str
    role: str = ""
    phones: str = ""
    """As typed: several separated by commas."""
    emails: str = ""
    language: str = ""
    channel: str = ""


@dataclass(frozen=True)
class AssetForm:
    name: str
    kind: str = "vessel"
    imo: str = ""
    flag: str = ""
    vessel_type: str = ""
    notes: str = ""


def _refuse(strings: Strings, field: str, key: str, **values: object) -> FieldRefused:
    return FieldRefused(field, strings(key, field=strings(f"organisation.field.{field}"), **values))


def _name(form, strings: Strings) -> str:
    if not form.name.strip():
        raise _refuse(strings, "name", "organisation.bad.name")
    return form.name.strip()


def _choice(strings: Strings, field: str, value: str, choices: tuple[str, ...]) -> str:
    if value not in choices:
        raise _refuse(strings, field, "organisation.bad.choice", value=value, choices=", ".join(c for c in choices if c))
    return value


def organisation_values(form: OrganisationForm, strings: Strings) -> dict:
    """The organisation's fields as stored.

    Raises:
        FieldRefused: the name is empty.
        ValueRefused: a value the server would refuse (a NUL character).
    """
    values = {"name": _name(form, strings), "kind": form.kind.strip(), "language": form.language.strip() or "en",
              "preferences": form.preferences.strip(), "notes": form.notes.strip()}
    check_values("customer", values)
    return values


def contact_values(form: ContactForm, strings: Strings, region: str) -> dict:
    """The contact's fields as stored: phones in E.164, emails checked, as JSON arrays.

    Raises:
        FieldRefused: the first field that cannot be saved, named.
        ValueRefused: a value the server would refuse (a NUL character).
    """
    phones = []
    for typed in typed_list(form.phones):
        phone = normalise_phone(typed, region)
        if phone is None:
            raise _refuse(strings, "phones", "organisation.bad.phone", value=typed)
        phones.append(phone)
    emails = typed_list(form.emails)
    for email in emails:
        if email_problem(email):
            raise _refuse(strings, "emails", "organisation.bad.email", value=email)
    values = {"name": _name(form, strings), "role": form.role.strip(),
              "phones": json.dumps(list(dict.fromkeys(phones))),
              "emails": json.dumps(list(dict.fromkeys(emails)), ensure_ascii=False),
              "language": form.language.strip(), "channel": _choice(strings, "channel", form.channel.strip(),
                                                                  ("", *CHANNELS))}
    check_values("contact", values)
    return values


def asset_values(form: AssetForm, strings: Strings) -> dict:
    """The asset's fields as stored: an IMO number as its seven digits, only on a vessel.

    Raises:
        FieldRefused: the first field that cannot be saved, named.
        ValueRefused: a value the server would refuse (a NUL character).
    """
    kind = _choice(strings, "kind", form.kind.strip(), ASSET_KINDS)
    imo = form.imo.strip()
    if imo:
        digits = imo_number(imo)
        if not re.fullmatch(r"\d{7}", digits):
            raise _refuse(strings, "imo", "organisation.bad.imo_digits", value=imo)
        if int(digits[6]) != imo_check_digit(digits[:6]):
            raise _refuse(strings, "imo", "organisation.bad.imo_check", value=imo, digit=imo_check_digit(digits[:6]))
        if kind != "vessel":
            raise _refuse(strings, "imo", "organisation.bad.imo_kind")
        imo = digits
    values = {"name": _name(form, strings), "kind": kind, "imo": imo, "flag": form.flag.strip(),
              "vessel_type": form.vessel_type.strip(), "notes": form.notes.strip()}
    check_values("asset", values)
    return values


def save_organisation(store: Store, customer_id: str, form: OrganisationForm, strings: Strings) -> Customer:
    return store.change_customer(customer_id, organisation_values(form, strings))


def save_contact(store: Store, customer_id: str, contact_id: str | None, form: ContactForm, strings: Strings,
                 region: str) -> Contact:
    """Add a contact to the customer (`contact_id` None) or change one."""
    values = contact_values(form, strings, region)
    if contact_id is None:
        return store.add_contact(Contact(customer_id=customer_id, **values))
    return store.change_contact(contact_id, values)


def save_asset(store: Store, customer_id: str, asset_id: str | None, form: AssetForm, strings: Strings) -> Asset:
    """Add an asset to the customer (`asset_id` None) or change one."""
    values = asset_values(form, strings)
    if asset_id is None:
        return store.add_asset(Asset(customer_id=customer_id, **values))
    return store.change_asset(asset_id, values)


def contact_form(contact: Contact) -> ContactForm:
    return ContactForm(contact.name, contact.role, shown_list(contact.phones), shown_list(contact.emails),
                       contact.language, contact.channel)


def asset_form(asset: Asset) -> AssetForm:
    return AssetForm(asset.name, asset.kind, asset.imo, asset.flag, asset.vessel_type, asset.notes)


def organisation_form(customer: Customer) -> OrganisationForm:
    return OrganisationForm(customer.name, customer.kind, customer.language, customer.preferences, customer.notes)
