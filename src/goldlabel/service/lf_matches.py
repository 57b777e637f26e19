"""A project's text and its labeling functions' matches, cached in memory; the LF vote matrix.

The project's text (its text columns joined by a space) is read once and indexed by word; each LF's
matches (a boolean mask over the rows) are cached by pattern, so a preview on a 100k-row project costs
one regular-expression pass over the text, and a keyword LF often none. These are the building blocks
shared by :mod:`goldlabel.service.weak_labels` (LF editing, previews) and
:mod:`goldlabel.service.weak_model` (the label model).

Examples
--------
>>> specs = [LFSpec("regex", 0, "a"), LFSpec("regex", 1, "b")]
>>> stack_votes([np.array([True, False]), np.array([True, True])], specs, 2)
array([[ 0,  1],
       [-1,  1]])
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np
import pandas as pd
import regex as rx
from sqlalchemy import cast, func, select
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session

from goldlabel.exceptions import InvalidOptionError
from goldlabel.service.projects import get_project
from goldlabel.store.tables import DatasetRow, Project, ProjectLF, RowState
from goldlabel.weak import KeywordLF

__all__ = [
    "SCAN_SECONDS",
    "SNIPPET",
    "LFSpec",
    "LRUCache",
    "compile_pattern",
    "compile_stored_lf",
    "get_lf_project",
    "list_project_lfs",
    "load_labels",
    "load_texts",
    "make_text_key",
    "match_lf",
    "stack_votes",
]

SNIPPET = 220
_WORD = re.compile(r"\w+")
#: An LF's pattern may search a project's text for at most this long: a pattern that backtracks
#: catastrophically (a repetition inside a repetition) is stopped with an error, not left to hang.
SCAN_SECONDS = 20.0
_T = TypeVar("_T")


class LRUCache:
    """A small thread-safe least-recently-used map: ``get(key, make)`` calls ``make`` on a miss.

    Examples
    --------
    >>> cache = LRUCache(1)
    >>> cache.get("a", lambda: 1), cache.get("a", lambda: 2), cache.get("b", lambda: 3)
    (1, 1, 3)
    >>> cache.get("a", lambda: 4)
    4
    """

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


_TEXTS = LRUCache(4)  # project text key -> _Corpus
_HITS = LRUCache(512)  # (text key, pattern) -> bool mask of matching rows


@dataclass(frozen=True)
class LFSpec:
    """A keyword or regex LF as it is run.

    ``kind`` (``"keyword"`` or ``"regex"``), ``label`` the index of the class it votes, ``pattern``
    the regular expression actually run, case-insensitive, and ``keywords`` for a keyword LF.
    """

    kind: str
    label: int
    pattern: str  # the regular expression actually run (keywords compiled into one)
    keywords: tuple[str, ...] | None = None


# ------------------------------------------------------------------------------ project and text


def get_lf_project(session: Session, project_id: int) -> Project:
    """Get a project that can hold keyword and regex LFs.

    Raises
    ------
    NotFoundError
        If the project does not exist.
    InvalidOptionError
        If it is not multi-class or has no text columns.
    """
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


def make_text_key(session: Session, project: Project) -> tuple[Any, ...]:
    """The key under which the project's text (and what is computed from it) is cached."""
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

    corpus: _Corpus = _TEXTS.get(make_text_key(session, project), load)
    return corpus


def load_texts(session: Session, project: Project) -> tuple[np.ndarray, list[str]]:
    """The project's row ids (n,), ascending, and each row's text (cached).

    Returns
    -------
    row_ids, texts
        An int64 array and a list of n strings: the text columns joined by a space.
    """
    corpus = _corpus(session, project)
    return corpus.row_ids, corpus.texts


def load_labels(session: Session, project: Project, row_ids: np.ndarray) -> tuple[np.ndarray, ...]:
    """Current labels and whether each row is unlabeled, aligned to ``row_ids``.

    Returns
    -------
    labels, unlabeled
        (n,) class indices, -1 for no label or an excluded row; (n,) bool.
    """
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


def compile_stored_lf(lf: ProjectLF) -> LFSpec:
    """The :class:`LFSpec` a saved LF runs."""
    if lf.kind == "keyword":
        words = tuple(lf.keywords or [])
        return LFSpec("keyword", lf.label, KeywordLF(list(words), lf.label).pattern, words)
    return LFSpec("regex", lf.label, lf.pattern or "")


def compile_pattern(pattern: str) -> rx.Pattern[str]:
    """An LF's pattern, case-insensitive, compiled by the ``regex`` module (the syntax of :mod:`re`),
    whose searches can be stopped after a time."""
    return rx.compile(pattern, rx.IGNORECASE)


def _scan(
    regex: rx.Pattern[str], texts: list[str], positions: np.ndarray, deadline: float
) -> np.ndarray:
    """Whether ``regex`` matches each of ``texts[positions]``, within the time left until ``deadline``
    (a :func:`time.monotonic` value)."""
    search = regex.search
    out = np.zeros(positions.size, dtype=bool)
    try:
        for j, i in enumerate(positions.tolist()):
            out[j] = search(texts[i], timeout=max(deadline - time.monotonic(), 1e-3)) is not None
    except TimeoutError:
        raise InvalidOptionError(
            f"the pattern {regex.pattern!r} took more than {SCAN_SECONDS:g} s to search "
            f"{len(texts)} rows and was stopped: it likely backtracks catastrophically, as a "
            "repetition inside a repetition does (for instance (a|aa)+ or (\\w+\\s?)+). Make it "
            "more specific, e.g. with a single repetition or word boundaries (\\b)."
        ) from None
    return out


def _keyword_hits(
    corpus: _Corpus, regex: rx.Pattern[str], keywords: Sequence[str], deadline: float
) -> np.ndarray:
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
            mask[candidates[_scan(regex, corpus.texts, candidates, deadline)]] = True
    mask[corpus.scanned] = _scan(regex, corpus.texts, corpus.scanned, deadline)
    return mask


def match_lf(session: Session, project: Project, spec: LFSpec) -> np.ndarray:
    """The rows an LF matches: a (n,) bool mask aligned to :func:`load_texts` (cached by pattern).

    Raises
    ------
    InvalidOptionError
        If the pattern searches for more than :data:`SCAN_SECONDS` (catastrophic backtracking).
    """
    corpus = _corpus(session, project)

    def run() -> np.ndarray:
        deadline = time.monotonic() + SCAN_SECONDS
        regex = compile_pattern(spec.pattern)
        words = spec.keywords
        if words and all(w.isascii() and _WORD.search(w) for w in words):
            return _keyword_hits(corpus, regex, words, deadline)
        return _scan(regex, corpus.texts, np.arange(len(corpus.texts)), deadline)

    mask: np.ndarray = _HITS.get((make_text_key(session, project), spec.pattern), run)
    return mask


def list_project_lfs(
    session: Session, project: Project, *, active_only: bool = False
) -> list[ProjectLF]:
    """The project's saved LFs (only the active ones with ``active_only``), oldest first."""
    stmt = select(ProjectLF).where(ProjectLF.project_id == project.id).order_by(ProjectLF.id)
    if active_only:
        stmt = stmt.where(ProjectLF.active.is_(True))
    return list(session.scalars(stmt))


def stack_votes(hits: list[np.ndarray], specs: list[LFSpec], n: int) -> np.ndarray:
    """The (n, m) vote matrix of m LFs: LF j's class index where ``hits[j]`` is set, else -1.

    Examples
    --------
    >>> stack_votes([np.array([False, True])], [LFSpec("regex", 2, "x")], 2)
    array([[-1],
           [ 2]])
    """
    matrix = np.full((n, len(specs)), -1, dtype=np.int64)
    for j, (hit, spec) in enumerate(zip(hits, specs, strict=True)):
        matrix[hit, j] = spec.label
    return matrix
