from pathlib import Path

from analysis.codebook import codebook_from_dict
from analysis.corpus import TextCache, process_texts
from analysis.rules import MatchStore, Pattern, code_processed, code_with_rules

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
    assert code_processed(again, edited).codes["Calls"].tolist() == [1, 0]


def test_codebook_edit_matches_only_new_patterns_and_gives_fresh_results(
    tmp_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    import analysis.rules as rules

    texts = ["The officers waited", "court delays again", "nothing"]
    processed = process_texts(texts)
    first = code_processed(processed, BOOK, MatchStore(tmp_path, processed))
    edited = codebook_from_dict(
        {
            "themes": [
                {
                    "name": "Police",
                    "keywords": ["police", "officer"],
                    "children": [{"name": "Believed", "phrases": ["believed me"]}],
                },
                {"name": "Waiting", "lemmas": ["wait", "delay"]},
                {"name": "Courts", "token_patterns": [[{"LOWER": "court"}, {"LOWER": "delays"}]]},
            ]
        }
    )
    compiled: list[list[Pattern]] = []
    original = rules.PatternMatcher.__init__

    def spy(self, patterns):  # type: ignore[no-untyped-def]
        compiled.append(list(patterns))
        original(self, patterns)

    monkeypatch.setattr(rules.PatternMatcher, "__init__", spy)
    again = code_processed(processed, edited, MatchStore(tmp_path, processed))
    assert compiled == [[Pattern("lemma", "delay")]]
    assert again.codes.equals(code_with_rules(texts, edited).codes)
    assert first.codes["Waiting"].tolist() == [1, 0, 0]
    assert again.codes["Waiting"].tolist() == [1, 1, 0]
    assert Pattern("lemma", "delay").key in MatchStore(tmp_path, processed).entries
