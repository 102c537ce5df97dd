"""The actions of "We asked, you said, we did": what the partnership will do, who owns it, when
it is due and how it stands, read from a staff form with clear messages for bad input."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from litestar.datastructures import FormMultiDict

from consult.errors import Invalid

STATUS_LABELS = {
    "planned": "Planned",
    "in_progress": "In progress",
    "done": "Done",
    "not_taken_forward": "Not taken forward",
}
MAX_TEXT = 2000


@dataclass(frozen=True)
class ActionFields:
    text: str
    owner: str
    due: date | None
    status: str
    reason: str


def read_action(form: FormMultiDict) -> ActionFields:
    text = str(form.get("text", "")).strip()
    owner = str(form.get("owner", "")).strip()
    status = str(form.get("status", "planned"))
    reason = str(form.get("reason", "")).strip()
    if not text or len(text) > MAX_TEXT:
        raise Invalid(f"Enter what will be done, in up to {MAX_TEXT} characters")
    if not owner or len(owner) > 200:
        raise Invalid("Enter who owns the action (a team or organisation), up to 200 characters")
    if status not in STATUS_LABELS:
        raise Invalid("Choose a status: planned, in progress, done or not taken forward")
    if status == "not_taken_forward" and not reason:
        raise Invalid("Say why the action is not being taken forward")
    raw_due = str(form.get("due", "")).strip()
    try:
        due = date.fromisoformat(raw_due) if raw_due else None
    except ValueError as exc:
        raise Invalid("Enter the due date as a date, for example 2027-03-31") from exc
    return ActionFields(text, owner, due, status, reason[:MAX_TEXT])
