"""goldlabel.core.agreement: Krippendorff's alpha (nominal), overall and per class."""

from __future__ import annotations

import numpy as np
import pytest

from goldlabel.core.agreement import (
    compute_krippendorff_alpha,
    compute_krippendorff_alpha_per_class,
)
from tests.core.test_multiannotator import make_crowd
from tests.core.test_multiannotator_multilabel import make_tag_crowd

NAN = np.nan
# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", example C (values 1-5)
EXAMPLE_C = np.array(
    [
        [1, 2, 3, 3, 2, 1, 4, 1, 2, NAN, NAN, NAN],
        [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, NAN, 3],
        [NAN, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, NAN],
        [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, NAN],
    ]
).T


def test_the_published_example() -> None:
    assert compute_krippendorff_alpha(EXAMPLE_C) == pytest.approx(0.743, abs=5e-4)
    # unit 12 has one value only: it is not pairable and changes nothing
    assert compute_krippendorff_alpha(EXAMPLE_C[:11]) == compute_krippendorff_alpha(EXAMPLE_C)


def test_invariant_to_class_names_and_annotator_order() -> None:
    labels, _ = make_crowd(3, n=200, m=5, k=4, missing=0.4)
    alpha = compute_krippendorff_alpha(labels, n_classes=4)
    renamed = np.where(np.isnan(labels), NAN, (labels + 1) % 4)
    assert compute_krippendorff_alpha(renamed, n_classes=4) == pytest.approx(alpha)
    assert compute_krippendorff_alpha(labels[:, ::-1], n_classes=4) == pytest.approx(alpha)
    assert 0.0 < alpha < 1.0


def test_perfect_chance_and_systematic_disagreement() -> None:
    rng = np.random.default_rng(0)
    truth = rng.integers(0, 3, 500).astype(float)
    assert compute_krippendorff_alpha(np.column_stack([truth, truth, truth])) == pytest.approx(1.0)
    chance = rng.integers(0, 3, (5000, 3)).astype(float)
    assert abs(compute_krippendorff_alpha(chance)) < 0.02
    flip = rng.integers(0, 2, 400).astype(float)
    assert compute_krippendorff_alpha(np.column_stack([flip, 1 - flip])) < -0.9


def test_undefined_cases_are_nan() -> None:
    assert np.isnan(compute_krippendorff_alpha(np.array([[0.0, NAN], [NAN, 1.0]])))  # no pairs
    assert np.isnan(compute_krippendorff_alpha(np.zeros((4, 3)), n_classes=2))  # one class only


def test_per_class_is_the_alpha_of_each_yes_no_question() -> None:
    labels, _ = make_crowd(5, n=150, m=4, k=3, missing=0.3)
    per_class = compute_krippendorff_alpha_per_class(labels, n_classes=3)
    for c in range(3):
        binary = np.where(np.isnan(labels), NAN, (labels == c).astype(float))
        assert per_class[c] == pytest.approx(compute_krippendorff_alpha(binary, n_classes=2))
    sets, _, _, _ = make_tag_crowd(2, n=150, m=4, k=3)
    per_tag = compute_krippendorff_alpha_per_class(sets)
    for c in range(3):
        assert per_tag[c] == pytest.approx(compute_krippendorff_alpha(sets[:, :, c], n_classes=2))
    assert np.all(np.isfinite(per_tag)) and np.all(per_tag > 0)
    # whole sets: each distinct set is one nominal value
    codes = sets @ np.array([1.0, 2.0, 4.0])
    assert compute_krippendorff_alpha(sets) == pytest.approx(
        compute_krippendorff_alpha(codes, n_classes=8)
    )
    assert np.isnan(compute_krippendorff_alpha(np.ones((3, 2, 2))))  # one set only
