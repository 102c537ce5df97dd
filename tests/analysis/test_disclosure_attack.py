"""The attacker of tests/analysis/attack.py against every table this package publishes.

For each table: enumerate (small tables) or solve with integer programming (larger ones) every
table consistent with what is published, and fail if a hidden cell has only one possible value.
The published test statistic is part of what the attacker uses.
"""

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from scipy.stats import chi2_contingency

from analysis.breakdown import chi_square, cross_tab, rating_breakdown, theme_breakdown
from analysis.disclosure import suppress
from tests.analysis.attack import (
    body_of,
    candidates,
    extended,
    milp_pinned,
    pinned_by_search,
    sum_range,
)

LEVELS = ["Very poor", "Poor", "OK", "Good", "Very good"]


def frame_from(counts: pd.DataFrame, group: str = "g", question: str = "q") -> pd.DataFrame:
    """One row per respondent reproducing a groups x levels table of counts."""
    rows = [
        (g, level)
        for g in counts.index
        for level in counts.columns
        for _ in range(int(counts.loc[g, level]))
    ]
    return pd.DataFrame(rows, columns=[group, question])


def coarsen(body: pd.DataFrame, shape: pd.DataFrame) -> pd.DataFrame:
    """``body`` summed into the rows and columns of a published tested table ("a + b")."""
    out = pd.DataFrame(0, index=shape.index, columns=shape.columns)
    for label in shape.index:
        members = [m for m in body.index if m == label or m in label.split(" + ")]
        for column in shape.columns:
            parts = [c for c in body.columns if c == column or c in column.split(" + ")]
            out.loc[label, column] = int(body.loc[members, parts].to_numpy().sum())
    return out


def attack_breakdown(counts: pd.DataFrame, k: int = 10) -> list[tuple[int, int]]:
    """Every hidden cell the exhaustive attacker pins, using cells, labels and the test.

    The test statistic is a constraint: a candidate table survives only if the same test on it
    (same categories combined, as the note and tested table say) prints the same statistic.
    """
    result = rating_breakdown(frame_from(counts), "q", list(counts.columns), group="g", k=k)
    table = result.table
    truth = extended(counts).to_numpy()
    test = result.test
    accept = None
    if test is not None:
        tested = test.table if test.table is not None else counts
        printed = test.note.split(";")[0]

        def accept(grid: np.ndarray) -> bool:
            body = body_of(grid, table.counts, True)
            again = chi_square(coarsen(body, tested))
            return again is not None and again.note.split(";")[0] == printed

    return pinned_by_search(
        table.counts, table.reasons, k, truth, True, accept=accept, cap=truth.max() + k
    )


def test_row_of_two_ones_among_large_counts_is_not_pinned_by_its_sum() -> None:
    # Issue 18, finding 2: the two hidden cells add up to 2 and are each at least 1.
    body = pd.DataFrame([[1, 1, 40, 50, 60]], index=["r"], columns=list("abcde"))
    table = suppress(body, k=10, check_columns=False)
    truth = extended(body, False).to_numpy()
    assert table.hidden.loc["r", "a"] and table.hidden.loc["r", "b"]
    assert pinned_by_search(table.counts, table.reasons, 10, truth, False) == []
    assert milp_pinned(table.counts, table.reasons, 10, False) == []


def test_the_same_row_inside_a_table_gives_nothing_away() -> None:
    body = pd.DataFrame(
        [[1, 1, 40, 50, 60], [30, 25, 41, 52, 33], [22, 18, 35, 47, 29]],
        index=["r1", "r2", "r3"],
        columns=list("abcde"),
    )
    table = suppress(body, k=10)
    assert milp_pinned(table.counts, table.reasons, 10) == []


def test_the_old_rule_would_have_leaked_the_row_of_ones() -> None:
    # The attacker is not toothless: with only the two ones hidden (the old output) it pins them.
    shown = extended(pd.DataFrame([[1, 1, 40, 50, 60]], columns=list("abcde")), False)
    shown = shown.astype("Int64")
    shown.iloc[0, 0] = pd.NA
    shown.iloc[0, 1] = pd.NA
    reasons = pd.DataFrame(
        [(0, "a", "primary: count under 10"), (0, "b", "primary: count under 10")],
        columns=["row", "column", "reason"],
    )
    assert milp_pinned(shown, reasons, 10, False) == [(0, 0), (0, 1)]


def rating_by_service() -> pd.DataFrame:
    """Ratings by service type shaped like the NHS comments of the issue: some small cells."""
    return pd.DataFrame(
        [
            [120, 85, 60, 240, 410],
            [3, 7, 12, 45, 88],
            [40, 22, 18, 95, 160],
            [0, 2, 5, 14, 31],
            [55, 30, 9, 110, 200],
            [1, 0, 4, 8, 26],
            [66, 41, 33, 150, 270],
        ],
        index=["GP", "Dentist", "A&E", "Pharmacy", "Hospital", "Optician", "Mental health"],
        columns=LEVELS,
    )


def test_rating_by_service_table_pins_no_hidden_cell() -> None:
    counts = rating_by_service()
    result = rating_breakdown(frame_from(counts), "q", LEVELS, group="g", k=10)
    table = result.table
    assert table.hidden.to_numpy().sum() >= 8
    assert milp_pinned(table.counts, table.reasons, 10) == []
    # Its test, if any, uses only cells the attacker can already work out (each one is
    # checked below to take a single value), so it narrows nothing down.
    if result.test is not None:
        assert result.test.table is not None
        assert_derivable(table, counts, result.test.table)


def assert_derivable(table, counts: pd.DataFrame, tested: pd.DataFrame) -> None:  # type: ignore[no-untyped-def]
    """Each cell of the tested table takes one value over all consistent tables (MILP)."""
    row_of = {r: i for i, r in enumerate(table.counts.index)}
    col_of = {c: j for j, c in enumerate(table.counts.columns)}
    for label in tested.index:
        members = [m for m in counts.index if m == label or m in label.split(" + ")]
        for column in tested.columns:
            parts = [c for c in counts.columns if c == column or c in column.split(" + ")]
            cells = [(row_of[m], col_of[c]) for m in members for c in parts]
            low, high = sum_range(table.counts, table.reasons, table.k, cells)
            assert low == high == tested.loc[label, column], f"{label}/{column} not derivable"


def test_the_full_table_statistic_would_pick_out_the_true_table() -> None:
    # Issue 18, finding 1, in small: the chi-square of the full table is a fingerprint. Among the
    # tables consistent with the suppressed output, only the true one has its statistic.
    body = pd.DataFrame([[20, 4, 30], [25, 35, 15]], index=["A", "B"], columns=["x", "y", "z"])
    table = suppress(body, k=10)
    truth = extended(body).to_numpy()
    full = f"{chi2_contingency(body.to_numpy(), correction=False).statistic:.2f}"

    def same_full_statistic(grid: np.ndarray) -> bool:
        candidate = body_of(grid, table.counts, True).to_numpy()
        return f"{chi2_contingency(candidate, correction=False).statistic:.2f}" == full

    pinned = pinned_by_search(
        table.counts, table.reasons, 10, truth, True, accept=same_full_statistic
    )
    assert pinned  # what used to be published gave hidden cells away


def test_the_published_test_gives_nothing_away_on_the_small_chi_square_case() -> None:
    body = pd.DataFrame([[20, 4, 30], [25, 35, 15]], index=["A", "B"], columns=["x", "y", "z"])
    assert attack_breakdown(body) == []


def test_a_test_on_combined_categories_is_published_when_safe() -> None:
    body = pd.DataFrame(
        [[30, 4, 40, 55], [35, 28, 41, 60], [50, 33, 25, 44]],
        index=["A", "B", "C"],
        columns=["w", "x", "y", "z"],
    )
    result = rating_breakdown(frame_from(body), "q", list(body.columns), group="g", k=10)
    assert result.test is not None and result.test.table is not None
    assert "combined" in result.test.note
    assert_derivable(result.table, body, result.test.table)
    assert attack_breakdown(body) == []


def test_cross_tab_statistic_is_withheld_when_nothing_can_be_combined() -> None:
    frame = pd.DataFrame({"a": ["x"] * 3 + ["y"] * 30, "b": ["p"] * 2 + ["q"] * 31})
    result = cross_tab(frame, "a", "b", k=10)
    assert result.test is None
    assert any("no test of difference" in n for n in result.all_notes())


def test_theme_table_pins_nothing_even_with_the_base_row_as_a_bound() -> None:
    coded = pd.DataFrame(
        {
            "police": [1] * 12 + [0] * 20 + [1] * 3 + [0] * 9,
            "school": [1, 0] * 16 + [1] * 12,
            "type": ["survivor"] * 32 + ["professional"] * 12,
        }
    )
    result = theme_breakdown(coded, ["police", "school"], "type", k=10)
    table = result.table
    assert table.hidden.to_numpy().any()
    assert milp_pinned(table.counts, table.reasons, 10, False) == []


small_tables = st.integers(1, 3).flatmap(
    lambda rows: st.integers(1, 3).flatmap(
        lambda cols: st.lists(
            st.lists(st.integers(0, 14), min_size=cols, max_size=cols),
            min_size=rows,
            max_size=rows,
        )
    )
)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],
)
@given(small_tables, st.integers(2, 6))
def test_no_hidden_cell_of_a_generated_table_has_one_possible_value(
    rows: list[list[int]], k: int
) -> None:
    body = pd.DataFrame(
        rows,
        index=[f"r{i}" for i in range(len(rows))],
        columns=[f"c{j}" for j in range(len(rows[0]))],
    )
    check_columns = len(rows) > 1
    table = suppress(body, k, check_columns=check_columns)
    truth = extended(body, check_columns).to_numpy()
    cap = int(truth.max()) + 2 * k
    assert pinned_by_search(table.counts, table.reasons, k, truth, check_columns, cap=cap) == []
    assert milp_pinned(table.counts, table.reasons, k, check_columns) == []
    # Everything shown is true and the hidden cells are exactly the blanks.
    shown = table.counts.to_numpy(dtype=float, na_value=np.nan)
    visible = ~np.isnan(shown)
    assert (shown[visible] == truth[visible]).all()
    assert (~visible == table.hidden.to_numpy()).all()
    # Every count from 1 to k-1 is hidden; zeros are shown.
    assert (~visible[(truth >= 1) & (truth < k)]).all()
    assert visible[truth == 0].all()


@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],
)
@given(
    st.lists(st.lists(st.integers(0, 14), min_size=3, max_size=3), min_size=2, max_size=3),
    st.integers(3, 6),
)
def test_published_breakdowns_with_their_test_pin_nothing(rows: list[list[int]], k: int) -> None:
    body = pd.DataFrame(
        rows, index=[f"g{i}" for i in range(len(rows))], columns=["lo", "mid", "hi"]
    )
    if (body.sum(axis=1) == 0).any():
        return  # a group with no answers is not a row of the table
    if (body.sum(axis=0) == 0).any():
        body = body.loc[:, body.sum(axis=0) > 0]
        if body.shape[1] == 0:
            return
    assert attack_breakdown(body, k) == []


def test_counts_that_are_all_hidden_still_leave_every_cell_ambiguous() -> None:
    body = pd.DataFrame([[8, 11], [1, 1]], index=["r0", "r1"], columns=["c0", "c1"])
    table = suppress(body, k=3)
    truth = extended(body).to_numpy()
    assert pinned_by_search(table.counts, table.reasons, 3, truth, cap=30) == []


def test_k_of_two_withholds_the_labels_that_would_say_every_hidden_cell_is_one() -> None:
    body = pd.DataFrame([[1, 30, 40], [25, 33, 41]], index=["a", "b"], columns=["x", "y", "z"])
    table = suppress(body, k=2)
    assert not table.labelled
    assert table.reasons["reason"].str.startswith("hidden").all()
    assert "is not said" in " ".join(table.notes())
    truth = extended(body).to_numpy()
    assert pinned_by_search(table.counts, table.reasons, 2, truth, cap=200) == []


@pytest.mark.parametrize("k", [0, -1, 2.5, True, "10", None])
def test_k_must_be_a_positive_whole_number(k: object) -> None:
    from analysis.errors import AnalysisError

    with pytest.raises(AnalysisError, match="at least 1"):
        suppress(pd.DataFrame({"a": [5]}), k=k)  # type: ignore[arg-type]


def test_candidate_enumeration_finds_the_true_table() -> None:
    body = pd.DataFrame([[3, 12], [14, 20]], index=["a", "b"], columns=["x", "y"])
    table = suppress(body, k=5)
    truth = extended(body).to_numpy()
    found = list(candidates(table.counts, table.reasons, 5, cap=60))
    assert any((g == truth).all() for g in found) and len(found) > 1
