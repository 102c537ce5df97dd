"""CSRF on every form, security headers on every response, no stray cookies."""

from __future__ import annotations

from sqlalchemy import func, select

from consult.accounts.models import User
from tests.conftest import create_user, csrf_token, db_session, post_form


async def test_a_form_post_without_the_csrf_token_is_refused_clearly(client) -> None:
    account = await create_user(client, "researcher")
    await client.get("/staff/login")
    response = await client.post(
        "/staff/login", data={"email": account["email"], "password": account["password"]}
    )
    assert response.status_code == 403
    assert "This form has expired" in response.text


async def test_a_wrong_csrf_token_writes_nothing(client, staff, settings) -> None:
    await staff("administrator")
    async with db_session(settings) as db:
        before = await db.scalar(select(func.count()).select_from(User))
    response = await client.post(
        "/staff/users/new",
        data={
            "_csrf_token": "forged",
            "email": "new@example.org",
            "name": "New",
            "role": "researcher",
            "password": "long enough passphrase",
        },
    )
    assert response.status_code == 403
    async with db_session(settings) as db:
        assert await db.scalar(select(func.count()).select_from(User)) == before


async def test_every_page_sends_the_security_headers(client) -> None:
    response = await client.get("/")
    headers = response.headers
    assert "script-src 'self'" in headers["content-security-policy"]
    assert "'unsafe-inline'" not in headers["content-security-policy"]
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert headers["referrer-policy"] == "no-referrer"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["cache-control"] == "no-store"
    assert "strict-transport-security" not in headers  # plain HTTP here


async def test_hsts_is_sent_when_served_over_tls(settings) -> None:
    from dataclasses import replace

    from litestar.testing import AsyncTestClient

    from app import create_app

    async with AsyncTestClient(
        app=create_app(replace(settings, secure_cookies=True))
    ) as tls_client:
        response = await tls_client.get("/healthz")
    assert "max-age=" in response.headers["strict-transport-security"]


async def test_a_visitor_who_only_reads_gets_no_session_cookie(client) -> None:
    response = await client.get("/")
    assert "session=" not in response.headers.get("set-cookie", "")


async def test_pages_contain_no_inline_script(client) -> None:
    for path in ("/", "/staff/login"):
        html = (await client.get(path)).text
        assert "<script>" not in html and " onclick=" not in html
        assert "<script src=" in html or '<script type="module" src=' in html


async def test_csrf_cookie_is_http_only_and_strict(client) -> None:
    response = await client.get("/staff/login")
    cookie = response.headers["set-cookie"]
    assert "csrf=" in cookie and "HttpOnly" in cookie and "SameSite=strict" in cookie
    assert csrf_token(client)


async def test_oversized_form_field_gets_a_message_not_an_error(client, staff) -> None:
    await staff("administrator")
    response = await post_form(
        client,
        "/staff/users/new",
        {
            "email": "a@example.org",
            "name": "N" * 5000,
            "role": "researcher",
            "password": "long enough passphrase",
        },
    )
    assert response.status_code == 400
    assert "Name must be 200 characters or fewer" in response.text


async def test_an_oversized_body_is_refused_with_413(client) -> None:
    await client.get("/staff/login")
    response = await client.post(
        "/staff/login", data={"_csrf_token": csrf_token(client), "email": "x" * (3 * 1024 * 1024)}
    )
    assert response.status_code == 413
    assert "larger than this service accepts" in response.text
