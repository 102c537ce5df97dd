"""A researcher's coding path in a real browser: start a coding run, edit a theme, code five
answers in the queue by keyboard, double-code a sample with a colleague and see kappa, choose
and confirm a quote; axe-core finds nothing on any page on the way."""

from __future__ import annotations

import textwrap
import time
from collections.abc import Iterator
from typing import Any

import pyotp
import pytest

from tests.browser.conftest import CHROMIUM, assert_no_axe_violations, demo_server

pytestmark = pytest.mark.browser

CODERS = {
    "first@example.org": "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP",
    "second@example.org": "KRSXG5CTMVRXEZLUKRSXG5CTMVRXEZLU",
}
PASSWORD = "a long browser test passphrase"

SEED = textwrap.dedent(
    """
    import asyncio, hashlib, uuid
    from datetime import UTC, datetime, timedelta
    from sqlalchemy import select
    from consult.accounts.service import UserService
    from consult.consultations.models import Consultation
    from consult.db import build_alchemy_config
    from consult.settings import get_settings
    from surveys.store.versions import current_version
    from surveys.models import Response

    TEXTS = [
        "The police did not believe me and nobody called me back",
        "More refuge spaces and housing support for women leaving",
        "Education in schools about healthy relationships and consent",
        "Better street lighting and more police patrols at night",
        "Counselling waiting lists are far too long",
        "Training for GPs so they spot coercive control",
        "Teach boys about respect in schools",
        "The court process took two years and I felt ignored",
    ]

    async def main():
        config = build_alchemy_config(get_settings())
        async with config.get_session() as db:
            consultation = await db.scalar(select(Consultation))
            version = await db.run_sync(lambda s: current_version(s.connection(), consultation.id))
            start = datetime.now(UTC) - timedelta(days=1)
            for n, text in enumerate(TEXTS):
                db.add(Response(
                    consultation_id=consultation.id, version_id=version.id,
                    respondent_type="victim_survivor" if n % 2 else "professional",
                    answers={"prevention": text}, submitted_at=start + timedelta(minutes=n),
                    withdrawal_code_hash=hashlib.sha256(uuid.uuid4().bytes).hexdigest()))
            for email, secret in CODERS.items():
                user = await UserService(session=db).create_user(
                    email=email, name=email, role="researcher", password=PASSWORD)
                user.totp_secret = secret
                user.totp_enabled = True
            await db.commit()
        await config.get_engine().dispose()

    asyncio.run(main())
    """
)


@pytest.fixture(scope="module")
def coding_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app with the demo, eight answers to code and two researchers, over real HTTP."""
    if not CHROMIUM.exists():
        pytest.skip("needs Debian's chromium")
    seed = f"CODERS = {CODERS!r}\nPASSWORD = {PASSWORD!r}\n{SEED}"
    with demo_server(tmp_path_factory, "coding-browser", ["-c", seed]) as (base, _):
        yield base


@pytest.fixture
def researcher(browser: Any, coding_server: str) -> Iterator[Any]:
    context = browser.new_context(base_url=coding_server, bypass_csp=True)
    page = context.new_page()
    yield page
    context.close()


def sign_in(page: Any, email: str) -> None:
    page.goto("/staff/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("button:has-text('Sign in')")
    page.fill("#code", pyotp.TOTP(CODERS[email]).now())
    page.click("button:has-text('Continue')")
    page.wait_for_selector("text=Sign out")


def wait_for_done(page: Any, url: str) -> None:
    for _ in range(300):
        page.goto(url)
        if page.locator("text=Running").count() == 0 and page.locator("text=Queued").count() == 0:
            return
        time.sleep(0.2)
    raise AssertionError("the coding job did not finish")


def code_by_keyboard(page: Any, keys: list[str]) -> None:
    """On a queue item: press the keys, then N to save and go on."""
    for key in keys:
        page.keyboard.press(key)
    with page.expect_navigation():
        page.keyboard.press("n")


def code_until_done(page: Any, keys: Any) -> int:
    """Code every answer the queue offers; how many there were."""
    n = 0
    while page.locator("#coding-form").count():
        code_by_keyboard(page, keys(n))
        n += 1
        assert n <= 10
    assert page.locator("text=Nothing left to code").count() == 1
    return n


def test_a_researcher_codes_double_codes_and_confirms_a_quote(researcher: Any) -> None:
    page = researcher
    sign_in(page, "first@example.org")
    page.click("a:has-text('Consultations')")
    page.locator("main a").filter(has_text="Call for Evidence").first.click()
    consultation = page.url.rstrip("/").rsplit("/", 1)[1]
    coding = f"/staff/consultations/{consultation}/analysis/coding"
    page.goto(coding)
    assert_no_axe_violations(page)
    page.click("button:has-text('Code all answers to What more could be done')")
    wait_for_done(page, coding)
    assert page.locator("text=Suggested themes for").count() == 1

    # Edit a theme in the codebook.
    page.goto(f"{coding}/prevention/codebook")
    assert_no_axe_violations(page)
    page.locator("summary").first.click()
    page.locator("textarea[name=description]").first.fill("Edited in the browser")
    with page.expect_navigation():
        page.locator("button:has-text('Save theme')").first.click()
    page.wait_for_selector("td:has-text('Edited in the browser')")

    # Code five answers by keyboard.
    page.goto(f"{coding}/prevention/queue?order=received")
    assert_no_axe_violations(page)
    for n in range(5):
        code_by_keyboard(page, ["1"] if n % 2 else [])
    page.goto(coding)
    row = page.locator("tbody tr").filter(has_text="What more could be done")
    assert row.locator("td").nth(1).inner_text() == "5"

    # Double coding: draw a sample of four, code it blind, then a colleague does too.
    page.goto(f"{coding}/prevention/agreement")
    assert_no_axe_violations(page)
    page.fill("#size", "4")
    page.click("button:has-text('Draw sample')")
    page.click("a:has-text('Code the sample')")
    assert_no_axe_violations(page)
    # Answers this coder coded already are not asked again.
    code_until_done(page, lambda n: ["1"] if n < 2 else [])
    page.click("button:has-text('Sign out')")
    sign_in(page, "second@example.org")
    page.goto(f"{coding}/prevention/queue?sample=1&order=received")
    assert code_until_done(page, lambda n: ["1"] if n in (0, 3) else []) == 4
    page.goto(f"{coding}/prevention/agreement")
    assert page.locator("#alpha").count() == 1
    assert page.locator("#kappa tbody tr").count() >= 1
    assert_no_axe_violations(page)

    # Themes, then choose a quote and confirm its redaction.
    page.goto(f"/staff/consultations/{consultation}/analysis/themes?question=prevention")
    assert_no_axe_violations(page)
    page.locator("#theme-table a:has-text('Quotes')").first.click()
    assert_no_axe_violations(page)
    page.locator("button:has-text('Choose this quote')").first.click()
    assert_no_axe_violations(page)
    with page.expect_navigation():
        page.click("button:has-text('Confirm this redaction')")
    page.wait_for_selector("text=Confirmed")
    assert_no_axe_violations(page)
