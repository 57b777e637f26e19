"""goldlabel.compat.{filter, rank, count, dataset} against cleanlab 2.9, called with identical arguments."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest
import scipy.sparse

from goldlabel.compat import count, dataset, filter, rank
from goldlabel.core.filtering import FILTER_BY
from goldlabel.core.scoring import SCORE_METHODS
from tests.conftest import make_noisy_data
from tests.core.datasets import quietly as quiet

cleanlab = pytest.importorskip("cleanlab")
import cleanlab.count as cl_count  # noqa: E402
import cleanlab.dataset as cl_dataset  # noqa: E402
import cleanlab.filter as cl_filter  # noqa: E402
import cleanlab.rank as cl_rank  # noqa: E402

# (N, K, seed, dtype, imbalance)
CASES = {
    "k2-f32": (400, 2, 0, np.float32, 0.0),
    "k3-f64-imb": (600, 3, 5, np.float64, 0.5),
    "k5-f64-imb": (1500, 5, 1, np.float64, 0.3),
    "k17-f32-imb": (2000, 17, 2, np.float32, 0.1),
    "k60-f64": (2000, 60, 3, np.float64, 0.0),
    "k200-f32": (3000, 200, 4, np.float32, 0.0),
}
CASE_IDS = list(CASES)
SMALL_IDS = ["k2-f32", "k5-f64-imb", "k17-f32-imb"]
METHODS = SCORE_METHODS


@functools.cache
def _data(case: str) -> tuple[np.ndarray, np.ndarray]:
    n, k, seed, dtype, imbalance = CASES[case]
    labels, pred_probs, _ = make_noisy_data(
        n, k, seed=seed, dtype=dtype, imbalance=imbalance, noise=0.15
    )
    return labels, pred_probs


def data(case: str) -> tuple[np.ndarray, np.ndarray]:
    labels, pred_probs = _data(case)
    return labels.copy(), pred_probs.copy()


def assert_same(expected: Any, got: Any, *, exact: bool = True) -> None:
    """Equal values, shapes and dtypes (and, for floats when not exact, equal to 1e-12)."""
    if isinstance(expected, (tuple, list)):
        assert type(got) is type(expected) and len(got) == len(expected)
        for e, g in zip(expected, got, strict=True):
            assert_same(e, g, exact=exact)
    elif isinstance(expected, dict):
        assert list(got) == list(expected)
        for key in expected:
            assert_same(expected[key], got[key], exact=exact)
    elif isinstance(expected, pd.DataFrame):
        pd.testing.assert_frame_equal(got, expected, check_exact=exact)
    elif isinstance(expected, np.ndarray):
        assert isinstance(got, np.ndarray)
        assert got.shape == expected.shape and got.dtype == expected.dtype
        if got.ndim == 2:  # the memory layout decides the summation order of later reductions
            assert got.flags.c_contiguous == expected.flags.c_contiguous
        if exact or expected.dtype.kind not in "fc":
            np.testing.assert_array_equal(got, expected)
        else:
            np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-15)
    else:
        assert type(got) is type(expected), (type(got), type(expected))
        assert got == expected


def both(
    ours: Callable[..., Any], theirs: Callable[..., Any], *args: Any, **kwargs: Any
) -> tuple[Any, Any]:
    return quiet(theirs, *args, **kwargs), quiet(ours, *args, **kwargs)


# --------------------------------------------------------------------------------------------------
# signatures
# --------------------------------------------------------------------------------------------------

PUBLIC = {
    "filter": (
        filter,
        cl_filter,
        [
            "find_label_issues",
            "find_predicted_neq_given",
            "find_label_issues_using_argmax_confusion_matrix",
            "_keep_at_least_n_per_class",
            "_reduce_prune_counts",
        ],
    ),
    "rank": (
        rank,
        cl_rank,
        [
            "get_label_quality_scores",
            "get_label_quality_ensemble_scores",
            "find_top_issues",
            "order_label_issues",
            "get_self_confidence_for_each_label",
            "get_normalized_margin_for_each_label",
            "get_confidence_weighted_entropy_for_each_label",
        ],
    ),
    "count": (
        count,
        cl_count,
        [
            "compute_confident_joint",
            "calibrate_confident_joint",
            "estimate_joint",
            "num_label_issues",
            "get_confident_thresholds",
            "estimate_latent",
            "estimate_py_and_noise_matrices_from_probabilities",
            "estimate_cv_predicted_probabilities",
            "estimate_confident_joint_and_cv_pred_proba",
            "estimate_noise_matrices",
            "estimate_py_noise_matrices_and_cv_pred_proba",
        ],
    ),
    "dataset": (
        dataset,
        cl_dataset,
        [
            "rank_classes_by_label_quality",
            "find_overlapping_classes",
            "overall_label_health_score",
            "health_summary",
        ],
    ),
}
SIGNATURES = [(m, name) for m, (_, _, names) in PUBLIC.items() for name in names]


@pytest.mark.parametrize(("module", "name"), SIGNATURES, ids=[f"{m}.{n}" for m, n in SIGNATURES])
def test_signature_matches_cleanlab(module: str, name: str) -> None:
    ours, theirs, _ = PUBLIC[module]

    def shape(fn: Callable[..., Any]) -> list[tuple[str, Any, str]]:
        params = inspect.signature(fn).parameters.values()
        return [(p.name, p.kind, repr(p.default)) for p in params]

    assert shape(getattr(ours, name)) == shape(getattr(theirs, name))


def test_package_exposes_modules_lazily() -> None:
    import goldlabel.compat as compat

    assert compat.filter is filter and compat.dataset is dataset
    assert {"count", "dataset", "filter", "rank"} <= set(dir(compat))
    with pytest.raises(AttributeError, match="has no attribute 'nope'"):
        _ = compat.nope


# --------------------------------------------------------------------------------------------------
# filter
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("filter_by", FILTER_BY, ids=FILTER_BY)
@pytest.mark.parametrize("case", CASE_IDS, ids=CASE_IDS)
def test_find_label_issues_filter_by(case: str, filter_by: str) -> None:
    labels, pred_probs = data(case)
    expected, got = both(
        filter.find_label_issues,
        cl_filter.find_label_issues,
        labels,
        pred_probs,
        filter_by=filter_by,
        n_jobs=1,
    )
    assert_same(expected, got)


FIND_OPTIONS = {
    "ranked-sc": {"return_indices_ranked_by": "self_confidence"},
    "ranked-nm-adjust": {
        "return_indices_ranked_by": "normalized_margin",
        "rank_by_kwargs": {"adjust_pred_probs": True},
    },
    "ranked-cwe": {"return_indices_ranked_by": "confidence_weighted_entropy"},
    "frac-noise": {"frac_noise": 0.5},
    "frac-noise-by-class": {"frac_noise": 0.3, "filter_by": "prune_by_class"},
    "min-examples": {"min_examples_per_class": 40},
    "both-min-examples": {"min_examples_per_class": 15, "filter_by": "both"},
    "n-jobs-2": {"n_jobs": 2},
    "n-jobs-default": {},
}


@pytest.mark.parametrize("options", FIND_OPTIONS.values(), ids=list(FIND_OPTIONS))
@pytest.mark.parametrize("case", SMALL_IDS, ids=SMALL_IDS)
def test_find_label_issues_options(case: str, options: dict[str, Any]) -> None:
    labels, pred_probs = data(case)
    options = {"n_jobs": 1, **options} if options else options
    expected, got = both(
        filter.find_label_issues, cl_filter.find_label_issues, labels, pred_probs, **options
    )
    assert_same(expected, got)


@pytest.mark.parametrize("filter_by", FILTER_BY[:3], ids=FILTER_BY[:3])
@pytest.mark.parametrize("case", SMALL_IDS, ids=SMALL_IDS)
def test_find_label_issues_num_to_remove_and_confident_joint(case: str, filter_by: str) -> None:
    labels, pred_probs = data(case)
    k = pred_probs.shape[1]
    remove = [int(c) // 10 for c in np.bincount(labels, minlength=k)]
    expected, got = both(
        filter.find_label_issues,
        cl_filter.find_label_issues,
        labels,
        pred_probs,
        filter_by=filter_by,
        num_to_remove_per_class=remove,
        n_jobs=1,
    )
    assert_same(expected, got)
    joint = cl_count.compute_confident_joint(labels, pred_probs)
    joint[0, -1] += 5  # a user-supplied joint, not the one recomputed internally
    expected, got = both(
        filter.find_label_issues,
        cl_filter.find_label_issues,
        labels,
        pred_probs,
        filter_by=filter_by,
        confident_joint=joint,
        n_jobs=1,
    )
    assert_same(expected, got)


def test_find_label_issues_verbose_prints_like_cleanlab(capsys: pytest.CaptureFixture[str]) -> None:
    labels, pred_probs = data("k5-f64-imb")
    quiet(cl_filter.find_label_issues, labels, pred_probs, n_jobs=1, verbose=True)
    expected = capsys.readouterr().out
    quiet(filter.find_label_issues, labels, pred_probs, n_jobs=1, verbose=True)
    assert capsys.readouterr().out == expected


def test_find_label_issues_multi_label_routes_to_core_multilabel() -> None:
    multilabel = pytest.importorskip("goldlabel.core.multilabel")
    if not hasattr(multilabel, "find_multilabel_label_issues"):
        pytest.skip("goldlabel.core.multilabel.find_multilabel_label_issues is not written yet")
    rng = np.random.default_rng(7)
    onehot = rng.random((300, 4)) < 0.3
    labels = [np.flatnonzero(row).tolist() for row in onehot]
    noise = rng.normal(0, 0.25, onehot.shape)
    pred_probs = np.clip(onehot * 0.8 + 0.1 + noise, 0.01, 0.99)
    expected, got = both(
        filter.find_label_issues,
        cl_filter.find_label_issues,
        labels,
        pred_probs,
        multi_label=True,
        n_jobs=1,
    )
    assert_same(expected, got)
    with pytest.raises(TypeError, match="labels must be a list of class lists"):
        filter.find_label_issues(np.zeros(3, dtype=int), pred_probs[:3], multi_label=True)


def test_multi_label_without_core_function_names_it(monkeypatch: pytest.MonkeyPatch) -> None:
    import goldlabel.core.multilabel as multilabel

    monkeypatch.delattr(multilabel, "find_multilabel_label_issues", raising=False)
    with pytest.raises(
        NotImplementedError, match=r"core\.multilabel\.find_multilabel_label_issues"
    ):
        quiet(filter.find_label_issues, [[0], [1]], np.eye(2), multi_label=True)


def test_multi_label_without_core_module_names_it(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "goldlabel.core.multilabel", None)
    with pytest.raises(NotImplementedError, match="cannot be imported"):
        filter.find_predicted_neq_given([[0], [1]], np.eye(2), multi_label=True)


@pytest.mark.parametrize("case", CASE_IDS, ids=CASE_IDS)
def test_find_predicted_neq_given(case: str) -> None:
    labels, pred_probs = data(case)
    expected, got = both(
        filter.find_predicted_neq_given, cl_filter.find_predicted_neq_given, labels, pred_probs
    )
    assert_same(expected, got)


@pytest.mark.parametrize("filter_by", FILTER_BY[:3], ids=FILTER_BY[:3])
@pytest.mark.parametrize("calibrate", [True, False], ids=["calibrated", "raw"])
@pytest.mark.parametrize("case", CASE_IDS, ids=CASE_IDS)
def test_find_label_issues_using_argmax_confusion_matrix(
    case: str, calibrate: bool, filter_by: str
) -> None:
    labels, pred_probs = data(case)
    expected, got = both(
        filter.find_label_issues_using_argmax_confusion_matrix,
        cl_filter.find_label_issues_using_argmax_confusion_matrix,
        labels,
        pred_probs,
        calibrate=calibrate,
        filter_by=filter_by,
    )
    assert_same(expected, got)


@pytest.mark.parametrize(
    ("n", "frac_noise"), [(1, 1.0), (30, 1.0), (5, 0.4)], ids=["n1", "n30", "frac"]
)
@pytest.mark.parametrize("case", SMALL_IDS, ids=SMALL_IDS)
def test_private_pruning_helpers(case: str, n: int, frac_noise: float) -> None:
    labels, pred_probs = data(case)
    matrix = cl_count.compute_confident_joint(labels, pred_probs).T
    expected, got = both(
        filter._keep_at_least_n_per_class,
        cl_filter._keep_at_least_n_per_class,
        matrix,
        n,
        frac_noise=frac_noise,
    )
    assert_same(expected, got)
    expected, got = both(
        filter._reduce_prune_counts, cl_filter._reduce_prune_counts, matrix, frac_noise
    )
    assert_same(expected, got)


# --------------------------------------------------------------------------------------------------
# rank
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("adjust", [False, True], ids=["raw", "adjusted"])
@pytest.mark.parametrize("method", METHODS, ids=METHODS)
@pytest.mark.parametrize("case", CASE_IDS, ids=CASE_IDS)
def test_get_label_quality_scores(case: str, method: str, adjust: bool) -> None:
    labels, pred_probs = data(case)
    if adjust and method == "confidence_weighted_entropy":
        with pytest.raises(ValueError, match="not supported"):
            rank.get_label_quality_scores(labels, pred_probs, method=method, adjust_pred_probs=True)
        return
    expected, got = both(
        rank.get_label_quality_scores,
        cl_rank.get_label_quality_scores,
        labels,
        pred_probs,
        method=method,
        adjust_pred_probs=adjust,
    )
    assert_same(expected, got)


SCORERS = (
    "get_self_confidence_for_each_label",
    "get_normalized_margin_for_each_label",
    "get_confidence_weighted_entropy_for_each_label",
)


@pytest.mark.parametrize("scorer", SCORERS, ids=SCORERS)
@pytest.mark.parametrize("case", CASE_IDS, ids=CASE_IDS)
def test_individual_scorers(case: str, scorer: str) -> None:
    labels, pred_probs = data(case)
    expected, got = both(getattr(rank, scorer), getattr(cl_rank, scorer), labels, pred_probs)
    assert_same(expected, got)


def _members(case: str) -> tuple[np.ndarray, list[np.ndarray]]:
    labels, pred_probs = data(case)
    _, _, seed, dtype, _ = CASES[case]
    rng = np.random.default_rng(seed)
    members = [pred_probs]
    for sharpness in (0.5, 2.0, 6.0):
        logits = np.log(pred_probs.astype(np.float64) + 1e-9) * sharpness
        logits += rng.normal(0, 0.5, logits.shape)
        probs = np.exp(logits - logits.max(axis=1, keepdims=True))
        members.append((probs / probs.sum(axis=1, keepdims=True)).astype(dtype))
    return labels, members


WEIGHTINGS = ("accuracy", "uniform", "log_loss_search", "custom")


@pytest.mark.parametrize("weighting", WEIGHTINGS, ids=WEIGHTINGS)
@pytest.mark.parametrize("method", METHODS, ids=METHODS)
@pytest.mark.parametrize("case", CASE_IDS, ids=CASE_IDS)
def test_get_label_quality_ensemble_scores(case: str, method: str, weighting: str) -> None:
    labels, members = _members(case)
    options: dict[str, Any] = {"method": method, "weight_ensemble_members_by": weighting}
    if weighting == "custom":
        options["custom_weights"] = np.array([0.1, 0.5, 0.3, 0.7])
    expected, got = both(
        rank.get_label_quality_ensemble_scores,
        cl_rank.get_label_quality_ensemble_scores,
        labels,
        members,
        verbose=False,
        **options,
    )
    assert_same(expected, got)


@pytest.mark.parametrize(
    "t_values", [[0.5, 3.0], [1e-5, 300.0], [50.0]], ids=["mid", "extreme", "single"]
)
@pytest.mark.parametrize("case", SMALL_IDS, ids=SMALL_IDS)
def test_ensemble_log_loss_search_grid_and_adjust(case: str, t_values: list[float]) -> None:
    labels, members = _members(case)
    expected, got = both(
        rank.get_label_quality_ensemble_scores,
        cl_rank.get_label_quality_ensemble_scores,
        labels,
        members,
        method="normalized_margin",
        adjust_pred_probs=True,
        weight_ensemble_members_by="log_loss_search",
        log_loss_search_T_values=t_values,
        verbose=False,
    )
    assert_same(expected, got)


@pytest.mark.parametrize("weighting", WEIGHTINGS, ids=WEIGHTINGS)
def test_ensemble_verbose_prints_like_cleanlab(
    weighting: str, capsys: pytest.CaptureFixture[str]
) -> None:
    labels, members = _members("k5-f64-imb")
    custom = np.array([1.0, 2.0, 3.0, 4.0]) if weighting == "custom" else None
    kwargs = {"weight_ensemble_members_by": weighting, "custom_weights": custom}
    expected = quiet(cl_rank.get_label_quality_ensemble_scores, labels, members, **kwargs)
    printed = capsys.readouterr().out
    got = quiet(rank.get_label_quality_ensemble_scores, labels, members, **kwargs)
    assert capsys.readouterr().out == printed
    assert_same(expected, got)


@pytest.mark.parametrize("top", [10, None, 10**6, 0], ids=["top10", "all", "more-than-n", "none"])
@pytest.mark.parametrize("case", SMALL_IDS, ids=SMALL_IDS)
def test_find_top_issues(case: str, top: int | None) -> None:
    labels, pred_probs = data(case)
    scores = cl_rank.get_label_quality_scores(labels, pred_probs)
    expected, got = both(rank.find_top_issues, cl_rank.find_top_issues, scores, top=top)
    assert_same(expected, got)


@pytest.mark.parametrize("adjust", [False, True], ids=["raw", "adjusted"])
@pytest.mark.parametrize("rank_by", METHODS[:2], ids=METHODS[:2])
@pytest.mark.parametrize("case", CASE_IDS, ids=CASE_IDS)
def test_order_label_issues(case: str, rank_by: str, adjust: bool) -> None:
    labels, pred_probs = data(case)
    mask = cl_filter.find_label_issues(labels, pred_probs, n_jobs=1)
    kwargs = {"adjust_pred_probs": True} if adjust else {}
    expected, got = both(
        rank.order_label_issues,
        cl_rank.order_label_issues,
        mask,
        labels,
        pred_probs,
        rank_by=rank_by,
        rank_by_kwargs=kwargs,
    )
    assert_same(expected, got)


def test_order_label_issues_default_rank_by() -> None:
    labels, pred_probs = data("k17-f32-imb")
    mask = cl_filter.find_label_issues(labels, pred_probs, n_jobs=1)
    expected, got = both(
        rank.order_label_issues, cl_rank.order_label_issues, mask, labels, pred_probs
    )
    assert_same(expected, got)


# --------------------------------------------------------------------------------------------------
# count
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("indices", [False, True], ids=["joint", "with-indices"])
@pytest.mark.parametrize("calibrate", [True, False], ids=["calibrated", "raw"])
@pytest.mark.parametrize("case", CASE_IDS, ids=CASE_IDS)
def test_compute_confident_joint(case: str, calibrate: bool, indices: bool) -> None:
    labels, pred_probs = data(case)
    expected, got = both(
        count.compute_confident_joint,
        cl_count.compute_confident_joint,
        labels,
        pred_probs,
        calibrate=calibrate,
        return_indices_of_off_diagonals=indices,
    )
    assert_same(expected, got)
    assert_same(
        np.sum(expected[0] if indices else expected, axis=1),
        np.sum(got[0] if indices else got, axis=1),
    )


@pytest.mark.parametrize("case", CASE_IDS, ids=CASE_IDS)
def test_thresholds_calibration_and_joint(case: str) -> None:
    labels, pred_probs = data(case)
    thresholds, got = both(
        count.get_confident_thresholds, cl_count.get_confident_thresholds, labels, pred_probs
    )
    assert_same(thresholds, got)
    shifted = thresholds * 0.9
    assert_same(
        *both(
            count.compute_confident_joint,
            cl_count.compute_confident_joint,
            labels,
            pred_probs,
            thresholds=shifted,
        )
    )
    raw = cl_count.compute_confident_joint(labels, pred_probs, calibrate=False)
    assert_same(
        *both(count.calibrate_confident_joint, cl_count.calibrate_confident_joint, raw, labels)
    )
    assert_same(*both(count.estimate_joint, cl_count.estimate_joint, labels, pred_probs))
    for lab, probs in ((labels, pred_probs), (None, None)):
        assert_same(
            *both(
                count.estimate_joint,
                cl_count.estimate_joint,
                lab,
                probs,
                confident_joint=raw,
            )
        )


@pytest.mark.parametrize(
    "method", ["off_diagonal", "off_diagonal_calibrated", "off_diagonal_custom"]
)
@pytest.mark.parametrize("case", CASE_IDS, ids=CASE_IDS)
def test_num_label_issues(case: str, method: str) -> None:
    labels, pred_probs = data(case)
    joint = cl_count.compute_confident_joint(labels, pred_probs, calibrate=False)
    kwargs = {"confident_joint": joint} if method == "off_diagonal_custom" else {}
    expected, got = both(
        count.num_label_issues,
        cl_count.num_label_issues,
        labels,
        pred_probs,
        estimation_method=method,
        **kwargs,
    )
    assert_same(expected, got)


@pytest.mark.parametrize("converge", [False, True], ids=["once", "converged"])
@pytest.mark.parametrize("py_method", ["cnt", "eqn", "marginal", "marginal_ps"])
@pytest.mark.parametrize("case", CASE_IDS, ids=CASE_IDS)
def test_estimate_latent(case: str, py_method: str, converge: bool) -> None:
    labels, pred_probs = data(case)
    joint = cl_count.compute_confident_joint(labels, pred_probs)
    expected, got = both(
        count.estimate_latent,
        cl_count.estimate_latent,
        joint,
        labels,
        py_method=py_method,
        converge_latent_estimates=converge,
    )
    assert_same(expected, got)


@pytest.mark.parametrize(
    "options",
    [{}, {"converge_latent_estimates": False}, {"calibrate": False}, {"py_method": "marginal"}],
    ids=["default", "once", "raw", "marginal"],
)
@pytest.mark.parametrize("case", CASE_IDS, ids=CASE_IDS)
def test_estimate_py_and_noise_matrices_from_probabilities(
    case: str, options: dict[str, Any]
) -> None:
    labels, pred_probs = data(case)
    expected, got = both(
        count.estimate_py_and_noise_matrices_from_probabilities,
        cl_count.estimate_py_and_noise_matrices_from_probabilities,
        labels,
        pred_probs,
        **options,
    )
    assert_same(expected, got)


@functools.cache
def _features(kind: str) -> tuple[Any, np.ndarray]:
    rng = np.random.default_rng(11)
    n, k = 240, 3
    labels = rng.integers(0, k, n)
    X = rng.normal(0, 1, (n, 4)) + labels[:, None] * 0.8
    if kind == "rare-class":
        labels[7] = 3  # a class with one example: some training fold lacks it
    if kind == "dataframe":
        return pd.DataFrame(X, columns=list("abcd")), labels
    if kind == "sparse":
        return scipy.sparse.csr_matrix(np.where(np.abs(X) > 0.5, X, 0.0)), labels
    return X, labels


CV_KINDS = ["array", "rare-class", "dataframe", "sparse"]


@pytest.mark.parametrize("kind", CV_KINDS, ids=CV_KINDS)
def test_cross_validated_functions(kind: str) -> None:
    X, labels = _features(kind)
    expected, got = both(
        count.estimate_py_noise_matrices_and_cv_pred_proba,
        cl_count.estimate_py_noise_matrices_and_cv_pred_proba,
        X,
        labels,
        cv_n_folds=3,
        seed=0,
    )
    assert_same(expected, got)
    expected, got = both(
        count.estimate_cv_predicted_probabilities,
        cl_count.estimate_cv_predicted_probabilities,
        X,
        labels,
        seed=1,
    )
    assert_same(expected, got)


def test_cross_validation_options() -> None:
    from sklearn.naive_bayes import GaussianNB

    X, labels = _features("array")
    calls: list[int] = []

    def validation_func(X_val: Any, y_val: Any) -> dict[str, Any]:
        calls.append(len(y_val))
        return {"sample_weight": None}

    for fn, theirs in (
        (
            count.estimate_confident_joint_and_cv_pred_proba,
            cl_count.estimate_confident_joint_and_cv_pred_proba,
        ),
        (count.estimate_noise_matrices, cl_count.estimate_noise_matrices),
    ):
        expected, got = both(
            fn,
            theirs,
            X,
            labels,
            GaussianNB(),
            cv_n_folds=4,
            seed=3,
            clf_kwargs={"sample_weight": None} if fn is count.estimate_noise_matrices else {},
            validation_func=None if fn is count.estimate_noise_matrices else validation_func,
        )
        assert_same(expected, got)
    assert calls == [60, 60, 60, 60] * 2  # cleanlab's run, then ours
    expected, got = both(
        count.estimate_confident_joint_and_cv_pred_proba,
        cl_count.estimate_confident_joint_and_cv_pred_proba,
        X,
        labels,
        thresholds=[0.4, 0.4, 0.4],
        calibrate=False,
        seed=2,
    )
    assert_same(expected, got)


@pytest.mark.filterwarnings("ignore:The least populated class")
def test_rare_class_fold_warns_like_cleanlab() -> None:
    X, labels = _features("rare-class")
    with pytest.warns(UserWarning, match="Duplicated some data across multiple folds"):
        count.estimate_cv_predicted_probabilities(X, labels, cv_n_folds=3, seed=0)


CV_ERRORS = [
    ("x-none", {"X": None}, "X is None"),
    ("length", {"X": np.zeros((5, 2))}, "X has 5 rows but labels has 240 entries"),
    ("not-sized", {"X": object()}, r"X must support len\(X\) or X.shape\[0\]"),
    ("validation-func", {"validation_func": 3}, "validation_func must be a callable"),
    ("clf", {"clf": object()}, "clf must be clonable"),
    ("labels-frame", {"labels": pd.DataFrame({"a": [0], "b": [1]})}, "one-dimensional"),
]


@pytest.mark.parametrize(
    ("overrides", "match"), [c[1:] for c in CV_ERRORS], ids=[c[0] for c in CV_ERRORS]
)
def test_cross_validation_errors(overrides: dict[str, Any], match: str) -> None:
    X, labels = _features("array")
    kwargs = {"X": X, "labels": labels, **overrides}
    with pytest.raises((ValueError, TypeError), match=match):
        count.estimate_cv_predicted_probabilities(**kwargs)


def test_cross_validation_unindexable_and_unappendable_x() -> None:
    class Rows:
        def __len__(self) -> int:
            return 240

        def __getitem__(self, idx: Any) -> Any:
            raise TypeError("no fancy indexing")

    _, labels = _features("array")
    with pytest.raises(ValueError, match="X must support indexing by a list of row positions"):
        count.estimate_cv_predicted_probabilities(Rows(), labels)

    class Wrapped:  # indexable by position arrays and convertible to an array, not appendable
        def __init__(self, values: np.ndarray) -> None:
            self.values = values

        def __len__(self) -> int:
            return len(self.values)

        def __getitem__(self, idx: Any) -> Any:
            return Wrapped(self.values[idx])

        def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
            return np.asarray(self.values, dtype=dtype)

    X, labels = _features("rare-class")
    with pytest.raises(ValueError, match="Cannot append a row to X of type Wrapped"):
        quiet(count.estimate_cv_predicted_probabilities, Wrapped(X), labels, cv_n_folds=3)


def test_count_multi_label_routes() -> None:
    multilabel = pytest.importorskip("goldlabel.core.multilabel")
    rng = np.random.default_rng(3)
    onehot = rng.random((200, 3)) < 0.4
    labels = [np.flatnonzero(row).tolist() for row in onehot]
    pred_probs = np.clip(onehot * 0.7 + rng.normal(0.15, 0.2, onehot.shape), 0.01, 0.99)
    routes = [
        (
            "compute_multilabel_confident_joint",
            count.compute_confident_joint,
            cl_count.compute_confident_joint,
        ),
        ("estimate_multilabel_joint", count.estimate_joint, cl_count.estimate_joint),
        ("count_multilabel_label_issues", count.num_label_issues, cl_count.num_label_issues),
        (
            "compute_multilabel_confident_thresholds",
            count.get_confident_thresholds,
            cl_count.get_confident_thresholds,
        ),
    ]
    for name, ours, theirs in routes:
        if not hasattr(multilabel, name):
            continue
        expected = quiet(theirs, labels, pred_probs, multi_label=True)
        got = quiet(ours, labels, pred_probs, multi_label=True)
        np.testing.assert_allclose(np.asarray(got, dtype=float), np.asarray(expected, dtype=float))
    raw = cl_count.compute_confident_joint(labels, pred_probs, multi_label=True, calibrate=False)
    pending = [
        (
            "calibrate_multilabel_confident_joint",
            lambda m: m.calibrate_confident_joint(raw, labels, multi_label=True),
        ),
        (
            "find_multilabel_predicted_neq_given",
            lambda m: m.find_predicted_neq_given(labels, pred_probs, multi_label=True),
        ),
    ]
    for name, call in pending:
        ours_module = filter if "neq" in name else count
        theirs_module = cl_filter if "neq" in name else cl_count
        if hasattr(multilabel, name):
            assert_same(quiet(call, theirs_module), quiet(call, ours_module))
        else:
            with pytest.raises(NotImplementedError, match=f"core.multilabel.{name}"):
                call(ours_module)
    for fn in (count.compute_confident_joint, count.estimate_joint, count.get_confident_thresholds):
        with pytest.raises(TypeError, match="labels must be a list of class lists"):
            fn(np.zeros(3, dtype=int), pred_probs[:3], multi_label=True)
    with pytest.raises(TypeError, match="labels must be a list of class lists"):
        count.calibrate_confident_joint(
            np.ones((3, 2, 2)), np.zeros(3, dtype=int), multi_label=True
        )


# --------------------------------------------------------------------------------------------------
# dataset
# --------------------------------------------------------------------------------------------------


def _inputs(case: str, how: str) -> dict[str, Any]:
    labels, pred_probs = data(case)
    if how == "labels-pred-probs":
        return {"labels": labels, "pred_probs": pred_probs}
    if how == "joint-num-examples":
        return {"joint": cl_count.estimate_joint(labels, pred_probs), "num_examples": len(labels)}
    if how == "labels-joint":
        return {"labels": labels, "joint": cl_count.estimate_joint(labels, pred_probs)}
    raw = cl_count.compute_confident_joint(labels, pred_probs, calibrate=False)
    if how == "labels-confident-joint":
        return {"labels": labels, "confident_joint": raw}
    return {"confident_joint": raw}


HOWS = [
    "labels-pred-probs",
    "joint-num-examples",
    "labels-joint",
    "labels-confident-joint",
    "confident-joint",
]


@pytest.mark.parametrize("named", [False, True], ids=["indices", "names"])
@pytest.mark.parametrize("how", HOWS[:4], ids=HOWS[:4])
@pytest.mark.parametrize("case", CASE_IDS, ids=CASE_IDS)
def test_rank_classes_by_label_quality(case: str, how: str, named: bool) -> None:
    kwargs = _inputs(case, how)
    k = CASES[case][1]
    if named:
        kwargs["class_names"] = [f"class-{i}" for i in range(k)]
    expected, got = both(
        dataset.rank_classes_by_label_quality, cl_dataset.rank_classes_by_label_quality, **kwargs
    )
    assert_same(expected, got)


@pytest.mark.parametrize("case", SMALL_IDS, ids=SMALL_IDS)
def test_confident_joint_alone_works_where_cleanlab_needs_num_examples(case: str) -> None:
    # cleanlab 2.9 raises here although its docs allow a confident_joint alone; we use its sum as N.
    kwargs = _inputs(case, "confident-joint")
    n = int(np.sum(kwargs["confident_joint"]))
    expected = cl_dataset.rank_classes_by_label_quality(**kwargs, num_examples=n)
    assert_same(expected, dataset.rank_classes_by_label_quality(**kwargs))


@pytest.mark.parametrize("asymmetric", [False, True], ids=["symmetric", "asymmetric"])
@pytest.mark.parametrize("how", HOWS, ids=HOWS)
@pytest.mark.parametrize("case", CASE_IDS, ids=CASE_IDS)
def test_find_overlapping_classes(case: str, how: str, asymmetric: bool) -> None:
    kwargs = _inputs(case, how)
    k = CASES[case][1]
    expected, got = both(
        dataset.find_overlapping_classes,
        cl_dataset.find_overlapping_classes,
        asymmetric=asymmetric,
        class_names=[f"c{i}" for i in range(k)] if asymmetric else None,
        **kwargs,
    )
    assert_same(expected, got)


@pytest.mark.parametrize("how", HOWS, ids=HOWS)
@pytest.mark.parametrize("case", CASE_IDS, ids=CASE_IDS)
def test_overall_label_health_score(
    case: str, how: str, capsys: pytest.CaptureFixture[str]
) -> None:
    kwargs = _inputs(case, how)
    expected = quiet(cl_dataset.overall_label_health_score, **kwargs)
    printed = capsys.readouterr().out
    got = quiet(dataset.overall_label_health_score, **kwargs)
    assert capsys.readouterr().out == printed
    assert_same(expected, got)
    assert_same(expected, quiet(dataset.overall_label_health_score, verbose=False, **kwargs))


def test_overall_label_health_score_ignores_confident_joint_with_pred_probs() -> None:
    labels, pred_probs = data("k5-f64-imb")
    joint = cl_count.compute_confident_joint(labels, pred_probs)
    with pytest.warns(UserWarning, match="The confident_joint you passed is ignored"):
        got = dataset.overall_label_health_score(
            labels, pred_probs, confident_joint=joint, verbose=False
        )
    assert got == cl_dataset.overall_label_health_score(labels, pred_probs, verbose=False)


@pytest.mark.parametrize("asymmetric", [False, True], ids=["symmetric", "asymmetric"])
@pytest.mark.parametrize("how", ["labels-pred-probs", "labels-confident-joint"])
@pytest.mark.parametrize("case", CASE_IDS, ids=CASE_IDS)
def test_health_summary(
    case: str, how: str, asymmetric: bool, capsys: pytest.CaptureFixture[str]
) -> None:
    kwargs = _inputs(case, how)
    k = CASES[case][1]
    kwargs.update(asymmetric=asymmetric, class_names=[f"n{i}" for i in range(k)])
    expected = quiet(cl_dataset.health_summary, **kwargs)
    printed = capsys.readouterr().out
    got = quiet(dataset.health_summary, **kwargs)
    assert capsys.readouterr().out == printed
    assert_same(expected, got)
    assert_same(expected, quiet(dataset.health_summary, verbose=False, **kwargs))
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize("how", ["joint-num-examples", "labels-joint"])
def test_health_summary_with_joint(how: str) -> None:
    # cleanlab 2.9 crashes on these documented inputs; we report trace(joint) as the health score.
    kwargs = _inputs("k5-f64-imb", how)
    got = dataset.health_summary(verbose=False, **kwargs)
    assert got["overall_label_health_score"] == np.trace(kwargs["joint"])
    assert_same(cl_dataset.rank_classes_by_label_quality(**kwargs), got["classes_by_label_quality"])
    assert_same(cl_dataset.find_overlapping_classes(**kwargs), got["overlapping_classes"])


@pytest.mark.parametrize(
    "fn",
    [
        dataset.rank_classes_by_label_quality,
        dataset.find_overlapping_classes,
        dataset.overall_label_health_score,
        dataset.health_summary,
    ],
    ids=["rank", "overlap", "score", "summary"],
)
def test_dataset_refuses_multi_label(fn: Callable[..., Any]) -> None:
    with pytest.raises(ValueError, match="multi_label=True is not supported here"):
        fn([[0], [1]], np.eye(2), multi_label=True)
