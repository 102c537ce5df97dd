"""Codebooks per text question: start from the VAWG starting codebook, edit themes, import and
export as YAML or REFI-QDA. The stored form is `analysis.codebook`'s dict, validated by it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path

import yaml
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from analysis.codebook import Codebook, Theme, codebook_from_dict, codebook_to_dict
from analysis.errors import AnalysisError
from analysis.qdc import codebook_to_qdc, qdc_to_codebook
from consult.errors import Invalid
from research.coding.models import QuestionCodebook

STARTING_CODEBOOK = (
    Path(__file__).resolve().parents[2] / "analysis" / "codebooks" / "vawg-starting.yaml"
)
MAX_UPLOAD = 512 * 1024


def starting_codebook() -> Codebook:
    raw = yaml.safe_load(STARTING_CODEBOOK.read_text(encoding="utf-8"))
    return codebook_from_dict(raw, "starting codebook")


async def codebook_row(
    db: AsyncSession, consultation_id: uuid.UUID, question_key: str
) -> QuestionCodebook:
    """The question's codebook, started from the VAWG starting codebook on first use."""
    row = await db.scalar(
        select(QuestionCodebook).where(
            QuestionCodebook.consultation_id == consultation_id,
            QuestionCodebook.question_key == question_key,
        )
    )
    if row is None:
        row = QuestionCodebook(
            consultation_id=consultation_id,
            question_key=question_key,
            definition=codebook_to_dict(starting_codebook()),
        )
        db.add(row)
        await db.flush()
    return row


def codebook_of(row: QuestionCodebook) -> Codebook:
    return codebook_from_dict(row.definition, "stored codebook")


def store(row: QuestionCodebook, book: Codebook) -> None:
    """Validate by a round trip through the analysis package, then keep."""
    try:
        row.definition = codebook_to_dict(codebook_from_dict(codebook_to_dict(book)))
    except AnalysisError as exc:
        raise Invalid(str(exc)) from exc


@dataclass
class ThemeFields:
    name: str
    description: str
    keywords: list[str]
    phrases: list[str]
    parent: str


def find_theme(book: Codebook, name: str) -> tuple[Theme, Theme | None]:
    for theme, parent in book.walk():
        if theme.name == name:
            return theme, parent
    raise Invalid(f"There is no theme called '{name}' in this codebook")


def add_theme(book: Codebook, fields: ThemeFields) -> None:
    if fields.name in book.theme_names():
        raise Invalid(f"There is already a theme called '{fields.name}'")
    theme = Theme(
        name=fields.name,
        description=fields.description,
        keywords=fields.keywords,
        phrases=fields.phrases,
    )
    if fields.parent:
        find_theme(book, fields.parent)[0].children.append(theme)
    else:
        book.themes.append(theme)


def edit_theme(book: Codebook, old_name: str, fields: ThemeFields) -> None:
    theme, _ = find_theme(book, old_name)
    if fields.name != old_name and fields.name in book.theme_names():
        raise Invalid(f"There is already a theme called '{fields.name}'")
    theme.name = fields.name
    theme.description = fields.description
    theme.keywords = fields.keywords
    theme.phrases = fields.phrases


def delete_theme(book: Codebook, name: str) -> None:
    theme, parent = find_theme(book, name)
    siblings = parent.children if parent is not None else book.themes
    siblings.remove(theme)
    if not book.themes:
        raise Invalid("A codebook needs at least one theme")


def read_upload(filename: str, content: bytes) -> Codebook:
    """A codebook file a person uploaded: YAML or REFI-QDA `.qdc`."""
    if len(content) > MAX_UPLOAD:
        raise Invalid(f"The codebook file must be smaller than {MAX_UPLOAD // 1024} KB")
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Invalid("The codebook file must be UTF-8 text (YAML or .qdc)") from exc
    try:
        if filename.lower().endswith(".qdc"):
            return qdc_to_codebook(text, filename)
        raw = yaml.safe_load(text)
        return codebook_from_dict(raw, filename or "codebook")
    except AnalysisError as exc:
        raise Invalid(str(exc)) from exc
    except (yaml.YAMLError, RecursionError, ValueError) as exc:
        raise Invalid("The codebook file is not valid YAML or REFI-QDA XML") from exc


def export_yaml(book: Codebook) -> str:
    return yaml.safe_dump(codebook_to_dict(book), sort_keys=False, allow_unicode=True)


def export_qdc(book: Codebook) -> str:
    return codebook_to_qdc(book)
