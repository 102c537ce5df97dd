from pathlib import Path

import pytest

from analysis.codebook import Codebook, Theme, codebook_from_dict, load_codebook, save_codebook
from analysis.errors import AnalysisError
from analysis.qdc import NAMESPACE, codebook_to_qdc, qdc_to_codebook


def sample_codebook() -> Codebook:
    return Codebook(
        name="VAWG",
        themes=[
            Theme(
                "Police response",
                "How the police responded",
                keywords=["police"],
                examples=["They never called back"],
                children=[
                    Theme("Being believed", "Believed & listened to", phrases=["believed me"])
                ],
            ),
            Theme("Education and schools", lemmas=["school", "teach"]),
        ],
    )


def test_yaml_round_trip_keeps_tree_patterns_and_examples(tmp_path: Path) -> None:
    book = sample_codebook()
    save_codebook(book, tmp_path / "c.yaml")
    loaded = load_codebook(tmp_path / "c.yaml")
    assert loaded.theme_names() == book.theme_names()
    assert loaded.themes[0].children[0].phrases == ["believed me"]
    assert loaded.themes[0].examples == ["They never called back"]
    assert loaded.parents() == {"Being believed": "Police response"}


def test_qdc_export_follows_the_refi_qda_codebook_schema() -> None:
    xml = codebook_to_qdc(sample_codebook())
    assert f'<CodeBook xmlns="{NAMESPACE}"' in xml
    assert 'isCodable="true"' in xml
    assert "<Description>Believed &amp; listened to</Description>" in xml


def test_qdc_round_trip_keeps_names_hierarchy_descriptions_and_guids(tmp_path: Path) -> None:
    book = sample_codebook()
    save_codebook(book, tmp_path / "c.qdc")
    loaded = load_codebook(tmp_path / "c.qdc")
    assert loaded.theme_names() == book.theme_names()
    assert loaded.themes[0].children[0].description == "Believed & listened to"
    assert codebook_to_qdc(loaded) == codebook_to_qdc(book)


def test_qdc_from_another_tool_without_descriptions_imports() -> None:
    xml = (
        f'<?xml version="1.0" encoding="utf-8"?><CodeBook xmlns="{NAMESPACE}"><Codes>'
        '<Code guid="0b9a4a5e-9c1e-4b8a-8c55-0d2a5c1e6f01" name="Safety" isCodable="true">'
        '<Code guid="0b9a4a5e-9c1e-4b8a-8c55-0d2a5c1e6f02" name="Online" isCodable="true"/>'
        "</Code></Codes></CodeBook>"
    )
    book = qdc_to_codebook(xml)
    assert book.theme_names() == ["Safety", "Online"]


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"themes": [{"description": "no name"}]}, "theme has no name"),
        ({"nothemes": []}, "malformed codebook"),
        ({"themes": [{"name": "A"}, {"name": "A"}]}, "unique"),
        ({"themes": [{"name": "A", "keywords": "police"}]}, "list of strings"),
    ],
)
def test_malformed_codebooks_raise_one_line_errors(raw: object, message: str) -> None:
    with pytest.raises(AnalysisError, match=message):
        codebook_from_dict(raw)


def test_qdc_with_entity_declarations_is_refused() -> None:
    with pytest.raises(AnalysisError, match="DOCTYPE"):
        qdc_to_codebook('<!DOCTYPE x [<!ENTITY a "b">]><CodeBook/>')


def test_shipped_vawg_starting_codebook_loads_and_codes() -> None:
    from analysis.rules import code_with_rules

    book = load_codebook(Path(__file__).parents[2] / "analysis/codebooks/vawg-starting.yaml")
    assert len(book.theme_names()) >= 13
    codes = code_with_rules(["Teach healthy relationships in schools"], book).codes
    assert codes.loc[0, "Education and schools"] == 1
