"""Auto-labeling with a guarantee (goldlabel.learn.autolabel) and its statistics (goldlabel.learn.risk)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from goldlabel.exceptions import (
    DataValidationError,
    InvalidLabelsError,
    InvalidOptionError,
    InvalidPredProbsError,
)
from goldlabel.learn.autolabel import (
    AutoLabelResult,
    find_auto_labels,
    find_multilabel_auto_labels,
)
from goldlabel.learn.crossfit import cross_fit_pred_probs
from goldlabel.learn.risk import (
    compute_binomial_p_values,
    compute_clopper_pearson_upper,
    compute_exchangeable_p_values,
    count_rows_needed,
    select_by_fixed_sequence,
)


def draw_calibrated(
    rng: np.random.Generator, n: int, k: int = 4, low: float = 0.4
) -> tuple[np.ndarray, np.ndarray]:
    """pred_probs whose top probability is exactly the chance that the top class is right."""
    conf = rng.uniform(low, 1.0, n)
    predicted = rng.integers(0, k, n)
    probs = np.empty((n, k))
    probs[:] = ((1.0 - conf) / (k - 1))[:, None]
    probs[np.arange(n), predicted] = conf
    wrong = rng.random(n) >= conf
    labels = np.where(wrong, (predicted + rng.integers(1, k, n)) % k, predicted)
    return probs, labels


def naive_threshold(cal_probs: np.ndarray, cal_labels: np.ndarray, target: float) -> float:
    """The rule the guarantee replaces: lowest threshold whose calibration accuracy reaches target."""
    conf = cal_probs.max(axis=1)
    correct = cal_probs.argmax(axis=1) == cal_labels
    order = np.argsort(-conf)
    running = np.cumsum(correct[order]) / np.arange(1, conf.size + 1)
    ok = np.flatnonzero(running >= target)
    return float(conf[order][ok[-1]]) if ok.size else np.inf


@pytest.mark.parametrize(
    ("n_cal", "target", "per_class"),
    [(300, 0.9, False), (1000, 0.95, False), (600, 0.9, True), (600, 0.9, "auto")],
    ids=["300-rows-90pct", "1000-rows-95pct", "per-class", "auto"],
)
def test_guarantee_holds_in_simulation_where_the_naive_rule_fails(n_cal, target, per_class):
    runs, pool_size = 150, 3000
    met, naive_met, coverage = [], [], []
    for seed in range(runs):
        rng = np.random.default_rng(seed)
        cal_probs, cal_labels = draw_calibrated(rng, n_cal)
        pool_probs, pool_labels = draw_calibrated(rng, pool_size)
        result = find_auto_labels(
            pool_probs, cal_probs, cal_labels, target_accuracy=target, per_class=per_class
        )
        if result.n_to_label:
            met.append(np.mean(pool_labels[result.indices] == result.labels) >= target)
        else:
            met.append(True)
        coverage.append(result.coverage)
        cut = naive_threshold(cal_probs, cal_labels, target)
        taken = pool_probs.max(axis=1) >= cut
        naive_acc = np.mean(pool_probs.argmax(axis=1)[taken] == pool_labels[taken])
        naive_met.append(not taken.any() or naive_acc >= target)
    assert np.mean(met) >= 0.9
    assert np.mean(naive_met) < 0.8  # the simulation is hard enough to catch a bad rule
    assert np.mean(coverage) > 0.02  # and the guarantee is not bought by labeling nothing


def test_result_fields_are_consistent():
    rng = np.random.default_rng(3)
    cal_probs, cal_labels = draw_calibrated(rng, 800)
    pool_probs, _ = draw_calibrated(rng, 4000)
    result = find_auto_labels(pool_probs, cal_probs, cal_labels, target_accuracy=0.9)
    assert isinstance(result, AutoLabelResult)
    assert result.n_to_label == result.indices.size == result.labels.size == result.mask.sum() > 0
    assert np.array_equal(np.sort(result.indices), np.flatnonzero(result.mask))
    assert np.array_equal(result.labels, pool_probs[result.indices].argmax(axis=1))
    conf = pool_probs.max(axis=1)
    assert np.all(np.diff(conf[result.indices]) <= 0)  # most confident first
    assert np.all(conf[result.mask] >= result.thresholds[0])
    assert np.all(conf[~result.mask] < result.thresholds[0])
    assert result.coverage == pytest.approx(result.n_to_label / 4000)
    assert result.promised_accuracy == 0.9
    assert result.accuracy_lower_bound >= 0.9
    assert result.calibration_accuracy >= result.accuracy_lower_bound
    assert result.n_calibration_rows >= result.n_rows_needed
    assert result.n_rows_needed == 22
    assert "certified by" in result.reason


@pytest.mark.parametrize(
    ("n_cal", "reason"),
    [(10, "needs at least 45 error-free"), (0, "needs at least 45 error-free")],
    ids=["ten-rows", "no-rows"],
)
def test_tiny_calibration_labels_nothing(n_cal, reason):
    rng = np.random.default_rng(0)
    cal_probs, cal_labels = draw_calibrated(rng, n_cal, low=0.99)
    pool_probs, _ = draw_calibrated(rng, 500, low=0.99)
    result = find_auto_labels(pool_probs, cal_probs.reshape(n_cal, 4), cal_labels)
    assert result.n_to_label == 0 and result.promised_accuracy is None
    assert not result.mask.any() and result.indices.size == 0
    assert np.isinf(result.thresholds).all()
    assert reason in result.reason


def test_bad_model_labels_nothing_and_says_why():
    rng = np.random.default_rng(0)
    cal_probs, _ = draw_calibrated(rng, 400)
    cal_labels = rng.integers(0, 4, 400)  # the model is right a quarter of the time
    pool_probs, _ = draw_calibrated(rng, 1000)
    result = find_auto_labels(pool_probs, cal_probs, cal_labels)
    assert result.n_to_label == 0
    assert "no threshold could be certified" in result.reason


def test_per_class_thresholds_help_when_classes_differ_in_confidence():
    # Class 1 is always right but under-confident; class 0 is calibrated.
    rng = np.random.default_rng(0)

    def draw(n):
        is_one = rng.random(n) < 0.5
        conf = np.where(is_one, rng.uniform(0.55, 0.6, n), rng.uniform(0.5, 1.0, n))
        labels = np.where(is_one, 1, np.where(rng.random(n) < conf, 0, 1))
        probs = np.where(is_one[:, None], np.c_[1 - conf, conf], np.c_[conf, 1 - conf])
        return probs, labels

    cal_probs, cal_labels = draw(1000)
    pool_probs, pool_labels = draw(4000)
    single = find_auto_labels(pool_probs, cal_probs, cal_labels, target_accuracy=0.9)
    per = find_auto_labels(pool_probs, cal_probs, cal_labels, target_accuracy=0.9, per_class=True)
    auto = find_auto_labels(
        pool_probs, cal_probs, cal_labels, target_accuracy=0.9, per_class="auto"
    )
    assert per.n_to_label > 1.5 * single.n_to_label
    assert per.thresholds[1] < per.thresholds[0]
    assert auto.per_class and auto.n_to_label > single.n_to_label
    assert np.mean(pool_labels[per.indices] == per.labels) >= 0.9


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"target_accuracy": 1.0}, InvalidOptionError, "target_accuracy must be strictly between"),
        ({"target_accuracy": "high"}, InvalidOptionError, "target_accuracy must be a number"),
        ({"confidence": 0}, InvalidOptionError, "confidence must be strictly between"),
        ({"per_class": "yes"}, InvalidOptionError, "per_class must be True, False or 'auto'"),
        ({"n_candidates": 0}, InvalidOptionError, "n_candidates must be a positive integer"),
        ({"n_candidates": 2.5}, InvalidOptionError, "n_candidates must be a positive integer"),
    ],
    ids=[
        "target-1",
        "target-str",
        "confidence-0",
        "per-class-str",
        "candidates-0",
        "candidates-float",
    ],
)
def test_invalid_options(kwargs, error, match):
    probs = np.full((5, 2), 0.5)
    with pytest.raises(error, match=match):
        find_auto_labels(probs, probs, [0, 1, 0, 1, 0], **kwargs)


def test_mismatched_inputs():
    probs = np.full((5, 2), 0.5)
    with pytest.raises(DataValidationError, match="calibration_pred_probs has 3 columns"):
        find_auto_labels(probs, np.full((5, 3), 1 / 3), [0, 1, 0, 1, 0])
    with pytest.raises(InvalidLabelsError, match="calibration_labels has 4 entries"):
        find_auto_labels(probs, probs, [0, 1, 0, 1])
    with pytest.raises(InvalidLabelsError, match=r"calibration_labels must be in \[0, 2\)"):
        find_auto_labels(probs, probs, [0, 1, 0, 1, 2])


# -- risk.py -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("errors", "rows"), [(0, 45), (3, 100), (10, 10), (0, 0)], ids=["zero", "some", "all", "empty"]
)
def test_clopper_pearson_upper_matches_the_beta_quantile(errors, rows):
    upper = compute_clopper_pearson_upper(errors, rows, confidence=0.9)
    expected = 1.0 if errors >= rows else stats.beta.ppf(0.9, errors + 1, rows - errors)
    assert upper == pytest.approx(expected)
    # Coverage: the true rate is above the bound at most 10 % of the time.
    if 0 < rows and errors < rows:
        assert stats.binom.cdf(errors, rows, upper) == pytest.approx(0.1, abs=1e-9)


def test_exchangeable_p_values_approach_binomial_for_large_pools():
    p_exch = compute_exchangeable_p_values([0, 3], [45, 150], [10**6, 10**6], max_error=0.05)
    p_binom = compute_binomial_p_values([0, 3], [45, 150], max_error=0.05)
    assert np.allclose(p_exch, p_binom, rtol=0.01)
    assert compute_exchangeable_p_values(5, 10, 0, max_error=0.1) == 0.0
    assert compute_exchangeable_p_values(0, 0, 10, max_error=0.1) == 1.0


@pytest.mark.parametrize(
    ("max_error", "confidence", "needed"),
    [(0.05, 0.9, 45), (0.01, 0.9, 230), (0.1, 0.9, 22), (0.05, 0.95, 59)],
    ids=["95-90", "99-90", "90-90", "95-95"],
)
def test_count_rows_needed(max_error, confidence, needed):
    assert count_rows_needed(max_error=max_error, confidence=confidence) == needed
    assert compute_binomial_p_values(0, needed, max_error=max_error) <= 1 - confidence
    assert compute_binomial_p_values(0, needed - 1, max_error=max_error) > 1 - confidence


@pytest.mark.parametrize(
    ("p_values", "expected"),
    [([0.2, 0.01], -1), ([0.01, 0.02, 0.5, 0.01], 1), ([0.01, 0.01], 1), ([], -1)],
    ids=["first-fails", "stops-at-failure", "all-pass", "empty"],
)
def test_select_by_fixed_sequence(p_values, expected):
    assert select_by_fixed_sequence(p_values, delta=0.1) == expected


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (
            lambda: compute_clopper_pearson_upper(1, 10, confidence=1.5),
            InvalidOptionError,
            "confidence must be strictly between 0 and 1",
        ),
        (
            lambda: compute_binomial_p_values(11, 10, max_error=0.1),
            DataValidationError,
            r"n_errors must lie in \[0, n_rows\]",
        ),
        (
            lambda: compute_binomial_p_values(["a"], [1], max_error=0.1),
            DataValidationError,
            "n_errors and n_rows must be counts",
        ),
        (
            lambda: compute_exchangeable_p_values(1, 10, -1, max_error=0.1),
            DataValidationError,
            "n_new must be non-negative integer counts",
        ),
        (
            lambda: count_rows_needed(max_error="x"),
            InvalidOptionError,
            "max_error must be a number",
        ),
        (
            lambda: select_by_fixed_sequence([[0.1]], delta=0.1),
            DataValidationError,
            "p_values must be one-dimensional",
        ),
    ],
    ids=["confidence", "errors-gt-rows", "not-counts", "negative-new", "rate-str", "2d-p"],
)
def test_risk_errors(call, error, match):
    with pytest.raises(error, match=match):
        call()


# -- cross-fitting -----------------------------------------------------------------------------------


@pytest.mark.parametrize("unlabeled", ["average", "one_fold"], ids=["average", "one-fold"])
def test_cross_fit_pred_probs_scores_unlabeled_rows_with_fold_models(unlabeled):
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    order = np.random.default_rng(0).permutation(y.size)  # the file is ordered by writer
    X, y = X[order] / 16, y[order]
    probs, cal_probs = cross_fit_pred_probs(
        X[:300], y[:300], X[300:], n_folds=3, unlabeled=unlabeled, random_state=0
    )
    assert probs.shape == (X.shape[0] - 300, 10) and cal_probs.shape == (300, 10)
    assert np.allclose(probs.sum(axis=1), 1) and np.allclose(cal_probs.sum(axis=1), 1)
    # Out-of-fold accuracy on the labelled rows is close to accuracy on the unlabeled rows.
    cal_acc = np.mean(cal_probs.argmax(axis=1) == y[:300])
    pool_acc = np.mean(probs.argmax(axis=1) == y[300:])
    assert abs(cal_acc - pool_acc) < 0.05
    result = find_auto_labels(probs, cal_probs, y[:300], target_accuracy=0.9)
    assert result.n_to_label > 0
    assert np.mean(y[300:][result.indices] == result.labels) >= 0.9
    again, _ = cross_fit_pred_probs(
        X[:300], y[:300], X[300:], n_folds=3, unlabeled=unlabeled, random_state=0
    )
    assert np.array_equal(probs, again)


def test_cross_fit_pred_probs_one_fold_differs_from_average():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(60, 3)), np.repeat([0, 1, 2], 20)
    average, _ = cross_fit_pred_probs(X, y, X[:10], unlabeled="average")
    one_fold, _ = cross_fit_pred_probs(X, y, X[:10], unlabeled="one_fold")
    assert not np.allclose(average, one_fold)


@pytest.mark.parametrize(
    ("labels", "kwargs", "error", "match"),
    [
        ([0, 0, 1, 1], {"unlabeled": "all"}, InvalidOptionError, "unlabeled must be 'average'"),
        (
            [0, 0, 1, 1],
            {"n_folds": 1},
            InvalidOptionError,
            "n_folds must be an integer of at least 2",
        ),
        ([0, 0, 1, 2], {}, DataValidationError, r"label counts per class are \[2, 1, 1\]"),
        ([0, 0, 0, 0], {}, DataValidationError, "at least 2 classes"),
    ],
    ids=["unlabeled-option", "one-fold", "class-with-one-row", "one-class"],
)
def test_cross_fit_pred_probs_errors(labels, kwargs, error, match):
    X = np.arange(8, dtype=float).reshape(4, 2)
    with pytest.raises(error, match=match):
        cross_fit_pred_probs(X, labels, X, **kwargs)


def draw_overconfident(
    rng: np.random.Generator, n: int, k: int = 4
) -> tuple[np.ndarray, np.ndarray]:
    """pred_probs whose confidence overstates accuracy (p(right) = confidence squared)."""
    probs, _ = draw_calibrated(rng, n, k=k, low=0.5)
    conf, predicted = probs.max(axis=1), probs.argmax(axis=1)
    wrong = rng.random(n) >= conf**2
    labels = np.where(wrong, (predicted + rng.integers(1, k, n)) % k, predicted)
    return probs, labels


TARGETS = np.round(np.arange(0.5, 0.995, 0.025), 3)


@pytest.mark.parametrize(
    ("draw", "n_cal", "per_class", "confidence"),
    [
        (draw_calibrated, 40, False, 0.9),
        (draw_calibrated, 40, "auto", 0.9),
        (draw_calibrated, 150, True, 0.8),
        (draw_overconfident, 60, False, 0.9),
        (draw_overconfident, 300, "auto", 0.95),
    ],
    ids=[
        "calibrated-40",
        "calibrated-40-auto",
        "per-class-150",
        "overconfident-60",
        "overconf-auto",
    ],
)
def test_a_lower_target_never_labels_fewer_rows(draw, n_cal, per_class, confidence):
    for seed in range(6):
        rng = np.random.default_rng(seed)
        cal_probs, cal_labels = draw(rng, n_cal)
        pool_probs, _ = draw(rng, 1000)
        counts = [
            find_auto_labels(
                pool_probs,
                cal_probs,
                cal_labels,
                target_accuracy=float(t),
                confidence=confidence,
                per_class=per_class,
            ).n_to_label
            for t in TARGETS
        ]
        drops = [
            (float(TARGETS[i]), counts[i], float(TARGETS[i + 1]), counts[i + 1])
            for i in range(len(counts) - 1)
            if counts[i] < counts[i + 1]
        ]
        assert not drops, f"seed {seed}: (lower target, rows, higher target, rows) {drops}"
        assert counts[0] > 0 or n_cal < 100  # the sweep is not vacuous where evidence suffices


def test_reported_case_a_lower_target_labels_at_least_as_many_rows():
    """Backend report: 8,000 generated news rows, 40 labeled, 5 % noise, seed 2; 0.8 labeled 0."""
    from goldlabel.learn.pipeline import run_pipeline
    from goldlabel.service.demo import NEWS_CLASSES, generate_news_frame

    frame, truth = generate_news_frame(8000, labeled_fraction=0.005, noise=0.05, random_state=2)
    result = run_pipeline(
        frame,
        label_column="label",
        text_columns=["title", "description"],
        class_names=list(NEWS_CLASSES),
        issue_types={"label": {}},
        refit_without_issues=False,
        time_budget=20,
    )
    pool, cal = np.flatnonzero(result.labels < 0), np.flatnonzero(result.labels >= 0)
    assert cal.size == 40
    found = {
        t: find_auto_labels(
            result.pred_probs[pool],
            result.pred_probs[cal],
            result.labels[cal],
            target_accuracy=t,
            per_class="auto",
        )
        for t in (0.7, 0.8, 0.85, 0.9)
    }
    counts = [found[t].n_to_label for t in (0.7, 0.8, 0.85, 0.9)]
    assert counts == sorted(counts, reverse=True) and counts[-1] > 1000
    for t, res in found.items():
        assert np.mean(truth[pool][res.indices] == res.labels) >= t


def test_pipeline_scores_unlabeled_rows_like_the_calibration_rows_by_default():
    """run_pipeline's default is the fold-model average for unlabeled rows (what find_auto_labels needs)."""
    import pandas as pd
    from sklearn.datasets import load_iris

    from goldlabel.learn.pipeline import run_pipeline

    iris = load_iris(as_frame=True).frame
    iris["target"] = iris["target"].astype(object)
    iris.loc[::4, "target"] = None
    options = {
        "label_column": "target",
        "candidates": ["logistic_regression"],
        "refit_without_issues": False,
        "issue_types": {"label": {}},
        "time_budget": 10,
    }
    default = run_pipeline(iris, **options).pred_probs
    average = run_pipeline(iris, unlabeled="average", **options).pred_probs
    full = run_pipeline(iris, unlabeled="full", **options).pred_probs
    unlabeled = pd.isna(iris["target"]).to_numpy()
    assert np.array_equal(default, average)
    assert np.allclose(default[~unlabeled], full[~unlabeled])
    assert not np.allclose(default[unlabeled], full[unlabeled])


def draw_multilabel(rng: np.random.Generator, n: int, k: int = 4) -> tuple[np.ndarray, np.ndarray]:
    """Per-class probabilities that are each exactly the chance that the class applies, and the truth."""
    probs = np.where(rng.random((n, k)) < 0.5, rng.beta(1, 20, (n, k)), rng.beta(20, 1, (n, k)))
    return probs, rng.random((n, k)) < probs


def as_sets(onehot: np.ndarray) -> list[list[int]]:
    return [np.flatnonzero(row).tolist() for row in onehot]


def test_multilabel_guarantee_holds_on_exact_set_accuracy():
    runs, target = 120, 0.85
    met, coverage = [], []
    for seed in range(runs):
        rng = np.random.default_rng(seed)
        cal_probs, cal_truth = draw_multilabel(rng, 800)
        pool_probs, pool_truth = draw_multilabel(rng, 3000)
        result = find_multilabel_auto_labels(
            pool_probs, cal_probs, as_sets(cal_truth), target_accuracy=target
        )
        truth = as_sets(pool_truth[result.indices])
        if result.n_to_label:
            met.append(
                np.mean([a == b for a, b in zip(result.labels, truth, strict=True)]) >= target
            )
        else:
            met.append(True)
        coverage.append(result.coverage)
    assert np.mean(met) >= 0.9
    assert np.mean(coverage) > 0.05
    # a per-class decision of 0.9 leaves sets of 4 classes right far less often than 0.9
    everything = np.mean((pool_probs >= 0.5) == pool_truth, axis=None)
    assert everything > 0.8 and np.mean(((pool_probs >= 0.5) == pool_truth).all(axis=1)) < target


def test_multilabel_result_labels_the_predicted_sets_most_confident_first():
    rng = np.random.default_rng(5)
    cal_probs, cal_truth = draw_multilabel(rng, 1500, k=3)
    pool_probs, _ = draw_multilabel(rng, 2000, k=3)
    result = find_multilabel_auto_labels(
        pool_probs, cal_probs, as_sets(cal_truth), target_accuracy=0.8
    )
    assert result.n_to_label > 0 and not result.per_class
    assert result.thresholds.shape == (3,) and np.unique(result.thresholds).size == 1
    conf = np.maximum(pool_probs, 1 - pool_probs).prod(axis=1)
    np.testing.assert_array_equal(result.mask, conf >= result.thresholds[0])
    assert np.all(np.diff(conf[result.indices]) <= 0)
    assert list(result.labels) == as_sets(pool_probs[result.indices] >= 0.5)
    # nothing certifiable: the result says why and labels nothing
    few = find_multilabel_auto_labels(pool_probs, cal_probs[:20], as_sets(cal_truth[:20]))
    assert few.n_to_label == 0 and few.labels.size == 0 and "Label more rows" in few.reason


@pytest.mark.parametrize(
    ("pool", "cal", "labels", "error", "match"),
    [
        ([[0.2, 0.9]], [[0.2, 0.9, 0.1]], [[1]], DataValidationError, "has 3 columns"),
        ([[0.2, 1.7]], [[0.2, 0.9]], [[1]], InvalidPredProbsError, "probabilities in"),
        ([[0.2, 0.9]], [[0.2, 0.9]], [[2]], InvalidLabelsError, "2"),
        ([[0.2, 0.9]], [[0.2, 0.9]], [[1], [0]], InvalidLabelsError, "2 examples"),
    ],
    ids=["columns", "logits", "class-out-of-range", "length"],
)
def test_multilabel_bad_input(pool, cal, labels, error, match):
    with pytest.raises(error, match=match):
        find_multilabel_auto_labels(pool, cal, labels)


def test_multilabel_without_empty_sets_leaves_those_rows_and_their_evidence_out():
    rng = np.random.default_rng(8)
    cal_probs, cal_truth = draw_multilabel(rng, 1500, k=2)  # a quarter predict no class
    pool_probs, _ = draw_multilabel(rng, 2000, k=2)
    kwargs = {"target_accuracy": 0.8}
    both = find_multilabel_auto_labels(pool_probs, cal_probs, as_sets(cal_truth), **kwargs)
    some = find_multilabel_auto_labels(
        pool_probs, cal_probs, as_sets(cal_truth), allow_empty=False, **kwargs
    )
    assert any(s == [] for s in both.labels)
    assert some.n_to_label > 0 and all(s for s in some.labels)
    empty = ~(pool_probs >= 0.5).any(axis=1)
    assert not some.mask[empty].any() and some.mask.sum() == some.n_to_label
    assert some.coverage == some.n_to_label / 2000
    assert f"Left out: {empty.sum()} unlabeled rows" in some.reason
    # the evidence is the calibration rows that predict a class
    cal_some = (cal_probs >= 0.5).any(axis=1)
    conf = np.maximum(cal_probs, 1 - cal_probs).prod(axis=1)
    assert some.n_calibration_rows == np.sum(cal_some & (conf >= some.thresholds[0]))
    with pytest.raises(InvalidOptionError, match="allow_empty"):
        find_multilabel_auto_labels(pool_probs, cal_probs, as_sets(cal_truth), allow_empty="no")
