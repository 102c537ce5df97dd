"""The workspace's settings: the consultation's small-cell threshold ``k``."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Controller, Request, get, post
from litestar.datastructures import FormMultiDict
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from consult import audit
from consult.consultations.service import consultation_or_404
from consult.forms import FormErrors, whole_number
from consult.permissions import Permission, requires
from research.workspace import BASE, GUARD

K_LIMIT = 1000  # a threshold above any sensible group size is a typing slip, not a choice


class SettingsController(Controller):
    path = BASE + "/settings"
    include_in_schema = False
    guards = GUARD

    @get("/", name="analysis_settings")
    async def show(
        self, consultation_id: uuid.UUID, db_session: AsyncSession, saved: str = ""
    ) -> Template:
        consultation = await consultation_or_404(db_session, consultation_id)
        return Template(
            "research/settings.html",
            context=_context(consultation, {}, str(consultation.disclosure_k), bool(saved)),
        )

    @post("/", guards=[requires(Permission.MANAGE_CONSULTATIONS)])
    async def save(
        self,
        request: Request[Any, Any, Any],
        consultation_id: uuid.UUID,
        form: FormMultiDict,
        db_session: AsyncSession,
    ) -> Template | Redirect:
        consultation = await consultation_or_404(db_session, consultation_id)
        errors = FormErrors()
        k = whole_number(form, "k", "The threshold", errors, low=1, high=K_LIMIT)
        if k is None and not errors:
            errors.add("k", "Enter the threshold as a whole number, 1 or more")
        if errors or k is None:
            raw = str(form.get("k", "") or "")[:20]
            return Template(
                "research/settings.html",
                context=_context(consultation, errors.messages, raw, False),
                status_code=400,
            )
        before = consultation.disclosure_k
        consultation.disclosure_k = k
        audit.record(
            db_session,
            "disclosure_k_changed",
            actor=request.user,
            object_type="consultation",
            object_id=consultation.id,
            detail={"from": before, "to": k},
        )
        return Redirect(
            f"/staff/consultations/{consultation_id}/analysis/settings?saved=1", status_code=303
        )


def _context(consultation: Any, errors: dict[str, str], value: str, saved: bool) -> dict[str, Any]:
    return {
        "consultation": consultation,
        "base": f"/staff/consultations/{consultation.id}/analysis",
        "nav_current": "settings",
        "errors": errors,
        "k_value": value,
        "saved": saved,
        "k_limit": K_LIMIT,
    }
