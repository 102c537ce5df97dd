"""A panel member's pages: my panels and cases, the view-only case review, independent scoring,
declaring a conflict and swapping a case.

Every view of case material is audited. Nothing on these pages tells one member what another
chose for their own wellbeing (a conflict, a swap) or, before the reveal, how they scored.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from litestar import Controller, Request, get, post
from litestar.datastructures import FormMultiDict
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from consult.errors import Conflict
from consult.forms import FormErrors, text
from consult.permissions import Permission, requires
from panels import access, material, store
from panels.controllers.common import record, today
from panels.models import CaseStepAside, Review, Score
from panels.reveal import reveal
from panels.scales import (
    CHARACTERISTIC_BANDS,
    ENTITLEMENT_STATUSES,
    MEMBER_ROLES,
    SCALES,
    VICTIMS_CODE_RIGHTS,
    consensus_outcomes,
    member_values,
    value_label,
)

GUARD = [requires(Permission.REVIEW_CASES)]


async def scores_visible(db: AsyncSession, ca: access.CaseAccess) -> bool:
    """Scores are shown once the chair reveals them, or once every member who can still see
    the case has scored."""
    if ca.case.revealed_at is not None:
        return True
    stepped = await store.step_asides(db, ca.case.id)
    # Members who cannot see the case (vetting, agreement) or stepped aside are not waited for.
    expected = {
        m.user_id
        for m in ca.panel.memberships
        if m.user_id not in stepped and access.membership_problem(m, ca.panel, today()) is None
    }
    scored = {r.user_id for r in await store.reviews(db, ca.case.id)}
    return bool(expected) and expected <= scored


def case_context(ca: access.CaseAccess) -> dict[str, Any]:
    return {
        "panel": ca.panel,
        "case": ca.case,
        "meeting": ca.meeting,
        "membership": ca.membership,
        "access_ends": access.access_ends_on(ca.meeting, ca.panel),
        "scale": SCALES[ca.panel.outcome_scale],
        "value_label": value_label,
        "score_options": {
            value: value_label(ca.panel.outcome_scale, value)
            for value in member_values(ca.panel.outcome_scale)
        },
        "outcome_labels": consensus_outcomes(ca.panel.outcome_scale),
        "statuses": ENTITLEMENT_STATUSES,
        "bands": CHARACTERISTIC_BANDS,
        "rights": VICTIMS_CODE_RIGHTS,
    }


class MemberController(Controller):
    path = "/staff/reviews"
    include_in_schema = False
    guards = GUARD

    @get("/", name="panel_reviews")
    async def my_cases(self, request: Request[Any, Any, Any], db_session: AsyncSession) -> Template:
        user = request.user
        memberships = await store.memberships_of(db_session, user.id)
        panels = {m.panel_id: await store.panel(db_session, m.panel_id) for m in memberships}
        stepped = await store.my_step_asides(db_session, user.id)
        cases = [
            c for c in await store.released_cases(db_session, list(panels)) if c.id not in stepped
        ]
        meetings = {m.id: m for p in panels for m in await store.meetings(db_session, p)}
        ends = {
            c.id: access.access_ends_on(meetings[c.meeting_id], panels[c.panel_id])
            for c in cases
            if c.meeting_id in meetings
        }
        return Template(
            "panels/my_cases.html",
            context={
                "ends": ends,
                "today": today(),
                "memberships": memberships,
                "panels": panels,
                "problems": {
                    m.id: access.membership_problem(m, panels[m.panel_id], today())
                    for m in memberships
                },
                "roles": MEMBER_ROLES,
                "cases": cases,
                "reviewed": await store.reviewed_case_ids(db_session, user.id),
                "chairs": {m.panel_id for m in memberships if m.role == "chair"},
                "stepped_aside": request.query_params.get("stepped") == "1",
            },
        )

    @get("/cases/{case_id:uuid}")
    async def review_page(
        self, request: Request[Any, Any, Any], case_id: uuid.UUID, db_session: AsyncSession
    ) -> Template:
        ca = await access.member_case(db_session, request.user, case_id, today())
        record(db_session, request, "panel_case_viewed", "panel_case", ca.case.id, view="member")
        return await _review_template(db_session, request, ca, {}, None)

    @post("/cases/{case_id:uuid}/score")
    async def score(
        self,
        request: Request[Any, Any, Any],
        case_id: uuid.UUID,
        form: FormMultiDict,
        db_session: AsyncSession,
    ) -> Template | Redirect:
        ca = await access.member_case(db_session, request.user, case_id, today())
        if ca.case.revealed_at is not None:
            raise Conflict("Scores were revealed at the meeting, so they can no longer change.")
        allowed = member_values(ca.panel.outcome_scale)
        errors = FormErrors()
        scores: dict[str, tuple[str, str]] = {}
        for criterion in ca.panel.criteria:
            key = criterion["key"]
            value = str(form.get(f"score_{key}", "") or "")
            comment = text(form, f"comment_{key}", "Comment", errors, max_length=5000)
            if value and value not in allowed:
                errors.add(f"score_{key}", f"Choose a score for {criterion['label']}")
            elif value:
                scores[key] = (value, comment)
        comments = {
            name: text(form, name, label, errors, max_length=10000)
            for name, label in (
                ("good_practice", "Good practice"),
                ("concerns", "Concerns"),
                ("questions", "Questions for the force"),
            )
        }
        if not scores and not errors:
            first = ca.panel.criteria[0]["key"] if ca.panel.criteria else "good_practice"
            errors.add(f"score_{first}", "Score at least one criterion")
        if errors:
            return await _review_template(db_session, request, ca, errors.messages, form, 400)
        review = await store.review_of(db_session, ca.case.id, request.user.id)
        if review is None:
            review = Review(case_id=ca.case.id, user_id=request.user.id)
            db_session.add(review)
        for name, value in comments.items():
            setattr(review, name, value)
        _replace_scores(review, scores)
        await db_session.flush()
        record(db_session, request, "panel_case_scored", "panel_case", ca.case.id)
        return Redirect(f"/staff/reviews/cases/{ca.case.id}?saved=1#scoring", status_code=303)

    @post("/cases/{case_id:uuid}/step-aside")
    async def step_aside(
        self,
        request: Request[Any, Any, Any],
        case_id: uuid.UUID,
        form: FormMultiDict,
        db_session: AsyncSession,
    ) -> Redirect:
        ca = await access.member_case(db_session, request.user, case_id, today())
        kind = "conflict" if form.get("kind") == "conflict" else "swap"
        db_session.add(CaseStepAside(case_id=ca.case.id, user_id=request.user.id, kind=kind))
        review = await store.review_of(db_session, ca.case.id, request.user.id)
        if review is not None:  # a member off the case leaves no score behind
            await db_session.delete(review)
        record(db_session, request, f"panel_case_{kind}", "panel_case", ca.case.id)
        return Redirect("/staff/reviews?stepped=1", status_code=303)


def _replace_scores(review: Review, scores: dict[str, tuple[str, str]]) -> None:
    """Update scores in place: replacing the rows would insert before deleting and trip the
    one-score-per-criterion constraint."""
    kept = []
    for score in review.scores:
        if score.criterion in scores:
            score.value, score.comment = scores.pop(score.criterion)
            kept.append(score)
    kept += [Score(criterion=k, value=v, comment=c) for k, (v, c) in scores.items()]
    review.scores = kept


async def _review_template(
    db: AsyncSession,
    request: Request[Any, Any, Any],
    ca: access.CaseAccess,
    errors: dict[str, str],
    form: FormMultiDict | None,
    status_code: int = 200,
) -> Template:
    mine = await store.review_of(db, ca.case.id, request.user.id)
    visible = await scores_visible(db, ca)
    spread = None
    if visible:
        spread = reveal(
            ca.panel.criteria, ca.panel.outcome_scale, await store.reviews(db, ca.case.id)
        )
    values: dict[str, Any] = {}
    if form is not None:
        values = {key: form.get(key) for key in form}
    elif mine is not None:
        values = {
            "good_practice": mine.good_practice,
            "concerns": mine.concerns,
            "questions": mine.questions,
            **{f"score_{s.criterion}": s.value for s in mine.scores},
            **{f"comment_{s.criterion}": s.comment for s in mine.scores},
        }
    return Template(
        "panels/review.html",
        context={
            **case_context(ca),
            "pages": material.pages(ca.case.material_confirmed or ""),
            "viewer": request.user.name,
            "viewed_at": datetime.now(UTC),
            "mine": mine,
            "values": values,
            "errors": errors,
            "visible": visible,
            "spread": spread,
            "saved": request.query_params.get("saved") == "1",
            "consensus": await store.consensus(db, ca.case.id),
        },
        status_code=status_code,
    )
