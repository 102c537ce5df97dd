"""The web application: `create_app()` wires plugins, routes, templates and static files;
`main()` serves it."""

from __future__ import annotations

import warnings
from functools import partial
from typing import Any

from advanced_alchemy.extensions.litestar import SQLAlchemyAsyncConfig, SQLAlchemyPlugin
from litestar import Litestar
from litestar.config.app import AppConfig
from litestar.config.csrf import CSRFConfig
from litestar.contrib.jinja import JinjaTemplateEngine
from litestar.datastructures import State
from litestar.di import Provide
from litestar.logging import LoggingConfig
from litestar.static_files import create_static_files_router
from litestar.stores.base import Store
from litestar.stores.redis import RedisStore
from litestar.stores.registry import StoreRegistry
from litestar.template.config import TemplateConfig

import consult.routes
import panels
import research
import surveys
from consult.auth import build_session_auth
from consult.caches import AppCache
from consult.db import build_alchemy_config, build_store
from consult.direct import DirectDatabase
from consult.errors import EXCEPTION_HANDLERS
from consult.forms import FormFieldLimit, read_form
from consult.health import HealthCheck
from consult.jobs import JobRunner
from consult.outages import OutageLog, note_recovery
from consult.security import security_headers, sign_in_rate_limit
from consult.settings import BASE_DIR, Settings, get_settings
from consult.templating import configure_jinja
from consult.transactions import CommitBeforeSessionWrite, ErrorPageUntilSent
from research.frames import STATE_KEY as FRAMES_STATE_KEY
from research.frames import ResponseFrames
from surveys.store.database import SurveyStore
from surveys.store.versions import Definitions

STORE_NAMES = ("sessions", "throttle", "rate_limit")


def build_stores(settings: Settings, alchemy: Any, direct: DirectDatabase) -> dict[str, Store]:
    """Sessions and counters live in Redis when configured, else in the database: never in
    process memory, so several workers and machines can serve one consultation."""
    if settings.redis_url:
        root = RedisStore.with_client(url=settings.redis_url, namespace="consult")
        return {name: root.with_namespace(name) for name in STORE_NAMES}
    return {name: build_store(alchemy, name, direct) for name in STORE_NAMES}


def outermost(middleware: Any) -> Any:
    """An `on_app_init` hook putting `middleware` outside the session middleware (which the
    session auth's own hook puts first)."""

    def add(config: AppConfig) -> AppConfig:
        config.middleware.insert(0, middleware)
        return config

    return add


# The public/staff split is a negative look-ahead, which Litestar's heuristic mistakes for
# "excludes every path"; tests prove the staff area is guarded.
warnings.filterwarnings("ignore", message="Middleware 'SessionAuthMiddleware' exclude pattern")


def job_runner(
    settings: Settings, alchemy: SQLAlchemyAsyncConfig, frames: ResponseFrames | None = None
) -> JobRunner:
    """The background jobs of every package; the app and `python -m consult worker` share it."""
    handlers = {
        **research.JOB_HANDLERS,
        **research.result_job_handlers(frames or ResponseFrames()),
        # Optional sentence vectors (off by default): nothing when the setting or model is absent.
        **research.vector_job_handlers(settings.embeddings),
    }
    return JobRunner(alchemy, handlers, redis_url=settings.redis_url)


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or get_settings()
    alchemy = build_alchemy_config(settings)
    direct = DirectDatabase(
        alchemy.get_engine(),
        executor=settings.direct_executor,
        time_limit=settings.direct_time_limit,
        pool_size=settings.direct_pool_size,
    )
    # Every cache of this app (snapshots, parsed definitions, rendered fragments): made here,
    # bounded, and gone with the app, so each app (each test's too) starts empty.
    cache = AppCache()
    store = SurveyStore(direct, cache, alchemy)
    # Sessions carry the app's parsed definitions, for work that has only a session.
    alchemy.session_config.info[Definitions.SESSION_KEY] = store.definitions  # type: ignore[index]
    session_auth = build_session_auth(settings, alchemy)
    # One bounded cache of response frames per app, shared by its pages and in-process jobs.
    frames = ResponseFrames()
    jobs = job_runner(settings, alchemy, frames)
    return Litestar(
        route_handlers=[
            *consult.routes.ROUTES,
            *surveys.ROUTES,
            *panels.ROUTES,
            *research.ROUTES,
            create_static_files_router(
                path="/static",
                directories=[BASE_DIR / "static"],
                cache_control=None,
                include_in_schema=False,
            ),
        ],
        dependencies={
            "form": Provide(read_form),
            "jobs": Provide(lambda: jobs, use_cache=True, sync_to_thread=False),
            "store": Provide(lambda: store, use_cache=True, sync_to_thread=False),
            "settings": Provide(lambda: settings, use_cache=True, sync_to_thread=False),
        },
        plugins=[SQLAlchemyPlugin(config=alchemy)],
        on_app_init=[session_auth.on_app_init, outermost(ErrorPageUntilSent())],
        middleware=[
            sign_in_rate_limit().middleware,
            FormFieldLimit,
            CommitBeforeSessionWrite(alchemy),
        ],
        csrf_config=CSRFConfig(
            secret=settings.secret_key,
            cookie_name="csrf",
            cookie_secure=settings.secure_cookies,
            cookie_httponly=True,
            cookie_samesite="strict",
            exclude=["/healthz", "/livez", "/exit"],
        ),
        template_config=TemplateConfig(
            directory=[
                BASE_DIR / "consult" / "templates",
                BASE_DIR / "surveys" / "templates",
                BASE_DIR / "panels" / "templates",
                BASE_DIR / "research" / "templates",
            ],
            engine=JinjaTemplateEngine,
            engine_callback=partial(
                configure_jinja, cache=cache, reload=settings.environment == "development"
            ),
        ),
        stores=StoreRegistry(stores=build_stores(settings, alchemy, direct)),
        exception_handlers=EXCEPTION_HANDLERS,
        before_send=[security_headers(hsts=settings.secure_cookies), note_recovery],
        request_max_body_size=2 * 1024 * 1024,
        logging_config=LoggingConfig(log_exceptions="debug"),
        state=State(
            {
                "settings": settings,
                "alchemy": alchemy,
                "direct": direct,
                "cache": cache,
                "store": store,
                "outages": OutageLog(),
                "health": HealthCheck(settings, direct),
                "jobs": jobs,
                FRAMES_STATE_KEY: frames,
                "home_links": research.HOME_LINKS,
            }
        ),
        on_startup=[*surveys.ON_STARTUP, jobs.start],
        on_shutdown=[
            *surveys.ON_SHUTDOWN,
            jobs.stop,
            direct.close,
            alchemy.get_engine().dispose,
            cache.clear,
        ],
        # No API description: every route is an HTML page, and the schema listed each staff
        # route to anyone while its viewer loaded scripts from a CDN.
        openapi_config=None,
        debug=False,
    )


def main() -> None:
    from consult.cli import main as cli_main

    cli_main()


if __name__ == "__main__":
    main()
