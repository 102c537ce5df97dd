"""The survey data layer: plain functions over a SQLAlchemy ``Connection`` (Core statements)
that read and write survey data. Handlers run them inside the request's transaction
(``await db_session.run_sync(lambda s: fn(s.connection(), ...))``), jobs inside their own."""
