"""Reading posted HTML forms field by field, collecting messages in GOV.UK error-summary order.

Staff forms are few and plain; each controller reads its fields with these helpers so a bad
value becomes a message next to the field instead of an exception.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from litestar import Request
from litestar.datastructures import FormMultiDict


@dataclass
class FormErrors:
    """Field name -> message, in the order the fields were read (the page's order)."""

    messages: dict[str, str] = field(default_factory=dict)

    def add(self, name: str, message: str) -> None:
        self.messages.setdefault(name, message)

    def __bool__(self) -> bool:
        return bool(self.messages)


def text(
    form: FormMultiDict,
    name: str,
    label: str,
    errors: FormErrors,
    *,
    max_length: int = 300,
    required: bool = False,
) -> str:
    value = str(form.get(name, "") or "").strip()
    if required and not value:
        errors.add(name, f"Enter {label.lower()}")
    elif len(value) > max_length:
        errors.add(name, f"{label} must be {max_length} characters or fewer")
    return value[:max_length]


def whole_number(
    form: FormMultiDict, name: str, label: str, errors: FormErrors, *, low: int, high: int
) -> int | None:
    raw = str(form.get(name, "") or "").strip()
    if not raw:
        return None
    try:
        value = int(raw)
    except ValueError:
        errors.add(name, f"{label} must be a whole number")
        return None
    if not low <= value <= high:
        errors.add(name, f"{label} must be between {low} and {high}")
        return None
    return value


def iso_date(form: FormMultiDict, name: str, label: str, errors: FormErrors) -> date | None:
    raw = str(form.get(name, "") or "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        errors.add(name, f"{label} must be a real date, like 2027-03-31")
        return None


def lines(
    form: FormMultiDict, name: str, label: str, errors: FormErrors, *, max_items: int = 50
) -> list[str]:
    items = [line.strip() for line in str(form.get(name, "") or "").splitlines() if line.strip()]
    if len(items) > max_items:
        errors.add(name, f"{label} can have at most {max_items} lines")
    return [item[:200] for item in items[:max_items]]


def form_values(form: FormMultiDict) -> dict[str, Any]:
    """The posted values, to redisplay a form after an error without losing what was typed."""
    return {key: form.get(key) for key in form}


async def read_form(request: Request[Any, Any, Any]) -> FormMultiDict:
    """The posted form, injected into handlers as `form` (app-level dependency)."""
    return await request.form()
