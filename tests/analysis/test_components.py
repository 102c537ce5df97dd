from pathlib import Path

from spacy.language import Language

import analysis
from analysis.nlp import build_pipeline, split_sentences


def test_components_are_registered_with_the_project_prefix() -> None:
    for name in ("consult_pii_regex", "consult_name_cues", "consult_lowercase_lemmas"):
        assert Language.has_factory(name)


def test_rule_patterns_are_data_files_not_code() -> None:
    patterns = Path(analysis.__file__).parent / "patterns"
    assert (patterns / "redaction.yaml").is_file()
    assert (patterns / "name_cues.jsonl").is_file()


def test_blank_pipeline_lemmatises_with_lookup_tables_and_lower_cases() -> None:
    nlp = build_pipeline("fast").nlp
    assert [t.lemma_ for t in nlp("Schools went Waiting")] == ["school", "go", "wait"]


def test_pipeline_builder_is_cached() -> None:
    assert build_pipeline("fast") is build_pipeline("fast")


def test_sentences_are_split() -> None:
    assert split_sentences(["I left. Then I came back! ok"]) == [
        ["I left.", "Then I came back!", "ok"]
    ]


def test_blank_full_pipeline_has_redaction_components(blank_pipeline) -> None:  # type: ignore[no-untyped-def]
    assert not blank_pipeline.trained
    assert {"consult_pii_regex", "consult_name_cues"} <= set(blank_pipeline.nlp.pipe_names)
