"""The demo's complaints and knowledge-base proposals, on top of its tickets.

`assets/demo/complaints.json` marks four tickets as complaints (two suggested by the angry
wording of the customer's message) with the PEARL steps worked on each, some complete and
some not; `assets/demo/kb_proposals.json` holds a proposal approved and then used by another
agent, one waiting for the lead and one rejected with its reason. Proposal bodies are the
author's replies on the ticket, as the proposal form would fill them.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import datetime

from sqlmodel import SQLModel

from cs_console.storage.models import KbArticle, KbProposal, Template, TicketEvent


def quality_rows(tickets: list[dict], complaints: list[dict], proposals: list[dict], at: Callable[[int], datetime],
                 demo_id: Callable[[str, str], str]) -> Iterator[SQLModel]:
    """Complaint and PEARL events, proposals, approved proposals' templates or articles, and their uses."""
    for complaint in complaints:
        ticket_id, author = demo_id("ticket", complaint["ticket"]), demo_id("agent", complaint["by"])
        yield TicketEvent(id=demo_id("event", f"{complaint['ticket']}:complaint"), ticket_id=ticket_id,
                          kind="complaint_marked", at=at(complaint["min"]), author_id=author,
                          detail=json.dumps({"source": complaint["source"]}))
        for step in complaint["steps"]:
            yield TicketEvent(id=demo_id("event", f"{complaint['ticket']}:pearl_{step['step']}"), ticket_id=ticket_id,
                              kind=f"pearl_{step['step']}", at=at(step["min"]), author_id=author,
                              detail=json.dumps({"note": step["note"]}, ensure_ascii=False))
    by_key = {ticket["key"]: ticket for ticket in tickets}
    for proposal in proposals:
        ticket = by_key[proposal["ticket"]]
        proposal_id = demo_id("kb_proposal", proposal["key"])
        replies = [i["body"] for i in ticket.get("interactions", [])
                   if i["kind"] == "public_reply" and i.get("author") == proposal["author"]]
        reviewed = proposal.get("reviewer")
        row = KbProposal(id=proposal_id, ticket_id=demo_id("ticket", ticket["key"]),
                         author_id=demo_id("agent", proposal["author"]), kind=proposal["kind"], title=proposal["title"],
                         body="\n\n".join(replies), category=ticket["category"], lang=proposal["lang"],
                         state=proposal["state"], reason=proposal.get("reason", ""),
                         reviewer_id=demo_id("agent", reviewed) if reviewed else None,
                         reviewed_at=at(proposal["reviewed_min"]) if reviewed else None, created_at=at(proposal["min"]))
        yield row
        if row.state == "approved":
            model = Template if row.kind == "template" else KbArticle
            yield model(id=proposal_id, title=row.title, body=row.body, lang=row.lang, updated_at=row.reviewed_at)
        for index, use in enumerate(proposal.get("uses", [])):
            yield TicketEvent(id=demo_id("event", f"{proposal['key']}:use:{index}"),
                              ticket_id=demo_id("ticket", use["ticket"]), kind="kb_used", at=at(use["min"]), author_id=demo_id("agent", use["by"]),
                              detail=json.dumps({"doc": proposal_id, "kind": row.kind}))
