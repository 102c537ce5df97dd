"""Staff sign-in through the forms the pages render: passwords, two-factor codes, throttling,
sessions, password change."""

from __future__ import annotations

import re

import pyotp
from argon2 import PasswordHasher
from sqlalchemy import select

from consult.accounts.models import User
from consult.audit import AuditEvent
from tests.conftest import create_user, db_session, sign_in
from tests.forms import submit, submit_page

SAME_MESSAGE = "Enter a correct email address and password"


async def log_in(client, email: str, password: str):
    return await submit(client, "/staff/login", "Sign in", {"email": email, "password": password})


async def enter_code(client, page, code: str):
    return await submit_page(client, page, "Continue", {"code": code})


async def sign_out(client):
    return await submit(client, "/staff", "Sign out")


async def test_sign_in_needs_password_and_current_totp_code(client) -> None:
    account = await create_user(client, "researcher")
    await sign_in(client, account)
    page = await client.get("/staff/consultations")
    assert page.status_code == 200
    assert "Sign out" in page.text


async def test_unknown_user_and_wrong_password_get_the_same_message(client) -> None:
    account = await create_user(client, "researcher")
    wrong = await log_in(client, account["email"], "not the password at all")
    unknown = await log_in(client, "nobody@example.org", "not the password at all")
    assert wrong.status_code == unknown.status_code == 400
    assert SAME_MESSAGE in wrong.text and SAME_MESSAGE in unknown.text


async def test_password_alone_does_not_open_the_staff_area(client) -> None:
    account = await create_user(client, "administrator")
    response = await log_in(client, account["email"], account["password"])
    assert "Enter your security code" in response.text
    blocked = await client.get("/staff/consultations")
    assert "Sign in" in blocked.text and "Sign out" not in blocked.text


async def test_a_wrong_totp_code_is_called_wrong_and_a_malformed_one_malformed(client) -> None:
    account = await create_user(client, "researcher")
    page = await log_in(client, account["email"], account["password"])
    right = pyotp.TOTP(account["secret"]).now()
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    response = await enter_code(client, page, wrong)
    assert response.status_code == 400
    assert "That code is not right" in response.text
    response = await enter_code(client, response, "12345")
    assert response.status_code == 400
    assert "Enter the 6-digit code from your authenticator app" in response.text
    assert "not right" not in response.text


async def test_a_totp_code_cannot_be_used_twice(client) -> None:
    account = await create_user(client, "researcher")
    code = pyotp.TOTP(account["secret"]).now()
    page = await log_in(client, account["email"], account["password"])
    assert (await enter_code(client, page, code)).status_code == 200
    await sign_out(client)
    page = await log_in(client, account["email"], account["password"])
    replay = await enter_code(client, page, code)
    assert replay.status_code == 400 and "not right" in replay.text


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
    response = await log_in(client, "new@example.org", "long enough passphrase here")
    assert "Set up two-factor authentication" in response.text
    assert "<svg" in response.text  # QR code rendered in the page, not fetched from anywhere
    # The key is shown exactly as pyotp and authenticator apps take it: no spaces to remove.
    secret = re.search(r'class="consult-secret">([^<]+)<', response.text).group(1)
    assert re.fullmatch(r"[A-Z2-7]{32}", secret), secret
    wrong = await submit_page(client, response, "Turn on two-factor authentication", {"code": "000000"})  # fmt: skip
    assert wrong.status_code == 400 and "not right" in wrong.text
    done = await submit_page(
        client, wrong, "Turn on two-factor authentication", {"code": pyotp.TOTP(secret).now()}
    )
    assert "Sign out" in done.text
    async with db_session(settings) as db:
        user = await db.scalar(select(User).where(User.email == "new@example.org"))
        assert user.totp_enabled and user.totp_secret == secret


async def test_five_failures_lock_the_account_name_even_for_the_right_password(client) -> None:
    account = await create_user(client, "researcher")
    for _ in range(5):
        await log_in(client, account["email"], "wrong password guess")
    locked = await log_in(client, account["email"], account["password"])
    assert locked.status_code == 429
    assert "Too many failed attempts" in locked.text


async def test_throttling_applies_to_names_that_do_not_exist_too(client) -> None:
    for _ in range(5):
        await log_in(client, "ghost@example.org", "wrong password guess")
    locked = await log_in(client, "ghost@example.org", "anything at all")
    assert locked.status_code == 429


async def test_sign_in_issues_a_new_session_id(client) -> None:
    account = await create_user(client, "researcher")
    page = await log_in(client, account["email"], account["password"])
    before = client.cookies.get("session")
    await enter_code(client, page, pyotp.TOTP(account["secret"]).now())
    after = client.cookies.get("session")
    assert before and after and before != after


async def test_sign_out_ends_the_session(client, staff) -> None:
    await staff("researcher")
    await sign_out(client)
    page = await client.get("/staff/consultations")
    assert "Sign out" not in page.text


async def test_change_password_refuses_common_and_short_passwords(client, staff) -> None:
    account = await staff("researcher")

    async def change(new: str):
        return await submit(
            client, "/staff/account/password", "Change password",
            {"current": account["password"], "new": new},
        )  # fmt: skip

    common = await change("password1234")
    assert common.status_code == 400 and "too common" in common.text
    short = await change("short")
    assert short.status_code == 400 and "12 characters or more" in short.text
    ok = await change("a new and perfectly long passphrase")
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
    await log_in(client, account["email"], "wrong password guess")
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
        page = await log_in(idle_client, account["email"], account["password"])
        await enter_code(idle_client, page, pyotp.TOTP(account["secret"]).now())
        page = await idle_client.get("/staff/consultations")
        assert "Sign out" not in page.text


async def test_administrators_add_a_user_with_the_form(client, staff) -> None:
    await staff("administrator")
    listing = await submit(
        client, "/staff/users/new", "Add user",
        {"email": "new@example.org", "name": "New Person", "role": "researcher",
         "password": "a long enough passphrase"},
    )  # fmt: skip
    assert listing.url.path == "/staff/users"
    assert "new@example.org" in listing.text and "Researcher" in listing.text
    assert "Not set up" in listing.text  # two-factor is set up at the first sign-in
