"""Coding free-text answers into themes in the browser: codebooks per question, machine
suggestions with reasons, a coding queue, double coding with agreement, theme results and
confirmed quotes."""

import logging
from typing import Any

from analysis.embeddings import SentenceEncoder, packaged_model
from consult.jobs import JobHandler
from research.coding import discovery
from research.coding.agreement_pages import AgreementPages
from research.coding.discovery_pages import DiscoveryPages
from research.coding.pages import CodingPages
from research.coding.queue_pages import QueuePages
from research.coding.quote_pages import QuotePages
from research.coding.suggestions import JOB_KIND, code_question, code_question_with_vectors
from research.coding.theme_pages import ThemePages

ROUTES: list[Any] = [
    CodingPages,
    QueuePages,
    AgreementPages,
    ThemePages,
    QuotePages,
    DiscoveryPages,
]
JOB_HANDLERS: dict[str, JobHandler] = {
    JOB_KIND: code_question,
    discovery.JOB_KIND: discovery.look_for_themes,
}


def vector_job_handlers(enabled: bool) -> dict[str, JobHandler]:
    """With ``CONSULT_EMBEDDINGS`` on and the model installed: the coding job that stores each
    answer's vector once and fuses them in. Otherwise none (logged when
    asked for but absent): the TF-IDF learner works alone."""
    if not enabled:
        return {}
    if packaged_model() is None:
        logging.getLogger(__name__).warning(
            "CONSULT_EMBEDDINGS is on but the model is not installed; TF-IDF only"
        )
        return {}
    return {JOB_KIND: code_question_with_vectors(SentenceEncoder)}
