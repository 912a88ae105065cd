"""The words every layer shares: a ticket's statuses and priorities, channels, kinds of
interaction and agent roles.

Plain tuples and sets, importing nothing, so the tables, the clocks, the lead's reports and
the screens can all name the same values without depending on one another. Stored values
are these English words; the interface translates them (`status.*`, `priority.*`).
"""

from __future__ import annotations

PRIORITIES = ("urgent", "high", "normal", "low")
"""Most urgent first; the queue's tie-break order."""

STATUSES = ("open", "waiting_on_customer", "solution_proposed", "resolved", "closed")
ACTIVE_STATUSES = ("open", "waiting_on_customer", "solution_proposed")
"""Statuses of tickets still being worked: an agent's load, the team view's tickets."""

CHANNELS = ("phone", "email", "im", "web", "api", "radio", "on_site")
"""How a ticket or a message came or went: a call, a mail, a chat, a web form, a system
calling the intake API, the radio, or in person (walk-in, on site)."""
CALL_KINDS = frozenset({"call_log", "callback"})
"""Interactions that are a telephone call whatever the ticket's channel."""
CATEGORIES = (
    "safety_equipment", "pollution_prevention", "emissions", "manning_certification",
    "delay_claim", "port_state_control", "sim_activation", "billing", "roaming",
    "number_porting", "bid_documents", "bid_deadline", "e_bidding_platform", "other",
)
"""What a ticket is about, as the new-ticket form and the intake API offer it."""
INTERACTION_KINDS = ("customer_message", "public_reply", "internal_note", "call_log", "callback")

FIRST_RESPONSE_KINDS = frozenset({"public_reply", "call_log"})
"""What counts as the first response to the customer: a written reply or a logged call."""
DELIVERY_STATES = ("sent", "failed")
"""What the server found when it mailed a public reply (`ReplyDelivery.state`); before
that a reply is "saved on this device" until sync acknowledges it, then "on the server"."""
MAIL_SOURCES = ("mailbox", "relay")
"""What the server's mail work goes through: a team's IMAP mailbox, or the SMTP relay."""
MAIL_PROBLEMS = ("login_refused", "unreachable", "folder_missing", "mail_too_large", "mail_not_stored",
                 "mail_malformed")
"""What went wrong last with a mailbox or the relay (`MailProblem.problem`); "" once it works."""
SATISFACTION_SCORES = range(1, 6)
"""A callback's satisfaction score, 1 to 5."""
NPS_SCORES = range(11)
"""How likely the customer is to recommend us, 0 to 10, when a callback asked."""
SURVEY_PART_SCORES = {"speed": SATISFACTION_SCORES, "accuracy": SATISFACTION_SCORES, "attitude": SATISFACTION_SCORES,
                      "resolution": SATISFACTION_SCORES, "ces": range(1, 8)}
"""A callback survey's standard answers beside satisfaction (the overall part) and NPS: the
SIM-card desk's response speed, answer accuracy, service attitude, resolution efficiency,
and the customer-effort score (1-7, 7 the easiest)."""
SURVEY_KEY_PATTERN = r"[a-z][a-z0-9_]{0,31}"
"""A survey question's key; one a survey adds beyond the standard ones is answered 0-10."""
CLOSE_REASONS = ("duplicate", "spam", "merged")
"""Why a ticket may be closed with no response and no promise broken; each is recorded as a
"marked_<reason>" event just before the "closed" one."""
CLOCK_EVENT_KINDS = (
    "created", "first_response", "solution_proposed", "waiting_on_customer", "customer_replied",
    "escalated", "expert_answered", "resolved", "closed", "callback", "reopened",
    *(f"marked_{reason}" for reason in CLOSE_REASONS),
)
"""The ticket events the clocks read; `cs_console.clocks.workflow` decides when each is recorded."""
PEARL_STEPS = ("professional", "empathy", "accountability", "resolution", "learn")
"""The complaint-handling rule's steps, in the order they are worked through; each done step
is recorded as a "pearl_<step>" event whose detail holds the agent's note."""
COMPLAINT_EVENT_KINDS = ("complaint_marked", "complaint_cleared", *(f"pearl_{step}" for step in PEARL_STEPS))
"""A ticket is a complaint while its latest mark is "complaint_marked"."""
ACTIVITY_EVENT_KINDS = ("status_changed", "reassigned", "priority_changed", "reminder_set", "reminder_done",
                        "tagged", "untagged", "unmerged", "linked", "unlinked", *COMPLAINT_EVENT_KINDS)
"""Events that only tell what happened, for the ticket's trail; the clocks pass over them.
Their `detail` says more (from and to, a note, the tag, the other ticket of a merge or link)."""
USAGE_EVENT_KINDS = ("kb_used",)
"""A knowledge-base article or template used in a reply on the ticket ({"doc": id, "kind": ...});
the knowledge-base contribution counts them, the trail passes over them."""
EVENT_KINDS = (*CLOCK_EVENT_KINDS, *ACTIVITY_EVENT_KINDS, *USAGE_EVENT_KINDS)
"""Every kind of ticket event, as stored and synced."""
TRAIL_EVENT_KINDS = (*ACTIVITY_EVENT_KINDS, "escalated", "expert_answered", *(f"marked_{r}" for r in CLOSE_REASONS))
"""The events a person reads as a ticket's trail (in its thread and the customer's history);
the other clock events ("closed"...) say again what the status change beside them says."""
LINK_KINDS = ("related", "parent")
"""How two tickets are linked: "related" both ways, or "parent" from the parent (`ticket_id`)
to its child (`other_id`)."""
PROPOSAL_KINDS = ("article", "template")
"""What an agent proposes for the knowledge base from a resolved ticket."""
PROPOSAL_STATES = ("waiting", "approved", "rejected")
"""A proposal waits for a lead or admin, who approves it (it becomes an article or template
with the proposal's id) or rejects it with a reason the agent sees."""
ROLES = ("agent", "lead", "admin")
LEAD_ROLES = frozenset({"lead", "admin"})
"""Roles that see and move a team's work."""


def message_channel(kind: str, ticket_channel: str) -> str | None:
    """The channel an interaction of `kind` travels by when nobody says otherwise: calls by
    phone, an internal note by none (the customer never sees it), messages and replies by
    the ticket's own channel."""
    if kind == "internal_note":
        return None
    return "phone" if kind in CALL_KINDS else ticket_channel

ORGANISATION_KINDS = ("shipowner", "manager", "operator", "bidding_company", "sim_distributor")
"""What an organisation (a customer) is to us; older customers may carry other free text."""
ASSET_KINDS = ("vessel", "rig", "site", "sim_batch")
"""What a customer's asset is: only a vessel carries an IMO number, a flag and a type."""
