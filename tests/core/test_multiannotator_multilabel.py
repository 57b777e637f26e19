"""goldlabel.core.multiannotator_multilabel: CROWDLAB one class at a time for annotators' class sets."""

from __future__ import annotations

import numpy as np
import pytest

from goldlabel.core.multiannotator import compute_consensus
from goldlabel.core.multiannotator_multilabel import (
    compute_multilabel_consensus,
    convert_long_to_wide_multilabel,
)
from goldlabel.exceptions import InvalidLabelsError, InvalidOptionError, InvalidPredProbsError
from tests.core.test_multiannotator import assert_matches_cleanlab, cleanlab_reference

NAN = np.nan


def make_tag_crowd(
    seed: int, *, n: int = 300, m: int = 5, k: int = 4, missing: float = 0.4
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(labels (N, M, K) with NaN, per-class pred_probs, true sets, each annotator's flip rate).

    Each annotator flips each class of the true set with its own rate (0.02-0.35); every row and
    column has an annotation; the model is informative but weak.
    """
    rng = np.random.default_rng(seed)
    truth = (rng.random((n, k)) < 0.35).astype(np.float64)
    flip = rng.uniform(0.02, 0.35, m)
    flips = rng.random((n, m, k)) < flip[None, :, None]
    labels = np.where(flips, 1.0 - truth[:, None, :], truth[:, None, :])
    absent = rng.random((n, m)) < missing
    absent[np.arange(n), rng.integers(0, m, n)] = False  # every row keeps one annotation
    absent[0, :] = False  # every annotator labels row 0
    labels[absent] = NAN
    probs = 0.3 * truth + 0.7 * rng.random((n, k))  # alone, it gets about a quarter of sets right
    return labels, probs, truth, flip


def test_each_class_is_crowdlab_on_its_binary_column() -> None:
    labels, probs, _, _ = make_tag_crowd(0)
    result = compute_multilabel_consensus(labels, probs)
    for c, per_class in enumerate(result.per_class):
        binary = np.column_stack([1 - probs[:, c], probs[:, c]])
        alone = compute_consensus(labels[:, :, c], binary, n_classes=2)
        np.testing.assert_array_equal(per_class.consensus_label, alone.consensus_label)
        np.testing.assert_array_equal(result.consensus_labels[:, c], alone.consensus_label)
        np.testing.assert_allclose(per_class.annotator_quality, alone.annotator_quality)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_each_class_matches_cleanlab_on_its_binary_column(seed: int) -> None:
    labels, probs, _, _ = make_tag_crowd(seed, n=150, m=4, k=3)
    result = compute_multilabel_consensus(labels, probs)
    for c, per_class in enumerate(result.per_class):
        binary = np.column_stack([1 - probs[:, c], probs[:, c]])
        assert_matches_cleanlab(per_class, cleanlab_reference(labels[:, :, c], binary), tol=1e-10)


def test_set_level_figures_follow_their_definitions() -> None:
    labels, probs, _, _ = make_tag_crowd(4, n=200, m=4, k=3)
    result = compute_multilabel_consensus(labels, probs)
    given = ~np.isnan(labels[:, :, 0])
    per_quality = np.column_stack([r.consensus_quality_score for r in result.per_class])
    np.testing.assert_allclose(result.consensus_quality_score, per_quality.prod(axis=1))
    same = given & (labels == result.consensus_labels[:, None, :]).all(axis=2)
    np.testing.assert_allclose(result.annotator_agreement, same.sum(1) / given.sum(1))
    np.testing.assert_array_equal(result.num_annotations, given.sum(1))
    np.testing.assert_array_equal(result.num_examples_labeled, given.sum(0))
    np.testing.assert_allclose(result.agreement_with_consensus, same.sum(0) / given.sum(0))
    per_detailed = np.stack([r.detailed_label_quality for r in result.per_class], axis=2)
    i, j = np.argwhere(given)[7]
    assert result.detailed_label_quality[i, j] == pytest.approx(per_detailed[i, j].prod())
    assert np.isnan(result.detailed_label_quality[~given]).all()
    shared = given & (given.sum(1) >= 2)[:, None]
    for a in range(4):
        rows = shared[:, a]
        assert result.annotator_quality[a] == pytest.approx(
            result.detailed_label_quality[rows, a].mean()
        )
    assert result.model_weight == pytest.approx(np.mean([r.model_weight for r in result.per_class]))
    assert result.annotator_weight is not None and result.annotator_weight.shape == (4,)


def test_consensus_beats_the_majority_vote_and_ranks_annotators() -> None:
    exact: dict[str, list[float]] = {"model": [], "annotators": [], "vote": []}
    ranking = []
    for seed in range(8):
        labels, probs, truth, flip = make_tag_crowd(10 + seed, n=400, m=6, missing=0.5)
        runs = {
            "model": compute_multilabel_consensus(labels, probs, random_state=0),
            "annotators": compute_multilabel_consensus(labels, random_state=0),
            "vote": compute_multilabel_consensus(
                labels, quality_method="agreement", random_state=0
            ),
        }
        for name, result in runs.items():
            exact[name].append((result.consensus_labels == truth).all(axis=1).mean())
        # better annotators (fewer flips) get higher quality
        quality = runs["model"].annotator_quality
        ranking.append(np.corrcoef(np.argsort(np.argsort(-flip)), quality)[0, 1])
    mean = {name: float(np.mean(v)) for name, v in exact.items()}
    # measured: 0.806 with the model, 0.783 without, 0.702 by majority vote
    assert mean["model"] > mean["annotators"] > mean["vote"] + 0.03, mean
    assert np.mean(ranking) > 0.8, ranking
    # the quality score ranks rows: right sets score higher than wrong ones
    labels, probs, truth, _ = make_tag_crowd(30, n=600, m=5)
    result = compute_multilabel_consensus(labels, probs)
    right = (result.consensus_labels == truth).all(axis=1)
    assert (
        result.consensus_quality_score[right].mean() > result.consensus_quality_score[~right].mean()
    )


def test_without_a_model() -> None:
    labels, _, truth, _ = make_tag_crowd(5)
    result = compute_multilabel_consensus(labels, random_state=0)
    assert result.model_weight is None
    assert (result.consensus_labels == truth).all(axis=1).mean() > 0.6
    again = compute_multilabel_consensus(labels, random_state=0)
    np.testing.assert_array_equal(result.consensus_labels, again.consensus_labels)


@pytest.mark.parametrize(
    ("labels", "probs", "error", "match"),
    [
        (np.zeros((3, 2)), None, InvalidLabelsError, r"shape \(N, M, K\)"),
        ([[["a"]]], None, InvalidLabelsError, r"shape \(N, M, K\)"),
        (np.zeros((0, 2, 2)), None, InvalidLabelsError, "at least one example"),
        (np.array([[[1, NAN], [1, 0]]]), None, InvalidLabelsError, "example 0, annotator 0"),
        (np.array([[[2, 0], [1, 0]]]), None, InvalidLabelsError, "holds 2.0"),
        (
            np.array([[[1, 0], [1, 0]], [[NAN, NAN], [NAN, NAN]]]),
            None,
            InvalidLabelsError,
            r"\[1\]",
        ),
        (np.array([[[1, 0], [NAN, NAN]]]), None, InvalidLabelsError, r"columns\) \[1\]"),
        (np.ones((1, 2, 2)), [[0.5, 0.5, 0.5]], InvalidPredProbsError, r"shape \(1, 3\)"),
        (np.ones((1, 2, 2)), [[0.5, 3.0]], InvalidPredProbsError, "sigmoid"),
    ],
    ids=["2d", "strings", "empty", "partial-nan", "not-binary", "row", "column", "shape", "logits"],
)
def test_bad_input(labels: object, probs: object, error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        compute_multilabel_consensus(labels, probs)


def test_unknown_quality_method() -> None:
    with pytest.raises(InvalidOptionError, match="quality_method"):
        compute_multilabel_consensus(np.ones((2, 2, 2)), quality_method="best")


def test_one_annotator_takes_the_vote_and_crowdlab_says_why_not() -> None:
    labels = np.array([[[1.0, 0.0, 1.0]], [[0.0, 1.0, 0.0]]])
    result = compute_multilabel_consensus(labels, quality_method="agreement")
    assert result.consensus_labels.tolist() == [[1, 0, 1], [0, 1, 0]]
    np.testing.assert_array_equal(result.consensus_quality_score, [1.0, 1.0])
    assert np.isnan(result.annotator_quality).all()  # nobody shares an example
    with pytest.raises(InvalidLabelsError, match="two or more annotators"):
        compute_multilabel_consensus(labels)


def test_long_annotations_become_the_wide_array() -> None:
    wide, rows, who = convert_long_to_wide_multilabel(
        [9, 3, 9, 3], ["b", "a", "a", "b"], [[1], [0, 1], [], [2]], n_classes=3
    )
    assert rows.tolist() == [3, 9] and who.tolist() == ["a", "b"]
    assert wide.tolist() == [[[1, 1, 0], [0, 0, 1]], [[0, 0, 0], [0, 1, 0]]]
    wide, _, _ = convert_long_to_wide_multilabel([1, 2], ["a", "b"], [[0], [1]], n_classes=2)
    assert np.isnan(wide[0, 1]).all() and np.isnan(wide[1, 0]).all()
    with pytest.raises(InvalidLabelsError, match="class 3, outside"):
        convert_long_to_wide_multilabel([1], ["a"], [[3]], n_classes=3)
    with pytest.raises(InvalidLabelsError, match="first: row 1, annotator 'a'"):
        convert_long_to_wide_multilabel([1, 1], ["a", "a"], [[0], [1]], n_classes=2)
