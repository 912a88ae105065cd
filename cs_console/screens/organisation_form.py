"""A form over the customer screen: the organisation's own fields, a contact's or an asset's.

One input per field, labelled on its border, Tab between them, Enter saves. Saving runs the form's save (a
use case of `usecases.organisation_edit`) in a thread worker; a refused value keeps the form
open with the sentence that names the field, and the cursor on it, so nothing is half-written
and nothing typed is lost. The form returns True once saved, None when cancelled.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.markup import escape
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Input, Static

from cs_console.errors import UserError
from cs_console.screens.base import ConsoleDialog
from cs_console.store import StoreError
from cs_console.text.strings import english
from cs_console.usecases.organisation_edit import FieldRefused
from cs_console.widgets.current_result import show_if_current

Field = tuple[str, str, str]
"""(field name, label, value shown first)."""


class RecordForm(ConsoleDialog[bool | None]):
    BINDINGS = [
        Binding("escape", "dismiss(None)", english("key.cancel"), id="cancel"),
        # Taken before the focused input sees the key, so text typed ahead of the screen
        # (a laggy SSH hop) lands in the next field, not the one being left.
        Binding("tab", "app.focus_next", show=False, priority=True),
        Binding("shift+tab", "app.focus_previous", show=False, priority=True),
    ]
    DEFAULT_CSS = """
    RecordForm {
        align: center middle;
    }
    RecordForm .dialog {
        max-height: 24;
    }
    """

    def __init__(self, title: str, fields: list[Field], save: Callable[[dict[str, str]], object]) -> None:
        super().__init__()
        self.title_text = title
        self.fields = fields
        self.save = save

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog"):
            yield Static(f"[b]{escape(self.title_text)}[/b] · {self.strings('organisation.form_hint')}")
            yield Static(id="form-problem")  # above the fields: in sight however far the form scrolled
            for name, label, value in self.fields:
                field = Input(value, placeholder=label, id=f"form-{name}")
                field.border_title = label
                yield field

    def on_mount(self) -> None:
        self.query(Input).first().focus()

    def values(self) -> dict[str, str]:
        return {name: self.query_one(f"#form-{name}", Input).value for name, _, _ in self.fields}

    @on(Input.Submitted)
    def _submit(self) -> None:
        self._save(self.values())

    @work(thread=True, exclusive=True, group="organisation-form")
    def _save(self, values: dict[str, str]) -> None:
        try:
            self.save(values)
        except FieldRefused as error:
            show_if_current(self.app, self._refused, str(error), error.field)
        except (UserError, StoreError, ValueError) as error:
            show_if_current(self.app, self._refused, str(error), None)
        else:
            show_if_current(self.app, self.dismiss, True)

    def _refused(self, sentence: str, field: str | None) -> None:
        self.query_one("#form-problem", Static).update(f"[b]✗[/b] {escape(sentence)}")
        if field is not None and self.query(f"#form-{field}"):
            self.query_one(f"#form-{field}", Input).focus()
