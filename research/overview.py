"""The workspace's overview: responses by status and by respondent type week by week, where
people stop (drafts still in progress by the page they last saved), and the question list."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import pandas as pd
from sqlalchemy import Connection

from research.charts import ChartRenderer, Figure, completion_bars, time_lines
from research.tables import Table
from surveys.definition import Survey
from surveys.store import analysis as store

BEFORE_FIRST_PAGE = "Consent given, no page saved yet"


@dataclass(frozen=True)
class Progress:
    """What the overview reads besides the responses themselves."""

    drafts_by_page: dict[str, int]
    draft_starts: list[datetime]
    withdrawals: list[datetime]


def read_progress(conn: Connection, consultation_id: uuid.UUID, now: datetime) -> Progress:
    return Progress(
        store.drafts_by_page(conn, consultation_id, now),
        store.draft_start_times(conn, consultation_id, now),
        store.withdrawal_times(conn, consultation_id),
    )


def week_of(times: pd.Series) -> pd.Series:
    """The Monday (UTC) starting each time's week."""
    stamps = pd.to_datetime(times, utc=True).dt.tz_convert(None).dt.normalize()
    return stamps - pd.to_timedelta(stamps.dt.weekday, unit="D")


def weekly(series: dict[str, Sequence[datetime] | pd.Series]) -> pd.DataFrame:
    """Weeks as rows, one column per series, zero-filled."""
    columns = {}
    for name, times in series.items():
        values = (
            pd.Series(list(times), dtype="object") if not isinstance(times, pd.Series) else times
        )
        weeks = week_of(values) if len(values) else pd.Series([], dtype="datetime64[ns]")
        columns[name] = weeks.value_counts()
    return weekly_counts(columns)


def weekly_counts(columns: dict[str, pd.Series]) -> pd.DataFrame:
    """Weeks as rows from counts per week, one column per series, zero-filled."""
    table = pd.DataFrame(columns).fillna(0).astype(int).sort_index()
    table.index.name = "week"
    return table


def submissions_payload(frame: pd.DataFrame) -> dict[str, dict[str, int]]:
    """Submitted responses per respondent type and week: small and JSON-able, so a background
    job stores it for a large consultation's overview."""
    if frame.empty:
        return {}
    weeks = week_of(frame["submitted_at"]).dt.strftime("%Y-%m-%d")
    types = frame["respondent_type"].astype(object).fillna("").astype(str)
    counts = pd.crosstab(types.to_numpy(), weeks.to_numpy())
    return {
        str(kind): {str(week): int(n) for week, n in row.items() if n}
        for kind, row in counts.iterrows()
    }


def _series(weeks: dict[str, int]) -> pd.Series:
    return pd.Series(list(weeks.values()), index=pd.to_datetime(list(weeks)), dtype=int)


def weekly_from(
    submitted: dict[str, dict[str, int]], progress: Progress, labels: dict[str, str]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(by status, by respondent type) week by week, from :func:`submissions_payload`."""
    total = pd.Series(dtype=int)
    for weeks in submitted.values():
        total = total.add(_series(weeks), fill_value=0)
    drafts = weekly({"d": progress.draft_starts, "w": progress.withdrawals})
    statuses = weekly_counts(
        {
            "Submitted": total,
            "Drafts started (still in progress)": drafts.get("d", pd.Series(dtype=int)),
            "Withdrawn": drafts.get("w", pd.Series(dtype=int)),
        }
    )
    types = weekly_counts(
        {
            labels.get(code, code) or "Not given": _series(weeks)
            for code, weeks in sorted(submitted.items())
        }
    )
    return statuses, types


def weekly_table(caption: str, table: pd.DataFrame) -> Table:
    header = ["Week starting", *[str(c) for c in table.columns], "Total"]
    rows = [
        [f"{week:%d %b %Y}", *[f"{int(v):,}" for v in row], f"{int(row.sum()):,}"]
        for week, row in table.iterrows()
    ]
    return Table(caption, header, rows)


def weekly_figure(
    renderer: ChartRenderer, table: pd.DataFrame, title: str, series: str
) -> Figure | None:
    if table.empty:
        return None
    long = table.reset_index().melt(id_vars="week", var_name="series", value_name="count")
    return renderer.figure(
        time_lines, long, title, series, title=title,
        alt=f"Line chart: {title.lower()}; the same figures are in the table below.",
    )  # fmt: skip


def page_names(survey: Survey) -> list[tuple[str, str]]:
    """(slug, name) of every page, in order; a page is named by its heading or first question."""
    names = []
    for ref in survey.page_refs():
        section = survey.sections[ref.section]
        page = section.pages[ref.page]
        heading = page.title or (page.questions[0].title if page.questions else "")
        names.append((ref.slug, f"{section.title}: {heading}"))
    return names


def completion(survey: Survey, progress: Progress, submitted: int) -> tuple[Table, pd.DataFrame]:
    """Where people stop: drafts in progress by the page they last saved, then the finished."""
    stopped = dict(progress.drafts_by_page)
    rows = [(BEFORE_FIRST_PAGE, stopped.pop("", 0))]
    rows += [(name, stopped.pop(slug, 0)) for slug, name in page_names(survey)]
    if stopped:  # pages of an older version that the newest no longer has
        rows.append(("A page of an earlier version", sum(stopped.values())))
    started = sum(count for _, count in rows) + submitted
    table_rows = [
        [name, f"{count:,}", f"{count / started * 100:.1f}%" if started else "–"]
        for name, count in rows
    ]
    table_rows.append(
        ["Submitted", f"{submitted:,}", f"{submitted / started * 100:.1f}%" if started else "–"]
    )
    table = Table(
        "Drafts still in progress by the last page saved, and submitted responses",
        ["Page", "Number", "% of everyone who started"],
        table_rows,
    )
    data = pd.DataFrame(rows, columns=["page", "stopped"])
    return table, data


def completion_figure(renderer: ChartRenderer, data: pd.DataFrame) -> Figure | None:
    if int(data["stopped"].sum()) == 0:
        return None
    title = "Where people stop"
    return renderer.figure(
        completion_bars, data, title, title=title,
        alt="Bar chart of drafts in progress by the last page saved; the figures are in the "
        "table below.",
    )  # fmt: skip
