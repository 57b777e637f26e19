"""Auto-labeling with a guarantee: which unlabeled rows a model may label, and at what promised accuracy.

:func:`find_auto_labels` picks a confidence threshold (one for all classes, or one per predicted class)
such that, with probability at least ``confidence``, the rows it auto-labels are at least
``target_accuracy`` accurate. The promise is about *those rows*, not about a population. It rests on one
assumption only: the labelled calibration rows and the unlabeled rows are exchangeable (drawn from the
same distribution and scored by equivalent models), e.g. calibration probabilities that are
out-of-sample, from cross-validation.

How: candidate thresholds are quantiles of the confidences of all rows, labelled and unlabeled (so
their order is fixed before any label is read), from the most to the least demanding. Testing starts
at an *anchor* candidate chosen from the confidences alone (where the calibration rows would certify
the highest accuracy if the confidences were calibrated) and goes towards less demanding ones. Each is
tested with an exact test on the calibration rows it accepts (hypergeometric, by exchangeability with
the unlabeled rows it accepts; Clopper-Pearson in the limit of many unlabeled rows), and testing stops
at the first threshold that fails (fixed-sequence testing, as in Learn then Test). The anchor does not
depend on ``target_accuracy``, so a lower target never labels fewer rows (every p-value falls as the
target falls); an anchor chosen per target (the earliest candidate with enough calibration rows for
that target) made a lower target start where the evidence was thinner and could label nothing where a
higher one labelled most rows. Calibrated confidences (e.g. temperature-scaled) place the anchor
best; miscalibrated ones cost coverage, never the guarantee. A rule
that keeps the lowest threshold whose calibration accuracy reaches the target misses the target in a
large share of runs; this one misses it in at most ``1 - confidence`` of them. With too few calibration
rows to certify anything (45 error-free rows at least for 95 % at 90 % confidence) it labels nothing and
says why.

:func:`goldlabel.learn.crossfit.cross_fit_pred_probs` produces the two inputs
from a model and the labelled rows, the calibration rows and the unlabeled rows scored alike.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Literal

import numpy as np
from scipy import stats

from goldlabel.core.multilabel import (
    check_multilabel_inputs,
    check_multilabel_pred_probs,
    convert_onehot_to_multilabel,
)
from goldlabel.core.validation import check_labels, check_pred_probs
from goldlabel.exceptions import DataValidationError, InvalidOptionError
from goldlabel.learn.multilabel_crossval import compute_set_confidence
from goldlabel.learn.risk import (
    compute_clopper_pearson_upper,
    compute_exchangeable_p_values,
    count_rows_needed,
    select_by_fixed_sequence,
)

__all__ = [
    "AutoLabelResult",
    "certify_auto_labels",
    "find_auto_labels",
    "find_multilabel_auto_labels",
]

#: Default number of candidate thresholds (coverage levels of the unlabeled rows).
N_CANDIDATES = 20


@dataclass(frozen=True)
class AutoLabelResult:
    """What :func:`find_auto_labels` would label, and what it promises.

    Attributes
    ----------
    thresholds : numpy.ndarray of shape (K,)
        Minimum confidence (largest predicted probability) for a row predicted as class ``k`` to be
        auto-labeled; all equal unless thresholds are per class; ``inf`` where nothing is labeled.
    target_accuracy : float
        The accuracy asked for.
    confidence : float
        Probability, over the draw of the calibration rows, that the promise holds.
    promised_accuracy : float or None
        ``target_accuracy`` when some rows are labeled, ``None`` when none are.
    accuracy_lower_bound : float or None
        Clopper-Pearson lower bound (at ``confidence``) on the accuracy at the chosen thresholds; it is
        at least ``target_accuracy`` when rows are labeled.
    calibration_accuracy : float or None
        Accuracy of the calibration rows the thresholds accept (an estimate, not a promise).
    n_calibration_rows : int
        Calibration rows the thresholds accept: the evidence behind the promise.
    n_rows_needed : int
        The fewest error-free calibration rows that could certify ``target_accuracy`` at all.
    n_to_label : int
        Unlabeled rows to auto-label.
    coverage : float
        ``n_to_label`` over the number of unlabeled rows.
    mask : numpy.ndarray of shape (N,), bool
        True for the unlabeled rows to auto-label.
    indices : numpy.ndarray of shape (n_to_label,)
        Their positions, most confident first.
    labels : numpy.ndarray of shape (n_to_label,)
        The labels to give them (the predicted class), aligned with ``indices``; from
        :func:`find_multilabel_auto_labels`, an array of ``n_to_label`` lists of class indices.
    per_class : bool
        Whether the thresholds are per predicted class.
    reason : str
        One sentence on the outcome, for people: what was certified, or why nothing was.
    """

    thresholds: np.ndarray
    target_accuracy: float
    confidence: float
    promised_accuracy: float | None
    accuracy_lower_bound: float | None
    calibration_accuracy: float | None
    n_calibration_rows: int
    n_rows_needed: int
    n_to_label: int
    coverage: float
    mask: np.ndarray = field(repr=False)
    indices: np.ndarray = field(repr=False)
    labels: np.ndarray = field(repr=False)
    per_class: bool = False
    reason: str = ""


@dataclass(frozen=True)
class _Search:
    """Candidate thresholds and what the calibration rows say about each."""

    thresholds: np.ndarray  # (M, K), from the most to the least demanding
    n_rows: np.ndarray  # (M,) calibration rows accepted
    n_errors: np.ndarray  # (M,) of which wrong
    n_new: np.ndarray  # (M,) unlabeled rows accepted
    expected_wrong: np.ndarray  # (M,) sum of 1 - confidence over all rows accepted (no label read)


def _check_options(
    target_accuracy: Any, confidence: Any, per_class: Any, n_candidates: Any
) -> tuple[float, float]:
    for name, value, example in (
        ("target_accuracy", target_accuracy, "0.95"),
        ("confidence", confidence, "0.9"),
    ):
        if isinstance(value, bool) or not isinstance(value, (int, float, np.floating)):
            raise InvalidOptionError(
                f"{name} must be a number strictly between 0 and 1, but received {value!r}; "
                f"e.g. {name}={example}."
            )
        if not 0.0 < float(value) < 1.0:
            raise InvalidOptionError(
                f"{name} must be strictly between 0 and 1, but received {value!r}; "
                f"e.g. {name}={example}."
            )
    if per_class not in (True, False, "auto"):
        raise InvalidOptionError(
            f"per_class must be True, False or 'auto', but received {per_class!r}."
        )
    if isinstance(n_candidates, bool) or not isinstance(n_candidates, (int, np.integer)):
        raise InvalidOptionError(
            f"n_candidates must be a positive integer, but received {n_candidates!r}."
        )
    if n_candidates < 1:
        raise InvalidOptionError(
            f"n_candidates must be a positive integer, but received {n_candidates!r}."
        )
    return float(target_accuracy), float(confidence)


def _candidate_thresholds(
    confidences: np.ndarray,
    predicted: np.ndarray,
    n_classes: int,
    n_candidates: int,
    per_class: bool,
) -> np.ndarray:
    """Thresholds at coverage levels 1/M, 2/M, ..., 1 of the given rows, shape (M, K)."""
    levels = np.arange(1, n_candidates + 1) / n_candidates
    thresholds = np.full((n_candidates, n_classes), np.inf)
    if per_class:
        groups = [(k, np.flatnonzero(predicted == k)) for k in range(n_classes)]
    else:
        groups = [(-1, np.arange(confidences.size))]
    for k, rows in groups:
        if rows.size == 0:
            continue
        ordered = np.sort(confidences[rows])[::-1]
        ranks = np.maximum(np.ceil(levels * rows.size).astype(np.int64), 1) - 1
        if k >= 0:
            thresholds[:, k] = ordered[ranks]
        else:
            thresholds[:, :] = ordered[ranks][:, None]
    return thresholds


def _count_above(
    thresholds: np.ndarray, conf: np.ndarray, pred: np.ndarray, weight: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Rows (and summed ``weight``) with confidence >= their predicted class's threshold, per candidate."""
    n_candidates, n_classes = thresholds.shape
    counts = np.zeros(n_candidates, dtype=np.int64)
    weights = np.zeros(n_candidates, dtype=np.int64)
    for k in range(n_classes):
        rows = np.flatnonzero(pred == k)
        if rows.size == 0:
            continue
        order = np.argsort(conf[rows], kind="stable")
        above = rows.size - np.searchsorted(conf[rows][order], thresholds[:, k], side="left")
        counts += above
        if weight is not None:
            from_top = np.concatenate([[0], np.cumsum(weight[rows][order][::-1])])
            weights += from_top[above]
    return counts, weights


def _search(
    thresholds: np.ndarray,
    conf: np.ndarray,
    predicted: np.ndarray,
    cal_conf: np.ndarray,
    cal_pred: np.ndarray,
    cal_wrong: np.ndarray,
) -> _Search:
    n_rows, n_errors = _count_above(thresholds, cal_conf, cal_pred, cal_wrong)
    n_new, _ = _count_above(thresholds, conf, predicted)
    all_conf = np.concatenate([conf, cal_conf])
    all_pred = np.concatenate([predicted, cal_pred])
    expected_wrong = _sum_above(thresholds, all_conf, all_pred, 1.0 - all_conf)
    return _Search(
        thresholds=thresholds,
        n_rows=n_rows,
        n_errors=n_errors,
        n_new=n_new,
        expected_wrong=expected_wrong,
    )


def _sum_above(
    thresholds: np.ndarray, conf: np.ndarray, pred: np.ndarray, values: np.ndarray
) -> np.ndarray:
    """Sum of ``values`` over the rows each candidate accepts, shape (M,)."""
    sums = np.zeros(thresholds.shape[0])
    for k in range(thresholds.shape[1]):
        rows = np.flatnonzero(pred == k)
        if rows.size == 0:
            continue
        order = np.argsort(conf[rows], kind="stable")
        above = rows.size - np.searchsorted(conf[rows][order], thresholds[:, k], side="left")
        from_top = np.concatenate([[0.0], np.cumsum(values[rows][order][::-1])])
        sums += from_top[above]
    return sums


def _anchor(search: _Search, delta: float, share: float) -> int:
    """Candidate the fixed sequence starts from: the best expected evidence, read from confidences only.

    For each candidate, the calibration rows it should hold (``share`` of all the rows it accepts) and
    their expected errors (``share`` of the summed ``1 - confidence``) give the accuracy a
    Clopper-Pearson bound would certify if the confidences were calibrated; the anchor is the first
    candidate where that is highest. It depends on the confidences of all rows and on how many are
    labelled, not on which rows are labelled, on any label, nor on the target, so the fixed-sequence
    guarantee holds and the outcome is monotone in the target.
    """
    expected_rows = (search.n_rows + search.n_new) * share
    expected_wrong = np.minimum(search.expected_wrong * share, expected_rows)
    upper = compute_clopper_pearson_upper(expected_wrong, expected_rows, confidence=1.0 - delta)
    return int(np.argmin(np.atleast_1d(upper)))


def _choose(search: _Search, max_error: float, delta: float, share: float) -> int:
    """Position of the certified candidate, or -1: fixed-sequence testing from the anchor on."""
    start = _anchor(search, delta, share)
    p_values = compute_exchangeable_p_values(
        search.n_errors[start:],
        search.n_rows[start:],
        search.n_new[start:],
        max_error=max_error,
    )
    last = select_by_fixed_sequence(p_values, delta=delta)
    return start + int(last) if last >= 0 else -1


def _accuracy_lower_bound(n_errors: int, n_rows: int, n_new: int, delta: float) -> float:
    """Lower confidence bound on the accuracy of the ``n_new`` accepted unlabeled rows."""
    if n_new == 0:
        return 1.0
    wrong = np.arange(1, n_new + 1)
    p_values = stats.hypergeom.cdf(n_errors, n_rows + n_new, n_errors + wrong, n_rows)
    rejected = np.flatnonzero(p_values <= delta)
    # "At least w wrong" is rejected for w = rejected[0] and above: at most w - 1 are wrong.
    most_wrong = int(rejected[0]) if rejected.size else n_new
    return 1.0 - most_wrong / n_new


def _check_same_classes(probs: np.ndarray, cal_probs: np.ndarray) -> None:
    if cal_probs.shape[1] != probs.shape[1]:
        raise DataValidationError(
            f"calibration_pred_probs has {cal_probs.shape[1]} columns but pred_probs has "
            f"{probs.shape[1]}. Both need one column per class, in the same class order."
        )


def _validate(
    pred_probs: Any, calibration_pred_probs: Any, calibration_labels: Any
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    probs = check_pred_probs(pred_probs)
    cal_probs = check_pred_probs(calibration_pred_probs, name="calibration_pred_probs")
    _check_same_classes(probs, cal_probs)
    cal_labels = check_labels(
        calibration_labels,
        n_classes=probs.shape[1],
        n_examples=cal_probs.shape[0],
        name="calibration_labels",
    )
    return probs, cal_probs, cal_labels


def find_auto_labels(
    pred_probs: Any,
    calibration_pred_probs: Any,
    calibration_labels: Any,
    *,
    target_accuracy: float = 0.95,
    confidence: float = 0.9,
    per_class: bool | Literal["auto"] = False,
    n_candidates: int = N_CANDIDATES,
) -> AutoLabelResult:
    """Choose which unlabeled rows to auto-label so that they reach a target accuracy, certified.

    Parameters
    ----------
    pred_probs : array-like of shape (N, K)
        Predicted probabilities of the unlabeled rows.
    calibration_pred_probs : array-like of shape (M, K)
        Out-of-sample predicted probabilities of labelled rows (e.g. from cross-validation), from a
        model equivalent to the one that scored the unlabeled rows.
    calibration_labels : array-like of shape (M,)
        Their true labels, integers in [0, K).
    target_accuracy : float
        Accuracy the auto-labeled rows must reach, in (0, 1).
    confidence : float
        Probability that they do, over the draw of the calibration rows, in (0, 1).
    per_class : bool or 'auto'
        One threshold per predicted class (rows of each predicted class covered in equal shares), one
        for all classes (False), or both, each at half the error budget ``1 - confidence``, keeping the
        one that labels more rows ('auto').
    n_candidates : int
        Candidate thresholds, at evenly spaced coverage levels of the unlabeled rows.

    Returns
    -------
    AutoLabelResult
        Thresholds, promised accuracy, the rows to label and their labels.

    Raises
    ------
    InvalidOptionError
        If an option is out of range.
    DataValidationError
        If the arrays do not fit together.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(1)
    >>> def draw(n):
    ...     conf = rng.uniform(0.5, 1.0, n)
    ...     labels = np.where(rng.random(n) < conf, 0, 1)  # calibrated: P(class 0) = conf
    ...     return np.column_stack([conf, 1 - conf]), labels
    >>> cal_probs, cal_labels = draw(500)
    >>> pool_probs, pool_labels = draw(5000)
    >>> result = find_auto_labels(pool_probs, cal_probs, cal_labels, target_accuracy=0.9)
    >>> result.promised_accuracy, result.n_to_label
    (0.9, 1506)
    >>> round(float((pool_labels[result.indices] == result.labels).mean()), 3)
    0.928
    >>> find_auto_labels(pool_probs, cal_probs[:20], cal_labels[:20]).reason[:60]
    'Nothing auto-labeled: certifying 95.0% accuracy at 90.0% con'
    """
    _check_options(target_accuracy, confidence, per_class, n_candidates)
    probs, cal_probs, cal_labels = _validate(pred_probs, calibration_pred_probs, calibration_labels)
    cal_pred = cal_probs.argmax(axis=1)
    return certify_auto_labels(
        probs.max(axis=1),
        probs.argmax(axis=1),
        cal_probs.max(axis=1),
        cal_pred,
        cal_pred != cal_labels,
        n_groups=probs.shape[1],
        target_accuracy=target_accuracy,
        confidence=confidence,
        per_class=per_class,
        n_candidates=n_candidates,
    )


def certify_auto_labels(
    conf: np.ndarray,
    predicted: np.ndarray,
    cal_conf: np.ndarray,
    cal_pred: np.ndarray,
    cal_wrong: np.ndarray,
    *,
    n_groups: int,
    target_accuracy: float,
    confidence: float,
    per_class: bool | Literal["auto"] = False,
    n_candidates: int = N_CANDIDATES,
) -> AutoLabelResult:
    """:func:`find_auto_labels` on scores already reduced to what the method reads: each row's
    confidence and the group it is predicted into (its predicted class, or 0 for all), and for the
    calibration rows whether the prediction was wrong. ``labels`` of the result are the groups.

    Examples
    --------
    >>> conf = np.linspace(0.5, 1.0, 200)
    >>> rng = np.random.default_rng(0)
    >>> result = certify_auto_labels(conf, np.zeros(200, dtype=int), conf, np.zeros(200, dtype=int),
    ...                              rng.random(200) > conf, n_groups=1, target_accuracy=0.8,
    ...                              confidence=0.9)
    >>> result.n_to_label > 0, result.promised_accuracy
    (True, 0.8)
    """
    target, level = _check_options(target_accuracy, confidence, per_class, n_candidates)
    n_classes = int(n_groups)
    cal_wrong = np.asarray(cal_wrong).astype(np.int64)
    all_conf = np.concatenate([conf, cal_conf])
    all_pred = np.concatenate([predicted, cal_pred])
    share = cal_conf.size / all_conf.size if all_conf.size else 0.0
    max_error = 1.0 - target

    modes = [False, True] if per_class == "auto" else [bool(per_class)]
    delta = (1.0 - level) / len(modes)
    n_needed = count_rows_needed(max_error=max_error, confidence=1.0 - delta)
    outcomes: list[tuple[int, int, bool, _Search, int]] = []
    for mode in modes:
        thresholds = _candidate_thresholds(all_conf, all_pred, n_classes, int(n_candidates), mode)
        search = _search(thresholds, conf, predicted, cal_conf, cal_pred, cal_wrong)
        chosen = _choose(search, max_error, delta, share)
        n_label = int(search.n_new[chosen]) if chosen >= 0 else -1
        outcomes.append((n_label, -len(outcomes), mode, search, chosen))
    _, _, mode, search, chosen = max(outcomes, key=lambda o: (o[0], o[1]))
    return _result(
        search, chosen, mode, conf, predicted, target, level, delta, n_needed, cal_conf.size
    )


def find_multilabel_auto_labels(
    pred_probs: Any,
    calibration_pred_probs: Any,
    calibration_labels: Any,
    *,
    target_accuracy: float = 0.95,
    confidence: float = 0.9,
    n_candidates: int = N_CANDIDATES,
    allow_empty: bool = True,
) -> AutoLabelResult:
    """:func:`find_auto_labels` for multi-label data: which unlabeled rows may take their predicted
    class set, certified at ``target_accuracy`` with probability ``confidence``.

    A row's prediction is the set of classes with probability at least 0.5, and it counts as right
    only when that set equals the given set exactly (a missing or an extra class is an error). Its
    confidence is the probability of exactly that set with the classes taken as independent,
    ``prod_k max(p_k, 1 - p_k)`` (the least certain class decision alone, ``min_k``, placed the first
    threshold worse and labelled 14-40 % fewer rows in simulation at targets 0.85 and 0.9). One threshold holds for all rows
    (a per-class threshold has no meaning when a row predicts several classes).

    Parameters
    ----------
    pred_probs : array-like of shape (N, K)
        Per-class probabilities of the unlabeled rows, in [0, 1]; rows need not sum to 1.
    calibration_pred_probs : array-like of shape (M, K)
        Out-of-sample per-class probabilities of labelled rows.
    calibration_labels : list of list of int, length M
        Their true class sets, e.g. ``[[0, 2], [1], []]``.
    target_accuracy, confidence, n_candidates
        As in :func:`find_auto_labels`.
    allow_empty : bool
        Whether a row may be labeled with the empty set (no class applies). If False, rows whose
        predicted set is empty are never labeled, and calibration rows predicted empty are left out
        of the evidence too, so the promise holds for the rows that are labeled.

    Returns
    -------
    AutoLabelResult
        ``labels`` holds one list of class indices per auto-labeled row; ``thresholds`` holds the one
        threshold K times.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> low, high = rng.beta(1, 30, (2000, 3)), rng.beta(30, 1, (2000, 3))
    >>> probs = np.where(rng.random((2000, 3)) < 0.5, low, high)
    >>> truth = rng.random((2000, 3)) < probs  # each class applies with its predicted probability
    >>> labels = [np.flatnonzero(t).tolist() for t in truth[1000:]]
    >>> result = find_multilabel_auto_labels(probs[:1000], probs[1000:], labels, target_accuracy=0.9)
    >>> result.n_to_label > 0, all(isinstance(s, list) for s in result.labels)
    (True, True)
    """
    _check_options(target_accuracy, confidence, False, n_candidates)
    probs = check_multilabel_pred_probs(pred_probs)
    cal_onehot, cal_probs = check_multilabel_inputs(calibration_labels, calibration_pred_probs)
    _check_same_classes(probs, cal_probs)
    if not isinstance(allow_empty, bool | np.bool_):
        raise InvalidOptionError(
            f"allow_empty must be True or False, but received {allow_empty!r}."
        )
    predicted = probs >= 0.5
    cal_predicted = cal_probs >= 0.5
    pool = np.flatnonzero(allow_empty | predicted.any(axis=1))
    cal = np.flatnonzero(allow_empty | cal_predicted.any(axis=1))
    conf, cal_conf = compute_set_confidence(probs), compute_set_confidence(cal_probs)
    result = certify_auto_labels(
        conf[pool],
        np.zeros(pool.size, dtype=np.int64),
        cal_conf[cal],
        np.zeros(cal.size, dtype=np.int64),
        (cal_predicted[cal] != (cal_onehot[cal] == 1)).any(axis=1),
        n_groups=1,
        target_accuracy=target_accuracy,
        confidence=confidence,
        n_candidates=n_candidates,
    )
    indices = pool[result.indices]
    reason = result.reason
    if pool.size < probs.shape[0]:
        reason += (
            f" Left out: {probs.shape[0] - pool.size} unlabeled rows predicted to have no class"
            " (allow_empty=False)."
        )
    mask = np.zeros(probs.shape[0], dtype=bool)
    mask[indices] = True
    sets = np.empty(indices.size, dtype=object)
    sets[:] = convert_onehot_to_multilabel(predicted[indices])
    return replace(
        result,
        thresholds=np.repeat(result.thresholds, probs.shape[1]),
        coverage=indices.size / probs.shape[0] if probs.shape[0] else 0.0,
        mask=mask,
        indices=indices,
        labels=sets,
        reason=reason,
    )


def _result(
    search: _Search,
    chosen: int,
    per_class: bool,
    conf: np.ndarray,
    predicted: np.ndarray,
    target: float,
    level: float,
    delta: float,
    n_needed: int,
    n_calibration: int,
) -> AutoLabelResult:
    n_classes = search.thresholds.shape[1]
    if chosen < 0:
        if n_calibration < n_needed:
            reason = (
                f"Nothing auto-labeled: certifying {target:.1%} accuracy at {1 - delta:.1%} "
                f"confidence needs at least {n_needed} error-free labelled calibration rows, but "
                f"only {n_calibration} were given. Label more rows."
            )
        else:
            reason = (
                f"Nothing auto-labeled: no threshold could be certified at {target:.1%} accuracy "
                f"with {1 - delta:.1%} confidence from {n_calibration} calibration rows (at least "
                f"{n_needed} of them, almost all correct, must lie above the threshold). Label more "
                "rows, improve the model, or lower target_accuracy."
            )
        empty = np.zeros(0, dtype=np.int64)
        return AutoLabelResult(
            thresholds=np.full(n_classes, np.inf),
            target_accuracy=target,
            confidence=level,
            promised_accuracy=None,
            accuracy_lower_bound=None,
            calibration_accuracy=None,
            n_calibration_rows=0,
            n_rows_needed=n_needed,
            n_to_label=0,
            coverage=0.0,
            mask=np.zeros(conf.size, dtype=bool),
            indices=empty,
            labels=empty,
            per_class=per_class,
            reason=reason,
        )
    thresholds = search.thresholds[chosen].copy()
    mask = conf >= thresholds[predicted]
    indices = np.flatnonzero(mask)
    indices = indices[np.argsort(-conf[indices], kind="stable")]
    n_rows, n_errors = int(search.n_rows[chosen]), int(search.n_errors[chosen])
    kind = "one threshold per predicted class" if per_class else "one threshold"
    return AutoLabelResult(
        thresholds=thresholds,
        target_accuracy=target,
        confidence=level,
        promised_accuracy=target,
        accuracy_lower_bound=_accuracy_lower_bound(n_errors, n_rows, int(indices.size), delta),
        calibration_accuracy=1.0 - n_errors / n_rows,
        n_calibration_rows=n_rows,
        n_rows_needed=n_needed,
        n_to_label=int(indices.size),
        coverage=indices.size / conf.size if conf.size else 0.0,
        mask=mask,
        indices=indices,
        labels=predicted[indices].astype(np.int64),
        per_class=per_class,
        reason=(
            f"Auto-labels {indices.size} of {conf.size} rows ({kind}): at least {target:.1%} "
            f"accurate with {level:.1%} confidence, certified by {n_rows} calibration rows of "
            f"which {n_errors} wrong."
        ),
    )
