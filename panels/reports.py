"""What a panel publishes: the meeting summary, the annual report and the "You said, we did"
page. Each is built once as plain sections, then rendered as HTML or DOCX.

Every count passes small-cell suppression (`analysis.disclosure.suppress`, the panel's k,
secondary suppression included) and every free text passes redaction before it is shown.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import pandas as pd
from anyio import to_thread
from sqlalchemy.ext.asyncio import AsyncSession

from analysis.disclosure import suppress
from analysis.redaction import redact_texts
from panels import store
from panels.models import Case, Consensus, Meeting, Panel, Recommendation, Theme
from panels.scales import (
    CHARACTERISTIC_BANDS,
    ENTITLEMENT_STATUSES,
    RECOMMENDATION_STATUSES,
    SCALES,
    THEME_KINDS,
)

HIDDEN = "[c]"
OUTCOME_LABELS = {**SCALES["rag"].values, **SCALES["four_outcomes"].values}


@dataclass
class Table:
    caption: str
    columns: list[str]
    rows: list[tuple[str, list[str]]]
    notes: list[str]


@dataclass
class Section:
    heading: str
    paragraphs: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    items: list[str] = field(default_factory=list)


@dataclass
class Report:
    title: str
    subtitle: str
    sections: list[Section]


def suppressed_table(caption: str, counts: pd.DataFrame, k: int) -> Table | None:
    """A table of counts with totals, every count under k and any count that would give one
    away shown as [c]."""
    if counts.empty or int(counts.to_numpy().sum()) == 0:
        return None
    result = suppress(counts, k=k)
    shown = result.counts
    rows = [
        (str(label), [HIDDEN if pd.isna(v) else str(int(v)) for v in shown.loc[label].tolist()])
        for label in shown.index
    ]
    return Table(
        caption, [str(c) for c in shown.columns], rows, [f"[c]: {n}" for n in result.notes()]
    )


def _crosstab(pairs: list[tuple[str, str]], rows: list[str], columns: list[str]) -> pd.DataFrame:
    """Counts of (row, column) pairs, rows with no count left out."""
    counts = Counter(pairs)
    frame = pd.DataFrame(
        [[counts[(row, column)] for column in columns] for row in rows],
        index=rows,
        columns=columns,
        dtype=int,
    )
    return frame.loc[frame.sum(axis=1) > 0]


def outcome_table(cases: list[Case], consensus: dict[Any, Consensus], k: int) -> Table | None:
    pairs = [(c.offence_type, OUTCOME_LABELS[consensus[c.id].outcome]) for c in cases]
    offences = sorted({o for o, _ in pairs})
    outcomes = [label for label in OUTCOME_LABELS.values() if label in {o for _, o in pairs}]
    return suppressed_table(
        "Cases reviewed by offence type and outcome", _crosstab(pairs, offences, outcomes), k
    )


def compliance_tables(cases: list[Case], k: int) -> list[Table]:
    """Victims' Code rights met, partly met, not met or not known, by each characteristic band
    of the victim (one count per case and right that applied)."""
    statuses = list(ENTITLEMENT_STATUSES.values())
    tables = []
    for key, (label, bands) in CHARACTERISTIC_BANDS.items():
        pairs = [
            (
                bands.get(c.victim_bands.get(key, "not_recorded"), "Not recorded"),
                ENTITLEMENT_STATUSES[s],
            )
            for c in cases
            for s in c.entitlements.values()
            if s in ENTITLEMENT_STATUSES
        ]
        table = suppressed_table(
            f"Victims' Code rights by {label.lower()}",
            _crosstab(pairs, list(dict.fromkeys(bands.values())), statuses),
            k,
        )
        if table is not None:
            tables.append(table)
    return tables


def _redact(texts: list[str]) -> list[str]:
    return redact_texts(texts).texts if texts else []


async def redacted(texts: list[str]) -> list[str]:
    """Redacted copies, off the event loop (the language pipeline is slow to start)."""
    return await to_thread.run_sync(_redact, texts)


async def recommendation_lines(recommendations: list[Recommendation]) -> list[dict[str, str]]:
    texts = await redacted(
        [r.text for r in recommendations] + [r.response for r in recommendations]
    )
    half = len(recommendations)
    return [
        {
            "number": str(r.number),
            "text": texts[i],
            "status": RECOMMENDATION_STATUSES.get(r.status, r.status),
            "response": texts[half + i],
            "due_on": r.due_on.isoformat() if r.due_on else "",
        }
        for i, r in enumerate(recommendations)
    ]


def _recommendation_items(lines: list[dict[str, str]]) -> list[str]:
    return [
        f"{line['number']}. {line['text']} Status: {line['status']}."
        + (f" Response: {line['response']}" if line["response"] else "")
        for line in lines
    ]


async def _theme_items(themes: list[Theme]) -> list[str]:
    texts = await redacted([t.text for t in themes])
    return [
        f"{THEME_KINDS.get(t.kind, t.kind)}: {text}" for t, text in zip(themes, texts, strict=True)
    ]


async def annual_report(
    panel: Panel,
    year: int,
    cases: list[Case],
    consensus: dict[Any, Consensus],
    themes: list[Theme],
    recommendations: list[Recommendation],
) -> Report:
    reviewed = [c for c in cases if c.id in consensus]
    tables = [t for t in [outcome_table(reviewed, consensus, panel.suppression_k)] if t]
    sections = [
        Section(
            "Cases reviewed", tables=tables, paragraphs=[] if tables else ["No cases reviewed."]
        ),
        Section(
            "Victims' Code compliance", tables=compliance_tables(reviewed, panel.suppression_k)
        ),
        Section("Themes", items=await _theme_items(themes)),
        Section(
            "Recommendations and the force's responses",
            items=_recommendation_items(await recommendation_lines(recommendations)),
        ),
    ]
    note = f"Counts under {panel.suppression_k} are shown as [c], with any that would reveal them."
    return Report(f"{panel.public_name}: annual report {year}", note, sections)


async def meeting_summary(
    panel: Panel,
    meeting: Meeting,
    cases: list[Case],
    consensus: dict[Any, Consensus],
    themes: list[Theme],
    recommendations: list[Recommendation],
) -> Report:
    reviewed = [c for c in cases if c.id in consensus]
    table = outcome_table(reviewed, consensus, panel.suppression_k)
    minutes = (await redacted([meeting.minutes]))[0] if meeting.minutes else ""
    sections = [
        Section("Summary", paragraphs=[p for p in minutes.split("\n") if p.strip()]),
        Section("Cases reviewed", tables=[table] if table else [], paragraphs=[] if table else ["No outcomes recorded."]),
        Section("Themes", items=await _theme_items(themes)),
        Section(
            "Recommendations",
            items=_recommendation_items(await recommendation_lines(recommendations)),
        ),
    ]  # fmt: skip
    return Report(
        f"{panel.public_name}: meeting of {meeting.held_on:%d %B %Y}",
        f"Counts under {panel.suppression_k} are shown as [c].",
        sections,
    )


async def publish_panel(db: AsyncSession, panel: Panel) -> None:
    """Store the redacted "You said, we did" content as it stands now."""
    now = datetime.now(UTC)
    recommendations = await store.recommendations(db, panel.id)
    panel.published = await you_said_we_did(panel, recommendations, now.date())
    panel.published_at = now


async def you_said_we_did(
    panel: Panel, recommendations: list[Recommendation], on: date
) -> dict[str, Any]:
    """The public page's content, redacted now and stored, so the public page renders it as is."""
    return {
        "title": panel.public_name,
        "published_on": on.isoformat(),
        "recommendations": await recommendation_lines(recommendations),
    }
