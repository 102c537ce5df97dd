"""Coding free-text answers into themes in the browser: codebooks per question, machine
suggestions with reasons, a coding queue, double coding with agreement, theme results and
confirmed quotes."""

from typing import Any

from consult.jobs import JobHandler
from research.coding import discovery
from research.coding.agreement_pages import AgreementPages
from research.coding.discovery_pages import DiscoveryPages
from research.coding.pages import CodingPages
from research.coding.queue_pages import QueuePages
from research.coding.quote_pages import QuotePages
from research.coding.suggestions import JOB_KIND, code_question
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
