from pathlib import Path

from spacy.language import Language

import analysis
from analysis.nlp import build_pipeline, split_sentences


def test_components_are_registered_with_the_project_prefix() -> None:
    for name in ("consult_pii_regex", "consult_names", "consult_lowercase_lemmas"):
        assert Language.has_factory(name)


def test_rule_patterns_are_data_files_not_code() -> None:
    patterns = Path(analysis.__file__).parent / "patterns"
    assert (patterns / "redaction.yaml").is_file()
    for name in ("first_names.txt", "name_context.yaml", "vawg_services.txt", "places.txt"):
        assert (patterns / name).is_file()


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
    assert {"consult_pii_regex", "consult_names"} <= set(blank_pipeline.nlp.pipe_names)


def test_missing_trained_pipeline_falls_back_to_none(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import analysis.nlp as nlp_module

    def missing(name: str) -> object:
        raise ImportError(name)

    monkeypatch.setattr(nlp_module.importlib, "import_module", missing)
    assert nlp_module._load_trained() is None


def test_unexpected_trained_pipeline_is_not_used(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import types

    import spacy

    import analysis.nlp as nlp_module

    impostor = spacy.blank("en")
    impostor.meta["name"] = "something_else"
    fake = types.SimpleNamespace(load=lambda: impostor)
    monkeypatch.setattr(nlp_module.importlib, "import_module", lambda name: fake)
    assert nlp_module._load_trained() is None
