"""A Python client for the studio's REST API (httpx)."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import httpx

from goldlabel.exceptions import (
    ApiError,
    ConflictError,
    DataValidationError,
    MissingDependencyError,
    NotFoundError,
)

__all__ = ["ApiError", "GoldlabelClient"]


def _raise_for(response: httpx.Response) -> None:
    if response.is_success:
        return
    try:
        body = response.json()
        message = str(body.get("error", response.text))
    except (ValueError, AttributeError):
        body, message = response.text, response.text
    status = response.status_code
    if status == 404:
        raise NotFoundError(message)
    if status == 409:
        raise ConflictError(
            message, current=body.get("current") if isinstance(body, dict) else None
        )
    if status == 400:
        raise DataValidationError(message)
    if status == 501:
        raise MissingDependencyError(message)
    raise ApiError(f"HTTP {status}: {message}", status=status, body=body)


class GoldlabelClient:
    """Talk to a goldlabel studio server.

    Parameters
    ----------
    base_url
        The server, e.g. ``http://127.0.0.1:8765``.
    token
        An API token (sent as ``Authorization: Bearer``); needed when the server requires one.
    user
        Your name, sent as ``X-Goldlabel-User`` to a server without authentication (logged with actions).
    http
        An ``httpx.Client`` to use instead of a new one (e.g. FastAPI's ``TestClient``).
    timeout
        Seconds per request.

    Examples
    --------
    >>> client = GoldlabelClient("http://127.0.0.1:8765", user="ana")  # doctest: +SKIP
    >>> ds = client.upload_dataset("news.csv")  # doctest: +SKIP
    >>> project = client.create_project(ds["id"], name="news")  # doctest: +SKIP
    """

    def __init__(
        self,
        base_url: str = "http://127.0.0.1:8765",
        *,
        token: str | None = None,
        user: str | None = None,
        http: httpx.Client | None = None,
        timeout: float = 120.0,
    ) -> None:
        headers = {}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        if user:
            headers["X-Goldlabel-User"] = user
        self._own = http is None
        self.http = http if http is not None else httpx.Client(base_url=base_url, timeout=timeout)
        self._headers = headers

    def close(self) -> None:
        """Close the connection pool (if this client made it)."""
        if self._own:
            self.http.close()

    def __enter__(self) -> GoldlabelClient:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def _call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        response = self.http.request(method, path, headers=self._headers, **kwargs)
        _raise_for(response)
        return response

    def _json(self, method: str, path: str, **kwargs: Any) -> Any:
        return self._call(method, path, **kwargs).json()

    # -- datasets and projects -------------------------------------------------------------------
    def health(self) -> dict[str, Any]:
        """The server's health, version and database kind."""
        result: dict[str, Any] = self._json("GET", "/api/health")
        return result

    def upload_dataset(
        self,
        file: str | Path | bytes,
        *,
        filename: str | None = None,
        name: str | None = None,
        file_format: str | None = None,
        column_roles: Mapping[str, str] | None = None,
    ) -> dict[str, Any]:
        """Upload a CSV/TSV/JSON/JSONL/Parquet file (a path, or bytes with ``filename``)."""
        if isinstance(file, bytes):
            content, fname = file, filename or "upload.csv"
        else:
            content, fname = Path(file).read_bytes(), filename or Path(file).name
        form: dict[str, str] = {}
        if name:
            form["name"] = name
        if file_format:
            form["file_format"] = file_format
        if column_roles:
            form["column_roles"] = json.dumps(dict(column_roles))
        result: dict[str, Any] = self._json(
            "POST", "/api/datasets", files={"file": (fname, content)}, data=form
        )
        return result

    def create_project(self, dataset_id: int, *, name: str, **options: Any) -> dict[str, Any]:
        """Create a project (options: task, label_column, text_columns, classes, instructions, ...)."""
        result: dict[str, Any] = self._json(
            "POST", "/api/projects", json={"dataset_id": dataset_id, "name": name, **options}
        )
        return result

    def get_project(self, project_id: int) -> dict[str, Any]:
        """A project with its row counts."""
        result: dict[str, Any] = self._json("GET", f"/api/projects/{project_id}")
        return result

    # -- rows and actions --------------------------------------------------------------------------
    def list_rows(self, project_id: int, **params: Any) -> dict[str, Any]:
        """A page of rows; params as ``GET /api/projects/{id}/rows`` (lists for multi-valued ones)."""
        clean = {k: v for k, v in params.items() if v is not None}
        result: dict[str, Any] = self._json("GET", f"/api/projects/{project_id}/rows", params=clean)
        return result

    def act(
        self,
        project_id: int,
        kind: str,
        *,
        row_ids: Sequence[int] | None = None,
        filter: Mapping[str, Any] | None = None,
        label: str | Sequence[str] | None = None,
        tag: str | None = None,
        expected_versions: Mapping[int, int] | None = None,
        note: str | None = None,
    ) -> dict[str, Any]:
        """Apply an action to rows by id or by filter; raises ConflictError if a row moved on."""
        body: dict[str, Any] = {"kind": kind}
        for key, value in (
            ("row_ids", list(row_ids) if row_ids is not None else None),
            ("filter", dict(filter) if filter is not None else None),
            ("label", label if isinstance(label, str | None) else list(label)),
            ("tag", tag),
            ("expected_versions", dict(expected_versions) if expected_versions else None),
            ("note", note),
        ):
            if value is not None:
                body[key] = value
        result: dict[str, Any] = self._json(
            "POST", f"/api/projects/{project_id}/actions", json=body
        )
        return result

    def undo(self, project_id: int, action_id: int) -> dict[str, Any]:
        """Undo an action."""
        result: dict[str, Any] = self._json(
            "POST", f"/api/projects/{project_id}/actions/{action_id}/undo"
        )
        return result

    def list_actions(self, project_id: int, *, limit: int = 100) -> list[dict[str, Any]]:
        """The action log, newest first."""
        result: list[dict[str, Any]] = self._json(
            "GET", f"/api/projects/{project_id}/actions", params={"limit": limit}
        )
        return result

    # -- jobs, analyses, auto-labeling ------------------------------------------------------------
    def start_analysis(self, project_id: int) -> dict[str, Any]:
        """Start an analysis (or a retrain) job."""
        result: dict[str, Any] = self._json("POST", f"/api/projects/{project_id}/analyses")
        return result

    def get_job(self, job_id: int) -> dict[str, Any]:
        """A job's status and progress."""
        result: dict[str, Any] = self._json("GET", f"/api/jobs/{job_id}")
        return result

    def cancel_job(self, job_id: int) -> dict[str, Any]:
        """Ask a job to stop."""
        result: dict[str, Any] = self._json("POST", f"/api/jobs/{job_id}/cancel")
        return result

    def wait_for_job(
        self, job_id: int, *, timeout: float = 600.0, poll: float = 0.2
    ) -> dict[str, Any]:
        """Poll a job until it ends; returns its final state.

        Raises
        ------
        TimeoutError
            If it has not ended after ``timeout`` seconds.
        """
        deadline = time.monotonic() + timeout
        while True:
            job = self.get_job(job_id)
            if job["status"] in ("succeeded", "failed", "cancelled"):
                return job
            if time.monotonic() > deadline:
                raise TimeoutError(f"job {job_id} still {job['status']} after {timeout} s")
            time.sleep(poll)

    def autolabel_proposal(
        self, project_id: int, *, target_accuracy: float = 0.95, confidence: float = 0.9
    ) -> dict[str, Any]:
        """The auto-labeling proposal for the current analysis."""
        result: dict[str, Any] = self._json(
            "GET",
            f"/api/projects/{project_id}/autolabel",
            params={"target_accuracy": target_accuracy, "confidence": confidence},
        )
        return result

    def apply_autolabel(
        self,
        project_id: int,
        *,
        analysis_id: int,
        target_accuracy: float = 0.95,
        confidence: float = 0.9,
    ) -> dict[str, Any]:
        """Apply the auto-labeling proposal made on ``analysis_id``."""
        result: dict[str, Any] = self._json(
            "POST",
            f"/api/projects/{project_id}/autolabel",
            json={
                "analysis_id": analysis_id,
                "target_accuracy": target_accuracy,
                "confidence": confidence,
            },
        )
        return result

    # -- annotations and consensus ----------------------------------------------------------------
    def annotate(self, project_id: int, row_id: int, label: Any) -> dict[str, Any]:
        """Record this client's user's own label for a row (a class name, or a list of them in a
        multi-label project); the row's label is unchanged until consensus is accepted."""
        result: dict[str, Any] = self._json(
            "PUT", f"/api/projects/{project_id}/rows/{row_id}/annotations", json={"label": label}
        )
        return result

    def remove_annotation(self, project_id: int, row_id: int) -> bool:
        """Take back this client's user's annotation of a row; False if there was none."""
        removed: bool = self._json(
            "DELETE", f"/api/projects/{project_id}/rows/{row_id}/annotations"
        )["removed"]
        return removed

    def list_annotations(
        self, project_id: int, *, row_id: int | None = None
    ) -> list[dict[str, Any]]:
        """Every annotator's labels in the project (of one row with ``row_id``)."""
        params = {} if row_id is None else {"row_id": row_id}
        result: list[dict[str, Any]] = self._json(
            "GET", f"/api/projects/{project_id}/annotations", params=params
        )
        return result

    def import_annotations(
        self,
        project_id: int,
        file: str | Path | bytes,
        *,
        filename: str | None = None,
        key_column: str = "row_id",
        annotator_column: str = "annotator",
        label_column: str = "label",
    ) -> dict[str, Any]:
        """Import many annotations from a table (one per line: row, annotator, label) or a Label
        Studio JSON export of goldlabel-exported tasks; all or nothing."""
        if isinstance(file, bytes):
            data, name = file, filename or "annotations.csv"
        else:
            data, name = Path(file).read_bytes(), filename or Path(file).name
        result: dict[str, Any] = self._json(
            "POST",
            f"/api/projects/{project_id}/annotations/import",
            files={"file": (name, data)},
            data={
                "key_column": key_column,
                "annotator_column": annotator_column,
                "label_column": label_column,
            },
        )
        return result

    def consensus(self, project_id: int, *, use_model: bool = True) -> dict[str, Any]:
        """The consensus of the annotations (CROWDLAB): per row, and each annotator's quality."""
        result: dict[str, Any] = self._json(
            "GET", f"/api/projects/{project_id}/consensus", params={"use_model": use_model}
        )
        return result

    def accept_consensus(
        self,
        project_id: int,
        *,
        row_ids: Sequence[int] | None = None,
        min_quality: float = 0.0,
        use_model: bool = True,
    ) -> dict[str, Any]:
        """Label annotated rows (all, or ``row_ids``) whose consensus quality is at least
        ``min_quality`` with their consensus: ``{"actions": [...], "n_rows": n}``."""
        params: dict[str, Any] = {"min_quality": min_quality, "use_model": use_model}
        if row_ids is not None:
            params["row_id"] = [int(r) for r in row_ids]
        result: dict[str, Any] = self._json(
            "POST", f"/api/projects/{project_id}/consensus/accept", params=params
        )
        return result

    def export(
        self, project_id: int, *, file_format: str = "csv", include_excluded: bool = False
    ) -> bytes:
        """The exported file's bytes (csv, parquet, jsonl or label-studio)."""
        return self._call(
            "GET",
            f"/api/projects/{project_id}/export",
            params={"format": file_format, "include_excluded": include_excluded},
        ).content

    # -- models and users -------------------------------------------------------------------------
    def train_model(self, project_id: int) -> dict[str, Any]:
        """Start a job training a model version on the cleanset."""
        result: dict[str, Any] = self._json("POST", f"/api/projects/{project_id}/models")
        return result

    def deploy_model(self, model_id: int) -> dict[str, Any]:
        """Deploy a model version."""
        result: dict[str, Any] = self._json("POST", f"/api/models/{model_id}/deploy")
        return result

    def predict(self, project_id: int, rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
        """Predict rows with the project's deployed model."""
        result: list[dict[str, Any]] = self._json(
            "POST", f"/api/projects/{project_id}/predict", json={"rows": [dict(r) for r in rows]}
        )["predictions"]
        return result

    def create_user(self, name: str, password: str, *, is_admin: bool = False) -> dict[str, Any]:
        """Create a user."""
        result: dict[str, Any] = self._json(
            "POST", "/api/users", json={"name": name, "password": password, "is_admin": is_admin}
        )
        return result

    def create_token(self, name: str, password: str) -> str:
        """Sign in and return a new API token (also used by this client from now on)."""
        token: str = self._json(
            "POST", "/api/auth/tokens", json={"name": name, "password": password}
        )["token"]
        self._headers["Authorization"] = f"Bearer {token}"
        return token
