"""Free-text and survey analysis for consultations, usable with or without the web app.

The package owns the text pipeline (spaCy), redaction of personal data, codebooks and coding
(rules plus learning from hand-coded samples), inter-coder agreement, inductive theme suggestions,
word clouds, rating and theme breakdowns with statistical disclosure control, charts and the
``python -m analysis`` command line.

It never imports the web app. Platform data reaches it through one adapter,
:mod:`analysis.sources`, which loads a CSV/XLSX export (one row per response, one column per
question plus ``respondent_type``, ``submitted_at`` and ``survey_version`` metadata) or takes a
pandas DataFrame directly. Every public function works on DataFrames.
"""

from analysis.errors import AnalysisError

__all__ = ["AnalysisError"]
