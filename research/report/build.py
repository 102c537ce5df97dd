"""Build the report model of a consultation from the database: each section the researcher
arranged becomes a `document.Section` whose numbers are suppressed and whose quotes are
confirmed, redacted, attributed and from respondents who agreed to be quoted."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from sqlalchemy import Connection, select
from sqlalchemy.ext.asyncio import AsyncSession

from consult.consultations.models import Consultation
from consult.errors import Invalid
from research.coding import codebooks
from research.coding.agreement import measure, sample_codings
from research.coding.models import QuestionCodebook
from research.coding.progress import progress
from research.coding.texts import current_survey, text_questions
from research.coding.theme_pages import k_of
from research.report import figures, free_text
from research.report.actions import STATUS_LABELS
from research.report.document import (
    Chart,
    ReportDocument,
    Section,
    Table,
)
from research.report.free_text import question_of
from research.report.models import Action, Report, ReportSection
from surveys.definition import Survey
from surveys.store.answers import answers_as_text


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


def section_keys(survey: Survey, sections: list[ReportSection]) -> list[str]:
    """The questions the sections read (a name in their parameters): the report reads only
    these answers, not every answer of every response."""
    known = {q.key for q in survey.questions()} - set(BASE_COLUMNS)
    named: set[str] = set()
    for row in sections:
        for value in (row.params or {}).values():
            values = value if isinstance(value, list) else [value]
            named.update(str(v) for v in values if isinstance(v, str))
    return sorted(named & known)


def answer_frame(conn: Connection, consultation_id: uuid.UUID, keys: list[str]) -> pd.DataFrame:
    """One row per submitted response (in submission order) with the answers to ``keys``,
    parsed from the stored JSON text with one ``json.loads`` per response (see
    :func:`surveys.store.answers.answers_as_text` for why)."""
    records = []
    for response_id, kind, submitted_at, text in answers_as_text(conn, consultation_id):
        answers = json.loads(text) if text else {}
        records.append((str(response_id), kind, submitted_at, *[answers.get(k) for k in keys]))
    return pd.DataFrame.from_records(records, columns=[*BASE_COLUMNS, *keys])


def build_document(
    conn: Connection,
    inputs: Inputs,
    report: Report,
    sections: list[ReportSection],
    version: int,
) -> ReportDocument:
    frame = answer_frame(conn, inputs.consultation.id, section_keys(inputs.survey, sections))
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
        question = question_of(inputs.survey, str(params.get("question", "")))
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
        free_text.theme(conn, section, inputs, frame, params)
    elif row.kind == "wordcloud":
        free_text.word_clouds(conn, section, inputs, frame, params)
    elif row.kind == "methodology":
        free_text.methodology(conn, section, inputs)
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
        question = question_of(inputs.survey, str(key))
        if not question.groups_respondents:
            raise Invalid("'Who responded' can show single-choice questions (age, ethnicity, ...)")
        counts, _ = figures.choice_counts(frame, question)
        section.tables.append(figures.counts_table(question.title, counts, inputs.k, True))


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
