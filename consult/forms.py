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
from litestar.middleware.base import MiddlewareProtocol
from litestar.types import ASGIApp, Receive, Scope, Send

from analysis.spreadsheet import clean_text
from consult.errors import ConsultError


class TooManyFields(ConsultError):
    status_code = 413
    title = "What you sent is too large"


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
    """The posted form, injected into handlers as `form` (app-level dependency), with control
    characters removed from every text value: the one place every staff field and every answer
    passes through (security review, finding 13; the rule is `analysis.spreadsheet.clean_text`,
    the same characters an XLSX export cannot hold)."""
    form = await request.form()
    return FormMultiDict(
        [
            (key, clean_text(value) if isinstance(value, str) else value)
            for key, value in form.multi_items()
        ]
    )


# No page of the platform has a tenth of this many fields; 200,000 took 2.5 s to parse.
MAX_FORM_FIELDS = 1000
_URL_ENCODED = b"application/x-www-form-urlencoded"


class FormFieldLimit(MiddlewareProtocol):
    """Refuse a url-encoded POST with more than `MAX_FORM_FIELDS` fields before anything
    parses it (the CSRF check reads the form first). The body is read once and kept by the
    framework for the handler; its size is capped per route (``request_max_body_size``).
    Multipart forms are capped by the app's ``multipart_form_part_limit``."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope.get("method") == "POST":
            content_type = dict(scope.get("headers", ())).get(b"content-type", b"")
            if content_type.startswith(_URL_ENCODED):
                body = await Request[Any, Any, Any](scope, receive).body()
                if body.count(b"&") >= MAX_FORM_FIELDS:
                    raise TooManyFields(
                        f"The form has more than {MAX_FORM_FIELDS} fields. Nothing was saved."
                    )
        await self.app(scope, receive, send)
