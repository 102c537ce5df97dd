"""Pages for double coding: draw the sample, see agreement and the disagreements, and record
the agreed coding of each disputed answer."""

from __future__ import annotations

import math
import uuid
from functools import partial
from typing import Any

import pandas as pd
from litestar import Controller, Request, get, post
from litestar.datastructures import FormMultiDict
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from consult import audit
from consult.consultations.models import Consultation
from consult.consultations.service import consultation_or_404
from consult.errors import Invalid, NotFound
from consult.forms import FormErrors, whole_number
from research.coding import agreement, codebooks
from research.coding.pages import BASE, CODE, base_url
from research.coding.texts import attribution, text_question
from surveys.store.database import run
from surveys.store.responses import find_response


def _number(value: float) -> str:
    return "not defined" if math.isnan(value) else f"{value:.2f}"


def _kappa_rows(kappa: pd.DataFrame) -> list[dict[str, Any]]:
    rows = [{str(k): v for k, v in row.items()} for row in kappa.to_dict("records")]
    return [{**row, "shown": _number(float(row["kappa"]))} for row in rows]


class AgreementPages(Controller):
    path = BASE
    include_in_schema = False
    guards = CODE

    async def _overview(
        self, db: AsyncSession, consultation: Consultation, key: str, errors: dict[str, str]
    ) -> Template:
        question = await text_question(db, consultation, key)
        themes = codebooks.codebook_of(
            await codebooks.codebook_row(db, consultation.id, key)
        ).theme_names()
        codings = await agreement.sample_codings(db, consultation.id, key, themes)
        measured = agreement.measure(codings)
        resolved = await agreement.resolved_ids(db, consultation.id, key)
        disputed: dict[str, list[str]] = {}
        if measured is not None:
            for row in measured.disagreements.itertuples(index=False):
                disputed.setdefault(str(row.id), []).append(str(row.theme))
        return Template(
            "research/coding/agreement.html",
            context={
                "consultation": consultation,
                "question": question,
                "base": base_url(consultation.id),
                "sample_size": len(await agreement.sample_ids(db, consultation.id, key)),
                "double_coded": sum(1 for c in codings.by_answer.values() if len(c) >= 2),
                "measured": measured,
                "kappa": [] if measured is None else _kappa_rows(measured.kappa),
                "alpha": _number(measured.alpha) if measured else "",
                "disputed": disputed,
                "resolved": resolved,
                "errors": errors,
            },
            status_code=400 if errors else 200,
        )

    @get("/{key:str}/agreement")
    async def overview(
        self, consultation_id: uuid.UUID, key: str, db_session: AsyncSession
    ) -> Template:
        consultation = await consultation_or_404(db_session, consultation_id)
        return await self._overview(db_session, consultation, key, {})

    @post("/{key:str}/agreement/sample")
    async def choose_sample(
        self,
        request: Request[Any, Any, Any],
        consultation_id: uuid.UUID,
        key: str,
        form: FormMultiDict,
        db_session: AsyncSession,
    ) -> Template | Redirect:
        consultation = await consultation_or_404(db_session, consultation_id)
        await text_question(db_session, consultation, key)
        errors = FormErrors()
        size = whole_number(form, "size", "Sample size", errors, low=2, high=agreement.MAX_SAMPLE)
        if size is None and not errors:
            errors.add("size", "Enter how many answers to double-code")
        if errors or size is None:
            return await self._overview(db_session, consultation, key, errors.messages)
        drawn = await agreement.draw_sample(db_session, consultation_id, key, size)
        if drawn == 0:
            raise Invalid("Code all answers first: the sample is drawn from the coded answers")
        audit.record(
            db_session,
            "coding_sample_drawn",
            actor=request.user,
            object_type="consultation",
            object_id=consultation_id,
            detail={"question": key, "size": drawn},
        )
        return Redirect(f"{base_url(consultation_id)}/{key}/agreement", status_code=303)

    @get("/{key:str}/agreement/{response_id:uuid}")
    async def dispute(
        self, consultation_id: uuid.UUID, key: str, response_id: uuid.UUID, db_session: AsyncSession
    ) -> Template:
        consultation = await consultation_or_404(db_session, consultation_id)
        return await self._dispute(db_session, consultation, key, response_id, {})

    async def _dispute(
        self,
        db: AsyncSession,
        consultation: Consultation,
        key: str,
        response_id: uuid.UUID,
        errors: dict[str, str],
    ) -> Template:
        question = await text_question(db, consultation, key)
        themes = codebooks.codebook_of(
            await codebooks.codebook_row(db, consultation.id, key)
        ).theme_names()
        codings = await agreement.sample_codings(db, consultation.id, key, themes)
        coders = codings.by_answer.get(str(response_id))
        response = await run(
            db, partial(find_response, consultation_id=consultation.id, response_id=response_id)
        )
        if not coders or response is None:
            raise NotFound("That answer has not been double-coded")
        agreed = set.intersection(*(set(t) for t in coders.values()))
        return Template(
            "research/coding/dispute.html",
            context={
                "consultation": consultation,
                "question": question,
                "base": base_url(consultation.id),
                "response": response,
                "answer": question.free_text(response.answers.get(key)) or "",
                "attribution": attribution(response.respondent_type),
                "coders": coders,
                "themes": themes,
                "agreed": agreed,
                "errors": errors,
            },
            status_code=400 if errors else 200,
        )

    @post("/{key:str}/agreement/{response_id:uuid}")
    async def resolve(
        self,
        request: Request[Any, Any, Any],
        consultation_id: uuid.UUID,
        key: str,
        response_id: uuid.UUID,
        form: FormMultiDict,
        db_session: AsyncSession,
    ) -> Template | Redirect:
        consultation = await consultation_or_404(db_session, consultation_id)
        await text_question(db_session, consultation, key)
        themes = codebooks.codebook_of(
            await codebooks.codebook_row(db_session, consultation_id, key)
        ).theme_names()
        chosen = [str(t) for t in form.getall("themes", [])]
        unknown = [t for t in chosen if t not in themes]
        if unknown:
            return await self._dispute(
                db_session,
                consultation,
                key,
                response_id,
                {"themes": f"'{unknown[0]}' is not a theme of this codebook"},
            )
        await self._dispute(
            db_session, consultation, key, response_id, {}
        )  # 404 if not double-coded
        await agreement.resolve(
            db_session,
            consultation_id=consultation_id,
            question_key=key,
            response_id=response_id,
            themes=chosen,
            resolved_by=request.user.id,
        )
        audit.record(
            db_session,
            "coding_resolved",
            actor=request.user,
            object_type="response",
            object_id=response_id,
            detail={
                "consultation_id": str(consultation_id),
                "question": key,
                "themes": len(chosen),
            },
        )
        return Redirect(f"{base_url(consultation_id)}/{key}/agreement", status_code=303)
