"""Charts of the workspace: Altair specs rendered to SVG on the server (vl-convert), shown as
images whose data table sits right below them, so the figures never depend on seeing the chart.

Specs are built from tables whose hidden cells are already dropped, so a downloaded chart
cannot show a suppressed value. Rendered SVGs are kept in a bounded cache on the app object.
"""

from __future__ import annotations

import base64
import json
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd
from litestar import Request

CACHE_SIZE = 512
STATE_KEY = "research_charts"
Spec = dict[str, Any]


@dataclass(frozen=True)
class Figure:
    title: str
    alt: str
    svg: str

    @property
    def data_uri(self) -> str:
        encoded = base64.b64encode(self.svg.encode("utf-8")).decode("ascii")
        return f"data:image/svg+xml;base64,{encoded}"


Builder = Callable[..., Spec]


class ChartRenderer:
    """SVG of a chart, drawn once per (builder, data, arguments): the same table draws the same
    chart. Keyed by the data rather than the spec, because building an Altair spec validates
    it against the Vega-Lite schema, which alone takes tens of milliseconds."""

    def __init__(self, size: int = CACHE_SIZE) -> None:
        self._size = size
        self._svgs: OrderedDict[str, str] = OrderedDict()
        self._lock = threading.Lock()

    def svg_of(self, build: Builder, data: pd.DataFrame, *args: Any) -> str:
        key = json.dumps([build.__name__, data.to_json(orient="split"), args], default=str)
        with self._lock:
            if key in self._svgs:
                self._svgs.move_to_end(key)
                return self._svgs[key]
        import vl_convert as vlc  # imported when first used, like altair: faster start-up

        svg = str(vlc.vegalite_to_svg(build(data, *args)))
        with self._lock:
            self._svgs[key] = svg
            while len(self._svgs) > self._size:
                self._svgs.popitem(last=False)
        return svg

    @staticmethod
    def png_of(build: Builder, data: pd.DataFrame, *args: Any) -> bytes:
        import vl_convert as vlc

        return bytes(vlc.vegalite_to_png(build(data, *args), scale=2))

    def figure(
        self, build: Builder, data: pd.DataFrame, *args: Any, title: str, alt: str
    ) -> Figure:
        return Figure(title, alt, self.svg_of(build, data, *args))


def renderer_of(request: Request[Any, Any, Any]) -> ChartRenderer:
    state = request.app.state
    renderer = state.get(STATE_KEY)
    if renderer is None:
        renderer = state[STATE_KEY] = ChartRenderer()
    return renderer  # type: ignore[no-any-return]


def percent_bars(data: pd.DataFrame, title: str, stacked: bool) -> Spec:
    """``data``: group, category, percent, count (hidden cells already dropped). With nothing
    left to draw, a chart that says so (an empty chart has no size to render)."""
    import altair as alt

    from analysis.charts import bar_chart, chart_spec

    if data.empty:
        message = pd.DataFrame({"text": ["Nothing to show: every value is hidden or zero"]})
        return chart_spec(
            alt.Chart(message, title=title).mark_text(align="left").encode(text="text:N")
        )
    return chart_spec(bar_chart(data, title, stacked=stacked).properties(width=420))


def time_lines(data: pd.DataFrame, title: str, series_title: str) -> Spec:
    """``data``: week (date), series, count: one line per series."""
    import altair as alt

    from analysis.charts import chart_spec

    chart = (
        alt.Chart(data, title=title)
        .mark_line(point=True)
        .encode(
            x=alt.X("week:T", title="Week starting"),
            y=alt.Y("count:Q", title="Count"),
            color=alt.Color("series:N", title=series_title),
            tooltip=["week:T", "series:N", "count:Q"],
        )
        .properties(width=520, height=220)
    )
    return chart_spec(chart)


def completion_bars(data: pd.DataFrame, title: str) -> Spec:
    """``data``: page, stopped: drafts still in progress by the page they stopped on."""
    import altair as alt

    from analysis.charts import chart_spec

    order = list(data["page"])
    chart = (
        alt.Chart(data, title=title)
        .mark_bar()
        .encode(
            y=alt.Y("page:N", sort=order, title=None),
            x=alt.X("stopped:Q", title="Drafts stopped here"),
        )
        .properties(width=420)
    )
    return chart_spec(chart)
