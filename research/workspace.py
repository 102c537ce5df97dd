"""What every workspace page shares: its address, its guard, the consultation, the responses'
frame and the filters read from the query."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from litestar import Request
from litestar.response import Response
from sqlalchemy.ext.asyncio import AsyncSession

from consult import audit
from consult.consultations.models import Consultation
from consult.consultations.service import consultation_or_404
from consult.permissions import Permission, requires
from research.filters import Selection, choice_groups, read_selection, respondent_type_options
from research.frames import Header, response_header
from surveys.definition import Survey

BASE = "/staff/consultations/{consultation_id:uuid}/analysis"
GUARD = [requires(Permission.VIEW_ANALYSIS)]
DOWNLOAD_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "svg": "image/svg+xml",
    "png": "image/png",
}


@dataclass
class Workspace:
    """A page's consultation, survey and filters: never the responses themselves, which a
    large consultation's pages leave to background jobs (:mod:`research.kinds`)."""

    consultation: Consultation
    header: Header
    selection: Selection

    @property
    def survey(self) -> Survey:
        return self.header.survey

    def context(self, page: str, **extra: Any) -> dict[str, Any]:
        types = respondent_type_options(self.survey, self.consultation.respondent_types)
        return {
            "consultation": self.consultation,
            "base": f"/staff/consultations/{self.consultation.id}/analysis",
            "nav_current": page,
            "selection": self.selection,
            "type_options": types,
            "choice_groups": choice_groups(self.survey),
            "survey": self.survey,
            "total_responses": self.header.responses,
            "errors": self.selection.errors,
            **extra,
        }


async def open_workspace(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    consultation_id: uuid.UUID,
    respondent_type: Sequence[str] | None = None,
    answer: Sequence[str] | None = None,
) -> Workspace:
    consultation = await consultation_or_404(db, consultation_id)
    header = await response_header(request, db, consultation_id)
    types = respondent_type_options(header.survey, consultation.respondent_types)
    selection = read_selection(header.survey, types, respondent_type, answer)
    return Workspace(consultation, header, selection)


def safe_name(text: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in text)[:80]


def download(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    workspace: Workspace,
    *,
    what: str,
    format: str,
    content: bytes | str,
    detail: dict[str, Any] | None = None,
) -> Response[bytes]:
    """A file leaving the workspace: audited, named after what it holds."""
    consultation = workspace.consultation
    audit.record(
        db,
        "analysis_downloaded",
        actor=request.user,
        object_type="consultation",
        object_id=consultation.id,
        detail={
            "what": what,
            "format": format,
            "k": consultation.disclosure_k,
            "filters": [value for _, value in workspace.selection.params()],
            **(detail or {}),
        },
    )
    body = content.encode("utf-8") if isinstance(content, str) else content
    filename = f"{safe_name(consultation.slug)}-{safe_name(what)}.{format}"
    return Response(
        body,
        media_type=DOWNLOAD_TYPES[format],
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
