"""The findings report (arranged by researchers, signed off by an administrator, rendered to
HTML and DOCX from one model) and the public "We asked, you said, we did" page."""

from typing import Any

from research.report.pages import ReportPages
from research.report.public import PublicPage, YouSaidPages

ROUTES: list[Any] = [ReportPages, YouSaidPages, PublicPage]
