"""Choose the model: compare candidates by cross-validated log loss, ensemble, calibrate.

Every candidate is cross-validated on the same folds within a time budget. A weighted average of
their probabilities (greedy forward selection with replacement) replaces the best single model when
its log loss is lower, and one temperature then calibrates the result.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from goldlabel.exceptions import InvalidOptionError
from goldlabel.learn.calibration import apply_temperature, fit_temperature
from goldlabel.learn.candidates import Candidate, get_candidate, list_candidates
from goldlabel.learn.crossval import (
    assign_folds,
    compute_log_loss,
    cross_val_pred_probs,
    validate_labels,
)

__all__ = ["ModelChoice", "Selection", "build_ensemble", "refit_choice", "select_model"]

Progress = Callable[[str, float], None]


@dataclass
class ModelChoice:
    """What :func:`select_model` chose.

    Attributes
    ----------
    members : list of str
        Candidate names in the final model (one, or several for an ensemble).
    weights : list of float
        Each member's weight in the averaged probabilities (summing to 1).
    temperature : float
        Calibration temperature applied to the averaged probabilities.
    log_losses : dict of str to float
        Cross-validated log loss of every candidate tried, and of "ensemble" when one was built.
    seconds : dict of str to float
        Cross-validation wall time of every candidate tried.
    skipped : list of str
        Candidates left untried because the time budget ran out.
    """

    members: list[str]
    weights: list[float]
    temperature: float = 1.0
    log_losses: dict[str, float] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        """A readable name: the model, or ``ensemble(a 0.6, b 0.4)``."""
        if len(self.members) == 1:
            return self.members[0]
        parts = ", ".join(f"{m} {w:.2f}" for m, w in zip(self.members, self.weights, strict=True))
        return f"ensemble({parts})"


@dataclass
class Selection:
    """Cross-validated probabilities of the chosen model.

    Attributes
    ----------
    pred_probs : ndarray of shape (n_rows, n_classes)
        Calibrated; out of sample for labeled rows.
    choice : ModelChoice
    folds : ndarray of shape (n_rows,)
    member_probs : dict of str to ndarray
        Uncalibrated cross-validated probabilities of every candidate tried.
    """

    pred_probs: np.ndarray
    choice: ModelChoice
    folds: np.ndarray
    member_probs: dict[str, np.ndarray] = field(default_factory=dict)


def build_ensemble(
    member_probs: dict[str, np.ndarray], labels: Any, *, max_steps: int = 20
) -> tuple[list[str], list[float], float]:
    """Greedy forward selection (with replacement) of the average that minimises log loss.

    Returns the member names, their weights and the ensemble's log loss on labeled rows.

    Examples
    --------
    >>> import numpy as np
    >>> labels = np.array([0, 1, 0, 1])
    >>> a = np.array([[.9, .1], [.1, .9], [.2, .8], [.3, .7]])  # right on rows 0 and 1
    >>> b = np.array([[.2, .8], [.3, .7], [.9, .1], [.1, .9]])  # right on rows 2 and 3
    >>> names, weights, loss = build_ensemble({"a": a, "b": b}, labels)
    >>> names, [round(w, 2) for w in weights]
    (['a', 'b'], [0.5, 0.5])
    """
    labs = validate_labels(labels)
    names = list(member_probs)
    counts = dict.fromkeys(names, 0)
    total = None
    best_loss = np.inf
    for step in range(1, max_steps + 1):
        trials = {}
        for name in names:
            candidate = member_probs[name] if total is None else total + member_probs[name]
            trials[name] = compute_log_loss(labs, candidate / step)
        pick = min(trials, key=lambda n: (trials[n], names.index(n)))
        if trials[pick] >= best_loss - 1e-9 and total is not None:
            break
        best_loss = trials[pick]
        counts[pick] += 1
        total = member_probs[pick].copy() if total is None else total + member_probs[pick]
    used = [n for n in names if counts[n] > 0]
    n_steps = sum(counts.values())
    return used, [counts[n] / n_steps for n in used], float(best_loss)


def _average(
    member_probs: dict[str, np.ndarray], members: Sequence[str], weights: Sequence[float]
) -> np.ndarray:
    out = np.zeros_like(member_probs[members[0]])
    for name, weight in zip(members, weights, strict=True):
        out += weight * member_probs[name]
    return out


def notify_progress(progress: Progress | None, stage: str, fraction: float) -> None:
    if progress is not None:
        progress(stage, float(min(max(fraction, 0.0), 1.0)))


def select_model(
    X: Any,
    labels: Any,
    *,
    kind: str,
    n_classes: int | None = None,
    candidates: Sequence[str | Candidate] | None = None,
    time_budget: float = 60.0,
    n_folds: int = 5,
    ensemble: bool = True,
    calibrate: bool = True,
    train_mask: Any = None,
    unlabeled: str = "full",
    random_state: int = 0,
    n_jobs: int | None = None,
    progress: Progress | None = None,
) -> Selection:
    """Cross-validate candidate models, keep the best (or an ensemble), calibrate it.

    Parameters
    ----------
    X : array-like or sparse matrix of shape (n_rows, n_features)
    labels : array-like of shape (n_rows,)
        Class indices; -1 marks an unlabeled row.
    kind : str
        Feature kind (``"text"``, ``"tabular"``, ``"embedding"``, ``"image"``, ``"mixed"``); picks
        the default candidates.
    n_classes : int, optional
    candidates : sequence of str or Candidate, optional
        Models to try, in order (default :func:`~goldlabel.learn.list_candidates` for ``kind``).
    time_budget : float, default 60
        Seconds; once spent, the remaining candidates are skipped (the first always runs).
    n_folds : int, default 5
    ensemble : bool, default True
        Try a weighted average of the candidates.
    calibrate : bool, default True
        Fit a temperature to the final out-of-sample probabilities.
    train_mask : array-like of bool, optional
        Rows allowed in training sets (see :func:`~goldlabel.learn.cross_val_pred_probs`).
    unlabeled : {"full", "average"}, default "full"
        How unlabeled rows are predicted (see :func:`~goldlabel.learn.cross_val_pred_probs`).
    random_state : int, default 0
    n_jobs : int, optional
        Parallel fold fits (joblib convention).
    progress : callable, optional
        ``progress(stage, fraction)`` after each candidate.

    Returns
    -------
    Selection

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> X, y = load_iris(return_X_y=True)
    >>> selection = select_model(X, y, kind="tabular", time_budget=30)
    >>> selection.pred_probs.shape, sorted(selection.choice.log_losses)[:2]
    ((150, 3), ['ensemble', 'gradient_boosting'])
    """
    if time_budget <= 0:
        raise InvalidOptionError(
            f"time_budget must be a positive number of seconds, but received {time_budget!r}."
        )
    labs = validate_labels(labels)
    k = int(n_classes) if n_classes is not None else int(labs.max()) + 1
    if candidates is None:
        pool = list_candidates(X, kind=kind)
    else:
        pool = [get_candidate(c) if isinstance(c, str) else c for c in candidates]
        if not pool:
            raise InvalidOptionError("candidates is empty; name at least one model to try.")
    n_labeled = int((labs >= 0).sum())
    folds = assign_folds(
        labs, n_folds=int(min(n_folds, max(n_labeled, 2))), random_state=random_state
    )
    start = time.perf_counter()
    member_probs: dict[str, np.ndarray] = {}
    choice = ModelChoice(members=[], weights=[])
    for i, candidate in enumerate(pool):
        if i > 0 and time.perf_counter() - start >= time_budget:
            choice.skipped.extend(c.name for c in pool[i:])
            break
        result = cross_val_pred_probs(
            X,
            labs,
            model=candidate.build(random_state),
            n_classes=k,
            train_mask=train_mask,
            folds=folds,
            unlabeled=unlabeled,
            random_state=random_state,
            n_jobs=n_jobs,
        )
        member_probs[candidate.name] = result.pred_probs
        choice.log_losses[candidate.name] = result.log_loss
        choice.seconds[candidate.name] = result.seconds
        notify_progress(progress, f"cross-validated {candidate.name}", (i + 1) / len(pool))
    best = min(choice.log_losses, key=lambda n: choice.log_losses[n])
    choice.members, choice.weights = [best], [1.0]
    if ensemble and len(member_probs) > 1:
        members, weights, loss = build_ensemble(member_probs, labs)
        choice.log_losses["ensemble"] = loss
        if len(members) > 1 and loss < choice.log_losses[best] - 1e-4:
            choice.members, choice.weights = members, weights
    probs = _average(member_probs, choice.members, choice.weights)
    if calibrate:
        choice.temperature = fit_temperature(probs, labs)
        probs = apply_temperature(probs, choice.temperature)
    return Selection(probs, choice, folds, member_probs)


def refit_choice(
    X: Any,
    labels: Any,
    choice: ModelChoice,
    *,
    n_classes: int | None = None,
    folds: Any = None,
    train_mask: Any = None,
    calibrate: bool = True,
    unlabeled: str = "full",
    random_state: int = 0,
    n_jobs: int | None = None,
) -> Selection:
    """Cross-validate a chosen model again, e.g. with flagged rows kept out of training.

    The members and weights of ``choice`` are kept; the temperature is fitted again. ``unlabeled``
    is passed to :func:`~goldlabel.learn.cross_val_pred_probs`.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> X, y = load_iris(return_X_y=True)
    >>> first = select_model(X, y, kind="tabular", candidates=["logistic_regression"])
    >>> again = refit_choice(X, y, first.choice, train_mask=first.pred_probs.max(axis=1) > 0.5)
    >>> again.choice.members
    ['logistic_regression']
    """
    labs = validate_labels(labels)
    k = int(n_classes) if n_classes is not None else int(labs.max()) + 1
    if folds is None:
        n_labeled = int((labs >= 0).sum())
        folds = assign_folds(
            labs, n_folds=int(min(5, max(n_labeled, 2))), random_state=random_state
        )
    new = ModelChoice(list(choice.members), list(choice.weights), skipped=list(choice.skipped))
    member_probs: dict[str, np.ndarray] = {}
    for name in choice.members:
        result = cross_val_pred_probs(
            X,
            labs,
            model=get_candidate(name).build(random_state),
            n_classes=k,
            train_mask=train_mask,
            folds=folds,
            unlabeled=unlabeled,
            random_state=random_state,
            n_jobs=n_jobs,
        )
        member_probs[name] = result.pred_probs
        new.log_losses[name] = result.log_loss
        new.seconds[name] = result.seconds
    probs = _average(member_probs, new.members, new.weights)
    if calibrate:
        new.temperature = fit_temperature(probs, labs)
        probs = apply_temperature(probs, new.temperature)
    return Selection(probs, new, np.asarray(folds), member_probs)
