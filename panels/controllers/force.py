"""The force's side: every recommendation with the overdue ones first, information requests
from panels that could not agree, and the response form (liaison, or coordinator for the force)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from litestar import Controller, Request, get, post
from litestar.datastructures import FormMultiDict
from litestar.response import Redirect, Template
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from consult.forms import FormErrors, iso_date, text
from consult.permissions import Permission, requires
from panels import store
from panels.controllers.common import record, today
from panels.forms import choice
from panels.models import Case, Recommendation
from panels.scales import RECOMMENDATION_STATUSES, RESPONSE_STATUSES, is_overdue

GUARD = [requires(Permission.RESPOND_TO_RECOMMENDATIONS)]


async def _form_page(
    db: AsyncSession,
    recommendation: Recommendation,
    errors: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Template:
    panel = await store.panel(db, recommendation.panel_id)
    return Template(
        "panels/respond.html",
        context={
            "panel": panel,
            "recommendation": recommendation,
            "statuses": RESPONSE_STATUSES,
            "status_labels": RECOMMENDATION_STATUSES,
            "overdue": is_overdue(recommendation.status, recommendation.due_on, today()),
            "errors": errors or {},
            "values": values
            or {
                "status": recommendation.status,
                "response": recommendation.response,
                "evidence": recommendation.evidence,
                "due_on": recommendation.due_on.isoformat() if recommendation.due_on else "",
            },
        },
        status_code=status_code,
    )


class ForceController(Controller):
    path = "/staff/recommendations"
    include_in_schema = False
    guards = GUARD

    @get("/", name="panel_recommendations")
    async def list_recommendations(self, db_session: AsyncSession) -> Template:
        recommendations = await store.recommendations(db_session)
        panels = {p.id: p for p in await store.all_panels(db_session)}
        now = today()
        overdue = [r for r in recommendations if is_overdue(r.status, r.due_on, now)]
        rest = [r for r in recommendations if r not in overdue]
        requests = (
            await db_session.scalars(
                select(Case).where(Case.information_request != "").order_by(Case.reference)
            )
        ).all()
        return Template(
            "panels/recommendations.html",
            context={
                "overdue": overdue,
                "others": rest,
                "panels": panels,
                "labels": RECOMMENDATION_STATUSES,
                "requests": list(requests),
            },
        )

    @get("/{recommendation_id:uuid}")
    async def respond_form(
        self, recommendation_id: uuid.UUID, db_session: AsyncSession
    ) -> Template:
        return await _form_page(
            db_session, await store.recommendation(db_session, recommendation_id)
        )

    @post("/{recommendation_id:uuid}")
    async def respond(
        self,
        request: Request[Any, Any, Any],
        recommendation_id: uuid.UUID,
        form: FormMultiDict,
        db_session: AsyncSession,
    ) -> Template | Redirect:
        recommendation = await store.recommendation(db_session, recommendation_id)
        errors = FormErrors()
        status = choice(form, "status", "the force's decision", RESPONSE_STATUSES, errors)
        response = text(form, "response", "Response", errors, max_length=20000, required=True)
        evidence = text(form, "evidence", "Evidence", errors, max_length=20000)
        if status == "not_accepted" and response and len(response) < 20:
            errors.add("response", "Give the reason the recommendation is not accepted")
        if errors:
            values = {k: form.get(k) for k in form}
            return await _form_page(db_session, recommendation, errors.messages, values, 400)
        recommendation.status, recommendation.response = status, response
        recommendation.evidence, recommendation.responded_at = evidence, datetime.now(UTC)
        record(
            db_session, request, "panel_recommendation_answered", "panel_recommendation",
            recommendation.id, status=status,
        )  # fmt: skip
        return Redirect("/staff/recommendations", status_code=303)

    @post("/{recommendation_id:uuid}/due", guards=[requires(Permission.MANAGE_PANELS)])
    async def change_due_date(
        self,
        request: Request[Any, Any, Any],
        recommendation_id: uuid.UUID,
        form: FormMultiDict,
        db_session: AsyncSession,
    ) -> Template | Redirect:
        recommendation = await store.recommendation(db_session, recommendation_id)
        errors = FormErrors()
        due_on = iso_date(form, "due_on", "Due date", errors)
        if due_on is None:
            errors.add("due_on", "Enter the due date, like 2027-03-31")
        if errors or due_on is None:
            values = {k: form.get(k) for k in form}
            return await _form_page(db_session, recommendation, errors.messages, values, 400)
        recommendation.due_on = due_on
        record(
            db_session, request, "panel_recommendation_due_changed", "panel_recommendation",
            recommendation.id, due_on=due_on.isoformat(),
        )  # fmt: skip
        return Redirect(f"/staff/recommendations/{recommendation.id}", status_code=303)
