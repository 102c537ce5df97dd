"""Response security headers and the sign-in rate limit, applied to every route."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response
from litestar.middleware.rate_limit import RateLimitConfig

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
    async def after_request(response: Response[Any]) -> Response[Any]:
        for name, value in BASE_HEADERS.items():
            response.headers.setdefault(name, value)
        if hsts:
            response.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
        # Pages may show answers or case details: never let a browser or proxy keep them,
        # so Back after a quick exit finds nothing. Static assets set their own caching.
        if "Cache-Control" not in response.headers:
            response.headers["Cache-Control"] = "no-store"
        return response

    return after_request


# Paths where repeated posting is how guessing works: sign-in, codes, resume and withdrawal codes.
THROTTLED_PREFIXES = ("/staff/login", "/staff/two-factor", "/resume", "/withdraw")


# Async on purpose: Litestar runs a plain function given here in a worker thread, on every request.
async def _is_guessable_post(request: Request[Any, Any, Any]) -> bool:
    return request.method == "POST" and request.url.path.startswith(THROTTLED_PREFIXES)


def sign_in_rate_limit() -> RateLimitConfig:
    return RateLimitConfig(
        rate_limit=("minute", 30),
        store="rate_limit",
        check_throttle_handler=_is_guessable_post,
        set_rate_limit_headers=False,
    )
