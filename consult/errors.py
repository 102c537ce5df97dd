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
from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, NotAuthorizedException, ValidationException
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR
from sqlalchemy.exc import IntegrityError

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
}


def _wants_json(request: Request[Any, Any, Any]) -> bool:
    if request.url.path.startswith("/api/"):
        return True
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


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
        context={"title": title, "message": message, "status_code": status},
        status_code=status,
    )


def consult_error_handler(request: Request[Any, Any, Any], exc: ConsultError) -> Response[Any]:
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


def internal_error_handler(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
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
