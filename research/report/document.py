"""The report model: a plain dataclass tree that both renderers (HTML and DOCX) read.

Every number in it has already passed small-cell suppression: a table cell is either text
built from a shown count ("27 (45.0% of 60)") or the SUPPRESSED marker, and a chart holds only
shown values. A signed-off version stores this tree as JSON and is rendered from that JSON.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import pandas as pd
from markdown_it import MarkdownIt

SUPPRESSED = "[c]"
SECTION_KINDS = {
    "heading": "Heading grouping the sections below it",
    "text": "Narrative (Markdown)",
    "respondents": "Who responded",
    "question": "A question's results",
    "breakdown": "A breakdown of a rating by a group",
    "theme": "A theme with counts by group and quotes",
    "wordcloud": "A word cloud pair",
    "methodology": "Methodology",
    "next_steps": "Next steps",
}
# CommonMark with raw HTML turned off: anything that looks like a tag is shown as text.
_MARKDOWN = MarkdownIt("commonmark", {"html": False})


def markdown_html(text: str) -> str:
    return _MARKDOWN.render(text or "")


def markdown_paragraphs(text: str) -> list[tuple[str, str]]:
    """(style, plain text) for each heading, paragraph and list item, for the DOCX."""
    out: list[tuple[str, str]] = []
    style = "p"
    for token in _MARKDOWN.parse(text or ""):
        if token.type == "heading_open":
            style = "h"
        elif token.type == "list_item_open":
            style = "li"
        elif token.type == "inline" and token.content.strip():
            plain = "".join(
                c.content
                for c in token.children or []
                if c.type in {"text", "code_inline", "softbreak"}
            )
            out.append((style, plain or token.content))
            style = "li" if style == "li" else "p"
        elif token.type == "list_item_close":
            style = "p"
    return out


def count_cell(count: Any, base: Any = None) -> str:
    """A shown count, with its percentage of the base when the base is shown too."""
    if count is None or pd.isna(count):
        return SUPPRESSED
    n = int(count)
    if base is None or pd.isna(base) or int(base) == 0:
        return str(n)
    return f"{n} ({100 * n / int(base):.1f}% of {int(base)})"


@dataclass
class Table:
    caption: str
    columns: list[str]
    rows: list[list[str]]
    notes: list[str] = field(default_factory=list)


@dataclass
class Chart:
    """A bar chart of shown percentages: rows of {group, category, percent, count}."""

    title: str
    alt: str
    data: list[dict[str, Any]]
    stacked: bool = False


@dataclass
class Picture:
    alt: str
    png_base64: str


@dataclass
class QuoteItem:
    text: str
    attribution: str


@dataclass
class Section:
    kind: str
    title: str
    level: int = 2
    markdown: str = ""
    paragraphs: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    pictures: list[Picture] = field(default_factory=list)
    quotes: list[QuoteItem] = field(default_factory=list)

    @property
    def html(self) -> str:
        return markdown_html(self.markdown)


@dataclass
class ReportDocument:
    title: str
    consultation: str
    version: int
    signed_off: bool
    signed_off_at: str | None
    k: int
    sections: list[Section]

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ReportDocument:
        sections = [
            Section(
                kind=s["kind"],
                title=s["title"],
                level=s["level"],
                markdown=s["markdown"],
                paragraphs=list(s["paragraphs"]),
                tables=[Table(**t) for t in s["tables"]],
                charts=[Chart(**c) for c in s["charts"]],
                pictures=[Picture(**p) for p in s["pictures"]],
                quotes=[QuoteItem(**q) for q in s["quotes"]],
            )
            for s in data["sections"]
        ]
        return cls(**{**data, "sections": sections})
