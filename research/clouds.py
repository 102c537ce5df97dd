"""Word clouds of text questions, overall and per group, with their frequency tables.

Texts are redacted first (names, addresses, phone numbers... become ``[NAME]`` and the like),
then :mod:`analysis.wordclouds` counts each word once per respondent and shows only words used
by at least ``min_respondents`` respondents. Three-words answers count all three words. Clouds
take seconds to draw, so the page's clouds are drawn by a background job and stored
(:mod:`research.computed`, keyed by the responses' data version, the question, the group, the
filters and the threshold).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

from research.breakdowns import GroupQuestion, labelled
from research.results import asked, question_columns, text_series
from research.tables import Table
from surveys.definition import QuestionType, Survey

if TYPE_CHECKING:
    from analysis.wordclouds import WordCloudResult

ALL = "All"
TEXT, GROUP = "_text", "_group"
DEFAULT_MIN_RESPONDENTS = 5
TABLE_ROWS = 30


def text_questions(survey: Survey) -> list[QuestionType]:
    return [q for q in survey.questions() if q.holds_free_text]


def columns_for(question: QuestionType, group: GroupQuestion | None) -> list[str]:
    return [*question_columns(question), *([group.key] if group else [])]


def redacted(texts: list[str]) -> list[str]:
    """Each distinct text redacted once (three-words answers repeat a great deal)."""
    # spaCy is imported when first needed: seconds off the app's start-up.
    from analysis.redaction import redact_texts

    distinct = sorted({t for t in texts if t})
    if not distinct:
        return texts
    done = dict(zip(distinct, redact_texts(distinct).texts, strict=True))
    return [done.get(t, t) for t in texts]


def respondent_texts(
    frame: pd.DataFrame, survey: Survey, question: QuestionType, group: GroupQuestion | None
) -> pd.DataFrame:
    """One row per respondent asked the question who answered it: redacted text and group."""
    part = asked(frame, survey, question)
    texts = text_series(part, question)
    keep = texts != ""
    data = pd.DataFrame({TEXT: redacted(texts[keep].tolist())}, index=texts[keep].index)
    if group is not None:
        data[GROUP] = labelled(part.loc[keep, group.key], group.options).fillna("Not stated")
    return data


def draw(data: pd.DataFrame, grouped: bool, min_respondents: int) -> dict[str, WordCloudResult]:
    # One row per respondent, so the respondent counts of analysis.wordclouds are people.
    from analysis.wordclouds import word_clouds_by_group

    return word_clouds_by_group(data, TEXT, GROUP if grouped else None, min_respondents)


@dataclass(frozen=True)
class Panel:
    group: str
    question: QuestionType
    respondents: int
    image: str  # PNG data URI
    table: Table
    notes: list[str]


def cloud_payload(clouds: dict[str, WordCloudResult]) -> dict[str, Any]:
    """What the page shows of each group's cloud, JSON-able (a background job stores it): the
    image, the words used by most respondents, and the notes."""
    out = {}
    for label, result in clouds.items():
        top = result.frequencies.head(TABLE_ROWS)
        out[label] = {
            "respondents": int(result.respondents),
            "png": base64.b64encode(result.png).decode("ascii"),
            "words": [
                [str(word), int(count), float(share)]
                for word, count, share in zip(
                    top["word"].tolist(),
                    top["respondents"].tolist(),
                    top["share"].tolist(),
                    strict=True,
                )
            ],
            "notes": [str(note) for note in result.notes],
        }
    return out


def panel(group: str, question: QuestionType, cloud: dict[str, Any]) -> Panel:
    rows = [
        [word, f"{int(count):,}", f"{float(share) * 100:.1f}%"]
        for word, count, share in cloud["words"]
    ]
    table = Table(
        f"{question.title} ({group}): words used by most respondents",
        ["Word", "Respondents", "% of respondents"],
        rows,
    )
    image = "data:image/png;base64," + str(cloud["png"])
    return Panel(group, question, int(cloud["respondents"]), image, table, list(cloud["notes"]))
