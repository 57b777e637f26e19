"""The studio in the browser: HTML pages, their static assets, plotly's bundled JS and ``/ui-api`` helpers.

Pages are Jinja2 shells that hold no user data: small ES modules under ``static/`` fetch everything from
the REST API and write it with ``textContent``. The few numbers the API does not give (a dataset preview
for the import screen, analytics group-bys, per-row class probabilities, a confidence histogram and how
many rows a batch action would change) come from read-only JSON routes under ``/ui-api``.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Any

import numpy as np
from fastapi import APIRouter, FastAPI, Query, Request
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel
from sqlalchemy import ColumnElement, Integer, String, and_, case, cast, func, select

import goldlabel
from goldlabel.exceptions import InvalidOptionError, MissingDependencyError, NotFoundError
from goldlabel.server.deps import CurrentUser, State
from goldlabel.server.schemas import FilterModel
from goldlabel.service.actions import ACTION_KINDS, has_suggestion
from goldlabel.service.exporting import EXPORT_FORMATS
from goldlabel.service.importing import get_dataset
from goldlabel.service.projects import decode_label, get_project
from goldlabel.service.rows import RowFilter, row_conditions
from goldlabel.store.tables import AnalysisRow, DatasetRow, RowState

__all__ = ["install_pages", "router"]

_HERE = Path(__file__).parent
_TEMPLATES = Jinja2Templates(directory=str(_HERE / "templates"))
_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob: http: https:; connect-src 'self'; object-src 'none'; "
    "base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
_PAGES = {
    "overview": "project.html",
    "review": "review.html",
    "wizard": "wizard.html",
    "analytics": "analytics.html",
    "export": "export.html",
    "models": "models.html",
    "rules": "lfs.html",
    "consensus": "consensus.html",
}
_ISSUES = {
    "label": RowState.is_label_issue,
    "outlier": RowState.is_outlier_issue,
    "near_duplicate": RowState.is_near_duplicate_issue,
}
MAX_PROBABILITY_ROWS = 1000

router = APIRouter(include_in_schema=False)


def _page(request: Request, template: str, **context: Any) -> HTMLResponse:
    response = _TEMPLATES.TemplateResponse(
        request, template, {"version": goldlabel.__version__, **context}
    )
    response.headers["Content-Security-Policy"] = _CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@router.get("/", response_class=HTMLResponse)
def home_page(request: Request) -> HTMLResponse:
    """Projects, datasets and the upload box."""
    return _page(request, "home.html", page="home")


@router.get("/datasets/{dataset_id}/setup", response_class=HTMLResponse)
def setup_page(request: Request, dataset_id: int) -> HTMLResponse:
    """Confirm the inferred schema of an uploaded dataset and create its project."""
    return _page(request, "setup.html", page="setup", dataset_id=dataset_id)


@router.get("/projects/{project_id}", response_class=HTMLResponse)
def project_page(request: Request, project_id: int) -> HTMLResponse:
    """A project's overview: counts, the analysis's progress, what to do next."""
    return _page(request, _PAGES["overview"], page="overview", project_id=project_id)


@router.get("/projects/{project_id}/{section}", response_class=HTMLResponse)
def project_section_page(request: Request, project_id: int, section: str) -> HTMLResponse:
    """The review table, the wizard, analytics, export, the model, rules or consensus page."""
    if section not in _PAGES or section == "overview":
        raise NotFoundError(
            f"there is no page {section!r}; a project's pages are {sorted(set(_PAGES) - {'overview'})}."
        )
    return _page(
        request,
        _PAGES[section],
        page=section,
        project_id=project_id,
        export_formats=EXPORT_FORMATS,
    )


@router.get("/vendor/plotly.min.js")
def plotly_js() -> FileResponse:
    """plotly.js as bundled in the installed ``plotly`` Python package (never a CDN)."""
    spec = importlib.util.find_spec("plotly")
    if spec is None or spec.origin is None:
        raise MissingDependencyError(
            "the studio's charts need the 'plotly' package; install it with pip install plotly."
        )
    path = Path(spec.origin).parent / "package_data" / "plotly.min.js"
    if not path.is_file():
        raise MissingDependencyError(
            f"plotly is installed but {path} is missing; reinstall plotly (pip install --force-reinstall plotly)."
        )
    return FileResponse(
        path,
        media_type="text/javascript",
        headers={"Cache-Control": "public, max-age=86400"},
    )


# --------------------------------------------------------------------------------------- /ui-api


def _json_cell(expr_column: str, session: Any) -> Any:
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects import postgresql

        return cast(DatasetRow.data, postgresql.JSON)[expr_column].astext
    return func.json_extract(DatasetRow.data, f"$.{json.dumps(expr_column)}")


@router.get("/ui-api/datasets/{dataset_id}/preview")
def preview_dataset(
    state: State, _user: CurrentUser, dataset_id: int, label_column: str | None = None
) -> dict[str, Any]:
    """The first rows of a dataset and the distinct values (with counts) of its label column."""
    with state.db.read() as session:
        dataset = get_dataset(session, dataset_id)
        roles: dict[str, str] = dict(dataset.column_schema)
        column = label_column or next((c for c, r in roles.items() if r == "label"), None)
        if column is not None and column not in roles:
            raise InvalidOptionError(
                f"label_column {column!r} is not a column of dataset {dataset_id}; "
                f"its columns are {list(roles)}."
            )
        sample = session.scalars(
            select(DatasetRow.data)
            .where(DatasetRow.dataset_id == dataset_id)
            .order_by(DatasetRow.row_id)
            .limit(8)
        ).all()
        values: list[dict[str, Any]] = []
        if column is not None:
            cell = _json_cell(column, session)
            counts = session.execute(
                select(cast(cell, String), func.count())
                .where(DatasetRow.dataset_id == dataset_id)
                .group_by(cast(cell, String))
                .order_by(func.count().desc())
                .limit(200)
            ).all()
            values = [{"value": v, "count": int(n)} for v, n in counts]
        return {
            "id": dataset.id,
            "name": dataset.name,
            "n_rows": dataset.n_rows,
            "columns": dataset.columns,
            "column_roles": roles,
            "label_column": column,
            "label_values": values,
            "sample": [json.loads(s) for s in sample],
        }


@router.get("/ui-api/projects/{project_id}/probabilities")
def top_probabilities(
    state: State,
    _user: CurrentUser,
    project_id: int,
    row_id: list[int] = Query(default_factory=list),  # noqa: B008
    top: int = 9,
) -> dict[str, Any]:
    """The ``top`` most likely classes of each listed row under the current analysis, most likely first."""
    if len(row_id) > MAX_PROBABILITY_ROWS or not 1 <= top <= 100:
        raise InvalidOptionError(
            f"ask for at most {MAX_PROBABILITY_ROWS} rows and 1 <= top <= 100; "
            f"got {len(row_id)} rows and top={top}."
        )
    with state.db.read() as session:
        project = get_project(session, project_id)
        if project.current_analysis_id is None or not row_id:
            return {"analysis_id": project.current_analysis_id, "rows": {}}
        classes = list(project.classes)
        found = session.execute(
            select(AnalysisRow.row_id, AnalysisRow.pred_probs).where(
                AnalysisRow.analysis_id == project.current_analysis_id,
                AnalysisRow.row_id.in_(row_id),
            )
        ).all()
        out: dict[str, list[list[Any]]] = {}
        for rid, blob in found:
            probs = np.frombuffer(bytes(blob), dtype=np.float32)
            order = np.argsort(-probs, kind="stable")[:top]
            out[str(rid)] = [[classes[int(i)], round(float(probs[i]), 4)] for i in order]
        return {"analysis_id": project.current_analysis_id, "rows": out}


@router.get("/ui-api/projects/{project_id}/confidence-histogram")
def confidence_histogram(
    state: State, _user: CurrentUser, project_id: int, bins: int = 40, status: str = "unlabeled"
) -> dict[str, Any]:
    """How many rows (of one status) fall in each bin of suggested-label confidence, in [0, 1]."""
    if not 2 <= bins <= 200:
        raise InvalidOptionError(f"bins must be in [2, 200]; got {bins}.")
    with state.db.read() as session:
        project = get_project(session, project_id)
        conf = RowState.suggested_label_confidence
        scaled = conf * bins
        if session.get_bind().dialect.name == "postgresql":
            scaled = func.floor(scaled)  # a cast rounds on PostgreSQL, truncates on SQLite
        index = cast(scaled, Integer)
        bucket = case((index >= bins, bins - 1), else_=index)
        cond = row_conditions(session, project, RowFilter(status=[status]))
        counts: dict[int, int] = dict(
            session.execute(
                select(bucket, func.count()).where(*cond, conf.is_not(None)).group_by(bucket)
            ).all()
        )
        edges = [i / bins for i in range(bins + 1)]
        return {"edges": edges, "counts": [int(counts.get(i, 0)) for i in range(bins)]}


class CountRequest(BaseModel):
    """Which rows a batch action would touch: ids or a filter."""

    kind: str
    row_ids: list[int] | None = None
    filter: FilterModel | None = None


@router.post("/ui-api/projects/{project_id}/count")
def count_changes(
    state: State, _user: CurrentUser, project_id: int, body: CountRequest
) -> dict[str, Any]:
    """How many rows an action of ``kind`` on these rows would change (for the confirmation)."""
    if body.kind not in ACTION_KINDS:
        raise InvalidOptionError(f"kind must be one of {list(ACTION_KINDS)}; got {body.kind!r}.")
    if (body.row_ids is None) == (body.filter is None):
        raise InvalidOptionError("pass exactly one of row_ids and filter.")
    with state.db.read() as session:
        project = get_project(session, project_id)
        row_filter = (
            body.filter.to_filter() if body.filter is not None else RowFilter(row_ids=body.row_ids)
        )
        cond: list[ColumnElement[bool]] = row_conditions(session, project, row_filter)
        if body.kind in ("autofix", "autolabel"):
            cond.extend(has_suggestion(project))
        elif body.kind == "keep":
            cond.append(RowState.given_label.is_not(None))
        elif body.kind == "include":
            cond.append(RowState.status == "excluded")
        n = int(session.scalar(select(func.count()).select_from(RowState).where(*cond)) or 0)
        return {"kind": body.kind, "n_rows": n}


def _bucket(session: Any) -> Any:
    if session.get_bind().dialect.name == "postgresql":
        return func.to_char(func.date_trunc("hour", RowState.updated_at), "YYYY-MM-DD HH24:00")
    return func.strftime("%Y-%m-%d %H:00", RowState.updated_at)


@router.get("/ui-api/projects/{project_id}/analytics")
def project_analytics(state: State, _user: CurrentUser, project_id: int) -> dict[str, Any]:
    """Issues by type and class, label health, overlapping classes and labeling progress over time."""
    with state.db.read() as session:
        project = get_project(session, project_id)
        classes, task = list(project.classes), project.task
        mine = RowState.project_id == project.id

        def name(v: Any) -> str:
            label = decode_label(None if v is None else int(v), classes, task=task)
            if label is None:
                return "(unlabeled)"
            return ", ".join(label) if isinstance(label, list) else label

        by_type = {
            kind: int(session.scalar(select(func.count()).where(mine, col.is_(True))) or 0)
            for kind, col in _ISSUES.items()
        }
        by_class: dict[str, dict[str, int]] = {}
        for kind, col in _ISSUES.items():
            for label, n in session.execute(
                select(RowState.label, func.count())
                .where(mine, col.is_(True))
                .group_by(RowState.label)
            ):
                by_class.setdefault(name(label), {})[kind] = int(n)
        n_labeled = int(
            session.scalar(
                select(func.count()).where(
                    mine, RowState.label.is_not(None), RowState.status != "excluded"
                )
            )
            or 0
        )
        analysed = project.current_analysis_id is not None
        health = (1.0 - by_type["label"] / n_labeled) if analysed and n_labeled else None
        overlap: list[dict[str, Any]] = []
        if analysed and task == "multiclass":
            pairs: dict[tuple[str, str], int] = {}
            for label, suggested, n in session.execute(
                select(RowState.label, RowState.suggested_label, func.count())
                .where(
                    mine,
                    RowState.label.is_not(None),
                    RowState.suggested_label.is_not(None),
                    RowState.label != RowState.suggested_label,
                    RowState.status != "excluded",
                )
                .group_by(RowState.label, RowState.suggested_label)
            ):
                a, b = sorted((name(label), name(suggested)))
                pairs[(a, b)] = pairs.get((a, b), 0) + int(n)
            overlap = [
                {"a": a, "b": b, "n_rows": n, "share": n / n_labeled if n_labeled else 0.0}
                for (a, b), n in sorted(pairs.items(), key=lambda kv: -kv[1])[:20]
            ]
        counts = dict(
            session.execute(
                select(RowState.status, func.count()).where(mine).group_by(RowState.status)
            ).all()
        )
        bucket = _bucket(session)
        progress = [
            {
                "when": when or project.created_at.strftime("%Y-%m-%d %H:00"),
                "source": source or "given",
                "user": user or project.created_by,
                "n_rows": int(n),
            }
            for when, source, user, n in session.execute(
                select(bucket, RowState.source, RowState.updated_by, func.count())
                .where(mine, RowState.label.is_not(None), RowState.status != "excluded")
                .group_by(bucket, RowState.source, RowState.updated_by)
            )
        ]
        progress.sort(key=lambda p: (p["when"], p["source"], p["user"]))
        return {
            "project_id": project.id,
            "analysed": analysed,
            "n_rows": int(sum(counts.values())),
            "counts": {k: int(v) for k, v in counts.items()},
            "n_labeled": n_labeled,
            "issues_by_type": by_type,
            "issues_by_class": by_class,
            "label_health_score": health,
            "overlapping_classes": overlap,
            "progress": progress,
            "disagreements": int(
                session.scalar(
                    select(func.count()).where(
                        mine,
                        RowState.status != "excluded",
                        and_(
                            RowState.label.is_not(None),
                            RowState.suggested_label.is_not(None),
                            RowState.label != RowState.suggested_label,
                        ),
                    )
                )
                or 0
            ),
        }


def install_pages(app: FastAPI) -> None:
    """Add the studio's pages, ``/ui-api`` routes and ``/static`` assets to the API app.

    Examples
    --------
    >>> from fastapi import FastAPI
    >>> app = FastAPI()
    >>> install_pages(app)
    >>> any(getattr(r, "name", None) == "static" for r in app.routes)
    True
    """
    app.include_router(router)
    if not any(getattr(r, "name", None) == "static" for r in app.routes):
        app.mount("/static", StaticFiles(directory=_HERE / "static"), name="static")
