"""The report model built on demo-like data and rendered to HTML and DOCX: headings, tables,
every count shown or hidden as suppression says, no hidden count anywhere in either file, and
only confirmed quotes, redacted and attributed."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup
from docx import Document
from sqlalchemy import select

from consult.consultations.models import Consultation
from consult.settings import Settings
from research.report import store
from research.report.document import SUPPRESSED
from research.report.free_text import agreed_to_quote
from research.report.models import ReportSection
from research.report.render import to_docx, to_html
from surveys.definition.loading import load_definition, survey_from_dict, survey_to_dict
from tests.conftest import db_session
from tests.research.report.conftest import QUOTED, THEME, demo_report_data

SECTIONS: list[tuple[str, str, dict[str, Any]]] = [
    ("heading", "Supporting Victims", {}),
    ("text", "Summary", {}),
    ("respondents", "", {"questions": ["age_band"]}),
    ("question", "", {"question": "pursuing_perpetrators"}),
    ("breakdown", "", {"question": "pursuing_perpetrators", "group": ""}),
    ("theme", "", {"question": "prevention", "theme": THEME}),
    ("wordcloud", "", {"left": "words_then", "right": "words_now"}),
    ("methodology", "", {}),
]
DEMO_SURVEY = Path(__file__).resolve().parents[3] / "surveys/demo/call_for_evidence.yaml"
NARRATIVE = "We heard from **many** people.\n\n<script>alert(1)</script>"


async def build(settings: Settings) -> Any:
    await demo_report_data(settings)
    async with db_session(settings) as db:
        consultation = await db.scalar(select(Consultation))
        report = await store.report_of(db, consultation)
        for position, (kind, title, params) in enumerate(SECTIONS):
            db.add(
                ReportSection(
                    report_id=report.id,
                    position=position,
                    kind=kind,
                    title=title,
                    body=NARRATIVE if kind == "text" else "",
                    params=params,
                )
            )
        await db.flush()
        document = await store.draft_document(db, consultation, report)
        await db.commit()
        return document


def docx_text(data: bytes) -> tuple[list[tuple[str, str]], list[list[list[str]]], str]:
    doc = Document(io.BytesIO(data))
    headings = [
        (p.style.name, p.text)
        for p in doc.paragraphs
        if p.style.name.startswith(("Heading", "Title"))
    ]
    tables = [[[c.text for c in row.cells] for row in t.rows] for t in doc.tables]
    everything = "\n".join(p.text for p in doc.paragraphs)
    return headings, tables, everything


@pytest.mark.parametrize("settings", ["sqlite", "postgres"], indirect=True)
async def test_the_report_renders_the_same_suppressed_numbers_to_html_and_docx(
    settings: Settings,
) -> None:
    document = await build(settings)
    html = to_html(document)
    soup = BeautifulSoup(html, "html.parser")
    headings, tables, text = docx_text(to_docx(document))

    # Headings: the grouping heading at level 2, its sections under it at level 3, in both.
    assert soup.h1.get_text() == document.title
    assert next(h.get_text() for h in soup.find_all("h2")) == "Supporting Victims"
    assert ("Heading 1", "Supporting Victims") in headings
    assert ("Heading 2", "Who responded") in headings
    assert "Who responded" in [h.get_text() for h in soup.find_all("h3")]

    # Markdown is rendered, raw HTML is shown as text, never run.
    assert "<strong>many</strong>" in html and "<script>" not in html

    # Who responded: 12 survivors, 20 professionals, 15 public, 3 on behalf (under k=10).
    who = soup.find("caption", string="Respondents by type").find_parent("table")
    cells = {tr.th.get_text(): tr.td.get_text() for tr in who.select("tbody tr")}
    assert SUPPRESSED in cells.values()
    shown = [c for c in cells.values() if c != SUPPRESSED]
    for cell in shown:
        n = int(cell.split(" ")[0])
        assert n >= 10
        if "%" in cell:
            assert re.fullmatch(r"\d+ \(\d+\.\d% of \d+\)", cell), cell
    # The on-behalf count (3) is hidden, and secondary suppression hides the next smallest
    # (12 survivors) so it cannot be worked out from the total of 50.
    assert sorted(cells.values()) == sorted(
        ["15 (30.0% of 50)", "20 (40.0% of 50)", SUPPRESSED, SUPPRESSED, "50"]
    )
    docx_who = next(t for t in tables if t[0] == ["Answer", "Respondents (% of base)"])
    assert [row[1] for row in docx_who[1:]] == list(cells.values())

    # Every table cell in both files is a shown count >= k (with n and base) or the marker.
    for grid in tables:
        for row in grid[1:]:
            for cell in row[1:]:
                match = re.match(r"^(\d+)( \((\d+\.\d)% of (\d+)\))?$", cell)
                if match:
                    assert int(match.group(1)) == 0 or int(match.group(1)) >= document.k, (
                        grid[0],
                        row,
                    )
    for td in soup.select("td"):
        match = re.match(r"^(\d+)", td.get_text())
        if match:
            assert int(match.group(1)) in (0, *range(document.k, 10**6)), td

    # The theme: respondents mentioning it by group, and the only confirmed quote, redacted.
    assert THEME in [h.get_text() for h in soup.find_all("h3")]
    quotes = soup.select("blockquote")
    assert len(quotes) == 1
    assert "Sarah Jones" not in html and "Sarah Jones" not in text
    assert "[PERSON]" in quotes[0].p.get_text()
    assert quotes[0].footer.get_text() == "Survivor survey respondent"
    assert "Survivor survey respondent" in text
    assert QUOTED.replace("Sarah Jones", "[PERSON]") in text

    # The hidden count of 3 answering for someone appears in neither file (12 survivors is
    # hidden in the type table above; 12 of an age band is a different, shown count).
    for hidden in ("3 (6.0% of 50)",):
        assert hidden not in html and hidden not in text
        assert all(hidden not in cell for grid in tables for row in grid for cell in row)

    # Word clouds: a picture with alt text per question, and its table with n and base.
    images = soup.select("figure img")
    assert len(images) == 2 and all("Most used words" in img["alt"] for img in images)
    assert len(Document(io.BytesIO(to_docx(document))).inline_shapes) >= 2
    words = soup.find("caption", string=lambda s: bool(s) and "straight afterwards" in s)
    assert words is not None
    # All 50 wrote "angry": its row gives n and base.
    rows = {
        tr.th.get_text(): tr.td.get_text() for tr in words.find_parent("table").select("tbody tr")
    }
    assert rows["angry"] == "50 (100.0% of 50)"
    # Methodology states the rule and what was redacted.
    assert f"Counts under {document.k} are hidden" in text
    assert "1 PERSON" in text

    # Draft until signed off, in both files; charts are inline SVG, nothing fetched.
    assert "DRAFT" in html and "DRAFT" in text
    assert "<svg" in html
    assert not re.search(r"(src|href)=\"https?://", html)


def test_quotes_honour_a_quote_consent_question_when_the_survey_asks_it() -> None:
    survey = load_definition(DEMO_SURVEY)
    assert agreed_to_quote({}, survey)  # the demo survey does not ask: everyone may be quoted
    data = survey_to_dict(survey)
    data["sections"][0]["pages"][0]["questions"].append(
        {
            "key": "quote_consent",
            "type": "single_choice",
            "title": "May we quote your words (with names removed)?",
            "options": [{"value": "yes", "label": "Yes"}, {"value": "no", "label": "No"}],
        }
    )
    asking = survey_from_dict(data)
    assert agreed_to_quote({"quote_consent": "yes"}, asking)
    assert not agreed_to_quote({"quote_consent": "no"}, asking)
    assert not agreed_to_quote({}, asking)
