"""Staff pages for consultations: list, create, edit, lifecycle and the support directory."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, time
from typing import Any

from litestar import Controller, Request, get, post
from litestar.datastructures import FormMultiDict
from litestar.di import Provide
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from consult import audit
from consult.consultations.models import Consultation
from consult.consultations.service import (
    ACTION_LABELS,
    ConsultationService,
    available_actions,
    confirmation_needed,
    provide_consultations,
)
from consult.errors import ConsultError, NotFound
from consult.forms import FormErrors, form_values, iso_date, lines, text, whole_number
from consult.neutral import SLUG_PATTERN, neutral_problem
from consult.permissions import Permission, requires

FIELDS_TEMPLATE = "staff/consultation_form.html"


def _read_consultation_form(form: FormMultiDict, errors: FormErrors) -> dict[str, Any]:
    values: dict[str, Any] = {
        "title": text(form, "title", "Title", errors, required=True),
        "public_title": text(
            form, "public_title", "Public title", errors, max_length=200, required=True
        ),
        "slug": text(form, "slug", "Web address", errors, max_length=80, required=True).lower(),
        "summary": text(form, "summary", "Summary", errors, max_length=5000),
        "controller": text(form, "controller", "Data controller", errors),
        "article6_basis": text(form, "article6_basis", "Article 6 lawful basis", errors),
        "article9_condition": text(form, "article9_condition", "Article 9 condition", errors),
        "retention_days": whole_number(
            form, "retention_days", "Retention period", errors, low=1, high=3650
        ),
        "analysis_cutoff": iso_date(form, "analysis_cutoff", "Analysis cut-off date", errors),
        "dpia_reference": text(form, "dpia_reference", "DPIA reference", errors, max_length=200),
        "exit_url": text(
            form, "exit_url", "Quick exit destination", errors, max_length=500, required=True
        ),
        "draft_expiry_days": whole_number(
            form, "draft_expiry_days", "Days a saved draft is kept", errors, low=1, high=365
        )
        or 28,
        "areas": lines(form, "areas", "Areas", errors),
    }
    closes = iso_date(form, "closes_on", "Closing date", errors)
    values["closes_at"] = datetime.combine(closes, time(23, 59), tzinfo=UTC) if closes else None
    types = []
    for line in lines(form, "respondent_types", "Respondent types", errors):
        value, _, label = line.partition("|")
        types.append({"value": value.strip(), "label": (label or value).strip()})
    values["respondent_types"] = types
    for field, label in (("public_title", "Public title"), ("slug", "Web address")):
        problem = neutral_problem(values[field], label)
        if problem:
            errors.add(field, problem)
    if values["slug"] and not SLUG_PATTERN.match(values["slug"]):
        errors.add("slug", "Web address must be lower-case letters, numbers and single hyphens")
    if values["exit_url"] and not values["exit_url"].startswith("https://"):
        errors.add("exit_url", "Quick exit destination must be a web address starting https://")
    return values


def _form_context(
    consultation: Consultation | None,
    form: FormMultiDict | None,
    errors: FormErrors | None,
) -> dict[str, Any]:
    return {
        "consultation": consultation,
        "values": form_values(form) if form else None,
        "errors": errors.messages if errors else {},
    }


def _detail_page(consultation: Consultation, *, status_code: int = 200, **extra: Any) -> Template:
    context = {
        "consultation": consultation,
        "actions": available_actions(consultation.status),
        "action_labels": ACTION_LABELS,
        "error": None,
        **extra,
    }
    return Template("staff/consultation.html", context=context, status_code=status_code)


def _audit(
    db: AsyncSession,
    request: Request[Any, Any, Any],
    action: str,
    consultation: Consultation,
    **detail: Any,
) -> None:
    audit.record(
        db,
        action,
        actor=request.user,
        object_type="consultation",
        object_id=consultation.id,
        detail=detail or None,
    )


class ConsultationController(Controller):
    path = "/staff/consultations"
    include_in_schema = False
    dependencies = {"consultations": Provide(provide_consultations, sync_to_thread=False)}

    @get("/", name="consultations", guards=[requires(Permission.VIEW_CONSULTATIONS)])
    async def list_consultations(self, consultations: ConsultationService) -> Template:
        found = await consultations.newest_first()
        return Template("staff/consultations.html", context={"consultations": found})

    @get("/new", name="consultation_new", guards=[requires(Permission.MANAGE_CONSULTATIONS)])
    async def new_form(self) -> Template:
        return Template(FIELDS_TEMPLATE, context=_form_context(None, None, None))

    @post("/new", guards=[requires(Permission.MANAGE_CONSULTATIONS)])
    async def create(
        self,
        request: Request[Any, Any, Any],
        form: FormMultiDict,
        db_session: AsyncSession,
        consultations: ConsultationService,
    ) -> Template | Redirect:
        errors = FormErrors()
        values = _read_consultation_form(form, errors)
        service = consultations
        if not errors and await service.get_by_slug(values["slug"]):
            errors.add("slug", "Another consultation already uses that web address")
        if errors:
            return Template(
                FIELDS_TEMPLATE, context=_form_context(None, form, errors), status_code=400
            )
        consultation = await service.create(Consultation(**values))
        _audit(db_session, request, "consultation_created", consultation)
        return Redirect(f"/staff/consultations/{consultation.id}", status_code=303)

    @get(
        "/{consultation_id:uuid}",
        name="consultation",
        guards=[requires(Permission.VIEW_CONSULTATIONS)],
    )
    async def show(
        self, consultation_id: uuid.UUID, consultations: ConsultationService
    ) -> Template:
        consultation = await consultations.get_or_404(consultation_id)
        return _detail_page(consultation)

    @get(
        "/{consultation_id:uuid}/edit",
        name="consultation_edit",
        guards=[requires(Permission.MANAGE_CONSULTATIONS)],
    )
    async def edit_form(
        self, consultation_id: uuid.UUID, consultations: ConsultationService
    ) -> Template:
        return Template(
            FIELDS_TEMPLATE,
            context=_form_context(await consultations.get_or_404(consultation_id), None, None),
        )

    @post("/{consultation_id:uuid}/edit", guards=[requires(Permission.MANAGE_CONSULTATIONS)])
    async def update(
        self,
        request: Request[Any, Any, Any],
        consultation_id: uuid.UUID,
        form: FormMultiDict,
        db_session: AsyncSession,
        consultations: ConsultationService,
    ) -> Template | Redirect:
        consultation = await consultations.get_or_404(consultation_id)
        errors = FormErrors()
        values = _read_consultation_form(form, errors)
        service = consultations
        other = await service.get_by_slug(values["slug"]) if values["slug"] else None
        if other is not None and other.id != consultation.id:
            errors.add("slug", "Another consultation already uses that web address")
        if errors:
            return Template(
                FIELDS_TEMPLATE, context=_form_context(consultation, form, errors), status_code=400
            )
        for name, value in values.items():
            setattr(consultation, name, value)
        _audit(db_session, request, "consultation_updated", consultation)
        return Redirect(f"/staff/consultations/{consultation.id}", status_code=303)

    @post("/{consultation_id:uuid}/status", guards=[requires(Permission.MANAGE_CONSULTATIONS)])
    async def change_status(
        self,
        request: Request[Any, Any, Any],
        consultation_id: uuid.UUID,
        form: FormMultiDict,
        db_session: AsyncSession,
        consultations: ConsultationService,
    ) -> Template | Redirect:
        consultation = await consultations.get_or_404(consultation_id)
        action = str(form.get("action", ""))[:20]
        service = consultations
        try:
            service.target(consultation, action)
            question = confirmation_needed(consultation, action)
            if question and form.get("confirm") != question:
                return Template(
                    "staff/consultation_confirm.html",
                    context={"consultation": consultation, "action": action, "question": question},
                )
            await service.transition(consultation, action)
        except ConsultError as exc:
            return _detail_page(consultation, status_code=409, error=exc.message)
        _audit(db_session, request, f"consultation_{action}", consultation)
        return Redirect(f"/staff/consultations/{consultation.id}", status_code=303)

    @post("/{consultation_id:uuid}/support", guards=[requires(Permission.MANAGE_CONSULTATIONS)])
    async def add_support(
        self,
        request: Request[Any, Any, Any],
        consultation_id: uuid.UUID,
        form: FormMultiDict,
        db_session: AsyncSession,
        consultations: ConsultationService,
    ) -> Template | Redirect:
        consultation = await consultations.get_or_404(consultation_id)
        errors = FormErrors()
        web = text(form, "web", "Website", errors, max_length=500)
        fields: dict[str, Any] = {
            "name": text(form, "name", "Name", errors, max_length=200, required=True),
            "helps_with": text(form, "helps_with", "What it helps with", errors, max_length=2000),
            "phone": text(form, "phone", "Phone", errors, max_length=60),
            "text": text(form, "text", "Text number", errors, max_length=60),
            "web": web,
            "review_date": iso_date(form, "review_date", "Review date", errors),
        }
        if web and not web.startswith("https://"):
            errors.add("web", "Website must start https://")
        if errors:
            return _detail_page(
                consultation,
                status_code=400,
                support_errors=errors.messages,
                support_values=form_values(form),
            )
        ConsultationService.add_support_service(consultation, **fields)
        _audit(db_session, request, "support_service_added", consultation, name=fields["name"])
        return Redirect(f"/staff/consultations/{consultation.id}#support", status_code=303)

    @post(
        "/{consultation_id:uuid}/support/{service_id:uuid}/delete",
        guards=[requires(Permission.MANAGE_CONSULTATIONS)],
    )
    async def remove_support(
        self,
        request: Request[Any, Any, Any],
        consultation_id: uuid.UUID,
        service_id: uuid.UUID,
        db_session: AsyncSession,
        consultations: ConsultationService,
    ) -> Redirect:
        consultation = await consultations.get_or_404(consultation_id)
        entry = next((s for s in consultation.support_services if s.id == service_id), None)
        if entry is None:
            raise NotFound("That support service is not in this consultation's directory")
        consultation.support_services.remove(entry)
        _audit(db_session, request, "support_service_removed", consultation, name=entry.name)
        return Redirect(f"/staff/consultations/{consultation.id}#support", status_code=303)
