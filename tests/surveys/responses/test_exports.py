"""Exports downloaded with the responses page's forms and read back: the CSV zipped with its
data dictionary, XLSX with a Dictionary sheet, SPSS with variable and value labels; a
pseudonymous, stable ``response_id``; unique column names; formula neutralisation; several
survey versions; audit records; streaming in batches."""

from __future__ import annotations

import io
import secrets
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pyreadstat
from sqlalchemy import event, insert, select

from consult.consultations.models import Consultation
from consult.settings import Settings
from surveys import exports
from surveys.codes import hash_code
from surveys.models import Response, SurveyVersion
from surveys.store.versions import publish_version
from tests.conftest import db_session
from tests.surveys.responses.conftest import (
    FULL_ANSWERS,
    add_responses,
    audit_events,
    consultation_id,
    export,
    unzip_csv,
)


async def test_csv_export_is_a_zip_of_one_header_row_and_its_data_dictionary(
    client, settings, staff, survey
) -> None:
    await add_responses(settings, [FULL_ANSWERS], respondent_type="public")
    await staff("researcher")
    response = await export(client, survey)  # the form's defaults: CSV, variable names
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/zip"
    disposition = response.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="responses-all-types-')
    zip_name = disposition.split('"')[1]
    (names, row), dictionary, members = unzip_csv(response)
    stem = zip_name.removesuffix(".zip")
    assert sorted(members) == sorted([f"{stem}.csv", f"{stem}-dictionary.json"])
    cells = dict(zip(names, row, strict=True))
    assert names[:4] == ["response_id", "respondent_type", "submitted_at", "survey_version"]
    assert len(names) == len(set(names))  # one header row of unique names
    assert cells["respondent_type"] == "public" and cells["survey_version"] == "1"
    assert cells["colour"] == "red" and cells["colour_label"] == "Red"
    assert (cells["fruits__apple"], cells["fruits__pear"], cells["fruits__other"]) == (
        "1",
        "0",
        "1",
    )
    assert cells["fruits__other_text"] == "Quince"
    assert cells["mood_score"] == "4" and cells["grid__bus_label"] == "Very satisfied"
    assert (cells["words_1"], cells["words_2"], cells["words_3"]) == ("safe", "", "heard")
    # The dictionary: each question's key, type, wording, and levels in order with labels.
    questions = {q["key"]: q for q in dictionary["questions"]}
    assert dictionary["export"] == f"{stem}.csv" and dictionary["id_column"] == "response_id"
    assert questions["colour"]["type"] == "single_choice"
    assert questions["colour"]["title"] == "Colour"
    assert questions["colour"]["levels"] == [
        {"value": "red", "label": "Red"},
        {"value": "blue", "label": "Blue"},
    ]
    assert [(lv["value"], lv["score"]) for lv in questions["mood"]["levels"]] == [
        ("very_satisfied", 5), ("satisfied", 4), ("neither", 3),
        ("dissatisfied", 2), ("very_dissatisfied", 1),
    ]  # fmt: skip
    assert questions["words"]["parts"] == ["words_1", "words_2", "words_3"]
    assert [r["value"] for r in questions["grid"]["rows"]] == ["bus", "train"]
    columns = {c["name"]: c for c in dictionary["columns"]}
    assert [c["name"] for c in dictionary["columns"]] == names
    assert columns["fruits__apple"]["kind"] == "flag"
    assert columns["mood_score"]["values"][0] == {"value": 5, "label": "Very satisfied"}
    [event_] = await audit_events(settings, "responses_exported")
    assert event_.detail == {"format": "csv", "rows": 1, "header": "names"}


async def test_response_id_is_pseudonymous_stable_and_not_in_submission_order(
    client, settings, staff, survey
) -> None:
    keys = await add_responses(settings, [{"colour": "red"} for _ in range(30)])
    await staff("researcher")
    (names, *rows), _, _ = unzip_csv(await export(client, survey))
    ids = [row[names.index("response_id")] for row in rows]
    assert len(set(ids)) == 30
    assert not {str(key) for key in keys} & set(ids)  # never the database key
    assert all(i[0].isalpha() and len(i) >= 12 for i in ids)
    assert ids != sorted(ids)  # rows follow submission; the ids do not
    (names, *again), _, _ = unzip_csv(await export(client, survey))
    assert [row[names.index("response_id")] for row in again] == ids  # the same every time


async def test_the_demo_export_has_one_respondent_type_column(client, settings, staff) -> None:
    from tests.surveys.conftest import load_demo

    await load_demo(settings)
    await add_responses(
        settings, [{"respondent_type": "professional", "sector": "health"}],
        slug="community-survey", respondent_type="professional",
    )  # fmt: skip
    cid = await consultation_id(settings, "community-survey")
    await staff("researcher")
    response = await export(client, f"/staff/consultations/{cid}/responses")
    (names, row), dictionary, _ = unzip_csv(response)
    assert names.count("respondent_type") == 1 and len(names) == len(set(names))
    cells = dict(zip(names, row, strict=True))
    assert cells["respondent_type"] == "professional"
    assert cells["respondent_type_label"] == "I work or volunteer with people affected"
    question = next(q for q in dictionary["questions"] if q["key"] == "respondent_type")
    assert question["columns"] == ["respondent_type", "respondent_type_label"]


async def test_formula_cells_are_neutralised_in_csv_and_xlsx(
    client, settings, staff, survey
) -> None:
    dangerous = ["=1+1", "+44 7700", "-2+3", "@SUM(A1)", "\tx", "\rx"]
    await add_responses(settings, [{"name_of_group": text, "count": -3} for text in dangerous])
    await staff("researcher")
    (names, *rows), _, _ = unzip_csv(await export(client, survey))
    column = names.index("name_of_group")
    assert sorted(row[column] for row in rows) == sorted("'" + text for text in dangerous)
    assert {row[names.index("count")] for row in rows} == {"-3"}  # numbers stay numbers
    xlsx = await export(client, survey, format="xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content))["Responses"]
    values = list(sheet.iter_rows(values_only=True))
    header = list(values[0])
    # XML turns a carriage return into a line feed when read back; the prefix is what matters.
    cells = [str(row[header.index("name_of_group")]).replace("\n", "\r") for row in values[1:]]
    assert sorted(cells) == sorted("'" + text for text in dangerous)
    assert all(row[header.index("count")] == -3 for row in values[1:])


async def test_xlsx_has_one_header_row_a_row_per_response_and_a_dictionary_sheet(
    client, settings, staff, survey
) -> None:
    await add_responses(settings, [FULL_ANSWERS, {"colour": "blue"}])
    await staff("administrator")
    response = await export(client, survey, format="xlsx")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Responses", "Dictionary"]
    rows = list(book["Responses"].iter_rows(values_only=True))
    assert len(rows) == 3
    assert rows[0][:6] == (
        "response_id", "respondent_type", "submitted_at", "survey_version", "consent",
        "name_of_group",
    )  # fmt: skip
    described = list(book["Dictionary"].iter_rows(values_only=True))
    assert described[0] == ("variable", "question", "kind", "wording", "value", "value_label")
    assert ("colour", "colour", "code", "Colour (code)", None, None) in described
    assert ("colour", "colour", None, None, "blue", "Blue") in described
    both = await export(client, survey, format="xlsx", header="both")
    rows = list(openpyxl.load_workbook(io.BytesIO(both.content))["Responses"].iter_rows(values_only=True))  # fmt: skip
    assert rows[1][5] == "Group name" and len(rows) == 4
    events = await audit_events(settings, "responses_exported")
    assert events[0].detail == {"format": "xlsx", "rows": 2, "header": "names"}


async def test_sav_has_variable_and_value_labels(
    client, settings, staff, survey, tmp_path: Path
) -> None:
    await add_responses(settings, [FULL_ANSWERS, {"colour": "blue", "count": 7}])
    await staff("researcher")
    response = await export(client, survey, format="sav")
    assert response.status_code == 200
    path = tmp_path / "out.sav"
    path.write_bytes(response.content)
    frame, meta = pyreadstat.read_sav(str(path))
    assert len(frame) == 2
    labels = dict(zip(meta.column_names, meta.column_labels, strict=True))
    assert labels["colour"] == "Colour (code)" and labels["name_of_group"] == "Group name"
    assert "colour_label" not in meta.column_names  # value labels carry the text instead
    assert meta.variable_value_labels["colour"] == {1.0: "Red", 2.0: "Blue"}
    assert sorted(frame["colour"].tolist()) == [1.0, 2.0]
    assert meta.variable_value_labels["fruits__apple"][1.0] == "Selected"
    assert meta.variable_value_labels["mood_score"][5.0] == "Very satisfied"
    assert sorted(frame["count"].dropna().tolist()) == [3.0, 7.0]
    assert frame["response_id"].str.len().min() >= 12


def test_spss_names_follow_spss_rules() -> None:
    from surveys.exports.spss import spss_names

    assert spss_names(["1st", "a b", "ALL", "x_", "Q1", "q1"]) == [
        "v1st", "a_b", "ALLv", "x", "Q1", "q1v2",
    ]  # fmt: skip
    long = spss_names(["é" * 70])[0]
    assert len(long.encode()) <= 64 and long[0].isalpha() and not long.endswith("_")


def test_a_question_taking_a_system_column_name_gets_a_column_of_its_own() -> None:
    from surveys.definition import load_definition

    survey = load_definition("""
key: s
title: S
sections:
  - key: a
    title: A
    pages:
      - questions:
          - {key: response_id, type: short_text, title: Your reference}
          - {key: survey_version, type: number, title: Which version}
""")
    layout = exports.ExportLayout.for_versions([survey])
    assert layout.names == [
        "response_id", "respondent_type", "submitted_at", "survey_version",
        "q_response_id", "q_survey_version",
    ]  # fmt: skip
    row = layout.row(
        survey, response_id="rabc", respondent_type=None,
        submitted_at=datetime(2027, 1, 1, tzinfo=UTC), version_number=1,
        answers={"response_id": "mine", "survey_version": 4},
    )  # fmt: skip
    assert row == ["rabc", None, "2027-01-01T00:00:00Z", 1, "mine", 4]


async def test_mixed_versions_union_columns_and_label_by_each_version(
    client, settings: Settings, staff, survey
) -> None:
    await add_responses(settings, [{"colour": "red"}])
    cid = await consultation_id(settings)
    async with db_session(settings) as db:
        consultation = await db.get(Consultation, cid)
        first = await db.scalar(select(SurveyVersion).where(SurveyVersion.number == 1))
        assert consultation is not None and first is not None
        definition: dict[str, Any] = {**first.definition}
        questions = definition["sections"][0]["pages"][2]["questions"]
        questions[0] = {**questions[0], "title": "Favourite colour",
                        "options": [{"value": "red", "label": "Crimson"},
                                    {"value": "blue", "label": "Blue"}]}  # fmt: skip
        questions.append({"key": "extra", "type": "short_text", "title": "New question"})
        await db.run_sync(lambda s: publish_version(s.connection(), consultation.id, definition))
        await db.commit()
    await add_responses(settings, [{"colour": "red", "extra": "new"}], version_number=2)
    await staff("researcher")
    (names, wording, old, new), dictionary, _ = unzip_csv(
        await export(client, survey, header="both")
    )
    assert wording[names.index("colour_label")] == "Favourite colour"  # newest heading
    assert old[names.index("colour_label")] == "Red" and old[names.index("survey_version")] == "1"
    assert new[names.index("colour_label")] == "Crimson" and new[names.index("extra")] == "new"
    assert old[names.index("extra")] == ""
    colour = next(q for q in dictionary["questions"] if q["key"] == "colour")
    assert colour["title"] == "Favourite colour" and colour["levels"][0]["label"] == "Crimson"


async def insert_many(settings: Settings, total: int) -> None:
    cid = await consultation_id(settings)
    async with db_session(settings) as db:
        version_id = await db.scalar(select(SurveyVersion.id))
        now = datetime.now(UTC)
        await db.execute(
            insert(Response),
            [
                {
                    "consultation_id": cid,
                    "version_id": version_id,
                    "answers": {"story": f"answer {n}", "colour": "red"},
                    "submitted_at": now,
                    "withdrawal_code_hash": hash_code(secrets.token_hex(10)),
                }
                for n in range(total)
            ],
        )
        await db.commit()


async def test_csv_is_read_in_batches_as_it_streams(client, settings: Settings, survey) -> None:
    cid = await consultation_id(settings)
    total, batch = 2_000, 250
    await insert_many(settings, total)
    async with db_session(settings) as db:
        selects: list[str] = []
        event.listen(
            db.get_bind(),
            "before_cursor_execute",
            lambda *args: selects.append(args[2]) if "survey_response" in args[2] else None,
        )
        layout = await exports.layout_for(db, cid)
        chunks = exports.csv_chunks(layout, exports.read_rows(db, cid, layout, batch_size=batch))
        header = await anext(chunks)
        assert header.startswith("response_id,respondent_type,")
        first = await anext(chunks)
        # One batch read so far, and the first chunk holds exactly that batch.
        assert len(selects) == 1 and first.count("\r\n") == batch
        rest = [chunk async for chunk in chunks]
        assert len(rest) == total // batch - 1
        assert len(selects) == total // batch + 1  # the last query finds nothing
        # The ZIP streams the same way: a chunk per batch, never the whole CSV at once.
        selects.clear()
        zipped = exports.zip_chunks(
            "x", layout, exports.read_rows(db, cid, layout, batch_size=batch)
        )
        parts = [chunk async for chunk in zipped]
        assert len(parts) >= total // batch and len(selects) == total // batch + 1
        with zipfile.ZipFile(io.BytesIO(b"".join(parts))) as archive:
            assert archive.read("x.csv").decode().count("\r\n") == total + 1
            assert sorted(archive.namelist()) == ["x-dictionary.json", "x.csv"]


async def filtered_responses(settings: Settings) -> None:
    await add_responses(
        settings,
        [{**FULL_ANSWERS, "story": "Private words about Alex"}],
        respondent_type="professional",
        submitted_at=datetime(2027, 1, 10, 12, tzinfo=UTC),
    )
    await add_responses(
        settings,
        [{"colour": "blue", "story": "Nothing changed"}, {"colour": "red"}],
        respondent_type="public",
        submitted_at=datetime(2027, 2, 10, 12, tzinfo=UTC),
    )


async def test_export_these_responses_holds_only_the_rows_the_list_filters_find(
    client, settings, staff, survey
) -> None:
    await filtered_responses(settings)
    await staff("researcher")
    from tests.forms import open_page

    find = (await open_page(client, survey)).form("Find")
    listed = await find.fill(
        respondent_type="public", answer="colour=red",
        submitted_from="2027-02-01", submitted_to="2027-02-28",
    ).submit(client)  # fmt: skip
    # The filtered list offers "Export these responses" carrying its filters in hidden fields.
    assert "Export these 1 response" in listed.text
    assert '<input type="hidden" name="answer" value="colour=red">' in listed.text
    assert "Export all responses" in listed.text
    page = str(listed.url).removeprefix("http://testserver.local")
    (names, *rows), _, _ = unzip_csv(await export(client, survey, "filtered", page=page))
    assert [(r[names.index("respondent_type")], r[names.index("colour")]) for r in rows] == [
        ("public", "red")
    ]
    (names, *rows), _, _ = unzip_csv(
        await export(client, survey, "filtered", page=f"{survey}?search=alex")
    )
    assert [r[names.index("story")] for r in rows] == ["Private words about Alex"]
    everything, _, _ = unzip_csv(await export(client, survey, page=page))
    assert len(everything) == 4  # "export all" still exports every response
    xlsx = await export(client, survey, "filtered", page=f"{survey}?respondent_type=professional", format="xlsx")  # fmt: skip
    assert len(list(openpyxl.load_workbook(io.BytesIO(xlsx.content))["Responses"].iter_rows())) == 2
    filtered, searched, unfiltered, by_type = await audit_events(settings, "responses_exported")
    assert filtered.detail["rows"] == 1 and filtered.detail["filters"] == {
        "respondent_type": "public", "submitted_from": "2027-02-01",
        "submitted_to": "2027-02-28", "answer": "colour=red",
    }  # fmt: skip
    # A search is recorded as used, never its words (they may name someone).
    assert searched.detail["filters"] == {"search": True} and searched.detail["rows"] == 1
    assert "alex" not in str(searched.detail).lower()
    assert "filters" not in unfiltered.detail and unfiltered.detail["rows"] == 3
    assert by_type.detail["filters"] == {"respondent_type": "professional"}


async def test_a_bad_date_filter_is_refused_in_a_hand_built_export_address(
    client, staff, survey
) -> None:
    await staff("researcher")
    listed = await client.get(survey, params={"submitted_from": "31/02/2027"})
    assert 'id="export-filtered"' not in listed.text  # the page offers no export of it
    response = await client.get(f"{survey}/export", params={"submitted_from": "31/02/2027"})
    assert response.status_code in (400, 422) and "From date must be a real date" in response.text
