"""Surveys: definitions (sections, pages, questions, routing), the respondent journey, drafts,
save-and-return, submission and withdrawal."""

from typing import Any

ROUTES: list[Any] = []
