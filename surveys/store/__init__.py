"""The survey data layer: plain functions over a SQLAlchemy ``Connection`` (Core statements)
that read and write drafts, responses and versions. Async callers run them with
``await session.run_sync(...)`` so they share the request's transaction."""
