"""Zero-shot suggestions from similarity to class names or descriptions."""

from __future__ import annotations

import numpy as np
import pytest

from goldlabel.exceptions import DataValidationError, InvalidOptionError
from goldlabel.learn import compute_similarity_probs, compute_zero_shot_probs

TEXTS = [
    "the football team won the match with a late goal",
    "the tennis player won the final in straight sets",
    "shares fell on the stock market as investors sold",
    "the bank reported record profit and higher revenue",
]


@pytest.mark.parametrize(
    "descriptions",
    [
        ["sports football tennis match", "business market bank profit"],
        {"sports": "football tennis match", "business": "market bank profit shares"},
    ],
    ids=["list", "dict"],
)
def test_zero_shot_suggests_the_described_class(descriptions: object) -> None:
    probs = compute_zero_shot_probs(TEXTS, descriptions)
    assert probs.shape == (4, 2)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0)
    assert probs.argmax(axis=1).tolist() == [0, 0, 1, 1]


def test_zero_shot_accepts_a_custom_encoder() -> None:
    def encode(texts: list[str]) -> np.ndarray:
        return np.array([[t.count("a"), t.count("e") + 0.1] for t in texts], dtype=float)

    probs = compute_zero_shot_probs(["aaaa", "eeee"], ["a", "e"], encoder=encode)
    assert probs.argmax(axis=1).tolist() == [0, 1]


def test_similarity_probs_are_uniform_for_rows_like_no_class() -> None:
    probs = compute_similarity_probs(np.array([[0.0, 0.0]]), np.eye(2))
    np.testing.assert_allclose(probs, [[0.5, 0.5]])


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (
            lambda: compute_zero_shot_probs(TEXTS, ["only one"]),
            DataValidationError,
            "at least 2 classes",
        ),
        (lambda: compute_zero_shot_probs(TEXTS, "sports"), DataValidationError, "got str"),
        (lambda: compute_zero_shot_probs([], ["a", "b"]), DataValidationError, "no rows"),
        (
            lambda: compute_zero_shot_probs(TEXTS, ["a", "b"], encoder="bert"),
            InvalidOptionError,
            "encoder must be",
        ),
        (
            lambda: compute_similarity_probs(np.eye(2), np.eye(3)),
            DataValidationError,
            "same dimension",
        ),
        (
            lambda: compute_similarity_probs(np.eye(2), np.eye(2), temperature=-1),
            InvalidOptionError,
            "positive",
        ),
    ],
    ids=[
        "one-class",
        "string",
        "no-rows",
        "unknown-encoder",
        "dimension-mismatch",
        "bad-temperature",
    ],
)
def test_zero_shot_refuses_bad_input(call: object, error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        call()  # type: ignore[operator]
