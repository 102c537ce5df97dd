from pathlib import Path

from analysis.codebook import codebook_from_dict
from analysis.corpus import TextCache, process_texts
from analysis.rules import RuleMatcher, code_with_rules

BOOK = codebook_from_dict(
    {
        "themes": [
            {
                "name": "Police",
                "keywords": ["police", "officer"],
                "children": [{"name": "Believed", "phrases": ["believed me", "listened to"]}],
            },
            {"name": "Waiting", "lemmas": ["wait"]},
            {"name": "Courts", "token_patterns": [[{"LOWER": "court"}, {"LOWER": "delays"}]]},
        ]
    }
)


def test_rules_are_multi_label_and_keep_matched_evidence() -> None:
    result = code_with_rules(["The officers waited and court delays followed"], BOOK)
    assert result.codes.iloc[0].to_dict() == {"Police": 1, "Believed": 0, "Waiting": 1, "Courts": 1}
    evidence = dict(zip(result.evidence["theme"], result.evidence["evidence"], strict=True))
    assert evidence == {"Police": "officers", "Waiting": "waited", "Courts": "court delays"}


def test_sub_theme_match_also_codes_its_parent() -> None:
    result = code_with_rules(["Nobody believed me"], BOOK)
    assert result.codes.iloc[0][["Police", "Believed"]].tolist() == [1, 1]


def test_matching_is_case_insensitive_and_uses_lemmas() -> None:
    result = code_with_rules(["WAITING for POLICE"], BOOK)
    assert result.codes.iloc[0][["Police", "Waiting"]].tolist() == [1, 1]


def test_unmatched_and_blank_responses_get_no_codes() -> None:
    result = code_with_rules(["Nothing to add", ""], BOOK)
    assert result.codes.to_numpy().sum() == 0


def test_recoding_after_a_codebook_edit_reuses_cached_tokens(tmp_path: Path) -> None:
    texts = ["The police never called", "I waited a year"]
    cache = TextCache(tmp_path)
    processed = process_texts(texts, cache)
    cache.save()
    reloaded = TextCache(tmp_path)
    assert len(reloaded.entries) == 2
    edited = codebook_from_dict({"themes": [{"name": "Calls", "lemmas": ["call"]}]})
    again = process_texts(texts, reloaded)
    assert not reloaded.dirty  # nothing needed parsing again
    assert again == processed
    assert RuleMatcher(edited).code(again).codes["Calls"].tolist() == [1, 0]
