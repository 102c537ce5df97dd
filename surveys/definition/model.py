"""The survey tree: a :class:`Survey` holds :class:`Section` s, which hold :class:`Page` s, which
hold questions (instances of the classes in :mod:`surveys.definition.questions`).

Sections, pages and questions can each carry ``respondent_types`` (shown only to those types;
the survey names the question that asks it in ``respondent_type_question``) and ``show_if``
(a :mod:`condition <surveys.definition.conditions>` on earlier answers). Both must hold.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from surveys.definition.conditions import AllOf, AnyOf, Condition
from surveys.definition.questions.base import QuestionType

RESPONDENT_TYPES = ("victim_survivor", "on_behalf", "professional", "public")


@dataclass(frozen=True)
class PageRef:
    """Where a page sits, by position. Positions keep URLs neutral (no topic words in them)."""

    section: int
    page: int

    @property
    def slug(self) -> str:
        return f"{self.section + 1}-{self.page + 1}"

    @classmethod
    def from_slug(cls, slug: str) -> PageRef | None:
        section, _, page = slug.partition("-")
        if not (section.isdigit() and page.isdigit()) or "0" in (section[:1], page[:1]):
            return None
        return cls(int(section) - 1, int(page) - 1)


@dataclass(frozen=True, kw_only=True)
class Page:
    questions: tuple[QuestionType, ...]
    # Heading for pages with several questions; a one-question page uses the question as heading.
    title: str | None = None
    show_if: Condition | None = None
    respondent_types: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class Section:
    key: str
    title: str
    pages: tuple[Page, ...]
    # What the section covers, shown before it starts (with the question count).
    content_note: str | None = None
    skippable: bool = False
    show_if: Condition | None = None
    respondent_types: tuple[str, ...] = ()

    @property
    def questions(self) -> list[QuestionType]:
        return [question for page in self.pages for question in page.questions]

    @property
    def question_count(self) -> int:
        """All questions; :func:`routing.visible_question_count` counts the ones shown."""
        return len(self.questions)


@dataclass(frozen=True, kw_only=True)
class Survey:
    key: str
    title: str
    sections: tuple[Section, ...]
    description: str | None = None
    respondent_type_question: str | None = None
    version: int = 1

    def questions(self) -> Iterator[QuestionType]:
        for section in self.sections:
            yield from section.questions

    def question(self, key: str) -> QuestionType:
        for question in self.questions():
            if question.key == key:
                return question
        raise KeyError(key)

    def page_refs(self) -> list[PageRef]:
        return list(self._page_refs)

    # Routing walks the same answers several times in one request (a page's questions, its Back
    # link, "check your answers"); it keeps its last few walks here, on the survey they belong
    # to, so the memo lives and dies with the survey object the app caches (see routing._walk).
    @cached_property
    def recent_walks(self) -> list[Any]:
        return []

    # Routing asks for these on every page a respondent sees; a survey never changes, so they
    # are built once (cached_property writes the instance dict, which a frozen dataclass allows).
    @cached_property
    def _page_refs(self) -> tuple[PageRef, ...]:
        return tuple(
            PageRef(s, p)
            for s, section in enumerate(self.sections)
            for p in range(len(section.pages))
        )

    @cached_property
    def _conditions(self) -> dict[int, Condition | None]:
        items: list[Section | Page | QuestionType] = []
        for section in self.sections:
            items.append(section)
            for page in section.pages:
                items.append(page)
                items.extend(page.questions)
        return {id(item): self._build_condition(item) for item in items}

    def section_of(self, ref: PageRef) -> Section:
        return self.sections[ref.section]

    def page(self, ref: PageRef) -> Page:
        return self.sections[ref.section].pages[ref.page]

    def condition_for(self, item: Section | Page | QuestionType) -> Condition | None:
        """The full show-if of an item: its respondent types (if any) and its own condition."""
        conditions = self._conditions
        key = id(item)
        return conditions[key] if key in conditions else self._build_condition(item)

    def _build_condition(self, item: Section | Page | QuestionType) -> Condition | None:
        parts: list[Condition] = []
        if item.respondent_types and self.respondent_type_question:
            parts.append(AnyOf(self.respondent_type_question, item.respondent_types))
        if item.show_if is not None:
            parts.append(item.show_if)
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else AllOf(tuple(parts))
