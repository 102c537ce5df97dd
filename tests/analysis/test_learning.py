import numpy as np
import pandas as pd
import pytest

from analysis.codebook import codebook_from_dict
from analysis.coding import code_responses
from analysis.errors import AnalysisError
from analysis.learning import fit_theme_model

POLICE = ["the police ignored my call", "officers never came", "police did not believe me"]
SCHOOL = ["teach children in school", "education at school", "lessons for pupils in school"]


def labelled_sample(n: int = 12) -> pd.DataFrame:
    rows = []
    for i in range(n):
        rows.append({"id": f"p{i}", "text": POLICE[i % 3] + f" {i}", "police": 1, "school": 0})
        rows.append({"id": f"s{i}", "text": SCHOOL[i % 3] + f" {i}", "police": 0, "school": 1})
    return pd.DataFrame(rows)


def test_model_suggests_codes_with_calibrated_probabilities() -> None:
    sample = labelled_sample()
    model = fit_theme_model(sample["text"].tolist(), sample[["police", "school"]])
    scores = model.predict_proba(["the police officers came late", "school lessons"])
    assert ((scores >= 0) & (scores <= 1)).all().all()
    assert scores.loc[0, "police"] > scores.loc[0, "school"]
    assert scores.loc[1, "school"] > scores.loc[1, "police"]


def test_every_response_gets_at_least_its_top_theme_when_training_data_always_had_one() -> None:
    sample = labelled_sample()
    model = fit_theme_model(sample["text"].tolist(), sample[["police", "school"]])
    assert model.at_least_one
    codes = model.decide(np.array([[0.01, 0.02], [0.3, 0.1]]), threshold=0.9)
    assert codes.tolist() == [[0, 1], [1, 0]]


def test_rules_and_learned_suggestions_combine_and_each_says_why() -> None:
    sample = labelled_sample()
    book = codebook_from_dict({"themes": [{"name": "courts", "keywords": ["court"]}]})
    responses = pd.DataFrame({"id": ["a", "b"], "text": ["police never came to court", "school"]})
    result = code_responses(responses, "id", "text", book, sample)
    assert result.themes == ["courts", "police", "school"]
    assert result.codes.loc[0, "courts"] == 1
    assert result.codes.loc[0, "score:courts"] == 1.0
    why = result.evidence.set_index(["id", "theme"])
    assert why.loc[("a", "courts"), "evidence"] == "court"
    assert why.loc[("a", "police"), "evidence"].startswith("confidence ")
    assert why.loc[("a", "police"), "source"] == "model"


def test_uncertain_first_ordering_puts_ambiguous_responses_first() -> None:
    sample = labelled_sample()
    responses = pd.DataFrame(
        {"id": ["clear", "mixed"], "text": ["police officers", "police at school"]}
    )
    result = code_responses(responses, "id", "text", labelled=sample)
    order = result.coding_order()
    assert order["id"].tolist()[0] == "mixed"
    assert order["uncertainty"].between(0, 1).all()


def test_labelled_file_with_non_binary_theme_column_is_rejected() -> None:
    sample = labelled_sample()
    sample.loc[0, "police"] = 2
    with pytest.raises(AnalysisError, match="column 'police' must contain only 0 and 1"):
        code_responses(sample, "id", "text", labelled=sample)
