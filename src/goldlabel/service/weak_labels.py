"""Labeling functions in the studio: a project's keyword and regex LFs, live previews, the label model.

An LF reads the project's text (its text columns joined by a space) and votes one class. A preview
answers, for a saved LF or a draft still being typed, how many rows it covers, how often it overlaps or
conflicts with the project's other active LFs and how often it agrees with the rows' current labels.
The label model (:class:`goldlabel.weak.LabelModel`) fit on every active LF gives per-row probabilities:
suggestions for unlabeled rows, labels applied above a threshold as one logged, undoable action (source
``weak``), and label issues where a row's label disagrees with a confident LF consensus.

The project's text and each LF's matches are cached in memory (a few projects, a few hundred LFs),
so a preview on a 100k-row project costs one regular-expression pass over the text.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np
import pandas as pd
from sqlalchemy import cast, func, select
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session

from goldlabel.exceptions import ConflictError, InvalidOptionError, NotFoundError
from goldlabel.service.actions import ActionResult, _write_log_and_state, apply_action
from goldlabel.service.projects import get_project
from goldlabel.store.bulk import insert_rows
from goldlabel.store.tables import Action, DatasetRow, Project, ProjectLF, RowState, RowTag
from goldlabel.weak import KeywordLF, LabelModel, RegexLF, find_lf_label_issues

__all__ = [
    "LF_KINDS",
    "WeakLabels",
    "apply_weak_labels",
    "create_lf",
    "delete_lf",
    "find_weak_label_issues",
    "fit_weak_labels",
    "list_lfs",
    "list_weak_suggestions",
    "preview_lf",
    "propose_weak_labels",
    "tag_weak_label_issues",
    "update_lf",
]

LF_KINDS = ("keyword", "regex")
MAX_PATTERN = 1000
ISSUE_TAG = "lf-conflict"
_SNIPPET = 220
_WORD = re.compile(r"\w+")
_T = TypeVar("_T")


class _Cache:
    """A small thread-safe LRU map."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.items: OrderedDict[Any, Any] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: Any, make: Callable[[], _T]) -> _T:
        with self.lock:
            if key in self.items:
                self.items.move_to_end(key)
                return self.items[key]  # type: ignore[no-any-return]
        value = make()
        with self.lock:
            self.items[key] = value
            while len(self.items) > self.size:
                self.items.popitem(last=False)
        return value


_TEXTS = _Cache(4)  # project text key -> (row ids, texts)
_HITS = _Cache(512)  # (text key, kind, pattern) -> bool mask of matching rows
_MODELS = _Cache(8)  # (text key, fingerprint) -> WeakLabels


@dataclass(frozen=True)
class _Draft:
    kind: str
    label: int
    pattern: str  # the regular expression actually run (keywords compiled into one)
    keywords: tuple[str, ...] | None = None


@dataclass(frozen=True)
class WeakLabels:
    """The label model fit on a project's active LFs.

    ``row_ids`` (n,), ``probs`` (n, K), ``covered`` (n,) whether any active LF votes on the row,
    ``lf_ids`` and ``estimated_accuracies`` per active LF, ``fingerprint`` names the LF set (a proposal
    made on one fingerprint is refused once the LFs change).
    """

    row_ids: np.ndarray
    probs: np.ndarray
    covered: np.ndarray
    lf_ids: tuple[int, ...]
    estimated_accuracies: np.ndarray
    fingerprint: str
    model: LabelModel | None


# ------------------------------------------------------------------------------ project and text


def _project(session: Session, project_id: int) -> Project:
    project = get_project(session, project_id)
    if project.task != "multiclass":
        raise InvalidOptionError(
            f"labeling functions work on multi-class projects; project {project_id} is "
            f"{project.task}."
        )
    if not project.text_columns:
        raise InvalidOptionError(
            f"project {project_id} has no text columns, and keyword and regex LFs read text; "
            "create the project with text_columns=[...]."
        )
    return project


def _text_key(session: Session, project: Project) -> tuple[Any, ...]:
    url = session.get_bind().engine.url.render_as_string(hide_password=True)
    return (url, project.id, project.dataset_id, tuple(project.text_columns))


@dataclass(frozen=True)
class _Corpus:
    """A project's text per row, and an index of the rows holding each lower-case word (``\\w+``).

    Only ASCII rows are indexed; the others (``scanned``) are always searched with the LF's regex, so
    that a keyword's matches are exactly :class:`~goldlabel.weak.KeywordLF`'s.
    """

    row_ids: np.ndarray
    texts: list[str]
    scanned: np.ndarray
    vocab: dict[str, int]
    bounds: np.ndarray
    rows: np.ndarray

    def token_rows(self, token: str) -> np.ndarray:
        j = self.vocab.get(token)
        return self.rows[self.bounds[j] : self.bounds[j + 1]] if j is not None else self.rows[:0]


def _build_corpus(row_ids: np.ndarray, texts: list[str]) -> _Corpus:
    tokens: list[str] = []
    owners: list[int] = []
    scanned: list[int] = []
    for i, text in enumerate(texts):
        if not text.isascii():
            scanned.append(i)
            continue
        words = set(_WORD.findall(text.lower()))
        tokens.extend(words)
        owners.extend([i] * len(words))
    codes, uniques = pd.factorize(pd.Series(tokens, dtype=object), sort=False)
    order = np.argsort(codes, kind="stable")
    bounds = np.searchsorted(codes[order], np.arange(len(uniques) + 1))
    return _Corpus(
        row_ids=row_ids,
        texts=texts,
        scanned=np.asarray(scanned, dtype=np.int64),
        vocab={str(w): j for j, w in enumerate(uniques)},
        bounds=bounds,
        rows=np.asarray(owners, dtype=np.int64)[order],
    )


def _text_cell(session: Session, column: str) -> Any:
    if session.get_bind().dialect.name == "postgresql":
        return cast(DatasetRow.data, postgresql.JSON)[column].astext
    return func.json_extract(DatasetRow.data, f"$.{json.dumps(column)}")


def _corpus(session: Session, project: Project) -> _Corpus:
    def load() -> _Corpus:  # the text columns only, extracted by the database
        cells = [_text_cell(session, c) for c in project.text_columns]
        stmt = (
            select(DatasetRow.row_id, *cells)
            .where(DatasetRow.dataset_id == project.dataset_id)
            .order_by(DatasetRow.row_id)
        )
        ids, texts = [], []
        for row_id, *values in session.execute(stmt):
            ids.append(row_id)
            texts.append(" ".join("" if v is None else str(v) for v in values))
        return _build_corpus(np.asarray(ids, dtype=np.int64), texts)

    corpus: _Corpus = _TEXTS.get(_text_key(session, project), load)
    return corpus


def _texts(session: Session, project: Project) -> tuple[np.ndarray, list[str]]:
    corpus = _corpus(session, project)
    return corpus.row_ids, corpus.texts


def _labels(session: Session, project: Project, row_ids: np.ndarray) -> tuple[np.ndarray, ...]:
    """Current labels (-1: none or excluded) and whether each row is unlabeled, aligned to row_ids."""
    stmt = select(RowState.row_id, RowState.label, RowState.status).where(
        RowState.project_id == project.id
    )
    ids, labels, unlabeled = [], [], []
    for row_id, label, status in session.execute(stmt):
        ids.append(row_id)
        labels.append(-1 if label is None or status == "excluded" else int(label))
        unlabeled.append(status == "unlabeled")
    position = np.searchsorted(row_ids, np.asarray(ids, dtype=np.int64))
    out = np.full(row_ids.size, -1, dtype=np.int64)
    free = np.zeros(row_ids.size, dtype=bool)
    out[position] = labels
    free[position] = unlabeled
    return out, free


# ------------------------------------------------------------------------------ LF definitions


def _class_index(project: Project, label: Any) -> int:
    if label in project.classes:
        return int(project.classes.index(label))
    raise InvalidOptionError(
        f"an LF votes one of the project's classes {list(project.classes)}; got {label!r}."
    )


def _draft(project: Project, kind: str, label: Any, pattern: Any, keywords: Any) -> _Draft:
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
        return _Draft("keyword", index, compiled, tuple(words))
    if not isinstance(pattern, str) or not pattern.strip():
        raise InvalidOptionError(
            f"a regex LF needs a non-empty pattern; got {pattern!r}. Pass e.g. pattern=r'\\brefund'."
        )
    if len(pattern) > MAX_PATTERN:
        raise InvalidOptionError(
            f"a regex LF's pattern has at most {MAX_PATTERN} characters; got {len(pattern)}."
        )
    RegexLF(pattern, index)  # raises InvalidOptionError naming the regex error
    return _Draft("regex", index, pattern)


def _stored_draft(lf: ProjectLF) -> _Draft:
    if lf.kind == "keyword":
        words = tuple(lf.keywords or [])
        return _Draft("keyword", lf.label, KeywordLF(list(words), lf.label).pattern, words)
    return _Draft("regex", lf.label, lf.pattern or "")


def _scan(regex: re.Pattern[str], texts: list[str], positions: np.ndarray) -> np.ndarray:
    search = regex.search
    return np.fromiter(
        (search(texts[i]) is not None for i in positions.tolist()), dtype=bool, count=positions.size
    )


def _keyword_hits(corpus: _Corpus, regex: re.Pattern[str], keywords: Sequence[str]) -> np.ndarray:
    """Rows matching any keyword: from the word index where it decides, the regex elsewhere."""
    n = len(corpus.texts)
    mask = np.zeros(n, dtype=bool)
    for word in keywords:
        tokens = _WORD.findall(word.lower())
        candidates = corpus.token_rows(tokens[0])
        for token in tokens[1:]:
            candidates = np.intersect1d(candidates, corpus.token_rows(token), assume_unique=True)
        if len(tokens) == 1 and tokens[0] == word.lower():
            mask[candidates] = True
        else:  # several words or punctuation: the words narrow the rows, the regex decides
            mask[candidates[_scan(regex, corpus.texts, candidates)]] = True
    mask[corpus.scanned] = _scan(regex, corpus.texts, corpus.scanned)
    return mask


def _hits(session: Session, project: Project, draft: _Draft) -> np.ndarray:
    corpus = _corpus(session, project)

    def run() -> np.ndarray:
        regex = re.compile(draft.pattern, re.IGNORECASE)
        words = draft.keywords
        if words and all(w.isascii() and _WORD.search(w) for w in words):
            return _keyword_hits(corpus, regex, words)
        return _scan(regex, corpus.texts, np.arange(len(corpus.texts)))

    mask: np.ndarray = _HITS.get((_text_key(session, project), draft.pattern), run)
    return mask


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


def _lfs(session: Session, project: Project, *, active_only: bool = False) -> list[ProjectLF]:
    stmt = select(ProjectLF).where(ProjectLF.project_id == project.id).order_by(ProjectLF.id)
    if active_only:
        stmt = stmt.where(ProjectLF.active.is_(True))
    return list(session.scalars(stmt))


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


def _default_name(session: Session, project: Project, draft: _Draft) -> str:
    base = (
        "keyword_" + "_".join(draft.keywords[:3])
        if draft.keywords
        else "regex_" + draft.pattern[:60]
    )[:190]
    taken = {lf.name for lf in _lfs(session, project)}
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
    project = _project(session, project_id)
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
    project = _project(session, project_id)
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


def _votes(hits: list[np.ndarray], drafts: list[_Draft], n: int) -> np.ndarray:
    matrix = np.full((n, len(drafts)), -1, dtype=np.int64)
    for j, (hit, draft) in enumerate(zip(hits, drafts, strict=True)):
        matrix[hit, j] = draft.label
    return matrix


def _example(row_id: int, text: str, regex: re.Pattern[str], label: int, project: Project) -> Any:
    match = regex.search(text)
    start = max(0, match.start() - 60) if match else 0
    prefix = "…" if start else ""
    suffix = "…" if start + _SNIPPET < len(text) else ""
    span = None
    if match is not None:
        end = min(match.end(), start + _SNIPPET)
        span = [len(prefix) + match.start() - start, len(prefix) + end - start]
    return {
        "row_id": int(row_id),
        "text": prefix + text[start : start + _SNIPPET] + suffix,
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
    project = _project(session, project_id)
    draft = _draft(project, kind, label, pattern, keywords)
    row_ids, texts = _texts(session, project)
    hit = _hits(session, project, draft)
    others = [lf for lf in _lfs(session, project, active_only=True) if lf.id != lf_id]
    other_drafts = [_stored_draft(lf) for lf in others]
    matrix = _votes([_hits(session, project, d) for d in other_drafts], other_drafts, hit.size)
    labels, _ = _labels(session, project, row_ids)
    out = _stats(hit, draft.label, matrix, labels)
    regex = re.compile(draft.pattern, re.IGNORECASE)
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
    project = _project(session, project_id)
    lfs = _lfs(session, project)
    out = [_describe(lf, project) for lf in lfs]
    if not with_stats:
        return {"lfs": out}
    row_ids, _ = _texts(session, project)
    labels, _ = _labels(session, project, row_ids)
    drafts = [_stored_draft(lf) for lf in lfs]
    hits = [_hits(session, project, d) for d in drafts]
    matrix = _votes(hits, drafts, row_ids.size)
    active = np.array([lf.active for lf in lfs], dtype=bool)
    weak = fit_weak_labels(session, project_id)
    estimated = dict(zip(weak.lf_ids, weak.estimated_accuracies.tolist(), strict=True))
    for j, (lf, item) in enumerate(zip(lfs, out, strict=True)):
        keep = active.copy()
        keep[j] = False
        item.update(_stats(hits[j], drafts[j].label, matrix[:, keep], labels))
        item["estimated_accuracy"] = estimated.get(lf.id)
    return {"lfs": out, "n_rows": int(row_ids.size), "n_labeled": int((labels >= 0).sum())}


# ------------------------------------------------------------------------------ label model


def fit_weak_labels(session: Session, project_id: int) -> WeakLabels:
    """Fit the label model on the project's active LFs (cached until they change).

    Returns
    -------
    WeakLabels
        Without active LFs: uniform probabilities, nothing covered, ``model`` None.
    """
    project = _project(session, project_id)
    lfs = _lfs(session, project, active_only=True)
    drafts = [_stored_draft(lf) for lf in lfs]
    spec = [(lf.id, d.pattern, d.label) for lf, d in zip(lfs, drafts, strict=True)]
    fingerprint = hashlib.sha1(json.dumps(spec).encode()).hexdigest()[:16]
    row_ids, _ = _texts(session, project)
    k = len(project.classes)

    def fit() -> WeakLabels:
        n = row_ids.size
        if not lfs or not n:
            probs = np.full((n, k), 1.0 / k)
            return WeakLabels(
                row_ids, probs, np.zeros(n, dtype=bool), (), np.zeros(0), fingerprint, None
            )
        matrix = _votes([_hits(session, project, d) for d in drafts], drafts, n)
        model = LabelModel(n_classes=k).fit(matrix)
        return WeakLabels(
            row_ids,
            model.predict_proba(matrix),
            np.asarray((matrix >= 0).any(axis=1), dtype=bool),
            tuple(lf.id for lf in lfs),
            np.asarray(model.accuracies_, dtype=np.float64),
            fingerprint,
            model,
        )

    weak: WeakLabels = _MODELS.get((_text_key(session, project), fingerprint), fit)
    return weak


def _confident(weak: WeakLabels) -> tuple[np.ndarray, np.ndarray]:
    """Each row's top class and its probability; 0 where the top is tied or no LF votes."""
    top = weak.probs.argmax(axis=1)
    best = weak.probs.max(axis=1) if weak.probs.size else np.zeros(weak.row_ids.size)
    if weak.probs.shape[1] > 1:
        second = np.partition(weak.probs, -2, axis=1)[:, -2]
        best = np.where(best - second > 1e-9, best, 0.0)
    return top, np.where(weak.covered, best, 0.0)


def _check_unit(value: float, what: str) -> float:
    if not 0.0 <= float(value) <= 1.0:
        raise InvalidOptionError(f"{what} must lie in [0, 1]; got {value!r}.")
    return float(value)


def list_weak_suggestions(
    session: Session,
    project_id: int,
    *,
    min_confidence: float = 0.0,
    unlabeled_only: bool = True,
    limit: int = 50,
    offset: int = 0,
) -> dict[str, Any]:
    """Label-model suggestions for the rows any active LF covers, most confident first.

    Returns
    -------
    dict
        ``total`` and ``rows`` (``row_id``, ``suggested_label``, ``confidence``, ``probabilities``
        per class).
    """
    _check_unit(min_confidence, "min_confidence")
    if not 1 <= limit <= 1000 or offset < 0:
        raise InvalidOptionError(
            f"limit must be in 1..1000 and offset >= 0; got {limit}, {offset}."
        )
    project = _project(session, project_id)
    weak = fit_weak_labels(session, project_id)
    top, confidence = _confident(weak)
    keep = weak.covered & (confidence >= min_confidence)
    if unlabeled_only:
        keep &= _labels(session, project, weak.row_ids)[1]
    order = np.flatnonzero(keep)
    order = order[np.argsort(-confidence[order], kind="stable")]
    page = order[offset : offset + limit]
    texts = _texts(session, project)[1]
    rows = [
        {
            "row_id": int(weak.row_ids[i]),
            "text": texts[i][:_SNIPPET],
            "suggested_label": project.classes[int(top[i])],
            "confidence": float(confidence[i]),
            "probabilities": dict(zip(project.classes, weak.probs[i].tolist(), strict=True)),
        }
        for i in page
    ]
    return {"total": int(order.size), "fingerprint": weak.fingerprint, "rows": rows}


def _proposal(
    session: Session, project: Project, threshold: float
) -> tuple[dict[str, Any], np.ndarray, np.ndarray]:
    weak = fit_weak_labels(session, project.id)
    top, confidence = _confident(weak)
    free = _labels(session, project, weak.row_ids)[1]
    chosen = free & weak.covered & (confidence >= threshold)
    counts = np.bincount(top[chosen], minlength=len(project.classes))
    edges = np.linspace(0.0, 1.0, 21)
    histogram = np.histogram(confidence[free & weak.covered], bins=edges)[0]
    proposal = {
        "threshold": threshold,
        "fingerprint": weak.fingerprint,
        "n_lfs": len(weak.lf_ids),
        "n_unlabeled": int(free.sum()),
        "n_covered_unlabeled": int((free & weak.covered).sum()),
        "n_to_label": int(chosen.sum()),
        "counts": dict(zip(project.classes, counts.tolist(), strict=True)),
        "histogram": {"edges": edges.tolist(), "counts": histogram.tolist()},
    }
    return proposal, weak.row_ids[chosen], top[chosen]


def propose_weak_labels(session: Session, project_id: int, *, threshold: float) -> dict[str, Any]:
    """How many unlabeled rows the label model would label at ``threshold``, per class.

    Returns
    -------
    dict
        ``threshold``, ``fingerprint`` (pass it to :func:`apply_weak_labels`), ``n_lfs``,
        ``n_unlabeled``, ``n_covered_unlabeled``, ``n_to_label``, ``counts`` per class and a 20-bin
        ``histogram`` of the covered unlabeled rows' confidence.
    """
    threshold = _check_unit(threshold, "threshold")
    return _proposal(session, _project(session, project_id), threshold)[0]


def apply_weak_labels(
    session: Session,
    project_id: int,
    *,
    threshold: float,
    user: str,
    fingerprint: str | None = None,
) -> tuple[dict[str, Any], ActionResult | None]:
    """Label every unlabeled row whose label-model confidence reaches ``threshold``, as ONE action.

    The action (kind ``weak``, source ``weak``) is logged like any other and undone with
    :func:`goldlabel.service.actions.undo_action`.

    Returns
    -------
    proposal, action
        The proposal applied and the action (None when no row qualified).

    Raises
    ------
    ConflictError
        If ``fingerprint`` was given and the active LFs changed since it was proposed.
    """
    threshold = _check_unit(threshold, "threshold")
    project = _project(session, project_id)
    proposal, ids, labels = _proposal(session, project, threshold)
    if fingerprint is not None and fingerprint != proposal["fingerprint"]:
        raise ConflictError(
            "the labeling functions changed since this proposal was made; look at the new proposal "
            "and apply again.",
            current=proposal,
        )
    if not ids.size:
        return proposal, None
    names = [lf.name for lf in _lfs(session, project, active_only=True)]
    action = Action(
        project_id=project.id,
        kind="weak",
        params={"threshold": threshold, "lfs": names, "fingerprint": proposal["fingerprint"]},
        user=user,
        n_rows=0,
    )
    session.add(action)
    session.flush()
    after = dict(zip(ids.tolist(), labels.tolist(), strict=True))
    logged = []
    stmt = select(
        RowState.row_id, RowState.label, RowState.status, RowState.source, RowState.version
    ).where(RowState.project_id == project.id, RowState.status == "unlabeled")
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    for row_id, label, status, source, version in session.execute(stmt):
        if row_id in after:
            logged.append((action.id, row_id, label, status, source, version, None, after[row_id]))
    insert_rows(
        session,
        "action_rows",
        (
            "action_id",
            "row_id",
            "before_label",
            "before_status",
            "before_source",
            "before_version",
            "before_tagged",
            "after_label",
            "after_status",
            "after_source",
            "after_tagged",
        ),
        [(*row, "labeled", "weak", None) for row in logged],
    )
    n = _write_log_and_state(session, project, action, [], user, None)
    return proposal, ActionResult(action_id=action.id, kind="weak", n_rows=n)


# ------------------------------------------------------------------------------ label issues


def find_weak_label_issues(
    session: Session, project_id: int, *, min_confidence: float = 0.9, limit: int = 100
) -> dict[str, Any]:
    """Rows whose current label disagrees with an LF consensus at least ``min_confidence`` sure.

    Returns
    -------
    dict
        ``n_flagged``, ``row_ids`` (every flagged row, worst first) and ``rows`` (the first ``limit``:
        ``row_id``, ``label``, ``lf_label``, ``confidence``, ``label_issue_score`` =
        1 - P(label | LFs)).
    """
    _check_unit(min_confidence, "min_confidence")
    project = _project(session, project_id)
    weak = fit_weak_labels(session, project_id)
    labels, _ = _labels(session, project, weak.row_ids)
    if weak.model is None:
        return {"n_flagged": 0, "row_ids": [], "rows": []}
    active = _lfs(session, project, active_only=True)
    drafts = [_stored_draft(lf) for lf in active]
    matrix = _votes([_hits(session, project, d) for d in drafts], drafts, labels.size)
    flag, score = find_lf_label_issues(
        labels, matrix, model=weak.model, min_confidence=min_confidence
    )
    order = np.flatnonzero(flag)
    order = order[np.argsort(-score[order], kind="stable")]
    top = weak.probs.argmax(axis=1)
    texts = _texts(session, project)[1]
    rows = [
        {
            "row_id": int(weak.row_ids[i]),
            "text": texts[i][:_SNIPPET],
            "label": project.classes[int(labels[i])],
            "lf_label": project.classes[int(top[i])],
            "confidence": float(weak.probs[i].max()),
            "label_issue_score": float(score[i]),
        }
        for i in order[: max(0, int(limit))]
    ]
    return {
        "n_flagged": int(order.size),
        "row_ids": weak.row_ids[order].tolist(),
        "rows": rows,
    }


def tag_weak_label_issues(
    session: Session,
    project_id: int,
    *,
    user: str,
    min_confidence: float = 0.9,
    tag: str = ISSUE_TAG,
) -> tuple[int, ActionResult | None]:
    """Tag the rows :func:`find_weak_label_issues` flags (and do not carry the tag yet), as one action.

    Returns
    -------
    n_flagged, action
        How many rows are flagged and the ``tag`` action (None when every one was tagged already).
    """
    found = find_weak_label_issues(session, project_id, min_confidence=min_confidence, limit=0)
    tagged = set(
        session.scalars(
            select(RowTag.row_id).where(RowTag.project_id == project_id, RowTag.tag == tag)
        )
    )
    todo = [r for r in found["row_ids"] if r not in tagged]
    if not todo:
        return found["n_flagged"], None
    action = apply_action(
        session,
        project_id,
        kind="tag",
        user=user,
        row_ids=todo,
        tag=tag,
        note=f"label disagrees with the labeling functions at confidence >= {min_confidence}",
    )
    return found["n_flagged"], action
