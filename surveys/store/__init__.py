"""The survey data layer: every query of survey data, as plain functions over a SQLAlchemy
``Connection`` (Core statements). ``create_app`` builds one :class:`.database.SurveyStore`
and dependency injection hands it to every surveys handler: respondent pages run the functions
as direct units of work (``store.read`` / ``store.write``), staff pages inside the request's
transaction (``store.run(db_session, fn)``), jobs inside their own (``database.run``). See
docs/architecture.md, "The survey data layer"."""
