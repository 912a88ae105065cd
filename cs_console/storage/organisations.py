"""An organisation's people and assets, read and written: the customer screen's store.

A customer is the organisation (a shipowner, a manager, a SIM distributor...); its contacts
and assets are rows of their own, synced like the customer. Every write is one transaction
with its outbox operation, and touches only the fields given, so two devices editing
different fields of one contact both keep theirs. Removing a contact or an asset marks it
`removed`: the tickets naming it keep their history. Values are checked before they get
here (`usecases.organisation_edit`); this module refuses only rows that do not exist.

Methods of `cs_console.store.Store`.
"""

from __future__ import annotations

from sqlmodel import col, select

from cs_console.storage.errors import NotFound
from cs_console.storage.models import Asset, Contact, Customer
from cs_console.utc import utcnow


class Organisations:
    """Contacts and assets of a customer; changes to the customer's own fields."""

    def contacts_of(self, customer_id: str, *, removed: bool = False) -> list[Contact]:
        """The customer's contacts by name; those removed too when `removed`."""
        query = select(Contact).where(Contact.customer_id == customer_id)
        if not removed:
            query = query.where(col(Contact.removed).is_(False))
        with self.read() as session:
            return list(session.exec(query.order_by(Contact.name, Contact.id)))

    def assets_of(self, customer_id: str, *, removed: bool = False) -> list[Asset]:
        """The customer's assets by kind and name; those removed too when `removed`."""
        query = select(Asset).where(Asset.customer_id == customer_id)
        if not removed:
            query = query.where(col(Asset.removed).is_(False))
        with self.read() as session:
            return list(session.exec(query.order_by(Asset.kind, Asset.name, Asset.id)))

    def contact(self, contact_id: str) -> Contact:
        with self.read() as session:
            found = session.get(Contact, contact_id)
        if found is None:
            raise NotFound(f"no contact with id {contact_id}")
        return found

    def asset(self, asset_id: str) -> Asset:
        with self.read() as session:
            found = session.get(Asset, asset_id)
        if found is None:
            raise NotFound(f"no asset with id {asset_id}")
        return found

    def change_customer(self, customer_id: str, changes: dict) -> Customer:
        """Change the organisation's own fields (name, kind, language, preferences, notes)."""
        return self._change(Customer, customer_id, changes, "customer")

    def add_contact(self, contact: Contact) -> Contact:
        return self._add(contact)

    def change_contact(self, contact_id: str, changes: dict) -> Contact:
        return self._change(Contact, contact_id, changes, "contact")

    def add_asset(self, asset: Asset) -> Asset:
        return self._add(asset)

    def change_asset(self, asset_id: str, changes: dict) -> Asset:
        return self._change(Asset, asset_id, changes, "asset")

    def _add(self, row: Contact | Asset) -> Contact | Asset:
        with self.write() as session:
            if session.get(Customer, row.customer_id) is None:
                raise NotFound(f"no customer with id {row.customer_id}")
            row.created_at = row.updated_at = utcnow()
            self._insert(session, row)
        return row

    def _change(self, model, row_id: str, changes: dict, name: str):
        """Write only the fields that differ, and `updated_at` with them."""
        with self.write() as session:
            row = session.get(model, row_id)
            if row is None:
                raise NotFound(f"no {name} with id {row_id}")
            changed = {field: value for field, value in changes.items() if getattr(row, field) != value}
            if changed:
                self._update(session, row, {**changed, "updated_at": utcnow()})
        return row
