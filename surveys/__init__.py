"""Surveys: definitions (sections, pages, questions, routing), the respondent journey, drafts,
save-and-return, submission and withdrawal."""

from typing import Any

from surveys.builder.routes import ROUTES as _BUILDER_ROUTES
from surveys.controllers import ROUTES as _ROUTES
from surveys.responses import ROUTES as _RESPONSE_ROUTES
from surveys.schedule import start_retention, stop_retention
from surveys.store import audit_names as _audit_names  # noqa: F401 - registers audit log names

ROUTES: list[Any] = [*_ROUTES, *_RESPONSE_ROUTES, *_BUILDER_ROUTES]

# Added by app.py, so consult never imports surveys: the periodic retention job.
ON_STARTUP: list[Any] = [start_retention]
ON_SHUTDOWN: list[Any] = [stop_retention]
