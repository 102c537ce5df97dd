"""The survey builder: staff build, preview, version, publish, import and export surveys.

:mod:`.service` edits a definition as plain data (pure functions), :mod:`surveys.store.editing`
is the data layer over ``SurveyVersion`` (``published_at IS NULL`` marks the one editable draft),
:mod:`.forms` reads the builder's forms, and the controllers stay thin.
"""
