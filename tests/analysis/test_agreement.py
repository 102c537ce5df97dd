import math

import numpy as np
import pandas as pd
import pytest

from analysis.agreement import agreement, cohen_kappa_by_theme, krippendorff_alpha
from analysis.errors import AnalysisError


def long_codings(values: dict[str, list[float]], theme: str = "t") -> pd.DataFrame:
    rows = [
        (i, coder, theme, v)
        for coder, vs in values.items()
        for i, v in enumerate(vs)
        if not math.isnan(v)
    ]
    return pd.DataFrame(rows, columns=["id", "coder", "theme", "value"])


def test_cohen_kappa_matches_the_textbook_example() -> None:
    # 50 items: both yes 20, A yes/B no 5, A no/B yes 10, both no 15 -> kappa = 0.4
    a = [1] * 20 + [1] * 5 + [0] * 10 + [0] * 15
    b = [1] * 20 + [0] * 5 + [1] * 10 + [0] * 15
    table = cohen_kappa_by_theme(long_codings({"A": a, "B": b}), "A", "B")
    assert table.loc[0, "kappa"] == pytest.approx(0.4)
    assert table.loc[0, "n"] == 50


def test_krippendorff_alpha_matches_krippendorff_2011_binary_example() -> None:
    # Krippendorff (2011) "Computing Krippendorff's alpha-reliability", 2 coders: alpha = 0.095
    a = [0, 1, 0, 0, 0, 0, 0, 0, 1, 0]
    b = [1, 1, 1, 0, 0, 1, 0, 0, 0, 0]
    alpha, units = krippendorff_alpha(long_codings({"A": a, "B": b}))
    assert alpha == pytest.approx(0.095, abs=0.001)
    assert units == 10


def test_krippendorff_alpha_matches_the_published_nominal_example_with_missing_data() -> None:
    nan = np.nan
    data = {
        "A": [1, 2, 3, 3, 2, 1, 4, 1, 2, nan, nan, nan],
        "B": [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, nan, 3],
        "C": [nan, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, nan],
        "D": [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, nan],
    }
    alpha, _ = krippendorff_alpha(long_codings(data))
    assert alpha == pytest.approx(0.743, abs=0.001)


def test_disagreements_list_the_units_where_coders_differ() -> None:
    codings = pd.DataFrame(
        [
            ("r1", "ann", "police", 1),
            ("r1", "bo", "police", 0),
            ("r1", "ann", "school", 1),
            ("r1", "bo", "school", 1),
            ("r2", "ann", "police", 0),
            ("r2", "bo", "police", 0),
        ],
        columns=["id", "coder", "theme", "value"],
    )
    result = agreement(codings)
    assert result.disagreements[["id", "theme"]].values.tolist() == [["r1", "police"]]
    assert set(result.kappa["theme"]) == {"police", "school"}


def test_agreement_needs_two_coders() -> None:
    codings = pd.DataFrame([("r1", "ann", "t", 1)], columns=["id", "coder", "theme", "value"])
    with pytest.raises(AnalysisError, match="two coders"):
        agreement(codings)
