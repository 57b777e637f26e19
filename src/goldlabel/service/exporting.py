"""Exporting a project: the cleanset (CSV, Parquet, JSONL) and Label Studio JSON.

The cleanset is the dataset's own columns plus ``label`` (final), ``label_source``, ``label_status``,
``given_label`` and the current analysis's columns (``is_label_issue``, ``label_issue_score``,
``suggested_label``, ``suggested_label_confidence``, ``is_outlier_issue``, ``outlier_score``, ...).
A project with annotations (several people's labels) adds ``annotations`` (a JSON object, annotator to
label), ``consensus_label``, ``consensus_quality_score`` and ``annotator_agreement`` (see
:func:`goldlabel.service.annotations.compute_project_consensus`); rows nobody annotated have them empty.
"""

from __future__ import annotations

import io
import json
from typing import Any
from xml.sax.saxutils import quoteattr

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from goldlabel.exceptions import InvalidOptionError
from goldlabel.service.annotations import compute_project_consensus
from goldlabel.service.importing import load_dataset_frame
from goldlabel.service.projects import decode_label, get_project
from goldlabel.store.tables import AnalysisRow, Project, RowState

__all__ = [
    "EXPORT_FORMATS",
    "build_cleanset",
    "build_label_studio_config",
    "export_project",
]

EXPORT_FORMATS = ("csv", "parquet", "jsonl", "label-studio")
_MEDIA = {
    "csv": "text/csv",
    "parquet": "application/vnd.apache.parquet",
    "jsonl": "application/x-ndjson",
    "label-studio": "application/json",
}


def _states(session: Session, project: Project) -> pd.DataFrame:
    stmt = select(
        RowState.row_id,
        RowState.given_label,
        RowState.label,
        RowState.status,
        RowState.source,
    ).where(RowState.project_id == project.id)
    frame = pd.DataFrame(
        session.execute(stmt).all(), columns=["row_id", "given", "label", "status", "source"]
    )
    return frame.set_index("row_id")


def _analysis_columns(session: Session, project: Project) -> pd.DataFrame | None:
    if project.current_analysis_id is None:
        return None
    stmt = select(AnalysisRow.row_id, AnalysisRow.extra).where(
        AnalysisRow.analysis_id == project.current_analysis_id
    )
    ids, extras = [], []
    for row_id, extra in session.execute(stmt):
        ids.append(row_id)
        extras.append(extra)
    frame = pd.read_json(io.StringIO("\n".join(extras)), lines=True, dtype=False)
    frame.index = pd.Index(ids, name="row_id")
    return frame


def _names(values: pd.Series, project: Project, *, joined: bool) -> list[Any]:
    out: list[Any] = []
    for v in values.tolist():
        name = decode_label(None if pd.isna(v) else int(v), project.classes, task=project.task)
        if joined and isinstance(name, list):
            name = ",".join(name)
        out.append(name)
    return out


def build_cleanset(
    session: Session,
    project_id: int,
    *,
    include_excluded: bool = False,
    joined_labels: bool = False,
) -> pd.DataFrame:
    """The project's rows with their final labels and analysis columns, in row order.

    Parameters
    ----------
    include_excluded
        Keep excluded rows (their ``label_status`` says so); by default they are left out.
    joined_labels
        Write a multi-label row's classes as one comma-separated string (for CSV) instead of a list.
    """
    project = get_project(session, project_id)
    frame = load_dataset_frame(session, project.dataset_id)
    states = _states(session, project).reindex(frame.index)
    if project.label_column == "label":
        frame = frame.drop(columns=["label"])
    frame["given_label"] = _names(states["given"], project, joined=joined_labels)
    frame["label"] = _names(states["label"], project, joined=joined_labels)
    frame["label_source"] = states["source"].tolist()
    frame["label_status"] = states["status"].tolist()
    analysis = _analysis_columns(session, project)
    if analysis is not None:
        analysis = analysis.reindex(frame.index)
        for column in analysis.columns:
            values = analysis[column]
            if column == "suggested_label" and joined_labels:
                values = values.map(lambda v: ",".join(v) if isinstance(v, list) else v)
            frame[column] = values.tolist()
    _add_consensus(session, project, frame, joined_labels=joined_labels)
    if not include_excluded:
        frame = frame[states["status"].to_numpy() != "excluded"]
    return frame


def _add_consensus(
    session: Session, project: Project, frame: pd.DataFrame, *, joined_labels: bool
) -> None:
    consensus = compute_project_consensus(session, project.id)
    if not consensus["rows"]:
        return
    rows = {r["row_id"]: r for r in consensus["rows"]}

    def label(value: Any) -> Any:
        return ",".join(value) if joined_labels and isinstance(value, list) else value

    found = [rows.get(int(i)) for i in frame.index]
    frame["annotations"] = [
        json.dumps(r["labels"], ensure_ascii=False) if r else None for r in found
    ]
    frame["consensus_label"] = [label(r["consensus_label"]) if r else None for r in found]
    frame["consensus_quality_score"] = [r["consensus_quality_score"] if r else None for r in found]
    frame["annotator_agreement"] = [r["annotator_agreement"] if r else None for r in found]


def build_label_studio_config(project: Project) -> str:
    """A Label Studio labeling config (XML) for the project: a Text object and a Choices control."""
    choice = "multiple" if project.task == "multilabel" else "single"
    lines = [
        "<View>",
        '  <Text name="text" value="$text"/>',
        f'  <Choices name="label" toName="text" choice="{choice}" showInLine="true">',
        *[f"    <Choice value={quoteattr(c)}/>" for c in project.classes],
        "  </Choices>",
        "</View>",
    ]
    return "\n".join(lines)


def _result(label: Any) -> list[dict[str, Any]]:
    choices = label if isinstance(label, list) else [label]
    return [
        {
            "from_name": "label",
            "to_name": "text",
            "type": "choices",
            "value": {"choices": choices},
        }
    ]


def _label_studio_tasks(
    session: Session, project: Project, frame: pd.DataFrame
) -> list[dict[str, Any]]:
    text_columns = list(project.text_columns)
    base = [c for c in frame.columns if c in set(load_columns(project, frame))]
    tasks = []
    model_version = (
        f"goldlabel-analysis-{project.current_analysis_id}" if project.current_analysis_id else None
    )
    for row_id, row in zip(frame.index.tolist(), frame.to_dict("records"), strict=True):
        data = {c: _plain(row[c]) for c in base}
        # matches annotations made in Label Studio back to their rows
        data["goldlabel_row_id"] = int(row_id)
        if text_columns:
            data["text"] = "\n".join(
                str(row[c]) for c in text_columns if _plain(row[c]) is not None
            )
        else:
            data["text"] = "; ".join(f"{c}: {_plain(row[c])}" for c in base)
        task: dict[str, Any] = {
            "id": int(row_id) + 1,
            "data": data,
            "annotations": [],
            "predictions": [],
        }
        if _present(row["label"]) and row["label_status"] != "excluded":
            task["annotations"].append(
                {
                    "result": _result(row["label"]),
                    "was_cancelled": False,
                    "ground_truth": row["label_source"] == "human",
                    "meta": {
                        "label_source": row["label_source"],
                        "label_status": row["label_status"],
                    },
                }
            )
        if model_version and _present(row.get("suggested_label")):
            task["predictions"].append(
                {
                    "model_version": model_version,
                    "score": _plain(row.get("suggested_label_confidence")),
                    "result": _result(row["suggested_label"]),
                }
            )
        tasks.append(task)
    return tasks


def load_columns(project: Project, frame: pd.DataFrame) -> list[str]:
    """The dataset's own columns in a cleanset frame (everything before ``given_label``)."""
    columns = list(frame.columns)
    return columns[: columns.index("given_label")]


def _present(value: Any) -> bool:
    if isinstance(value, list):
        return bool(value)
    return value is not None and not (isinstance(value, float) and value != value)


def _plain(value: Any) -> Any:
    if isinstance(value, float) and value != value:
        return None
    if hasattr(value, "item"):
        return value.item()
    return value


def export_project(
    session: Session, project_id: int, *, file_format: str, include_excluded: bool = False
) -> tuple[bytes, str, str]:
    """The project exported as a file.

    Parameters
    ----------
    file_format
        One of :data:`EXPORT_FORMATS`.
    include_excluded
        Keep excluded rows in a cleanset (Label Studio exports keep them, without annotation).

    Returns
    -------
    content, media_type, filename

    Raises
    ------
    InvalidOptionError
        If the format is unknown.
    """
    if file_format not in EXPORT_FORMATS:
        raise InvalidOptionError(
            f"format must be one of {list(EXPORT_FORMATS)}; got {file_format!r}."
        )
    project = get_project(session, project_id)
    stem = f"project-{project.id}"
    if file_format == "label-studio":
        frame = build_cleanset(session, project_id, include_excluded=True)
        tasks = _label_studio_tasks(session, project, frame)
        return (
            json.dumps(tasks, ensure_ascii=False).encode(),
            _MEDIA[file_format],
            f"{stem}-label-studio.json",
        )
    frame = build_cleanset(
        session, project_id, include_excluded=include_excluded, joined_labels=file_format == "csv"
    )
    out = io.BytesIO()
    if file_format == "csv":
        frame.to_csv(out, index=False)
    elif file_format == "jsonl":
        out.write(frame.to_json(orient="records", lines=True, force_ascii=False).encode())
    else:
        frame.to_parquet(out, index=False)
    return out.getvalue(), _MEDIA[file_format], f"{stem}-cleanset.{file_format}"
