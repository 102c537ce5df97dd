"""Adding a question type is adding one class: a throwaway free-text type, defined here and
registered only for these tests, is offered and edited by the builder, imported from a table,
exported (CSV, XLSX, SPSS) with its measure, and stripped at the end of retention, without a
line of the app knowing its name (docs/adding-a-question-type.md).

The type subclasses ``QuestionType`` directly, not a text type, so nothing can treat it right
by inheritance: every step asks the class."""

from __future__ import annotations

import io
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar

import openpyxl
import pyreadstat
import pytest
from sqlalchemy import select, update

from consult.consultations.models import Consultation
from surveys.definition import QUESTION_TYPES, Answer, load_definition
from surveys.definition.answers import NOT_ANSWERED
from surveys.definition.questions.base import ExportCell, Form, QuestionType, form_text
from surveys.definition.questions.exporting import TEXT, ExportColumn
from surveys.definition.questions.registry import register, unregister
from surveys.definition.questions.settings import Setting, limit
from surveys.exports.layout import ExportLayout
from surveys.models import Response
from surveys.retention import apply_retention
from tests.conftest import db_session
from tests.forms import open_page, submit_page
from tests.surveys.builder.conftest import (
    add_question,
    draft_definition,
    make_consultation,
    press,
)
from tests.surveys.responses.conftest import audit_events, export, unzip_csv


@dataclass(frozen=True, kw_only=True)
class Account(QuestionType):
    """An account in the respondent's own words, with a limit staff choose."""

    type_name: ClassVar[str] = "testimony"
    type_label: ClassVar[str] = "Testimony (a test type)"
    holds_free_text: ClassVar[bool] = True
    schema: ClassVar[dict[str, Any]] = {
        "properties": {
            "max_length": {"type": "integer", "minimum": 1, "maximum": 20000},
            "sensitive": {"type": "boolean"},
        }
    }
    settings: ClassVar[tuple[Setting, ...]] = (
        limit("max_length", "Character limit", "Character limit"),
        Setting(name="sensitive", label="Answers may be sensitive", widget="tick"),
    )

    max_length: int = 1000
    sensitive: bool = True
    rows: int = 8  # the long text template's box height

    @property
    def template(self) -> str:
        return "surveys/questions/long_text.html"

    def parse(self, form: Form) -> tuple[Answer, list[str]]:
        text = form_text(form, self.field_name)
        return (text or None), self.validate(text or None)

    def validate(self, value: Answer) -> list[str]:
        if value is None:
            return []
        if not isinstance(value, str):
            return ["Enter your account as text"]
        return [] if len(value) <= self.max_length else ["Your account is too long"]

    def summarise(self, value: Answer) -> str:
        return value if isinstance(value, str) and value else NOT_ANSWERED

    def free_text(self, value: Answer) -> str | None:
        return value if isinstance(value, str) and value else None

    def export_columns(self) -> list[ExportColumn]:
        return [ExportColumn(self.key, self.title, TEXT)]

    def export(self, value: Answer) -> dict[str, ExportCell]:
        return {self.key: value if isinstance(value, str) and value else None}


@pytest.fixture
def testimony() -> Iterator[type[QuestionType]]:
    """The type registered for one test and removed after it, so other tests see the usual
    registry (the builder test walks every registered type)."""
    register(Account)
    try:
        yield Account
    finally:
        unregister(Account.type_name)


ACCOUNT = "They did not believe me; I kept going back"


def test_the_registration_is_undone_and_cannot_clash(testimony) -> None:
    assert "testimony" in QUESTION_TYPES
    with pytest.raises(ValueError, match="already registered"):
        register(Account)


def test_the_type_is_gone_after_its_test() -> None:
    assert "testimony" not in QUESTION_TYPES
    with pytest.raises(Exception, match="unknown question type 'testimony'"):
        load_definition(
            "key: s\ntitle: S\nsections: [{key: a, title: A, pages: [{questions: "
            "[{key: t, type: testimony, title: T}]}]}]"
        )


def test_export_layout_takes_kind_and_measure_from_the_type(testimony) -> None:
    survey = load_definition(
        "key: s\ntitle: S\nsections: [{key: a, title: A, pages: [{questions: "
        "[{key: account, type: testimony, title: Your account, max_length: 50}]}]}]"
    )
    [column] = [c for c in ExportLayout.for_versions([survey]).columns if c.question_key]
    assert (column.name, column.kind, column.measure) == ("account", "text", "nominal")
    assert column.options is None and column.flag_label is None


async def build_and_publish(client: Any, settings: Any) -> str:
    """Through the builder's pages: a new survey (it starts with a consent page), a testimony
    question added from the type list, then edited; published. Returns the consultation's responses address."""
    base = await make_consultation(settings)
    await press(client, base, "Create survey")
    await press(client, base, "Add section", {"section_title": "All", "section_key": "all"})
    await press(client, base, "Add page to All")
    builder = await open_page(client, base)
    assert "testimony" in builder.form(action="/sections/all/pages/1/questions/new").options("kind")
    added = await add_question(
        client, base, "all", 1, "testimony",
        {"key": "account", "title": "Your account", "max_length": "300"},
        follow_redirects=False,
    )  # fmt: skip
    assert added.status_code == 303, added.text
    edit = await open_page(client, f"{base}/questions/account")
    assert "Testimony (a test type)" in edit.text
    saved = await submit_page(client, edit, "Save question", {"max_length": "250", "sensitive": []})
    assert saved.status_code == 200, saved.text
    question = [
        q for s in (await draft_definition(settings, base))["sections"]
        for p in s["pages"] for q in p["questions"] if q["key"] == "account"
    ]  # fmt: skip
    assert question == [
        {"key": "account", "type": "testimony", "title": "Your account", "max_length": 250,
         "sensitive": False},
    ]  # fmt: skip
    bad = await submit_page(client, await open_page(client, f"{base}/questions/account"),
                            "Save question", {"max_length": "lots"})  # fmt: skip
    assert bad.status_code == 400 and "Character limit must be a whole number" in bad.text
    published = await press(client, base, "Publish version 1")
    assert published.status_code == 200, published.text
    return base.removesuffix("/survey") + "/responses"


async def import_account(client: Any, responses: str) -> Any:
    listing = await open_page(client, responses)
    link = listing.soup.find("a", string="Import responses gathered elsewhere")["href"]
    form = (await open_page(client, link)).form("Upload")
    form.attach("file", "paper.csv", f'Your account\r\n"{ACCOUNT}"\r\n'.encode())
    mapping = await form.submit(client, follow_redirects=True)
    assert 'value="account" selected' in mapping.text  # heading matched the wording
    preview = await submit_page(client, mapping, "Preview", {"respondent_type": "public"})
    assert "All 1 rows can be imported" in preview.text, preview.text
    return await submit_page(client, preview, "Import 1 response", follow_redirects=False)


async def stored_answers(settings: Any) -> list[dict[str, Any]]:
    async with db_session(settings) as db:
        return [r.answers for r in await db.scalars(select(Response))]


async def test_an_added_type_is_built_imported_exported_and_stripped(
    testimony, client, settings, staff, tmp_path: Path
) -> None:
    await staff("researcher")
    responses = await build_and_publish(client, settings)

    done = await import_account(client, responses)
    assert done.status_code == 303, done.text
    assert await stored_answers(settings) == [{"account": ACCOUNT}]

    rows, dictionary, _ = unzip_csv(await export(client, responses, format="csv"))
    assert rows[1][rows[0].index("account")] == ACCOUNT
    [column] = [c for c in dictionary["columns"] if c["name"] == "account"]
    assert column["kind"] == "text"
    [entry] = [q for q in dictionary["questions"] if q["key"] == "account"]
    assert entry["type"] == "testimony"

    xlsx = await export(client, responses, format="xlsx")
    sheet = list(openpyxl.load_workbook(io.BytesIO(xlsx.content))["Responses"].iter_rows(values_only=True))  # fmt: skip
    assert sheet[1][list(sheet[0]).index("account")] == ACCOUNT

    path = tmp_path / "out.sav"
    path.write_bytes((await export(client, responses, format="sav")).content)
    frame, meta = pyreadstat.read_sav(str(path))
    assert frame["account"].tolist() == [ACCOUNT]
    assert meta.variable_measure["account"] == "nominal"
    assert (
        dict(zip(meta.column_names, meta.column_labels, strict=True))["account"] == "Your account"
    )

    await strip_after_retention(settings, responses)
    assert await stored_answers(settings) == [{}]
    [event] = await audit_events(settings, "retention_applied")
    assert event.detail["answers_free_text_removed"] == 1
    assert "believe" not in str(event.detail)


async def strip_after_retention(settings: Any, responses: str) -> None:
    cid = responses.split("/")[3]
    closed = datetime(2026, 1, 1, tzinfo=UTC)
    async with db_session(settings) as db:
        await db.execute(
            update(Consultation)
            .where(Consultation.id == uuid.UUID(cid))
            .values(closes_at=closed, retention_days=30)
        )
        await db.commit()
    async with db_session(settings) as db:
        await apply_retention(
            db, datetime(2026, 3, 2, tzinfo=UTC), dry_run=False, data_dir=settings.data_dir
        )
        await db.commit()


async def test_an_added_type_is_asked_checked_and_saved_on_the_respondent_pages(
    testimony, client, settings, staff
) -> None:
    from litestar.testing import AsyncTestClient

    from app import create_app
    from tests.surveys.conftest import answer, begin, update_consultation

    await staff("researcher")
    await build_and_publish(client, settings)
    await update_consultation(settings, "spring-survey", status="open")
    # A second browser: a respondent, not the signed-in staff member.
    app = create_app(settings)
    async with AsyncTestClient(app=app, base_url="http://testserver.local") as respondent:
        page = await begin(respondent, "/c/spring-survey")
        while "q-account" not in page.text:  # any section start page before the question
            page = await answer(respondent, page)
        too_long = await answer(respondent, page, {"q-account": "x" * 251})
        assert too_long.status_code == 422 and "Your account is too long" in too_long.text
        check = await answer(respondent, too_long, {"q-account": ACCOUNT})
        assert "Your account" in check.text and ACCOUNT in check.text  # check your answers
        done = await answer(respondent, check, button="Send my answers")
        assert done.url.path == "/c/spring-survey/done"
    assert await stored_answers(settings) == [{"consent": "yes", "account": ACCOUNT}]
