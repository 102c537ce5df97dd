"""Response security headers on every response, and the rate limit of the routes that mark
themselves as guessable."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.datastructures import MutableScopeHeaders
from litestar.middleware.rate_limit import RateLimitConfig
from litestar.types import Message, Scope

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
    ]
)

BASE_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
}


def security_headers(*, hsts: bool) -> Any:
    """A ``before_send`` hook: it sees every response the app sends, error pages, redirects,
    404s for unknown paths, 405s and 500s included (``after_request`` runs only for responses a
    handler returned)."""
    extra = {**BASE_HEADERS}
    if hsts:
        extra["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"

    async def before_send(message: Message, scope: Scope) -> None:
        if message["type"] != "http.response.start":
            return
        headers = MutableScopeHeaders.from_message(message)
        for name, value in extra.items():
            if name not in headers:
                headers[name] = value
        # Pages may show answers or case details: never let a browser or proxy keep them,
        # so Back after a quick exit finds nothing. Static assets set their own caching.
        if "Cache-Control" not in headers:
            headers["Cache-Control"] = "no-store"

    return before_send


# Routes where repeated posting is how guessing works (sign-in, two-factor codes, resume and
# withdrawal codes, the current password) say so themselves: ``opt=THROTTLED`` on the handler.
# A path-prefix list silently stops matching when a route moves (it never matched /c/{slug}/resume).
THROTTLED: dict[str, Any] = {"throttled": True}


# Async on purpose: Litestar runs a plain function given here in a worker thread, on every request.
async def _is_guessable_post(request: Request[Any, Any, Any]) -> bool:
    return request.method == "POST" and bool(request.route_handler.opt.get("throttled"))


def sign_in_rate_limit() -> RateLimitConfig:
    return RateLimitConfig(
        rate_limit=("minute", 30),
        store="rate_limit",
        check_throttle_handler=_is_guessable_post,
        set_rate_limit_headers=False,
    )
