"""The findings report in a real browser: a researcher assembles a report and previews it, an
administrator signs it off and publishes the "you said, we did" page with an action, and a
member of the public reaches it from the home page; axe-core on every page."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pyotp
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_no_axe_violations, demo_server

pytestmark = pytest.mark.browser
PASSWORD = "correct horse battery staple"
ACCOUNTS = {
    "researcher": ("report-researcher@example.org", pyotp.random_base32()),
    "administrator": ("report-admin@example.org", pyotp.random_base32()),
}
SEED = """
import asyncio, sys
from sqlalchemy import select
from consult.accounts.service import UserService
from consult.consultations.models import Consultation
from consult.db import build_alchemy_config, build_engine
from consult.settings import load_settings

async def main():
    settings = load_settings()
    engine = build_engine(settings, for_migrations=True)
    async with build_alchemy_config(settings, engine).get_session() as db:
        for role, email, secret in zip(sys.argv[2::3], sys.argv[3::3], sys.argv[4::3]):
            user = await UserService(session=db).create_user(
                email=email, name=role, role=role, password=sys.argv[1]
            )
            user.totp_secret, user.totp_enabled = secret, True
        print((await db.scalar(select(Consultation))).id)
        await db.commit()
    await engine.dispose()

asyncio.run(main())
"""


@pytest.fixture(scope="module")
def report_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """The app with the demo (responses coded) and two staff accounts with known TOTP secrets;
    (base URL, consultation id)."""
    args = [part for role, (email, secret) in ACCOUNTS.items() for part in (role, email, secret)]
    with demo_server(tmp_path_factory, "report-browser", ["-c", SEED, PASSWORD, *args]) as served:
        yield served


def new_page(browser: Any, base: str) -> Any:
    """A page in a fresh context that records every request it makes."""
    context = browser.new_context(base_url=base, bypass_csp=True)
    page = context.new_page()
    page.requested = []
    context.on("request", lambda request: page.requested.append(request.url))
    return page


def only_local(page: Any, base: str) -> None:
    # axe is injected from a local file; everything else must come from the app itself.
    foreign = [url for url in page.requested if not url.startswith(base)]
    assert not foreign, foreign


def signed_in(browser: Any, base: str, role: str) -> Any:
    page = new_page(browser, base)
    email, secret = ACCOUNTS[role]
    page.goto("/staff/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Security code").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Continue").click()
    expect(
        page.get_by_role("button", name="Sign out")
        .or_(page.get_by_role("link", name="Sign out"))
        .first
    ).to_be_visible()
    return page


def add_section(page: Any, kind_label: str, fill: Any) -> None:
    page.get_by_label("Kind of section").select_option(label=kind_label)
    page.get_by_role("button", name="Add section").click()
    expect(page.get_by_role("heading", name="Edit section")).to_be_visible()
    assert_no_axe_violations(page)
    fill(page)
    page.get_by_role("button", name="Save section").click()
    expect(page.get_by_role("heading", name="Findings report", exact=True)).to_be_visible()


def test_a_report_is_assembled_signed_off_published_and_read_by_the_public(
    browser: Any, report_server: tuple[str, str]
) -> None:
    base, consultation_id = report_server
    report = f"/staff/consultations/{consultation_id}/analysis/report"

    researcher = signed_in(browser, base, "researcher")
    researcher.goto(report)
    assert_no_axe_violations(researcher)
    add_section(
        researcher,
        "Heading grouping the sections below it",
        lambda p: p.get_by_label("Heading").fill("Supporting Victims"),
    )
    add_section(
        researcher,
        "Who responded",
        lambda p: p.get_by_label("What is your age?").check(),
    )
    add_section(
        researcher,
        "Narrative (Markdown)",
        lambda p: p.get_by_label("Narrative (Markdown; HTML is shown as text)").fill(
            "We heard from **many** people."
        ),
    )
    assert_no_axe_violations(researcher)
    researcher.goto(f"{report}/preview")
    expect(researcher.get_by_role("heading", name="Who responded")).to_be_visible()
    assert researcher.get_by_role("heading", name="Supporting Victims").count() == 1
    assert researcher.get_by_text("DRAFT").count() >= 1
    assert_no_axe_violations(researcher)
    assert researcher.get_by_role("button", name="Sign off version 1").count() == 0
    only_local(researcher, base)
    researcher.context.close()

    admin = signed_in(browser, base, "administrator")
    admin.goto(report)
    admin.get_by_role("button", name="Sign off version 1").click()
    expect(admin.get_by_text("Version 1 signed off")).to_be_visible()
    admin.get_by_role("link", name="Public page and actions").click()
    expect(admin.get_by_role("heading", name="We asked, you said, we did")).to_be_visible()
    assert_no_axe_violations(admin)
    admin.get_by_label("Summary of what people said (Markdown)").fill("You told us about support.")
    admin.get_by_label("Publish the page (linked from the home page)").check()
    admin.get_by_role("button", name="Save page").click()
    admin.locator("#new-text").fill("Shorter waits for counselling")
    admin.locator("#new-owner").fill("Health partnership")
    admin.locator("#new-due").fill("2027-06-30")
    admin.get_by_role("button", name="Add action").click()
    expect(admin.get_by_role("button", name="Save action 1")).to_be_visible()
    assert_no_axe_violations(admin)
    admin.context.close()

    public = new_page(browser, base)
    public.goto("/")
    public.get_by_role("link", name="what you told us").click()
    expect(public.get_by_role("heading", name="We asked, you said, we did")).to_be_visible()
    assert public.url.endswith("/you-said")
    assert public.get_by_text("You told us about support.").count() == 1
    assert public.get_by_role("cell", name="Health partnership").count() == 1
    assert public.get_by_role("link", name="Exit this page").count() >= 1
    assert_no_axe_violations(public)
    only_local(public, base)
    public.context.close()
