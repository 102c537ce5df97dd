"""Sign-in, two-factor set-up, sign-out and password change for staff and panel members."""

from __future__ import annotations

import base64
import hashlib
import uuid
from typing import Any

import segno
from cryptography.fernet import Fernet, InvalidToken
from litestar import Controller, Request, get, post
from litestar.datastructures import FormMultiDict
from litestar.response import Redirect, Template
from litestar.stores.base import Store
from sqlalchemy.ext.asyncio import AsyncSession

from consult import audit
from consult.accounts.models import User
from consult.accounts.service import UserService
from consult.accounts.throttle import LoginThrottle
from consult.auth import (
    PENDING_KEY,
    keep_session_after_password_change,
    session_matches,
    sign_in,
    start_second_factor,
)
from consult.errors import Invalid
from consult.forms import FormErrors, text
from consult.permissions import Permission, requires
from consult.security import THROTTLED

SETUP_KEY = "totp_setup"
SIGN_IN_FAILED = "Enter a correct email address and password"


def code_problem(code: str) -> str:
    """Why a security code was refused: its shape, or (six digits) that it was not right."""
    digits = "".join(ch for ch in code if ch.isdigit())
    if len(digits) != 6:
        return "Enter the 6-digit code from your authenticator app, like 123456"
    return (
        "That code is not right. Enter the code your authenticator app shows now "
        "(each code works once, for about 30 seconds)"
    )


LOCKED = "Too many failed attempts. Wait 15 minutes and try again."


def _throttle(request: Request[Any, Any, Any]) -> LoginThrottle:
    settings = request.app.state["settings"]
    store: Store = request.app.stores.get("throttle")
    return LoginThrottle(
        store, attempts=settings.login_attempts, window_seconds=settings.login_window
    )


def _fernet(request: Request[Any, Any, Any]) -> Fernet:
    secret = request.app.state["settings"].secret_key
    return Fernet(
        base64.urlsafe_b64encode(hashlib.sha256(f"totp-setup:{secret}".encode()).digest())
    )


def _seal(request: Request[Any, Any, Any], secret: str) -> str:
    """The new TOTP seed as it waits in the session during enrolment: encrypted with the
    deployment's key, like the stored seed, so a copy of the session store reveals nothing."""
    return _fernet(request).encrypt(secret.encode()).decode()


def _unseal(request: Request[Any, Any, Any], sealed: Any) -> str | None:
    if not isinstance(sealed, str) or not sealed:
        return None
    try:
        return _fernet(request).decrypt(sealed.encode()).decode()
    except InvalidToken:
        return None


async def _pending_user(request: Request[Any, Any, Any], db: AsyncSession) -> User | None:
    raw = request.session.get(PENDING_KEY) if request.session else None
    if not raw:
        return None
    try:
        user = await db.get(User, uuid.UUID(str(raw)))
    except ValueError:
        return None
    secret = request.app.state["settings"].secret_key
    return user if session_matches(request.session, user, secret) else None


class SignInController(Controller):
    path = "/staff"
    include_in_schema = False

    @get("/login", name="login")
    async def login_form(self) -> Template:
        return Template("staff/login.html", context={"errors": {}, "values": {}})

    @post("/login", opt=THROTTLED)
    async def login(
        self, request: Request[Any, Any, Any], form: FormMultiDict, db_session: AsyncSession
    ) -> Template | Redirect:
        errors = FormErrors()
        email = text(form, "email", "Email address", errors, max_length=320, required=True)
        password = str(form.get("password", ""))[:1024]
        if not password:
            errors.add("password", "Enter your password")
        if errors:
            return Template(
                "staff/login.html",
                context={"errors": errors.messages, "values": {"email": email}},
                status_code=400,
            )
        throttle = _throttle(request)
        if not await throttle.attempt(email):
            return Template(
                "staff/login.html",
                context={"errors": {"email": LOCKED}, "values": {"email": email}},
                status_code=429,
            )
        service = UserService(session=db_session)
        user = await service.authenticate(email, password)
        if user is None:
            audit.record(db_session, "sign_in_failed", detail={})
            # A 4xx rolls the request back; a failed attempt must stay on record regardless.
            await db_session.commit()
            return Template(
                "staff/login.html",
                context={"errors": {"email": SIGN_IN_FAILED}, "values": {"email": email}},
                status_code=400,
            )
        await throttle.reset(email)
        settings = request.app.state["settings"]
        if not settings.require_two_factor and not user.totp_enabled:
            sign_in(request, user)
            audit.record(db_session, "sign_in", actor=user)
            return Redirect("/staff", status_code=303)
        start_second_factor(request, user)
        return Redirect(
            "/staff/two-factor" if user.totp_enabled else "/staff/two-factor/setup", status_code=303
        )

    @get("/two-factor", name="two_factor")
    async def code_form(
        self, request: Request[Any, Any, Any], db_session: AsyncSession
    ) -> Template | Redirect:
        if await _pending_user(request, db_session) is None:
            return Redirect("/staff/login", status_code=303)
        return Template("staff/two_factor.html", context={"errors": {}})

    @post("/two-factor", opt=THROTTLED)
    async def check_code(
        self, request: Request[Any, Any, Any], form: FormMultiDict, db_session: AsyncSession
    ) -> Template | Redirect:
        user = await _pending_user(request, db_session)
        if user is None or not user.totp_enabled or not user.totp_secret:
            return Redirect("/staff/login", status_code=303)
        throttle = _throttle(request)
        if not await throttle.attempt(user.email, "totp"):
            return Template(
                "staff/two_factor.html", context={"errors": {"code": LOCKED}}, status_code=429
            )
        code = str(form.get("code", ""))[:20]
        if not UserService.verify_totp(user, user.totp_secret, code):
            audit.record(db_session, "two_factor_failed", actor=user)
            await db_session.commit()
            return Template(
                "staff/two_factor.html",
                context={"errors": {"code": code_problem(code)}},
                status_code=400,
            )
        await throttle.reset(user.email, "totp")
        sign_in(request, user)
        audit.record(db_session, "sign_in", actor=user)
        return Redirect("/staff", status_code=303)

    @get("/two-factor/setup", name="two_factor_setup")
    async def setup_form(
        self, request: Request[Any, Any, Any], db_session: AsyncSession
    ) -> Template | Redirect:
        user = await _pending_user(request, db_session)
        if user is None or user.totp_enabled:
            return Redirect("/staff/login", status_code=303)
        sealed = _unseal(request, request.session.get(SETUP_KEY))
        secret = sealed or UserService.new_totp_secret()
        request.session[SETUP_KEY] = _seal(request, secret)
        return self._setup_page(user, secret, {})

    @post("/two-factor/setup", opt=THROTTLED)
    async def setup(
        self, request: Request[Any, Any, Any], form: FormMultiDict, db_session: AsyncSession
    ) -> Template | Redirect:
        user = await _pending_user(request, db_session)
        secret = _unseal(request, request.session.get(SETUP_KEY) if request.session else None)
        if user is None or user.totp_enabled or not secret:
            return Redirect("/staff/login", status_code=303)
        code = str(form.get("code", ""))[:20]
        if not UserService.verify_totp(user, secret, code):
            return self._setup_page(user, secret, {"code": code_problem(code)}, 400)
        user.totp_secret = secret
        user.totp_enabled = True
        audit.record(
            db_session, "two_factor_enabled", actor=user, object_type="user", object_id=user.id
        )
        sign_in(request, user)
        return Redirect("/staff", status_code=303)

    @staticmethod
    def _setup_page(user: User, secret: str, errors: dict[str, str], status: int = 200) -> Template:
        uri = UserService.provisioning_uri(user, secret)
        qr_svg = segno.make(uri, error="m").svg_inline(
            scale=5, title="QR code for your authenticator app"
        )
        # Shown as one word, exactly as authenticator apps and pyotp take it (no spaces).
        return Template(
            "staff/two_factor_setup.html",
            context={"qr_svg": qr_svg, "secret": secret, "errors": errors},
            status_code=status,
        )

    @post("/logout", name="logout", guards=[requires(Permission.USE_STAFF_AREA)])
    async def logout(self, request: Request[Any, Any, Any], db_session: AsyncSession) -> Redirect:
        audit.record(db_session, "sign_out", actor=request.user)
        request.clear_session()
        return Redirect("/staff/login", status_code=303)

    @get("/account/password", name="change_password", guards=[requires(Permission.USE_STAFF_AREA)])
    async def password_form(self) -> Template:
        return Template("staff/change_password.html", context={"errors": {}, "done": False})

    @post("/account/password", guards=[requires(Permission.USE_STAFF_AREA)], opt=THROTTLED)
    async def change_password(
        self, request: Request[Any, Any, Any], form: FormMultiDict, db_session: AsyncSession
    ) -> Template:
        service = UserService(session=db_session)
        user = await db_session.merge(request.user)
        # Guessing the current password here is guessing a sign-in: the same atomic count.
        throttle = _throttle(request)
        if not await throttle.attempt(user.email, "password"):
            return Template(
                "staff/change_password.html",
                context={"errors": {"current": LOCKED}, "done": False},
                status_code=429,
            )
        try:
            await service.change_password(
                user, str(form.get("current", ""))[:1024], str(form.get("new", ""))[:1024]
            )
        except Invalid as exc:
            return Template(
                "staff/change_password.html",
                context={"errors": {"new": exc.message}, "done": False},
                status_code=400,
            )
        # Every other session of this account ends; this one carries on.
        keep_session_after_password_change(request, user)
        audit.record(
            db_session, "password_changed", actor=user, object_type="user", object_id=user.id
        )
        # Committed first: on SQLite this session holds the write lock the reset needs.
        await db_session.commit()
        await throttle.reset(user.email, "password")
        return Template("staff/change_password.html", context={"errors": {}, "done": True})
