"""What every builder page needs: the consultation, its survey, versions and the draft, loaded
once per request (through the survey data layer, :mod:`surveys.store.editing`, in the request's
transaction), plus the audit record every change writes and saving a change to the draft."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from functools import partial
from typing import Any

from litestar import Request
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from consult import audit
from consult.consultations.models import Consultation
from consult.consultations.service import consultation_or_404
from consult.errors import Conflict
from surveys.builder import choices, forms
from surveys.builder.problems import publish_problems
from surveys.builder.service import Definition
from surveys.definition import QUESTION_TYPES
from surveys.definition.questions.rating import SCALES
from surveys.store import editing as versions
from surveys.store.database import run
from surveys.store.editing import SurveyRecord
from surveys.store.versions import Version


def question_type_labels() -> dict[str, str]:
    """Every registered question type's name and what staff see for it, in registry order."""
    return {name: cls.type_label for name, cls in QUESTION_TYPES.items()}


@dataclass
class Workspace:
    consultation: Consultation
    survey: SurveyRecord | None
    versions: list[Version]

    @property
    def draft(self) -> Version | None:
        return versions.draft_of(self.versions)

    @property
    def shown(self) -> Version | None:
        """The draft when there is one, else the latest published version."""
        return self.draft or versions.latest_published(self.versions)

    @property
    def base(self) -> str:
        return f"/staff/consultations/{self.consultation.id}/survey"


async def workspace(db: AsyncSession, consultation_id: uuid.UUID) -> Workspace:
    consultation = await consultation_or_404(db, consultation_id)
    survey, found = await run(
        db, partial(versions.survey_and_versions, consultation_id=consultation.id)
    )
    return Workspace(consultation, survey, found)


async def editable(db: AsyncSession, request: Request[Any, Any, Any], ws: Workspace) -> Version:
    """The draft to change, made from the latest published version when there is none yet."""
    draft, created = await run(db, partial(versions.start_draft, consultation=ws.consultation))
    if created:
        record(db, request, "survey_draft_created", draft, number=draft.number)
        ws.survey, ws.versions = await run(
            db, partial(versions.survey_and_versions, consultation_id=ws.consultation.id)
        )
    return draft


async def save_definition(db: AsyncSession, draft: Version, definition: Definition) -> Version:
    """Store the changed definition as the draft's, in the request's transaction."""
    return await run(db, partial(versions.save_definition, version=draft, definition=definition))


def record(
    db: AsyncSession,
    request: Request[Any, Any, Any],
    action: str,
    version: Version,
    **detail: Any,
) -> None:
    audit.record(
        db,
        action,
        actor=request.user,
        object_type="survey_version",
        object_id=version.id,
        detail=detail,
    )


def builder_page(
    ws: Workspace,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
    status_code: int = 200,
    **extra: Any,
) -> Template:
    shown = ws.shown
    definition: Definition = shown.definition if shown else {}
    problems: list[str] = []
    if ws.draft is not None:
        problems = publish_problems(definition, ws.consultation.missing_data_protection())
    return Template(
        "builder/survey.html",
        context={
            "ws": ws,
            "c": ws.consultation,
            "shown": shown,
            "d": definition,
            "problems": problems,
            "errors": errors or {},
            "values": values or {},
            "question_types": question_type_labels(),
            "single_choices": choices.single_choice_questions(definition) if shown else [],
            "page_choices": choices.page_choices(definition) if shown else [],
            "type_labels": lambda values: choices.respondent_type_labels(definition, values),
            "condition_text": lambda condition: choices.condition_text(definition, condition),
            **extra,
        },
        status_code=status_code,
    )


def _settings(item: dict[str, Any]) -> dict[str, Any]:
    """A question's type-specific form fields (nothing for a section or a page)."""
    cls = QUESTION_TYPES.get(str(item.get("type", "")))
    if cls is None:
        return {"settings": (), "tick_defaults": {}}
    return {"settings": cls.settings, "tick_defaults": forms.type_defaults(cls)}


def item_form(
    ws: Workspace,
    template: str,
    item: dict[str, Any],
    position: tuple[int, int],
    *,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
    **extra: Any,
) -> Template:
    """An edit form for a section, page or question, with its routing select boxes filled."""
    draft = ws.draft
    if draft is None:
        raise Conflict("There is no draft to edit. Choose 'Edit survey' first.")
    definition = draft.definition
    return Template(
        template,
        context={
            "ws": ws,
            "c": ws.consultation,
            "item": item,
            "errors": errors or {},
            "type_choices": choices.respondent_type_choices(definition),
            "condition_choices": choices.condition_choices(definition, position),
            "routing_by_type": bool(definition.get("respondent_type_question")),
            "question_types": question_type_labels(),
            "scales": list(SCALES),
            "known_types": list(QUESTION_TYPES),
            **_settings(item),
            "show_if_choice": forms.show_if_choice,
            "options_text": forms.options_text,
            **extra,
        },
        status_code=status_code,
    )
