"""Routes of the respondent journey (all under neutral, position-based addresses)."""

from typing import Any

from litestar import Router

from consult.sessions import READ_WITH_SESSION
from surveys.controllers.common import page_read_with_session
from surveys.controllers.journey import check, done, safety, start, submit, support
from surveys.controllers.questions import (
    consent,
    consent_post,
    question,
    question_post,
    section,
    section_post,
)
from surveys.controllers.saving import (
    delete_answers,
    keep_alive,
    resume,
    resume_post,
    save,
    save_post,
    timed_out,
    withdraw,
    withdraw_post,
)

# A respondent page posts a few answers: even five long answers of 5,000 characters, every
# character percent-encoded, stay under this. Staff uploads keep the app's larger limit.
RESPONDENT_BODY_LIMIT = 512 * 1024

_JOURNEY: list[Any] = [
    start, safety, consent, consent_post, question, question_post, section, section_post,
    check, submit, done, support, save, save_post, resume, resume_post, delete_answers,
    withdraw, withdraw_post, keep_alive, timed_out,
]  # fmt: skip

ROUTES: list[Any] = [
    Router(
        path="/",
        route_handlers=_JOURNEY,
        request_max_body_size=RESPONDENT_BODY_LIMIT,
        # Every journey page reads its consultation and draft: with the session, in one unit.
        opt={READ_WITH_SESSION: page_read_with_session},
    )
]
