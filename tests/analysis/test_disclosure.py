import pandas as pd

from analysis.disclosure import TOTAL, percentages, suppress


def lines_with_one_hidden(hidden: pd.DataFrame) -> int:
    rows = int((hidden.sum(axis=1) == 1).sum())
    columns = int((hidden.sum(axis=0) == 1).sum())
    return rows + columns


def test_naive_suppression_would_leak_so_a_second_cell_is_hidden() -> None:
    counts = pd.DataFrame({"yes": [40, 3], "no": [25, 30]}, index=["A", "B"])
    table = suppress(counts, k=10)
    # Hiding only B/yes=3 leaks it as Total(B) - no(B) = 33 - 30.
    assert table.hidden.loc["B", "yes"]
    assert lines_with_one_hidden(table.hidden) == 0
    assert (table.reasons["reason"].str.startswith("secondary")).any()


def test_secondary_suppression_iterates_until_no_line_has_exactly_one_hidden_cell() -> None:
    counts = pd.DataFrame(
        {"a": [20, 3, 30, 12], "b": [25, 40, 50, 11], "c": [30, 35, 4, 60]},
        index=["w", "x", "y", "z"],
    )
    table = suppress(counts, k=10)
    assert lines_with_one_hidden(table.hidden) == 0
    assert table.hidden.loc["x", "a"] and table.hidden.loc["y", "c"]


def test_totals_stay_consistent_with_the_unsuppressed_counts() -> None:
    counts = pd.DataFrame({"a": [5, 20], "b": [30, 40]}, index=["r1", "r2"])
    table = suppress(counts, k=10)
    visible_totals = table.counts[TOTAL].drop(index=TOTAL).dropna()
    assert visible_totals.tolist() == counts.sum(axis=1)[visible_totals.index].tolist()
    if not table.hidden.loc[TOTAL, TOTAL]:
        assert table.counts.loc[TOTAL, TOTAL] == counts.to_numpy().sum()


def test_a_single_small_row_hides_its_total_rather_than_leak() -> None:
    counts = pd.DataFrame({"only": [4, 50]}, index=["small", "big"])
    table = suppress(counts, k=10)
    assert table.hidden.loc["small", "only"] and table.hidden.loc["small", TOTAL]
    assert lines_with_one_hidden(table.hidden) == 0


def test_percentages_are_hidden_where_cell_or_base_is_hidden() -> None:
    counts = pd.DataFrame({"a": [5, 20, 30], "b": [3, 40, 50]}, index=["r1", "r2", "r3"])
    table = suppress(counts, k=10)
    pct = percentages(table)
    assert table.hidden.loc["r1", TOTAL]
    assert pct.loc["r1"].isna().all()
    assert pct.mask(table.hidden.to_numpy()).equals(pct)
    assert pct.loc["r3", "a"] == round(30 / 80 * 100, 1)


def test_every_table_says_what_was_suppressed_and_why() -> None:
    table = suppress(pd.DataFrame({"a": [5, 20], "b": [30, 40]}), k=10)
    notes = " ".join(table.notes())
    assert "under 10" in notes and "further cell" in notes
    assert set(table.reasons.columns) == {"row", "column", "reason"}


def test_zero_cells_are_not_primary_suppressed_by_default() -> None:
    table = suppress(pd.DataFrame({"a": [0, 20], "b": [30, 40]}), k=10)
    assert not table.hidden.to_numpy().any()
