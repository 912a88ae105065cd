"""A lead reviews conversations: a sample of the team's finished tickets, then one ticket's
thread above the rubric, scored one digit per item, with a comment the agent reads.

The sample (`ReviewSampleScreen`, key `v` on the team view) is random or filtered (low
callback scores, escalations: `lead.review_sample.FILTERS`), `f` cycles the filter and `n`
draws again. Enter opens `ReviewScreen`: the thread as the ticket screen shows it, the
rubric below it with ▸ on the item the next digit scores, the comment, and Ctrl+S to save
(a review made before is opened and replaced). Fits 80x24; nothing is saved in a read-only
session. Reading and saving run in thread workers through `usecases.reviews`.
"""

from __future__ import annotations

import random

from rich.markup import escape
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from cs_console.lead.review_sample import DEFAULT_SAMPLE, FILTERS, Candidate, flags
from cs_console.lead.rubric import SCORES, RubricError, read_scores
from cs_console.screens.base import ConsoleScreen
from cs_console.storage.tickets import TicketDetail
from cs_console.store import StoreError
from cs_console.text.display import clip, local_time
from cs_console.text.strings import english
from cs_console.usecases.reviews import ReviewForm, ReviewRefused, review_form, review_sample, save_review
from cs_console.usecases.survey import survey_questions
from cs_console.widgets.current_result import show_if_current
from cs_console.widgets.key_footer import KeyFooter
from cs_console.widgets.rubric_form import RubricForm
from cs_console.widgets.thread_view import thread_entries


class ReviewSampleScreen(ConsoleScreen):
    BINDINGS = [
        Binding("f", "next_filter", english("key.review_filter"), id="review_filter"),
        Binding("n", "new_sample", english("key.new_sample"), id="new_sample"),
        Binding("escape", "back", english("key.back"), id="back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.how = "random"
        self.seed = random.randrange(2**32)
        self.samples: list[Candidate] = []
        self.names: dict[str, str] = {}
        self.reviewed: set[str] = set()

    def compose(self) -> ComposeResult:
        yield Static(id="review-sample-title", classes="title-bar")
        yield OptionList(id="review-sample")
        yield Static(self.strings("review.sample_hint"), id="review-sample-hint")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()
        self._load()

    @work(thread=True, exclusive=True, group="review-sample")
    def _load(self) -> None:
        app = self.app
        try:
            found = review_sample(app.store, app.agent, self.how, DEFAULT_SAMPLE, self.seed, app.now())
            names = {agent.id: agent.name for agent in app.store.agents()}
        except StoreError as error:
            app.call_from_thread(self.notify, str(error), severity="error")
            return
        show_if_current(app, self._show, found, names)

    def _show(self, found: list[Candidate], names: dict[str, str]) -> None:
        self.samples, self.names = found, names
        s = self.strings
        self.query_one("#review-sample-title", Static).update(
            escape(s("review.sample_title", filter=s(f"review.filter.{self.how}"), count=len(found)))
            + self.readonly_mark())
        options = self.query_one(OptionList)
        options.clear_options()
        options.add_options([Option(self._line(candidate), id=candidate.ticket_id) for candidate in found])
        if found:
            options.highlighted = 0
        else:
            options.add_option(Option(s("review.nothing"), disabled=True))

    def _line(self, candidate: Candidate) -> str:
        s = self.strings
        marks = [s(f"review.mark.{name}") for name in flags(candidate)]
        done = "✔ " if candidate.ticket_id in self.reviewed else ""
        line = s("review.sample_line", number=candidate.number, agent=self.names.get(candidate.agent_id, "?"),
                 subject=candidate.subject, marks=f" {' '.join(marks)}" if marks else "")
        return escape(clip(done + line, self.app.size.width - 6))

    def action_next_filter(self) -> None:
        names = list(FILTERS)
        self.how = names[(names.index(self.how) + 1) % len(names)]
        self._load()

    def action_new_sample(self) -> None:
        self.seed = random.randrange(2**32)
        self._load()

    @on(OptionList.OptionSelected)
    def _review(self, event: OptionList.OptionSelected) -> None:
        candidate = next(c for c in self.samples if c.ticket_id == event.option.id)
        self.app.push_screen(ReviewScreen(candidate.ticket_id, candidate.agent_id),
                             lambda saved: self._reviewed(candidate) if saved else None)

    def _reviewed(self, candidate: Candidate) -> None:
        self.reviewed.add(candidate.ticket_id)
        options = self.query_one(OptionList)
        index = options.get_option_index(candidate.ticket_id)
        options.replace_option_prompt_at_index(index, self._line(candidate))

    def action_back(self) -> None:
        self.app.go_back()


class ReviewScreen(ConsoleScreen[bool]):
    """One conversation reviewed: dismissed with True once the review is saved."""

    BINDINGS = [
        Binding("ctrl+s", "save", english("key.save"), id="save", priority=True),
        Binding("escape", "back", english("key.back"), id="back"),
    ]
    FOOTER_PRIORITY = ("save", "back")
    CHANGES = frozenset({"save"})

    def __init__(self, ticket_id: str, agent_id: str) -> None:
        super().__init__()
        self.ticket_id = ticket_id
        self.agent_id = agent_id
        self.form: ReviewForm | None = None
        self.detail: TicketDetail | None = None
        self._saving = False

    def compose(self) -> ComposeResult:
        yield Static(id="review-title", classes="title-bar")
        yield VerticalScroll(id="review-thread")
        yield Static(id="review-rubric-hint")
        yield Static(self.strings("lead.loading"), id="review-rubric-slot")
        yield Input(placeholder=self.strings("review.comment"), id="review-comment")
        yield Static(id="review-status")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#review-rubric-hint", Static).update(
            escape(self.strings("review.rubric_hint", top=SCORES[-1])))
        self._load()

    @work(thread=True, group="review")
    def _load(self) -> None:
        app = self.app
        try:
            detail = app.store.ticket_detail(self.ticket_id)
            form = review_form(app.store, self.ticket_id, self.agent_id)
        except (StoreError, RubricError) as error:
            app.call_from_thread(self.notify, str(error), severity="error")
            return
        show_if_current(app, self._show, detail, form)

    def _show(self, detail: TicketDetail, form: ReviewForm) -> None:
        s, zone, now = self.strings, self.app.config.zone, self.app.now()
        self.detail, self.form = detail, form
        agent = detail.authors.get(self.agent_id) or (detail.assignee.name if detail.assignee else "?")
        self.query_one("#review-title", Static).update(
            f"[b]{escape(s('review.title', number=detail.ticket.number, agent=agent, status=s(f'status.{detail.ticket.status}')))}"
            f"[/b]{self.readonly_mark()}\n{escape(clip(detail.ticket.subject, self.app.size.width - 2))}")
        thread = self.query_one("#review-thread", VerticalScroll)
        thread.mount_all(thread_entries(detail, s, zone, now, survey_questions(self.app.config)))
        thread.call_after_refresh(thread.scroll_end, animate=False)
        rubric = RubricForm(form.rubric, s.language, id="review-rubric")
        self.query_one("#review-rubric-slot").remove()
        self.mount(rubric, before=self.query_one("#review-comment"))
        if form.existing is not None:
            rubric.set_scores(read_scores(form.existing.scores))
            self.query_one("#review-comment", Input).value = form.existing.comment
            self._say(s("review.editing", when=local_time(form.existing.reviewed_at, zone, now, s)))
        rubric.focus()

    @on(RubricForm.Completed)
    def _to_comment(self) -> None:
        self.query_one("#review-comment", Input).focus()

    @on(Input.Submitted, "#review-comment")
    def _comment_done(self) -> None:
        self.action_save()

    def action_save(self) -> None:
        if self.form is None or self._saving:
            return
        self._saving = True
        scores = dict(self.query_one(RubricForm).scores)
        self._save(scores, self.query_one("#review-comment", Input).value)

    @work(thread=True, group="review-save")
    def _save(self, scores: dict[str, int], comment: str) -> None:
        app, form = self.app, self.form
        try:
            save_review(app.store, form.rubric, ticket_id=self.ticket_id, agent_id=self.agent_id, reviewer=app.agent,
                        scores=scores, comment=comment, at=app.now(),
                        review_id=form.existing.id if form.existing else None)
        except (ReviewRefused, StoreError) as error:
            app.call_from_thread(self._refused, str(error))
            return
        app.call_from_thread(self._saved)

    def _refused(self, reason: str) -> None:
        self._saving = False
        self._say(reason)
        self.query_one(RubricForm).focus()

    def _saved(self) -> None:
        self.app.notify(self.strings("review.saved", number=self.detail.ticket.number))
        self.app.local_change()
        self.dismiss(True)

    def _say(self, text: str) -> None:
        self.query_one("#review-status", Static).update(escape(clip(text, self.app.size.width - 2)))

    def action_back(self) -> None:
        self.dismiss(False)
