"""The audit's checks: what each receives, what each returns, and the registry that holds them.

A check is a stateless function ``run(inputs: AuditInputs) -> IssueResult``. The built-in checks
register themselves with :func:`register` exactly as a third party would::

    from goldlabel.audit import AuditInputs, IssueResult, register

    @register("long_text", default=False, needs=("data",), description="Rows whose text is too long.")
    def long_text(inputs: AuditInputs) -> IssueResult:
        n = inputs.data["text"].str.len().to_numpy()
        score = 1.0 / (1.0 + n / 1000)
        return IssueResult(is_issue=n > 5000, score=score, summary_score=float(score.mean()))
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from goldlabel.exceptions import InvalidOptionError
from goldlabel.knn import KNNGraph

__all__ = [
    "AuditInputs",
    "Check",
    "IssueResult",
    "get_check",
    "list_checks",
    "register",
    "unregister",
]

#: The inputs a check may declare in ``needs``; the audit skips a check whose needs are absent.
INPUT_NAMES = ("data", "labels", "pred_probs", "features", "knn")


@dataclass(frozen=True)
class AuditInputs:
    """Everything a check may read. Absent inputs are None.

    Attributes
    ----------
    n_samples : int
    data : DataFrame or None
        The user's columns, as given (for checks on raw values such as nulls).
    labels : ndarray of shape (n_samples,), int64, or None
        Class indices into ``class_names``; -1 marks an unlabeled row.
    class_names : tuple or None
        The class of each index, in order.
    pred_probs : ndarray of shape (n_samples, n_classes) or None
        Out-of-sample predicted probabilities.
    features : ndarray of shape (n_samples, n_features) or None
        Numeric features or embeddings.
    knn : callable or None
        ``knn(k)`` returns the audit's shared :class:`~goldlabel.knn.KNNGraph` with k neighbours
        (built once, on first use, then truncated); None when there are no features and no graph.
    options : mapping
        This check's keyword options, as the user passed them in ``issue_types={name: options}``.
    random_state : int
    label_name : str or None
        The label column of ``data`` (checks on raw values skip it); None when there are no labels.
    """

    n_samples: int
    data: pd.DataFrame | None = None
    labels: np.ndarray | None = None
    class_names: tuple[Any, ...] | None = None
    pred_probs: np.ndarray | None = None
    features: np.ndarray | None = None
    knn: Callable[[int], KNNGraph] | None = None
    options: Mapping[str, Any] = field(default_factory=dict)
    random_state: int = 0
    label_name: str | None = None


@dataclass
class IssueResult:
    """What one check found.

    Attributes
    ----------
    is_issue : ndarray of shape (n_samples,), bool
    score : ndarray of shape (n_samples,), float in [0, 1]
        Quality score, lower is worse (cleanlab's convention); NaN where the check does not apply
        (an unlabeled row for the label check, say).
    summary_score : float in [0, 1]
        The dataset-level score, lower is worse.
    info : dict
        Anything a user may want to inspect: thresholds, statistics, p-values, parameters used.
    extra_columns : dict of column name -> array of length n_samples
        Extra per-example columns for ``get_issues`` (``given_label``, ``near_duplicate_sets``...).
    """

    is_issue: np.ndarray
    score: np.ndarray
    summary_score: float
    info: dict[str, Any] = field(default_factory=dict)
    extra_columns: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Check:
    """A registered check."""

    name: str
    run: Callable[[AuditInputs], IssueResult]
    needs: tuple[str, ...]
    default: bool
    description: str
    stand_ins: Mapping[str, str] = field(default_factory=dict)


_REGISTRY: dict[str, Check] = {}


def register(
    name: str,
    *,
    needs: tuple[str, ...] = (),
    default: bool = True,
    description: str = "",
    stand_ins: Mapping[str, str] | None = None,
    replace: bool = False,
) -> Callable[[Callable[[AuditInputs], IssueResult]], Callable[[AuditInputs], IssueResult]]:
    """Register a check under ``name``; use as a decorator on ``run(inputs) -> IssueResult``.

    ``needs`` lists which of ``data``, ``labels``, ``pred_probs``, ``features``, ``knn`` must be
    present for the check to run; an alternative is written ``"features|pred_probs"`` (either).
    ``default`` checks run when the user names no issue types. ``stand_ins`` maps an input in
    ``needs`` to an option that can replace it: a check named in ``issue_types`` with that option set
    runs without the input (e.g. ``{"knn": "cluster_ids"}``).
    """
    if not name.isidentifier():
        raise InvalidOptionError(
            f"a check's name must be a Python identifier (it becomes column names); got {name!r}."
        )
    for need in needs:
        unknown = [part for part in need.split("|") if part not in INPUT_NAMES]
        if unknown:
            raise InvalidOptionError(
                f"check {name!r} needs unknown inputs {unknown}; valid inputs are {INPUT_NAMES}."
            )

    def decorate(
        run: Callable[[AuditInputs], IssueResult],
    ) -> Callable[[AuditInputs], IssueResult]:
        if name in _REGISTRY and not replace:
            raise InvalidOptionError(
                f"a check named {name!r} is already registered; pass replace=True to override it "
                "or pick another name."
            )
        _REGISTRY[name] = Check(
            name, run, tuple(needs), default, description, dict(stand_ins or {})
        )
        return run

    return decorate


def unregister(name: str) -> None:
    """Remove a registered check."""
    if _REGISTRY.pop(name, None) is None:
        raise InvalidOptionError(
            f"no check named {name!r} is registered; known: {sorted(_REGISTRY)}."
        )


def get_check(name: str) -> Check:
    """The registered check called ``name``."""
    try:
        return _REGISTRY[name]
    except KeyError:
        raise InvalidOptionError(
            f"unknown issue type {name!r}; registered checks are {sorted(_REGISTRY)}."
        ) from None


def list_checks(*, default_only: bool = False) -> list[str]:
    """Names of the registered checks, in registration order."""
    return [c.name for c in _REGISTRY.values() if c.default or not default_only]
