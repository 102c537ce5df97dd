"""The platform's one error tree, and how each error becomes an HTTP response.

Domain code raises these; the handlers below turn them, and the framework's own HTTP errors,
into a clear HTML page (or JSON for API clients) with the right status. Nothing reaches the
user as a traceback.
"""

from __future__ import annotations

import logging
import traceback
from typing import Any

from advanced_alchemy.exceptions import IntegrityError as RepositoryIntegrityError
from advanced_alchemy.exceptions import NotFoundError as RepositoryNotFound
from cryptography.fernet import InvalidToken
from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, NotAuthorizedException, ValidationException
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR
from litestar.types import Empty
from litestar.utils.scope.state import ScopeState
from sqlalchemy.exc import IntegrityError

from consult.outages import RETRY_AFTER_SECONDS, outage_kind, outage_log

logger = logging.getLogger("consult")


class ConsultError(Exception):
    """Base of every error the platform raises on purpose; `message` is safe to show."""

    status_code = 400
    title = "There is a problem"

    def __init__(self, message: str, *, detail: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail or {}


class NotFound(ConsultError):
    status_code = 404
    title = "Page not found"


class Conflict(ConsultError):
    status_code = 409
    title = "That cannot be done now"


class Invalid(ConsultError):
    status_code = 422
    title = "There is a problem"


class Forbidden(ConsultError):
    status_code = 403
    title = "You cannot do that"


class DatabaseBusy(ConsultError):
    """A direct unit of work (consult.direct) could not get the database in time."""

    status_code = 503
    title = "Sorry, the service is busy"


class DatabaseTooSlow(ConsultError):
    """A direct unit of work ran past its time limit and was stopped (and rolled back)."""

    status_code = 503
    title = "Sorry, that took too long"


_TITLES = {
    400: "There is a problem with the request",
    401: "Sign in to continue",
    403: "You cannot do that",
    404: "Page not found",
    405: "That action is not available here",
    409: "That cannot be done now",
    413: "What you sent is too large",
    422: "There is a problem",
    429: "Too many attempts",
    500: "Sorry, there is a problem with the service",
    503: "Sorry, the service is not available right now",
}

WRONG_KEY = (
    "Staff sign-in is not available: this service's secret key is not the one its data was "
    "saved with. An administrator must set CONSULT_SECRET_KEY (or the data folder's "
    "secret-key file) back to the key of this database; see docs/operations.md."
)


def _wants_json(request: Request[Any, Any, Any]) -> bool:
    if request.url.path.startswith("/api/"):
        return True
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


def _is_staff(request: Request[Any, Any, Any]) -> bool:
    return request.url.path.startswith(("/staff", "/api/staff"))


def _page_context(request: Request[Any, Any, Any]) -> dict[str, Any]:
    """Staff pages keep the staff layout and lead back to the staff home; everything else is
    a respondent's page, in the respondent layout with the quick exit and Get help."""
    if _is_staff(request):
        return {"layout": "layouts/staff.html", "home": "/staff"}
    return {"layout": "layouts/respondent.html", "home": "/", "consultation": None}


def _render(request: Request[Any, Any, Any], status: int, message: str) -> Response[Any]:
    title = _TITLES.get(status, "There is a problem")
    if _wants_json(request):
        return Response(
            {"status_code": status, "error": title, "detail": message},
            status_code=status,
            media_type=MediaType.JSON,
        )
    return Template(
        "errors/error.html",
        context={
            "title": title,
            "message": message,
            "status_code": status,
            **_page_context(request),
        },
        status_code=status,
    )


# Never written back into a page. A form carrying one (save with a passphrase, resume,
# withdraw) is not offered for sending again: sent without it, it would mean something else.
_SECRET_FIELDS = frozenset({"password", "passphrase", "code"})


def _posted_fields(request: Request[Any, Any, Any]) -> list[tuple[str, str]]:
    """The form this request posted, if it was read before the failure (the handler's `form`,
    or `consult.sessions` reads it when the session store fails); none if it held a secret."""
    if request.method != "POST":
        return []
    form = ScopeState.from_scope(request.scope).form
    if form is Empty or not isinstance(form, dict):
        return []
    fields: list[tuple[str, str]] = []
    for name, value in form.items():
        values = value if isinstance(value, list) else [value]
        if name.lower() in _SECRET_FIELDS and any(values):
            return []
        fields.extend((name, item) for item in values if isinstance(item, str))
    return fields


def outage_page(request: Request[Any, Any, Any], message: str | None = None) -> Response[Any]:
    """503 with `Retry-After`: what was saved before is safe, this page's answers are not saved
    yet, and (for a respondent's form) a button that sends them again."""
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
    title = "Sorry, the service is not available right now"
    if _wants_json(request):
        return Response(
            {"status_code": 503, "error": title, "detail": message or "Try again later."},
            status_code=503,
            media_type=MediaType.JSON,
            headers=headers,
        )
    fields = [] if _is_staff(request) else _posted_fields(request)
    return Template(
        "errors/outage.html",
        context={
            "title": title,
            "message": message,
            "fields": fields,
            "action": request.url.path,
            "staff": _is_staff(request),
            **_page_context(request),
        },
        status_code=503,
        headers=headers,
    )


def consult_error_handler(request: Request[Any, Any, Any], exc: ConsultError) -> Response[Any]:
    if exc.status_code == 503:  # busy: nothing is down, but the answer is the same
        return outage_page(request, exc.message)
    return _render(request, exc.status_code, exc.message)


def http_error_handler(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    status = exc.status_code
    if isinstance(exc, NotAuthorizedException) and not _wants_json(request):
        return Redirect(path="/staff/login", status_code=303)
    message = exc.detail if isinstance(exc.detail, str) else ""
    if isinstance(exc, ValidationException):
        message = "The form or request was not in the expected shape."
    elif status == 403 and "csrf" in message.lower():
        message = (
            "This form has expired or was sent from somewhere else. Go back, reload the page "
            "and try again. Nothing was saved from this attempt."
        )
    elif status == 429:
        message = "Too many attempts. Wait a few minutes and try again."
    elif status == 413:
        message = "What you sent is larger than this service accepts. Shorten it and try again."
    return _render(request, status, message or _TITLES.get(status, ""))


def not_found_handler(request: Request[Any, Any, Any], _: RepositoryNotFound) -> Response[Any]:
    return _render(request, 404, "We could not find that. Check the address or go back.")


def integrity_error_handler(request: Request[Any, Any, Any], _: Exception) -> Response[Any]:
    return _render(request, 409, "That conflicts with something that already exists.")


def _caused_by(exc: BaseException, kind: type[BaseException]) -> bool:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, kind):
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return False


def internal_error_handler(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    if (kind := outage_kind(exc)) is not None:
        outage_log(request.app).down(kind, exc)
        return outage_page(request)
    if _caused_by(exc, InvalidToken):
        logger.error(
            "an encrypted column could not be read: wrong secret key (see docs/operations.md)"
        )
        return _render(request, 503, WRONG_KEY)
    # The exception's message can quote what was posted or stored (openpyxl quoted a whole
    # answer): the log gets its type and where it happened, never its text.
    logger.error(
        "unhandled %s on %s %s\n%s",
        type(exc).__name__,
        request.method,
        request.url.path,
        "".join(traceback.format_tb(exc.__traceback__)),
    )
    return _render(request, HTTP_500_INTERNAL_SERVER_ERROR, "Try again later.")


EXCEPTION_HANDLERS: dict[Any, Any] = {
    ConsultError: consult_error_handler,
    HTTPException: http_error_handler,
    RepositoryNotFound: not_found_handler,
    IntegrityError: integrity_error_handler,
    RepositoryIntegrityError: integrity_error_handler,
    Exception: internal_error_handler,
}
