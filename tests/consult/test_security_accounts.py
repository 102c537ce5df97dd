"""Security review findings 1-6: accounts and sessions (docs/security.md)."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import os
import stat
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from pathlib import Path

import httpx
import pyotp
import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import select

from consult.db import StoreItem
from tests.conftest import (
    create_user,
    csrf_token,
    db_session,
    service_reachable,
    sign_in,
    skip_or_fail,
)
from tests.forms import open_page, submit, submit_page


def _redis_settings(settings):  # type: ignore[no-untyped-def]
    if not service_reachable("127.0.0.1", 6379):
        skip_or_fail("Redis is not reachable on 127.0.0.1:6379")
    # A Redis database of this test's own, emptied first: counters of other runs never meet it.
    return replace(settings, redis_url="redis://127.0.0.1:6379/14")


@asynccontextmanager
async def served(settings) -> AsyncIterator[str]:  # type: ignore[no-untyped-def]
    """The app behind a real HTTP server on this event loop: requests sent at once are
    handled at once (the test client's transport handles one request at a time)."""
    import uvicorn

    from app import create_app

    config = uvicorn.Config(
        create_app(settings), host="127.0.0.1", port=0, lifespan="on", log_level="warning"
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        assert not task.done(), "the server did not start"
        await asyncio.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


@pytest.fixture(params=["database", "redis"])
async def any_store_settings(request, settings):  # type: ignore[no-untyped-def]
    """Settings keeping sessions and counters in the database, or in Redis."""
    if request.param == "database":
        return settings
    settings = _redis_settings(settings)
    import redis.asyncio as redis

    server = redis.Redis.from_url(settings.redis_url)
    try:
        await server.flushdb()  # database 14 is this test's own
    finally:
        await server.aclose()
    return settings


# 1. Sign-in lock under concurrent guesses -------------------------------------------------


async def test_guesses_sent_at_once_still_lock_after_five_hostile_concurrent_posts(
    any_store_settings,
) -> None:
    from consult.accounts.service import UserService

    settings = any_store_settings
    email, password = f"{uuid.uuid4().hex[:8]}@example.org", "correct horse battery staple"
    async with db_session(settings) as db:
        await UserService(session=db).create_user(
            email=email, name="Admin", role="administrator", password=password
        )
        await db.commit()
    async with served(settings) as base, httpx.AsyncClient(base_url=base) as client:
        await client.get("/staff/login")
        token = str(client.cookies.get("csrf"))
        guesses = [f"wrong guess number {n}" for n in range(24)]
        guesses[20] = password

        async def post(guess: str) -> httpx.Response:
            return await client.post(
                "/staff/login",
                data={"_csrf_token": token, "email": email, "password": guess},
                follow_redirects=False,
            )

        responses = await asyncio.gather(*(post(guess) for guess in guesses))
        statuses = [r.status_code for r in responses]
        # Exactly five attempts were checked, whichever arrived first; the rest were locked.
        assert statuses.count(429) == 19, statuses
        assert sum(1 for s in statuses if s in (400, 303)) == 5, statuses
        if responses[20].status_code == 303:
            # The right password was among the first five checked: within the limit.
            assert statuses.count(400) == 4, statuses
        # Sent alone afterwards, the right password is still refused while locked.
        response = await post(password)
        assert response.status_code == 429 and "Too many failed attempts" in response.text


# 2. What a copy of the store or the data folder gives away ---------------------------------


async def test_the_store_keeps_a_keyed_hash_of_session_ids_not_the_ids(
    client, staff, settings
) -> None:
    await staff("administrator")
    session_id = client.cookies.get("session")
    async with db_session(settings) as db:
        keys = (await db.scalars(select(StoreItem.key))).all()
    expected = hmac.new(
        settings.secret_key.encode(), session_id.encode(), hashlib.sha256
    ).hexdigest()
    assert expected in keys
    assert session_id not in keys
    # And a key copied from the store is not a session a browser can present.
    client.cookies.set("session", expected)
    assert (await client.get("/staff", follow_redirects=False)).status_code == 303


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_data_folder_database_files_and_secret_key_are_private(
    tmp_path: Path, monkeypatch
) -> None:
    from app import create_app
    from consult import migrate
    from consult.settings import load_settings

    data_dir = tmp_path / "fresh" / "data"
    monkeypatch.setenv("CONSULT_DATA_DIR", str(data_dir))
    monkeypatch.delenv("CONSULT_SECRET_KEY", raising=False)
    monkeypatch.delenv("CONSULT_DATABASE_URL", raising=False)
    old_umask = os.umask(0o022)  # the usual default, which made the files world-readable
    try:
        settings = load_settings()
        migrate.upgrade(settings)

        async def serve_and_look() -> list[Path]:
            async with AsyncTestClient(app=create_app(settings)) as client:
                assert (await client.get("/")).status_code == 200
                # While the app runs, the database has its -wal and -shm companions.
                return sorted(data_dir.iterdir())

        files = asyncio.run(serve_and_look())
    finally:
        os.umask(old_umask)
    assert _mode(data_dir) == 0o700
    names = [p.name for p in files]
    assert {"consult.sqlite3", "consult.sqlite3-wal", "secret-key"} <= set(names), names
    for path in files:
        if path.exists():
            assert _mode(path) == 0o600, (path, oct(_mode(path)))


async def test_the_new_totp_seed_is_not_in_clear_text_in_the_session(client, settings) -> None:
    from consult.accounts.service import UserService

    email = f"enrol-{uuid.uuid4().hex[:6]}@example.org"
    async with db_session(settings) as db:
        await UserService(session=db).create_user(
            email=email, name="New", role="researcher", password="correct horse battery staple"
        )
        await db.commit()
    response = await submit(
        client,
        "/staff/login",
        "Sign in",
        {"email": email, "password": "correct horse battery staple"},
    )
    assert response.status_code == 200 and "two-factor" in str(response.url)
    page = await open_page(client, "/staff/two-factor/setup")
    shown = page.soup.find(string=lambda s: s and len(s.replace(" ", "").strip()) == 32)
    seed = str(shown).replace(" ", "").strip()
    pyotp.TOTP(seed).now()  # it is the seed
    async with db_session(settings) as db:
        values = (await db.scalars(select(StoreItem.value))).all()
    assert values and not any(seed.encode() in bytes(v) for v in values)
    # Enrolment still works with the code from the shown seed.
    done = await submit_page(client, page.response, "Turn on", {"code": pyotp.TOTP(seed).now()})
    assert done.status_code == 200 and "Sign out" in done.text


# 3. A password change ends the account's other sessions; the current password is throttled --


async def _second_sign_in(client, account) -> None:  # type: ignore[no-untyped-def]
    """Sign in again (another device) with the next 30-second code: codes are single-use."""
    response = await submit(
        client,
        "/staff/login",
        "Sign in",
        {"email": account["email"], "password": account["password"]},
    )
    code = pyotp.TOTP(account["secret"]).at(time.time() + 30)
    response = await submit_page(client, response, "Continue", {"code": code})
    assert "Sign out" in response.text


async def test_changing_the_password_signs_out_every_other_session(client) -> None:
    account = await create_user(client, "researcher")
    await sign_in(client, account)
    other_device = client.cookies.get("session")
    client.cookies.clear()
    await _second_sign_in(client, account)
    response = await submit(
        client,
        "/staff/account/password",
        "Change password",
        {"current": account["password"], "new": "an entirely new passphrase 42"},
    )
    assert response.status_code == 200 and "Password changed" in response.text
    # This session carries on ...
    assert (await client.get("/staff", follow_redirects=False)).status_code == 200
    # ... the other device's does not.
    this_device = client.cookies.get("session")
    client.cookies.set("session", other_device)
    assert (await client.get("/staff", follow_redirects=False)).status_code == 303
    client.cookies.set("session", this_device)
    assert (await client.get("/staff", follow_redirects=False)).status_code == 200


async def test_guessing_the_current_password_locks_like_sign_in(client, staff) -> None:
    account = await staff("researcher")
    for n in range(5):
        response = await submit(
            client,
            "/staff/account/password",
            "Change password",
            {"current": f"wrong guess {n}", "new": "an entirely new passphrase 42"},
        )
        assert response.status_code == 400
    response = await submit(
        client,
        "/staff/account/password",
        "Change password",
        {"current": account["password"], "new": "an entirely new passphrase 42"},
    )
    assert response.status_code == 429
    assert "Too many failed attempts" in response.text


# 4. One password policy on every path -----------------------------------------------------


@pytest.mark.parametrize("password", ["aaaaaaaaaaaaaaa", " " * 15, "abababababababab"])
async def test_an_administrator_cannot_create_an_account_with_a_degenerate_password(
    client, staff, settings, password: str
) -> None:
    await staff("administrator")
    response = await submit(
        client,
        "/staff/users/new",
        "Add user",
        {"email": "weak@example.org", "name": "Weak", "role": "researcher", "password": password},
    )
    assert response.status_code == 400
    assert "Password must not" in response.text
    async with db_session(settings) as db:
        from consult.accounts.models import User

        assert await db.scalar(select(User).where(User.email == "weak@example.org")) is None


async def test_a_password_change_to_a_repeated_character_is_refused(client, staff) -> None:
    account = await staff("researcher")
    response = await submit(
        client,
        "/staff/account/password",
        "Change password",
        {"current": account["password"], "new": "zzzzzzzzzzzzzzzzzz"},
    )
    assert response.status_code == 400 and "must not repeat" in response.text


def test_the_cli_refuses_a_degenerate_password(tmp_path: Path) -> None:
    env = {**os.environ, "CONSULT_DATA_DIR": str(tmp_path), "CONSULT_DATABASE_URL": ""}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "consult", *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    assert run("migrate").returncode == 0
    weak = run(
        "create-user", "--email", "w@example.org", "--role", "researcher",
        "--password", "               ",
    )  # fmt: skip
    assert weak.returncode == 2
    assert weak.stderr.strip() == "error: Password must not be only spaces"


# 5. A CSRF token from before sign-in does not work after it --------------------------------


async def test_an_anonymous_csrf_token_does_not_work_with_the_signed_in_session(client) -> None:
    account = await create_user(client, "administrator")
    login = await open_page(client, "/staff/login")
    anonymous_token = login.form("Sign in").values[0][1]
    assert anonymous_token == csrf_token(client)
    await sign_in(client, account)
    response = await client.post(
        "/staff/users/new",
        data={
            "_csrf_token": anonymous_token,
            "email": "planted@example.org",
            "name": "Planted",
            "role": "administrator",
            "password": "a planted account passphrase",
        },
    )
    assert response.status_code == 403
    # The signed-in pages carry a new token, which works.
    created = await submit(
        client,
        "/staff/users/new",
        "Add user",
        {
            "email": "real@example.org",
            "name": "Real",
            "role": "researcher",
            "password": "a real account passphrase",
        },
    )
    assert created.status_code == 200 and "real@example.org" in created.text


async def test_signing_out_ends_the_csrf_cookie_too(client, staff) -> None:
    await staff("researcher")
    page = await open_page(client, "/staff")
    response = await page.form("Sign out").submit(client, follow_redirects=False)
    cookies = response.headers.get_list("set-cookie")
    assert any(c.startswith("csrf=") and "Max-Age=0" in c for c in cookies), cookies


# 6. Clearing a session, and the respondent cookie's lifetime -------------------------------


async def test_signing_out_clears_the_session_cookie_with_max_age_zero(client, staff) -> None:
    await staff("researcher")
    page = await open_page(client, "/staff")
    response = await page.form("Sign out").submit(client, follow_redirects=False)
    cookie = next(c for c in response.headers.get_list("set-cookie") if c.startswith("session="))
    assert "Max-Age=0" in cookie and "28800" not in cookie


async def test_the_respondent_cookie_lives_no_longer_than_the_idle_timeout(
    client, settings
) -> None:
    from tests.surveys.conftest import load_demo

    slug = await load_demo(settings)
    await open_page(client, f"/c/{slug}")
    await open_page(client, f"/c/{slug}/safety")
    page = await open_page(client, f"/c/{slug}/consent")
    response = (
        await page.form("Continue")
        .fill({"q-consent": "yes"})
        .submit(client, follow_redirects=False)
    )
    cookie = next(c for c in response.headers.get_list("set-cookie") if c.startswith("session="))
    assert f"Max-Age={settings.respondent_idle_timeout}" in cookie, cookie
    # Deleting the answers clears it at once.
    page = await open_page(client, response.headers["location"])
    deleted = await page.form(action=f"/c/{slug}/delete").submit(client, follow_redirects=False)
    cookie = next(c for c in deleted.headers.get_list("set-cookie") if c.startswith("session="))
    assert "Max-Age=0" in cookie
