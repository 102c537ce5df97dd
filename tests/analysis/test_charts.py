import json
from pathlib import Path

import pandas as pd

from analysis.breakdown import rating_breakdown
from analysis.charts import bar_chart, breakdown_charts, chart_spec, tidy_percentages

LEVELS = ["Poor", "OK", "Good"]


def grouped() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "q": ["Good"] * 30 + ["OK"] * 20 + ["Poor"] * 25 + ["Good"] * 4 + ["OK"] * 30,
            "g": ["A"] * 75 + ["B"] * 34,
        }
    )


def test_charts_never_contain_a_suppressed_value() -> None:
    result = rating_breakdown(grouped(), "q", LEVELS, group="g", k=10)
    assert result.table.hidden.loc["B", "Good"]
    data = tidy_percentages(result)
    assert not ((data["group"] == "B") & (data["category"] == "Good")).any()
    spec = json.dumps(chart_spec(bar_chart(data, "t", stacked=True)))
    assert '"count": 4' not in spec


def test_chart_spec_has_inline_data_and_no_external_url() -> None:
    result = rating_breakdown(grouped(), "q", LEVELS, k=10)
    spec = json.dumps(chart_spec(bar_chart(tidy_percentages(result), "t", stacked=False)))
    assert "http" not in spec and "datasets" in spec


def test_each_chart_is_saved_as_svg_png_json_with_its_data_table(tmp_path: Path) -> None:
    result = rating_breakdown(grouped(), "q", LEVELS, group="g", k=10)
    paths = breakdown_charts(result, tmp_path, "rating", "Rating")
    names = sorted(p.name for p in paths)
    assert "rating-stacked.svg" in names and "rating-bar.png" in names
    assert "rating-bar.vl.json" in names and "rating-stacked.csv" in names
    assert (tmp_path / "rating-bar.svg").read_text().lstrip().startswith("<svg")
