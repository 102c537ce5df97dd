"""Build the report model of a consultation from the database: each section the researcher
arranged becomes a `document.Section` whose numbers are suppressed and whose quotes are
confirmed, redacted, attributed and from respondents who agreed to be quoted."""

from __future__ import annotations

import base64
import uuid
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from sqlalchemy import Connection, select
from sqlalchemy.ext.asyncio import AsyncSession

from analysis.wordclouds import word_cloud
from consult.consultations.models import Consultation
from consult.errors import Invalid
from research.coding import codebooks
from research.coding.agreement import measure, sample_codings
from research.coding.decisions import codings
from research.coding.models import QuestionCodebook, Quote
from research.coding.progress import progress
from research.coding.texts import attribution, current_survey, text_questions
from research.coding.theme_pages import k_of
from research.coding.themes import ALL, ANSWERED, published_table, theme_results
from research.report import figures
from research.report.actions import STATUS_LABELS
from research.report.document import (
    Chart,
    Picture,
    QuoteItem,
    ReportDocument,
    Section,
    Table,
    count_cell,
)
from research.report.models import Action, Report, ReportSection
from surveys.definition import Survey
from surveys.store.answers import submitted_answers

# A survey asks for consent to quote with a question of this key; when it is present only
# respondents who answered "yes" (or ticked it) are quoted. See README, "Findings report".
QUOTE_CONSENT = "quote_consent"
AGREED = {"yes", "true", "agree", "agreed", "given", "1"}
COLLECTION_METHOD = "survey"
MAX_QUOTES = 5
WORD_TABLE_ROWS = 15


def agreed_to_quote(answers: dict[str, Any], survey: Survey) -> bool:
    if not any(q.key == QUOTE_CONSENT for q in survey.questions()):
        return True
    value = answers.get(QUOTE_CONSENT)
    if isinstance(value, dict):
        value = value.get("selected") or value.get("value")
    if isinstance(value, list):
        return any(str(v).lower() in AGREED for v in value)
    return value is True or str(value).lower() in AGREED


@dataclass
class Inputs:
    """What the synchronous part needs, gathered on the event loop first."""

    consultation: Consultation
    survey: Survey
    k: int
    type_labels: dict[str, str]
    themes: dict[str, list[str]] = field(default_factory=dict)  # question -> theme names
    agreement: dict[str, str] = field(default_factory=dict)  # question -> sentence
    coding: dict[str, str] = field(default_factory=dict)  # question -> sentence


async def gather(db: AsyncSession, consultation: Consultation) -> Inputs:
    survey = await current_survey(db, consultation)
    if survey is None:
        raise Invalid("This consultation has no survey yet, so there is nothing to report")
    inputs = Inputs(
        consultation,
        survey,
        k_of(consultation),
        {t["value"]: t["label"] for t in consultation.respondent_types},
    )
    for question in text_questions(survey):
        # Read only: building a report never starts a codebook.
        row = await db.scalar(
            select(QuestionCodebook).where(
                QuestionCodebook.consultation_id == consultation.id,
                QuestionCodebook.question_key == question.key,
            )
        )
        themes = codebooks.codebook_of(row).theme_names() if row is not None else []
        inputs.themes[question.key] = themes
        done = await progress(db, consultation.id, question.key)
        inputs.coding[question.key] = (
            f"{question.title}: {done.by_person} answers coded by a person, "
            f"{done.suggested_only} with machine suggestions only, {done.not_coded} not coded."
        )
        agreement = measure(await sample_codings(db, consultation.id, question.key, themes))
        if agreement is not None and len(agreement.kappa):
            inputs.agreement[question.key] = (
                f"{question.title}: {agreement.kappa['n'].max()} answers double coded; "
                f"mean Cohen's kappa {agreement.kappa['kappa'].mean():.2f} over "
                f"{agreement.kappa['theme'].nunique()} themes; Krippendorff's alpha "
                f"{agreement.alpha:.2f}."
            )
    return inputs


BASE_COLUMNS = ("id", "respondent_type", "submitted_at")


def answer_frame(conn: Connection, consultation_id: uuid.UUID, keys: list[str]) -> pd.DataFrame:
    rows = [
        {
            "id": str(item.response_id),
            "respondent_type": item.respondent_type,
            "submitted_at": item.submitted_at,
            **{key: item.answers.get(key) for key in keys},
        }
        for item in submitted_answers(conn, consultation_id, keys)
    ]
    return pd.DataFrame(rows, columns=[*BASE_COLUMNS, *keys])


def build_document(
    conn: Connection,
    inputs: Inputs,
    report: Report,
    sections: list[ReportSection],
    version: int,
) -> ReportDocument:
    keys = [q.key for q in inputs.survey.questions() if q.key not in BASE_COLUMNS]
    frame = answer_frame(conn, inputs.consultation.id, keys)
    out: list[Section] = []
    nested = False
    for row in sections:
        if row.kind == "heading":
            nested = True
            out.append(Section("heading", row.title or "Untitled heading", 2, row.body))
            continue
        section = build_section(conn, inputs, frame, row)
        section.level = 3 if nested else 2
        out.append(section)
    return ReportDocument(
        title=report.title,
        consultation=inputs.consultation.public_title,
        version=version,
        signed_off=False,
        signed_off_at=None,
        k=inputs.k,
        sections=out,
    )


def build_section(
    conn: Connection, inputs: Inputs, frame: pd.DataFrame, row: ReportSection
) -> Section:
    params = row.params or {}
    section = Section(row.kind, row.title, markdown=row.body)
    if row.kind == "respondents":
        _respondents(section, inputs, frame, params)
    elif row.kind in {"question", "breakdown"}:
        question = _question(inputs.survey, str(params.get("question", "")))
        if row.kind == "question":
            table, chart = figures.question_table(frame, question, inputs.k)
        else:
            item = str(params.get("item", "")) or None
            group = figures.group_question(inputs.survey, str(params.get("group", "")))
            table, chart = figures.breakdown_table(
                frame, question, item, group, inputs.k, inputs.type_labels
            )
        section.title = section.title or table.caption
        section.tables.append(table)
        section.charts.append(chart)
    elif row.kind == "theme":
        _theme(conn, section, inputs, frame, params)
    elif row.kind == "wordcloud":
        _word_clouds(section, inputs, frame, params)
    elif row.kind == "methodology":
        _methodology(conn, section, inputs)
    elif row.kind == "next_steps":
        _next_steps(conn, section, inputs)
    section.title = section.title or _DEFAULT_TITLES.get(row.kind, "Section")
    return section


_DEFAULT_TITLES = {
    "respondents": "Who responded",
    "methodology": "How we analysed the responses",
    "next_steps": "Next steps",
    "wordcloud": "In their own words",
    "text": "Summary",
}


def _question(survey: Survey, key: str) -> Any:
    try:
        return survey.question(key)
    except (KeyError, ValueError, LookupError) as exc:
        raise Invalid(
            f"The report refers to a question that is not in the survey: {key!r}"
        ) from exc


def _respondents(
    section: Section, inputs: Inputs, frame: pd.DataFrame, params: dict[str, Any]
) -> None:
    types = frame["respondent_type"].map(
        lambda v: inputs.type_labels.get(v, v) if v else "Not stated"
    )
    order = [*inputs.type_labels.values(), *sorted(set(types) - set(inputs.type_labels.values()))]
    counts = types.value_counts().reindex(order).fillna(0).astype(int)
    table = figures.counts_table("Respondents by type", counts, inputs.k, True)
    section.tables.append(table)
    section.charts.append(
        Chart(table.caption, figures.chart_alt(table.caption, table), figures.chart_rows(table))
    )
    for key in params.get("questions", []):
        question = _question(inputs.survey, str(key))
        if question.type_name != "single_choice":
            raise Invalid("'Who responded' can show single-choice questions (age, ethnicity, ...)")
        counts, _ = figures.choice_counts(frame, question)
        section.tables.append(figures.counts_table(question.title, counts, inputs.k, True))


def _theme(
    conn: Connection, section: Section, inputs: Inputs, frame: pd.DataFrame, params: dict[str, Any]
) -> None:
    key, theme = str(params.get("question", "")), str(params.get("theme", ""))
    question = _question(inputs.survey, key)
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
    from surveys.models import Response

    query = (
        select(Quote.id, Quote.text, Response.respondent_type, Response.answers)
        .join(Response, Response.id == Quote.response_id)
        .where(
            Quote.consultation_id == inputs.consultation.id,
            Quote.question_key == key,
            Quote.theme == theme,
            Quote.confirmed_at.is_not(None),
            Quote.text.is_not(None),
        )
        .order_by(Quote.confirmed_at)
    )
    out = []
    for quote_id, text, kind, answers in conn.execute(query):
        if chosen and str(quote_id) not in chosen:
            continue
        if not agreed_to_quote(answers or {}, inputs.survey):
            continue
        out.append(QuoteItem(text, attribution(kind, COLLECTION_METHOD)))
    return out[:MAX_QUOTES]


def _word_clouds(
    section: Section, inputs: Inputs, frame: pd.DataFrame, params: dict[str, Any]
) -> None:
    for key in [params.get("left", ""), params.get("right", "")]:
        question = _question(inputs.survey, str(key))
        if not question.holds_free_text:
            raise Invalid("A word cloud needs a free-text question")
        texts = [t for t in (question.free_text(v) for v in frame.get(key, [])) if t]
        cloud = word_cloud(texts, min_respondents=inputs.k)
        top = cloud.frequencies.head(WORD_TABLE_ROWS)
        rows = [
            [str(w), count_cell(int(n), cloud.respondents)]
            for w, n in zip(top["word"], top["respondents"], strict=True)
        ]
        notes = [
            *cloud.notes,
            f"Only words used by at least {inputs.k} respondents are shown",
            f"Base: {cloud.respondents} respondents who answered",
        ]
        section.tables.append(
            Table(
                f"Most used words: {question.title}",
                ["Word", "Respondents (% of base)"],
                rows,
                notes,
            )
        )
        words = ", ".join(str(w) for w in top["word"].head(5))
        section.pictures.append(
            Picture(
                f"Word cloud for '{question.title}'. Most used words: {words or 'none shown'}. The table gives the counts.",
                base64.b64encode(cloud.png).decode(),
            )
        )


def _methodology(conn: Connection, section: Section, inputs: Inputs) -> None:
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


def _next_steps(conn: Connection, section: Section, inputs: Inputs) -> None:
    rows = [
        [
            text,
            owner,
            due.isoformat() if due else "Not set",
            STATUS_LABELS.get(status, status) + (f": {reason}" if reason else ""),
        ]
        for text, owner, due, status, reason in conn.execute(
            select(Action.text, Action.owner, Action.due, Action.status, Action.reason)
            .where(Action.consultation_id == inputs.consultation.id)
            .order_by(Action.position, Action.created_at)
        )
    ]
    if rows:
        section.tables.append(Table("What we will do", ["Action", "Owner", "Due", "Status"], rows))
