"""Dataset-level summaries of label quality: which classes are noisy, which overlap, how healthy overall.

Every function here accepts one of three descriptions of the data:

1. ``labels`` and ``pred_probs`` (the joint is estimated with confident learning), or
2. ``joint`` (the estimated joint distribution ``P(given=i, true=j)``, summing to 1) with ``num_examples``
   (or ``labels``, whose length is then used), or
3. ``confident_joint`` (counts; calibrated with ``labels`` when these are given, used as is otherwise).

When several are given, ``joint`` wins over ``confident_joint``, which wins over ``pred_probs``. The number
of examples is ``num_examples`` if given, else ``len(labels)``, else the sum of ``confident_joint``.
Results equal those of ``cleanlab.dataset`` (2.9) for single-label data.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from goldlabel.core.counting import count_label_issues, estimate_joint
from goldlabel.core.validation import _describe, check_labels
from goldlabel.exceptions import DataValidationError

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "compute_overall_label_health_score",
    "find_overlapping_classes",
    "rank_classes_by_label_quality",
    "summarize_label_health",
]

#: Floor of the denominators of the per-class noise rates (a class with no mass gets noise 0).
_EPSILON = 1e-6
#: A joint distribution whose entries sum further than this from 1 is refused.
_JOINT_SUM_TOLERANCE = 1e-2
_INPUTS_HINT = (
    "Pass labels and pred_probs, or joint together with num_examples, or confident_joint."
)


def _check_square(matrix: Any, name: str) -> np.ndarray:
    """Validate a (K, K) matrix of finite non-negative numbers."""
    arr = np.asarray(matrix)
    if arr.dtype.kind not in "biuf" or arr.ndim != 2 or arr.shape[0] != arr.shape[1]:
        raise DataValidationError(
            f"{name} must be a square (K, K) numeric matrix, but received {_describe(matrix)}. "
            f"{_INPUTS_HINT}"
        )
    if arr.shape[0] == 0:
        raise DataValidationError(
            f"{name} is empty (shape {arr.shape}); it needs one row per class."
        )
    if not np.isfinite(arr).all():
        raise DataValidationError(
            f"{name} must hold finite values, but it contains NaN or infinite entries: "
            f"{np.array2string(arr, threshold=16)}. Recompute it from labels and pred_probs."
        )
    if (arr < 0).any():
        raise DataValidationError(
            f"{name} must hold non-negative values, but its smallest entry is {arr.min()!r}. "
            "Pass counts (confident_joint) or probabilities (joint), never differences."
        )
    return arr


def _check_joint(joint: Any) -> np.ndarray:
    arr = _check_square(joint, "joint")
    total = float(arr.sum())
    if abs(total - 1.0) > _JOINT_SUM_TOLERANCE:
        raise DataValidationError(
            f"joint must be a probability distribution summing to 1, but its entries sum to "
            f"{total:.6g}. If these are counts, pass them as confident_joint=..., or divide by "
            "their sum."
        )
    return arr


def _check_num_examples(num_examples: Any) -> int:
    if isinstance(num_examples, (bool, np.bool_)) or not isinstance(
        num_examples, (int, np.integer)
    ):
        raise DataValidationError(
            f"num_examples must be a positive integer, but received {_describe(num_examples)}. "
            "Pass the number of examples in the dataset, e.g. len(labels)."
        )
    if num_examples < 1:
        raise DataValidationError(
            f"num_examples must be a positive integer, but received {num_examples}. Pass the "
            "number of examples in the dataset, e.g. len(labels)."
        )
    return int(num_examples)


def _resolve_joint(labels: Any, pred_probs: Any, joint: Any, confident_joint: Any) -> np.ndarray:
    """The joint distribution described by the inputs (see the module docstring)."""
    if joint is not None:
        arr = _check_joint(joint)
        if confident_joint is not None:
            cj = _check_square(confident_joint, "confident_joint")
            if cj.shape != arr.shape:
                raise DataValidationError(
                    f"joint has shape {arr.shape} but confident_joint has shape {cj.shape}; "
                    "both describe the same K classes. Pass only one of them."
                )
        return arr
    if confident_joint is not None:
        cj = _check_square(confident_joint, "confident_joint")
        k = cj.shape[0]
        if pred_probs is not None and np.shape(pred_probs)[-1:] != (k,):
            raise DataValidationError(
                f"confident_joint is ({k}, {k}) but pred_probs has shape {np.shape(pred_probs)}; "
                "both must describe the same K classes."
            )
        if labels is not None:
            labs = check_labels(labels, n_classes=k)
            # C order, as cleanlab returns it: the row and column sums taken later then add up in the
            # same order and agree to the last bit.
            return np.ascontiguousarray(estimate_joint(labs, None, confident_joint=cj))
        return estimate_joint(None, None, confident_joint=cj)
    if labels is None or pred_probs is None:
        missing = "labels" if labels is None else "pred_probs"
        raise DataValidationError(
            f"{missing} is None and neither joint nor confident_joint was given, so there is "
            f"nothing to estimate label quality from. {_INPUTS_HINT}"
        )
    return np.ascontiguousarray(estimate_joint(labels, pred_probs))


def _resolve_num_examples(num_examples: Any, labels: Any, confident_joint: Any) -> int:
    if num_examples is not None:
        return _check_num_examples(num_examples)
    if labels is not None:
        return int(check_labels(labels).shape[0])
    if confident_joint is not None:
        total = _check_square(confident_joint, "confident_joint").sum()
        return int(total)
    raise DataValidationError(
        "num_examples is None and cannot be inferred: pass num_examples=len(labels) together "
        "with joint, or pass labels or confident_joint."
    )


def _check_class_names(class_names: Any, n_classes: int) -> list[Any]:
    if isinstance(class_names, (str, bytes)):
        raise DataValidationError(
            f"class_names must be a sequence with one name per class, but received the string "
            f"{class_names!r}. Pass a list such as ['cat', 'dog']."
        )
    names = list(class_names)
    if len(names) != n_classes:
        raise DataValidationError(
            f"class_names has {len(names)} entries but there are {n_classes} classes. Pass one "
            "name per class, in class-index order."
        )
    return names


def rank_classes_by_label_quality(
    labels: Any = None,
    pred_probs: Any = None,
    *,
    class_names: Sequence[Any] | None = None,
    num_examples: int | None = None,
    joint: Any = None,
    confident_joint: Any = None,
) -> pd.DataFrame:
    """Per-class label noise, most problematic class first.

    Parameters
    ----------
    labels : array-like of shape (N,), optional
        Given labels, integers in [0, K).
    pred_probs : array-like of shape (N, K), optional
        Out-of-sample predicted probabilities.
    class_names : sequence of length K, optional
        Adds a leading "Class Name" column.
    num_examples : int, optional
        N; needed with ``joint`` when ``labels`` is not given.
    joint : array-like of shape (K, K), optional
        ``P(given=i, true=j)``, summing to 1.
    confident_joint : array-like of shape (K, K), optional
        Confident-joint counts ``C[given][true]``.

    Returns
    -------
    pandas.DataFrame
        K rows sorted by "Label Quality Score" ascending, with columns "Class Index", "Label Issues"
        (estimated count of examples labeled k whose true class is another), "Inverse Label Issues"
        (examples of true class k labeled otherwise), "Label Noise" (``P(true != k | given = k)``),
        "Inverse Label Noise" (``P(given != k | true = k)``) and "Label Quality Score"
        (``1 - Label Noise``).

    Examples
    --------
    >>> joint = np.array([[0.45, 0.05], [0.0, 0.5]])
    >>> df = rank_classes_by_label_quality(joint=joint, num_examples=100)
    >>> df["Class Index"].tolist(), df["Label Issues"].tolist()
    ([0, 1], [5, 0])
    """
    q = _resolve_joint(labels, pred_probs, joint, confident_joint)
    n = _resolve_num_examples(num_examples, labels, confident_joint)
    diagonal = q.diagonal()
    given_mass = q.sum(axis=1)
    true_mass = q.sum(axis=0)
    given_noise = given_mass - diagonal
    true_noise = true_mass - diagonal
    given_rate = given_noise / np.clip(given_mass, a_min=_EPSILON, a_max=None)
    true_rate = true_noise / np.clip(true_mass, a_min=_EPSILON, a_max=None)
    import pandas as pd  # the tables cleanlab returns; loaded only when one is asked for

    df = pd.DataFrame(
        {
            "Class Index": np.arange(q.shape[0]),
            "Label Issues": (given_noise * n).round().astype(int),
            "Inverse Label Issues": (true_noise * n).round().astype(int),
            "Label Noise": given_rate,
            "Inverse Label Noise": true_rate,
            "Label Quality Score": 1 - given_rate,
        }
    )
    if class_names is not None:
        df.insert(loc=0, column="Class Name", value=_check_class_names(class_names, q.shape[0]))
    return df.sort_values(by="Label Quality Score", ascending=True).reset_index(drop=True)


def find_overlapping_classes(
    labels: Any = None,
    pred_probs: Any = None,
    *,
    asymmetric: bool = False,
    class_names: Sequence[Any] | None = None,
    num_examples: int | None = None,
    joint: Any = None,
    confident_joint: Any = None,
) -> pd.DataFrame:
    """Pairs of classes that annotators confuse, most confused first; candidates to merge.

    Parameters
    ----------
    labels, pred_probs, num_examples, joint, confident_joint
        As in :func:`rank_classes_by_label_quality`.
    asymmetric : bool
        If False (default), each unordered pair ``{a, b}`` (``a < b``) appears once with
        ``Q[a][b] + Q[b][a]``. If True, each ordered pair ``(a, b)``, ``a != b``, appears with ``Q[a][b]``:
        the share of examples labeled ``a`` whose true class is ``b``.
    class_names : sequence of length K, optional
        Adds leading "Class Name A" and "Class Name B" columns.

    Returns
    -------
    pandas.DataFrame
        ``K(K-1)/2`` rows (``K(K-1)`` if asymmetric) with columns "Class Index A", "Class Index B",
        "Num Overlapping Examples" (``round(N * Joint Probability)``) and "Joint Probability",
        sorted by "Joint Probability" descending.

    Examples
    --------
    >>> joint = np.array([[0.4, 0.05, 0.0], [0.05, 0.3, 0.0], [0.0, 0.1, 0.1]])
    >>> df = find_overlapping_classes(joint=joint, num_examples=200)
    >>> df.loc[0, ["Class Index A", "Class Index B", "Num Overlapping Examples"]].tolist()
    [0, 1, 20]
    """
    q = _resolve_joint(labels, pred_probs, joint, confident_joint)
    n = _resolve_num_examples(num_examples, labels, confident_joint)
    k = q.shape[0]
    if asymmetric:
        rows, cols = np.nonzero(~np.eye(k, dtype=bool))
        values = q[rows, cols]
    else:
        rows, cols = np.triu_indices(k, 1)
        values = (np.triu(q) + np.tril(q).T)[rows, cols]
    import pandas as pd  # the tables cleanlab returns; loaded only when one is asked for

    df = pd.DataFrame(
        {
            "Class Index A": rows.astype(np.int64),
            "Class Index B": cols.astype(np.int64),
            "Joint Probability": values,
        }
    )
    df.insert(
        loc=2,
        column="Num Overlapping Examples",
        value=(df["Joint Probability"] * n).round().astype(int),
    )
    if class_names is not None:
        names = _check_class_names(class_names, k)
        df.insert(loc=0, column="Class Name A", value=df["Class Index A"].map(names.__getitem__))
        df.insert(loc=1, column="Class Name B", value=df["Class Index B"].map(names.__getitem__))
    return df.sort_values(by="Joint Probability", ascending=False).reset_index(drop=True)


def _health(
    labels: Any, pred_probs: Any, num_examples: Any, joint: Any, confident_joint: Any
) -> tuple[float, int, int]:
    """(health score, number of label issues, number of examples)."""
    if labels is not None and pred_probs is not None:
        n = _resolve_num_examples(num_examples, labels, confident_joint)
        n_issues = count_label_issues(labels, pred_probs)
        return 1 - n_issues / n, n_issues, n
    q = _resolve_joint(labels, pred_probs, joint, confident_joint)
    n = _resolve_num_examples(num_examples, labels, confident_joint)
    trace = q.trace()
    return float(trace), int(np.round(n * (1 - trace))), n


def compute_overall_label_health_score(
    labels: Any = None,
    pred_probs: Any = None,
    *,
    num_examples: int | None = None,
    confident_joint: Any = None,
    joint: Any = None,
) -> float:
    """The estimated fraction of correct labels in the dataset, in [0, 1].

    With ``labels`` and ``pred_probs`` it is ``1 - count_label_issues(labels, pred_probs) / N``
    (``joint`` and ``confident_joint`` are then not used); otherwise it is ``trace(joint)``. The two
    estimates can differ: the first counts confidently mislabeled examples, the second reads the
    calibrated joint.

    Parameters
    ----------
    labels, pred_probs, num_examples, joint, confident_joint
        As in :func:`rank_classes_by_label_quality`.

    Returns
    -------
    float

    Examples
    --------
    >>> compute_overall_label_health_score(joint=np.array([[0.45, 0.05], [0.0, 0.5]]), num_examples=10)
    0.95
    """
    return _health(labels, pred_probs, num_examples, joint, confident_joint)[0]


def summarize_label_health(
    labels: Any = None,
    pred_probs: Any = None,
    *,
    asymmetric: bool = False,
    class_names: Sequence[Any] | None = None,
    num_examples: int | None = None,
    joint: Any = None,
    confident_joint: Any = None,
) -> dict[str, Any]:
    """Everything a dataset health report shows, as data.

    Parameters
    ----------
    labels, pred_probs, num_examples, joint, confident_joint
        As in :func:`rank_classes_by_label_quality`.
    asymmetric, class_names
        As in :func:`find_overlapping_classes`.

    Returns
    -------
    dict
        ``"overall_label_health_score"`` (float, see :func:`compute_overall_label_health_score`),
        ``"joint"`` (numpy.ndarray of shape (K, K)), ``"classes_by_label_quality"`` (DataFrame, see
        :func:`rank_classes_by_label_quality`), ``"overlapping_classes"`` (DataFrame, see
        :func:`find_overlapping_classes`), ``"num_examples"`` (int) and ``"num_label_issues"`` (int,
        the estimate behind the health score).

    Examples
    --------
    >>> summary = summarize_label_health(joint=np.array([[0.45, 0.05], [0.0, 0.5]]), num_examples=100)
    >>> summary["overall_label_health_score"], summary["num_label_issues"]
    (0.95, 5)
    """
    q = _resolve_joint(labels, pred_probs, joint, confident_joint)
    n = _resolve_num_examples(num_examples, labels, confident_joint)
    classes = rank_classes_by_label_quality(
        labels, pred_probs, class_names=class_names, num_examples=n, joint=q
    )
    overlapping = find_overlapping_classes(
        labels,
        pred_probs,
        asymmetric=asymmetric,
        class_names=class_names,
        num_examples=n,
        joint=q,
    )
    score, n_issues, _ = _health(labels, pred_probs, n, q, None)
    return {
        "overall_label_health_score": score,
        "joint": q,
        "classes_by_label_quality": classes,
        "overlapping_classes": overlapping,
        "num_examples": n,
        "num_label_issues": n_issues,
    }
