"""Labeling functions in the studio: a project's keyword and regex LFs, and live previews.

An LF reads the project's text (its text columns joined by a space) and votes one class. A preview
answers, for a saved LF or a draft still being typed, how many rows it covers, how often it overlaps or
conflicts with the project's other active LFs and how often it agrees with the rows' current labels.
The project's text and each LF's matches are cached in memory (:mod:`goldlabel.service.lf_matches`),
so a preview on a 100k-row project costs one regular-expression pass over the text.

The label model, its suggestions, applying its labels and LF label issues live in
:mod:`goldlabel.service.weak_model`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import regex as rx
from sqlalchemy import select
from sqlalchemy.orm import Session

from goldlabel.exceptions import ConflictError, InvalidOptionError, NotFoundError
from goldlabel.service.lf_matches import (
    SCAN_SECONDS,
    SNIPPET,
    LFSpec,
    compile_pattern,
    compile_stored_lf,
    get_lf_project,
    list_project_lfs,
    load_labels,
    load_texts,
    match_lf,
    stack_votes,
)
from goldlabel.service.projects import get_project
from goldlabel.service.weak_model import fit_weak_labels
from goldlabel.store.tables import Project, ProjectLF
from goldlabel.weak import KeywordLF, RegexLF

__all__ = [
    "LF_KINDS",
    "create_lf",
    "delete_lf",
    "list_lfs",
    "preview_lf",
    "update_lf",
]

LF_KINDS = ("keyword", "regex")
MAX_PATTERN = 1000


# ------------------------------------------------------------------------------ LF definitions


def _class_index(project: Project, label: Any) -> int:
    if label in project.classes:
        return int(project.classes.index(label))
    raise InvalidOptionError(
        f"an LF votes one of the project's classes {list(project.classes)}; got {label!r}."
    )


def _draft(project: Project, kind: str, label: Any, pattern: Any, keywords: Any) -> LFSpec:
    if kind not in LF_KINDS:
        raise InvalidOptionError(f"an LF's kind must be one of {list(LF_KINDS)}; got {kind!r}.")
    index = _class_index(project, label)
    if kind == "keyword":
        if isinstance(keywords, str):
            keywords = [w.strip() for w in keywords.split(",")]
        words = [w.strip() for w in (keywords or []) if isinstance(w, str) and w.strip()]
        if not words:
            raise InvalidOptionError(
                f"a keyword LF needs at least one non-empty keyword; got {keywords!r}. "
                'Pass keywords=["refund", "money back"].'
            )
        words = list(dict.fromkeys(words))
        compiled = KeywordLF(words, index).pattern
        if len(compiled) > MAX_PATTERN:
            raise InvalidOptionError(
                f"the keywords make a pattern of {len(compiled)} characters; at most {MAX_PATTERN} "
                "are allowed. Split them into several LFs."
            )
        return LFSpec("keyword", index, compiled, tuple(words))
    if not isinstance(pattern, str) or not pattern.strip():
        raise InvalidOptionError(
            f"a regex LF needs a non-empty pattern; got {pattern!r}. Pass e.g. pattern=r'\\brefund'."
        )
    if len(pattern) > MAX_PATTERN:
        raise InvalidOptionError(
            f"a regex LF's pattern has at most {MAX_PATTERN} characters; got {len(pattern)}."
        )
    RegexLF(pattern, index)  # raises InvalidOptionError naming the regex error
    return LFSpec("regex", index, pattern)


def _describe(lf: ProjectLF, project: Project) -> dict[str, Any]:
    return {
        "id": lf.id,
        "name": lf.name,
        "kind": lf.kind,
        "label": project.classes[lf.label],
        "pattern": lf.pattern,
        "keywords": list(lf.keywords) if lf.keywords is not None else None,
        "active": bool(lf.active),
        "created_by": lf.created_by,
        "created_at": lf.created_at.isoformat() if lf.created_at else None,
    }


def _get_lf(session: Session, project: Project, lf_id: int) -> ProjectLF:
    lf = session.get(ProjectLF, lf_id)
    if lf is None or lf.project_id != project.id:
        raise NotFoundError(
            f"labeling function {lf_id} does not exist in project {project.id}; list them with "
            f"GET /api/projects/{project.id}/lfs."
        )
    return lf


def _check_name(session: Session, project: Project, name: str, lf_id: int | None) -> str:
    name = name.strip()
    if not 1 <= len(name) <= 200:
        raise InvalidOptionError(f"an LF's name has 1 to 200 characters; got {name!r}.")
    clash = session.scalar(
        select(ProjectLF).where(ProjectLF.project_id == project.id, ProjectLF.name == name)
    )
    if clash is not None and clash.id != lf_id:
        raise ConflictError(
            f"project {project.id} already has an LF named {name!r} (id {clash.id}); pick another name.",
            current=_describe(clash, project),
        )
    return name


def _default_name(session: Session, project: Project, draft: LFSpec) -> str:
    base = (
        "keyword_" + "_".join(draft.keywords[:3])
        if draft.keywords
        else "regex_" + draft.pattern[:60]
    )[:190]
    taken = {lf.name for lf in list_project_lfs(session, project)}
    name, n = base, 1
    while name in taken:
        n += 1
        name = f"{base}_{n}"
    return name


def create_lf(
    session: Session,
    project_id: int,
    *,
    kind: str,
    label: str,
    user: str,
    pattern: str | None = None,
    keywords: Sequence[str] | str | None = None,
    name: str | None = None,
    active: bool = True,
) -> dict[str, Any]:
    """Save a keyword or regex LF in a project.

    Parameters
    ----------
    session
        A session in a write transaction.
    project_id
        A multi-class project with text columns.
    kind
        ``"keyword"`` (``keywords``: words matched whole, case-insensitive; a string is split on
        commas) or ``"regex"`` (``pattern``: a Python regular expression, case-insensitive).
    label
        The class the LF votes, by name.
    user
        Who writes it.
    name
        Unique in the project; default made from the keywords or pattern.
    active
        Inactive LFs are kept but left out of the label model.

    Returns
    -------
    dict
        ``id``, ``name``, ``kind``, ``label``, ``pattern``, ``keywords``, ``active``, ``created_by``,
        ``created_at``.

    Raises
    ------
    InvalidOptionError
        If the kind, class, keywords or pattern is invalid.
    ConflictError
        If the project has an LF of that name already.
    """
    project = get_lf_project(session, project_id)
    draft = _draft(project, kind, label, pattern, keywords)
    lf = ProjectLF(
        project_id=project.id,
        name=_check_name(session, project, name, None)
        if name
        else _default_name(session, project, draft),
        kind=draft.kind,
        pattern=pattern if draft.kind == "regex" else None,
        keywords=list(draft.keywords) if draft.keywords else None,
        label=draft.label,
        active=active,
        created_by=user,
    )
    session.add(lf)
    session.flush()
    return _describe(lf, project)


def update_lf(
    session: Session,
    project_id: int,
    lf_id: int,
    *,
    name: str | None = None,
    kind: str | None = None,
    label: str | None = None,
    pattern: str | None = None,
    keywords: Sequence[str] | str | None = None,
    active: bool | None = None,
) -> dict[str, Any]:
    """Change a saved LF: any of its name, kind, class, pattern or keywords, or switch it on or off.

    Raises
    ------
    NotFoundError
        If the LF does not exist in the project.
    InvalidOptionError, ConflictError
        As in :func:`create_lf`.
    """
    project = get_lf_project(session, project_id)
    lf = _get_lf(session, project, lf_id)
    new_kind = kind or lf.kind
    draft = _draft(
        project,
        new_kind,
        label if label is not None else project.classes[lf.label],
        pattern if pattern is not None else lf.pattern,
        keywords if keywords is not None else lf.keywords,
    )
    if name is not None:
        lf.name = _check_name(session, project, name, lf.id)
    lf.kind, lf.label = draft.kind, draft.label
    lf.pattern = draft.pattern if draft.kind == "regex" else None
    lf.keywords = list(draft.keywords) if draft.keywords else None
    if active is not None:
        lf.active = bool(active)
    session.flush()
    return _describe(lf, project)


def delete_lf(session: Session, project_id: int, lf_id: int) -> None:
    """Delete a saved LF (labels it helped apply stay; undo their action to remove them).

    Raises
    ------
    NotFoundError
        If the LF does not exist in the project.
    """
    project = get_project(session, project_id)
    session.delete(_get_lf(session, project, lf_id))
    session.flush()


# ------------------------------------------------------------------------------ statistics


def _rate(count: int, n: int) -> float:
    return float(count) / n if n else 0.0


def _stats(hit: np.ndarray, label: int, others: np.ndarray, labels: np.ndarray) -> dict[str, Any]:
    n = hit.size
    voted = others >= 0
    overlap = hit & voted.any(axis=1) if others.shape[1] else np.zeros(n, dtype=bool)
    conflict = hit & (voted & (others != label)).any(axis=1) if others.shape[1] else overlap
    judged = hit & (labels >= 0)
    correct = int((judged & (labels == label)).sum())
    n_judged = int(judged.sum())
    n_hit = int(hit.sum())
    return {
        "n_rows": n,
        "n_covered": n_hit,
        "coverage": _rate(n_hit, n),
        "n_overlaps": int(overlap.sum()),
        "overlaps": _rate(int(overlap.sum()), n),
        "n_conflicts": int(conflict.sum()),
        "conflicts": _rate(int(conflict.sum()), n),
        "n_correct": correct,
        "n_incorrect": n_judged - correct,
        "accuracy": correct / n_judged if n_judged else None,
    }


def _example(row_id: int, text: str, regex: rx.Pattern[str], label: int, project: Project) -> Any:
    # (the pattern has just searched every row within the time limit)
    match = regex.search(text, timeout=SCAN_SECONDS)
    start = max(0, match.start() - 60) if match else 0
    prefix = "…" if start else ""
    suffix = "…" if start + SNIPPET < len(text) else ""
    span = None
    if match is not None:
        end = min(match.end(), start + SNIPPET)
        span = [len(prefix) + match.start() - start, len(prefix) + end - start]
    return {
        "row_id": int(row_id),
        "text": prefix + text[start : start + SNIPPET] + suffix,
        "match": span,
        "label": project.classes[label] if label >= 0 else None,
    }


def preview_lf(
    session: Session,
    project_id: int,
    *,
    kind: str,
    label: str,
    pattern: str | None = None,
    keywords: Sequence[str] | str | None = None,
    lf_id: int | None = None,
    n_examples: int = 5,
) -> dict[str, Any]:
    """How an LF (saved or a draft) does on the project's rows, for feedback while it is typed.

    Overlaps and conflicts are counted against the project's other active LFs (leaving out ``lf_id``,
    the LF being edited); accuracy is the share of its votes on rows with a current label (not
    excluded) that agree with that label.

    Returns
    -------
    dict
        ``n_rows``, ``n_covered``, ``coverage``, ``n_overlaps``, ``overlaps``, ``n_conflicts``,
        ``conflicts``, ``n_correct``, ``n_incorrect``, ``accuracy`` (None without labeled covered rows),
        ``examples`` (matching rows: ``row_id``, ``text`` snippet, ``match`` [start, end) in the
        snippet, current ``label``) and ``mistakes`` (labeled matching rows whose label differs).

    Raises
    ------
    InvalidOptionError
        If the draft is invalid (e.g. the pattern does not compile).
    """
    project = get_lf_project(session, project_id)
    draft = _draft(project, kind, label, pattern, keywords)
    row_ids, texts = load_texts(session, project)
    hit = match_lf(session, project, draft)
    others = [lf for lf in list_project_lfs(session, project, active_only=True) if lf.id != lf_id]
    other_drafts = [compile_stored_lf(lf) for lf in others]
    matrix = stack_votes(
        [match_lf(session, project, d) for d in other_drafts], other_drafts, hit.size
    )
    labels, _ = load_labels(session, project, row_ids)
    out = _stats(hit, draft.label, matrix, labels)
    regex = compile_pattern(draft.pattern)
    count = max(0, min(int(n_examples), 50))
    shown = np.flatnonzero(hit)[:count]
    wrong = np.flatnonzero(hit & (labels >= 0) & (labels != draft.label))[:count]
    out["examples"] = [_example(row_ids[i], texts[i], regex, labels[i], project) for i in shown]
    out["mistakes"] = [_example(row_ids[i], texts[i], regex, labels[i], project) for i in wrong]
    return out


def list_lfs(session: Session, project_id: int, *, with_stats: bool = False) -> dict[str, Any]:
    """The project's LFs, oldest first; with ``with_stats``, each one's statistics as in
    :func:`preview_lf` (against the other active LFs) and the label model's estimated accuracy.

    Returns
    -------
    dict
        ``lfs`` (a list of LF dicts), ``n_rows`` and ``n_labeled`` (rows with a current label).
    """
    project = get_lf_project(session, project_id)
    lfs = list_project_lfs(session, project)
    out = [_describe(lf, project) for lf in lfs]
    if not with_stats:
        return {"lfs": out}
    row_ids, _ = load_texts(session, project)
    labels, _ = load_labels(session, project, row_ids)
    drafts = [compile_stored_lf(lf) for lf in lfs]
    hits = [match_lf(session, project, d) for d in drafts]
    matrix = stack_votes(hits, drafts, row_ids.size)
    active = np.array([lf.active for lf in lfs], dtype=bool)
    weak = fit_weak_labels(session, project_id)
    estimated = dict(zip(weak.lf_ids, weak.estimated_accuracies.tolist(), strict=True))
    for j, (lf, item) in enumerate(zip(lfs, out, strict=True)):
        keep = active.copy()
        keep[j] = False
        item.update(_stats(hits[j], drafts[j].label, matrix[:, keep], labels))
        item["estimated_accuracy"] = estimated.get(lf.id)
    return {"lfs": out, "n_rows": int(row_ids.size), "n_labeled": int((labels >= 0).sum())}
