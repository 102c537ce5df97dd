import pandas as pd

from analysis.breakdown import cross_tab, rating_breakdown, theme_breakdown

LEVELS = ["Very poor", "Poor", "OK", "Good", "Very good"]


def ratings() -> pd.DataFrame:
    answers = ["Very good"] * 30 + ["Good"] * 20 + ["OK"] * 15 + ["Poor"] * 12 + ["Very poor"] * 23
    frame = pd.DataFrame({"q": answers, "group": ["A", "B"] * 50})
    extra = pd.DataFrame({"q": ["Don't know"] * 7 + [None] * 3, "group": "A"})
    return pd.concat([frame, extra], ignore_index=True)


def test_dont_know_is_excluded_from_the_base_and_the_base_is_stated() -> None:
    result = rating_breakdown(ratings(), "q", LEVELS)
    assert result.table.counts.loc["All", "Total"] == 100
    assert "Base: 100 respondents" in result.base
    assert "7 'don't know" in result.base and "3 did not answer" in result.base


def test_net_good_is_top_two_and_net_poor_bottom_two() -> None:
    result = rating_breakdown(ratings(), "q", LEVELS)
    assert result.net is not None
    row = result.net.loc["All"]
    assert (row["good_n"], row["good_pct"]) == (50, 50.0)
    assert (row["poor_n"], row["poor_pct"]) == (35, 35.0)


def test_grouped_breakdown_has_counts_percentages_and_a_chi_square_test() -> None:
    result = rating_breakdown(ratings(), "q", LEVELS, group="group")
    assert list(result.table.counts.index) == ["A", "B", "Total"]
    assert result.percent.loc["A", "Total"] == 100.0
    assert result.test is not None and "chi-square" in result.test.note


def test_chi_square_warns_when_expected_counts_are_small() -> None:
    frame = pd.DataFrame({"a": ["x", "y", "x", "y", "x"], "b": ["p", "p", "q", "q", "q"]})
    result = cross_tab(frame, "a", "b", k=1)
    assert result.test is not None
    assert "not reliable" in result.test.note


def test_net_score_is_hidden_when_one_of_its_parts_is_suppressed() -> None:
    frame = pd.DataFrame(
        {"q": ["Very good"] * 3 + ["Good"] * 40 + ["Poor"] * 40 + ["Very poor"] * 40}
    )
    result = rating_breakdown(frame, "q", LEVELS, k=10)
    assert result.net is not None and pd.isna(result.net.loc["All", "good_n"])


def test_theme_breakdown_counts_respondents_per_theme_by_group() -> None:
    coded = pd.DataFrame(
        {
            "police": [1] * 30 + [0] * 30,
            "school": [1, 0] * 30,
            "type": ["survivor"] * 40 + ["professional"] * 20,
        }
    )
    result = theme_breakdown(coded, ["police", "school"], "type", k=10)
    counts = result.table.counts
    assert counts.loc["police", "survivor"] == 30
    assert counts.loc["Respondents (base)", "Total"] == 60
    assert result.percent.loc["police", "survivor"] == 75.0
    assert result.percent.loc["police", "Total"] == 50.0


def test_reserved_names_are_refused_in_every_breakdown() -> None:
    import pytest

    from analysis.errors import AnalysisError

    frame = pd.DataFrame({"q": ["Good"] * 20, "g": ["total"] * 5 + ["A"] * 15})
    with pytest.raises(AnalysisError, match="reserved"):
        rating_breakdown(frame, "q", ["Poor", "Good"], group="g")
    with pytest.raises(AnalysisError, match="reserved"):
        rating_breakdown(frame, "q", ["Poor", "Good", " Total"])
    with pytest.raises(AnalysisError, match="reserved"):
        cross_tab(frame, "g", "q")
    coded = pd.DataFrame({"Respondents (base)": [1, 0], "type": ["a", "b"]})
    with pytest.raises(AnalysisError, match="reserved"):
        theme_breakdown(coded, ["Respondents (base)"], "type")


def test_breakdowns_validate_k() -> None:
    import pytest

    from analysis.errors import AnalysisError

    for call in (
        lambda: rating_breakdown(ratings(), "q", LEVELS, k=0),
        lambda: cross_tab(ratings(), "q", "group", k=-1),
        lambda: theme_breakdown(pd.DataFrame({"t": [1]}), ["t"], k=0),
    ):
        with pytest.raises(AnalysisError, match="at least 1"):
            call()


def test_group_labels_are_cleaned_of_control_characters_and_capped() -> None:
    frame = pd.DataFrame({"q": ["Good"] * 24, "g": ["A\x00\nB"] * 12 + ["y" * 5000] * 12})
    result = rating_breakdown(frame, "q", ["Poor", "Good"], group="g")
    labels = [str(i) for i in result.table.counts.index]
    assert "A B" in labels and all(len(label) <= 80 for label in labels)
