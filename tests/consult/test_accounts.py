"""Staff sign-in: passwords, two-factor codes, throttling, sessions."""

from __future__ import annotations

import re

import pyotp
from argon2 import PasswordHasher
from sqlalchemy import select

from consult.accounts.models import User
from consult.audit import AuditEvent
from tests.conftest import create_user, db_session, post_form, sign_in

SAME_MESSAGE = "Enter a correct email address and password"


async def test_sign_in_needs_password_and_current_totp_code(client) -> None:
    account = await create_user(client, "researcher")
    await sign_in(client, account)
    page = await client.get("/staff/consultations")
    assert page.status_code == 200
    assert "Sign out" in page.text


async def test_unknown_user_and_wrong_password_get_the_same_message(client) -> None:
    account = await create_user(client, "researcher")
    wrong = await post_form(
        client, "/staff/login", {"email": account["email"], "password": "not the password at all"}
    )
    unknown = await post_form(
        client,
        "/staff/login",
        {"email": "nobody@example.org", "password": "not the password at all"},
    )
    assert wrong.status_code == unknown.status_code == 400
    assert SAME_MESSAGE in wrong.text and SAME_MESSAGE in unknown.text


async def test_password_alone_does_not_open_the_staff_area(client) -> None:
    account = await create_user(client, "administrator")
    response = await post_form(
        client, "/staff/login", {"email": account["email"], "password": account["password"]}
    )
    assert "Enter your security code" in response.text
    blocked = await client.get("/staff/consultations")
    assert "Sign in" in blocked.text and "Sign out" not in blocked.text


async def test_wrong_totp_code_is_refused(client) -> None:
    account = await create_user(client, "researcher")
    await post_form(
        client, "/staff/login", {"email": account["email"], "password": account["password"]}
    )
    response = await post_form(client, "/staff/two-factor", {"code": "000000"})
    assert response.status_code == 400
    assert "6-digit code" in response.text


async def test_a_totp_code_cannot_be_used_twice(client) -> None:
    account = await create_user(client, "researcher")
    code = pyotp.TOTP(account["secret"]).now()
    await post_form(
        client, "/staff/login", {"email": account["email"], "password": account["password"]}
    )
    assert (await post_form(client, "/staff/two-factor", {"code": code})).status_code == 200
    await post_form(client, "/staff/logout", {})
    await post_form(
        client, "/staff/login", {"email": account["email"], "password": account["password"]}
    )
    replay = await post_form(client, "/staff/two-factor", {"code": code})
    assert replay.status_code == 400


async def test_new_account_must_enrol_an_authenticator_app_at_first_sign_in(
    client, settings
) -> None:
    from consult.accounts.service import UserService

    async with db_session(settings) as db:
        await UserService(session=db).create_user(
            email="new@example.org",
            name="New",
            role="researcher",
            password="long enough passphrase here",
        )
        await db.commit()
    response = await post_form(
        client,
        "/staff/login",
        {"email": "new@example.org", "password": "long enough passphrase here"},
    )
    assert "Set up two-factor authentication" in response.text
    assert "<svg" in response.text  # QR code rendered in the page, not fetched from anywhere
    secret = (
        re.search(r'class="consult-secret">([A-Z2-7 ]+)<', response.text).group(1).replace(" ", "")
    )
    done = await post_form(client, "/staff/two-factor/setup", {"code": pyotp.TOTP(secret).now()})
    assert "Sign out" in done.text
    async with db_session(settings) as db:
        user = await db.scalar(select(User).where(User.email == "new@example.org"))
        assert user.totp_enabled and user.totp_secret == secret


async def test_five_failures_lock_the_account_name_even_for_the_right_password(client) -> None:
    account = await create_user(client, "researcher")
    for _ in range(5):
        await post_form(
            client, "/staff/login", {"email": account["email"], "password": "wrong password guess"}
        )
    locked = await post_form(
        client, "/staff/login", {"email": account["email"], "password": account["password"]}
    )
    assert locked.status_code == 429
    assert "Too many failed attempts" in locked.text


async def test_throttling_applies_to_names_that_do_not_exist_too(client) -> None:
    for _ in range(5):
        await post_form(
            client,
            "/staff/login",
            {"email": "ghost@example.org", "password": "wrong password guess"},
        )
    locked = await post_form(
        client, "/staff/login", {"email": "ghost@example.org", "password": "anything at all"}
    )
    assert locked.status_code == 429


async def test_sign_in_issues_a_new_session_id(client) -> None:
    account = await create_user(client, "researcher")
    await post_form(
        client, "/staff/login", {"email": account["email"], "password": account["password"]}
    )
    before = client.cookies.get("session")
    await post_form(client, "/staff/two-factor", {"code": pyotp.TOTP(account["secret"]).now()})
    after = client.cookies.get("session")
    assert before and after and before != after


async def test_sign_out_ends_the_session(client, staff) -> None:
    await staff("researcher")
    await post_form(client, "/staff/logout", {})
    page = await client.get("/staff/consultations")
    assert "Sign out" not in page.text


async def test_change_password_refuses_common_and_short_passwords(client, staff) -> None:
    account = await staff("researcher")
    common = await post_form(
        client, "/staff/account/password", {"current": account["password"], "new": "password1234"}
    )
    assert common.status_code == 400 and "too common" in common.text
    short = await post_form(
        client, "/staff/account/password", {"current": account["password"], "new": "short"}
    )
    assert short.status_code == 400 and "12 characters or more" in short.text
    ok = await post_form(
        client,
        "/staff/account/password",
        {"current": account["password"], "new": "a new and perfectly long passphrase"},
    )
    assert ok.status_code == 200 and "Password changed" in ok.text


async def test_old_weaker_hash_is_upgraded_at_sign_in(client, settings) -> None:
    account = await create_user(client, "researcher")
    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(account["password"])
    async with db_session(settings) as db:
        user = await db.scalar(select(User).where(User.email == account["email"]))
        user.password_hash = weak
        await db.commit()
    await sign_in(client, account)
    async with db_session(settings) as db:
        user = await db.scalar(select(User).where(User.email == account["email"]))
        assert user.password_hash != weak
        assert "m=19456,t=2,p=1" in user.password_hash and user.password_hash.startswith(
            "$argon2id$"
        )


async def test_sign_in_and_failures_are_audited(client, settings) -> None:
    account = await create_user(client, "researcher")
    await post_form(
        client, "/staff/login", {"email": account["email"], "password": "wrong password guess"}
    )
    await sign_in(client, account)
    async with db_session(settings) as db:
        actions = [e.action for e in (await db.execute(select(AuditEvent))).scalars()]
    assert "sign_in_failed" in actions and "sign_in" in actions


async def test_an_unchanged_session_is_not_written_again(client) -> None:
    account = await create_user(client, "researcher")
    await sign_in(client, account)
    first = await client.get("/staff/consultations")
    second = await client.get("/staff/consultations")
    assert first.status_code == second.status_code == 200
    assert "session=" not in second.headers.get("set-cookie", "")


async def test_staff_are_signed_out_after_the_idle_timeout(client, settings) -> None:
    from dataclasses import replace

    from litestar.testing import AsyncTestClient

    from app import create_app

    async with AsyncTestClient(
        app=create_app(replace(settings, staff_idle_timeout=-1)), base_url="http://testserver.local"
    ) as idle_client:
        account = await create_user(idle_client, "researcher")
        await post_form(
            idle_client,
            "/staff/login",
            {"email": account["email"], "password": account["password"]},
        )
        await post_form(
            idle_client, "/staff/two-factor", {"code": pyotp.TOTP(account["secret"]).now()}
        )
        page = await idle_client.get("/staff/consultations")
        assert "Sign out" not in page.text
