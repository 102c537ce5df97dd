"""Confirming a quote's redaction: spans highlighted by type, undo a wrong one, add a missed
one, confirm. Every change is audited (who, when, which type, never the words); the confirmed
text is the only form of the quote that leaves the workspace."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import UTC, datetime
from functools import partial
from typing import Any

from litestar import Controller, Request, get, post
from litestar.datastructures import FormMultiDict
from litestar.response import Redirect, Response, Template
from sqlalchemy import Row, select
from sqlalchemy.ext.asyncio import AsyncSession

from analysis.redaction import PII_TYPES
from consult import audit
from consult.consultations.models import Consultation
from consult.consultations.service import consultation_or_404
from consult.errors import Invalid, NotFound
from research.coding import quotes as spans_of
from research.coding.models import Quote
from research.coding.pages import CODE
from research.coding.texts import attribution, text_question
from surveys.exports.tables import neutralise
from surveys.store.answers import answers_of
from surveys.store.database import run
from surveys.store.responses import find_response

QUOTES = "/staff/consultations/{consultation_id:uuid}/analysis/quotes"


async def _quote(
    db: AsyncSession, consultation: Consultation, quote_id: uuid.UUID
) -> tuple[Quote, str, Row[Any]]:
    quote = await db.get(Quote, quote_id)
    if quote is None or quote.consultation_id != consultation.id:
        raise NotFound("There is no such quote")
    row = await run(
        db, partial(find_response, consultation_id=consultation.id, response_id=quote.response_id)
    )
    question = await text_question(db, consultation, quote.question_key)
    text = question.free_text(row.answers.get(quote.question_key)) if row else None
    if row is None or not text:
        raise NotFound("The answer this quote came from has been withdrawn or erased")
    return quote, text, row


class QuotePages(Controller):
    path = QUOTES
    include_in_schema = False
    guards = CODE

    @get("/")
    async def confirmed(self, consultation_id: uuid.UUID, db_session: AsyncSession) -> Template:
        consultation = await consultation_or_404(db_session, consultation_id)
        rows = await db_session.scalars(
            select(Quote).where(Quote.consultation_id == consultation_id).order_by(Quote.created_at)
        )
        return Template(
            "research/coding/quote_list.html",
            context={
                "consultation": consultation,
                "quotes": list(rows),
                "base": self._base(consultation_id),
            },
        )

    @staticmethod
    def _base(consultation_id: uuid.UUID) -> str:
        return f"/staff/consultations/{consultation_id}/analysis/quotes"

    @get("/download")
    async def download(
        self, request: Request[Any, Any, Any], consultation_id: uuid.UUID, db_session: AsyncSession
    ) -> Response[str]:
        consultation = await consultation_or_404(db_session, consultation_id)
        confirmed = (Quote.consultation_id == consultation_id, Quote.confirmed_at.is_not(None))
        quotes = await db_session.scalars(
            select(Quote).where(*confirmed).order_by(Quote.theme, Quote.created_at)
        )
        held = await run(
            db_session, lambda c: answers_of(c, select(Quote.response_id).where(*confirmed))
        )
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["question", "theme", "quote", "attributed to"])
        count = 0
        for quote in quotes:
            if quote.response_id not in held:
                continue  # withdrawn or erased since
            writer.writerow(
                [
                    neutralise(quote.question_key),
                    neutralise(quote.theme),
                    neutralise(quote.text),
                    attribution(held[quote.response_id].respondent_type),
                ]
            )
            count += 1
        audit.record(
            db_session,
            "quotes_downloaded",
            actor=request.user,
            object_type="consultation",
            object_id=consultation_id,
            detail={"quotes": count},
        )
        return Response(
            out.getvalue(),
            media_type="text/csv; charset=utf-8",
            headers={
                "Content-Disposition": f'attachment; filename="quotes-{consultation.slug}.csv"'
            },
        )

    @get("/{quote_id:uuid}")
    async def show(
        self, consultation_id: uuid.UUID, quote_id: uuid.UUID, db_session: AsyncSession
    ) -> Template:
        consultation = await consultation_or_404(db_session, consultation_id)
        return await self._page(db_session, consultation, quote_id, {})

    async def _page(
        self,
        db: AsyncSession,
        consultation: Consultation,
        quote_id: uuid.UUID,
        errors: dict[str, str],
    ) -> Template:
        quote, text, row = await _quote(db, consultation, quote_id)
        return Template(
            "research/coding/quote.html",
            context={
                "consultation": consultation,
                "quote": quote,
                "pieces": spans_of.pieces(text, quote.spans),
                "preview": spans_of.apply_spans(text, quote.spans),
                "attribution": attribution(row.respondent_type),
                "types": PII_TYPES,
                "errors": errors,
                "base": self._base(consultation.id),
            },
            status_code=400 if errors else 200,
        )

    async def _change(
        self,
        request: Request[Any, Any, Any],
        db: AsyncSession,
        consultation_id: uuid.UUID,
        quote_id: uuid.UUID,
        action: str,
        kind: str,
        spans: list[dict[str, Any]],
    ) -> Redirect:
        quote = await db.get(Quote, quote_id)
        assert quote is not None
        quote.spans = spans
        # A change after confirming needs confirming again.
        quote.text = None
        quote.confirmed_at = None
        quote.confirmed_by = None
        audit.record(
            db,
            action,
            actor=request.user,
            object_type="quote",
            object_id=quote_id,
            detail={"consultation_id": str(consultation_id), "type": kind},
        )
        return Redirect(f"{self._base(consultation_id)}/{quote_id}", status_code=303)

    @post("/{quote_id:uuid}/spans")
    async def add(
        self,
        request: Request[Any, Any, Any],
        consultation_id: uuid.UUID,
        quote_id: uuid.UUID,
        form: FormMultiDict,
        db_session: AsyncSession,
    ) -> Template | Redirect:
        consultation = await consultation_or_404(db_session, consultation_id)
        quote, text, _ = await _quote(db_session, consultation, quote_id)
        kind = str(form.get("type", ""))
        try:
            spans = spans_of.add_span(text, quote.spans, str(form.get("words", ""))[:500], kind)
        except Invalid as exc:
            return await self._page(db_session, consultation, quote_id, {"words": str(exc)})
        return await self._change(
            request, db_session, consultation_id, quote_id, "redaction_added", kind, spans
        )

    @post("/{quote_id:uuid}/spans/{index:int}/undo")
    async def undo(
        self,
        request: Request[Any, Any, Any],
        consultation_id: uuid.UUID,
        quote_id: uuid.UUID,
        index: int,
        db_session: AsyncSession,
    ) -> Redirect:
        consultation = await consultation_or_404(db_session, consultation_id)
        quote, _, _ = await _quote(db_session, consultation, quote_id)
        spans, removed = spans_of.undo_span(quote.spans, index)
        return await self._change(
            request,
            db_session,
            consultation_id,
            quote_id,
            "redaction_undone",
            str(removed["type"]),
            spans,
        )

    @post("/{quote_id:uuid}/confirm")
    async def confirm(
        self,
        request: Request[Any, Any, Any],
        consultation_id: uuid.UUID,
        quote_id: uuid.UUID,
        db_session: AsyncSession,
    ) -> Redirect:
        consultation = await consultation_or_404(db_session, consultation_id)
        quote, text, _ = await _quote(db_session, consultation, quote_id)
        quote.text = spans_of.apply_spans(text, quote.spans)
        quote.confirmed_by = request.user.id
        quote.confirmed_at = datetime.now(UTC)
        audit.record(
            db_session,
            "quote_confirmed",
            actor=request.user,
            object_type="quote",
            object_id=quote_id,
            detail={"consultation_id": str(consultation_id), "redactions": len(quote.spans)},
        )
        return Redirect(self._base(consultation_id), status_code=303)
