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
