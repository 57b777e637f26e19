"""The FastAPI application: routers, error handlers, the job runner, static files."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

import goldlabel
from goldlabel.server.deps import AppState
from goldlabel.server.errors import install_error_handlers
from goldlabel.server.pages import install_pages
from goldlabel.server.routes import auth, datasets, jobs, models, projects, rows, weak
from goldlabel.service.analysis import ANALYSIS_JOB, make_analysis_handler
from goldlabel.service.auth import auth_configured
from goldlabel.service.engines import AnalysisEngine, default_engine
from goldlabel.service.jobs import JobRunner
from goldlabel.service.modeling import TRAIN_JOB, make_train_handler
from goldlabel.store.database import Database

__all__ = ["create_app"]

_STATIC = Path(__file__).parent / "static"


def create_app(
    db: Database,
    *,
    require_auth: bool | None = None,
    engine_factory: Callable[[], AnalysisEngine] = default_engine,
    max_workers: int = 1,
) -> FastAPI:
    """Build the studio's API over an opened database.

    Parameters
    ----------
    db
        The database (see :func:`goldlabel.store.open_database`).
    require_auth
        Require an API token on every call; default: when the database holds an API token.
    engine_factory
        Makes the model an analysis or a training job runs.
    max_workers
        Background jobs run at once.

    Returns
    -------
    FastAPI
        Its lifespan starts the job runner (recovering jobs a previous process left) and stops it.
    """
    if require_auth is None:
        with db.read() as session:
            require_auth = auth_configured(session)
    runner = JobRunner(
        db,
        {
            ANALYSIS_JOB: make_analysis_handler(engine_factory),
            TRAIN_JOB: make_train_handler(engine_factory),
        },
        max_workers=max_workers,
    )

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        runner.start()
        try:
            yield
        finally:
            runner.shutdown(wait=False)

    app = FastAPI(
        title="goldlabel studio API",
        version=goldlabel.__version__,
        lifespan=lifespan,
        openapi_url="/openapi.json",
    )
    app.state.goldlabel = AppState(db=db, runner=runner, require_auth=bool(require_auth))
    install_error_handlers(app)
    for module in (datasets, projects, rows, jobs, models, auth, weak):
        app.include_router(module.router)

    @app.get("/api/health", tags=["meta"])
    def health() -> dict[str, Any]:
        """Whether the server is up, its version and its database kind."""
        return {"ok": True, "version": goldlabel.__version__, "database": db.dialect}

    if _STATIC.is_dir():
        app.mount("/static", StaticFiles(directory=_STATIC), name="static")
    install_pages(app)
    return app
