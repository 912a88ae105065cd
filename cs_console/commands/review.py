"""`cs-console review`: a lead's review of conversations from the shell, as the team view's
review screen does it — `sample` lists finished, unreviewed tickets of the team (random or
filtered), `score` saves a review of one ticket (a digit per rubric item, a comment), `list`
prints the reviews of an agent's work (your own by default).

The work is `usecases.reviews`', the same the screens call. Bad input gets one sentence on
stderr and exit status 2, and nothing is saved.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from cs_console.commands import whole_number

if TYPE_CHECKING:
    from cs_console.config import Config
    from cs_console.store import Store
    from cs_console.text.strings import Strings

COMMANDS = ("review",)
FILTER_NAMES = ("random", "low_score", "escalated")
"""`lead.review_sample.FILTERS`' names, here so `--help` loads no domain (a test keeps them equal)."""


def add_commands(commands) -> None:
    review = commands.add_parser("review", help="a lead's review of conversations: sample, score, list")
    review_commands = review.add_subparsers(dest="review_command", metavar="COMMAND", required=True)
    sample = review_commands.add_parser("sample", help="finished, unreviewed tickets of your team to review")
    sample.add_argument("--filter", choices=FILTER_NAMES, default="random",
                        help="random (the default), low_score (a low callback score or NPS) or escalated")
    sample.add_argument("--count", type=whole_number, default=5, metavar="N", help="how many (default 5)")
    sample.add_argument("--seed", type=int, metavar="S", help="the same seed draws the same sample")
    score = review_commands.add_parser("score", help="review one ticket: a digit per rubric item and a comment")
    score.add_argument("number", metavar="NUMBER", help="the ticket's number, e.g. DEMO-0007")
    score.add_argument("digits", metavar="DIGITS",
                       help="one digit 1-5 per rubric item in its order, e.g. 4534 (see `review rubric`)")
    score.add_argument("--comment", default="", metavar="TEXT", help="what the agent reads with the scores")
    review_commands.add_parser("rubric", help="the rubric's items, in the order DIGITS scores them")
    listing = review_commands.add_parser("list", help="the reviews of an agent's work (default: yours)")
    listing.add_argument("--agent", metavar="NAME", help="part of the agent's name, or their id")


def run(store: Store, config: Config, args) -> int:
    from cs_console.commands.lead import CommandError
    from cs_console.lead.rubric import RubricError
    from cs_console.store import ReadOnly, StoreError
    from cs_console.text.strings import Strings, interface_language
    from cs_console.usecases.reviews import ReviewRefused

    strings = Strings(interface_language(config.raw, config.language))
    try:
        if args.review_command == "sample":
            return _sample(store, args, strings)
        if args.review_command == "score":
            return _score(store, args, strings)
        if args.review_command == "rubric":
            return _rubric(strings)
        return _list(store, args, strings)
    except (CommandError, ReviewRefused, RubricError, ValueError) as error:
        print(f"cs-console: error: review {args.review_command}: {error}", file=sys.stderr)
        return 2
    except ReadOnly:
        print(f"cs-console: error: {strings('cli.readonly')}", file=sys.stderr)
        return 2
    except StoreError as error:
        print(f"cs-console: error: {error}", file=sys.stderr)
        return 2


def _lead(store: Store, strings: Strings):
    from cs_console.commands.lead import CommandError
    from cs_console.lead.roles import is_lead

    agent = store.current_agent()
    if not is_lead(agent):
        raise CommandError(strings("cli.review_not_lead", agent=agent.name if agent else "-",
                                   role=strings(f"lead.role.{agent.role}") if agent else "-"))
    return agent


def _marks(candidate, strings: Strings) -> str:
    from cs_console.lead.review_sample import flags

    marks = [strings(f"review.mark.{name}") for name in flags(candidate)]
    return f" {' '.join(marks)}" if marks else ""


def _sample(store: Store, args, strings: Strings) -> int:
    import random

    from cs_console.usecases.reviews import review_sample
    from cs_console.utc import utcnow

    lead = _lead(store, strings)
    seed = args.seed if args.seed is not None else random.randrange(2**32)
    found = review_sample(store, lead, args.filter, args.count, seed, utcnow())
    names = {agent.id: agent.name for agent in store.agents()}
    print(strings("review.sample_title", filter=strings(f"review.filter.{args.filter}"), count=len(found)))
    for candidate in found:
        print(strings("review.sample_line", number=candidate.number, agent=names.get(candidate.agent_id, "?"),
                      subject=candidate.subject, marks=_marks(candidate, strings)))
    return 0


def _score(store: Store, args, strings: Strings) -> int:
    from cs_console.commands.lead import CommandError
    from cs_console.usecases.reviews import load_rubric, save_review
    from cs_console.utc import utcnow

    lead = _lead(store, strings)
    rubric = load_rubric()
    if not args.digits.isdigit() or len(args.digits) != len(rubric.items):
        raise CommandError(f"DIGITS must be {len(rubric.items)} digits, one per rubric item "
                           f"({', '.join(item.label('en') for item in rubric.items)}), not {args.digits!r}")
    ticket = store.ticket_numbered(args.number)
    if ticket is None:
        raise CommandError(strings("cli.review_unknown_ticket", number=args.number))
    if ticket.assignee_id is None:
        raise CommandError(strings("cli.review_unassigned", number=args.number))
    scores = {item.key: int(digit) for item, digit in zip(rubric.items, args.digits)}
    existing = store.review_of_ticket(ticket.id, ticket.assignee_id)
    save_review(store, rubric, ticket_id=ticket.id, agent_id=ticket.assignee_id, reviewer=lead, scores=scores,
                comment=args.comment, at=utcnow(), review_id=existing.id if existing else None)
    agent = next((a.name for a in store.agents() if a.id == ticket.assignee_id), "?")
    listed = ", ".join(f"{item.label(strings.language)} {scores[item.key]}" for item in rubric.items)
    print(strings("cli.review_saved", number=ticket.number, agent=agent, scores=listed))
    return 0


def _rubric(strings: Strings) -> int:
    from cs_console.usecases.reviews import load_rubric, rubric_path

    print(rubric_path())
    for number, item in enumerate(load_rubric().items, start=1):
        print(f"{number}. {item.key:<12} {item.label(strings.language)} — {item.hint(strings.language)}")
    return 0


def _list(store: Store, args, strings: Strings) -> int:
    from cs_console.commands.lead import CommandError, match_agent
    from cs_console.lead.rubric import mean_score, read_scores
    from cs_console.usecases.reviews import load_rubric, reviews_of

    agent = match_agent(store.agents(), args.agent, strings) if args.agent else store.current_agent()
    if agent is None:
        raise CommandError(strings("cli.agent_none"))
    rubric, rows = load_rubric(), reviews_of(store, agent.id)
    print(strings("review.mine_title", count=len(rows)) + f" · {agent.name}")
    for row in rows:
        scores = read_scores(row.review.scores)
        mean = mean_score(scores)
        print(strings("review.mine_line", when=row.review.reviewed_at.strftime("%Y-%m-%d %H:%M"),
                      number=row.number or strings("review.no_ticket"), mean="-" if mean is None else f"{mean:.1f}",
                      reviewer=row.reviewer))
        print("    " + " · ".join(f"{rubric.label(key, strings.language)} {digit}" for key, digit in scores.items()))
        print("    " + (row.review.comment or strings("review.no_comment")))
    return 0
