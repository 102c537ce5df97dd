"""Whether a consultation takes answers now. (A staff page finds its consultation with
:func:`consult.consultations.service.consultation_or_404`; respondent pages read it through
:mod:`.snapshots`.)"""

from __future__ import annotations

from datetime import UTC, datetime

from consult.consultations.models import Consultation, Status


def is_accepting(consultation: Consultation) -> bool:
    """Open, and not past its closing time."""
    if consultation.status != Status.OPEN.value:
        return False
    return consultation.closes_at is None or consultation.closes_at > datetime.now(UTC)
