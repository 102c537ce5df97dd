"""Security review findings 8, 17 and 18: throttled routes mark themselves, every response
(errors and redirects too) carries the security headers, and no API description is public."""

from __future__ import annotations

import re

import pytest
from litestar import get
from litestar.testing import AsyncTestClient

from tests.conftest import post_form
from tests.surveys.conftest import load_demo


def assert_security_headers(response) -> None:  # type: ignore[no-untyped-def]
    headers = response.headers
    assert "frame-ancestors 'none'" in headers["content-security-policy"], response.status_code
    assert "script-src 'self'" in headers["content-security-policy"]
    assert headers["referrer-policy"] == "no-referrer"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["cache-control"] == "no-store"


async def test_a_404_for_an_unknown_address_carries_the_security_headers(client) -> None:
    response = await client.get("/no-such-page")
    assert response.status_code == 404
    assert_security_headers(response)


async def test_a_405_carries_the_security_headers(client) -> None:
    response = await client.get("/staff/logout")
    assert response.status_code == 405
    assert_security_headers(response)


async def test_the_redirect_to_sign_in_carries_the_security_headers(client) -> None:
    response = await client.get("/staff/users", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/staff/login"
    assert_security_headers(response)


async def test_a_403_carries_the_security_headers(client, staff) -> None:
    await staff("panel_member")
    response = await client.get("/staff/users")
    assert response.status_code == 403
    assert_security_headers(response)


async def test_a_429_carries_the_security_headers_hostile_repeated_posts(client) -> None:
    statuses = []
    for _ in range(31):
        response = await post_form(
            client, "/staff/two-factor", {"code": "000000"}, follow_redirects=False
        )
        statuses.append(response.status_code)
    assert statuses[-1] == 429
    assert_security_headers(response)


async def test_a_500_carries_the_security_headers_and_logs_no_exception_text(
    settings, capfd
) -> None:
    from app import create_app

    # Libraries quote the data they choke on (openpyxl quoted a whole answer). Kept out of the
    # raising line: tracebacks show source lines, which are code, not data.
    answer = "zebra crossing answer text"

    @get("/boom", include_in_schema=False)
    async def boom() -> str:
        raise RuntimeError(f"{answer} cannot be used in worksheets")

    app = create_app(settings)
    app.register(boom)
    # The app's log handler writes to stderr from its own thread: capture at the descriptor.
    async with AsyncTestClient(app=app, base_url="http://testserver.local") as client:
        response = await client.get("/boom")
    assert response.status_code == 500
    assert_security_headers(response)
    logged = capfd.readouterr().err
    assert "unhandled RuntimeError on GET /boom" in logged
    assert "zebra" not in logged and "zebra" not in response.text


@pytest.mark.parametrize("path", ["/schema/openapi.json", "/schema/swagger", "/schema"])
async def test_the_api_description_is_not_public(client, path: str) -> None:
    response = await client.get(path, follow_redirects=False)
    assert response.status_code in (303, 404)
    assert "/staff/" not in response.text and "swagger" not in response.text.lower()


async def test_the_api_description_is_not_shown_to_staff_either(client, staff) -> None:
    await staff("administrator")
    assert (await client.get("/schema/openapi.json")).status_code == 404


ASSET = re.compile(r"<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)=\"([^\"]+)\"", re.I)


async def test_no_page_loads_anything_from_another_site(client, settings, staff) -> None:
    slug = await load_demo(settings)
    pages = ["/", "/staff/login", f"/c/{slug}", f"/c/{slug}/resume"]
    await staff("administrator")
    pages += ["/staff", "/staff/users", "/staff/consultations"]
    for path in pages:
        response = await client.get(path)
        assert response.status_code == 200, path
        for url in ASSET.findall(response.text):
            local = url.startswith(("/", "data:")) and not url.startswith("//")
            assert local, (path, url)


THROTTLED_POSTS = {
    "sign-in": ("/staff/login", lambda n: {"email": f"guess{n}@example.org", "password": "x"}),
    "two-factor": ("/staff/two-factor", lambda n: {"code": f"{n:06d}"}),
    "two-factor set-up": ("/staff/two-factor/setup", lambda n: {"code": f"{n:06d}"}),
    "resume": ("/c/{slug}/resume", lambda n: {"code": f"CODE-{n}", "passphrase": ""}),
    "withdraw": ("/c/{slug}/withdraw", lambda n: {"code": f"CODE-{n}"}),
}


@pytest.mark.parametrize("route", list(THROTTLED_POSTS))
async def test_each_guessable_route_answers_429_after_30_posts_a_minute_hostile_guessing(
    client, settings, route: str
) -> None:
    slug = await load_demo(settings)
    path, data = THROTTLED_POSTS[route]
    url = path.format(slug=slug)
    for n in range(30):
        response = await post_form(client, url, data(n), follow_redirects=False)
        assert response.status_code != 429, (n, response.text)
    response = await post_form(client, url, data(30), follow_redirects=False)
    assert response.status_code == 429
    assert "Too many attempts. Wait a few minutes" in response.text


async def test_the_password_change_answers_429_after_30_posts_a_minute_hostile_guessing(
    client, staff
) -> None:
    await staff("researcher")
    statuses = [
        (
            await post_form(
                client,
                "/staff/account/password",
                {"current": f"wrong guess {n}", "new": "a brand new passphrase"},
            )
        ).status_code
        for n in range(31)
    ]
    assert statuses[-1] == 429
    assert statuses[0] == 400
