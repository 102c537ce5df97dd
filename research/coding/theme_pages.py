"""Theme results pages: respondents mentioning each theme, overall and by a group, over time,
a suppressed download, and the quotes for a theme to choose from."""

from __future__ import annotations

import csv
import io
import uuid
from functools import partial
from typing import Any

import anyio
import pandas as pd
from litestar import Controller, Request, get, post
from litestar.datastructures import FormMultiDict
from litestar.response import Redirect, Response, Template
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from consult import audit
from consult.consultations.models import Consultation
from consult.consultations.service import consultation_or_404
from consult.errors import Invalid
from research.coding import codebooks
from research.coding.decisions import codings
from research.coding.models import Quote
from research.coding.pages import CODE
from research.coding.quotes import apply_spans, propose_spans, published_names
from research.coding.texts import (
    answer_table,
    attribution,
    current_survey,
    load_answers,
    text_question,
    text_questions,
)
from research.coding.themes import ALL, ANSWERED, published_table, theme_results
from surveys.definition import Survey
from surveys.exports.tables import neutralise
from surveys.store.database import run
from surveys.store.responses import find_response

THEMES = "/staff/consultations/{consultation_id:uuid}/analysis/themes"
QUOTES_PER_PAGE = 10
DEFAULT_K = 10


def k_of(consultation: Consultation) -> int:
    """The consultation's small-cell threshold (set in the workspace's settings)."""
    return int(consultation.disclosure_k or DEFAULT_K)


def group_choices(survey: Survey | None) -> dict[str, tuple[str, dict[str, str]]]:
    """Questions answers can be grouped by: respondent type and every single-choice question."""
    out: dict[str, tuple[str, dict[str, str]]] = {}
    for question in survey.questions() if survey else []:
        if question.groups_respondents:
            options = getattr(question, "options", ())
            out[question.key] = (question.title, {o.value: o.label for o in options})
    return out


async def _results(
    db: AsyncSession, consultation: Consultation, key: str, group: str
) -> tuple[Any, Any, list[str], dict[str, tuple[str, dict[str, str]]]]:
    question = await text_question(db, consultation, key)
    survey = await current_survey(db, consultation)
    groups = group_choices(survey)
    if group and group not in groups:
        raise Invalid("Answers can be grouped by respondent type or a single-choice question")
    column = group or "respondent_type"
    also = (group,) if group and group != "respondent_type" else ()
    answers = await db.run_sync(
        lambda s: answer_table(s.connection(), consultation.id, question, also)
    )
    coded = await db.run_sync(lambda s: codings(s.connection(), consultation.id, key))
    themes = codebooks.codebook_of(
        await codebooks.codebook_row(db, consultation.id, key)
    ).theme_names()
    labels = groups.get(column, ("", {}))[1] or {
        t["value"]: t["label"] for t in consultation.respondent_types
    }
    results = theme_results(answers, coded, themes, column, labels)
    return question, results, themes, groups


class ThemePages(Controller):
    path = THEMES
    include_in_schema = False
    guards = CODE

    @get("/")
    async def results(
        self,
        request: Request[Any, Any, Any],
        consultation_id: uuid.UUID,
        db_session: AsyncSession,
        question: str = "",
        group: str = "",
    ) -> Template:
        consultation = await consultation_or_404(db_session, consultation_id)
        questions = text_questions(await current_survey(db_session, consultation))
        context: dict[str, Any] = {
            "consultation": consultation,
            "questions": questions,
            "chosen": question or (questions[0].key if questions else ""),
            "group": group,
            "base": f"/staff/consultations/{consultation_id}/analysis/themes",
        }
        if context["chosen"]:
            q, results, themes, groups = await _results(
                db_session, consultation, context["chosen"], group
            )
            counts = results.counts
            context.update(
                question=q,
                groups=groups,
                counts=counts,
                columns=list(counts.columns),
                themes=themes,
                by_person=results.by_person,
                over_time=results.over_time,
                ALL=ALL,
                ANSWERED=ANSWERED,
            )
        return Template("research/coding/themes.html", context=context)

    @get("/{key:str}/download")
    async def download(
        self,
        request: Request[Any, Any, Any],
        consultation_id: uuid.UUID,
        key: str,
        db_session: AsyncSession,
        group: str = "",
    ) -> Response[str]:
        consultation = await consultation_or_404(db_session, consultation_id)
        _, results, _, _ = await _results(db_session, consultation, key, group)
        k = k_of(consultation)
        table, shares = published_table(results, k)
        audit.record(
            db_session,
            "theme_table_downloaded",
            actor=request.user,
            object_type="consultation",
            object_id=consultation_id,
            detail={"question": key, "group": group or "respondent_type", "k": k},
        )
        return Response(
            _csv(table.counts, shares, table.notes()),
            media_type="text/csv; charset=utf-8",
            headers={
                "Content-Disposition": f'attachment; filename="themes-{consultation.slug}-{key}.csv"'
            },
        )

    @get("/{key:str}/quotes")
    async def quotes(
        self,
        request: Request[Any, Any, Any],
        consultation_id: uuid.UUID,
        key: str,
        db_session: AsyncSession,
        theme: str = "",
        page: int = 1,
    ) -> Template:
        consultation = await consultation_or_404(db_session, consultation_id)
        question = await text_question(db_session, consultation, key)
        book = codebooks.codebook_of(await codebooks.codebook_row(db_session, consultation_id, key))
        if theme not in book.theme_names():
            raise Invalid("Choose a theme of this question's codebook")
        page = max(1, min(page, 100_000))
        answers = await load_answers(db_session, consultation_id, question)
        coded = await db_session.run_sync(lambda s: codings(s.connection(), consultation_id, key))
        mentioned = answers[
            [theme in (coded[r].themes if r in coded else []) for r in answers["id"]]
        ]
        shown = mentioned.iloc[(page - 1) * QUOTES_PER_PAGE : page * QUOTES_PER_PAGE]
        keep = published_names(consultation)
        redacted = await anyio.to_thread.run_sync(
            lambda: [apply_spans(t, propose_spans(t, keep)) for t in shown["text"]]
        )
        audit.record(
            db_session,
            "coding_quotes_viewed",
            actor=request.user,
            object_type="consultation",
            object_id=consultation_id,
            detail={"question": key, "theme": theme, "page": page},
        )
        return Template(
            "research/coding/quotes.html",
            context={
                "consultation": consultation,
                "question": question,
                "theme": theme,
                "items": [
                    {"id": rid, "text": text, "attribution": attribution(kind)}
                    for rid, text, kind in zip(
                        shown["id"], redacted, shown["respondent_type"], strict=True
                    )
                ],
                "page": page,
                "pages": max(1, -(-len(mentioned) // QUOTES_PER_PAGE)),
                "total": len(mentioned),
                "base": f"/staff/consultations/{consultation_id}/analysis",
            },
        )

    @post("/{key:str}/quotes")
    async def choose(
        self,
        request: Request[Any, Any, Any],
        consultation_id: uuid.UUID,
        key: str,
        form: FormMultiDict,
        db_session: AsyncSession,
    ) -> Redirect:
        consultation = await consultation_or_404(db_session, consultation_id)
        question = await text_question(db_session, consultation, key)
        theme = str(form.get("theme", ""))
        book = codebooks.codebook_of(await codebooks.codebook_row(db_session, consultation_id, key))
        if theme not in book.theme_names():
            raise Invalid("Choose a theme of this question's codebook")
        try:
            response_id = uuid.UUID(str(form.get("response_id", "")))
        except ValueError as exc:
            raise Invalid("Choose one of the quotes listed") from exc
        row = await run(
            db_session,
            partial(find_response, consultation_id=consultation_id, response_id=response_id),
        )
        text = question.free_text(row.answers.get(key)) if row else None
        if not text:
            raise Invalid("Choose one of the quotes listed")
        quote = await db_session.scalar(
            select(Quote).where(
                Quote.question_key == key, Quote.response_id == response_id, Quote.theme == theme
            )
        )
        if quote is None:
            keep = published_names(consultation)
            spans = await anyio.to_thread.run_sync(propose_spans, text, keep)
            quote = Quote(
                consultation_id=consultation_id,
                question_key=key,
                response_id=response_id,
                theme=theme,
                spans=spans,
            )
            db_session.add(quote)
            await db_session.flush()
            audit.record(
                db_session,
                "quote_chosen",
                actor=request.user,
                object_type="quote",
                object_id=quote.id,
                detail={"consultation_id": str(consultation_id), "question": key, "theme": theme},
            )
        return Redirect(
            f"/staff/consultations/{consultation_id}/analysis/quotes/{quote.id}", status_code=303
        )


def _csv(counts: pd.DataFrame, shares: pd.DataFrame, notes: list[str]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    columns = list(counts.columns)
    writer.writerow(["theme", *[f"{c} (n)" for c in columns], *[f"{c} (%)" for c in columns]])
    shown = pd.concat([counts, shares], axis=1).astype(object)
    for theme, cells in zip(counts.index, shown.to_numpy().tolist(), strict=True):
        writer.writerow(
            [neutralise(str(theme)), *["suppressed" if pd.isna(v) else v for v in cells]]
        )
    for note in notes:
        writer.writerow([f"Note: {note}"])
    return out.getvalue()
