"""The coding queue pages: the next answer to code, one at a time, with its suggested themes to
accept, reject or add to, a memo and a flag; saving goes straight on to the next answer."""

from __future__ import annotations

import uuid
from functools import partial
from typing import Any

from litestar import Controller, Request, get, post
from litestar.datastructures import FormMultiDict
from litestar.response import Redirect, Template
from sqlalchemy import Row, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from consult import audit
from consult.consultations.models import Consultation
from consult.consultations.service import consultation_or_404
from consult.errors import NotFound
from consult.forms import FormErrors, text
from consult.jobs import JobRunner
from research.coding import codebooks
from research.coding.decisions import Choice, decide
from research.coding.models import Decision, SampleItem, Suggestion
from research.coding.pages import BASE, CODE, base_url, start_coding
from research.coding.progress import progress
from research.coding.queue import ORDERS, QueueFilter, highlighted, next_response, rule_words
from research.coding.texts import attribution, text_question
from surveys.store.database import run
from surveys.store.responses import find_response

# Suggestions learn again from people's decisions after every this many.
RETRAIN_EVERY = 10


async def _item(
    db: AsyncSession, consultation: Consultation, key: str, response_id: uuid.UUID
) -> tuple[Row[Any], Suggestion]:
    response = await run(
        db, partial(find_response, consultation_id=consultation.id, response_id=response_id)
    )
    suggestion = await db.scalar(
        select(Suggestion).where(
            Suggestion.question_key == key, Suggestion.response_id == response_id
        )
    )
    if response is None or suggestion is None:
        raise NotFound("That answer is not in this question's coding queue")
    return response, suggestion


class QueuePages(Controller):
    path = BASE
    include_in_schema = False
    guards = CODE

    @get("/{key:str}/queue")
    async def next_item(
        self,
        request: Request[Any, Any, Any],
        consultation_id: uuid.UUID,
        key: str,
        db_session: AsyncSession,
        order: str = "uncertain",
        theme: str = "",
        group: str = "",
        sample: str = "",
    ) -> Template | Redirect:
        consultation = await consultation_or_404(db_session, consultation_id)
        question = await text_question(db_session, consultation, key)
        narrow = QueueFilter.read(order, theme, group, sample)
        response_id = await next_response(db_session, consultation_id, key, request.user.id, narrow)
        if response_id is not None:
            url = f"{base_url(consultation_id)}/{key}/queue/{response_id}?{narrow.query()}"
            return Redirect(url, status_code=303)
        return Template(
            "research/coding/queue_done.html",
            context={
                **await self._common(db_session, consultation, key, narrow),
                "question": question,
            },
        )

    async def _common(
        self, db: AsyncSession, consultation: Consultation, key: str, narrow: QueueFilter
    ) -> dict[str, Any]:
        book = codebooks.codebook_of(await codebooks.codebook_row(db, consultation.id, key))
        counts = await progress(db, consultation.id, key)
        return {
            "consultation": consultation,
            "base": base_url(consultation.id),
            "narrow": narrow,
            "orders": ORDERS,
            "theme_names": book.theme_names(),
            "groups": consultation.respondent_types,
            "progress": counts,
            "suggestions_exist": counts.answers > 0,
        }

    @get("/{key:str}/queue/{response_id:uuid}")
    async def show(
        self,
        request: Request[Any, Any, Any],
        consultation_id: uuid.UUID,
        key: str,
        response_id: uuid.UUID,
        db_session: AsyncSession,
        order: str = "uncertain",
        theme: str = "",
        group: str = "",
        sample: str = "",
    ) -> Template:
        consultation = await consultation_or_404(db_session, consultation_id)
        return await self._page(
            request,
            db_session,
            consultation,
            key,
            response_id,
            QueueFilter.read(order, theme, group, sample),
            FormErrors(),
            None,
        )

    async def _page(
        self,
        request: Request[Any, Any, Any],
        db: AsyncSession,
        consultation: Consultation,
        key: str,
        response_id: uuid.UUID,
        narrow: QueueFilter,
        errors: FormErrors,
        posted: Choice | None,
    ) -> Template:
        question = await text_question(db, consultation, key)
        response, suggestion = await _item(db, consultation, key, response_id)
        blind = narrow.sample and await _in_sample(db, key, response_id)
        shown = [] if blind else suggestion.themes
        mine = await db.scalar(
            select(Decision).where(
                Decision.question_key == key,
                Decision.response_id == response_id,
                Decision.coder_id == request.user.id,
            )
        )
        chosen = posted.themes if posted else mine.themes if mine else [t["theme"] for t in shown]
        audit.record(
            db,
            "coding_answer_viewed",
            actor=request.user,
            object_type="response",
            object_id=response_id,
            detail={"consultation_id": str(consultation.id), "question": key},
        )
        answer = question.free_text(response.answers.get(key)) or ""
        return Template(
            "research/coding/queue_item.html",
            context={
                **await self._common(db, consultation, key, narrow),
                "question": question,
                "response": response,
                "pieces": highlighted(answer, rule_words(shown)),
                "attribution": attribution(response.respondent_type),
                "suggested": shown,
                "blind": blind,
                "chosen": chosen,
                "memo": posted.memo if posted else mine.memo if mine else "",
                "flagged": posted.flagged if posted else bool(mine and mine.flagged),
                "errors": errors.messages,
            },
            status_code=400 if errors else 200,
        )

    @post("/{key:str}/queue/{response_id:uuid}")
    async def save(
        self,
        request: Request[Any, Any, Any],
        consultation_id: uuid.UUID,
        key: str,
        response_id: uuid.UUID,
        form: FormMultiDict,
        db_session: AsyncSession,
        jobs: JobRunner,
    ) -> Template | Redirect:
        consultation = await consultation_or_404(db_session, consultation_id)
        await text_question(db_session, consultation, key)
        _, suggestion = await _item(db_session, consultation, key, response_id)
        narrow = QueueFilter.read(
            str(form.get("order", "")),
            str(form.get("theme", "")),
            str(form.get("group", "")),
            str(form.get("sample", "")),
        )
        book = codebooks.codebook_of(await codebooks.codebook_row(db_session, consultation_id, key))
        errors = FormErrors()
        themes = [str(t) for t in form.getall("themes", [])]
        unknown = [t for t in themes if t not in book.theme_names()]
        if unknown:
            errors.add("themes", f"'{unknown[0]}' is not a theme of this codebook")
        memo = text(form, "memo", "Memo", errors, max_length=2000)
        choice = Choice(themes=themes, memo=memo, flagged=form.get("flag") == "1")
        if errors:
            return await self._page(
                request, db_session, consultation, key, response_id, narrow, errors, choice
            )
        blind = narrow.sample and await _in_sample(db_session, key, response_id)
        shown = [] if blind else [t["theme"] for t in suggestion.themes]
        decision = await decide(
            db_session,
            consultation_id=consultation_id,
            question_key=key,
            response_id=response_id,
            coder_id=request.user.id,
            choice=choice,
            suggested=shown,
        )
        audit.record(
            db_session,
            "coding_decision",
            actor=request.user,
            object_type="response",
            object_id=response_id,
            detail={
                "consultation_id": str(consultation_id),
                "question": key,
                "kind": decision.kind,
                "themes": len(decision.themes),
                "flagged": decision.flagged,
            },
        )
        url = f"{base_url(consultation_id)}/{key}/queue?{narrow.query()}"
        decided = await db_session.scalar(
            select(func.count())
            .select_from(Decision)
            .where(Decision.consultation_id == consultation_id, Decision.question_key == key)
        )
        if decided and decided % RETRAIN_EVERY == 0:
            job_id = await start_coding(db_session, jobs, consultation_id, key, request.user.id)
            return Redirect(url, status_code=303, background=jobs.dispatch(job_id))
        return Redirect(url, status_code=303)


async def _in_sample(db: AsyncSession, key: str, response_id: uuid.UUID) -> bool:
    return (
        await db.scalar(
            select(SampleItem.id).where(
                SampleItem.question_key == key, SampleItem.response_id == response_id
            )
        )
    ) is not None
