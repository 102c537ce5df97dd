"""Report sections about free text: a theme with its counts by group and quotes (confirmed,
attributed, and only from respondents who agreed to be quoted), word clouds, and the
methodology written from the coding tables."""

from __future__ import annotations

import base64
from functools import partial
from typing import TYPE_CHECKING, Any

import pandas as pd
from sqlalchemy import Connection, select

from analysis.wordclouds import word_cloud
from consult.errors import Invalid
from research.coding.decisions import codings
from research.coding.models import Quote
from research.coding.texts import attribution
from research.coding.themes import ALL, ANSWERED, published_table, theme_results
from research.computed import kept as stored_result
from research.frames import read_header
from research.report import figures
from research.report.document import Chart, Picture, QuoteItem, Section, Table, count_cell
from surveys.definition import Survey
from surveys.store.answers import answers_of

if TYPE_CHECKING:
    from research.report.build import Inputs


def question_of(survey: Survey, key: str) -> Any:
    try:
        return survey.question(key)
    except KeyError as exc:
        raise Invalid(
            f"The report refers to a question that is not in the survey: {key!r}"
        ) from exc


# A survey asks for consent to quote with a question of this key; when it is present only
# respondents who answered "yes" (or ticked it) are quoted. See README, "Findings report".
QUOTE_CONSENT = "quote_consent"
AGREED = {"yes", "true", "agree", "agreed", "given", "1"}
COLLECTION_METHOD = "survey"
MAX_QUOTES = 5
WORD_TABLE_ROWS = 15
REPORT_CLOUD = "report_cloud"


def agreed_to_quote(answers: dict[str, Any], survey: Survey) -> bool:
    if not any(q.key == QUOTE_CONSENT for q in survey.questions()):
        return True
    value = answers.get(QUOTE_CONSENT)
    if isinstance(value, dict):
        value = value.get("selected") or value.get("value")
    if isinstance(value, list):
        return any(str(v).lower() in AGREED for v in value)
    return value is True or str(value).lower() in AGREED


def theme(
    conn: Connection, section: Section, inputs: Inputs, frame: pd.DataFrame, params: dict[str, Any]
) -> None:
    key, theme = str(params.get("question", "")), str(params.get("theme", ""))
    question = question_of(inputs.survey, key)
    if theme not in inputs.themes.get(key, []):
        raise Invalid(f"The report refers to a theme that is not in the codebook: {theme!r}")
    texts = (
        frame[[question.free_text(v) is not None for v in frame[key]]]
        if key in frame
        else frame.iloc[:0]
    )
    coded = codings(conn, inputs.consultation.id, key)
    results = theme_results(texts, coded, [theme], "respondent_type", inputs.type_labels)
    table, _ = published_table(results, inputs.k)
    columns = [c for c in table.counts.columns]
    rows = []
    for label, row_key in ((f"Mentioned: {theme}", theme), (ANSWERED, ANSWERED)):
        cells = [
            count_cell(
                table.counts.loc[row_key, c],
                table.counts.loc[ANSWERED, c] if row_key != ANSWERED else None,
            )
            for c in columns
        ]
        rows.append([label, *cells])
    notes = [
        *table.notes(),
        "Percentages are of each group's respondents who answered the question",
        "One answer can mention several themes",
    ]
    shown = Table(
        f"{theme}: respondents by group",
        ["", *[c if c != "Total" else ALL for c in columns]],
        rows,
        notes,
    )
    section.title = section.title or theme
    section.tables.append(shown)
    chart = [
        {
            "group": "All",
            "category": col,
            "percent": float(cell.split(" (")[1].split("%")[0]),
            "count": int(cell.split(" ")[0]),
        }
        for col, cell in zip(shown.columns[1:], rows[0][1:], strict=True)
        if "% of " in cell
    ]
    section.charts.append(Chart(shown.caption, figures.chart_alt(shown.caption, shown), chart))
    section.quotes = _quotes(conn, inputs, key, theme, params.get("quotes") or [])


def _quotes(
    conn: Connection, inputs: Inputs, key: str, theme: str, chosen: list[str]
) -> list[QuoteItem]:
    confirmed = (
        Quote.consultation_id == inputs.consultation.id,
        Quote.question_key == key,
        Quote.theme == theme,
        Quote.confirmed_at.is_not(None),
        Quote.text.is_not(None),
    )
    held = answers_of(conn, select(Quote.response_id).where(*confirmed))
    query = select(Quote.id, Quote.text, Quote.response_id).where(*confirmed)
    out = []
    for quote_id, text, response_id in conn.execute(query.order_by(Quote.confirmed_at)):
        response = held.get(response_id)
        if response is None:  # withdrawn or erased since
            continue
        if chosen and str(quote_id) not in chosen:
            continue
        if not agreed_to_quote(response.answers, inputs.survey):
            continue
        out.append(QuoteItem(text, attribution(response.respondent_type, COLLECTION_METHOD)))
    return out[:MAX_QUOTES]


def word_clouds(
    conn: Connection,
    section: Section,
    inputs: Inputs,
    frame: pd.DataFrame,
    params: dict[str, Any],
) -> None:
    version = read_header(conn, inputs.consultation.id).data_version
    for key in [params.get("left", ""), params.get("right", "")]:
        question = question_of(inputs.survey, str(key))
        if not question.holds_free_text:
            raise Invalid("A word cloud needs a free-text question")
        texts = [t for t in (question.free_text(v) for v in frame.get(key, [])) if t]
        cloud = stored_result(
            conn, inputs.consultation.id, REPORT_CLOUD, {"question": key, "k": inputs.k},
            version, partial(_cloud, texts, inputs.k),
        )  # fmt: skip
        top = cloud["words"]
        rows = [[str(w), count_cell(int(n), cloud["respondents"])] for w, n in top]
        notes = [
            *cloud["notes"],
            f"Only words used by at least {inputs.k} respondents are shown",
            f"Base: {cloud['respondents']} respondents who answered",
        ]
        section.tables.append(
            Table(
                f"Most used words: {question.title}",
                ["Word", "Respondents (% of base)"],
                rows,
                notes,
            )
        )
        words = ", ".join(str(w) for w, _ in top[:5])
        section.pictures.append(
            Picture(
                f"Word cloud for '{question.title}'. Most used words: {words or 'none shown'}. The table gives the counts.",
                str(cloud["png"]),
            )
        )


def _cloud(texts: list[str], k: int) -> dict[str, Any]:
    """What a report shows of a cloud (stored: redacting and drawing take seconds)."""
    cloud = word_cloud(texts, min_respondents=k)
    top = cloud.frequencies.head(WORD_TABLE_ROWS)
    return {
        "respondents": int(cloud.respondents),
        "words": [[str(w), int(n)] for w, n in zip(top["word"], top["respondents"], strict=True)],
        "notes": [str(note) for note in cloud.notes],
        "png": base64.b64encode(cloud.png).decode(),
    }


def methodology(conn: Connection, section: Section, inputs: Inputs) -> None:
    k = inputs.k
    section.paragraphs = [
        "Free-text answers were coded into themes from a codebook: rules and a learned model "
        "suggested themes for every answer and researchers checked them; where a person coded "
        "an answer, their coding counts, and an agreed resolution counts over both.",
        *inputs.coding.values(),
        *(
            inputs.agreement.values()
            or ["No answers were double coded, so no agreement figures are given."]
        ),
        f"Counts under {k} are hidden ({'[c]'}), and further counts are hidden where a hidden "
        "count could otherwise be worked out from totals (secondary suppression). Every "
        "percentage gives its count and its base.",
    ]
    spans: dict[str, int] = {}
    quotes = 0
    for (kept,) in conn.execute(
        select(Quote.spans).where(
            Quote.consultation_id == inputs.consultation.id, Quote.confirmed_at.is_not(None)
        )
    ):
        quotes += 1
        for span in kept or []:
            spans[str(span["type"])] = spans.get(str(span["type"]), 0) + 1
    detail = (
        ", ".join(f"{n} {kind}" for kind, n in sorted(spans.items())) or "nothing needed hiding"
    )
    section.paragraphs.append(
        f"Quotes were redacted before use: {quotes} quotes were checked by a person, who "
        f"confirmed what was hidden ({detail}), so that no one can be identified from them. "
        "Quotes are only from respondents who agreed to be quoted where the survey asked."
    )
