"""HTML mail turned into text an agent can read in a terminal.

Built on the standard library's `html.parser`: blocks become lines, list items bullets,
links keep their address, tables a line per row; styles, scripts and the head vanish.
It refuses to render layout: a mail's text is what matters, not its columns.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

BLOCKS = frozenset({
    "p", "div", "section", "article", "header", "footer", "h1", "h2", "h3", "h4", "h5", "h6",
    "ul", "ol", "table", "tr", "blockquote", "pre", "hr", "address", "center", "form",
})
"""Elements that start and end a line of their own."""
HIDDEN = frozenset({"style", "script", "head", "title", "xml", "o:p"})
"""Elements whose content is never text for a reader (Outlook's <xml> and <o:p> included)."""


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0
        self.pre = 0
        self.links: list[str | None] = []

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in HIDDEN:
            self.hidden += 1
        elif tag == "br":
            self.parts.append("\n")
        elif tag == "li":
            self.parts.append("\n- ")
        elif tag in ("td", "th"):
            self.parts.append("  ")
        elif tag == "a":
            self.links.append(dict(attrs).get("href"))
        elif tag in BLOCKS:
            self.parts.append("\n\n" if tag in ("p", "h1", "h2", "h3", "table", "blockquote") else "\n")
            self.pre += tag == "pre"

    def handle_endtag(self, tag: str) -> None:
        if tag in HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        elif tag == "a" and self.links:
            href = self.links.pop()
            if href and href.startswith(("http:", "https:")) and not self.parts[-1].strip().endswith(href):
                self.parts.append(f" <{href}>")
        elif tag in BLOCKS:
            self.parts.append("\n")
            self.pre -= tag == "pre" and self.pre > 0

    def handle_data(self, data: str) -> None:
        if self.hidden:
            return
        self.parts.append(data if self.pre else re.sub(r"\s+", " ", data))


def html_to_text(html: str) -> str:
    """The readable text of an HTML body: one paragraph per block, blank lines collapsed."""
    parser = _Text()
    parser.feed(html)
    parser.close()
    lines = [line.strip() for line in "".join(parser.parts).replace("\xa0", " ").splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
