"""The chair's pages: reveal the scores, record the panel's consensus, themes and
recommendations. A chair is a member whose membership of this panel has the chair role."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from litestar import Controller, Request, get, post
from litestar.datastructures import FormMultiDict
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from consult.forms import FormErrors, iso_date, text
from consult.permissions import Permission, requires
from panels import access, store
from panels.controllers.common import record, today
from panels.controllers.member import case_context, scores_visible
from panels.forms import choice
from panels.models import Consensus, Recommendation, Theme
from panels.reveal import reveal
from panels.scales import COULD_NOT_AGREE, THEME_KINDS, consensus_outcomes, default_due_date

GUARD = [requires(Permission.REVIEW_CASES)]


async def _page(
    db: AsyncSession,
    ca: access.CaseAccess,
    errors: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Template:
    reviews = await store.reviews(db, ca.case.id)
    visible = await scores_visible(db, ca)
    return Template(
        "panels/reveal.html",
        context={
            **case_context(ca),
            "scored": len(reviews),
            "visible": visible,
            "spread": reveal(ca.panel.criteria, ca.panel.outcome_scale, reviews)
            if visible
            else None,
            "reviews": reviews if visible else [],
            "outcomes": consensus_outcomes(ca.panel.outcome_scale),
            "consensus": await store.consensus(db, ca.case.id),
            "theme_kinds": THEME_KINDS,
            "themes": [t for t in await store.themes(db, ca.panel.id) if t.case_id == ca.case.id],
            "recommendations": [
                r for r in await store.recommendations(db, ca.panel.id) if r.case_id == ca.case.id
            ],
            "default_due": default_due_date(ca.meeting.held_on),
            "errors": errors or {},
            "values": values or {},
        },
        status_code=status_code,
    )


class ChairController(Controller):
    path = "/staff/reviews/cases/{case_id:uuid}"
    include_in_schema = False
    guards = GUARD

    @get("/reveal")
    async def reveal_page(
        self, request: Request[Any, Any, Any], case_id: uuid.UUID, db_session: AsyncSession
    ) -> Template:
        ca = await access.member_case(db_session, request.user, case_id, today(), chair=True)
        return await _page(db_session, ca)

    @post("/reveal")
    async def reveal_scores(
        self, request: Request[Any, Any, Any], case_id: uuid.UUID, db_session: AsyncSession
    ) -> Redirect:
        ca = await access.member_case(db_session, request.user, case_id, today(), chair=True)
        ca.case.revealed_at = ca.case.revealed_at or datetime.now(UTC)
        record(db_session, request, "panel_scores_revealed", "panel_case", ca.case.id)
        return Redirect(f"/staff/reviews/cases/{ca.case.id}/reveal", status_code=303)

    @post("/consensus")
    async def record_consensus(
        self,
        request: Request[Any, Any, Any],
        case_id: uuid.UUID,
        form: FormMultiDict,
        db_session: AsyncSession,
    ) -> Template | Redirect:
        ca = await access.member_case(db_session, request.user, case_id, today(), chair=True)
        errors = FormErrors()
        outcome = choice(
            form,
            "outcome",
            "the panel's outcome",
            consensus_outcomes(ca.panel.outcome_scale),
            errors,
        )
        reasons = text(form, "reasons", "Reasons", errors, max_length=20000, required=True)
        request_text = text(
            form, "information_request", "Information request", errors, max_length=5000
        )
        following = await store.next_meeting_after(db_session, ca.meeting)
        if outcome == COULD_NOT_AGREE and not errors:
            if not request_text:
                errors.add("information_request", "Say what the panel needs from the force")
            elif following is None:
                errors.add("outcome", "Ask the coordinator to add the next meeting first")
        if errors:
            values = {k: form.get(k) for k in form}
            return await _page(db_session, ca, errors.messages, values, 400)
        consensus = await store.consensus(db_session, ca.case.id)
        if consensus is None:
            consensus = Consensus(case_id=ca.case.id, outcome=outcome)
            db_session.add(consensus)
        consensus.outcome, consensus.reasons, consensus.chair_id = outcome, reasons, request.user.id
        if outcome == COULD_NOT_AGREE and following is not None:
            # Re-scored at the next meeting once the force has answered.
            ca.case.meeting_id, ca.case.revealed_at = following.id, None
            ca.case.information_request = request_text
        record(
            db_session, request, "panel_consensus_recorded", "panel_case", ca.case.id,
            outcome=outcome,
        )  # fmt: skip
        if outcome == COULD_NOT_AGREE:
            return Redirect("/staff/reviews", status_code=303)
        return Redirect(f"/staff/reviews/cases/{ca.case.id}/reveal#consensus", status_code=303)

    @post("/themes")
    async def add_theme(
        self,
        request: Request[Any, Any, Any],
        case_id: uuid.UUID,
        form: FormMultiDict,
        db_session: AsyncSession,
    ) -> Template | Redirect:
        ca = await access.member_case(db_session, request.user, case_id, today(), chair=True)
        errors = FormErrors()
        kind = choice(form, "kind", "the kind of theme", THEME_KINDS, errors)
        theme_text = text(form, "theme_text", "Theme", errors, max_length=2000, required=True)
        if errors:
            return await _page(db_session, ca, errors.messages, {k: form.get(k) for k in form}, 400)
        db_session.add(Theme(panel_id=ca.panel.id, case_id=ca.case.id, kind=kind, text=theme_text))
        record(db_session, request, "panel_theme_added", "panel_case", ca.case.id, kind=kind)
        return Redirect(f"/staff/reviews/cases/{ca.case.id}/reveal#themes", status_code=303)

    @post("/recommendations")
    async def add_recommendation(
        self,
        request: Request[Any, Any, Any],
        case_id: uuid.UUID,
        form: FormMultiDict,
        db_session: AsyncSession,
    ) -> Template | Redirect:
        ca = await access.member_case(db_session, request.user, case_id, today(), chair=True)
        errors = FormErrors()
        body = text(
            form, "recommendation", "Recommendation", errors, max_length=5000, required=True
        )
        owner = text(form, "owner", "Owner at the force", errors, max_length=200)
        due_on = iso_date(form, "due_on", "Due date", errors) or default_due_date(
            ca.meeting.held_on
        )
        if errors:
            return await _page(db_session, ca, errors.messages, {k: form.get(k) for k in form}, 400)
        recommendation = Recommendation(
            panel_id=ca.panel.id,
            meeting_id=ca.meeting.id,
            case_id=ca.case.id,
            number=await store.next_recommendation_number(db_session, ca.panel.id),
            text=body,
            owner=owner,
            due_on=due_on,
        )
        db_session.add(recommendation)
        await db_session.flush()
        record(
            db_session, request, "panel_recommendation_added", "panel_recommendation",
            recommendation.id,
        )  # fmt: skip
        return Redirect(
            f"/staff/reviews/cases/{ca.case.id}/reveal#recommendations", status_code=303
        )
