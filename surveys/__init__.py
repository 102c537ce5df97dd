"""Surveys: definitions (sections, pages, questions, routing), the respondent journey, drafts,
save-and-return, submission and withdrawal."""

from typing import Any

from surveys.builder.routes import ROUTES as _BUILDER_ROUTES
from surveys.controllers import ROUTES as _ROUTES
from surveys.responses import ROUTES as _RESPONSE_ROUTES

ROUTES: list[Any] = [*_ROUTES, *_RESPONSE_ROUTES, *_BUILDER_ROUTES]
