"""The footer's and the help screen's key labels in the interface language, by binding id.

Textual reads bindings from the class, before any app exists, so they are declared with
their English description (`strings.english`); a screen, the app or a dialog then swaps its
own copy for one labelled from the catalogue's `key.<binding id>`. Where one id means a
different word on one screen (ctrl+s is "Send" on a ticket and "Save" on a new one, the same
id so that one rebinding moves both), the screen says so in `KEY_LABELS`.

It refuses to guess: a binding without an id, or whose label is not in the catalogue, keeps
its English description, and English sessions keep the class's bindings untouched.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from textual.binding import Binding, BindingsMap
from textual.dom import DOMNode

from cs_console.text.strings import CATALOG, Strings


def binding_label(binding: Binding, strings: Strings, labels: Mapping[str, str] | None = None) -> str:
    """What `binding` reads as: `labels[id]` or `key.<id>` from the catalogue, else its description."""
    if strings.language == "en" or not binding.id:
        return binding.description
    key = (labels or {}).get(binding.id, f"key.{binding.id}")
    return strings(key) if key in CATALOG else binding.description


def localize_bindings(node: DOMNode, strings: Strings) -> None:
    """Footer labels in the interface language, taking the node's `KEY_LABELS` into account.

    Bindings are class-level in Textual, so this swaps the node's own copy of them.
    """
    if strings.language == "en":
        return
    labels = getattr(node, "KEY_LABELS", None)
    node._bindings = BindingsMap.from_keys({
        key: [replace(b, description=binding_label(b, strings, labels)) for b in bindings]
        for key, bindings in node._bindings.key_to_bindings.items()
    })
