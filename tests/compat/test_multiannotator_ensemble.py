"""The ensemble functions of goldlabel.compat.multiannotator against cleanlab 2.9's, same arguments."""

from __future__ import annotations

import inspect
import warnings
from typing import Any

import numpy as np
import pandas as pd
import pytest

from goldlabel.compat import multiannotator as ours
from goldlabel.exceptions import InvalidLabelsError, InvalidOptionError, InvalidPredProbsError
from tests.core.test_multiannotator import make_crowd

cm = pytest.importorskip("cleanlab.multiannotator")

RTOL = 1e-10
NAMES = ["get_label_quality_multiannotator_ensemble", "get_active_learning_scores_ensemble"]


@pytest.mark.parametrize("name", NAMES)
def test_signatures_match_cleanlab(name: str) -> None:
    theirs = inspect.signature(getattr(cm, name))
    mine = inspect.signature(getattr(ours, name))
    assert list(mine.parameters) == list(theirs.parameters)
    for p, q in zip(mine.parameters.values(), theirs.parameters.values(), strict=True):
        assert (p.kind, p.default) == (q.kind, q.default), p.name
    assert name in ours.__all__


def make_ensemble(
    seed: int, *, n: int = 120, m: int = 5, k: int = 3, p: int = 3, missing: float = 0.4
) -> tuple[np.ndarray, np.ndarray]:
    """A crowd and P models: the crowd's pred_probs mixed with each model's own Dirichlet noise."""
    labels, probs = make_crowd(seed, n=n, m=m, k=k, missing=missing)
    rng = np.random.default_rng(1000 + seed)
    mix = rng.uniform(0.1, 0.6, p)
    models = [(1 - a) * probs + a * rng.dirichlet(np.ones(k), n) for a in mix]
    return labels, np.stack(models)


def make_unlabeled(seed: int, p: int, k: int, u: int = 40) -> np.ndarray:
    rng = np.random.default_rng(2000 + seed)
    truth = rng.integers(0, k, u)
    return np.stack([0.5 * rng.dirichlet(np.ones(k), u) + 0.5 * np.eye(k)[truth] for _ in range(p)])


def as_input(labels: np.ndarray, kind: str) -> pd.DataFrame | np.ndarray:
    if kind == "frame":
        return pd.DataFrame(
            labels,
            columns=[f"ann{j}" for j in range(labels.shape[1])],
            index=np.arange(labels.shape[0]) * 3 + 7,
        )
    if kind == "int" and not np.isnan(labels).any():
        return labels.astype(np.int64)
    return labels


def assert_same(mine: Any, theirs: Any) -> None:
    if isinstance(theirs, pd.DataFrame):
        pd.testing.assert_frame_equal(mine, theirs, check_exact=False, rtol=RTOL, atol=1e-14)
    elif isinstance(theirs, pd.Series):
        pd.testing.assert_series_equal(mine, theirs, check_exact=False, rtol=RTOL, atol=1e-14)
    else:
        assert isinstance(mine, np.ndarray)
        assert mine.shape == np.shape(theirs)
        np.testing.assert_allclose(mine, theirs, rtol=RTOL, atol=1e-14)


def assert_results(mine: dict[str, Any], theirs: dict[str, Any]) -> None:
    assert list(mine) == list(theirs)
    for key, value in theirs.items():
        assert_same(mine[key], value)


def label_quality_both(
    labels: Any, pred_probs: np.ndarray, **kwargs: Any
) -> tuple[dict[str, Any], dict[str, Any]]:
    before = pred_probs.copy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = cm.get_label_quality_multiannotator_ensemble(labels, pred_probs.copy(), **kwargs)
        mine = ours.get_label_quality_multiannotator_ensemble(labels, pred_probs, **kwargs)
    np.testing.assert_array_equal(pred_probs, before)  # cleanlab scales a calibrated input in place
    return mine, theirs


# (seed, annotators, classes, models, fraction of missing labels)
SHAPES = {
    "m3-k2-p2": (0, 3, 2, 2, 0.3),
    "m5-k3-p3": (1, 5, 3, 3, 0.4),
    "m8-k6-p4": (2, 8, 6, 4, 0.5),
    "m4-k4-p2-full": (3, 4, 4, 2, 0.0),
    "m6-k5-p3-full": (4, 6, 5, 3, 0.0),
}
CALLS = {
    "default": {},
    "weights": {"return_weights": True},
    "calibrated": {"calibrate_probs": True, "return_weights": True},
    "no-detail": {"return_detailed_quality": False},
    "no-stats": {"return_annotator_stats": False, "return_detailed_quality": False},
    "verbose": {"verbose": True},
}


@pytest.mark.parametrize("kind", ["numpy", "int", "frame"])
@pytest.mark.parametrize("call", list(CALLS))
@pytest.mark.parametrize("shape", list(SHAPES))
def test_label_quality_matches_cleanlab(shape: str, call: str, kind: str) -> None:
    seed, m, k, p, missing = SHAPES[shape]
    labels, probs = make_ensemble(seed, m=m, k=k, p=p, missing=missing)
    mine, theirs = label_quality_both(as_input(labels, kind), probs, **CALLS[call])
    assert_results(mine, theirs)


def test_calibration_of_float32_probabilities_matches_cleanlab() -> None:
    # cleanlab writes each model's scaled probabilities back into the float32 input array
    labels, probs = make_ensemble(5, m=5, k=4, p=3)
    mine, theirs = label_quality_both(
        labels, probs.astype(np.float32), calibrate_probs=True, return_weights=True
    )
    assert_results(mine, theirs)


@pytest.fixture
def cleanlab_forwarding_score_kwargs(monkeypatch: pytest.MonkeyPatch) -> None:
    """cleanlab 2.9 splats label_quality_score_kwargs into a helper that does not take them; this
    forwards them where its single-model function sends them, to give the intended reference."""
    original = cm._get_consensus_stats

    def forwarding(*args: Any, **kwargs: Any) -> Any:
        score = {key: kwargs.pop(key) for key in ("method", "adjust_pred_probs") if key in kwargs}
        return original(*args, label_quality_score_kwargs=score, **kwargs)

    monkeypatch.setattr(cm, "_get_consensus_stats", forwarding)


def test_cleanlab_rejects_label_quality_score_kwargs_in_the_ensemble() -> None:
    labels, probs = make_ensemble(0)
    with pytest.raises(TypeError, match="unexpected keyword argument 'method'"):
        cm.get_label_quality_multiannotator_ensemble(
            labels, probs, verbose=False, label_quality_score_kwargs={"method": "normalized_margin"}
        )


@pytest.mark.usefixtures("cleanlab_forwarding_score_kwargs")
@pytest.mark.parametrize(
    "score_kwargs",
    [
        {"method": "normalized_margin"},
        {"method": "confidence_weighted_entropy"},
        {"method": "normalized_margin", "adjust_pred_probs": True},
    ],
    ids=["margin", "entropy", "margin-adjusted"],
)
@pytest.mark.parametrize("detailed", [True, False], ids=["detailed", "no-detail"])
@pytest.mark.parametrize("shape", ["m3-k2-p2", "m5-k3-p3", "m8-k6-p4"])
def test_label_quality_score_kwargs_match_cleanlabs_intent(
    shape: str, detailed: bool, score_kwargs: dict[str, Any]
) -> None:
    seed, m, k, p, missing = SHAPES[shape]
    labels, probs = make_ensemble(seed, m=m, k=k, p=p, missing=missing)
    mine, theirs = label_quality_both(
        as_input(labels, "frame"),
        probs,
        verbose=False,
        return_weights=True,
        return_detailed_quality=detailed,
        label_quality_score_kwargs=score_kwargs,
    )
    assert_results(mine, theirs)


@pytest.mark.parametrize("calibrate", [False, True], ids=["raw", "calibrated"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_an_ensemble_of_one_is_the_single_model_function(seed: int, calibrate: bool) -> None:
    labels, probs = make_ensemble(seed, m=4 + seed, k=2 + seed, p=1)
    frame = as_input(labels, "frame")
    kwargs: dict[str, Any] = {
        "verbose": False,
        "return_weights": True,
        "calibrate_probs": calibrate,
    }
    mine = ours.get_label_quality_multiannotator_ensemble(frame, probs, **kwargs)
    single = ours.get_label_quality_multiannotator(frame, probs[0], **kwargs)
    assert list(mine) == list(single)
    for key in ("label_quality", "detailed_label_quality", "annotator_stats", "annotator_weight"):
        assert_same(mine[key], single[key])
    assert mine["model_weight"].shape == (1,)
    assert mine["model_weight"][0] == pytest.approx(single["model_weight"], rel=RTOL)


def test_weights_are_per_model_and_favour_the_better_model() -> None:
    labels, probs = make_ensemble(6, m=5, k=3, p=2)
    noise = np.random.default_rng(6).dirichlet(np.ones(3), probs.shape[1])
    probs[1] = noise  # the second model knows nothing
    out = ours.get_label_quality_multiannotator_ensemble(
        labels, probs, verbose=False, return_weights=True
    )
    assert out["model_weight"].shape == (2,)
    assert out["model_weight"][0] > out["model_weight"][1]
    assert out["annotator_weight"].shape == (5,)


def test_verbose_notes_missing_classes(capsys: pytest.CaptureFixture[str]) -> None:
    labels = np.array([[0, 0, 1], [1, 1, np.nan], [0, 2, 0], [0, np.nan, 0]])
    probs = np.stack([np.eye(3)[[0, 1, 0, 0]] * 0.7 + 0.1] * 2)
    ours.get_label_quality_multiannotator_ensemble(labels, probs)
    assert "never chose classes [2]" in capsys.readouterr().out
    ours.get_label_quality_multiannotator_ensemble(labels, probs, verbose=False)
    assert capsys.readouterr().out == ""


# ---------------------------------------------------------------- ActiveLab with an ensemble


def active_both(
    labels: Any, pred_probs: np.ndarray | None, pred_probs_unlabeled: np.ndarray | None
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    copies = [None if a is None else a.copy() for a in (pred_probs, pred_probs_unlabeled)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = cm.get_active_learning_scores_ensemble(labels, *copies)
        mine = ours.get_active_learning_scores_ensemble(labels, pred_probs, pred_probs_unlabeled)
    return mine, theirs


@pytest.mark.parametrize("part", ["both", "labeled", "unlabeled-only"])
@pytest.mark.parametrize("kind", ["numpy", "int", "frame"])
@pytest.mark.parametrize("shape", list(SHAPES))
def test_active_learning_scores_match_cleanlab(shape: str, kind: str, part: str) -> None:
    seed, m, k, p, missing = SHAPES[shape]
    labels, probs = make_ensemble(seed, m=m, k=k, p=p, missing=missing)
    unlabeled = make_unlabeled(seed, p, k)
    given = as_input(labels, kind)
    if part == "both":
        args: tuple[Any, Any, Any] = (given, probs, unlabeled)
    elif part == "labeled":
        args = (given, probs, None)
    else:
        args = (None, None, unlabeled)
    before = [None if a is None else np.array(a, copy=True) for a in args[1:]]
    mine, theirs = active_both(*args)
    for array, copy in zip(args[1:], before, strict=True):
        if array is not None:
            np.testing.assert_array_equal(array, copy)  # cleanlab scales them in place
    for got, want in zip(mine, theirs, strict=True):
        assert_same(got, want)
    assert mine[0].shape == ((labels.shape[0],) if part != "unlabeled-only" else (0,))
    assert mine[1].shape == ((unlabeled.shape[1],) if part != "labeled" else (0,))


@pytest.mark.parametrize("kind", ["numpy", "frame"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_active_learning_with_one_label_per_example_matches_cleanlab(seed: int, kind: str) -> None:
    labels, probs = make_ensemble(seed, m=4, k=3 + seed, p=2 + seed, missing=0.0)
    single = np.full(labels.shape, np.nan)
    owner = np.arange(labels.shape[0]) % labels.shape[1]
    single[np.arange(labels.shape[0]), owner] = labels[np.arange(labels.shape[0]), owner]
    unlabeled = make_unlabeled(seed, probs.shape[0], probs.shape[2])
    mine, theirs = active_both(as_input(single, kind), probs, unlabeled)
    for got, want in zip(mine, theirs, strict=True):
        assert_same(got, want)


def test_active_learning_ignores_labels_without_pred_probs() -> None:
    labels, _ = make_ensemble(7, p=3)
    unlabeled = make_unlabeled(7, 3, 3)
    for given in (labels, labels.tolist()):
        mine, theirs = active_both(given, None, unlabeled)
        assert_same(mine[1], theirs[1])
        assert mine[0].size == 0


def test_active_learning_float32_matches_cleanlab() -> None:
    labels, probs = make_ensemble(8, m=5, k=4, p=3)
    unlabeled = make_unlabeled(8, 3, 4).astype(np.float32)
    mine, theirs = active_both(labels, probs.astype(np.float32), unlabeled)
    for got, want in zip(mine, theirs, strict=True):
        assert_same(got, want)


def test_one_model_scores_unlabeled_examples_where_cleanlab_refuses() -> None:
    labels, probs = make_ensemble(9, p=1)
    unlabeled = make_unlabeled(9, 1, 3)
    with pytest.raises(ValueError, match="more than one column"):
        cm.get_active_learning_scores_ensemble(labels, probs.copy(), unlabeled.copy())
    labeled, scores = ours.get_active_learning_scores_ensemble(labels, probs, unlabeled)
    single_labeled, single_scores = ours.get_active_learning_scores(labels, probs[0], unlabeled[0])
    np.testing.assert_allclose(labeled, single_labeled, rtol=RTOL)
    np.testing.assert_allclose(scores, single_scores, rtol=RTOL)


# ---------------------------------------------------------------- errors

LABELS, PROBS = make_ensemble(0, n=30, m=4, k=3, p=2)
ONE_COLUMN = np.nan_to_num(LABELS[:, :1])
ERRORS = {
    "labels-list": (
        lambda: ours.get_label_quality_multiannotator_ensemble(LABELS.tolist(), PROBS),
        lambda: cm.get_label_quality_multiannotator_ensemble(LABELS.tolist(), PROBS.copy()),
        InvalidLabelsError,
        "must be a numpy array or a pandas DataFrame, but received list",
    ),
    "probs-list": (
        lambda: ours.get_label_quality_multiannotator_ensemble(LABELS, PROBS.tolist()),
        lambda: cm.get_label_quality_multiannotator_ensemble(LABELS, PROBS.tolist()),
        InvalidPredProbsError,
        "pred_probs must be a numpy array .* received list",
    ),
    "probs-2d": (
        lambda: ours.get_label_quality_multiannotator_ensemble(LABELS, PROBS[0]),
        lambda: cm.get_label_quality_multiannotator_ensemble(LABELS, PROBS[0].copy()),
        InvalidPredProbsError,
        r"3-D array .* shape \(30, 3\)\. For a single model",
    ),
    "probs-rows": (
        lambda: ours.get_label_quality_multiannotator_ensemble(LABELS, PROBS[:, :-1]),
        lambda: cm.get_label_quality_multiannotator_ensemble(LABELS, PROBS[:, :-1].copy()),
        InvalidPredProbsError,
        "pred_probs has 29 rows but there are 30 labels",
    ),
    "probs-classes": (
        lambda: ours.get_label_quality_multiannotator_ensemble(
            LABELS, np.stack([np.column_stack([p[:, 0], 1 - p[:, 0]]) for p in PROBS])
        ),
        lambda: cm.get_label_quality_multiannotator_ensemble(
            LABELS, np.stack([np.column_stack([p[:, 0], 1 - p[:, 0]]) for p in PROBS])
        ),
        InvalidPredProbsError,
        "holds class 2 but there are only 2 classes",
    ),
    "one-annotator": (
        lambda: ours.get_label_quality_multiannotator_ensemble(ONE_COLUMN, PROBS),
        lambda: cm.get_label_quality_multiannotator_ensemble(ONE_COLUMN, PROBS.copy()),
        InvalidLabelsError,
        "more than one column",
    ),
    "all-nan-row": (
        lambda: ours.get_label_quality_multiannotator_ensemble(
            np.vstack([LABELS[:-1], np.full((1, 4), np.nan)]), PROBS
        ),
        lambda: cm.get_label_quality_multiannotator_ensemble(
            np.vstack([LABELS[:-1], np.full((1, 4), np.nan)]), PROBS.copy()
        ),
        InvalidLabelsError,
        r"rows \[29\] of labels_multiannotator are all NaN",
    ),
    "unknown-kwargs": (
        lambda: ours.get_label_quality_multiannotator_ensemble(
            LABELS, PROBS, label_quality_score_kwargs={"mode": "x"}
        ),
        lambda: cm.get_label_quality_multiannotator_ensemble(
            LABELS, PROBS.copy(), label_quality_score_kwargs={"mode": "x"}
        ),
        InvalidOptionError,
        r"accepts \['method', 'adjust_pred_probs'\], but received \['mode'\]",
    ),
    "bad-method": (
        lambda: ours.get_label_quality_multiannotator_ensemble(
            LABELS, PROBS, label_quality_score_kwargs={"method": "best"}
        ),
        None,
        InvalidOptionError,
        "label_quality_method must be one of .* received 'best'",
    ),
    "active-nothing": (
        lambda: ours.get_active_learning_scores_ensemble(LABELS),
        lambda: cm.get_active_learning_scores_ensemble(LABELS),
        InvalidOptionError,
        "cannot both be None",
    ),
    "active-no-labels": (
        lambda: ours.get_active_learning_scores_ensemble(None, PROBS),
        lambda: cm.get_active_learning_scores_ensemble(None, PROBS.copy()),
        InvalidOptionError,
        "labels_multiannotator cannot be None when pred_probs is given",
    ),
    "active-labels-list": (
        lambda: ours.get_active_learning_scores_ensemble(LABELS.tolist(), PROBS),
        lambda: cm.get_active_learning_scores_ensemble(LABELS.tolist(), PROBS.copy()),
        InvalidLabelsError,
        "must be a numpy array or a pandas DataFrame",
    ),
    "active-labels-1d": (
        lambda: ours.get_active_learning_scores_ensemble(LABELS[:, 0], PROBS),
        lambda: cm.get_active_learning_scores_ensemble(LABELS[:, 0], PROBS.copy()),
        InvalidLabelsError,
        r"2-D array .* shape \(30,\)",
    ),
    "active-probs-2d": (
        lambda: ours.get_active_learning_scores_ensemble(LABELS, PROBS[0]),
        lambda: cm.get_active_learning_scores_ensemble(LABELS, PROBS[0].copy()),
        InvalidPredProbsError,
        "pred_probs must be a 3-D array",
    ),
    "active-unlabeled-list": (
        lambda: ours.get_active_learning_scores_ensemble(None, None, PROBS.tolist()),
        lambda: cm.get_active_learning_scores_ensemble(None, None, PROBS.tolist()),
        InvalidPredProbsError,
        "pred_probs_unlabeled must be a numpy array",
    ),
    "active-unlabeled-2d": (
        lambda: ours.get_active_learning_scores_ensemble(None, None, PROBS[0]),
        lambda: cm.get_active_learning_scores_ensemble(None, None, PROBS[0].copy()),
        InvalidPredProbsError,
        "pred_probs_unlabeled must be a 3-D array",
    ),
    "active-classes-differ": (
        lambda: ours.get_active_learning_scores_ensemble(LABELS, PROBS, make_unlabeled(0, 2, 4)),
        lambda: cm.get_active_learning_scores_ensemble(
            LABELS, PROBS.copy(), make_unlabeled(0, 2, 4)
        ),
        InvalidPredProbsError,
        "2 models and 3 classes but pred_probs_unlabeled has 2 and 4",
    ),
    "active-models-differ": (
        lambda: ours.get_active_learning_scores_ensemble(LABELS, PROBS, make_unlabeled(0, 3, 3)),
        lambda: cm.get_active_learning_scores_ensemble(
            LABELS, PROBS.copy(), make_unlabeled(0, 3, 3)
        ),
        InvalidPredProbsError,
        "2 models and 3 classes but pred_probs_unlabeled has 3 and 3",
    ),
}


@pytest.mark.parametrize("case", list(ERRORS))
def test_errors(case: str) -> None:
    mine, theirs, error, message = ERRORS[case]
    with pytest.raises(error, match=message):
        mine()
    assert issubclass(error, ValueError)
    if theirs is not None:  # cleanlab refuses the same input
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with pytest.raises((ValueError, TypeError, IndexError)):
                theirs()


def test_every_example_with_one_label_is_refused() -> None:
    single = np.full((30, 4), np.nan)
    single[np.arange(30), np.arange(30) % 4] = LABELS[np.arange(30), np.arange(30) % 4]
    single[np.isnan(single).all(axis=1), 0] = 0
    with pytest.raises(InvalidLabelsError, match="exactly one label"):
        ours.get_label_quality_multiannotator_ensemble(single, PROBS)
    with pytest.raises(ValueError, match="only has one label"):
        cm.get_label_quality_multiannotator_ensemble(single, PROBS.copy())
