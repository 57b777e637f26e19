"""goldlabel.compat.multiannotator against cleanlab 2.9's cleanlab.multiannotator, same arguments."""

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

NAMES = [
    "get_active_learning_scores",
    "get_label_quality_multiannotator",
    "get_majority_vote_label",
    "convert_long_to_wide_dataset",
]


@pytest.mark.parametrize("name", NAMES)
def test_signatures_match_cleanlab(name: str) -> None:
    theirs = inspect.signature(getattr(cm, name))
    mine = inspect.signature(getattr(ours, name))
    assert list(mine.parameters) == list(theirs.parameters)
    for p, q in zip(mine.parameters.values(), theirs.parameters.values(), strict=True):
        assert (p.kind, p.default) == (q.kind, q.default), p.name


def _both(*args: Any, **kwargs: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = cm.get_label_quality_multiannotator(*args, **kwargs)
        mine = ours.get_label_quality_multiannotator(*args, **kwargs)
    return mine, theirs


def _assert_frames(mine: pd.DataFrame, theirs: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(mine, theirs, check_exact=False, rtol=0, atol=1e-12)


CALLS = {
    "default-frame": {},
    "vote-then-best": {"consensus_method": ["majority_vote", "best_quality"]},
    "best-then-vote": {"consensus_method": ["best_quality", "majority_vote"]},
    "weights": {"return_weights": True},
    "no-detail": {"return_detailed_quality": False},
    "no-detail-margin": {
        "return_detailed_quality": False,
        "label_quality_score_kwargs": {"method": "normalized_margin"},
    },
    "no-stats": {"return_annotator_stats": False, "return_detailed_quality": False},
    "margin": {"label_quality_score_kwargs": {"method": "normalized_margin"}},
    # cleanlab fits the temperature on labels stored as floats (NaN = missing) in its own way
    "calibrated-with-missing": {"calibrate_probs": True},
}


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("call", list(CALLS))
def test_get_label_quality_multiannotator_matches_cleanlab(call: str, seed: int) -> None:
    labels, probs = make_crowd(seed, n=120, m=5 + seed, k=3 + seed, missing=0.4)
    frame = pd.DataFrame(
        labels, columns=[f"ann{j}" for j in range(labels.shape[1])], index=np.arange(120) * 3
    )
    mine, theirs = _both(frame, probs, verbose=False, **CALLS[call])
    assert list(mine) == list(theirs)
    for key, value in theirs.items():
        if isinstance(value, pd.DataFrame):
            _assert_frames(mine[key], value)
        elif isinstance(value, np.ndarray):
            np.testing.assert_allclose(mine[key], value, rtol=1e-12)
        else:
            assert mine[key] == pytest.approx(value, rel=1e-12)
            assert type(mine[key]) is type(value)


def test_numpy_input_gives_numbered_columns() -> None:
    labels, probs = make_crowd(3, n=80, m=4, k=3)
    mine, theirs = _both(labels, probs, verbose=False)
    for key in theirs:
        _assert_frames(mine[key], theirs[key])


def test_verbose_notes_lost_classes_and_lonely_annotators(
    capsys: pytest.CaptureFixture[str],
) -> None:
    labels = np.array([[0, 0, np.nan], [1, 1, np.nan], [0, 0, np.nan], [np.nan, np.nan, 2]])
    probs = np.array([[0.8, 0.1, 0.1], [0.1, 0.8, 0.1], [0.8, 0.1, 0.1], [0.98, 0.01, 0.01]])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours.get_label_quality_multiannotator(labels, probs)
    out = capsys.readouterr().out
    assert "annotators [2] share no example" in out
    assert "never chose classes [2]" in out


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_get_majority_vote_label_matches_cleanlab(seed: int) -> None:
    labels, probs = make_crowd(seed, n=200, m=4, k=3)
    frame = pd.DataFrame(labels)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = cm.get_majority_vote_label(frame, pred_probs=probs, verbose=False)
    got = ours.get_majority_vote_label(frame, pred_probs=probs, verbose=False)
    assert got.dtype == expected.dtype
    np.testing.assert_array_equal(got, expected)


def test_convert_long_to_wide_dataset_matches_cleanlab() -> None:
    long = pd.DataFrame(
        {"task": [3, 1, 3, 2, 1], "annotator": ["b", "a", "a", "b", "c"], "label": [1, 0, 2, 1, 1]}
    )
    pd.testing.assert_frame_equal(
        ours.convert_long_to_wide_dataset(long), cm.convert_long_to_wide_dataset(long)
    )


ERRORS = {
    "list-input": (([[0, 1]], None), {}, InvalidLabelsError, "numpy array or a pandas DataFrame"),
    "one-annotator": ((np.array([[0.0], [1.0]]), None), {}, InvalidLabelsError, "more than one"),
    "single-labels": (
        (np.array([[0, np.nan], [np.nan, 1]]), None),
        {},
        InvalidLabelsError,
        "every example has exactly one label",
    ),
    "probs-list": (
        (np.array([[0, 1], [1, 1]]), [[0.5, 0.5], [0.5, 0.5]]),
        {},
        InvalidPredProbsError,
        "must be a numpy array",
    ),
    "weights-agreement": (
        (np.array([[0, 1], [1, 1]]), np.full((2, 2), 0.5)),
        {"return_weights": True, "quality_method": "agreement"},
        InvalidOptionError,
        "only for quality_method='crowdlab'",
    ),
    "bad-method": (
        (np.array([[0, 1], [1, 1]]), np.full((2, 2), 0.5)),
        {"consensus_method": ["best_quality", "dawid_skene"]},
        InvalidOptionError,
        "consensus_method must be one of",
    ),
    "bad-quality": (
        (np.array([[0, 1], [1, 1]]), np.full((2, 2), 0.5)),
        {"quality_method": "glad"},
        InvalidOptionError,
        "quality_method must be one of",
    ),
    "bad-kwargs": (
        (np.array([[0, 1], [1, 1]]), np.full((2, 2), 0.5)),
        {"label_quality_score_kwargs": {"temperature": 2}},
        InvalidOptionError,
        r"accepts \['method', 'adjust_pred_probs'\]",
    ),
}


@pytest.mark.parametrize("case", list(ERRORS))
def test_errors(case: str) -> None:
    args, kwargs, error, message = ERRORS[case]
    with pytest.raises(error, match=message):
        ours.get_label_quality_multiannotator(*args, verbose=False, **kwargs)


def test_no_agreement_warns_and_long_table_needs_columns() -> None:
    labels = np.array([[0, 1], [1, 0]], dtype=float)
    with pytest.warns(UserWarning, match="no two annotators gave the same label"):
        ours.get_majority_vote_label(labels, pred_probs=np.eye(2), verbose=True)
    with pytest.raises(InvalidLabelsError, match=r"lacks \['annotator'\]"):
        ours.convert_long_to_wide_dataset(pd.DataFrame({"task": [0], "label": [1]}))


def _active_both(*args: Any) -> tuple[Any, Any]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ours.get_active_learning_scores(*args), cm.get_active_learning_scores(*args)


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
@pytest.mark.parametrize("form", ["frame", "float-array", "int-array"])
def test_get_active_learning_scores_matches_cleanlab(form: str, seed: int) -> None:
    """ActiveLab on crowds of 3-6 annotators, with and without missing labels, plus unlabeled rows."""
    complete = form == "int-array"
    labels, probs = make_crowd(
        seed, n=90, m=3 + seed, k=2 + seed, missing=0.0 if complete else 0.45
    )
    unlabeled = np.random.default_rng(seed).dirichlet(np.ones(probs.shape[1]), 25)
    given: Any = labels
    if form == "frame":
        given = pd.DataFrame(labels, columns=[f"a{j}" for j in range(labels.shape[1])])
    elif complete:
        given = labels.astype(int)
    mine, theirs = _active_both(given, probs, unlabeled)
    np.testing.assert_allclose(mine[0], theirs[0], rtol=1e-10)
    np.testing.assert_allclose(mine[1], theirs[1], rtol=1e-10)


def test_active_learning_with_one_annotation_per_example_matches_cleanlab() -> None:
    labels, probs = make_crowd(7, n=60, m=4, k=3, missing=0.0)
    single = np.full(labels.shape, np.nan)
    single[np.arange(60), np.arange(60) % 4] = labels[np.arange(60), np.arange(60) % 4]
    unlabeled = np.random.default_rng(7).dirichlet(np.ones(3), 10)
    mine, theirs = _active_both(single, probs, unlabeled)
    np.testing.assert_allclose(mine[0], theirs[0], rtol=1e-12)
    np.testing.assert_allclose(mine[1], theirs[1], rtol=1e-12)


def test_active_learning_on_unlabeled_rows_alone_matches_cleanlab() -> None:
    unlabeled = np.random.default_rng(3).dirichlet(np.ones(4), 30)
    mine, theirs = _active_both(None, None, unlabeled)
    assert mine[0].size == theirs[0].size == 0
    np.testing.assert_allclose(mine[1], theirs[1], rtol=1e-12)


@pytest.mark.parametrize(
    ("args", "error", "match"),
    [
        ((None, None, None), InvalidOptionError, "cannot both be None"),
        ((None, np.full((2, 2), 0.5), None), InvalidOptionError, "labels_multiannotator cannot be"),
        (
            (np.array([[0, 1], [1, 1]]), np.full((2, 2), 0.5), np.full((3, 3), 1 / 3)),
            InvalidPredProbsError,
            "pred_probs has 2 classes but pred_probs_unlabeled has 3",
        ),
    ],
    ids=["nothing", "probs-without-labels", "class-count-mismatch"],
)
def test_active_learning_refuses_bad_input(args: tuple, error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        ours.get_active_learning_scores(*args)
