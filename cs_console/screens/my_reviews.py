"""The reviews of the agent's own work, from the palette's "My reviews": one line per review
(when, ticket, mean score, reviewer), and under the list the highlighted one whole, each
rubric item's digit and the lead's comment. Enter opens the ticket when this device has it.
Read in a thread worker through `usecases.reviews`; it changes nothing.
"""

from __future__ import annotations

from rich.markup import escape
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from cs_console.lead.rubric import Rubric, RubricError, mean_score, read_scores
from cs_console.screens.base import ConsoleScreen
from cs_console.storage.reviews import ReviewRow
from cs_console.store import StoreError
from cs_console.text.display import clip, local_time
from cs_console.text.strings import english
from cs_console.usecases.reviews import load_rubric, reviews_of
from cs_console.widgets.current_result import show_if_current
from cs_console.widgets.key_footer import KeyFooter


class MyReviewsScreen(ConsoleScreen):
    BINDINGS = [Binding("escape", "back", english("key.back"), id="back")]

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[ReviewRow] = []
        self.rubric = Rubric(())

    def compose(self) -> ComposeResult:
        yield Static(id="my-reviews-title", classes="title-bar")
        yield OptionList(id="my-reviews")
        yield Static(id="my-review-detail")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()
        self.reload()

    @work(thread=True, exclusive=True, group="my-reviews")
    def reload(self) -> None:
        app = self.app
        if app.agent is None:
            return
        try:
            rows = reviews_of(app.store, app.agent.id)
            rubric = load_rubric()
        except (StoreError, RubricError) as error:
            app.call_from_thread(self.notify, str(error), severity="error")
            return
        show_if_current(app, self._show, rows, rubric)

    def _show(self, rows: list[ReviewRow], rubric: Rubric) -> None:
        s, zone, now = self.strings, self.app.config.zone, self.app.now()
        self.rows, self.rubric = rows, rubric
        self.query_one("#my-reviews-title", Static).update(escape(s("review.mine_title", count=len(rows))))
        options = self.query_one(OptionList)
        highlighted = options.highlighted
        options.clear_options()
        for row in rows:
            mean = mean_score(read_scores(row.review.scores))
            line = s("review.mine_line", when=local_time(row.review.reviewed_at, zone, now, s),
                     number=row.number or s("review.no_ticket"), mean="-" if mean is None else f"{mean:.1f}",
                     reviewer=row.reviewer)
            options.add_option(Option(escape(clip(line, self.app.size.width - 6)), id=row.review.id))
        if not rows:
            options.add_option(Option(s("review.mine_none"), disabled=True))
        elif highlighted is not None:
            options.highlighted = min(highlighted, len(rows) - 1)
        else:
            options.highlighted = 0
        self._detail()

    @on(OptionList.OptionHighlighted)
    def _detail(self) -> None:
        index = self.query_one(OptionList).highlighted
        detail = self.query_one("#my-review-detail", Static)
        if index is None or index >= len(self.rows):
            detail.update("")
            return
        s, row = self.strings, self.rows[index]
        scores = read_scores(row.review.scores)
        listed = " · ".join(f"{self.rubric.label(key, s.language)} {digit}" for key, digit in scores.items())
        detail.update(escape(s("review.mine_detail", number=row.number or s("review.no_ticket"), subject=row.subject,
                               reviewer=row.reviewer,
                               when=local_time(row.review.reviewed_at, self.app.config.zone, self.app.now(), s),
                               scores=listed, comment=row.review.comment or s("review.no_comment"))))

    @on(OptionList.OptionSelected)
    def _open(self, event: OptionList.OptionSelected) -> None:
        row = next(row for row in self.rows if row.review.id == event.option.id)
        if row.number:
            self.app.open_ticket(row.review.ticket_id)

    def action_back(self) -> None:
        self.app.go_back()
