"""The ticket screen's merge and link actions, and how it shows what belongs together.

`g` merges this ticket into another, picked with the search screen (`usecases.search_all`)
and confirmed with `y`; the staying ticket then opens, its thread holding this one's
messages, notes and activity. `u` undoes a merge made since the console started (the app
keeps them, and forgets them when it closes). `l` links this ticket to another (related,
parent or child), or removes a link. Every store write runs in a thread worker.

A mixin of `screens.ticket.TicketScreen`, which declares the keys; it refuses to read or
write the store but through `usecases.ticket_relations`.
"""

from __future__ import annotations

from rich.markup import escape
from textual import work

from cs_console.storage.ticket_relations import Relations
from cs_console.store import StoreError
from cs_console.usecases.ticket_relations import MergeDone, link_tickets, merge_tickets, undo_merge, unlink_tickets
from cs_console.widgets.current_result import show_if_current

LINK_CHOICES = ("related", "parent", "child")
"""What the agent says this ticket is to the one they pick ("child": the other is the parent)."""
ADD_LINK = "+"
"""The option of the link dialog that adds a link (the others name a link to remove)."""


class MergeAndLink:
    """Merge, undo and link actions for the ticket screen (`self.ticket_id`, `self.detail`)."""

    def relation_lines(self, relations: Relations, merged_into: str | None) -> list[str]:
        """Header lines: where this ticket was merged, what was merged here, its links."""
        s, lines = self.strings, []
        if relations.merged_into is not None:
            lines.append(s("merge.into", number=relations.merged_into.number,
                           subject=escape(relations.merged_into.subject)))
        elif merged_into is not None:
            lines.append(s("merge.into_elsewhere"))
        if relations.merged:
            lines.append(s("merge.merged_here", numbers=", ".join(t.number for t in relations.merged)))
        if relations.links:
            lines.append(s("ticket.links", links=", ".join(
                f"{link.other.number if link.other else link.other_id[:8]} ({s(f'link.role.{link.role}')})"
                for link in relations.links)))
        return lines

    # -- merge ---------------------------------------------------------------------------

    def action_merge(self) -> None:
        from cs_console.screens.search import SearchScreen

        if self.detail is not None:
            number = self.detail.ticket.number
            self.app.push_screen(SearchScreen(pick=self.strings("merge.pick", number=number)), self._merge_target)

    @work(thread=True, group="send")
    def _merge_target(self, staying_id: str | None) -> None:
        """Ask before merging into the picked ticket, naming both."""
        if staying_id is None or self.detail is None:
            return
        number, subject = self.app.store.ticket_titles([staying_id]).get(staying_id, ("", ""))
        ticket = self.detail.ticket
        question = self.strings("merge.confirm", duplicate=ticket.number, duplicate_subject=escape(ticket.subject),
                                staying=number, staying_subject=escape(subject))
        show_if_current(self.app, self._ask, question, lambda: self._merge(staying_id))

    def _ask(self, question: str, then) -> None:
        from cs_console.screens.confirm import ConfirmScreen

        self.app.push_screen(ConfirmScreen(question), lambda yes: then() if yes else None)

    @work(thread=True, group="send")
    def _merge(self, staying_id: str) -> None:
        agent = self.app.agent
        try:
            done = merge_tickets(self.app.store, self.ticket_id, staying_id, author_id=agent.id if agent else None,
                                 at=self.app.now())
        except StoreError as error:
            self.app.call_from_thread(self.notify, str(error), severity="error")
            return
        self.app.call_from_thread(self._merged, done)

    def _merged(self, done: MergeDone) -> None:
        self.app.merges_done.append(done)
        self.app.local_change()
        self.app.notify(self.strings("merge.done", duplicate=done.duplicate_number, staying=done.staying_number,
                                     undo=self.app.config.keys["undo_merge"]))
        self.app.open_ticket(done.staying_id)

    def action_undo_merge(self) -> None:
        done = next((m for m in reversed(self.app.merges_done) if self.ticket_id in (m.duplicate_id, m.staying_id)),
                    None)
        if done is None:
            self.notify(self.strings("merge.nothing_to_undo"))
            return
        self._undo(done)

    @work(thread=True, group="send")
    def _undo(self, done: MergeDone) -> None:
        agent = self.app.agent
        try:
            undo_merge(self.app.store, done, author_id=agent.id if agent else None, at=self.app.now())
        except StoreError as error:
            self.app.call_from_thread(self.notify, str(error), severity="error")
            return
        self.app.call_from_thread(self._undone, done)

    def _undone(self, done: MergeDone) -> None:
        self.app.merges_done.remove(done)
        self.app.local_change()
        self.notify(self.strings("merge.undone", duplicate=done.duplicate_number, staying=done.staying_number))
        self.reload()

    # -- link ----------------------------------------------------------------------------

    def action_link(self) -> None:
        from cs_console.screens.choose import ChooseScreen

        if self.detail is None:
            return
        s = self.strings
        options = [(ADD_LINK, s("link.add"))] + [
            (link.link_id, s("link.remove", number=link.other.number if link.other else link.other_id[:8],
                             role=s(f"link.role.{link.role}")))
            for link in self.detail.relations.links
        ]
        if len(options) == 1:
            self._link_chosen(ADD_LINK)
        else:
            self.app.push_screen(ChooseScreen(s("link.choose_remove"), options), self._link_chosen)

    def _link_chosen(self, choice: str | None) -> None:
        from cs_console.screens.choose import ChooseScreen

        if choice is None:
            return
        if choice != ADD_LINK:
            link = next(link for link in self.detail.relations.links if link.link_id == choice)
            number = link.other.number if link.other else link.other_id[:8]
            self._store_action(self.strings("link.removed", number=number),
                               lambda store, agent_id, at: unlink_tickets(store, choice, author_id=agent_id, at=at))
            return
        options = [(kind, self.strings(f"link.kind.{kind}")) for kind in LINK_CHOICES]
        self.app.push_screen(ChooseScreen(self.strings("link.choose_kind"), options), self._link_kind)

    def _link_kind(self, kind: str | None) -> None:
        from cs_console.screens.search import SearchScreen

        if kind is not None and self.detail is not None:
            prompt = self.strings("link.pick", number=self.detail.ticket.number)
            self.app.push_screen(SearchScreen(pick=prompt), lambda other_id: self._link_target(kind, other_id))

    @work(thread=True, group="send")
    def _link_target(self, kind: str, other_id: str | None) -> None:
        """Ask before linking this ticket to the picked one, naming it."""
        if other_id is None or self.detail is None:
            return
        number = self.app.store.ticket_titles([other_id]).get(other_id, ("", ""))[0]
        parent, child = (other_id, self.ticket_id) if kind == "child" else (self.ticket_id, other_id)
        stored_kind = "related" if kind == "related" else "parent"
        question = self.strings("link.confirm", number=self.detail.ticket.number, other=number,
                                kind=self.strings(f"link.kind.{kind}"))
        show_if_current(self.app, self._ask, question, lambda: self._store_action(
            self.strings("link.done", number=number),
            lambda store, agent_id, at: link_tickets(store, parent, child, stored_kind, author_id=agent_id, at=at)))
