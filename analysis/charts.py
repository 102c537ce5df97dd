"""Altair bar and stacked bar charts of breakdowns, saved as SVG, PNG and Vega-Lite JSON.

Data is always inline and suppressed values are dropped before charting, so no chart can show a
hidden value; each chart is saved with its data table (CSV) beside it as the accessible
alternative. The ``$schema`` URL is removed so the spec holds no external URL at all. Labels are
cleaned and capped again here (NUL bytes crash the renderer), every file of a chart is rendered
in memory before any is written, and a table with every value hidden gets no chart at all.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import altair as alt
import pandas as pd
import vl_convert as vlc

from analysis.breakdown import Breakdown
from analysis.disclosure import TOTAL, clean_label
from analysis.errors import AnalysisError
from analysis.spreadsheet import write_csv

NO_CHART = "no chart drawn: every value in the table is hidden"


def tidy_percentages(breakdown: Breakdown) -> pd.DataFrame:
    """Long table (group, category, percent, count) without hidden values or totals."""
    counts = breakdown.table.counts.drop(columns=[TOTAL], errors="ignore")
    percent = breakdown.percent.drop(columns=[TOTAL], errors="ignore")
    rows = []
    for group in percent.index:
        for category in percent.columns:
            pct = percent.loc[group, category]
            count = counts.loc[group, category] if group in counts.index else pd.NA
            if pd.isna(pct) or pd.isna(count):
                continue
            rows.append((clean_label(group), clean_label(category), float(pct), int(count)))
    return pd.DataFrame(rows, columns=["group", "category", "percent", "count"])


def bar_chart(data: pd.DataFrame, title: str, stacked: bool) -> alt.Chart:
    order = list(dict.fromkeys(data["category"]))
    base = alt.Chart(data, title=title)
    if stacked:
        return (
            base.mark_bar()
            .encode(
                y=alt.Y("group:N", title=None),
                # Rounded shares can add up to 100.1; a fixed domain keeps the axis at 100.
                x=alt.X(
                    "percent:Q",
                    title="Percent of base",
                    stack="zero",
                    scale=alt.Scale(domain=[0, 100], clamp=True),
                ),
                color=alt.Color("category:N", sort=order, title=None),
                order=alt.Order("category_order:Q"),
                tooltip=["group", "category", "percent", "count"],
            )
            .transform_calculate(category_order=f"indexof({json.dumps(order)}, datum.category)")
        )
    return base.mark_bar().encode(
        x=alt.X("percent:Q", title="Percent of base"),
        y=alt.Y("category:N", sort=order, title=None),
        row=alt.Row("group:N", title=None),
        tooltip=["group", "category", "percent", "count"],
    )


def chart_spec(chart: alt.Chart) -> dict[str, Any]:
    spec: dict[str, Any] = chart.to_dict()
    spec.pop("$schema", None)
    return spec


def save_chart(chart: alt.Chart, data: pd.DataFrame, directory: Path, stem: str) -> list[Path]:
    """Write <stem>.vl.json, .svg, .png and the data table .csv; returns the paths.

    All four are rendered first, so a renderer failure leaves no partial set of files.
    """
    spec = chart_spec(chart)
    text = json.dumps(spec, indent=1, sort_keys=True)
    try:
        svg = vlc.vegalite_to_svg(spec)
        png = vlc.vegalite_to_png(spec, scale=1)
    except ValueError as exc:
        first = (str(exc).splitlines() or [type(exc).__name__])[0][:200]
        raise AnalysisError(f"chart {stem} could not be drawn: {first}") from None
    directory.mkdir(parents=True, exist_ok=True)
    paths = [directory / f"{stem}.{ext}" for ext in ("vl.json", "svg", "png", "csv")]
    paths[0].write_text(text, encoding="utf-8")
    paths[1].write_text(svg, encoding="utf-8")
    paths[2].write_bytes(png)
    write_csv(data, paths[3], index=False)
    return paths


def breakdown_charts(breakdown: Breakdown, directory: Path, stem: str, title: str) -> list[Path]:
    """Bar and stacked bar charts of what may be shown; none when every value is hidden."""
    data = tidy_percentages(breakdown)
    if data.empty:
        return []
    title = clean_label(title)
    paths = save_chart(bar_chart(data, title, stacked=False), data, directory, f"{stem}-bar")
    paths += save_chart(bar_chart(data, title, stacked=True), data, directory, f"{stem}-stacked")
    return paths
