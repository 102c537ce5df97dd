import pandas as pd
import pytest

from analysis.errors import AnalysisError
from analysis.evaluation import evaluate


def test_perfect_predictions_score_one_with_a_degenerate_interval() -> None:
    truth = pd.DataFrame({"id": [1, 2, 3, 4], "a": [1, 0, 1, 0], "b": [0, 1, 0, 1]})
    report = evaluate(truth.assign(**{"score:a": 0.9}), truth, "id", resamples=50)
    assert report.sample_f1 == 1.0 and report.macro_f1 == 1.0
    assert report.sample_f1_ci == (1.0, 1.0)


def test_sample_and_macro_f1_match_hand_computed_values() -> None:
    truth = pd.DataFrame({"id": [1, 2], "a": [1, 0], "b": [1, 1]})
    pred = pd.DataFrame({"id": [2, 1], "a": [1, 1], "b": [0, 0]})
    report = evaluate(pred, truth, "id", resamples=20)
    # row 1: P={a}, T={a,b} -> F1 2/3; row 2: P={a}, T={b} -> 0
    assert report.sample_f1 == pytest.approx(1 / 3)
    per = report.per_theme.set_index("theme")
    assert per.loc["a", "precision"] == 0.5 and per.loc["b", "recall"] == 0.0
    assert report.macro_f1 == pytest.approx((2 / 3 + 0) / 2)


def test_no_shared_ids_is_an_error() -> None:
    truth = pd.DataFrame({"id": [1], "a": [1]})
    with pytest.raises(AnalysisError, match="in common"):
        evaluate(pd.DataFrame({"id": [2], "a": [1]}), truth, "id")
