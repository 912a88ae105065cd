"""Who a ticket is for and what about, in one line: the organisation, the contact (with their
role and first phone) and the asset (with its IMO number). Parts a ticket does not name are
left out, so an old ticket with no contact reads "Hai Xing Shipping", never "Hai Xing ·  ·  ·"."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cs_console.channels.phone import display_phone
from cs_console.channels.reach import stored_list

if TYPE_CHECKING:
    from cs_console.storage.tickets import TicketDetail


def ticket_parties(detail: TicketDetail) -> list[str]:
    parts = [detail.customer.name]
    contact, asset = detail.contact, detail.asset
    if contact is not None:
        parts.append(f"{contact.name} ({contact.role})" if contact.role else contact.name)
        phones = stored_list(contact.phones)
        if phones:
            parts.append(display_phone(phones[0]))
    if asset is not None:
        parts.append(f"{asset.name} (IMO {asset.imo})" if asset.imo else asset.name)
    return parts
